package dev.kcwarden.guard;

import dev.kcwarden.LogText;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.keycloak.models.AuthenticatorConfigModel;
import org.keycloak.provider.ProviderConfigProperty;

/**
 * Typed, null-safe view of one guarded execution's configuration. An execution without a configuration gets every
 * default: the guard is never off by omission.
 */
public final class GuardConfig {

    public static final String ALLOWLIST = "warden.allowlist";
    public static final String TRUSTED_PROXIES = "warden.trusted-proxies";
    public static final String KNOWN_CLIENT_DAYS = "warden.known-client.days";
    static final int DEFAULT_KNOWN_CLIENT_DAYS = 30;
    static final int MAX_KNOWN_CLIENT_DAYS = 400;
    public static final String NEW_DEVICE_ALERT = "warden.new-device-alert";
    public static final String EVENT_INTERVAL = "warden.throttle-events.seconds";
    static final int DEFAULT_EVENT_INTERVAL = 60;
    static final int MAX_EVENT_INTERVAL = 3600;

    private final Map<LimitKind, Limit> limits;
    private final List<Cidr> allowlist;
    private final List<Cidr> trustedProxies;
    private final int knownClientDays;
    private final boolean newDeviceAlert;
    private final List<String> problems;

    private GuardConfig(
            Map<LimitKind, Limit> limits,
            List<Cidr> allowlist,
            List<Cidr> trustedProxies,
            int knownClientDays,
            boolean newDeviceAlert,
            List<String> problems) {
        this.limits = limits;
        this.allowlist = allowlist;
        this.trustedProxies = trustedProxies;
        this.knownClientDays = knownClientDays;
        this.newDeviceAlert = newDeviceAlert;
        this.problems = problems;
    }

    /** The configuration of one execution that guards {@code flow}; {@code model} may be null (every default). */
    public static GuardConfig of(GuardedFlow flow, AuthenticatorConfigModel model, String realmName) {
        Map<String, String> config = model == null
                ? Map.of()
                : Optional.ofNullable(model.getConfig()).orElse(Map.of());
        ConfigProblems problems = new ConfigProblems(where(model, realmName));
        Map<LimitKind, Limit> limits = new EnumMap<>(LimitKind.class);
        limits.put(LimitKind.TRACKED_KEYS, GuardedFlow.Tracked.SETTING.read(Map.of(), problems));
        for (LimitSetting setting : flow.settings()) {
            limits.put(setting.kind(), setting.read(config, problems));
        }
        int days = problems.number(config, KNOWN_CLIENT_DAYS, DEFAULT_KNOWN_CLIENT_DAYS, 0, MAX_KNOWN_CLIENT_DAYS);
        problems.number(
                config,
                EVENT_INTERVAL,
                DEFAULT_EVENT_INTERVAL,
                0,
                MAX_EVENT_INTERVAL); // read per refusal; checked here for problems()
        List<Cidr> allowlist = parseRanges(config.get(ALLOWLIST), ALLOWLIST, problems);
        List<Cidr> trusted = parseRanges(config.get(TRUSTED_PROXIES), TRUSTED_PROXIES, problems);
        boolean alert = "true"
                .equalsIgnoreCase(String.valueOf(config.get(NEW_DEVICE_ALERT)).strip());
        return new GuardConfig(limits, allowlist, trusted, days, alert, problems.found());
    }

    private static String where(AuthenticatorConfigModel model, String realmName) {
        return "realm " + realmName + ", authenticator config " + (model == null ? "(none)" : model.getAlias());
    }

