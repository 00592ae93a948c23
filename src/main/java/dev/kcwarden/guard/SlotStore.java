package dev.kcwarden.guard;

import java.util.OptionalLong;

/**
 * The few atomic operations the limiter needs from a shared, expiring key-value store. On the server this is Keycloak's
 * {@code SingleUseObjectProvider}; unit tests and benchmarks use an in-memory map with a fake clock.
 */
public interface SlotStore {

    /**
     * Atomically creates {@code key} for {@code lifespanSeconds} if it does not exist; true if this call created it.
     */
    boolean claim(String key, int lifespanSeconds);

    boolean exists(String key);

    void delete(String key);

    /**
     * Keeps a number under {@code key} (an expiry, a position). Stores may apply this when the request's transaction
     * commits, so the limiter never writes a number under a key whose existence means something: a late write must not
     * bring anything back.
     */
    void write(String key, int lifespanSeconds, long value);

    /** The number written under {@code key}, if any. */
    OptionalLong read(String key);

    /** The number written under {@code key}, or {@code absent}: {@link #read} without its wrapper, for hot paths. */
    default long read(String key, long absent) {
        OptionalLong value = read(key);
        return value.isPresent() ? value.getAsLong() : absent;
    }
}
