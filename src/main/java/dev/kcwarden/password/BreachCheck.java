package dev.kcwarden.password;

import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;

/** The outcomes of the breached-password check, and how often each happened on this node. */
public enum BreachCheck {
    PASSED,
    COMMON,
    BREACHED,
    UNAVAILABLE_OPEN,
    UNAVAILABLE_CLOSED;

    public String id() {
        return name().toLowerCase(Locale.ROOT);
    }

    /** Per-node counts, shown in the console's provider info. */
    static final class Counts {
        private final Map<BreachCheck, AtomicLong> counts = new EnumMap<>(BreachCheck.class);

        Counts() {
            for (BreachCheck outcome : values()) {
                counts.put(outcome, new AtomicLong());
            }
        }

        void add(BreachCheck outcome) {
            counts.get(outcome).incrementAndGet();
        }

        Map<String, String> asInfo() {
            Map<String, String> info = new LinkedHashMap<>();
            counts.forEach((k, v) -> info.put("checks." + k.id(), Long.toString(v.get())));
            return info;
        }
    }
}
