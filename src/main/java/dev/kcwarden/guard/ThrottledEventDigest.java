package dev.kcwarden.guard;

import dev.kcwarden.WardenEvents;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongSupplier;
import org.jboss.logging.Logger;
import org.keycloak.events.Event;
import org.keycloak.events.EventBuilder;
import org.keycloak.models.KeycloakSessionFactory;
import org.keycloak.models.RealmModel;
import org.keycloak.models.utils.KeycloakModelUtils;

/**
 * One event per block and interval instead of one per refused attempt. The first refusal of a block (one counter's key)
 * is an event as before; later refusals of the same block within the interval are only counted, and once the interval
 * has passed one summary event carries their number in {@value WardenEvents#SUPPRESSED}. A flood of thousands of
 * refused attempts thus stores one row, writes one audit line and queues one webhook delivery per block and interval,
 * not thousands; the metrics still count every refusal.
 *
 * <p>Per node, in memory: a cluster of N nodes writes at most N summaries per block and interval. Blocks beyond
 * {@link #MAX_BLOCKS} (a flood from very many addresses at once) are not summarised: each of their refusals is an
 * event, as without the digest. Counts still pending when a node stops are lost with it (the metrics have them).
 */
final class ThrottledEventDigest {

    /**
     * How many different typed names and client addresses the refusals of a summary came with (at most
     * {@link #MAX_DISTINCT}).
     */
    /** Blocks summarised at once per realm, so that one realm's flood cannot switch the digest off for the others. */
    static final int MAX_BLOCKS = 10_000;

    static final int MAX_DISTINCT = 1000;

    private static final Logger LOG = Logger.getLogger(ThrottledEventDigest.class);
    private static final Map<KeycloakSessionFactory, ThrottledEventDigest> BY_FACTORY = new ConcurrentHashMap<>();

    /** What the first event of a block said, and how many refusals were left out since the last event. */
    private static final class Block {
        final Event template;
        final long intervalMillis;
        volatile long windowStart;
        final AtomicLong suppressed = new AtomicLong();
        // hashes only: a summary tells how many names and addresses a per-IP or per-account block saw, never which
        final Set<Integer> usernames = ConcurrentHashMap.newKeySet();
        final Set<Integer> ips = ConcurrentHashMap.newKeySet();

        Block(Event template, long intervalMillis, long now) {
            this.template = template;
            this.intervalMillis = intervalMillis;
            this.windowStart = now;
        }
    }

    /** A summary to emit: the first event's copy and the number of refusals it stands for. */
    record Summary(Event template, long suppressed, int usernames, int ips) {}

    private final Map<String, Block> blocks = new ConcurrentHashMap<>();
    private final Map<String, AtomicInteger> blocksPerRealm = new ConcurrentHashMap<>();
    private final LongSupplier clock;

    ThrottledEventDigest(LongSupplier clock) {
        this.clock = clock;
    }

    /** The node's digest, with its flusher started on first use. */
    static ThrottledEventDigest of(KeycloakSessionFactory factory) {
        return BY_FACTORY.computeIfAbsent(factory, f -> {
            ThrottledEventDigest digest = new ThrottledEventDigest(System::currentTimeMillis);
            ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor(r -> {
                Thread thread = new Thread(r, "warden-throttle-events");
                thread.setDaemon(true);
                return thread;
            });
            timer.scheduleWithFixedDelay(() -> digest.flush(f), 1, 1, TimeUnit.SECONDS);
            return digest;
        });
    }

    /**
     * Whether this refusal is an event of its own: true for the first of its block (and always when
     * {@code intervalSeconds} is 0, or the digest is full); false when it is counted into the block's next summary.
     */
    boolean emit(String blockKey, Event template, int intervalSeconds) {
        if (intervalSeconds <= 0) {
            return true;
        }
        Block block = blocks.get(blockKey);
        if (block != null && countInto(blockKey, template)) {
            return false;
        }
        var realmBlocks =
                blocksPerRealm.computeIfAbsent(String.valueOf(template.getRealmId()), r -> new AtomicInteger());
        if (realmBlocks.incrementAndGet() > MAX_BLOCKS) {
            realmBlocks.decrementAndGet();
            return true;
        }
        Block fresh = new Block(template, intervalSeconds * 1000L, clock.getAsLong());
        Block raced = blocks.putIfAbsent(blockKey, fresh);
        if (raced == null) {
            return true;
        }
        realmBlocks.decrementAndGet();
        if (countInto(blockKey, template)) {
            return false;
        }
        return true; // the block was forgotten in between: this refusal is an event of its own
    }

