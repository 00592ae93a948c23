package dev.kcwarden.guard;

import dev.kcwarden.WardenMessages;
import jakarta.ws.rs.core.MultivaluedMap;
import jakarta.ws.rs.core.Response;
import java.util.Optional;
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
    public void authenticate(AuthenticationFlowContext context) {
        if (context.getUser() != null) {
            LoginGuard guard = LoginGuard.forLogin(context, LoginGuard.Channel.BROWSER);
            PowStepUp pow = new PowStepUp(context, guard);
            pow.offer(pow.pressure(() -> guard.pressure(context.getUser())));
        }
        super.authenticate(context);
    }

    @Override
    protected boolean validateForm(AuthenticationFlowContext context, MultivaluedMap<String, String> formData) {
        UserModel user = context.getUser();
        LoginGuard guard = LoginGuard.forLogin(context, LoginGuard.Channel.BROWSER);
        PowStepUp pow = new PowStepUp(context, guard);
        Limiter.Pressure pressure = pow.pressure(() -> guard.pressure(user));
        Optional<Response> refused = pow.refusal(formData, pressure, user.getUsername(), this::createLoginForm);
        if (refused.isPresent()) {
            context.forceChallenge(refused.get());
            return false;
        }
        pow.offerAfterFailure(pressure);
        Decision decision = guard.beginForUser(user);
        boolean valid = guard.checkPassword(
                context,
                decision,
                user.getUsername(),
                throttled -> createLoginForm(
                        throttled.onPage(context.form()).setError(WardenMessages.LOGIN_THROTTLED, throttled.minutes())),
                () -> super.validateForm(context, formData));
        if (valid) {
            pow.withdraw();
        }
        return valid;
    }
}
