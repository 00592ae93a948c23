package dev.kcwarden.guard;

import org.keycloak.authentication.Authenticator;
import org.keycloak.models.KeycloakSession;

/** Reset credentials: Keycloak's "choose user" step with warden's per-IP and per-account request limits. */
public final class GuardedResetChooseUserFactory extends GuardFactorySupport {

    public static final String PROVIDER_ID = "warden-reset-credentials-choose-user";

    public GuardedResetChooseUserFactory() {
        super(
                PROVIDER_ID,
                "Warden: choose user (reset, throttled)",
                null,
                "Replaces 'Choose User' in a reset credentials flow: counts password-reset requests per client IP and "
                        + "per account (whether or not the account exists) and over a limit shows the form "
                        + "again with HTTP 429 "
                        + "and Retry-After, so nobody can flood a mailbox with reset mails.",
                GuardedFlow.RESET);
    }

    @Override
    public Authenticator create(KeycloakSession session) {
        return new GuardedResetChooseUser();
    }
}
