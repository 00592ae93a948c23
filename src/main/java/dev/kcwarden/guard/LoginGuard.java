package dev.kcwarden.guard;

import dev.kcwarden.AfterCompletion;
import dev.kcwarden.Hmac;
import jakarta.ws.rs.core.Response;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.function.BooleanSupplier;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.jboss.logging.Logger;
import org.keycloak.authentication.AuthenticationFlowContext;
import org.keycloak.authentication.FlowStatus;
import org.keycloak.common.util.Time;
import org.keycloak.crypto.Algorithm;
import org.keycloak.crypto.KeyUse;
import org.keycloak.crypto.KeyWrapper;
import org.keycloak.events.EventBuilder;
import org.keycloak.models.AuthenticatorConfigModel;
import org.keycloak.models.KeycloakSession;
import org.keycloak.models.ModelDuplicateException;
import org.keycloak.models.RealmModel;
import org.keycloak.models.UserModel;
import org.keycloak.models.credential.OTPCredentialModel;
import org.keycloak.models.credential.PasswordCredentialModel;
import org.keycloak.models.utils.KeycloakModelUtils;
import org.keycloak.sessions.AuthenticationSessionModel;

/**
 * Connects the limiter to one request: who the client is (Keycloak's view of the connection, which honours
 * {@code --proxy-headers}, or the right-most untrusted X-Forwarded-For address when trusted proxies are configured),
 * which account the typed name means, whether this client logged in to that account before, and which limits this
 * execution's configuration sets.
 *
 * <p>Every credential check counts the same way: one slot per client network, per account and address, and per account.
 * A password or code that was right gives its slots back. Failures from this address are forgiven only when the whole
 * login succeeded: after the password for a user without a one-time code, after the code otherwise, so a known password
 * does not reset the count of wrong codes.
 */
public final class LoginGuard {

    private static final Logger LOG = Logger.getLogger(LoginGuard.class);

    /** Where the guarded check runs, which decides how a known client is recognised. */
    public enum Channel {
        /** Login pages: a known browser carries warden's signed device cookie. */
        BROWSER,
        /** The token endpoint: a known client is an address that logged in to the account before. */
        DIRECT_GRANT
    }

    private final KeycloakSession session;
    private final RealmModel realm;
    private final GuardedFlow flow;
    private final GuardConfig config;
    private final Channel channel;
    private final SlotStore store;
    private final Limiter limiter;
    private final CounterKeys keys;
    private final ClientAddress client;
    /** The flow's event (the LOGIN event to come); null outside an authentication flow. */
    private final EventBuilder event;
    /** Read once per request: the device cookie (its MAC checked) and the keyed tag of the client's address. */
    private Optional<KnownDevice.Claim> device;

    private OptionalLong addressTag;
    /**
     * Decided once per request and user: whether this client is known to the account, and the account's password stamp
     * (a credential query). The password check in between keeps the stamp (a rehash keeps the credential's id and
     * creation time), so the alert and {@link #remember} use what the count decided.
     */
    private String knownFor;

    private boolean known;
    private String stampFor;
    private long stamp;

    private LoginGuard(
            KeycloakSession session,
            RealmModel realm,
            GuardedFlow flow,
            AuthenticatorConfigModel model,
            Channel channel,
            EventBuilder event) {
        this.session = session;
        this.event = event;
        this.realm = realm;
        this.flow = flow;
        this.config = GuardConfig.of(flow, model, realm.getName());
        this.channel = channel;
        this.store = new SingleUseObjectSlotStore(session);
        this.limiter = new Limiter(store, Time::currentTimeMillis);
        this.keys = new CounterKeys(realm.getId());
        this.client = ClientAddresses.of(session, config.trustedProxies());
    }

    /** Login limits of this execution, for a check that runs on login pages or on the token endpoint. */
    public static LoginGuard forLogin(AuthenticationFlowContext context, Channel channel) {
        return of(context, GuardedFlow.LOGIN, channel);
    }

    public static LoginGuard forReset(AuthenticationFlowContext context) {
        return of(context, GuardedFlow.RESET, Channel.BROWSER);
    }

    /** For a registration form action: the sign-up limit of its configuration. */
    public static LoginGuard forSignup(KeycloakSession session, RealmModel realm, AuthenticatorConfigModel model) {
        return new LoginGuard(session, realm, GuardedFlow.SIGNUP, model, Channel.BROWSER, null);
    }

    private static LoginGuard of(AuthenticationFlowContext context, GuardedFlow flow, Channel channel) {
        return new LoginGuard(
                context.getSession(),
                context.getRealm(),
                flow,
                context.getAuthenticatorConfig(),
                channel,
                context.getEvent());
    }

