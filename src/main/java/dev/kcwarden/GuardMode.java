package dev.kcwarden;

import java.util.List;
import java.util.Locale;
import java.util.Optional;
import org.keycloak.provider.ProviderConfigProperty;

/**
 * Whether a warden rule refuses ({@link #ENFORCE}, the default) or only records what it would have refused
 * ({@link #MONITOR}), set per execution or validator with option {@value #PROPERTY}. Monitor mode lets an admin size a
 * limit on real traffic before turning it on: nothing is refused, every would-be refusal is an event detail, an audit
 * field and a metric.
 */
public enum GuardMode {
    ENFORCE("enforce"),
    MONITOR("monitor");

    /** The option name, the same on every guarded authenticator, the registration guard and the email validator. */
    public static final String PROPERTY = "warden.mode";

    private final String value;

    GuardMode(String value) {
        this.value = value;
    }

    /** As stored in a config and shown in the console. */
    public String value() {
        return value;
    }

    /** Empty (not set) is {@link #ENFORCE}; a value that is neither name (any case, spaces around) is empty. */
    public static Optional<GuardMode> parse(Object raw) {
        if (raw == null) {
            return Optional.of(ENFORCE);
        }
        String text = String.valueOf(raw).strip().toLowerCase(Locale.ROOT);
        if (text.isEmpty()) {
            return Optional.of(ENFORCE);
        }
        for (GuardMode mode : values()) {
            if (mode.value.equals(text)) {
                return Optional.of(mode);
            }
        }
        return Optional.empty();
    }

    /** What an admin reads when a stored value is neither name. */
    public static String problem(Object raw) {
        return PROPERTY + " must be 'enforce' or 'monitor', not '"
                + LogText.printable(String.valueOf(raw).strip(), 40) + "'";
    }

    /**
     * The console's drop-down for {@value #PROPERTY}; {@code what} says what a refusal is for this provider,
     * {@code onInvalid} what happens to a stored value that is neither name.
     */
    public static ProviderConfigProperty property(String what, String onInvalid) {
        ProviderConfigProperty property = new ProviderConfigProperty(
                PROPERTY,
                "Mode",
                "enforce (default): " + what + " are refused. monitor: nothing is refused; each one that "
                        + "would have been is recorded instead (event detail warden_would_throttle or "
                        + "warden_would_reject, the audit line, metric warden_would_throttle_total or "
                        + "warden_signup_would_reject_total), so you can size the rules on real traffic before "
                        + "enforcing them. " + onInvalid,
                ProviderConfigProperty.LIST_TYPE,
                ENFORCE.value);
        property.setOptions(List.of(ENFORCE.value, MONITOR.value));
        return property;
    }
}
