package dev.kcwarden.guard;

import org.keycloak.authentication.Authenticator;
import org.keycloak.models.KeycloakSession;
import org.keycloak.models.credential.PasswordCredentialModel;

/** Identity-first flows: Keycloak's password-only form behind warden's login limits. */
public final class GuardedPasswordOnlyFormFactory extends GuardFactorySupport {

    public static final String PROVIDER_ID = "warden-password-form";

    public GuardedPasswordOnlyFormFactory() {
        super(
                PROVIDER_ID,
                "Warden: password form (throttled)",
                PasswordCredentialModel.TYPE,
                "Keycloak's password form for a user an earlier step chose (identity-first flows, after "
                        + "'Username Form'), "
                        + "guarded by warden like its username password form: counted per client IP, per "
                        + "username and IP and "
                        + "per account, HTTP 429 with Retry-After before any password is hashed. Use it in "
                        + "place of 'Password Form'.",
                GuardedFlow.LOGIN,
                true);
    }

    @Override
    public Authenticator create(KeycloakSession session) {
        return new GuardedPasswordOnlyForm(session);
    }
}