    static Limiter limiter(KeycloakSession session) {
        return new Limiter(new SingleUseObjectSlotStore(session), Time::currentTimeMillis);
    }

    /**
     * The string Keycloak's login form and reset form look up for a typed name: {@link String#trim()} removes every
     * character up to U+0020 at both ends, so the guard must count exactly that string.
     */
    public static String formLookup(String typedName) {
        return typedName == null ? null : typedName.trim();
    }

    /**
     * Counts a login attempt before any password is checked. {@code lookupName} is exactly the string Keycloak looks up
     * in this flow. Block markers are read before the name is looked up, so a refusal costs the same whether or not an
     * account has the name; unknown names count like known ones.
     */
    public Decision beginLogin(String lookupName) {
        List<Counter> network = networkCounters();
        if (lookupName == null || lookupName.isEmpty()) {
            return acquire(network);
        }
        String byName = CounterKeys.nameOf(lookupName);
        boolean knownBefore = knownClientByName(lookupName);
        List<Counter> early = new ArrayList<>(network);
        early.addAll(accountCounters(byName, !knownBefore));
        Optional<Decision.Denied> blocked = limiter.blocked(early);
        if (blocked.isPresent()) {
            return blocked.get();
        }
        Resolved resolved = resolve(lookupName);
        boolean known = knownBefore && resolved.user() != null && knownClient(resolved.user());
        return count(network, resolved.account(), byName, known);
    }

    /** Counts a check of a second credential (or of a password) for a user an earlier step already identified. */
    public Decision beginForUser(UserModel user) {
        List<Counter> network = networkCounters();
        String byName = CounterKeys.nameOf(user.getUsername());
        return count(network, CounterKeys.accountOf(user.getId(), user.getUsername()), byName, knownClient(user));
    }

    private Decision count(List<Counter> network, String account, String byName, boolean known) {
        List<Counter> counters = new ArrayList<>(network);
        counters.addAll(accountCounters(account, !known));
        Decision decision = acquire(counters);
        if (decision instanceof Decision.Denied denied && !CounterKeys.isName(account) && !config.monitor()) {
            // The next attempt with this spelling is refused before the name is looked up.
            Optional<Counter> spelling = denied.kind() == flow.accountAndAddressKind()
                    ? flow.accountAndAddressCounter(keys, config::limit, byName, client)
                    : denied.kind() == flow.accountKind()
                            ? flow.accountCounter(keys, config::limit, byName)
                            : Optional.empty();
            spelling.ifPresent(counter -> limiter.block(counter, denied.retryAfterSeconds()));
        }
        return decision;
    }

    /**
     * How full the counters of a login with {@code lookupName} are, read without claiming (for the proof-of-work
     * step-up): the client's network and, when a name is given, that account's counters as {@link #beginLogin} would
     * count them (a known browser is exempt from the account cap here too).
     */
    public Limiter.Pressure pressure(String lookupName) {
        List<Counter> counters = new ArrayList<>(networkCounters());
        if (lookupName != null && !lookupName.isEmpty()) {
            // Block markers first, as beginLogin reads them: a blocked spelling is answered 429 without a user lookup,
            // so the refusal costs the same whether or not an account has the name.
            List<Counter> early = new ArrayList<>(counters);
            early.addAll(accountCounters(CounterKeys.nameOf(lookupName), true));
            if (limiter.blocked(early).isPresent()) {
                return new Limiter.Pressure(1, 1);
            }
            Resolved resolved = resolve(lookupName);
            boolean known = knownClientByName(lookupName) && resolved.user() != null && knownClient(resolved.user());
            counters.addAll(accountCounters(CounterKeys.nameOf(lookupName), !known));
            if (!resolved.account().equals(CounterKeys.nameOf(lookupName))) {
                counters.addAll(accountCounters(resolved.account(), !known));
            }
        }
        return limiter.peek(counters);
    }

    /** How full the counters of a check for a user an earlier step identified are, read without claiming. */
    public Limiter.Pressure pressure(UserModel user) {
        List<Counter> counters = new ArrayList<>(networkCounters());
        counters.addAll(accountCounters(CounterKeys.accountOf(user.getId(), user.getUsername()), !knownClient(user)));
        return limiter.peek(counters);
    }

    /** Where refused puzzles of this client are summarised: one event per client network and interval. */
    String stepUpDigestKey() {
        return "pow\n" + realm.getId() + '\n' + client.limitKey();
    }

    /** The proof-of-work step-up settings of this execution. */
    GuardConfig.StepUp stepUp() {
        return config.stepUp();
    }

