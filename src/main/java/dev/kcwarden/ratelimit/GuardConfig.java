package dev.kcwarden.ratelimit;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.jboss.logging.Logger;
import org.keycloak.models.AuthenticatorConfigModel;
import org.keycloak.provider.ProviderConfigProperty;

/**
 * Typed, null-safe view of one guarded execution's configuration. An execution without a
 * configuration gets every default: the guard is never off by omission.
 */
public final class GuardConfig {

    private static final Logger LOG = Logger.getLogger(GuardConfig.class);

    public static final String ALLOWLIST = "warden.allowlist";

    /** Login limits: defaults chosen in docs/configuration.md ("Login guard"). */
    public static final List<LimitSetting> LOGIN = List.of(
            new LimitSetting(LimitKind.IP, "Per client IP", 100, 900, "failed logins from one client IP (any username)"),
            new LimitSetting(LimitKind.USER_IP, "Per username and IP", 10, 900, "failed logins for one username from one client IP"),
            new LimitSetting(LimitKind.ACCOUNT, "Per account", 100, 3600, "failed logins for one account from all IPs together"));

    /** Reset-password limits: every request counts, since each one may send a mail. */
    public static final List<LimitSetting> RESET = List.of(
            new LimitSetting(LimitKind.RESET_IP, "Reset requests per client IP", 20, 3600, "password-reset requests from one client IP"),
            new LimitSetting(LimitKind.RESET_ACCOUNT, "Reset requests per account", 5, 3600, "password-reset requests for one account"));

    /** The registration form action that applies {@link #SIGNUP} (in the signup package). */
    public static final String SIGNUP_PROVIDER_ID = "warden-registration-guard";

    /** Sign-up limit: every submitted registration form counts. */
    public static final List<LimitSetting> SIGNUP = List.of(
            new LimitSetting(LimitKind.SIGNUP_IP, "Sign-ups per client IP", 10, 3600, "submitted registration forms from one client IP"));

    private final Map<LimitKind, Limit> limits;
    private final List<Cidr> allowlist;

    private GuardConfig(Map<LimitKind, Limit> limits, List<Cidr> allowlist) {
        this.limits = limits;
        this.allowlist = allowlist;
    }

    public static GuardConfig of(List<LimitSetting> settings, AuthenticatorConfigModel model, String realmName) {
        Map<String, String> config = model == null ? Map.of() : Optional.ofNullable(model.getConfig()).orElse(Map.of());
        String where = "realm " + realmName + ", authenticator config " + (model == null ? "(none)" : model.getAlias());
        Map<LimitKind, Limit> limits = new java.util.EnumMap<>(LimitKind.class);
        for (LimitSetting setting : settings) {
            limits.put(setting.kind(), setting.read(config, where));
        }
        return new GuardConfig(limits, parseAllowlist(config.get(ALLOWLIST), where));
    }

    public static List<ProviderConfigProperty> properties(List<LimitSetting> settings) {
        List<ProviderConfigProperty> properties = new ArrayList<>();
        settings.forEach(s -> properties.addAll(s.properties()));
        properties.add(new ProviderConfigProperty(ALLOWLIST, "Allowlisted networks",
                "Client addresses that are never throttled, as CIDR ranges such as 10.0.0.0/8 or 2001:db8::/32, "
                        + "separated by commas or ##. Empty by default. Only list networks you control: "
                        + "everything behind them shares their exemption.",
                ProviderConfigProperty.STRING_TYPE, ""));
        return properties;
    }

    public Limit limit(LimitKind kind) {
        return limits.get(kind);
    }

    public boolean allowlisted(ClientAddress client) {
        return allowlist.stream().anyMatch(c -> c.contains(client.address()));
    }

    private static List<Cidr> parseAllowlist(String raw, String where) {
        if (raw == null || raw.isBlank()) {
            return List.of();
        }
        List<Cidr> ranges = new ArrayList<>();
        for (String entry : raw.split("##|,")) {
            if (entry.isBlank()) {
                continue;
            }
            Optional<Cidr> cidr = Cidr.parse(entry);
            if (cidr.isPresent()) {
                ranges.add(cidr.get());
            } else {
                LOG.warnf("%s: ignoring allowlist entry '%s', which is not an IP address or CIDR range", where, entry.strip());
            }
        }
        return List.copyOf(ranges);
    }
}
