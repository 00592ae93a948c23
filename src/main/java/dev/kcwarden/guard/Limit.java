package dev.kcwarden.guard;

/** At most {@code max} counted attempts within any {@code windowSeconds}; {@code max == 0} switches the limit off. */
public record Limit(LimitKind kind, int max, int windowSeconds) {

    public Limit {
        if (max < 0 || windowSeconds < 1) {
            throw new IllegalArgumentException("limit " + kind.id() + " needs max >= 0 and window >= 1 s");
        }
    }

    public boolean enabled() {
        return max > 0;
    }
}
