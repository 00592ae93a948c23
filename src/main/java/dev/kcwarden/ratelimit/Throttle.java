package dev.kcwarden.ratelimit;

import java.util.ArrayList;
import java.util.List;
import java.util.OptionalLong;
import java.util.function.LongSupplier;

/**
 * The limiter core: a sliding log of at most {@code max} slots per bucket.
 *
 * <p>An attempt claims one free slot in every bucket before the password is checked (the
 * store's atomic create is the only way to take a slot, so concurrent attempts can never hold
 * more than {@code max} slots between them). Each slot lives for the bucket's window. A failed
 * attempt simply keeps its slots; a successful one gives them back. When a bucket has no free
 * slot the attempt is denied until the oldest slot expires, and a block marker with that
 * expiry makes every further denial a single lookup.
 */
public final class Throttle {

    private final SlotStore store;
    private final LongSupplier clockMillis;

    public Throttle(SlotStore store, LongSupplier clockMillis) {
        this.store = store;
        this.clockMillis = clockMillis;
    }

    /** Claims one slot in each enabled bucket, all or nothing. */
    public Decision acquire(List<Bucket> buckets) {
        long now = clockMillis.getAsLong();
        for (Bucket bucket : buckets) {
            if (bucket.limit().enabled()) {
                OptionalLong blockedUntil = store.expiry(bucket.blockMarker());
                if (blockedUntil.isPresent() && blockedUntil.getAsLong() > now) {
                    return new Decision.Denied(bucket, secondsUntil(blockedUntil.getAsLong(), now));
                }
            }
        }
        List<Decision.Held> held = new ArrayList<>(buckets.size());
        for (Bucket bucket : buckets) {
            if (!bucket.limit().enabled()) {
                continue;
            }
            String slot = claimFreeSlot(bucket);
            if (slot == null) {
                held.forEach(h -> store.delete(h.slotKey()));
                return deny(bucket, now);
            }
            held.add(new Decision.Held(bucket, slot));
        }
        // Stamps only once every claim succeeded: a store may write stamps when the request
        // commits, and a stamp must not bring back a slot that was handed back above.
        for (Decision.Held h : held) {
            int window = h.bucket().limit().windowSeconds();
            store.stamp(h.slotKey(), window, now + window * 1000L);
        }
        return new Decision.Allowed(held);
    }

    /**
     * The attempt was not a failure (the password was right): it stops counting. On the server
     * this runs after the request's transaction, so the slots' stamps are written before.
     */
    public void release(Decision.Allowed allowed) {
        allowed.held().forEach(h -> store.delete(h.slotKey()));
    }

    /** Forgets every counted attempt and the block of {@code bucket}. */
    public void reset(Bucket bucket) {
        for (int i = 0; i < bucket.limit().max(); i++) {
            store.delete(bucket.slot(i));
        }
        store.delete(bucket.blockMarker());
    }

    /** What an admin sees for one bucket. */
    public record Usage(Bucket bucket, int counted, long retryAfterSeconds) {
        public boolean blocked() {
            return retryAfterSeconds > 0;
        }
    }

    public Usage usage(Bucket bucket) {
        long now = clockMillis.getAsLong();
        int counted = 0;
        for (int i = 0; i < bucket.limit().max(); i++) {
            if (store.exists(bucket.slot(i))) {
                counted++;
            }
        }
        OptionalLong blockedUntil = store.expiry(bucket.blockMarker());
        long retryAfter = blockedUntil.isPresent() && blockedUntil.getAsLong() > now
                ? secondsUntil(blockedUntil.getAsLong(), now) : 0;
        return new Usage(bucket, counted, retryAfter);
    }

    private String claimFreeSlot(Bucket bucket) {
        int window = bucket.limit().windowSeconds();
        for (int i = 0; i < bucket.limit().max(); i++) {
            String slot = bucket.slot(i);
            if (store.claim(slot, window)) {
                return slot;
            }
        }
        return null;
    }

    private Decision.Denied deny(Bucket bucket, long now) {
        // The bucket is full: it frees up when its oldest slot expires. A slot whose stamp has
        // not landed yet (its attempt is still running) counts as a full window from now.
        // A slot without a stamp belongs to an attempt still running: it may succeed and free its slot in a
        // moment, so such a denial says "retry in 1 s" and sets no block (parallel correct logins must not
        // lock a user out for a whole window).
        long window = bucket.limit().windowSeconds() * 1000L;
        long freeAt = Long.MAX_VALUE;
        boolean inFlight = false;
        for (int i = 0; i < bucket.limit().max(); i++) {
            OptionalLong expiry = store.expiry(bucket.slot(i));
            if (expiry.isEmpty()) {
                inFlight = true;
            } else {
                freeAt = Math.min(freeAt, Math.min(expiry.getAsLong(), now + window));
            }
        }
        if (inFlight) {
            return new Decision.Denied(bucket, 1);
        }
        long retryAfter = secondsUntil(freeAt, now);
        store.stamp(bucket.blockMarker(), (int) retryAfter, now + retryAfter * 1000L);
        return new Decision.Denied(bucket, retryAfter);
    }

    /** Whole seconds, rounded up and at least 1, so a client that waits that long is past the instant. */
    private static long secondsUntil(long instantMillis, long now) {
        return Math.max(1, (instantMillis - now + 999) / 1000);
    }
}
