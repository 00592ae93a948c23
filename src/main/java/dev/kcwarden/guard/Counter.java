package dev.kcwarden.guard;

/**
 * One counter: a limit applied to one key (an address, a username and address, an account). {@code key} is already
 * hashed and realm-scoped, see {@link CounterKeys}. A {@code tracked} counter has a key an outsider can make up (an
 * address, a network, a name no account has): it needs a ticket of the realm's budget to be created, and goes uncounted
 * while the budget is spent. A counter of a real account is never tracked.
 */
public record Counter(Limit limit, String key, boolean tracked) {

    public Counter(Limit limit, String key) {
        this(limit, key, false);
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
