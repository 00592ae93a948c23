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

    /** Error of a login attempt past the step-up threshold whose proof-of-work was missing, wrong or reused. */
    public static final String POW_REFUSED = "warden_pow_refused";

    /** The id of the limit that refused the attempt ({@code ip}, {@code user_ip}, ...). */
    public static final String LIMIT = "warden_limit";
    /**
     * Monitor mode: the id of the limit that would have refused the attempt under {@code enforce}; nothing was refused.
     */
    public static final String WOULD_THROTTLE = "warden_would_throttle";
    /** Monitor mode: the email-domain rule that would have refused the address; the address was accepted. */
    public static final String WOULD_REJECT = "warden_would_reject";
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
    /**
     * Why a step-up puzzle was refused: {@code missing}, {@code malformed}, {@code wrong}, {@code reused} (no longer
     * the session's puzzle) or {@code too_easy} (issued at fewer bits than the attempt now needs).
     */
    public static final String POW = "warden_pow";
    /** The puzzle's difficulty that the attempt had to meet, in leading zero bits. */
    public static final String POW_BITS = "warden_pow_bits";
    /** On LOGIN: {@code true} when the browser or address was new to the account (the new-device alert). */
    public static final String NEW_DEVICE = "warden_new_device";

    /** Every detail warden writes; none carries a credential. */
    public static final Set<String> DETAILS = Set.of(
            LIMIT,
            WOULD_THROTTLE,
            WOULD_REJECT,
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
            POW,
            POW_BITS,
            NEW_DEVICE);

    private WardenEvents() {}
}
