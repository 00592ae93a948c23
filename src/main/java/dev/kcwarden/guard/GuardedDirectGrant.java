package dev.kcwarden.guard;

import dev.kcwarden.NoUserSetup;
import dev.kcwarden.WardenMessages;
import org.keycloak.authentication.AuthenticationFlowContext;
import org.keycloak.authentication.Authenticator;
import org.keycloak.authentication.authenticators.directgrant.ValidatePassword;
import org.keycloak.authentication.authenticators.directgrant.ValidateUsername;
import org.keycloak.services.managers.AuthenticationManager;

/**
 * Asks the limiter, then runs Keycloak's own username and password validation unchanged (same answers, same events,
 * same dummy hash for unknown users), and gives the attempt's slots back only when both passed.
 */
final class GuardedDirectGrant extends NoUserSetup implements Authenticator {

    private final Authenticator username = new ValidateUsername();
    private final Authenticator password = new ValidatePassword();

    @Override
    public void authenticate(AuthenticationFlowContext context) {
        String sent = context.getHttpRequest().getDecodedFormParameters().getFirst(AuthenticationManager.FORM_USERNAME);
        if (sent == null) {
            username.authenticate(context); // Keycloak's own "Missing parameter: username"
            return;
        }
        // Keycloak 26.7 finds 'demo\u0001' and '\tdemo' for the account demo here too (measured in
        // LoginGuardBypassIT): the guard trims as the forms do. Where a release looks a name up untrimmed,
        // counting the trimmed name is only stricter.
        String typedName = LoginGuard.formLookup(sent);
        LoginGuard guard = LoginGuard.forLogin(context, LoginGuard.Channel.DIRECT_GRANT);
        Decision decision = guard.beginLogin(typedName);
        if (decision instanceof Decision.Denied would && guard.monitor()) {
            ThrottledAttempt.of(context, would).wouldThrottle(); // Keycloak's check answers, as if no guard were there
        } else if (decision instanceof Decision.Denied denied) {
            ThrottledAttempt throttled = ThrottledAttempt.of(context, denied).recordEvent(typedName);
            context.forceChallenge(throttled.oauthError(WardenMessages.LOGIN_THROTTLED));
            return;
        }
        username.authenticate(context);
        if (!LoginGuard.succeeded(context)) {
            return;
        }
        password.authenticate(context);
        if (LoginGuard.succeeded(context) && decision instanceof Decision.Allowed) {
            guard.passwordAccepted((Decision.Allowed) decision, context.getUser());
        } else if (LoginGuard.succeeded(context)) {
            guard.passwordAcceptedDespiteWouldThrottle(context.getUser()); // monitor mode: a would-be refusal
        }
    }

    @Override
    public void action(AuthenticationFlowContext context) {
        // a direct grant has no second request
    }
}
