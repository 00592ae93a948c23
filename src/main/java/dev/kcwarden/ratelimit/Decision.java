package dev.kcwarden.ratelimit;

import java.util.List;

/** What {@link Throttle#acquire} decided for one attempt. */
public sealed interface Decision {

    /** The attempt may go on; it holds one slot in every bucket until it is released or expires. */
    record Allowed(List<Held> held) implements Decision {
        public Allowed {
            held = List.copyOf(held);
        }
    }

    /**
     * The attempt is refused. {@code retryAfterSeconds} is when the earliest counted attempt of
     * {@code bucket} stops counting, so a retry after it passes this limit.
     */
    record Denied(Bucket bucket, long retryAfterSeconds) implements Decision {

        /** Which limit refused the attempt. */
        public LimitKind kind() {
            return bucket.limit().kind();
        }

        /** The limit's id, as events, metrics and the admin API name it. */
        public String limitId() {
            return kind().id();
        }
    }

    /** Slot {@code index} held in one bucket. */
    record Held(Bucket bucket, int index) {
    }
}
