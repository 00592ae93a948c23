package dev.kcwarden.ratelimit;

import java.util.ArrayList;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.keycloak.models.AuthenticationExecutionModel;
import org.keycloak.models.AuthenticatorConfigModel;
import org.keycloak.models.KeycloakSession;
import org.keycloak.models.RealmModel;
import org.keycloak.models.UserModel;

/**
 * What the admin API shows and clears: the counters of one username and/or client address,
 * with the limits the realm's guarded executions configure (the largest, where two
 * executions differ; defaults where none is bound).
 */
public final class ThrottleAdmin {

    private static final Set<String> LOGIN_PROVIDERS = Set.of(GuardedPasswordFormFactory.PROVIDER_ID, GuardedDirectGrantFactory.PROVIDER_ID,
            GuardedPasswordOnlyFormFactory.PROVIDER_ID, GuardedIdpPasswordFormFactory.PROVIDER_ID, GuardedOtpFormFactory.PROVIDER_ID,
            GuardedDirectGrantOtpFactory.PROVIDER_ID);

    private final KeycloakSession session;
    private final RealmModel realm;
    private final Throttle throttle;
    private final ThrottleKeys keys;
    private final Map<LimitKind, Limit> limits;

    public ThrottleAdmin(KeycloakSession session, RealmModel realm) {
        this.session = session;
        this.realm = realm;
        this.throttle = LoginGuard.throttle(session);
        this.keys = new ThrottleKeys(realm.getId());
        this.limits = configuredLimits(realm);
    }

    /**
     * The buckets of a username and/or address; null means "not given". A username is resolved as the
     * login form resolves it; besides the account's own counters this covers the refusal markers that
     * the login form keeps per spelling (the name given, and the account's username and email).
     */
    private List<Bucket> buckets(String username, ClientAddress client, boolean withSpellings) {
        List<Bucket> buckets = new ArrayList<>();
        List<String> accounts = new ArrayList<>();
        if (username != null && !withSpellings) {
            accounts.add(LoginGuard.accountKey(session, realm, username));
        } else if (username != null) {
            String lookup = LoginGuard.formLookup(username);
            String account = LoginGuard.accountKey(session, realm, username);
            accounts.add(account);
            accounts.add(ThrottleKeys.nameOf(lookup));
            UserModel user = ThrottleKeys.isName(account) ? null : session.users().getUserById(realm, account.substring(3));
            if (user != null) {
                LoginGuard.names(user).forEach(name -> accounts.add(ThrottleKeys.nameOf(name)));
            }
        }
        List<String> distinct = accounts.stream().distinct().toList();
        if (client != null) {
            buckets.add(keys.ip(limits.get(LimitKind.IP), client));
            if (client.ipv6()) {
                buckets.add(keys.network(limits.get(LimitKind.IP6_56), client, 56));
                buckets.add(keys.network(limits.get(LimitKind.IP6_48), client, 48));
            }
            buckets.add(keys.ip(limits.get(LimitKind.RESET_IP), client));
            buckets.add(keys.ip(limits.get(LimitKind.SIGNUP_IP), client));
            distinct.forEach(account -> buckets.add(keys.userAndIp(limits.get(LimitKind.USER_IP), account, client)));
        }
        for (String account : distinct) {
            buckets.add(keys.account(limits.get(LimitKind.ACCOUNT), account));
            buckets.add(keys.account(limits.get(LimitKind.RESET_ACCOUNT), account));
        }
        return buckets;
    }

    public List<Map<String, Object>> list(String username, ClientAddress client) {
        List<Map<String, Object>> rows = new ArrayList<>();
        for (Bucket bucket : buckets(username, client, false)) {
            Throttle.Usage usage = throttle.usage(bucket);
            Map<String, Object> row = new LinkedHashMap<>();
            row.put("limit", bucket.limit().kind().id());
            row.put("counted", usage.counted());
            row.put("max", bucket.limit().max());
            row.put("windowSeconds", bucket.limit().windowSeconds());
            row.put("blocked", usage.blocked());
            row.put("retryAfterSeconds", usage.retryAfterSeconds());
            rows.add(row);
        }
        return rows;
    }

