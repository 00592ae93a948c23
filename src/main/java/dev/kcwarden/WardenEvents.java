package dev.kcwarden;

import java.util.Set;

/**
 * The names warden writes into Keycloak's events: event errors and details. Stored events, audit lines, the webhook,
 * alert rules and dashboards all match on them, so each is written here once and never changes after a release.
 * {@link #DETAILS} is what the audit log's allow-list takes from warden.
 */
public final class WardenEvents {

    /** Error of an attempt a limit refused (LOGIN_ERROR, RESET_PASSWORD_ERROR, REGISTER_ERROR). */
    public static final String THROTTLED = "warden_throttled";
    /** Error of a sign-up the registration guard refused for another reason than a limit (the honeypot). */
    public static final String SIGNUP_REJECTED = "warden_signup_rejected";
    /** Error of the LOGOUT_ERROR event that records a refresh-token replay and the sessions it ended. */
    public static final String REFRESH_TOKEN_REUSE = "warden_refresh_token_reuse";

    /** The id of the limit that refused the attempt ({@code ip}, {@code user_ip}, ...). */
    public static final String LIMIT = "warden_limit";
    /** Seconds until the limit lets the next attempt through. */
    public static final String RETRY_AFTER = "retry_after";
    /** Why the registration guard refused a sign-up: {@code throttled} or {@code honeypot}. */
    public static final String REASON = "warden_reason";
    /** Outcome of the breached-password check on REGISTER and REGISTER_ERROR. */
    public static final String BREACH_CHECK = "warden_breach_check";
    /** A throttle summary: refusals of one block not written as events of their own. */
    public static final String SUPPRESSED = "warden_suppressed";
    /** A throttle summary: distinct usernames and addresses among the suppressed refusals. */
    public static final String DISTINCT_USERNAMES = "warden_distinct_usernames";

    public static final String DISTINCT_IPS = "warden_distinct_ips";
    /** A refresh-token replay: Keycloak's own reason, the scope acted on, and what was ended. */
    public static final String KEYCLOAK_REASON = "keycloak_reason";

    public static final String SCOPE = "warden_scope";
    public static final String SESSIONS_ENDED = "warden_sessions_ended";
    public static final String OFFLINE_SESSIONS_ENDED = "warden_offline_sessions_ended";
    /** An admin's clear of the throttle counters: the address given and the limits that held something. */
    public static final String IP = "warden_ip";

    public static final String CLEARED = "warden_cleared";
    /** On LOGIN: {@code true} when the browser or address was new to the account (the new-device alert). */
    public static final String NEW_DEVICE = "warden_new_device";

    /** Every detail warden writes; none carries a credential. */
    public static final Set<String> DETAILS = Set.of(
            LIMIT,
            RETRY_AFTER,
            REASON,
            BREACH_CHECK,
            SUPPRESSED,
            DISTINCT_USERNAMES,
            DISTINCT_IPS,
            KEYCLOAK_REASON,
            SCOPE,
            SESSIONS_ENDED,
            OFFLINE_SESSIONS_ENDED,
            IP,
            CLEARED,
            NEW_DEVICE);

    private WardenEvents() {}
}