    /**
     * Counts a refusal into the block of {@code blockKey} if it is still there. Atomic against {@link #due()}
     * forgetting a quiet block (both run under the map's lock of that key), so no count goes into a block that is no
     * longer summarised.
     */
    private boolean countInto(String blockKey, Event refusal) {
        boolean[] counted = {false};
        blocks.computeIfPresent(blockKey, (k, existing) -> {
            count(existing, refusal);
            counted[0] = true;
            return existing;
        });
        return counted[0];
    }

    private static void count(Block block, Event refusal) {
        block.suppressed.incrementAndGet();
        remember(block, refusal);
    }

    private static void remember(Block block, Event refusal) {
        String username =
                refusal.getDetails() == null ? null : refusal.getDetails().get("username");
        if (username != null && block.usernames.size() < MAX_DISTINCT) {
            block.usernames.add(username.hashCode());
        }
        if (refusal.getIpAddress() != null && block.ips.size() < MAX_DISTINCT) {
            block.ips.add(refusal.getIpAddress().hashCode());
        }
    }

    /**
     * The summaries that are due: blocks whose interval has passed with refusals left out; quiet blocks are forgotten.
     */
    Map<String, Summary> due() {
        long now = clock.getAsLong();
        Map<String, Summary> due = new HashMap<>();
        blocks.forEach((key, block) -> {
            if (now - block.windowStart < block.intervalMillis) {
                return;
            }
            long suppressed = block.suppressed.getAndSet(0);
            if (suppressed > 0) {
                block.windowStart = now;
                due.put(key, new Summary(block.template, suppressed, block.usernames.size(), block.ips.size()));
                block.usernames.clear();
                block.ips.clear();
            } else {
                // forgotten only if still quiet, under the key's lock, so a refusal counted meanwhile is kept
                boolean[] removed = {false};
                blocks.computeIfPresent(key, (k, current) -> {
                    if (current == block && current.suppressed.get() == 0) {
                        removed[0] = true;
                        return null;
                    }
                    return current;
                });
                if (removed[0]) {
                    blocksPerRealm.computeIfPresent(String.valueOf(block.template.getRealmId()), (r, n) -> {
                        n.decrementAndGet();
                        return n;
                    });
                }
            }
        });
        return due;
    }

    int size() {
        return blocks.size();
    }

    private void flush(KeycloakSessionFactory factory) {
        try {
            Map<String, Summary> due = due();
            if (due.isEmpty()) {
                return;
            }
            KeycloakModelUtils.runJobInTransaction(
                    factory,
                    session -> due.values().forEach(summary -> {
                        Event first = summary.template();
                        RealmModel realm = session.realms().getRealm(first.getRealmId());
                        if (realm == null) {
                            return;
                        }
                        EventBuilder event = new EventBuilder(realm, session)
                                .event(first.getType())
                                .client(first.getClientId())
                                .user(first.getUserId())
                                .ipAddress(first.getIpAddress());
                        if (first.getDetails() != null) {
                            first.getDetails().forEach(event::detail);
                        }
                        event.detail(WardenEvents.SUPPRESSED, Long.toString(summary.suppressed()))
                                .detail(WardenEvents.DISTINCT_USERNAMES, Integer.toString(summary.usernames()))
                                .detail(WardenEvents.DISTINCT_IPS, Integer.toString(summary.ips()))
                                .error(first.getError() != null ? first.getError() : WardenEvents.THROTTLED);
                    }));
        } catch (RuntimeException e) {
            // the next tick tries again with what is due then; a summary must never take the node down
            LOG.warnf(
                    "warden: throttled-attempt summaries not written this time: %s",
                    e.getClass().getSimpleName());
        }
    }
}
