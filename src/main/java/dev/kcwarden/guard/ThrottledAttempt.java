package dev.kcwarden.guard;

import dev.kcwarden.WardenEvents;
import dev.kcwarden.WardenMessages;
import dev.kcwarden.metrics.WardenMetrics;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.text.MessageFormat;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import org.jboss.logging.Logger;
import org.keycloak.authentication.AuthenticationFlowContext;
import org.keycloak.authentication.FormContext;
import org.keycloak.events.Details;
import org.keycloak.events.EventBuilder;
import org.keycloak.forms.login.LoginFormsProvider;
import org.keycloak.models.AuthenticatorConfigModel;
import org.keycloak.models.KeycloakSession;
import org.keycloak.models.RealmModel;
import org.keycloak.models.UserModel;

/**
 * What a refused attempt leaves behind, the same on every guarded path: the event details that name the limit, the
 * throttle metric, and an HTTP 429 answer with a {@code Retry-After} that is long enough to pass the limit on retry (a
 * page, the token endpoint's JSON error, or the registration form's answer).
 */
public final class ThrottledAttempt {

    private static final String RETRY_AFTER = "Retry-After";
    private static final Logger LOG = Logger.getLogger(ThrottledAttempt.class);
    private static final int TOO_MANY_REQUESTS = 429;
    private static final Properties API_MESSAGES = loadApiMessages();

    private final KeycloakSession session;
    private final RealmModel realm;
    private final EventBuilder event;
    private final AuthenticatorConfigModel config;
    private final Decision.Denied denied;

    private ThrottledAttempt(
            KeycloakSession session,
            RealmModel realm,
            EventBuilder event,
            AuthenticatorConfigModel config,
            Decision.Denied denied) {
        this.session = session;
        this.realm = realm;
        this.event = event;
        this.config = config;
        this.denied = denied;
    }

    /** A refusal in an authenticator (login pages, token endpoint, reset form). */
    public static ThrottledAttempt of(AuthenticationFlowContext context, Decision.Denied denied) {
        return new ThrottledAttempt(
                context.getSession(), context.getRealm(), context.getEvent(), context.getAuthenticatorConfig(), denied);
    }

    /** A refusal in a form action (the registration form). */
    public static ThrottledAttempt of(FormContext context, Decision.Denied denied) {
        return new ThrottledAttempt(
                context.getSession(), context.getRealm(), context.getEvent(), context.getAuthenticatorConfig(), denied);
    }

    /**
     * Records the error event (LOGIN_ERROR, RESET_PASSWORD_ERROR: whatever this flow emits) for the first refusal of a
     * block; later ones go into the block's summary ({@link ThrottledEventDigest}). Counts every refusal.
     */
    public ThrottledAttempt recordEvent(String typedName) {
        describe(typedName);
        int interval = GuardConfig.eventInterval(config, realm.getName());
        if (ThrottledEventDigest.of(session.getKeycloakSessionFactory())
                .emit(denied.counter().key(), event.getEvent().clone(), interval)) {
            event.error(WardenEvents.THROTTLED);
        }
        return this;
    }

    /**
     * As {@link #recordEvent(String)} for a step that knows the account (the code forms): the event names the user, so
     * the refusal is found by user like every other event of the account.
     */
    public ThrottledAttempt recordEvent(UserModel user) {
        event.user(user);
        return recordEvent(user.getUsername());
    }

    /**
     * Names the limit in the event and counts the refusal, for a form action: Keycloak's form flow sends the event
     * itself for every refused form, with the error the action gives it.
     */
    public ThrottledAttempt describe(String typedName) {
        if (typedName != null && !typedName.isBlank()) {
            event.detail(Details.USERNAME, typedName);
        }
        event.detail(WardenEvents.LIMIT, denied.limitId())
                .detail(WardenEvents.RETRY_AFTER, Long.toString(denied.retryAfterSeconds()));
        WardenMetrics.throttled(realm, denied.limitId());
        LOG.debugf(
                "realm %s: attempt refused by limit %s for %d s",
                realm.getName(), denied.limitId(), denied.retryAfterSeconds());
        return this;
    }

    /**
     * Monitor mode: names the limit that would have refused in the request's event (Keycloak's own check then sends it,
     * with its own outcome) and counts it; nothing is answered here.
     */
    public void wouldThrottle() {
        event.detail(WardenEvents.WOULD_THROTTLE, denied.limitId());
        WardenMetrics.wouldThrottle(realm, denied.limitId());
        LOG.debugf(
                "realm %s: limit %s in monitor mode would have refused an attempt", realm.getName(), denied.limitId());
    }

    /** Minutes to show a person, rounded up: "try again in 1 minute" rather than "in 0". */
    public int minutes() {
        return (int) ((denied.retryAfterSeconds() + 59) / 60);
    }

    /** The form that will render the refusal, told how long the wait is (for the theme's countdown). */
    public LoginFormsProvider onPage(LoginFormsProvider form) {
        return form.setAttribute(WardenMessages.RETRY_AFTER_ATTRIBUTE, denied.retryAfterSeconds());
    }

    /** A login or reset page, sent again with status 429 and Retry-After. */
    public Response page(Response rendered) {
        return Response.fromResponse(rendered)
                .status(TOO_MANY_REQUESTS)
                .header(RETRY_AFTER, denied.retryAfterSeconds())
                .build();
    }

    /**
     * For a form action, whose page Keycloak renders after the action returns: that page is answered with status 429
     * and Retry-After, and tells the theme how long the wait is.
     */
    public void onFormAnswer() {
        onPage(session.getProvider(LoginFormsProvider.class)).setStatus(Response.Status.TOO_MANY_REQUESTS);
        session.getContext().getHttpResponse().setHeader(RETRY_AFTER, Long.toString(denied.retryAfterSeconds()));
    }

    /** The token endpoint's answer: an OAuth-style JSON error with status 429 and Retry-After. */
    public Response oauthError(String messageKey) {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("error", "too_many_requests");
        body.put("error_description", text(messageKey, minutes()));
        return Response.status(TOO_MANY_REQUESTS)
                .type(MediaType.APPLICATION_JSON_TYPE)
                .header(RETRY_AFTER, denied.retryAfterSeconds())
                .header("Cache-Control", "no-store")
                .entity(body)
                .build();
    }

    /**
     * The token endpoint's description, for the developer reading the response: English from warden's own message
     * bundle, read once. (Pages go through the realm's theme, with its locales and overrides; an API error, like
     * Keycloak's own "Invalid user credentials", does not.)
     */
    static String text(String key, Object... parameters) {
        String pattern = API_MESSAGES.getProperty(key, "Too many attempts. Try again later.");
        return new MessageFormat(pattern, Locale.ENGLISH).format(parameters);
    }

    private static Properties loadApiMessages() {
        Properties messages = new Properties();
        try (var in = ThrottledAttempt.class.getResourceAsStream("/theme-resources/messages/messages_en.properties")) {
            if (in != null) {
                messages.load(new InputStreamReader(in, StandardCharsets.UTF_8));
            }
        } catch (IOException e) {
            LOG.warnf("warden's English messages could not be read: %s", e.getMessage());
        }
        return messages;
    }
}
