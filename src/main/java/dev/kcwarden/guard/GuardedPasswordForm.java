package dev.kcwarden.guard;

import dev.kcwarden.WardenMessages;
import jakarta.ws.rs.core.MultivaluedHashMap;
import jakarta.ws.rs.core.MultivaluedMap;
import jakarta.ws.rs.core.Response;
import java.util.Optional;
import org.keycloak.authentication.AuthenticationFlowContext;
import org.keycloak.authentication.authenticators.browser.UsernamePasswordForm;
import org.keycloak.models.KeycloakSession;
import org.keycloak.models.UserModel;
import org.keycloak.services.managers.AuthenticationManager;

/**
 * Keycloak's login form with the limiter asked first, so a refused attempt never reaches the hash; past the step-up
 * threshold a valid proof-of-work comes before the password check (see {@link PowStepUp}).
 */
final class GuardedPasswordForm extends UsernamePasswordForm {

    GuardedPasswordForm(KeycloakSession session) {
        super(session);
    }

    @Override
    public void authenticate(AuthenticationFlowContext context) {
        LoginGuard guard = LoginGuard.forLogin(context, LoginGuard.Channel.BROWSER);
        UserModel known = context.getUser();
        PowStepUp pow = new PowStepUp(context, guard);
        pow.offer(pow.pressure(() -> known != null ? guard.pressure(known) : guard.pressure((String) null)));
        super.authenticate(context);
    }

    @Override
    protected boolean validateForm(AuthenticationFlowContext context, MultivaluedMap<String, String> formData) {
        UserModel known = context.getUser();
        String typedName = known != null
                ? known.getUsername()
                : LoginGuard.formLookup(formData.getFirst(AuthenticationManager.FORM_USERNAME));
        LoginGuard guard = LoginGuard.forLogin(context, LoginGuard.Channel.BROWSER);
        MultivaluedMap<String, String> kept = new MultivaluedHashMap<>();
        if (typedName != null) {
            kept.putSingle(AuthenticationManager.FORM_USERNAME, typedName);
        }
        PowStepUp pow = new PowStepUp(context, guard);
        Limiter.Pressure pressure =
                pow.pressure(() -> known != null ? guard.pressure(known) : guard.pressure(typedName));
        Optional<Response> refused =
                pow.refusal(formData, pressure, typedName, form -> createLoginForm(form.setFormData(kept)));
        if (refused.isPresent()) {
            context.forceChallenge(refused.get());
            return false;
        }
        pow.offerAfterFailure(pressure);
        Decision decision = known != null ? guard.beginForUser(known) : guard.beginLogin(typedName);
        boolean valid = guard.checkPassword(
                context,
                decision,
                typedName,
                throttled -> createLoginForm(throttled
                        .onPage(context.form())
                        .setFormData(kept)
                        .setError(WardenMessages.LOGIN_THROTTLED, throttled.minutes())),
                () -> super.validateForm(context, formData));
        if (valid) {
            pow.withdraw();
        }
        return valid;
    }
}
