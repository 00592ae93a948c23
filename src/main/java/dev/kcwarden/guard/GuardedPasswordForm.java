package dev.kcwarden.guard;

import dev.kcwarden.WardenMessages;
import jakarta.ws.rs.core.MultivaluedHashMap;
import jakarta.ws.rs.core.MultivaluedMap;
import org.keycloak.authentication.AuthenticationFlowContext;
import org.keycloak.authentication.authenticators.browser.UsernamePasswordForm;
import org.keycloak.models.KeycloakSession;
import org.keycloak.models.UserModel;
import org.keycloak.services.managers.AuthenticationManager;

/** Keycloak's login form with the limiter asked first, so a refused attempt never reaches the hash. */
final class GuardedPasswordForm extends UsernamePasswordForm {

    GuardedPasswordForm(KeycloakSession session) {
        super(session);
    }

    @Override
    protected boolean validateForm(AuthenticationFlowContext context, MultivaluedMap<String, String> formData) {
        UserModel known = context.getUser();
        String typedName = known != null
                ? known.getUsername()
                : LoginGuard.formLookup(formData.getFirst(AuthenticationManager.FORM_USERNAME));
        LoginGuard guard = LoginGuard.forLogin(context, LoginGuard.Channel.BROWSER);
        Decision decision = known != null ? guard.beginForUser(known) : guard.beginLogin(typedName);
        MultivaluedMap<String, String> kept = new MultivaluedHashMap<>();
        if (typedName != null) {
            kept.putSingle(AuthenticationManager.FORM_USERNAME, typedName);
        }
        return guard.checkPassword(
                context,
                decision,
                typedName,
                throttled -> createLoginForm(throttled
                        .onPage(context.form())
                        .setFormData(kept)
                        .setError(WardenMessages.LOGIN_THROTTLED, throttled.minutes())),
                () -> super.validateForm(context, formData));
    }
}