    /** Counts a password-reset request; every request counts, whether or not a mail goes out. */
    public Decision beginReset(String lookupName) {
        List<Counter> network = networkCounters();
        if (lookupName == null || lookupName.isEmpty()) {
            return acquire(network);
        }
        String byName = CounterKeys.nameOf(lookupName);
        List<Counter> early = new ArrayList<>(network);
        early.addAll(accountCounters(byName, true));
        Optional<Decision.Denied> blocked = limiter.blocked(early);
        if (blocked.isPresent()) {
            return blocked.get();
        }
        return count(
                network,
                resolve(session, realm, lookupName, LoginGuard::findForReset).account(),
                byName,
                false);
    }

    /** Counts a submitted registration form from this client address. */
    public Decision beginSignup() {
        return acquire(networkCounters());
    }

    /** In monitor mode a full counter places no block marker: a would-be refusal must never refuse later. */
    private Decision acquire(List<Counter> counters) {
        return limiter.acquire(counters, budget(), !config.monitor());
    }

    /**
     * Monitor mode: a would-be refusal is recorded and the attempt goes on to Keycloak's own check. Such an attempt
     * holds no slot (enforce would not have counted it either), and a right credential then forgives nothing and
     * remembers no client: the counters stay what enforce would have left, so switching to enforce refuses at once
     * where enforce would have been refusing.
     */
    public boolean monitor() {
        return config.monitor();
    }

    /**
     * The credential was right: this attempt stops counting. When it completed the login (no one-time code is still to
     * come), the user's failures from this address are forgiven and this client is remembered as known.
     */
    public void credentialAccepted(Decision.Allowed allowed, UserModel user, boolean loginComplete) {
        // Given back at once: a code checked later in this same request (the direct grant sends both)
        // must not find the password's slot still taken. Stamps live under keys of their own, so this
        // request's late writes cannot bring the slots back.
        limiter.release(allowed);
        if (!loginComplete || user == null) {
            return;
        }
        List<Counter> forgiven = new ArrayList<>(3);
        flow.accountAndAddressCounter(
                        keys, config::limit, CounterKeys.accountOf(user.getId(), user.getUsername()), client)
                .ifPresent(forgiven::add);
        for (String name : names(user)) {
            flow.accountAndAddressCounter(keys, config::limit, CounterKeys.nameOf(name), client)
                    .ifPresent(forgiven::add);
        }
        alertIfNewDevice(user);
        remember(user);
        // Forgiven after the transaction, once this request's own stamps and hints are written.
        AfterCompletion.always(session, () -> forgiven.forEach(limiter::reset));
    }

    /**
     * A credential was right although its attempt would have been refused (monitor mode): nothing is given back,
     * forgiven or remembered, but a completed login still raises the new-device alert, so that filling one's own
     * counters in monitor mode cannot hide a login from the owner.
     */
    public void acceptedDespiteWouldThrottle(UserModel user, boolean loginComplete) {
        if (loginComplete && user != null) {
            alertIfNewDevice(user);
        }
    }

    /**
     * A registration form succeeded: once its user exists (before the transaction commits), the account is marked as
     * seen, so the first login after sign-up from another device mails (see {@link NewDeviceAlert#registered}).
     */
    public static void accountRegistered(KeycloakSession session, AuthenticationSessionModel authSession) {
        AfterCompletion.beforeCommit(
                session, () -> NewDeviceAlert.registered(authSession.getAuthenticatedUser(), Time.currentTime()));
    }

    /** The password was right after a would-be refusal; see {@link #acceptedDespiteWouldThrottle}. */
    public void passwordAcceptedDespiteWouldThrottle(UserModel user) {
        acceptedDespiteWouldThrottle(user, !secondFactorFollows(user));
    }

    private void alertIfNewDevice(UserModel user) {
        if (config.newDeviceAlert() && config.knownClientDays() > 0) {
            NewDeviceAlert.loginCompleted(
                    session,
                    realm,
                    user,
                    knownClient(user),
                    client.address().getHostAddress(),
                    event,
                    Time.currentTime());
        }
    }

