package dev.kcwarden.guard;

import org.keycloak.authentication.Authenticator;
import org.keycloak.models.KeycloakSession;
import org.keycloak.models.credential.PasswordCredentialModel;

/** First broker login: "verify existing account by re-authentication" behind warden's login limits. */
public final class GuardedIdpPasswordFormFactory extends GuardFactorySupport {

    public static final String PROVIDER_ID = "warden-idp-username-password-form";

    public GuardedIdpPasswordFormFactory() {
        super(
                PROVIDER_ID,
                "Warden: verify existing account by re-authentication (throttled)",
                PasswordCredentialModel.TYPE,
                "Keycloak's 'Username Password Form for identity provider reauthentication' of the first broker login, "
                        + "guarded by warden: whoever signs in through an identity provider with the email of a "
                        + "local account is "
                        + "asked for that account's password, and is counted like the login form. Use it in place of "
                        + "'Username Password Form for identity provider reauthentication'.",
                GuardedFlow.LOGIN,
                true);
    }

    @Override
    public Authenticator create(KeycloakSession session) {
        return new GuardedIdpPasswordForm(session);
    }
}
