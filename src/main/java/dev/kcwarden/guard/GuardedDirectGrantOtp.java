package dev.kcwarden.guard;

import dev.kcwarden.WardenMessages;
import jakarta.ws.rs.core.MultivaluedMap;
import org.keycloak.authentication.AuthenticationFlowContext;
import org.keycloak.authentication.Authenticator;
import org.keycloak.authentication.authenticators.directgrant.ValidateOTP;
import org.keycloak.models.KeycloakSession;
import org.keycloak.models.RealmModel;
import org.keycloak.models.UserModel;

/**
 * The direct grant's one-time-code check ({@code otp} or {@code totp} parameter), guarded like the password: without
 * it, a client that knows the password could guess codes without limit.
 */
final class GuardedDirectGrantOtp implements Authenticator {

    private final ValidateOTP otp = new ValidateOTP();

    @Override
    public void authenticate(AuthenticationFlowContext context) {
        UserModel user = context.getUser();
        MultivaluedMap<String, String> form = context.getHttpRequest().getDecodedFormParameters();
        boolean codeSent = form.getFirst("otp") != null || form.getFirst("totp") != null;
        if (user == null || !codeSent || !otp.configuredFor(context.getSession(), context.getRealm(), user)) {
            otp.authenticate(context); // Keycloak's own answer: skipped, or refused without checking a code
            return;
        }
        LoginGuard guard = LoginGuard.forLogin(context, LoginGuard.Channel.DIRECT_GRANT);
        Decision decision = guard.beginForUser(user);
        if (decision instanceof Decision.Denied would && guard.monitor()) {
            ThrottledAttempt.of(context, would).wouldThrottle();
        } else if (decision instanceof Decision.Denied denied) {
            ThrottledAttempt throttled = ThrottledAttempt.of(context, denied).recordEvent(user);
            context.forceChallenge(throttled.oauthError(WardenMessages.LOGIN_THROTTLED));
            return;
        }
        otp.authenticate(context);
        if (LoginGuard.succeeded(context) && decision instanceof Decision.Allowed) {
            guard.credentialAccepted((Decision.Allowed) decision, user, true);
        } else if (LoginGuard.succeeded(context)) {
            guard.acceptedDespiteWouldThrottle(user, true); // monitor mode: a would-be refusal
        }
    }

    @Override
    public void action(AuthenticationFlowContext context) {
        // a direct grant has no second request
    }

    @Override
    public boolean requiresUser() {
        return otp.requiresUser();
    }

    @Override
    public boolean configuredFor(KeycloakSession session, RealmModel realm, UserModel user) {
        return otp.configuredFor(session, realm, user);
    }

    @Override
    public void setRequiredActions(KeycloakSession session, RealmModel realm, UserModel user) {
        otp.setRequiredActions(session, realm, user);
    }

    @Override
    public void close() {
        otp.close();
    }
}
