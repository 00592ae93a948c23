package dev.kcwarden.guard;

import org.keycloak.authentication.Authenticator;
import org.keycloak.models.KeycloakSession;
import org.keycloak.models.credential.PasswordCredentialModel;

/** Browser flow: Keycloak's username/password form with warden's login limits in front of the password check. */
public final class GuardedPasswordFormFactory extends GuardFactorySupport {

    public static final String PROVIDER_ID = "warden-username-password-form";

    public GuardedPasswordFormFactory() {
        super(
                PROVIDER_ID,
                "Warden: username password form (throttled)",
                PasswordCredentialModel.TYPE,
                "Keycloak's username and password form, guarded by warden: failed logins are counted per client IP, "
                        + "per username and IP and per account, and over a limit the form answers HTTP 429 with "
                        + "Retry-After "
                        + "before any password is hashed. Use it in place of 'Username Password Form'.",
                GuardedFlow.LOGIN,
                true);
    }

    @Override
    public Authenticator create(KeycloakSession session) {
        return new GuardedPasswordForm(session);
    }
}
