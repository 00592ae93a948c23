package dev.kcwarden.ratelimit;

/**
 * One counter: a limit applied to one key (an address, a username and address, an account).
 * {@code key} is already hashed and realm-scoped, see {@link ThrottleKeys}.
 */
public record Bucket(Limit limit, String key) {

    String slot(int index) {
        return key + '#' + index;
    }

    String blockMarker() {
        return key + "#b";
    }
}
