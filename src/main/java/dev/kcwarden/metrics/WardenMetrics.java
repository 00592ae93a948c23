package dev.kcwarden.metrics;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Metrics;

/**
 * warden's counters, in the Micrometer registry Keycloak publishes on its management endpoint
 * ({@code --metrics-enabled=true}, {@code /metrics}). Every label takes a value from a short fixed set
 * (event types, error codes, limit and rule names): never a username, an IP or an id.
 */
public final class WardenMetrics {

    private WardenMetrics() {
    }

    /** Every user event: {@code warden_auth_events_total{type,outcome,error}}. */
    public static void authEvent(String type, String error) {
        count("warden.auth.events", "Keycloak user events seen by warden-audit",
                "type", type, "outcome", error == null ? "success" : "error", "error", error == null ? "none" : error);
    }

    /** {@code warden_throttle_rejections_total{limit}}: attempts refused by the login, reset or sign-up guard. */
    public static void throttled(String limit) {
        count("warden.throttle.rejections", "Attempts refused by a warden limit", "limit", limit);
    }

    /** {@code warden_signup_rejections_total{rule}}: registrations refused by a warden rule. */
    public static void signupRejected(String rule) {
        count("warden.signup.rejections", "Sign-ups refused by a warden rule", "rule", rule);
    }

    /** {@code warden_breach_checks_total{outcome}}: passed, common, breached, unavailable_open, unavailable_closed. */
    public static void breachCheck(String outcome) {
        count("warden.breach.checks", "Breached-password checks by outcome", "outcome", outcome);
    }

    /** {@code warden_refresh_reuse_incidents_total{scope}}: replayed refresh tokens answered by ending sessions. */
    public static void refreshReuse(String scope) {
        count("warden.refresh.reuse.incidents", "Replayed refresh tokens that ended a session family", "scope", scope);
    }

    /**
     * {@code warden_webhook_deliveries_total{result,queue}}: delivered, retried, dropped_queue_full,
     * dropped_after_retries; queue {@code main} (every audit line) or {@code throttle} (throttle events).
     */
    public static void webhook(String result, String queue) {
        count("warden.webhook.deliveries", "Webhook deliveries by result", "result", result, "queue", queue);
    }

    /** {@code warden_webhook_queue_depth{queue}}: lines waiting for the webhook in one of its queues. */
    public static <T> void webhookQueue(String queue, T sender, java.util.function.ToDoubleFunction<T> depth) {
        try {
            io.micrometer.core.instrument.Gauge.builder("warden.webhook.queue.depth", sender, depth)
                    .description("Audit lines waiting for the webhook").tag("queue", queue).register(Metrics.globalRegistry);
        } catch (RuntimeException e) {
            // see count()
        }
    }

    /** {@code warden_audit_lines_total}: lines written to the warden.audit category. */
    public static void auditLine() {
        count("warden.audit.lines", "Audit lines written");
    }

    private static void count(String name, String description, String... tags) {
        try {
            Counter.builder(name).description(description).tags(tags).register(Metrics.globalRegistry).increment();
        } catch (RuntimeException e) {
            // metrics must never break a login; a registry problem shows on /metrics, not here
        }
    }
}
