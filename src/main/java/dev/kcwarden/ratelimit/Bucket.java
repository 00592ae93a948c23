package dev.kcwarden.ratelimit;

/**
 * One counter: a limit applied to one key (an address, a username and address, an account).
 * {@code key} is already hashed and realm-scoped, see {@link ThrottleKeys}. A bucket whose key an
 * outsider can make up (an address, a name no account has) carries the shared {@code overflowKey}
 * that counts it instead once the realm tracks as many keys as its budget allows; a bucket of a
 * real account has none.
 */
public record Bucket(Limit limit, String key, String overflowKey) {

    /**
     * What happens to a new counter of a made-up key once the realm's budget is spent: a name no account has
     * is counted in one shared counter (nobody can log in with it, so sharing locks nobody out); an address
     * or network is not counted per address until the budget frees up, since a shared address counter would
     * refuse every new client of the realm. Accounts keep their own counters either way.
     */
    static final String NOT_COUNTED = "";

    public Bucket(Limit limit, String key) {
        this(limit, key, null);
    }

    /** Whether an outsider can create this key at will, so it counts against the realm's budget. */
    boolean tracked() {
        return overflowKey != null;
    }

    /** Whether the attempt goes uncounted here (rather than shared) when the budget is spent. */
    boolean uncountedWhenSpent() {
        return NOT_COUNTED.equals(overflowKey);
    }

    /** The shared bucket that counts this one's attempts once the budget is spent. */
    Bucket overflow() {
        return new Bucket(limit, overflowKey, null);
    }

    String slot(int index) {
        return key + '#' + index;
    }

    /** When the slot's attempt stops counting: a key of its own, so writing it never re-creates a slot. */
    String stamp(int index) {
        return key + '#' + index + 't';
    }

    /** Where the next attempt should look for a free slot. */
    String hint() {
        return key + "#h";
    }

    String blockMarker() {
        return key + "#b";
    }
}
