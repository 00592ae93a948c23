package dev.kcwarden.guard;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.function.Function;
import org.keycloak.provider.ProviderConfigProperty;

/**
 * What warden guards, each in one place: the providers that guard it, the limits they read (with defaults and help, see
 * {@link LimitSetting}) and which counters an attempt takes. The guard, the admin API and the factories all read this,
 * so a new limit is one edit here plus its row in docs/configuration.md.
 */
public enum GuardedFlow {

    /** Password and one-time-code checks, on login pages and on the token endpoint. */
    LOGIN(
            LimitKind.IP,
            LimitKind.USER_IP,
            LimitKind.ACCOUNT,
            Set.of(
                    GuardedPasswordFormFactory.PROVIDER_ID,
                    GuardedPasswordOnlyFormFactory.PROVIDER_ID,
                    GuardedIdpPasswordFormFactory.PROVIDER_ID,
                    GuardedOtpFormFactory.PROVIDER_ID,
                    GuardedDirectGrantFactory.PROVIDER_ID,
                    GuardedDirectGrantOtpFactory.PROVIDER_ID),
            new LimitSetting(
                    LimitKind.IP,
                    "Per client IP",
                    100,
                    900,
                    "failed logins from one client IP or IPv6 /64 (any username)"),
            new LimitSetting(
                    LimitKind.IP6_56, "Per IPv6 /56", 400, 900, "failed logins from one IPv6 /56 (any username)"),
            new LimitSetting(
                    LimitKind.IP6_48, "Per IPv6 /48", 1600, 900, "failed logins from one IPv6 /48 (any username)"),
            new LimitSetting(
                    LimitKind.USER_IP,
                    "Per username and IP",
                    10,
                    900,
                    "failed logins for one username from one client IP"),
            new LimitSetting(
                    LimitKind.ACCOUNT, "Per account", 100, 3600, "failed logins for one account from all IPs together"),
            Tracked.SETTING),

    /** The forgot-password form: every request counts, since each one may send a mail. */
    RESET(
            LimitKind.RESET_IP,
            null,
            LimitKind.RESET_ACCOUNT,
            Set.of(GuardedResetChooseUserFactory.PROVIDER_ID),
            new LimitSetting(
                    LimitKind.RESET_IP,
                    "Reset requests per client IP",
                    20,
                    3600,
                    "password-reset requests from one client IP"),
            new LimitSetting(
                    LimitKind.RESET_ACCOUNT,
                    "Reset requests per account",
                    5,
                    3600,
                    "password-reset requests for one account"),
            Tracked.SETTING),

    /** The registration form: every submitted form counts (the form action lives in the signup package). */
    SIGNUP(
            LimitKind.SIGNUP_IP,
            null,
            null,
            Set.of(GuardedFlow.SIGNUP_PROVIDER_ID),
            new LimitSetting(
                    LimitKind.SIGNUP_IP,
                    "Sign-ups per client IP",
                    10,
                    3600,
                    "submitted registration forms from one client IP"));

    /** The registration form action that applies {@link #SIGNUP}. */
    public static final String SIGNUP_PROVIDER_ID = "warden-registration-guard";

    /** The budget of made-up keys per realm, in a holder so that every constant above can name it. */
    static final class Tracked {
        static final LimitSetting SETTING = new LimitSetting(
                LimitKind.TRACKED_KEYS,
                "Tracked counters per realm",
                100_000,
                900,
                "counters for made-up keys (client networks, names no account has)",
                1_000_000);

        private Tracked() {}
    }

    private final LimitKind network;
    private final LimitKind accountAndAddress;
    private final LimitKind account;
    private final Set<String> providerIds;
    private final List<LimitSetting> settings;

    GuardedFlow(
            LimitKind network,
            LimitKind accountAndAddress,
            LimitKind account,
            Set<String> providerIds,
            LimitSetting... settings) {
        this.network = network;
        this.accountAndAddress = accountAndAddress;
        this.account = account;
        this.providerIds = providerIds;
        this.settings = List.of(settings);
    }

    /** The limits this flow's providers read, in the order the console shows them. */
    public List<LimitSetting> settings() {
        return settings;
    }

    /** The console properties of this flow's providers: the limits, then the options they share. */
    public List<ProviderConfigProperty> properties() {
        return GuardConfig.properties(settings);
    }

    /** The flow a provider guards; empty for a provider that is no warden guard (or a sub-flow, {@code null}). */
    public static Optional<GuardedFlow> ofProvider(String providerId) {
        for (GuardedFlow flow : values()) {
            if (providerId != null && flow.providerIds.contains(providerId)) {
                return Optional.of(flow);
            }
        }
        return Optional.empty();
    }

    /** The counters of the client's address: the address (an IPv6 /64) and, for logins, its wider IPv6 networks. */
    List<Counter> networkCounters(CounterKeys keys, Function<LimitKind, Limit> limits, ClientAddress client) {
        List<Counter> counters = new ArrayList<>(3);
        counters.add(keys.ip(limits.apply(network), client));
        if (this == LOGIN && client.ipv6()) {
            counters.add(keys.network(limits.apply(LimitKind.IP6_56), client, 56));
            counters.add(keys.network(limits.apply(LimitKind.IP6_48), client, 48));
        }
        return counters;
    }

    /** The counter of one account (or typed name) from the client's address; empty when the flow has none. */
    Optional<Counter> accountAndAddressCounter(
            CounterKeys keys, Function<LimitKind, Limit> limits, String account, ClientAddress client) {
        return accountAndAddress == null
                ? Optional.empty()
                : Optional.of(keys.userAndIp(limits.apply(accountAndAddress), account, client));
    }

    /** The counter of one account (or typed name) from everywhere; empty when the flow has none. */
    Optional<Counter> accountCounter(CounterKeys keys, Function<LimitKind, Limit> limits, String account) {
        return this.account == null ? Optional.empty() : Optional.of(keys.account(limits.apply(this.account), account));
    }

    LimitKind accountKind() {
        return account;
    }

    LimitKind accountAndAddressKind() {
        return accountAndAddress;
    }
}
