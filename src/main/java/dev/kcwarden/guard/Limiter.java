package dev.kcwarden.guard;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.IntUnaryOperator;
import java.util.function.LongSupplier;

/**
 * The limiter core: a sliding log of at most {@code max} slots per counter.
 *
 * <p>An attempt claims one free slot in every counter before the password is checked (the store's atomic create is the
 * only way to take a slot, so concurrent attempts can never hold more than {@code max} slots between them). Each slot
 * lives for the counter's window. A failed attempt simply keeps its slots; a successful one gives them back.
 *
 * <p>Cost: the slots form a ring and a hint says where the last attempt stopped, so an attempt normally claims with one
 * create. Only the attempt that finds the ring full looks at every slot; it sets a block marker with the time the
 * oldest slot frees up, and while the block lasts every refusal is one lookup, whatever the limit.
 *
 * <p>Memory: a counter whose key an outsider can make up (an address, a name no account has) must get one ticket of the
 * realm's {@link Budget} before it is created. While the budget is spent, such a new counter is not counted at all, so
 * a spray of made-up names or IPv6 networks cannot make the store grow past the budget. Nothing is shared instead: a
 * shared counter would refuse every new client, and would answer a made-up name differently from a real account.
 */
public final class Limiter {

    /** Tickets tried at random before a budget counts as spent. */
    static final int BUDGET_PROBES = 3;

    /**
     * At most {@code max} tracked counters alive per realm (a ticket lives as long as its counter, at least
     * {@code windowSeconds}); {@code max == 0} means no bound. Tickets are probed at random, so new keys start going
     * uncounted before every ticket is taken: at a fill of f, a share f³ of them.
     */
    public record Budget(String key, int max, int windowSeconds) {}

    private final SlotStore store;
    private final LongSupplier clockMillis;
    private final IntUnaryOperator random;

    public Limiter(SlotStore store, LongSupplier clockMillis) {
        this(store, clockMillis, bound -> ThreadLocalRandom.current().nextInt(bound));
    }

    Limiter(SlotStore store, LongSupplier clockMillis, IntUnaryOperator random) {
        this.store = store;
        this.clockMillis = clockMillis;
        this.random = random;
    }

    /** Claims one slot in each enabled counter, all or nothing, without a budget. */
    public Decision acquire(List<Counter> counters) {
        return acquire(counters, null);
    }

    /**
     * Claims one slot in each enabled counter, all or nothing; new tracked counters need a ticket of {@code budget}.
     */
    public Decision acquire(List<Counter> counters, Budget budget) {
        return acquire(counters, budget, true);
    }

    /**
     * As {@link #acquire(List, Budget)}; with {@code markBlocks} false (monitor mode) a full counter places no block
     * marker, so a would-be refusal leaves nothing that refuses a later attempt of an enforcing execution beyond what
     * the counted attempts themselves hold.
     */
    public Decision acquire(List<Counter> counters, Budget budget, boolean markBlocks) {
        long now = clockMillis.getAsLong();
        Decision.Denied blocked = blocked(counters, now);
        if (blocked != null) {
            return blocked;
        }
        List<Decision.Held> held = new ArrayList<>(counters.size());
        for (Counter counter : counters) {
            if (!counter.limit().enabled()) {
                continue;
            }
            OptionalLong hint = store.read(counter.hint());
            if (hint.isEmpty()
                    && counter.tracked()
                    && !ticket(budget, counter.limit().windowSeconds())) {
                continue; // a made-up key while the budget is spent: not counted, and nothing stored
            }
            int start = hint.isPresent()
                    ? (int) Math.floorMod(
                            hint.getAsLong(), (long) counter.limit().max())
                    : 0;
            int index = claimFreeSlot(counter, start);
            if (index < 0) {
                held.forEach(this::giveBack);
                return deny(counter, start, now, markBlocks);
            }
            held.add(new Decision.Held(counter, index));
        }
        // Numbers only once every claim succeeded; a store may write them when the request commits.
        for (Decision.Held h : held) {
            int window = h.counter().limit().windowSeconds();
            store.write(h.counter().stamp(h.index()), window, now + window * 1000L);
            store.write(h.counter().hint(), window, h.index() + 1L);
        }
        return new Decision.Allowed(held);
    }

    /** The first counter whose block marker still holds, without claiming anything: one lookup per counter. */
    public Optional<Decision.Denied> blocked(List<Counter> counters) {
        return Optional.ofNullable(blocked(counters, clockMillis.getAsLong()));
    }

    /**
     * The refused path of a blocked client, so it allocates nothing: an indexed loop (no iterator), the store's read
     * without an OptionalLong, the counter's own marker key and refusal. Null when nothing blocks.
     */
    private Decision.Denied blocked(List<Counter> counters, long now) {
        for (int i = 0, n = counters.size(); i < n; i++) {
            Counter counter = counters.get(i);
            if (counter.limit().enabled()) {
                long blockedUntil = store.read(counter.blockMarker(), Long.MIN_VALUE);
                if (blockedUntil > now) {
                    return counter.denied(secondsUntil(blockedUntil, now));
                }
            }
        }
        return null;
    }

    /** How full the fullest counter is: {@code used} of {@code max} slots (0 of 0 when no counter is enabled). */
    public record Pressure(int used, int max) {
        public static final Pressure NONE = new Pressure(0, 0);

        public double ratio() {
            return max == 0 ? 0 : (double) used / max;
        }
    }

