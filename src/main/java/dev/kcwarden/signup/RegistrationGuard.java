package dev.kcwarden.signup;

import dev.kcwarden.NoUserSetup;
import dev.kcwarden.RequestKey;
import dev.kcwarden.WardenEvents;
import dev.kcwarden.WardenMessages;
import dev.kcwarden.guard.Decision;
import dev.kcwarden.guard.LoginGuard;
import dev.kcwarden.guard.ThrottledAttempt;
import dev.kcwarden.metrics.WardenMetrics;
import dev.kcwarden.password.ScreenedRule;
import jakarta.ws.rs.core.MultivaluedHashMap;
import jakarta.ws.rs.core.MultivaluedMap;
import java.util.List;
import org.keycloak.authentication.FormAction;
import org.keycloak.authentication.FormContext;
import org.keycloak.authentication.ValidationContext;
import org.keycloak.authentication.forms.RegistrationPage;
import org.keycloak.events.Errors;
import org.keycloak.forms.login.LoginFormsProvider;
import org.keycloak.models.AuthenticatorConfigModel;
import org.keycloak.models.KeycloakSession;
import org.keycloak.models.RealmModel;
import org.keycloak.models.utils.FormMessage;

/**
 * Runs first in the registration form: a filled honeypot or an address over its sign-up limit ends the request here,
 * with one message, before the other actions spend a password hash or a range query.
 */
final class RegistrationGuard extends NoUserSetup implements FormAction {

    /** The honeypot's field name: something a form-filling bot is glad to fill. */
    static final String HONEYPOT_FIELD = "website";

    private final KeycloakSession session;

    RegistrationGuard(KeycloakSession session) {
        this.session = session;
    }

    @Override
    public void buildPage(FormContext context, LoginFormsProvider form) {
        if (honeypotOn(context.getAuthenticatorConfig())) {
            form.setAttribute(WardenMessages.HONEYPOT_ATTRIBUTE, HONEYPOT_FIELD);
        }
        ScreenedRule.mark(form, context.getRealm());
    }

    @Override
    public void validate(ValidationContext context) {
        RequestKey.REGISTRATION_EVENT.set(session, context.getEvent());
        MultivaluedMap<String, String> formData = context.getHttpRequest().getDecodedFormParameters();
        String honeypot = formData.getFirst(HONEYPOT_FIELD);
        LoginGuard guard = LoginGuard.forSignup(session, context.getRealm(), context.getAuthenticatorConfig());
        boolean monitor = guard.monitor();
        boolean honeypotFilled =
                honeypotOn(context.getAuthenticatorConfig()) && honeypot != null && !honeypot.isEmpty();
        if (honeypotFilled && monitor) {
            wouldReject(context, "honeypot");
        } else if (honeypotFilled) {
            refuse(
                    context,
                    formData,
                    "honeypot",
                    new FormMessage(null, WardenMessages.SIGNUP_REJECTED),
                    WardenEvents.SIGNUP_REJECTED);
            return;
        }
        Decision decision = guard.beginSignup();
        if (decision instanceof Decision.Denied would && monitor) {
            ThrottledAttempt.of(context, would).wouldThrottle();
        } else if (decision instanceof Decision.Denied denied) {
            ThrottledAttempt throttled = ThrottledAttempt.of(context, denied).describe(null);
            throttled.onFormAnswer();
            refuse(
                    context,
                    formData,
                    "throttled",
                    new FormMessage(null, WardenMessages.SIGNUP_THROTTLED, throttled.minutes()),
                    WardenEvents.THROTTLED);
            return;
        }
        boolean passwordIsEmail = passwordIsEmail(context.getRealm(), formData);
        if (passwordIsEmail && monitor) {
            wouldReject(context, "password_is_email");
        } else if (passwordIsEmail) {
            // Keycloak checks its notEmail policy at registration with the username only (no user exists yet),
            // so a password equal to the email would pass; this closes that gap.
            WardenMetrics.signupRejected(context.getRealm(), "password_is_email");
            context.error(Errors.INVALID_REGISTRATION);
            context.validationError(
                    withoutPasswords(formData),
                    List.of(new FormMessage(RegistrationPage.FIELD_PASSWORD, "invalidPasswordNotEmailMessage")));
            return;
        }
        context.success();
    }

    /** Monitor mode: the rule that would have refused this form is recorded; the form goes on. */
    private static void wouldReject(ValidationContext context, String rule) {
        WardenMetrics.signupWouldReject(context.getRealm(), rule);
        context.getEvent().detail(WardenEvents.WOULD_REJECT, rule);
    }

    private static boolean passwordIsEmail(RealmModel realm, MultivaluedMap<String, String> formData) {
        String password = formData.getFirst(RegistrationPage.FIELD_PASSWORD);
        String email = formData.getFirst(RegistrationPage.FIELD_EMAIL);
        return password != null
                && email != null
                && !email.isBlank()
                && realm.getPasswordPolicy().getPolicies().contains("notEmail")
                && password.strip().equalsIgnoreCase(email.strip());
    }

    private static MultivaluedMap<String, String> withoutPasswords(MultivaluedMap<String, String> formData) {
        MultivaluedMap<String, String> kept = new MultivaluedHashMap<>(formData);
        kept.remove(RegistrationPage.FIELD_PASSWORD);
        kept.remove(RegistrationPage.FIELD_PASSWORD_CONFIRM);
        kept.remove(HONEYPOT_FIELD);
        return kept;
    }

    private void refuse(
            ValidationContext context,
            MultivaluedMap<String, String> formData,
            String reason,
            FormMessage message,
            String eventError) {
        // No other action needs to run its checks (and no range query goes out) for a refused request.
        RequestKey.REGISTRATION_REFUSED.set(session, reason);
        WardenMetrics.signupRejected(context.getRealm(), reason);
        context.getEvent().detail(WardenEvents.REASON, reason);
        context.error(eventError);
        context.excludeOtherErrors();
        context.validationError(withoutPasswords(formData), List.of(message));
    }

    private static boolean honeypotOn(AuthenticatorConfigModel model) {
        String value = model == null || model.getConfig() == null
                ? null
                : model.getConfig().get(RegistrationGuardFactory.HONEYPOT);
        return value == null || !"false".equalsIgnoreCase(value.strip());
    }

    @Override
    public void success(FormContext context) {
        // This action runs before the user exists; the new-device alert's first-login marker is set once the
        // form's user creation has run, in the same transaction.
        LoginGuard.accountRegistered(context.getSession(), context.getAuthenticationSession());
    }
}
