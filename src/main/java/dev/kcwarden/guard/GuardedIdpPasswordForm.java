package dev.kcwarden.guard;

import dev.kcwarden.WardenMessages;
import jakarta.ws.rs.core.MultivaluedHashMap;
import jakarta.ws.rs.core.MultivaluedMap;
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
    protected boolean validateForm(AuthenticationFlowContext context, MultivaluedMap<String, String> formData) {
        Optional<UserModel> existing = existingUser(context);
        String typedName = existing.map(UserModel::getUsername)
                .orElseGet(() -> LoginGuard.formLookup(formData.getFirst(AuthenticationManager.FORM_USERNAME)));
        LoginGuard guard = LoginGuard.forLogin(context, LoginGuard.Channel.BROWSER);
        Decision decision = existing.isPresent() ? guard.beginForUser(existing.get()) : guard.beginLogin(typedName);
        return guard.checkPassword(
                context,
                decision,
                typedName,
                throttled -> createLoginForm(throttled
                        .onPage(setupForm(context, new MultivaluedHashMap<>(), existing))
                        .setExecution(context.getExecution().getId())
                        .setError(WardenMessages.LOGIN_THROTTLED, throttled.minutes())),
                () -> super.validateForm(context, formData));
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