    static List<ProviderConfigProperty> properties(List<LimitSetting> settings) {
        List<ProviderConfigProperty> properties = new ArrayList<>();
        settings.forEach(s -> properties.addAll(s.properties()));
        properties.add(new ProviderConfigProperty(
                ALLOWLIST,
                "Allowlisted networks",
                "Client addresses that are never throttled, as CIDR ranges such as 10.0.0.0/8 or 2001:db8::/32, "
                        + "separated by commas or ##. Empty by default. Only list networks you control: "
                        + "everything behind them shares their exemption.",
                ProviderConfigProperty.STRING_TYPE,
                ""));
        properties.add(new ProviderConfigProperty(
                TRUSTED_PROXIES,
                "Trusted proxies (appending X-Forwarded-For)",
                "Only for proxies that APPEND to X-Forwarded-For (nginx $proxy_add_x_forwarded_for, AWS ALB, HAProxy "
                        + "'option forwardfor'): the CIDR ranges those proxies connect to Keycloak from (and any proxy "
                        + "address they write into the header), separated by commas or ##. On a connection from one of "
                        + "them the client address is the right-most X-Forwarded-For address that is not one of "
                        + "them, never "
                        + "the left-most one a client can write; on any other connection the header is not believed. "
                        + "Empty by default: the client address is Keycloak's own (see docs/installation.md, Proxies).",
                ProviderConfigProperty.STRING_TYPE,
                ""));
        // A refused sign-up is always an event: Keycloak's form flow sends one for every refused form.
        if (settings.stream().noneMatch(s -> s.kind() == LimitKind.SIGNUP_IP)) {
            properties.add(new ProviderConfigProperty(
                    EVENT_INTERVAL,
                    "Throttled attempts: one event per block every (seconds)",
                    "The first attempt a limit refuses is an event (stored, audited, sent to the webhook); "
                            + "further refusals "
                            + "of the same block are only counted, and one summary event per this many seconds "
                            + "gives their "
                            + "number (detail warden_suppressed), so a flood writes one row per block and "
                            + "interval instead of "
                            + "one per request. Metrics count every refusal. 0: an event for every refusal. Default "
                            + DEFAULT_EVENT_INTERVAL + ", at most " + MAX_EVENT_INTERVAL + ".",
                    ProviderConfigProperty.STRING_TYPE,
                    String.valueOf(DEFAULT_EVENT_INTERVAL)));
        }
        if (settings.stream().anyMatch(s -> s.kind() == LimitKind.ACCOUNT)) {
            properties.add(new ProviderConfigProperty(
                    KNOWN_CLIENT_DAYS,
                    "Known clients: days remembered",
                    "A browser (signed HttpOnly cookie) or, for the direct grant, an address that logged in to "
                            + "an account "
                            + "is remembered this many days. While remembered it is exempt from the per-account "
                            + "cap, so "
                            + "strangers filling the cap cannot lock the owner out; its own per-username-and-IP "
                            + "limit still "
                            + "applies. 0 turns the exemption off. Default " + DEFAULT_KNOWN_CLIENT_DAYS + ", at most "
                            + MAX_KNOWN_CLIENT_DAYS + ".",
                    ProviderConfigProperty.STRING_TYPE,
                    String.valueOf(DEFAULT_KNOWN_CLIENT_DAYS)));
            properties.add(new ProviderConfigProperty(
                    NEW_DEVICE_ALERT,
                    "Mail the user after a login from a new device",
                    "After a completed login from a browser or (direct grant) an address the account has not "
                            + "used within the known-client days, mail the user when, which browser, from which "
                            + "address, and a link to the account console to end sessions. Needs the realm's SMTP "
                            + "settings and the 'warden' email theme; no mail for the account's first login. Off "
                            + "when known-client days is 0. Default off.",
                    ProviderConfigProperty.BOOLEAN_TYPE,
                    "false"));
        }
        return properties;
    }

    /**
     * Seconds between events of one block ({@link #EVENT_INTERVAL}) in an execution's configuration; 0 = every refusal.
     */
    public static int eventInterval(AuthenticatorConfigModel model, String realmName) {
        Map<String, String> config = model == null
                ? Map.of()
                : Optional.ofNullable(model.getConfig()).orElse(Map.of());
        return new ConfigProblems(where(model, realmName))
                .number(config, EVENT_INTERVAL, DEFAULT_EVENT_INTERVAL, 0, MAX_EVENT_INTERVAL);
    }

    /**
     * The values of this configuration that were not valid and were replaced by their defaults (or, for address lists,
     * left out), each naming the property; empty when everything is valid.
     */
    public List<String> problems() {
        return problems;
    }

    public Limit limit(LimitKind kind) {
        return limits.get(kind);
    }

    public boolean allowlisted(ClientAddress client) {
        return allowlist.stream().anyMatch(c -> c.contains(client.address()));
    }

    List<Cidr> trustedProxies() {
        return trustedProxies;
    }

    /** Days a known browser or address stays exempt from the account cap; 0 when the exemption is off. */
    int knownClientDays() {
        return knownClientDays;
    }

    /** Whether a login from a client new to the account mails the user. */
    boolean newDeviceAlert() {
        return newDeviceAlert;
    }

    private static List<Cidr> parseRanges(String raw, String property, ConfigProblems problems) {
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
                problems.add(property + ": '" + LogText.printable(entry.strip(), 64)
                        + "' is not an IP address or CIDR range; left out");
            }
        }
        return List.copyOf(ranges);
    }
}
