package dev.kcwarden.guard;

import org.keycloak.authentication.Authenticator;
import org.keycloak.models.KeycloakSession;
import org.keycloak.models.credential.PasswordCredentialModel;

/** Direct grant (token endpoint, password grant): username and password validation behind warden's login limits. */
public final class GuardedDirectGrantFactory extends GuardFactorySupport {

    public static final String PROVIDER_ID = "warden-direct-grant-validate";

    public GuardedDirectGrantFactory() {
        super(
                PROVIDER_ID,
                "Warden: validate username and password (throttled)",
                PasswordCredentialModel.TYPE,
                "Replaces both 'Username Validation' and 'Password' in a direct grant flow: counts failed logins per "
                        + "client IP, per username and IP and per account, and over a limit answers HTTP 429 "
                        + "with Retry-After "
                        + "and a JSON error before any password is hashed.",
                GuardedFlow.LOGIN);
    }

    @Override
    public Authenticator create(KeycloakSession session) {
        return new GuardedDirectGrant();
    }
}
