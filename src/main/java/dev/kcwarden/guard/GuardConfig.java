package dev.kcwarden.guard;

import dev.kcwarden.GuardMode;
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
    /** How many addresses the direct grant remembers per account name (places in the store, see CounterKeys). */
    public static final String KNOWN_DEVICES = "warden.known-devices";

    static final int DEFAULT_KNOWN_DEVICES = 16;
    /** A place per name at least; at most 64 so that one account keeps a small, fixed number of store entries. */
    static final int MAX_KNOWN_DEVICES = 64;

    public static final String EVENT_INTERVAL = "warden.throttle-events.seconds";
    static final int DEFAULT_EVENT_INTERVAL = 60;
    static final int MAX_EVENT_INTERVAL = 3600;
    public static final String POW_THRESHOLD = "warden.pow.threshold";
    /** Off by default for now: see docs/configuration.md, Proof-of-work step-up, for turning it on (50% suggested). */
    static final String DEFAULT_POW_THRESHOLD = "0";

    public static final String POW_BASE_BITS = "warden.pow.base-bits";
    static final int DEFAULT_POW_BASE_BITS = 14;
    public static final String POW_MAX_BITS = "warden.pow.max-bits";
    static final int DEFAULT_POW_MAX_BITS = 20;
    static final int MAX_POW_BITS = 24;

    private final Map<LimitKind, Limit> limits;
    private final List<Cidr> allowlist;
    private final List<Cidr> trustedProxies;
    private final int knownClientDays;
    private final int knownDevices;
    private final GuardMode mode;
    private final boolean newDeviceAlert;
    private final List<String> problems;
    private final StepUp stepUp;

    /**
     * The proof-of-work step-up of the browser password forms: {@code threshold} a share of the limit (0 = off), the
     * puzzle's bits at it and at most.
     */
    public record StepUp(double threshold, int baseBits, int maxBits) {
        /** The bits an attempt must pay with {@code used} of {@code max} slots taken; 0 = no puzzle. */
        public boolean enabled() {
            return threshold > 0;
        }

        public int bits(Limiter.Pressure pressure) {
            return ProofOfWork.requiredBits(pressure.used(), pressure.max(), threshold, baseBits, maxBits);
        }
    }

    private GuardConfig(
            Map<LimitKind, Limit> limits,
            List<Cidr> allowlist,
            List<Cidr> trustedProxies,
            int knownClientDays,
            int knownDevices,
            GuardMode mode,
            boolean newDeviceAlert,
            List<String> problems,
            StepUp stepUp) {
        this.stepUp = stepUp;
        this.limits = limits;
        this.allowlist = allowlist;
        this.trustedProxies = trustedProxies;
        this.knownClientDays = knownClientDays;
        this.knownDevices = knownDevices;
        this.mode = mode;
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
        int devices = problems.number(config, KNOWN_DEVICES, DEFAULT_KNOWN_DEVICES, 1, MAX_KNOWN_DEVICES);
        problems.number(
                config,
                EVENT_INTERVAL,
                DEFAULT_EVENT_INTERVAL,
                0,
                MAX_EVENT_INTERVAL); // read per refusal; checked here for problems()
        List<Cidr> allowlist = parseRanges(config.get(ALLOWLIST), ALLOWLIST, problems);
        List<Cidr> trusted = parseRanges(config.get(TRUSTED_PROXIES), TRUSTED_PROXIES, problems);
        double threshold = share(config.get(POW_THRESHOLD), problems);
        int baseBits = problems.number(config, POW_BASE_BITS, DEFAULT_POW_BASE_BITS, 1, MAX_POW_BITS);
        int maxBits = problems.number(config, POW_MAX_BITS, DEFAULT_POW_MAX_BITS, 1, MAX_POW_BITS);
        if (maxBits < baseBits) {
            problems.add(POW_MAX_BITS + " is below " + POW_BASE_BITS + "; using " + baseBits);
            maxBits = baseBits;
        }
        StepUp stepUp = new StepUp(threshold, baseBits, maxBits);
        GuardMode mode = mode(config, problems);
        boolean alert = "true"
                .equalsIgnoreCase(String.valueOf(config.get(NEW_DEVICE_ALERT)).strip());
        return new GuardConfig(limits, allowlist, trusted, days, devices, mode, alert, problems.found(), stepUp);
    }

    /** "50%", "50" or "0.5": a share of a limit from 0 to 1; the default when it is none of these. */
    static double share(String raw, ConfigProblems problems) {
        String text = raw == null || raw.isBlank() ? DEFAULT_POW_THRESHOLD : raw.strip();
        boolean percent = text.endsWith("%");
        try {
            double value = Double.parseDouble(percent ? text.substring(0, text.length() - 1) : text);
            if (percent || value > 1) {
                value /= 100;
            }
            if (value >= 0 && value <= 1 && !text.matches(".*[^0-9.%].*")) {
                return value;
            }
        } catch (NumberFormatException ignored) {
            // recorded below
        }
        problems.add(POW_THRESHOLD + " must be a share of the limit from 0 to 100 % (such as 50% or 0.5); using "
                + DEFAULT_POW_THRESHOLD + " instead");
        return 0;
    }

    /** The console settings of the proof-of-work step-up: only the browser password forms show a puzzle. */
    static List<ProviderConfigProperty> stepUpProperties() {
        return List.of(
                new ProviderConfigProperty(
                        POW_THRESHOLD,
                        "Proof-of-work step-up: from (share of a limit)",
                        "Once a client's or an account's failed attempts fill this share of any of its login "
                                + "limits (such as 50% or 0.5), the login form asks the browser to solve a small "
                                + "SHA-256 puzzle before the password is checked; a missing or wrong solution is "
                                + "refused without checking the password and without counting. Needs JavaScript. "
                                + "0 turns it off. The hard limit (HTTP 429) stays. Default "
                                + DEFAULT_POW_THRESHOLD + " (off); 50% is a good start.",
                        ProviderConfigProperty.STRING_TYPE,
                        DEFAULT_POW_THRESHOLD),
                new ProviderConfigProperty(
                        POW_BASE_BITS,
                        "Proof-of-work step-up: difficulty at the start (bits)",
                        "Leading zero bits of the puzzle's hash at the threshold; each further counted failure adds "
                                + "one bit (twice the work). A browser needs about 2^bits hashes. Default "
                                + DEFAULT_POW_BASE_BITS + ", from 1 to " + MAX_POW_BITS + ".",
                        ProviderConfigProperty.STRING_TYPE,
                        String.valueOf(DEFAULT_POW_BASE_BITS)),
                new ProviderConfigProperty(
                        POW_MAX_BITS,
                        "Proof-of-work step-up: highest difficulty (bits)",
                        "The difficulty never rises above this many bits (see docs/benchmarks.md for what a "
                                + "browser pays). Default " + DEFAULT_POW_MAX_BITS + ", from 1 to " + MAX_POW_BITS
                                + ", at least the starting difficulty.",
                        ProviderConfigProperty.STRING_TYPE,
                        String.valueOf(DEFAULT_POW_MAX_BITS)));
    }

    /** An unknown mode falls back to enforce: a typo must never turn a guard's refusals off. */
    private static GuardMode mode(Map<String, String> config, ConfigProblems problems) {
        String raw = config.get(GuardMode.PROPERTY);
        Optional<GuardMode> mode = GuardMode.parse(raw);
        if (mode.isEmpty()) {
            problems.add(GuardMode.problem(raw) + "; using enforce instead");
        }
        return mode.orElse(GuardMode.ENFORCE);
    }

    private static String where(AuthenticatorConfigModel model, String realmName) {
        return "realm " + realmName + ", authenticator config " + (model == null ? "(none)" : model.getAlias());
    }

    static List<ProviderConfigProperty> properties(List<LimitSetting> settings) {
        List<ProviderConfigProperty> properties = new ArrayList<>();
        properties.add(GuardMode.property(
                "attempts over a limit",
                "Any other value is listed in GET /admin/realms/{realm}/warden/info and logged, and enforce "
                        + "applies."));
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
            properties.add(new ProviderConfigProperty(
                    KNOWN_DEVICES,
                    "Known clients: addresses remembered per account (direct grant)",
                    "How many addresses the direct grant remembers per account name, for the known-client "
                            + "exemption and the new-device mail. An address takes one of this many places, picked "
                            + "by a keyed hash of the address, so two addresses of one owner can share a place (a "
                            + "chance of 1 in this number) and the later login then wins it: fewer places mean "
                            + "more repeated mails and fewer exemptions. Browsers are not counted: each keeps its "
                            + "own signed cookie. Changing it forgets most remembered addresses once. Default "
                            + DEFAULT_KNOWN_DEVICES + ", from 1 to " + MAX_KNOWN_DEVICES + ".",
                    ProviderConfigProperty.STRING_TYPE,
                    String.valueOf(DEFAULT_KNOWN_DEVICES)));
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

    /** Monitor mode: would-be refusals are recorded, never made. */
    public boolean monitor() {
        return mode == GuardMode.MONITOR;
    }

    /** The proof-of-work step-up of this execution (read by the browser password forms only). */
    public StepUp stepUp() {
        return stepUp;
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

    /** How many places per account name the direct grant's remembered addresses take. */
    int knownDevices() {
        return knownDevices;
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
