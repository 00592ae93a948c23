package dev.kcwarden.ratelimit;

import org.keycloak.authentication.Authenticator;
import org.keycloak.models.KeycloakSession;
import org.keycloak.models.credential.PasswordCredentialModel;

/** Direct grant (token endpoint, password grant): username and password validation behind warden's login limits. */
public final class GuardedDirectGrantFactory extends GuardFactorySupport {

    public static final String PROVIDER_ID = "warden-direct-grant-validate";

    public GuardedDirectGrantFactory() {
        super(GuardConfig.LOGIN);
    }

    @Override
    public String getId() {
        return PROVIDER_ID;
    }

    @Override
    public String getDisplayType() {
        return "Warden: validate username and password (throttled)";
    }

    @Override
    public String getReferenceCategory() {
        return PasswordCredentialModel.TYPE;
    }

    @Override
    public String getHelpText() {
        return "Replaces both 'Username Validation' and 'Password' in a direct grant flow: counts failed logins per "
                + "client IP, per username and IP and per account, and over a limit answers HTTP 429 with Retry-After "
                + "and a JSON error before any password is hashed.";
    }

    @Override
    public Authenticator create(KeycloakSession session) {
        return new GuardedDirectGrant();
    }
}
