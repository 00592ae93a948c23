package dev.kcwarden.guard;

import dev.kcwarden.WardenMessages;
import jakarta.ws.rs.core.MultivaluedHashMap;
import jakarta.ws.rs.core.MultivaluedMap;
import jakarta.ws.rs.core.Response;
import java.util.Optional;
import org.keycloak.authentication.AuthenticationFlowContext;
import org.keycloak.authentication.AuthenticationFlowException;
import org.keycloak.authentication.authenticators.broker.AbstractIdpAuthenticator;
import org.keycloak.authentication.authenticators.broker.IdpUsernamePasswordForm;
import org.keycloak.models.KeycloakSession;
import org.keycloak.models.UserModel;
import org.keycloak.services.managers.AuthenticationManager;

/**
 * Keycloak's "verify existing account by re-authentication" form of the first broker login, guarded: whoever holds an
 * identity-provider account whose email matches a local account gets the local password form, so it is counted like the
 * login form.
 */
final class GuardedIdpPasswordForm extends IdpUsernamePasswordForm {

    GuardedIdpPasswordForm(KeycloakSession session) {
        super(session);
    }

    @Override
    public void authenticate(AuthenticationFlowContext context) {
        LoginGuard guard = LoginGuard.forLogin(context, LoginGuard.Channel.BROWSER);
        Optional<UserModel> existing = existingUser(context);
        PowStepUp pow = new PowStepUp(context, guard);
        pow.offer(pow.pressure(
                () -> existing.isPresent() ? guard.pressure(existing.get()) : guard.pressure((String) null)));
        super.authenticate(context);
    }

    @Override
    protected boolean validateForm(AuthenticationFlowContext context, MultivaluedMap<String, String> formData) {
        Optional<UserModel> existing = existingUser(context);
        String typedName = existing.map(UserModel::getUsername)
                .orElseGet(() -> LoginGuard.formLookup(formData.getFirst(AuthenticationManager.FORM_USERNAME)));
        LoginGuard guard = LoginGuard.forLogin(context, LoginGuard.Channel.BROWSER);
        PowStepUp pow = new PowStepUp(context, guard);
        Limiter.Pressure pressure =
                pow.pressure(() -> existing.isPresent() ? guard.pressure(existing.get()) : guard.pressure(typedName));
        Optional<Response> refused = pow.refusal(
                formData,
                pressure,
                typedName,
                form -> createLoginForm(setupForm(context, new MultivaluedHashMap<>(), existing)
                        .setExecution(context.getExecution().getId())
                        .setError(WardenMessages.POW_REFUSED)));
        if (refused.isPresent()) {
            context.forceChallenge(refused.get());
            return false;
        }
        pow.offerAfterFailure(pressure);
        Decision decision = existing.isPresent() ? guard.beginForUser(existing.get()) : guard.beginLogin(typedName);
        boolean valid = guard.checkPassword(
                context,
                decision,
                typedName,
                throttled -> createLoginForm(throttled
                        .onPage(setupForm(context, new MultivaluedHashMap<>(), existing))
                        .setExecution(context.getExecution().getId())
                        .setError(WardenMessages.LOGIN_THROTTLED, throttled.minutes())),
                () -> super.validateForm(context, formData));
        if (valid) {
            pow.withdraw();
        }
        return valid;
    }

    private static Optional<UserModel> existingUser(AuthenticationFlowContext context) {
        try {
            return Optional.of(AbstractIdpAuthenticator.getExistingUser(
                    context.getSession(), context.getRealm(), context.getAuthenticationSession()));
        } catch (AuthenticationFlowException e) {
            return Optional.empty();
        }
    }
}
