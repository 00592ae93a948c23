package dev.kcwarden.guard;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.keycloak.provider.ProviderConfigProperty;

/**
 * How one limit appears in an authenticator's configuration: two properties (maximum and window), their defaults and
 * their help texts. Factories list these; {@link GuardConfig} reads them back, so a property name is written in exactly
 * one place.
 */
public record LimitSetting(
        LimitKind kind, String label, int defaultMax, int defaultWindowSeconds, String what, int maxAllowed) {

    static final int MAX_ALLOWED = 10_000;
    static final int MAX_WINDOW_SECONDS = 7 * 24 * 3600;

    public LimitSetting(LimitKind kind, String label, int defaultMax, int defaultWindowSeconds, String what) {
        this(kind, label, defaultMax, defaultWindowSeconds, what, MAX_ALLOWED);
    }

    public String maxProperty() {
        return "warden." + kind.id().replace('_', '-') + ".max";
    }

    public String windowProperty() {
        return "warden." + kind.id().replace('_', '-') + ".window";
    }

    List<ProviderConfigProperty> properties() {
        List<ProviderConfigProperty> list = new ArrayList<>(2);
        String help = kind == LimitKind.TRACKED_KEYS
                ? "How many " + what + " the realm keeps at once (each holds its place for its own window, at least "
                        + "this window). Beyond it, attempts with new made-up keys are not counted, so a spray "
                        + "of made-up "
                        + "names or addresses cannot grow memory without bound. 0 removes the bound. Default "
                        + defaultMax
                        + ", at most " + maxAllowed + "."
                : "How many " + what + " are allowed within the window before further attempts get HTTP 429. "
                        + "0 switches this limit off. Default " + defaultMax + ", at most " + maxAllowed + ".";
        list.add(new ProviderConfigProperty(
                maxProperty(),
                label + ": maximum",
                help,
                ProviderConfigProperty.STRING_TYPE,
                String.valueOf(defaultMax)));
        list.add(new ProviderConfigProperty(
                windowProperty(),
                label + ": window (seconds)",
                "Each counted attempt stops counting this many seconds after it happened. Default "
                        + defaultWindowSeconds + ", at most " + MAX_WINDOW_SECONDS + " (7 days).",
                ProviderConfigProperty.STRING_TYPE,
                String.valueOf(defaultWindowSeconds)));
        return list;
    }

    /**
     * The limit a config map asks for. A value that is not a whole number in range falls back to the default with a
     * warning that names the property, never to "no limit".
     */
    Limit read(Map<String, String> config, ConfigProblems problems) {
        int max = problems.number(config, maxProperty(), defaultMax, 0, maxAllowed);
        int window = problems.number(config, windowProperty(), defaultWindowSeconds, 1, MAX_WINDOW_SECONDS);
        return new Limit(kind, max, window);
    }
}
