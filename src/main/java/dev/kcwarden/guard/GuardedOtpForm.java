package dev.kcwarden.guard;

import dev.kcwarden.WardenMessages;
import org.keycloak.authentication.AuthenticationFlowContext;
import org.keycloak.authentication.authenticators.browser.OTPFormAuthenticator;
import org.keycloak.models.UserModel;

/**
 * Keycloak's one-time-code form, guarded: every submitted code takes a slot per client network, per account and address
 * and per account, like a password, and a right code gives it back and completes the login (failures from this address
 * are forgiven only then).
 */
final class GuardedOtpForm extends OTPFormAuthenticator {

    static final String OTP = "otp";

    @Override
    public void action(AuthenticationFlowContext context) {
        UserModel user = context.getUser();
        if (user == null || context.getHttpRequest().getDecodedFormParameters().getFirst(OTP) == null) {
            super.action(context); // no code submitted: Keycloak shows the form again, nothing was checked
            return;
        }
        LoginGuard guard = LoginGuard.forLogin(context, LoginGuard.Channel.BROWSER);
        Decision decision = guard.beginForUser(user);
        if (decision instanceof Decision.Denied would && guard.monitor()) {
            ThrottledAttempt.of(context, would).wouldThrottle();
        } else if (decision instanceof Decision.Denied denied) {
            ThrottledAttempt throttled = ThrottledAttempt.of(context, denied).recordEvent(user);
            context.forceChallenge(throttled.page(createLoginForm(throttled
                    .onPage(context.form())
                    .setExecution(context.getExecution().getId())
                    .setError(WardenMessages.LOGIN_THROTTLED, throttled.minutes()))));
            return;
        }
        super.action(context);
        if (LoginGuard.succeeded(context) && decision instanceof Decision.Allowed) {
            guard.credentialAccepted((Decision.Allowed) decision, user, true);
        } else if (LoginGuard.succeeded(context)) {
            guard.acceptedDespiteWouldThrottle(user, true); // monitor mode: a would-be refusal
        }
    }
}
