package dev.kcwarden.ratelimit;

/**
 * The counters warden keeps. The id is what events, the admin API and the docs call a limit;
 * it never changes once released, because alert rules and dashboards match on it.
 */
public enum LimitKind {
    /** Failed logins from one client address, whatever the username (credential stuffing). */
    IP("ip"),
    /** Failed logins for one username from one client address (targeted guessing). */
    USER_IP("user_ip"),
    /** Failed logins for one account from anywhere (slow distributed guessing). */
    ACCOUNT("account"),
    /** Password-reset requests from one client address (email bombing). */
    RESET_IP("reset_ip"),
    /** Password-reset requests for one account (email bombing of one victim). */
    RESET_ACCOUNT("reset_account"),
    /** Submitted registration forms from one client address (bots creating accounts). */
    SIGNUP_IP("signup_ip");

    private final String id;

    LimitKind(String id) {
        this.id = id;
    }

    public String id() {
        return id;
    }
}
