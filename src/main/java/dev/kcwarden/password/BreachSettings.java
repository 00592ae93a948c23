package dev.kcwarden.password;

import java.net.URI;
import java.net.URISyntaxException;
import java.time.Duration;
import java.util.Locale;
import java.util.Set;
import org.keycloak.policy.PasswordPolicyConfigException;

/**
 * The breached-password policy's value, as an admin types it in Authentication → Policies:
 * {@code min=1;timeout=2000;fail=open;url=https://api.pwnedpasswords.com/range/}. Every key is optional; a bad value is
 * refused when the policy is saved, with a message saying which key.
 *
 * <p>The range URL must be https (plain http only to a loopback host, for tests). An older release accepted any http
 * URL, and Keycloak parses the stored policy whenever it loads the realm, where a refusal would fail every request of
 * the realm: {@link #parse(String, boolean)} therefore refuses such a URL only when an admin saves it, and
 * {@link #rangeUrlAllowed()} keeps a stored one from ever being queried.
 */
public record BreachSettings(int minimumCount, Duration timeout, boolean failOpen, URI rangeUrl, boolean remote) {

    public static final String DEFAULT_URL = "https://api.pwnedpasswords.com/range/";
    public static final BreachSettings DEFAULTS =
            new BreachSettings(1, Duration.ofMillis(2000), true, URI.create(DEFAULT_URL), true);
    public static final String DEFAULT_VALUE = "min=1;timeout=2000;fail=open;url=" + DEFAULT_URL;
    /** Hosts a range URL may reach over plain http (as {@link URI#getHost()} spells them). */
    private static final Set<String> LOOPBACK = Set.of("127.0.0.1", "[::1]", "::1", "localhost");

    /** The value as an admin saves it: every rule applies. */
    public static BreachSettings parse(String value) {
        return parse(value, true);
    }

    /**
     * @param saving true when an admin saves the value (every rule), false when Keycloak loads a stored one (an http
     *     range URL is kept, and refused at use)
     */
    public static BreachSettings parse(String value, boolean saving) {
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
                case "min" ->
                    new BreachSettings(
                            number(key, v, 1, 1_000_000),
                            settings.timeout(),
                            settings.failOpen(),
                            settings.rangeUrl(),
                            settings.remote());
                case "timeout" ->
                    new BreachSettings(
                            settings.minimumCount(),
                            Duration.ofMillis(number(key, v, 100, 10_000)),
                            settings.failOpen(),
                            settings.rangeUrl(),
                            settings.remote());
                case "fail" ->
                    new BreachSettings(
                            settings.minimumCount(),
                            settings.timeout(),
                            failMode(v),
                            settings.rangeUrl(),
                            settings.remote());
                case "url" ->
                    new BreachSettings(
                            settings.minimumCount(),
                            settings.timeout(),
                            settings.failOpen(),
                            url(v, saving),
                            settings.remote());
                case "remote" ->
                    new BreachSettings(
                            settings.minimumCount(),
                            settings.timeout(),
                            settings.failOpen(),
                            settings.rangeUrl(),
                            onOff(v));
                default ->
                    throw new PasswordPolicyConfigException("Breached password policy: unknown key '" + key
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
        throw new PasswordPolicyConfigException(
                "Breached password policy: " + key + " must be a whole number from " + min + " to " + max);
    }

    private static boolean failMode(String v) {
        return switch (v.toLowerCase(Locale.ROOT)) {
            case "open" -> true;
            case "closed" -> false;
            default ->
                throw new PasswordPolicyConfigException("Breached password policy: fail must be 'open' or 'closed'");
        };
    }

    private static boolean onOff(String v) {
        return switch (v.toLowerCase(Locale.ROOT)) {
            case "on", "true" -> true;
            case "off", "false" -> false;
            default ->
                throw new PasswordPolicyConfigException("Breached password policy: remote must be 'on' or 'off'");
        };
    }

    /** True for https, and for plain http to a loopback host (127.0.0.1, ::1, localhost): tests' local stubs. */
    public boolean rangeUrlAllowed() {
        return allowed(rangeUrl);
    }

    static boolean allowed(URI uri) {
        if ("https".equals(uri.getScheme())) {
            return true;
        }
        String host = uri.getHost() == null ? "" : uri.getHost().toLowerCase(Locale.ROOT);
        return "http".equals(uri.getScheme()) && LOOPBACK.contains(host);
    }

    private static URI url(String v, boolean saving) {
        URI uri = null;
        try {
            uri = new URI(v);
        } catch (URISyntaxException ignored) {
            // reported below
        }
        // Refused always, as by every release: a stored value cannot break this rule.
        if (uri == null
                || !("https".equals(uri.getScheme()) || "http".equals(uri.getScheme()))
                || uri.getHost() == null) {
            throw new PasswordPolicyConfigException("Breached password policy: url must be an https URL with a host, "
                    + "ending where the 5-character prefix goes (e.g. " + DEFAULT_URL + ")");
        }
        // Refused on save only (see the class comment).
        if (saving && !allowed(uri)) {
            throw new PasswordPolicyConfigException("Breached password policy: url must use https (plain http only to "
                    + "127.0.0.1, ::1 or localhost), so that nobody on the way reads or changes the answer");
        }
        if (saving && (uri.getRawFragment() != null || uri.getRawUserInfo() != null)) {
            throw new PasswordPolicyConfigException(
                    "Breached password policy: url must have no user name and no #fragment");
        }
        return uri;
    }
}
