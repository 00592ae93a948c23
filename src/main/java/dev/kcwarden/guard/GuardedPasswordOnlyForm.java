package dev.kcwarden.guard;

import dev.kcwarden.WardenMessages;
import jakarta.ws.rs.core.MultivaluedMap;
import org.keycloak.authentication.AuthenticationFlowContext;
import org.keycloak.authentication.authenticators.browser.PasswordForm;
import org.keycloak.models.KeycloakSession;
import org.keycloak.models.UserModel;

/** Keycloak's password-only form (identity-first flows: the user was chosen by an earlier step), guarded. */
final class GuardedPasswordOnlyForm extends PasswordForm {

    GuardedPasswordOnlyForm(KeycloakSession session) {
        super(session);
    }

    @Override
    protected boolean validateForm(AuthenticationFlowContext context, MultivaluedMap<String, String> formData) {
        UserModel user = context.getUser();
        LoginGuard guard = LoginGuard.forLogin(context, LoginGuard.Channel.BROWSER);
        Decision decision = guard.beginForUser(user);
        return guard.checkPassword(
                context,
                decision,
                user.getUsername(),
                throttled -> createLoginForm(
                        throttled.onPage(context.form()).setError(WardenMessages.LOGIN_THROTTLED, throttled.minutes())),
                () -> super.validateForm(context, formData));
    }
}
