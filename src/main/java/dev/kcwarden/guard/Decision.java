package dev.kcwarden.guard;

import java.util.List;

/** What {@link Limiter#acquire} decided for one attempt. */
public sealed interface Decision {

    /** The attempt may go on; it holds one slot in every counter until it is released or expires. */
    record Allowed(List<Held> held) implements Decision {
        public Allowed {
            held = List.copyOf(held);
        }
    }

    /**
     * The attempt is refused. {@code retryAfterSeconds} is when the earliest counted attempt of {@code counter} stops
     * counting, so a retry after it passes this limit.
     */
    record Denied(Counter counter, long retryAfterSeconds) implements Decision {

        /** Which limit refused the attempt. */
        public LimitKind kind() {
            return counter.limit().kind();
        }

        /** The limit's id, as events, metrics and the admin API name it. */
        public String limitId() {
            return kind().id();
        }
    }

    /** Slot {@code index} held in one counter. */
    record Held(Counter counter, int index) {}
}