    /**
     * A password form's check behind this guard: a refused attempt is recorded and answered with {@code refusalPage}
     * (its form told the wait) sent with status 429, and never reaches {@code keycloakCheck}; a right password gives
     * the attempt's slots back. Returns what Keycloak's check returned, false when refused.
     */
    boolean checkPassword(
            AuthenticationFlowContext context,
            Decision decision,
            String typedName,
            Function<ThrottledAttempt, Response> refusalPage,
            BooleanSupplier keycloakCheck) {
        if (decision instanceof Decision.Denied denied) {
            if (monitor()) {
                ThrottledAttempt.of(context, denied).wouldThrottle();
                boolean valid = keycloakCheck.getAsBoolean();
                if (valid) {
                    passwordAcceptedDespiteWouldThrottle(context.getUser());
                }
                return valid;
            }
            ThrottledAttempt throttled = ThrottledAttempt.of(context, denied).recordEvent(typedName);
            context.forceChallenge(throttled.page(refusalPage.apply(throttled)));
            return false;
        }
        boolean valid = keycloakCheck.getAsBoolean();
        if (valid) {
            passwordAccepted((Decision.Allowed) decision, context.getUser());
        }
        return valid;
    }

    /** The password was right: the login is complete unless a one-time code still has to follow. */
    public void passwordAccepted(Decision.Allowed allowed, UserModel user) {
        credentialAccepted(allowed, user, !secondFactorFollows(user));
    }

    /** Whether a one-time code still has to follow the password for this user. */
    private static boolean secondFactorFollows(UserModel user) {
        return user != null && user.credentialManager().isConfiguredFor(OTPCredentialModel.TYPE);
    }

    /** The account part of a key for a name typed into the admin API, resolved as the login form resolves it. */
    public static String accountKey(KeycloakSession session, RealmModel realm, String typedName) {
        return resolve(session, realm, formLookup(typedName), KeycloakModelUtils::findUserByNameOrEmail)
                .account();
    }

    /** The user's names as Keycloak looks them up: the username and, when set, the email. */
    static List<String> names(UserModel user) {
        List<String> names = new ArrayList<>(2);
        names.add(user.getUsername());
        if (user.getEmail() != null && !user.getEmail().isBlank()) {
            names.add(user.getEmail());
        }
        return names;
    }

    /** The counters of the client's address (none for an allowlisted address). */
    private List<Counter> networkCounters() {
        return config.allowlisted(client) ? new ArrayList<>() : flow.networkCounters(keys, config::limit, client);
    }

    /**
     * Per account and address (not for allowlisted addresses) and per account (never lifted by the allowlist), as far
     * as this flow counts them.
     */
    private List<Counter> accountCounters(String account, boolean accountCap) {
        List<Counter> counters = new ArrayList<>(2);
        if (!config.allowlisted(client)) {
            flow.accountAndAddressCounter(keys, config::limit, account, client).ifPresent(counters::add);
        }
        if (accountCap) {
            flow.accountCounter(keys, config::limit, account).ifPresent(counters::add);
        }
        return counters;
    }

    /** Whether Keycloak's step, run on this context, accepted the credential (it called {@code success()}). */
    static boolean succeeded(AuthenticationFlowContext context) {
        return context.getStatus() == FlowStatus.SUCCESS;
    }

    private Limiter.Budget budget() {
        return keys.budget(config.limit(LimitKind.TRACKED_KEYS));
    }

    // --- known clients: exempt from the account cap, never from the per-account-and-address limit ---

    private boolean knownClientByName(String lookupName) {
        if (config.knownClientDays() == 0) {
            return false;
        }
        if (channel == Channel.BROWSER) {
            return device().map(claim -> claim.nameTags().contains(KnownDevice.nameTag(realm.getId(), lookupName)))
                    .orElse(false);
        }
        OptionalLong known = rememberedAddress(lookupName);
        return known.isPresent()
                && CounterKeys.knownClientAddress(
                        known.getAsLong(), addressTag().getAsLong());
    }

    /**
     * This client logged in to this account, with the password the account has now, within the last days; decided once
     * per request and user.
     */
    private boolean knownClient(UserModel user) {
        if (!user.getId().equals(knownFor)) {
            known = decideKnownClient(user);
            knownFor = user.getId();
        }
        return known;
    }

    private boolean decideKnownClient(UserModel user) {
        if (config.knownClientDays() == 0) {
            return false;
        }
        if (channel == Channel.BROWSER) {
            return device().map(claim -> claim.names(user, stamp(user))).orElse(false);
        }
        OptionalLong remembered = rememberedAddress(user.getUsername());
        return remembered.isPresent()
                && remembered.getAsLong()
                        == CounterKeys.knownClientValue(addressTag().getAsLong(), stamp(user));
    }

    /** {@link #credentialStamp} of {@code user}, queried once per request. */
    private long stamp(UserModel user) {
        if (!user.getId().equals(stampFor)) {
            stamp = credentialStamp(user);
            stampFor = user.getId();
        }
        return stamp;
    }