    /** Clears every counter and block of the username and/or address; returns the limits that held something. */
    public List<String> clear(String username, ClientAddress client) {
        List<String> cleared = new ArrayList<>();
        for (Bucket bucket : buckets(username, client, true)) {
            Throttle.Usage usage = throttle.usage(bucket);
            if ((usage.counted() > 0 || usage.blocked()) && !cleared.contains(bucket.limit().kind().id())) {
                cleared.add(bucket.limit().kind().id());
            }
            throttle.reset(bucket);
        }
        return cleared;
    }

    private static Map<LimitKind, Limit> configuredLimits(RealmModel realm) {
        Map<LimitKind, Limit> limits = new EnumMap<>(LimitKind.class);
        realm.getAuthenticationFlowsStream()
                .flatMap(flow -> realm.getAuthenticationExecutionsStream(flow.getId()))
                .forEach(execution -> merge(limits, realm, execution));
        for (List<LimitSetting> settings : List.of(GuardConfig.LOGIN, GuardConfig.RESET, GuardConfig.SIGNUP)) {
            GuardConfig defaults = GuardConfig.of(settings, null, realm.getName());
            settings.forEach(setting -> limits.putIfAbsent(setting.kind(), defaults.limit(setting.kind())));
        }
        return limits;
    }

    private static void merge(Map<LimitKind, Limit> limits, RealmModel realm, AuthenticationExecutionModel execution) {
        List<LimitSetting> settings = settingsOf(execution);
        if (settings == null) {
            return;
        }
        GuardConfig config = GuardConfig.of(settings, configOf(realm, execution), realm.getName());
        for (LimitSetting setting : settings) {
            Limit limit = config.limit(setting.kind());
            limits.merge(setting.kind(), limit, (a, b) -> a.max() >= b.max() ? a : b);
        }
    }

    /**
     * Every invalid value in the realm's guard configurations, as "alias: problem", in flow order; each distinct
     * configuration once. Keycloak accepts any authenticator config on save, so this is where an admin sees what
     * the guards replaced by their defaults.
     */
    public static List<String> settingProblems(RealmModel realm) {
        Map<String, List<String>> byConfig = new java.util.LinkedHashMap<>();
        realm.getAuthenticationFlowsStream()
                .flatMap(flow -> realm.getAuthenticationExecutionsStream(flow.getId()))
                .forEach(execution -> {
                    List<LimitSetting> settings = settingsOf(execution);
                    AuthenticatorConfigModel model = configOf(realm, execution);
                    if (settings != null && model != null && !byConfig.containsKey(model.getId())) {
                        byConfig.put(model.getId(), GuardConfig.of(settings, model, realm.getName()).problems().stream()
                                .map(problem -> model.getAlias() + ": " + problem).toList());
                    }
                });
        return byConfig.values().stream().flatMap(List::stream).toList();
    }

    /** The limits a guard execution reads, or null for an execution that is no warden guard (or a sub-flow). */
    private static List<LimitSetting> settingsOf(AuthenticationExecutionModel execution) {
        String provider = execution.getAuthenticator(); // null for a sub-flow
        if (provider == null) {
            return null;
        }
        if (LOGIN_PROVIDERS.contains(provider)) {
            return GuardConfig.LOGIN;
        } else if (GuardedResetChooseUserFactory.PROVIDER_ID.equals(provider)) {
            return GuardConfig.RESET;
        } else if (GuardConfig.SIGNUP_PROVIDER_ID.equals(provider)) {
            return GuardConfig.SIGNUP;
        }
        return null;
    }

    private static AuthenticatorConfigModel configOf(RealmModel realm, AuthenticationExecutionModel execution) {
        return execution.getAuthenticatorConfig() == null ? null : realm.getAuthenticatorConfigById(execution.getAuthenticatorConfig());
    }
}