    /**
     * The highest used/limit ratio over {@code counters}, without claiming anything: a blocked counter counts as full.
     * Two lookups for a counter that holds nothing, one per slot for one that does (the ring is short: a limit's
     * {@code max}).
     */
    public Pressure peek(List<Counter> counters) {
        long now = clockMillis.getAsLong();
        Pressure highest = Pressure.NONE;
        for (Counter counter : counters) {
            if (!counter.limit().enabled()) {
                continue;
            }
            int max = counter.limit().max();
            int used;
            OptionalLong blockedUntil = store.read(counter.blockMarker());
            if (blockedUntil.isPresent() && blockedUntil.getAsLong() > now) {
                used = max;
            } else if (store.read(counter.hint()).isEmpty()) {
                used = 0; // the hint outlives every slot it counted (see reset)
            } else {
                used = 0;
                for (int i = 0; i < max; i++) {
                    if (store.exists(counter.slot(i))) {
                        used++;
                    }
                }
            }
            if (highest.max() == 0 || (long) used * highest.max() > (long) highest.used() * max) {
                highest = new Pressure(used, max);
            }
        }
        return highest;
    }

    /** Blocks {@code counter} for {@code seconds}, as a refusal of another key of the same account did. */
    public void block(Counter counter, long seconds) {
        if (counter.limit().enabled() && seconds > 0) {
            store.write(counter.blockMarker(), (int) seconds, clockMillis.getAsLong() + seconds * 1000L);
        }
    }

    /**
     * The attempt was not a failure (the password was right): it stops counting. On the server this runs after the
     * request's transaction, so the slots' stamps are written before.
     */
    public void release(Decision.Allowed allowed) {
        allowed.held().forEach(this::giveBack);
    }

    /** Forgets every counted attempt and the block of {@code counter}; two lookups when there is nothing to forget. */
    public void reset(Counter counter) {
        // The hint is written with the window's lifespan after every claim, so it outlives every slot
        // it counted: no hint and no block means no slot is left. (A slot whose request died before its
        // commit wrote no hint; it ends with its own window.)
        if (store.read(counter.hint()).isEmpty()
                && store.read(counter.blockMarker()).isEmpty()) {
            return;
        }
        for (int i = 0; i < counter.limit().max(); i++) {
            store.delete(counter.slot(i));
            store.delete(counter.stamp(i));
        }
        store.delete(counter.hint());
        store.delete(counter.blockMarker());
    }

    /** What an admin sees for one counter. */
    public record Usage(Counter counter, int counted, long retryAfterSeconds) {
        public boolean blocked() {
            return retryAfterSeconds > 0;
        }
    }

    /** Reads every slot: for the admin API, never on a login. */
    public Usage usage(Counter counter) {
        long now = clockMillis.getAsLong();
        int counted = 0;
        for (int i = 0; i < counter.limit().max(); i++) {
            if (store.exists(counter.slot(i))) {
                counted++;
            }
        }
        OptionalLong blockedUntil = store.read(counter.blockMarker());
        long retryAfter = blockedUntil.isPresent() && blockedUntil.getAsLong() > now
                ? secondsUntil(blockedUntil.getAsLong(), now)
                : 0;
        return new Usage(counter, counted, retryAfter);
    }

    private void giveBack(Decision.Held held) {
        store.delete(held.counter().slot(held.index()));
        store.delete(held.counter().stamp(held.index()));
    }

    /**
     * A ticket of the budget, tried at a few random places; true when there is no budget. A ticket is held as long as
     * the counter it pays for lives (at least the budget's window), so at most {@code max} tracked counters are alive
     * at once, whatever their windows.
     */
    private boolean ticket(Budget budget, int counterWindowSeconds) {
        if (budget == null || budget.max() <= 0) {
            return true;
        }
        int lifespan = Math.max(budget.windowSeconds(), counterWindowSeconds);
        for (int i = 0; i < BUDGET_PROBES; i++) {
            if (store.claim(budget.key() + '#' + random.applyAsInt(budget.max()), lifespan)) {
                return true;
            }
        }
        return false;
    }

    /** Walks the ring from the hint; the first create that succeeds wins the slot. */
    private int claimFreeSlot(Counter counter, int start) {
        int max = counter.limit().max();
        int window = counter.limit().windowSeconds();
        for (int i = 0; i < max; i++) {
            int index = (start + i) % max;
            if (store.claim(counter.slot(index), window)) {
                return index;
            }
        }
        return -1;
    }

    private Decision.Denied deny(Counter counter, int oldest, long now, boolean markBlock) {
        // Every slot is taken. The ring's oldest slot is where the hint points; it frees up at its
        // stamp. A slot without a stamp belongs to an attempt still running, which may succeed and
        // give its slot back in a moment: such a refusal says "retry in 1 s" and blocks for 1 s only,
        // so parallel correct logins cannot lock a user out for a whole window.
        OptionalLong expiry = store.read(counter.stamp(oldest));
        long retryAfter = expiry.isEmpty()
                ? 1
                : secondsUntil(
                        Math.min(expiry.getAsLong(), now + counter.limit().windowSeconds() * 1000L), now);
        if (markBlock) {
            store.write(counter.blockMarker(), (int) retryAfter, now + retryAfter * 1000L);
        }
        return counter.denied(retryAfter);
    }

    /** Whole seconds, rounded up and at least 1, so a client that waits that long is past the instant. */
    private static long secondsUntil(long instantMillis, long now) {
        return Math.max(1, (instantMillis - now + 999) / 1000);
    }
}
