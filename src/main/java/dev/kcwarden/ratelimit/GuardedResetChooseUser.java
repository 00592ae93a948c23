package dev.kcwarden.ratelimit;

import jakarta.ws.rs.core.MultivaluedHashMap;
import jakarta.ws.rs.core.MultivaluedMap;
import org.keycloak.authentication.AuthenticationFlowContext;
import org.keycloak.authentication.authenticators.resetcred.ResetCredentialChooseUser;

/** Keycloak's reset "choose user" step, counted before the user is looked up and a mail can go out. */
final class GuardedResetChooseUser extends ResetCredentialChooseUser {

    private static final String USERNAME = "username";

    @Override
    public void action(AuthenticationFlowContext context) {
        MultivaluedMap<String, String> formData = context.getHttpRequest().getDecodedFormParameters();
        String typedName = formData.getFirst(USERNAME);
        if (typedName != null && !typedName.isBlank()) {
            Decision decision = LoginGuard.forReset(context).beginReset(typedName);
            if (decision instanceof Decision.Denied denied) {
                ThrottledAttempt throttled = new ThrottledAttempt(context, denied).recordEvent(typedName);
                MultivaluedMap<String, String> kept = new MultivaluedHashMap<>();
                kept.putSingle(USERNAME, typedName);
                context.forceChallenge(throttled.page(context.form()
                        .setFormData(kept)
                        .setError(ThrottledAttempt.RESET_MESSAGE, throttled.minutes())
                        .createPasswordReset()));
                return;
            }
        }
        super.action(context); // Keycloak's own handling, including "missing username"
    }
}
