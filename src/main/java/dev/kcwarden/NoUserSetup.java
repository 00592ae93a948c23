package dev.kcwarden;

import org.keycloak.models.KeycloakSession;
import org.keycloak.models.RealmModel;
import org.keycloak.models.UserModel;

/**
 * The answers of a flow step that needs no user and sets nothing up for one (an {@code Authenticator} or a
 * {@code FormAction}: both SPIs ask the same four questions), and holds no state to close.
 */
public abstract class NoUserSetup {

    /** Runs before a user is known, or without one. */
    public boolean requiresUser() {
        return false;
    }

    /** Nothing to configure per user. */
    public boolean configuredFor(KeycloakSession session, RealmModel realm, UserModel user) {
        return true;
    }

    /** No required action to add. */
    public void setRequiredActions(KeycloakSession session, RealmModel realm, UserModel user) {
        // nothing to set up
    }

    /** Stateless. */
    public void close() {
        // nothing to close
    }
}
