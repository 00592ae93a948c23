package dev.kcwarden.password;

import dev.kcwarden.AdminSave;
import dev.kcwarden.RequestKey;
import dev.kcwarden.WardenEvents;
import dev.kcwarden.WardenMessages;
import dev.kcwarden.metrics.WardenMetrics;
import java.io.IOException;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.http.impl.client.CloseableHttpClient;
import org.jboss.logging.Logger;
import org.keycloak.connections.httpclient.HttpClientProvider;
import org.keycloak.models.KeycloakSession;
import org.keycloak.models.RealmModel;
import org.keycloak.models.UserModel;
import org.keycloak.policy.PasswordPolicyProvider;
import org.keycloak.policy.PolicyError;

/** One check: offline list first, then the range service; nothing about the password is logged. */
public final class BreachedPasswordPolicy implements PasswordPolicyProvider {

    private static final Logger LOG = Logger.getLogger(BreachedPasswordPolicy.class);
    private static final long WARN_EVERY_MILLIS = 60_000;

    private final KeycloakSession session;
    private final BreachCheck.Counts counts;
    private final AtomicLong lastWarning;

    BreachedPasswordPolicy(KeycloakSession session, BreachCheck.Counts counts, AtomicLong lastWarning) {
        this.session = session;
        this.counts = counts;
        this.lastWarning = lastWarning;
    }

    @Override
    public PolicyError validate(RealmModel realm, UserModel user, String password) {
        return check(realm, password);
    }

    @Override
    public PolicyError validate(String user, String password) {
        return check(session.getContext().getRealm(), password);
    }

    private PolicyError check(RealmModel realm, String password) {
        if (password == null || RequestKey.REGISTRATION_REFUSED.get(session).isPresent()) {
            return null;
        }
        BreachSettings settings = realm == null
                ? BreachSettings.DEFAULTS
                : realm.getPasswordPolicy().getPolicyConfig(BreachedPasswordPolicyFactory.PROVIDER_ID);
        if (settings == null) {
            settings = BreachSettings.DEFAULTS;
        }
        if (CommonPasswords.contains(password)) {
            return record(BreachCheck.COMMON, new PolicyError(WardenMessages.PASSWORD_COMMON));
        }
        if (!settings.remote()) {
            return record(BreachCheck.PASSED, null);
        }
        if (!settings.rangeUrlAllowed()) {
            // stored by an older release; saving it again is refused (BreachSettings), and it is never queried
            warn(
                    realm,
                    settings,
                    "the url is plain http to a host that is not loopback: set an https url in "
                            + "Authentication → Policies");
            return unavailable(settings);
        }
        try {
            CloseableHttpClient http =
                    session.getProvider(HttpClientProvider.class).getHttpClient();
            int count = RangeClient.breachCount(http, settings.rangeUrl(), password, settings.timeout());
            return count >= settings.minimumCount()
                    ? record(BreachCheck.BREACHED, new PolicyError(WardenMessages.PASSWORD_BREACHED))
                    : record(BreachCheck.PASSED, null);
        } catch (IOException | RuntimeException e) {
            // RuntimeException: no HttpClientProvider, or a client that breaks; the switch decides, never a 500
            warn(realm, settings, e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage());
            return unavailable(settings);
        }
    }

    private PolicyError unavailable(BreachSettings settings) {
        return settings.failOpen()
                ? record(BreachCheck.UNAVAILABLE_OPEN, null)
                : record(BreachCheck.UNAVAILABLE_CLOSED, new PolicyError(WardenMessages.PASSWORD_CHECK_UNAVAILABLE));
    }

    private PolicyError record(BreachCheck outcome, PolicyError error) {
        counts.add(outcome);
        WardenMetrics.breachCheck(session.getContext().getRealm(), outcome.id());
        RequestKey.REGISTRATION_EVENT
                .get(session)
                .ifPresent(event -> event.detail(WardenEvents.BREACH_CHECK, outcome.id()));
        return error;
    }

    private void warn(RealmModel realm, BreachSettings settings, String why) {
        long now = System.currentTimeMillis();
        long last = lastWarning.get();
        if (now - last >= WARN_EVERY_MILLIS && lastWarning.compareAndSet(last, now)) {
            LOG.warnf(
                    "realm %s: breached-password range service %s unavailable (%s); failing %s (this warning "
                            + "repeats at most once a minute)",
                    realm == null ? "?" : realm.getName(),
                    settings.rangeUrl().getHost(),
                    why,
                    settings.failOpen() ? "open: passwords are accepted" : "closed: passwords are refused");
        }
    }

    @Override
    public Object parseConfig(String value) {
        return BreachSettings.parse(value, AdminSave.ofRealm(session));
    }

    @Override
    public void close() {
        // stateless
    }
}
