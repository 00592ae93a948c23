package dev.kcwarden.ratelimit;

import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import java.text.MessageFormat;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import org.jboss.logging.Logger;
import org.keycloak.authentication.AuthenticationFlowContext;
import org.keycloak.events.Details;
import org.keycloak.forms.login.LoginFormsProvider;

/**
 * What a refused attempt leaves behind: one error event that names the limit, and an HTTP 429
 * answer with a {@code Retry-After} that is long enough to pass the limit on retry.
 */
public final class ThrottledAttempt {

    /** The event error of every throttled attempt; the limit is in {@link #LIMIT_DETAIL}. */
    public static final String EVENT_ERROR = "warden_throttled";
    public static final String LIMIT_DETAIL = "warden_limit";
    public static final String RETRY_AFTER_DETAIL = "retry_after";

    public static final String LOGIN_MESSAGE = "wardenLoginThrottled";
    public static final String RESET_MESSAGE = "wardenResetThrottled";
    /**
     * Page attribute with the seconds of Retry-After, so the warden theme can count down next to the message
     * (a page cannot read its own response headers).
     */
    public static final String RETRY_AFTER_ATTRIBUTE = "wardenRetryAfter";

    private static final Logger LOG = Logger.getLogger(ThrottledAttempt.class);
    private static final int TOO_MANY_REQUESTS = 429;
    private static final Properties API_MESSAGES = loadApiMessages();

    private final AuthenticationFlowContext context;
    private final Decision.Denied denied;

    public ThrottledAttempt(AuthenticationFlowContext context, Decision.Denied denied) {
        this.context = context;
        this.denied = denied;
    }

    /**
     * Records the error event (LOGIN_ERROR, RESET_PASSWORD_ERROR: whatever this flow emits) for the first refusal
     * of a block; later ones go into the block's summary ({@link ThrottleEventDigest}). Counts every refusal.
     */
    public ThrottledAttempt recordEvent(String typedName) {
        if (typedName != null && !typedName.isBlank()) {
            context.getEvent().detail(Details.USERNAME, typedName);
        }
        context.getEvent()
                .detail(LIMIT_DETAIL, denied.bucket().limit().kind().id())
                .detail(RETRY_AFTER_DETAIL, Long.toString(denied.retryAfterSeconds()));
        dev.kcwarden.metrics.WardenMetrics.throttled(context.getRealm(), denied.bucket().limit().kind().id());
        int interval = GuardConfig.eventInterval(context.getAuthenticatorConfig(), context.getRealm().getName());
        if (ThrottleEventDigest.of(context.getSession().getKeycloakSessionFactory())
                .emit(denied.bucket().key(), context.getEvent().getEvent().clone(), interval)) {
            context.getEvent().error(EVENT_ERROR);
        }
        LOG.debugf("realm %s: attempt refused by limit %s for %d s", context.getRealm().getName(),
                denied.bucket().limit().kind().id(), denied.retryAfterSeconds());
        return this;
    }

    /** Minutes to show a person, rounded up: "try again in 1 minute" rather than "in 0". */
    public int minutes() {
        return minutes(denied.retryAfterSeconds());
    }

    public static int minutes(long retryAfterSeconds) {
        return (int) ((retryAfterSeconds + 59) / 60);
    }

    /** The form that will render the refusal, told how long the wait is (for the theme's countdown). */
    public LoginFormsProvider onPage(LoginFormsProvider form) {
        return form.setAttribute(RETRY_AFTER_ATTRIBUTE, denied.retryAfterSeconds());
    }

    /** A login or reset page, sent again with status 429 and Retry-After. */
    public Response page(Response rendered) {
        return Response.fromResponse(rendered)
                .status(TOO_MANY_REQUESTS)
                .header("Retry-After", denied.retryAfterSeconds())
                .build();
    }

    /** The token endpoint's answer: an OAuth-style JSON error with status 429 and Retry-After. */
    public Response oauthError(String messageKey) {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("error", "too_many_requests");
        body.put("error_description", text(messageKey, minutes()));
        return Response.status(TOO_MANY_REQUESTS)
                .type(MediaType.APPLICATION_JSON_TYPE)
                .header("Retry-After", denied.retryAfterSeconds())
                .header("Cache-Control", "no-store")
                .entity(body)
                .build();
    }

    /**
     * The token endpoint's description, for the developer reading the response: English from warden's own
     * message bundle, read once. (Pages go through the realm's theme, with its locales and overrides; an API
     * error, like Keycloak's own "Invalid user credentials", does not.)
     */
    static String text(String key, Object... parameters) {
        String pattern = API_MESSAGES.getProperty(key, "Too many attempts. Try again later.");
        return new MessageFormat(pattern, Locale.ENGLISH).format(parameters);
    }

    private static Properties loadApiMessages() {
        Properties messages = new Properties();
        try (var in = ThrottledAttempt.class.getResourceAsStream("/theme-resources/messages/messages_en.properties")) {
            if (in != null) {
                messages.load(new java.io.InputStreamReader(in, java.nio.charset.StandardCharsets.UTF_8));
            }
        } catch (java.io.IOException e) {
            LOG.warnf("warden's English messages could not be read: %s", e.getMessage());
        }
        return messages;
    }
}
