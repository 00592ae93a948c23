package dev.kcwarden.audit;

import dev.kcwarden.AfterCompletion;
import dev.kcwarden.WardenEvents;
import dev.kcwarden.metrics.WardenMetrics;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.function.Supplier;
import java.util.stream.Stream;
import org.jboss.logging.Logger;
import org.keycloak.events.Event;
import org.keycloak.events.EventListenerProvider;
import org.keycloak.events.EventType;
import org.keycloak.events.admin.AdminEvent;
import org.keycloak.events.admin.AuthDetails;
import org.keycloak.models.KeycloakSession;
import org.keycloak.models.RealmModel;

/** Maps Keycloak's events to audit lines; never throws into the request that caused the event. */
final class AuditListener implements EventListenerProvider {

    private static final Logger LOG = Logger.getLogger(AuditListener.class);

    private final KeycloakSession session;
    private final AuditWriter writer;
    private final WebhookSender webhook;
    private final AuditSettings.EventSelection events;

    AuditListener(
            KeycloakSession session, AuditWriter writer, WebhookSender webhook, AuditSettings.EventSelection events) {
        this.session = session;
        this.writer = writer;
        this.webhook = webhook;
        this.events = events;
    }

    /**
     * The successful calls an app makes many times a session, which get no line with {@code events=standard} unless the
     * realm saves their type. A fixed list on purpose: a realm admin's list of saved types (manage-events) can add
     * lines to the audit log, never take any away.
     */
    static final Set<EventType> TOKEN_CALLS = EnumSet.of(
            EventType.REFRESH_TOKEN,
            EventType.INTROSPECT_TOKEN,
            EventType.USER_INFO_REQUEST,
            EventType.VALIDATE_ACCESS_TOKEN);

    /**
     * Whether this event gets a line: always with {@code all}; else every event but a successful token call
     * ({@link #TOKEN_CALLS}) without a warden detail, unless the realm lists that type among its saved ones.
     */
    static boolean audited(AuditSettings.EventSelection events, Event event, Supplier<Stream<String>> savedTypes) {
        if (events == AuditSettings.EventSelection.ALL
                || event.getError() != null
                || event.getType() == null
                || !TOKEN_CALLS.contains(event.getType())) {
            return true;
        }
        Map<String, String> details = event.getDetails();
        if (details != null) {
            for (String key : details.keySet()) {
                if (WardenEvents.DETAILS.contains(key)) {
                    return true;
                }
            }
        }
        if (savedTypes == null) {
            return true; // no realm to ask: rather a line too many
        }
        String type = event.getType().name();
        return savedTypes.get().anyMatch(type::equals);
    }

    /**
     * Hands the line to the webhook once the event's transaction has committed (never on rollback); a throttled
     * attempt's line goes to the throttle queue, so a flood never costs another event its place.
     */
    private void deliverAfterCommit(String line, WebhookSender.Kind kind) {
        if (webhook == null || line == null) {
            return;
        }
        AfterCompletion.onCommit(session, () -> webhook.offer(line, kind));
    }

    /**
     * Throttle lines wait apart; other failures share half of the main queue, successes with them three quarters;
     * warden's reuse incident takes the reserved room, as admin events do.
     */
    static WebhookSender.Kind kindOf(Event event) {
        String error = event.getError();
        if (error == null) {
            return WebhookSender.Kind.NORMAL;
        }
        if (WardenEvents.REFRESH_TOKEN_REUSE.equals(error)) {
            return WebhookSender.Kind.RESERVED;
        }
        return WardenEvents.THROTTLED.equals(error) ? WebhookSender.Kind.THROTTLE : WebhookSender.Kind.ERROR;
    }

    @Override
    public void onEvent(Event event) {
        try {
            WardenMetrics.authEvent(
                    event.getRealmName(),
                    event.getType() == null ? "unknown" : event.getType().name(),
                    event.getError());
            RealmModel realm =
                    event.getRealmId() == null ? null : session.realms().getRealm(event.getRealmId());
            if (!audited(events, event, realm == null ? null : realm::getEnabledEventTypesStream)) {
                return;
            }
            Map<String, Object> line = new LinkedHashMap<>();
            line.put("time", event.getTime());
            line.put("kind", "user");
            line.put("realm", realm == null ? event.getRealmId() : realm.getName());
            line.put("type", event.getType() == null ? null : event.getType().name());
            line.put("outcome", event.getError() == null ? "success" : "error");
            line.put("error", event.getError());
            line.put("client", event.getClientId());
            line.put("userId", event.getUserId());
            putUsernameAndDetails(line, event.getRealmId(), event.getDetails());
            line.put("ip", event.getIpAddress());
            line.put("session", event.getSessionId());
            deliverAfterCommit(writer.write(line), kindOf(event));
        } catch (RuntimeException e) {
            LOG.errorf(
                    "warden-audit: event %s of realm %s not written: %s",
                    event.getType(), event.getRealmId(), e.getClass().getSimpleName());
        }
    }

    @Override
    public void onEvent(AdminEvent event, boolean includeRepresentation) {
        try {
            Map<String, Object> line = new LinkedHashMap<>();
            line.put("time", event.getTime());
            line.put("kind", "admin");
            line.put("realm", realmName(event.getRealmId()));
            line.put(
                    "type",
                    event.getOperationType() == null
                            ? null
                            : "ADMIN_" + event.getOperationType().name());
            line.put("outcome", event.getError() == null ? "success" : "error");
            line.put("error", event.getError());
            line.put(
                    "operation",
                    event.getOperationType() == null
                            ? null
                            : event.getOperationType().name());
            line.put("resourceType", event.getResourceTypeAsString());
            line.put("resourcePath", event.getResourcePath());
            // warden's own clears name the account and address acted on
            putUsernameAndDetails(line, event.getRealmId(), event.getDetails());
            AuthDetails auth = event.getAuthDetails();
            if (auth != null) {
                Map<String, Object> admin = new LinkedHashMap<>();
                admin.put("realm", realmName(auth.getRealmId()));
                admin.put("client", auth.getClientId());
                admin.put("userId", auth.getUserId());
                line.put("admin", admin);
                line.put("ip", auth.getIpAddress());
            }
            if (includeRepresentation) {
                line.put("representation", Redaction.representation(event.getRepresentation()));
            }
            deliverAfterCommit(writer.write(line), WebhookSender.Kind.RESERVED);
        } catch (RuntimeException e) {
            LOG.errorf(
                    "warden-audit: admin event %s of realm %s not written: %s",
                    event.getOperationType(), event.getRealmId(), e.getClass().getSimpleName());
        }
    }

    /** The username as the {@code username} option says, and the other details through the allow-list. */
    private void putUsernameAndDetails(Map<String, Object> line, String realmId, Map<String, String> details) {
        line.put("username", writer.username(realmId, details == null ? null : details.get("username")));
        Map<String, String> kept = Redaction.details(details);
        line.put("details", kept.isEmpty() ? null : kept);
    }

    private String realmName(String realmId) {
        if (realmId == null) {
            return null;
        }
        RealmModel realm = session.realms().getRealm(realmId);
        return realm == null ? realmId : realm.getName();
    }

    @Override
    public void close() {
        // holds nothing
    }
}
