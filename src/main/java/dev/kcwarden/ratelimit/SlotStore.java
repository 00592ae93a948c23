package dev.kcwarden.ratelimit;

import java.util.OptionalLong;

/**
 * The few atomic operations the limiter needs from a shared, expiring key-value store.
 * On the server this is Keycloak's {@code SingleUseObjectProvider}; unit tests and benchmarks
 * use an in-memory map with a fake clock.
 */
public interface SlotStore {

    /** Atomically creates {@code key} for {@code lifespanSeconds} if it does not exist; true if this call created it. */
    boolean claim(String key, int lifespanSeconds);

    boolean exists(String key);

    void delete(String key);

    /**
     * Records when {@code key} stops counting. Stores may apply this when the request's
     * transaction commits; readers treat a key without a stamp as counting a full window.
     */
    void stamp(String key, int lifespanSeconds, long expiresAtMillis);

    /** The stamped expiry of {@code key}, if any. */
    OptionalLong expiry(String key);
}
