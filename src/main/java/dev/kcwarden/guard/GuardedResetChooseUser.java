package dev.kcwarden.guard;

import dev.kcwarden.WardenMessages;
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
        // Keycloak trims the typed name before its lookup; the guard counts that same string.
        String lookupName = LoginGuard.formLookup(formData.getFirst(USERNAME));
        if (lookupName != null && !lookupName.isEmpty()) {
            LoginGuard guard = LoginGuard.forReset(context);
            Decision decision = guard.beginReset(lookupName);
            if (decision instanceof Decision.Denied would && guard.monitor()) {
                ThrottledAttempt.of(context, would).wouldThrottle();
            } else if (decision instanceof Decision.Denied denied) {
                ThrottledAttempt throttled =
                        ThrottledAttempt.of(context, denied).recordEvent(lookupName);
                MultivaluedMap<String, String> kept = new MultivaluedHashMap<>();
                kept.putSingle(USERNAME, lookupName);
                context.forceChallenge(throttled.page(throttled
                        .onPage(context.form())
                        .setFormData(kept)
                        .setError(WardenMessages.RESET_THROTTLED, throttled.minutes())
                        .createPasswordReset()));
                return;
            }
        }
        super.action(context); // Keycloak's own handling, including "missing username"
    }
}
