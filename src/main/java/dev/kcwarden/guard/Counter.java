package dev.kcwarden.guard;

import java.util.Objects;

/**
 * One counter: a limit applied to one key (an address, a username and address, an account). {@code key} is already
 * hashed and realm-scoped, see {@link CounterKeys}. A {@code tracked} counter has a key an outsider can make up (an
 * address, a network, a name no account has): it needs a ticket of the realm's budget to be created, and goes uncounted
 * while the budget is spent. A counter of a real account is never tracked.
 *
 * <p>A value like a record (equal by limit, key and tracked), but it keeps its block marker's key and its last refusal
 * once made, so a counter read again (the early check and the count of one request) allocates nothing more. Both are
 * immutable and derived from the counter alone, so a racy first write is harmless.
 */
public final class Counter {

    private final Limit limit;
    private final String key;
    private final boolean tracked;
    private String blockMarker;
    private Decision.Denied lastDenied;

    public Counter(Limit limit, String key, boolean tracked) {
        this.limit = limit;
        this.key = key;
        this.tracked = tracked;
    }

    public Counter(Limit limit, String key) {
        this(limit, key, false);
    }

    public Limit limit() {
        return limit;
    }

    public String key() {
        return key;
    }

    public boolean tracked() {
        return tracked;
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
        String marker = blockMarker;
        if (marker == null) {
            marker = key + "#b";
            blockMarker = marker;
        }
        return marker;
    }

    /** A refusal by this counter; the same object as the last one when the wait is the same (it has no other state). */
    Decision.Denied denied(long retryAfterSeconds) {
        Decision.Denied denied = lastDenied;
        if (denied == null || denied.retryAfterSeconds() != retryAfterSeconds) {
            denied = new Decision.Denied(this, retryAfterSeconds);
            lastDenied = denied;
        }
        return denied;
    }

    @Override
    public boolean equals(Object other) {
        return other instanceof Counter that
                && tracked == that.tracked
                && limit.equals(that.limit)
                && key.equals(that.key);
    }

    @Override
    public int hashCode() {
        return Objects.hash(limit, key, tracked);
    }

    @Override
    public String toString() {
        return "Counter[limit=" + limit + ", key=" + key + ", tracked=" + tracked + "]";
    }
}
