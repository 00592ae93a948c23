package dev.kcwarden.metrics;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Metrics;
import java.util.Arrays;
import java.util.function.ToDoubleFunction;
import org.keycloak.models.RealmModel;

/**
 * warden's counters, in the Micrometer registry Keycloak publishes on its management endpoint
 * ({@code --metrics-enabled=true}, {@code /metrics}). Every label takes a value from a short fixed set (event types,
 * error codes, limit and rule names, realm names): never a username, an IP or an id.
 *
 * <p>What happens in one realm carries {@code realm}, the realm's NAME, as Keycloak's own
 * {@code keycloak_user_events_total{realm}} does (it labels with {@code Event#getRealmName()}), so one dashboard or
 * alert rule can join or compare both. Realm names are created by admins, so the set stays small. What the server does
 * for all realms at once (audit lines, webhook deliveries, the webhook queue) has no realm: one audit chain and one
 * webhook queue serve every realm.
 */
public final class WardenMetrics {

    /** The label every realm-scoped counter carries. */
    static final String REALM = "realm";

    private WardenMetrics() {}

    /**
     * Every user event: {@code warden_auth_events_total{realm,type,outcome,error}}.
     *
     * @param realmName the event's realm name ({@code Event#getRealmName()}); {@code null} counts as {@code ""}, as in
     *     Keycloak's own event metrics
     */
    public static void authEvent(String realmName, String type, String error) {
        countInRealm(
                "warden.auth.events",
                "Keycloak user events seen by warden-audit",
                realmName,
                "type",
                type,
                "outcome",
                error == null ? "success" : "error",
                "error",
                error == null ? "none" : error);
    }

    /**
     * {@code warden_throttle_rejections_total{realm,limit}}: attempts refused by the login, reset or sign-up guard of
     * that realm.
     */
    public static void throttled(RealmModel realm, String limit) {
        countInRealm("warden.throttle.rejections", "Attempts refused by a warden limit", name(realm), "limit", limit);
    }

    /**
     * {@code warden_would_throttle_total{realm,limit}}: attempts a limit in monitor mode would have refused; they went
     * on to Keycloak's own check.
     */
    public static void wouldThrottle(RealmModel realm, String limit) {
        countInRealm(
                "warden.would.throttle",
                "Attempts a warden limit in monitor mode would have refused",
                name(realm),
                "limit",
                limit);
    }

    /**
     * {@code warden_signup_would_reject_total{realm,rule}}: emails a warden rule in monitor mode would have refused;
     * they were accepted.
     */
    public static void signupWouldReject(RealmModel realm, String rule) {
        countInRealm(
                "warden.signup.would.reject",
                "Emails a warden rule in monitor mode would have refused",
                name(realm),
                "rule",
                rule);
    }

    /** {@code warden_signup_rejections_total{realm,rule}}: registrations and email changes refused by a warden rule. */
    public static void signupRejected(RealmModel realm, String rule) {
        countInRealm("warden.signup.rejections", "Sign-ups refused by a warden rule", name(realm), "rule", rule);
    }

    /**
     * {@code warden_breach_checks_total{realm,outcome}}: passed, common, breached, unavailable_open,
     * unavailable_closed. Per realm, because each realm's password policy names its own range service and fail mode.
     */
    public static void breachCheck(RealmModel realm, String outcome) {
        countInRealm("warden.breach.checks", "Breached-password checks by outcome", name(realm), "outcome", outcome);
    }

    /**
     * {@code warden_refresh_reuse_incidents_total{realm,scope}}: replayed refresh tokens answered by ending sessions.
     */
    public static void refreshReuse(RealmModel realm, String scope) {
        countInRealm(
                "warden.refresh.reuse.incidents",
                "Replayed refresh tokens that ended a session family",
                name(realm),
                "scope",
                scope);
    }

    /**
     * {@code warden_webhook_deliveries_total{result,queue}}: delivered, retried, dropped_queue_full,
     * dropped_after_retries; queue {@code main} (every audit line) or {@code throttle} (throttle events).
     */
    public static void webhook(String result, String queue) {
        count("warden.webhook.deliveries", "Webhook deliveries by result", "result", result, "queue", queue);
    }

    /** {@code warden_webhook_queue_depth{queue}}: lines waiting for the webhook in one of its queues. */
    public static <T> void webhookQueue(String queue, T sender, ToDoubleFunction<T> depth) {
        try {
            Gauge.builder("warden.webhook.queue.depth", sender, depth)
                    .description("Audit lines waiting for the webhook")
                    .tag("queue", queue)
                    .register(Metrics.globalRegistry);
        } catch (RuntimeException e) {
            // see count()
        }
    }

    /**
     * {@code warden_audit_lines_total}: lines written to the warden.audit category. Server-wide: every realm's lines go
     * into the one chain of this node.
     */
    public static void auditLine() {
        count("warden.audit.lines", "Audit lines written");
    }

    private static String name(RealmModel realm) {
        return realm == null ? null : realm.getName();
    }

    private static void countInRealm(String name, String description, String realmName, String... tags) {
        String[] all = Arrays.copyOf(tags, tags.length + 2);
        all[tags.length] = REALM;
        all[tags.length + 1] = realmName == null ? "" : realmName;
        count(name, description, all);
    }

    private static void count(String name, String description, String... tags) {
        try {
            Counter.builder(name)
                    .description(description)
                    .tags(tags)
                    .register(Metrics.globalRegistry)
                    .increment();
        } catch (RuntimeException e) {
            // metrics must never break a login; a registry problem shows on /metrics, not here
        }
    }
}
