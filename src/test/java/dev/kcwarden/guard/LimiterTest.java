package dev.kcwarden.guard;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@DisplayName("The limiter core counts exactly, forgives successes and tells when to retry")
class LimiterTest {

    private final AtomicLong clock = new AtomicLong(1_700_000_000_000L);
    private final MemorySlotStore store = new MemorySlotStore(clock::get);
    private final Limiter limiter = new Limiter(store, clock::get);
    private final CounterKeys keys = new CounterKeys("realm-1");
    private final ClientAddress attacker = ClientAddress.parse("203.0.113.7").orElseThrow();
    private final Limit threePerMinute = new Limit(LimitKind.USER_IP, 3, 60);

    private Counter counter() {
        return keys.userAndIp(threePerMinute, CounterKeys.accountOf("user-1", "alice"), attacker);
    }

    @Test
    @DisplayName("the limit is reached exactly at the configured count")
    void exactCount() {
        for (int i = 0; i < 3; i++) {
            assertThat(limiter.acquire(List.of(counter()))).isInstanceOf(Decision.Allowed.class);
        }
        assertThat(limiter.acquire(List.of(counter()))).isInstanceOf(Decision.Denied.class);
    }

    @Test
    @DisplayName("Retry-After is when the oldest failure stops counting, and a retry then passes")
    void retryAfterIsCorrect() {
        limiter.acquire(List.of(counter()));
        clock.addAndGet(20_000);
        limiter.acquire(List.of(counter()));
        limiter.acquire(List.of(counter()));
        Decision.Denied denied = (Decision.Denied) limiter.acquire(List.of(counter()));
        assertThat(denied.retryAfterSeconds()).isEqualTo(40);
        assertThat(denied.counter().limit().kind()).isEqualTo(LimitKind.USER_IP);

        clock.addAndGet(39_000);
        assertThat(limiter.acquire(List.of(counter()))).as("one second early").isInstanceOf(Decision.Denied.class);
        clock.addAndGet(1_000);
        assertThat(limiter.acquire(List.of(counter()))).as("on time").isInstanceOf(Decision.Allowed.class);
        assertThat(limiter.acquire(List.of(counter())))
                .as("the other two still count")
                .isInstanceOf(Decision.Denied.class);
    }

    @Test
    @DisplayName("Retry-After rounds up to whole seconds and is never 0")
    void retryAfterRoundsUp() {
        for (int i = 0; i < 3; i++) {
            limiter.acquire(List.of(counter()));
        }
        clock.addAndGet(59_500);
        Decision.Denied denied = (Decision.Denied) limiter.acquire(List.of(counter()));
        assertThat(denied.retryAfterSeconds()).isEqualTo(1);
    }

    @Test
    @DisplayName("a released attempt stops counting; reset forgets the counter and its block")
    void releaseAndReset() {
        Decision.Allowed first = (Decision.Allowed) limiter.acquire(List.of(counter()));
        limiter.release(first);
        for (int i = 0; i < 3; i++) {
            assertThat(limiter.acquire(List.of(counter()))).isInstanceOf(Decision.Allowed.class);
        }
        assertThat(limiter.acquire(List.of(counter()))).isInstanceOf(Decision.Denied.class);
        assertThat(limiter.usage(counter()).blocked()).isTrue();
        assertThat(limiter.usage(counter()).counted()).isEqualTo(3);

        limiter.reset(counter());
        assertThat(limiter.usage(counter()).counted()).isZero();
        assertThat(limiter.acquire(List.of(counter()))).isInstanceOf(Decision.Allowed.class);
    }

    @Test
    @DisplayName("all or nothing: an attempt refused by one counter holds no slot in another")
    void allOrNothing() {
        Counter ip = keys.ip(new Limit(LimitKind.IP, 5, 60), attacker);
        for (int i = 0; i < 3; i++) {
            limiter.acquire(List.of(ip, counter()));
        }
        for (int i = 0; i < 10; i++) {
            assertThat(limiter.acquire(List.of(ip, counter()))).isInstanceOf(Decision.Denied.class);
        }
        assertThat(limiter.usage(ip).counted()).isEqualTo(3);
    }

