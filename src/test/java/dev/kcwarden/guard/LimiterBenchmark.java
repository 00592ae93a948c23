package dev.kcwarden.guard;

import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

/**
 * The limiter core on an in-memory store: decisions per second and (with {@code -prof gc}) bytes allocated per
 * decision, key hashing included. Run with {@code ./mvnw -Pbench}. What it leaves out on purpose: the cache itself
 * (Keycloak's local Infinispan), which the server-side measurement ({@link ServerCpuBenchmark}) includes.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
public class LimiterBenchmark {

    private final AtomicLong clock = new AtomicLong(1_700_000_000_000L);
    private Limiter limiter;
    private CounterKeys keys;
    private LegacyCounterKeys legacyKeys;
    private List<Counter> blockedCounters;
    private final String[] manyNames = new String[4096];
    private int nextName;
    private ClientAddress attacker;
    private ClientAddress user;
    private GuardConfig config;

    @Setup
    public void setUp() {
        limiter = new Limiter(new MemorySlotStore(clock::get), clock::get);
        keys = new CounterKeys("bench-realm");
        legacyKeys = new LegacyCounterKeys("bench-realm");
        attacker = ClientAddress.parse("203.0.113.9").orElseThrow();
        user = ClientAddress.parse("198.51.100.20").orElseThrow();
        config = GuardConfig.of(GuardedFlow.LOGIN, null, "bench");
        for (int i = 0; i <= 10; i++) {
            limiter.acquire(counters("victim", attacker));
        }
        for (int i = 0; i < manyNames.length; i++) {
            manyNames[i] = "user" + i;
        }
        blockedCounters = counters("victim", attacker);
        if (!(limiter.acquire(blockedCounters) instanceof Decision.Denied)
                || !(legacyThrottledAttempt() instanceof Decision.Denied)) {
            throw new IllegalStateException("the benchmark's victim must be blocked");
        }
    }

    private List<Counter> counters(String name, ClientAddress client) {
        String account = CounterKeys.accountOf(null, name);
        return List.of(
                keys.ip(config.limit(LimitKind.IP), client),
                keys.userAndIp(config.limit(LimitKind.USER_IP), account, client),
                keys.account(config.limit(LimitKind.ACCOUNT), account));
    }

    /** The same counters from the key builder before 2026-12-03 (three SHA-256 with their strings): the baseline. */
    private List<Counter> legacyCounters(String name, ClientAddress client) {
        String account = LegacyCounterKeys.accountOf(null, name);
        return List.of(
                legacyKeys.ip(config.limit(LimitKind.IP), client),
                legacyKeys.userAndIp(config.limit(LimitKind.USER_IP), account, client),
                legacyKeys.account(config.limit(LimitKind.ACCOUNT), account));
    }

    /** An attempt from a blocked user+IP: its three keys built, then refused at the block marker. */
    @Benchmark
    public Decision throttledAttempt() {
        return limiter.acquire(counters("victim", attacker));
    }

    /** The same with the old key builder: the baseline for {@link #throttledAttempt}. */
    @Benchmark
    public Decision legacyThrottledAttempt() {
        return limiter.acquire(legacyCounters("victim", attacker));
    }

    /** The limiter core alone on a refusal: counters already built (as the second check of one request finds them). */
    @Benchmark
    public Decision refusedAtBlockMarker() {
        return limiter.acquire(blockedCounters);
    }

    /** A login that passes the limiter and succeeds: claims three slots and gives them back. */
    @Benchmark
    public Decision allowedAndReleased() {
        Decision decision = limiter.acquire(counters("alice", user));
        limiter.release((Decision.Allowed) decision);
        return decision;
    }

    /** Key building alone, the same name and address each time: the thread's counter cache answers. */
    @Benchmark
    public List<Counter> keysOnly() {
        return counters("alice", user);
    }

    /**
     * Key building when the thread's counter cache misses (a spray of ever new names): 4,096 names in turn, so each
     * one's cache entry was taken by others long before it comes back; three SHA-256 per call.
     */
    @Benchmark
    public List<Counter> keysOnlyColdCache() {
        nextName = (nextName + 1) & (manyNames.length - 1);
        return counters(manyNames[nextName], user);
    }

    /** The same with the old key builder: the baseline for {@link #keysOnly}. */
    @Benchmark
    public List<Counter> legacyKeysOnly() {
        return legacyCounters("alice", user);
    }
}
