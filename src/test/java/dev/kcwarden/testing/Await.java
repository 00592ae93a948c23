package dev.kcwarden.testing;

import java.time.Duration;
import java.time.Instant;
import java.util.function.Predicate;
import java.util.function.Supplier;

/** Waits for something the server does after it answered (an event stored, a line written, a session gone). */
public final class Await {

    private static final Duration POLL = Duration.ofMillis(100);

    private Await() {}

    /**
     * Reads {@code probe} every 100 ms until {@code done} holds and returns that value; fails naming {@code what} with
     * the last value read once {@code timeout} has passed.
     */
    public static <T> T until(String what, Duration timeout, Supplier<T> probe, Predicate<? super T> done) {
        Instant deadline = Instant.now().plus(timeout);
        while (true) {
            T value = probe.get();
            if (done.test(value)) {
                return value;
            }
            if (Instant.now().isAfter(deadline)) {
                String seen = String.valueOf(value);
                throw new AssertionError("waited " + timeout.toSeconds() + " s for " + what + "; last seen: "
                        + (seen.length() > 300 ? seen.substring(0, 300) + "…" : seen));
            }
            try {
                Thread.sleep(POLL.toMillis());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new AssertionError("interrupted while waiting for " + what, e);
            }
        }
    }
}