    @Test
    @DisplayName("a full counter of attempts still running (no stamp yet) refuses for 1 s only")
    void inFlightAttemptsDoNotBlock() {
        SlotStore stampsLater = new SlotStore() {
            public boolean claim(String key, int lifespanSeconds) {
                return store.claim(key, lifespanSeconds);
            }

            public boolean exists(String key) {
                return store.exists(key);
            }

            public void delete(String key) {
                store.delete(key);
            }

            public void write(String key, int lifespanSeconds, long value) {
                if (key.endsWith("#b")) {
                    store.write(key, lifespanSeconds, value); // only the request's own stamps are late
                }
            }

            public java.util.OptionalLong read(String key) {
                return store.read(key);
            }
        };
        Limiter parallel = new Limiter(stampsLater, clock::get);
        for (int i = 0; i < 3; i++) {
            assertThat(parallel.acquire(List.of(counter()))).isInstanceOf(Decision.Allowed.class);
        }
        Decision.Denied denied = (Decision.Denied) parallel.acquire(List.of(counter()));
        assertThat(denied.retryAfterSeconds()).isEqualTo(1);
        clock.addAndGet(1_000);
        assertThat(parallel.usage(counter()).blocked())
                .as("the short block is over after 1 s")
                .isFalse();
    }

    @Test
    @DisplayName("a late stamp never brings back a slot that a success gave back")
    void lateStampDoesNotResurrect() {
        List<Runnable> atCommit = new ArrayList<>();
        SlotStore commitLater = new SlotStore() {
            public boolean claim(String key, int lifespanSeconds) {
                return store.claim(key, lifespanSeconds);
            }

            public boolean exists(String key) {
                return store.exists(key);
            }

            public void delete(String key) {
                store.delete(key);
            }

            public void write(String key, int lifespanSeconds, long value) {
                atCommit.add(() -> store.write(key, lifespanSeconds, value));
            }

            public java.util.OptionalLong read(String key) {
                return store.read(key);
            }
        };
        Limiter late = new Limiter(commitLater, clock::get);
        Decision.Allowed allowed = (Decision.Allowed) late.acquire(List.of(counter()));
        late.release(allowed); // an admin clear or a success before this request committed
        atCommit.forEach(Runnable::run);
        assertThat(limiter.usage(counter()).counted()).isZero();
        for (int i = 0; i < 3; i++) {
            assertThat(limiter.acquire(List.of(counter()))).isInstanceOf(Decision.Allowed.class);
        }
    }

    @Test
    @DisplayName("a block lasts until the oldest failure leaves its window, and every refusal during it is one lookup")
    void blockHoldsForTheWindow() {
        Counter big = keys.ip(
                new Limit(LimitKind.IP, 500, 600),
                ClientAddress.parse("198.51.100.200").orElseThrow());
        for (int i = 0; i < 500; i++) {
            limiter.acquire(List.of(big));
        }
        assertThat(((Decision.Denied) limiter.acquire(List.of(big))).retryAfterSeconds())
                .isEqualTo(600);
        for (int second = 1; second <= 120; second++) {
            clock.addAndGet(1_000);
            long before = store.operations();
            Decision.Denied denied = (Decision.Denied) limiter.acquire(List.of(big));
            assertThat(denied.retryAfterSeconds()).as("after %d s", second).isEqualTo(600 - second);
            assertThat(store.operations() - before)
                    .as("store calls for a refusal %d s into the block", second)
                    .isEqualTo(1);
        }
    }

    @Test
    @DisplayName("a decision costs the same number of store calls whatever the limit")
    void constantCost() {
        long[] perDecision = new long[3];
        int[] maxima = {10, 100, 1000};
        for (int m = 0; m < maxima.length; m++) {
            Counter big = keys.ip(
                    new Limit(LimitKind.IP, maxima[m], 600),
                    ClientAddress.parse("198.51.100." + m).orElseThrow());
            long before = store.operations();
            int decisions = 3 * maxima[m];
            for (int i = 0; i < decisions; i++) {
                limiter.acquire(List.of(big));
            }
            perDecision[m] = (store.operations() - before) / decisions;
        }
        // Filling the ring and then 2 x max refusals: one create per allowed attempt, one lookup per refusal,
        // plus a single walk of the full ring when the block is set.
        assertThat(perDecision[0]).isLessThanOrEqualTo(4);
        assertThat(perDecision[1]).isEqualTo(perDecision[0]);
        assertThat(perDecision[2]).isEqualTo(perDecision[0]);
    }

