package dev.kcwarden.guard;

/**
 * The counters warden keeps. The id is what events, the admin API and the docs call a limit; it never changes once
 * released, because alert rules and dashboards match on it.
 */
public enum LimitKind {
    /** Failed logins from one client address, whatever the username (credential stuffing). */
    IP("ip"),
    /** Failed logins from one IPv6 /56, whatever the username (a client that rotates through its /64s). */
    IP6_56("ip6_56"),
    /** Failed logins from one IPv6 /48, whatever the username (a tunnel broker's whole allocation). */
    IP6_48("ip6_48"),
    /** Failed logins for one username from one client address (targeted guessing). */
    USER_IP("user_ip"),
    /** Failed logins for one account from anywhere (slow distributed guessing). */
    ACCOUNT("account"),
    /** Password-reset requests from one client address (email bombing). */
    RESET_IP("reset_ip"),
    /** Password-reset requests for one account (email bombing of one victim). */
    RESET_ACCOUNT("reset_account"),
    /** Submitted registration forms from one client address (bots creating accounts). */
    SIGNUP_IP("signup_ip"),
    /**
     * Not a limit on attempts: how many counters for made-up keys (addresses, names no account has) one realm may
     * create within the window, so a spray cannot grow memory without bound.
     */
    TRACKED_KEYS("tracked_keys");

    private final String id;

    LimitKind(String id) {
        this.id = id;
    }

    public String id() {
        return id;
    }
}
