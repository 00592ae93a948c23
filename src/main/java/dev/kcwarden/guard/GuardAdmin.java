package dev.kcwarden.guard;

import com.fasterxml.jackson.annotation.JsonPropertyOrder;
import java.io.IOException;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.keycloak.models.AuthenticationExecutionModel;
import org.keycloak.models.AuthenticatorConfigModel;
import org.keycloak.models.KeycloakSession;
import org.keycloak.models.RealmModel;
import org.keycloak.models.UserModel;
import org.keycloak.representations.userprofile.config.UPConfig;
import org.keycloak.userprofile.UserProfileProvider;
import org.keycloak.util.JsonSerialization;

/**
 * What the admin API shows and clears: the counters of one username and/or client address, with the limits the realm's
 * guarded executions configure (the largest, where two executions differ; defaults where none is bound).
 */
public final class GuardAdmin {

    /** The component config key under which Keycloak stores a realm's user profile (JSON). */
    private static final String UP_CONFIG = "kc.user.profile.config";

    private final KeycloakSession session;
    private final RealmModel realm;
    private final Limiter limiter;
    private final CounterKeys keys;
    private final Map<LimitKind, Limit> limits;

    public GuardAdmin(KeycloakSession session, RealmModel realm) {
        this.session = session;
        this.realm = realm;
        this.limiter = LoginGuard.limiter(session);
        this.keys = new CounterKeys(realm.getId());
        this.limits = configuredLimits(realm);
    }

    /**
     * The counters of a username and/or address; null means "not given". A username is resolved as the login form
     * resolves it; besides the account's own counters this covers the refusal markers that the login form keeps per
     * spelling (the name given, and the account's username and email).
     */
    private List<Counter> counters(String username, ClientAddress client, boolean withSpellings) {
        List<Counter> counters = new ArrayList<>();
        List<String> accounts = new ArrayList<>();
        if (username != null && !withSpellings) {
            accounts.add(LoginGuard.accountKey(session, realm, username));
        } else if (username != null) {
            String lookup = LoginGuard.formLookup(username);
            String account = LoginGuard.accountKey(session, realm, username);
            accounts.add(account);
            accounts.add(CounterKeys.nameOf(lookup));
            UserModel user =
                    CounterKeys.isName(account) ? null : session.users().getUserById(realm, account.substring(3));
            if (user != null) {
                LoginGuard.names(user).forEach(name -> accounts.add(CounterKeys.nameOf(name)));
            }
        }
        List<String> distinct = accounts.stream().distinct().toList();
        if (client != null) {
            for (GuardedFlow flow : GuardedFlow.values()) {
                counters.addAll(flow.networkCounters(keys, limits::get, client));
            }
            for (GuardedFlow flow : GuardedFlow.values()) {
                distinct.forEach(account -> flow.accountAndAddressCounter(keys, limits::get, account, client)
                        .ifPresent(counters::add));
            }
        }
        for (String account : distinct) {
            for (GuardedFlow flow : GuardedFlow.values()) {
                flow.accountCounter(keys, limits::get, account).ifPresent(counters::add);
            }
        }
        return counters;
    }

    /** One counter as the admin API shows it. */
    @JsonPropertyOrder({"limit", "counted", "max", "windowSeconds", "blocked", "retryAfterSeconds"})
    public record CounterView(
            String limit, int counted, int max, int windowSeconds, boolean blocked, long retryAfterSeconds) {}

    public List<CounterView> list(String username, ClientAddress client) {
        List<CounterView> rows = new ArrayList<>();
        for (Counter counter : counters(username, client, false)) {
            Limiter.Usage usage = limiter.usage(counter);
            rows.add(new CounterView(
                    counter.limit().kind().id(),
                    usage.counted(),
                    counter.limit().max(),
                    counter.limit().windowSeconds(),
                    usage.blocked(),
                    usage.retryAfterSeconds()));
        }
        return rows;
    }

