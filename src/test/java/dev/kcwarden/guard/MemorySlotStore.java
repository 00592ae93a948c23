package dev.kcwarden.guard;

import java.util.OptionalLong;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.LongSupplier;

/** An expiring in-memory {@link SlotStore} on a clock the test controls; atomic like the real cache. */
final class MemorySlotStore implements SlotStore {

    private record Entry(long expiresAt, Long stamp) {}

    private final ConcurrentHashMap<String, Entry> entries = new ConcurrentHashMap<>();
    private final java.util.concurrent.atomic.AtomicLong operations = new java.util.concurrent.atomic.AtomicLong();
    private final LongSupplier clock;

    MemorySlotStore(LongSupplier clock) {
        this.clock = clock;
    }

    @Override
    public boolean claim(String key, int lifespanSeconds) {
        operations.incrementAndGet();
        AtomicBoolean created = new AtomicBoolean();
        long now = clock.getAsLong();
        entries.compute(key, (k, old) -> {
            if (old != null && old.expiresAt > now) {
                return old;
            }
            created.set(true);
            return new Entry(now + lifespanSeconds * 1000L, null);
        });
        return created.get();
    }

    @Override
    public boolean exists(String key) {
        operations.incrementAndGet();
        return live(key) != null;
    }

    @Override
    public void delete(String key) {
        operations.incrementAndGet();
        entries.remove(key);
    }

    @Override
    public void write(String key, int lifespanSeconds, long value) {
        operations.incrementAndGet();
        entries.put(key, new Entry(clock.getAsLong() + lifespanSeconds * 1000L, value));
    }

    @Override
    public OptionalLong read(String key) {
        operations.incrementAndGet();
        Entry entry = live(key);
        return entry == null || entry.stamp == null ? OptionalLong.empty() : OptionalLong.of(entry.stamp);
    }

    @Override
    public long read(String key, long absent) {
        operations.incrementAndGet();
        Entry entry = live(key);
        return entry == null || entry.stamp == null ? absent : entry.stamp;
    }

    /** Store calls so far: what a decision costs in cache operations on the server. */
    long operations() {
        return operations.get();
    }

    int size() {
        entries.values().removeIf(e -> e.expiresAt <= clock.getAsLong());
        return entries.size();
    }

    private Entry live(String key) {
        Entry entry = entries.get(key);
        return entry != null && entry.expiresAt > clock.getAsLong() ? entry : null;
    }
}
