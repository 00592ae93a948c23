package dev.kcwarden.ratelimit;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.jboss.logging.Logger;
import org.keycloak.authentication.AuthenticationFlowContext;
import org.keycloak.common.util.Time;
import org.keycloak.models.AuthenticatorConfigModel;
import org.keycloak.models.KeycloakSession;
import org.keycloak.models.ModelDuplicateException;
import org.keycloak.models.RealmModel;
import org.keycloak.models.UserModel;
import org.keycloak.models.utils.KeycloakModelUtils;
import org.keycloak.models.AbstractKeycloakTransaction;

/**
 * Connects the limiter to one request: who the client is (Keycloak's view of the connection,
 * which honours {@code --proxy-headers}), which account the typed name means, and which
 * limits this execution's configuration sets.
 */
public final class LoginGuard {

    private static final Logger LOG = Logger.getLogger(LoginGuard.class);

    private final KeycloakSession session;
    private final RealmModel realm;
    private final GuardConfig config;
    private final Throttle throttle;
    private final ThrottleKeys keys;
    private final ClientAddress client;

    private LoginGuard(KeycloakSession session, RealmModel realm, GuardConfig config) {
        this.session = session;
        this.realm = realm;
        this.config = config;
        this.throttle = throttle(session);
        this.keys = new ThrottleKeys(realm.getId());
        this.client = clientOf(session);
    }

    public static LoginGuard forLogin(AuthenticationFlowContext context) {
        return of(context, GuardConfig.LOGIN);
    }

    public static LoginGuard forReset(AuthenticationFlowContext context) {
        return of(context, GuardConfig.RESET);
    }

    /** For a registration form action: the sign-up limit of its configuration. */
    public static LoginGuard forSignup(KeycloakSession session, RealmModel realm, AuthenticatorConfigModel model) {
        return new LoginGuard(session, realm, GuardConfig.of(GuardConfig.SIGNUP, model, realm.getName()));
    }

    private static LoginGuard of(AuthenticationFlowContext context, List<LimitSetting> settings) {
        AuthenticatorConfigModel model = context.getAuthenticatorConfig();
        RealmModel realm = context.getRealm();
        return new LoginGuard(context.getSession(), realm, GuardConfig.of(settings, model, realm.getName()));
    }

    static Throttle throttle(KeycloakSession session) {
        return new Throttle(new SingleUseObjectSlotStore(session), Time::currentTimeMillis);
    }

    /**
     * Counts a login attempt for {@code typedName} before any password is checked. Unknown
     * names count like known ones; nothing in the outcome depends on whether the account exists.
     */
    public Decision beginLogin(String typedName) {
        if (config.allowlisted(client)) {
            return new Decision.Allowed(List.of());
        }
        List<Bucket> buckets = new ArrayList<>(3);
        buckets.add(keys.ip(config.limit(LimitKind.IP), client));
        if (typedName != null && !typedName.isBlank()) {
            String account = accountOf(typedName);
            buckets.add(keys.userAndIp(config.limit(LimitKind.USER_IP), account, client));
            buckets.add(keys.account(config.limit(LimitKind.ACCOUNT), account));
        }
        return throttle.acquire(buckets);
    }

    /** Counts a password-reset request; every request counts, whether or not a mail goes out. */
    public Decision beginReset(String typedName) {
        if (config.allowlisted(client)) {
            return new Decision.Allowed(List.of());
        }
        List<Bucket> buckets = new ArrayList<>(2);
        buckets.add(keys.ip(config.limit(LimitKind.RESET_IP), client));
        if (typedName != null && !typedName.isBlank()) {
            buckets.add(keys.account(config.limit(LimitKind.RESET_ACCOUNT), accountOf(typedName)));
        }
        return throttle.acquire(buckets);
    }

    /** Counts a submitted registration form from this client address. */
    public Decision beginSignup() {
        if (config.allowlisted(client)) {
            return new Decision.Allowed(List.of());
        }
        return throttle.acquire(List.of(keys.ip(config.limit(LimitKind.SIGNUP_IP), client)));
    }

    /**
     * The password was right: this attempt stops counting and the user's failures from this
     * address are forgiven. Runs after the request's transaction, once the slots are stamped.
     */
    public void loginSucceeded(Decision.Allowed allowed, String typedName) {
        List<Bucket> forgiven = new ArrayList<>(1);
        if (!allowed.held().isEmpty() && typedName != null && !typedName.isBlank()) {
            forgiven.add(keys.userAndIp(config.limit(LimitKind.USER_IP), accountOf(typedName), client));
        }
        Runnable release = () -> {
            throttle.release(allowed);
            forgiven.forEach(throttle::reset);
        };
        session.getTransactionManager().enlistAfterCompletion(new AbstractKeycloakTransaction() {
            @Override
            protected void commitImpl() {
                release.run();
            }

            @Override
            protected void rollbackImpl() {
                release.run();
            }
        });
    }

    private String accountOf(String typedName) {
        return accountKey(session, realm, typedName);
    }

    /** The account part of a key for a typed username or email, as the guard and the admin API compute it. */
    public static String accountKey(KeycloakSession session, RealmModel realm, String typedName) {
        // Keyed on the user id when the name or email belongs to an account, so typing the
        // email instead of the username (or another case) does not open a second counter.
        String userId = null;
        if (!couldBeAccountName(typedName)) {
            return ThrottleKeys.accountOf(null, typedName);
        }
        try {
            UserModel user = KeycloakModelUtils.findUserByNameOrEmail(session, realm, typedName.strip());
            userId = user == null ? null : user.getId();
        } catch (ModelDuplicateException e) {
            LOG.debug("two accounts match the typed name; counting the name itself");
        }
        return ThrottleKeys.accountOf(userId, typedName);
    }

    /** Names no account can have (too long for Keycloak's column, control characters) are not looked up. */
    private static boolean couldBeAccountName(String typedName) {
        return typedName.length() <= 255 && typedName.chars().noneMatch(Character::isISOControl);
    }

    private static ClientAddress clientOf(KeycloakSession session) {
        String remote = session.getContext().getConnection().getRemoteAddr();
        Optional<ClientAddress> parsed = ClientAddress.parse(remote);
        if (parsed.isEmpty()) {
            LOG.debugf("client address '%s' is not an IP literal; counting it as 0.0.0.0", remote);
        }
        return parsed.orElseGet(() -> ClientAddress.parse("0.0.0.0").orElseThrow());
    }
}