    @Test
    @DisplayName("a spray of made-up keys stops at the realm's budget: later ones are not counted and store nothing; "
            + "accounts keep counting")
    void budgetBoundsTrackedKeys() {
        Limiter.Budget budget = keys.budget(new Limit(LimitKind.TRACKED_KEYS, 50, 600));
        Limit perName = new Limit(LimitKind.ACCOUNT, 5, 600);
        int counted = 0;
        for (int i = 0; i < 1_000; i++) {
            Decision d = limiter.acquire(List.of(keys.account(perName, CounterKeys.nameOf("nobody" + i))), budget);
            assertThat(d)
                    .as("a made-up name is never refused for the budget's sake")
                    .isInstanceOf(Decision.Allowed.class);
            counted += ((Decision.Allowed) d).held().size();
        }
        assertThat(counted)
                .as("counters of their own, at most the budget")
                .isLessThanOrEqualTo(50)
                .isGreaterThan(25);
        int entries = store.size();
        for (int i = 1_000; i < 2_000; i++) {
            limiter.acquire(List.of(keys.account(perName, CounterKeys.nameOf("nobody" + i))), budget);
            limiter.acquire(
                    List.of(keys.ip(
                            new Limit(LimitKind.IP, 2, 600),
                            ClientAddress.parse("2001:db8:" + Integer.toHexString(i) + "::1")
                                    .orElseThrow())),
                    budget);
        }
        assertThat(store.size()).as("the spent budget stores nothing more").isEqualTo(entries);
        Limit perAccount = new Limit(LimitKind.ACCOUNT, 5, 600);
        for (int i = 0; i < 5; i++) {
            assertThat(limiter.acquire(
                            List.of(keys.account(perAccount, CounterKeys.accountOf("user-7", "alice"))), budget))
                    .as("a real account keeps its own counter")
                    .isInstanceOf(Decision.Allowed.class);
        }
        assertThat(limiter.acquire(List.of(keys.account(perAccount, CounterKeys.accountOf("user-7", "alice"))), budget))
                .as("and its limit")
                .isInstanceOf(Decision.Denied.class);
        clock.addAndGet(601_000);
        Decision later =
                limiter.acquire(List.of(keys.account(perName, CounterKeys.nameOf("after the window"))), budget);
        assertThat(((Decision.Allowed) later).held())
                .as("tickets free up with their window")
                .hasSize(1);
    }

    @Test
    @DisplayName("a limit with maximum 0 is off")
    void zeroIsOff() {
        Counter off = keys.ip(new Limit(LimitKind.IP, 0, 60), attacker);
        for (int i = 0; i < 50; i++) {
            assertThat(limiter.acquire(List.of(off))).isInstanceOf(Decision.Allowed.class);
        }
        assertThat(store.size()).isZero();
    }

    @Test
    @DisplayName("100 parallel attempts against a limit of 10 on a store with an atomic create: exactly 10 get through"
            + " (on the real cache: DirectGrantGuardIT, TwoNodeClusterIT)")
    void exactUnderConcurrency() throws Exception {
        Counter tenPerMinute = keys.userAndIp(new Limit(LimitKind.USER_IP, 10, 60), "name:alice", attacker);
        ExecutorService pool = Executors.newFixedThreadPool(16);
        CountDownLatch start = new CountDownLatch(1);
        List<Callable<Decision>> attempts = new ArrayList<>();
        for (int i = 0; i < 100; i++) {
            attempts.add(() -> {
                start.await();
                return limiter.acquire(List.of(tenPerMinute));
            });
        }
        List<Future<Decision>> futures = new ArrayList<>();
        attempts.forEach(a -> futures.add(pool.submit(a)));
        start.countDown();
        int allowed = 0;
        for (Future<Decision> f : futures) {
            if (f.get() instanceof Decision.Allowed) {
                allowed++;
            }
        }
        pool.shutdown();
        assertThat(allowed).isEqualTo(10);
    }

    @Test
    @DisplayName("every entry the core writes carries a lifespan within its window: 200,000 names (a slot, its stamp "
            + "and a hint each)" + " leave nothing once the window has passed, on a store that honours lifespans as "
            + "Keycloak's cache does")
    void everyEntryExpiresWithItsWindow() {
        Limit account = new Limit(LimitKind.ACCOUNT, 100, 60);
        for (int i = 0; i < 200_000; i++) {
            Decision d = limiter.acquire(List.of(keys.account(account, CounterKeys.accountOf(null, "user" + i))));
            assertThat(d).isInstanceOf(Decision.Allowed.class);
            if (i % 20_000 == 0) {
                clock.addAndGet(1);
            }
        }
        assertThat(store.size()).isEqualTo(3 * 200_000);
        clock.addAndGet(60_000);
        assertThat(store.size()).isZero();
    }