    /** Clears every counter and block of the username and/or address; returns the limits that held something. */
    public List<String> clear(String username, ClientAddress client) {
        List<String> cleared = new ArrayList<>();
        for (Counter counter : counters(username, client, true)) {
            Limiter.Usage usage = limiter.usage(counter);
            if ((usage.counted() > 0 || usage.blocked())
                    && !cleared.contains(counter.limit().kind().id())) {
                cleared.add(counter.limit().kind().id());
            }
            limiter.reset(counter);
        }
        return cleared;
    }

    private static Map<LimitKind, Limit> configuredLimits(RealmModel realm) {
        Map<LimitKind, Limit> limits = new EnumMap<>(LimitKind.class);
        realm.getAuthenticationFlowsStream()
                .flatMap(flow -> realm.getAuthenticationExecutionsStream(flow.getId()))
                .forEach(execution -> merge(limits, realm, execution));
        for (GuardedFlow flow : GuardedFlow.values()) {
            GuardConfig defaults = GuardConfig.of(flow, null, realm.getName());
            flow.settings().forEach(setting -> limits.putIfAbsent(setting.kind(), defaults.limit(setting.kind())));
        }
        return limits;
    }

    private static void merge(Map<LimitKind, Limit> limits, RealmModel realm, AuthenticationExecutionModel execution) {
        Optional<GuardedFlow> flow = GuardedFlow.ofProvider(execution.getAuthenticator());
        if (flow.isEmpty()) {
            return;
        }
        GuardConfig config = GuardConfig.of(flow.get(), configOf(realm, execution), realm.getName());
        for (LimitSetting setting : flow.get().settings()) {
            Limit limit = config.limit(setting.kind());
            limits.merge(setting.kind(), limit, (a, b) -> a.max() >= b.max() ? a : b);
        }
    }

    /**
     * Every invalid value in the realm's guard configurations, as "alias: problem", in flow order; each distinct
     * configuration once. Keycloak accepts any authenticator config on save, so this is where an admin sees what the
     * guards replaced by their defaults.
     */
    public static List<String> settingProblems(RealmModel realm) {
        Map<String, List<String>> byConfig = new LinkedHashMap<>();
        boolean[] alert = {false};
        realm.getAuthenticationFlowsStream()
                .flatMap(flow -> realm.getAuthenticationExecutionsStream(flow.getId()))
                .forEach(execution -> {
                    Optional<GuardedFlow> flow = GuardedFlow.ofProvider(execution.getAuthenticator());
                    AuthenticatorConfigModel model = configOf(realm, execution);
                    if (flow.isPresent() && model != null && !byConfig.containsKey(model.getId())) {
                        GuardConfig config = GuardConfig.of(flow.get(), model, realm.getName());
                        alert[0] |= config.newDeviceAlert();
                        byConfig.put(
                                model.getId(),
                                config.problems().stream()
                                        .map(problem -> model.getAlias() + ": " + problem)
                                        .toList());
                    }
                });
        List<String> problems =
                new ArrayList<>(byConfig.values().stream().flatMap(List::stream).toList());
        if (alert[0]) {
            NewDeviceAlert.markerProblem(userProfile(realm)).ifPresent(problems::add);
        }
        return List.copyOf(problems);
    }

    /** The realm's user profile as stored in its component; null when the realm keeps Keycloak's default. */
    private static UPConfig userProfile(RealmModel realm) {
        return realm.getComponentsStream(realm.getId(), UserProfileProvider.class.getName())
                .map(component -> component.get(UP_CONFIG))
                .filter(json -> json != null && !json.isBlank())
                .findFirst()
                .map(json -> {
                    try {
                        return JsonSerialization.readValue(json, UPConfig.class);
                    } catch (IOException | RuntimeException e) {
                        return null;
                    }
                })
                .orElse(null);
    }

    private static AuthenticatorConfigModel configOf(RealmModel realm, AuthenticationExecutionModel execution) {
        return execution.getAuthenticatorConfig() == null
                ? null
                : realm.getAuthenticatorConfigById(execution.getAuthenticatorConfig());
    }
}
