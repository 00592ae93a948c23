package dev.kcwarden.password;

import java.net.URI;
import java.time.Duration;
import java.util.Locale;
import org.keycloak.policy.PasswordPolicyConfigException;

/**
 * The breached-password policy's value, as an admin types it in Authentication → Policies:
 * {@code min=1;timeout=2000;fail=open;url=https://api.pwnedpasswords.com/range/}. Every key is
 * optional; a bad value is refused when the policy is saved, with a message saying which key.
 */
public record BreachSettings(int minimumCount, Duration timeout, boolean failOpen, URI rangeUrl, boolean remote) {

    public static final String DEFAULT_URL = "https://api.pwnedpasswords.com/range/";
    public static final BreachSettings DEFAULTS = new BreachSettings(1, Duration.ofMillis(2000), true, URI.create(DEFAULT_URL), true);
    public static final String DEFAULT_VALUE = "min=1;timeout=2000;fail=open;url=" + DEFAULT_URL;

    public static BreachSettings parse(String value) {
        BreachSettings settings = DEFAULTS;
        if (value == null || value.isBlank()) {
            return settings;
        }
        for (String pair : value.split(";")) {
            if (pair.isBlank()) {
                continue;
            }
            int eq = pair.indexOf('=');
            if (eq < 1) {
                throw new PasswordPolicyConfigException("Breached password policy: '" + pair.strip()
                        + "' is not key=value; use min, timeout, fail, url or remote");
            }
            String key = pair.substring(0, eq).strip().toLowerCase(Locale.ROOT);
            String v = pair.substring(eq + 1).strip();
            settings = switch (key) {
                case "min" -> new BreachSettings(number(key, v, 1, 1_000_000), settings.timeout(), settings.failOpen(), settings.rangeUrl(), settings.remote());
                case "timeout" -> new BreachSettings(settings.minimumCount(), Duration.ofMillis(number(key, v, 100, 10_000)), settings.failOpen(), settings.rangeUrl(), settings.remote());
                case "fail" -> new BreachSettings(settings.minimumCount(), settings.timeout(), failMode(v), settings.rangeUrl(), settings.remote());
                case "url" -> new BreachSettings(settings.minimumCount(), settings.timeout(), settings.failOpen(), url(v), settings.remote());
                case "remote" -> new BreachSettings(settings.minimumCount(), settings.timeout(), settings.failOpen(), settings.rangeUrl(), onOff(v));
                default -> throw new PasswordPolicyConfigException("Breached password policy: unknown key '" + key
                        + "'; use min, timeout, fail, url or remote");
            };
        }
        return settings;
    }

    private static int number(String key, String v, int min, int max) {
        try {
            int n = Integer.parseInt(v);
            if (n >= min && n <= max) {
                return n;
            }
        } catch (NumberFormatException ignored) {
            // reported below
        }
        throw new PasswordPolicyConfigException("Breached password policy: " + key + " must be a whole number from " + min + " to " + max);
    }

    private static boolean failMode(String v) {
        return switch (v.toLowerCase(Locale.ROOT)) {
            case "open" -> true;
            case "closed" -> false;
            default -> throw new PasswordPolicyConfigException("Breached password policy: fail must be 'open' or 'closed'");
        };
    }

    private static boolean onOff(String v) {
        return switch (v.toLowerCase(Locale.ROOT)) {
            case "on", "true" -> true;
            case "off", "false" -> false;
            default -> throw new PasswordPolicyConfigException("Breached password policy: remote must be 'on' or 'off'");
        };
    }

    private static URI url(String v) {
        try {
            URI uri = URI.create(v);
            if (("https".equals(uri.getScheme()) || "http".equals(uri.getScheme())) && uri.getHost() != null) {
                return uri;
            }
        } catch (IllegalArgumentException ignored) {
            // reported below
        }
        throw new PasswordPolicyConfigException("Breached password policy: url must be an http(s) URL ending where the 5-character prefix goes");
    }
}