    @Test
    @DisplayName("monitor mode: a full counter refuses without a block marker, holds no extra slot, and enforce "
            + "still refuses on the same counts")
    void withoutBlockMarkers() {
        for (int i = 0; i < 3; i++) {
            assertThat(limiter.acquire(List.of(counter()), null, false)).isInstanceOf(Decision.Allowed.class);
        }
        for (int i = 0; i < 5; i++) {
            assertThat(limiter.acquire(List.of(counter()), null, false)).isInstanceOf(Decision.Denied.class);
        }
        assertThat(limiter.usage(counter()).blocked()).as("no marker").isFalse();
        assertThat(limiter.usage(counter()).counted())
                .as("no slot beyond the limit")
                .isEqualTo(3);
        assertThat(limiter.acquire(List.of(counter()))).as("enforce").isInstanceOf(Decision.Denied.class);
        assertThat(limiter.usage(counter()).blocked()).isTrue();
        clock.addAndGet(60_000);
        assertThat(limiter.acquire(List.of(counter()), null, false)).isInstanceOf(Decision.Allowed.class);
    }

    @Test
    @DisplayName("peek: the fullest counter's share, read without claiming a slot; a blocked counter is full")
    void peek() {
        Counter small = counter();
        Counter big = keys.userAndIp(new Limit(LimitKind.USER_IP, 10, 60), CounterKeys.nameOf("bob"), attacker);
        assertThat(limiter.peek(List.of(small, big))).isEqualTo(new Limiter.Pressure(0, 3));
        limiter.acquire(List.of(small));
        for (int i = 0; i < 4; i++) {
            limiter.acquire(List.of(big));
        }
        for (int i = 0; i < 5; i++) {
            assertThat(limiter.peek(List.of(small, big))).isEqualTo(new Limiter.Pressure(4, 10));
        }
        limiter.acquire(List.of(small));
        assertThat(limiter.peek(List.of(big, small))).isEqualTo(new Limiter.Pressure(2, 3));
        assertThat(limiter.acquire(List.of(small))).as("peeking took no slot").isInstanceOf(Decision.Allowed.class);
        assertThat(limiter.acquire(List.of(small))).isInstanceOf(Decision.Denied.class);
        assertThat(limiter.peek(List.of(big, small)).ratio()).isEqualTo(1.0);
        clock.addAndGet(61_000);
        assertThat(limiter.peek(List.of(small, big))).as("slots expired").isEqualTo(new Limiter.Pressure(0, 3));
        assertThat(limiter.peek(List.of())).isEqualTo(Limiter.Pressure.NONE);
    }

    @Test
    @DisplayName("one counter refused again and again tells the current wait each time, never a stale one")
    void reusedCounterTellsTheCurrentWait() {
        Counter counter = counter();
        for (int i = 0; i < 3; i++) {
            limiter.acquire(List.of(counter));
        }
        Decision.Denied first = (Decision.Denied) limiter.acquire(List.of(counter));
        assertThat(first.retryAfterSeconds()).isEqualTo(60);
        assertThat(limiter.acquire(List.of(counter)))
                .as("the same wait: the same refusal")
                .isSameAs(first);
        clock.addAndGet(25_000);
        Decision.Denied later = (Decision.Denied) limiter.acquire(List.of(counter));
        assertThat(later.retryAfterSeconds()).isEqualTo(35);
        assertThat(later.counter()).isSameAs(counter);
        assertThat(limiter.blocked(List.of(counter))).containsSame(later);
        clock.addAndGet(35_000);
        assertThat(limiter.acquire(List.of(counter))).isInstanceOf(Decision.Allowed.class);
    }

    @Test
    @DisplayName("a refusal at a block marker allocates nothing: no key, no wrapper, no new refusal")
    void refusalAtTheBlockMarkerAllocatesNothing() {
        List<Counter> counters = List.of(
                keys.ip(new Limit(LimitKind.IP, 20, 60), attacker),
                counter(),
                keys.account(new Limit(LimitKind.ACCOUNT, 10, 900), CounterKeys.accountOf("user-1", "alice")));
        for (int i = 0; i < 4; i++) {
            limiter.acquire(counters);
        }
        com.sun.management.ThreadMXBean threads =
                (com.sun.management.ThreadMXBean) java.lang.management.ManagementFactory.getThreadMXBean();
        long thread = Thread.currentThread().getId();
        Decision last = null;
        for (int i = 0; i < 1_000; i++) { // warm: the counter keeps its marker key and refusal
            last = limiter.acquire(counters);
        }
        long before = threads.getThreadAllocatedBytes(thread);
        for (int i = 0; i < 100_000; i++) {
            last = limiter.acquire(counters);
        }
        long allocated = threads.getThreadAllocatedBytes(thread) - before;
        assertThat(last).isInstanceOf(Decision.Denied.class);
        assertThat(allocated).as("bytes for 100,000 refusals").isLessThan(10_000);
    }
}