    /** What this client's place under {@code name} holds; empty when nothing, or when the realm has no HMAC key. */
    private OptionalLong rememberedAddress(String name) {
        OptionalLong tag = addressTag();
        return tag.isEmpty()
                ? OptionalLong.empty()
                : store.read(keys.knownClient(CounterKeys.nameOf(name), tag.getAsLong(), config.knownDevices()));
    }

    /**
     * A 32-bit tag of this client's address, keyed with the realm's HMAC key so that nobody can search for an address
     * that shares a place and tag with the owner's; empty when the realm has no such key.
     */
    private OptionalLong addressTag() {
        if (addressTag == null) {
            KeyWrapper key = session.keys().getActiveKey(realm, KeyUse.SIG, Algorithm.HS512);
            if (key == null || key.getSecretKey() == null) {
                addressTag = OptionalLong.empty();
            } else {
                byte[] mac = Hmac.sha256(
                        key.getSecretKey().getEncoded(),
                        ("warden-known-address\n" + realm.getId() + '\n' + client.limitKey())
                                .getBytes(StandardCharsets.UTF_8));
                addressTag = OptionalLong.of(ByteBuffer.wrap(mac).getInt() & 0xffff_ffffL);
            }
        }
        return addressTag;
    }

    /**
     * Which password the account has: a hash of its password credentials' ids and creation times, so a known client
     * stops being known when the password changes (a reset after a compromise must not leave the attacker's browser
     * exempt). No secret goes into it.
     */
    static long credentialStamp(UserModel user) {
        String passwords = user.credentialManager()
                .getStoredCredentialsByTypeStream(PasswordCredentialModel.TYPE)
                .map(c -> c.getId() + '@' + c.getCreatedDate())
                .sorted()
                .collect(Collectors.joining(","));
        return CounterKeys.hash64("credential\n" + user.getId() + '\n' + passwords);
    }

    private Optional<KnownDevice.Claim> device() {
        if (device == null) {
            device = KnownDevice.read(session, realm, Time.currentTime());
        }
        return device;
    }

    private void remember(UserModel user) {
        int days = config.knownClientDays();
        if (days == 0) {
            return;
        }
        if (channel == Channel.BROWSER) {
            KnownDevice.issue(session, realm, user, stamp(user), days, Time.currentTime());
            return;
        }
        OptionalLong tag = addressTag();
        if (tag.isEmpty()) {
            return;
        }
        long value = CounterKeys.knownClientValue(tag.getAsLong(), stamp(user));
        for (String name : names(user)) {
            store.write(
                    keys.knownClient(CounterKeys.nameOf(name), tag.getAsLong(), config.knownDevices()),
                    days * 86_400,
                    value);
        }
    }

    // --- which account a name means ---

    /** The account a looked-up name means: the user id when it names an account, else the name itself. */
    private record Resolved(String account, UserModel user) {}

    /** How a flow finds the account for a name. */
    private interface Finder {
        UserModel find(KeycloakSession session, RealmModel realm, String lookupName);
    }

    private Resolved resolve(String lookupName) {
        return resolve(session, realm, lookupName, KeycloakModelUtils::findUserByNameOrEmail);
    }

    /**
     * The forgot-password form looks up the username first, and the email only after (Keycloak's
     * ResetCredentialChooseUser).
     */
    private static UserModel findForReset(KeycloakSession session, RealmModel realm, String lookupName) {
        UserModel user = session.users().getUserByUsername(realm, lookupName);
        if (user == null && realm.isLoginWithEmailAllowed() && lookupName.contains("@")) {
            user = session.users().getUserByEmail(realm, lookupName);
        }
        return user;
    }

    private static Resolved resolve(KeycloakSession session, RealmModel realm, String lookupName, Finder finder) {
        // Keyed on the user id when the name or email belongs to an account, so typing the
        // email instead of the username (or another case) does not open a second counter.
        if (lookupName == null || !couldBeAccountName(lookupName)) {
            return new Resolved(CounterKeys.nameOf(lookupName), null);
        }
        UserModel user = null;
        try {
            user = finder.find(session, realm, lookupName);
        } catch (ModelDuplicateException e) {
            LOG.debug("two accounts match the typed name; counting the name itself");
        }
        return new Resolved(CounterKeys.accountOf(user == null ? null : user.getId(), lookupName), user);
    }

    /**
     * Names no account can have are not looked up: longer than Keycloak's column, or with a control character left
     * inside after the flow trimmed it (Keycloak's username and email validators refuse those, and PostgreSQL refuses a
     * NUL in a query).
     */
    private static boolean couldBeAccountName(String lookupName) {
        return !lookupName.isEmpty()
                && lookupName.length() <= 255
                && lookupName.chars().noneMatch(Character::isISOControl);
    }
}
