package dev.kcwarden.metrics;

import static org.assertj.core.api.Assertions.assertThat;

import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.Metrics;
import io.micrometer.core.instrument.Tag;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.lang.reflect.Proxy;
import java.util.List;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.keycloak.models.RealmModel;

@DisplayName("WardenMetrics: realm-scoped counters carry the realm's name (never its id), server-wide ones no realm")
class WardenMetricsTest {

    private final SimpleMeterRegistry registry = new SimpleMeterRegistry();

    @BeforeEach
    void register() {
        Metrics.addRegistry(registry);
    }

    @AfterEach
    void unregister() {
        Metrics.removeRegistry(registry);
    }

    /** A realm whose id differs from its name, as in any realm created without an explicit id. */
    private static RealmModel realm(String id, String name) {
        return (RealmModel) Proxy.newProxyInstance(
                RealmModel.class.getClassLoader(),
                new Class<?>[] {RealmModel.class},
                (proxy, method, args) -> switch (method.getName()) {
                    case "getId" -> id;
                    case "getName" -> name;
                    default -> throw new UnsupportedOperationException(method.getName());
                });
    }

    private double count(String name, String... tags) {
        return registry.find(name).tags(tags).counters().stream()
                .mapToDouble(c -> c.count())
                .sum();
    }

    @Test
    @DisplayName("each realm-scoped counter counts under realm=<name>, and a second realm's counts stay apart")
    void realmScopedCountersCarryTheName() {
        RealmModel shop = realm("7d1c0a2e-shop-id", "shop");
        RealmModel staff = realm("e93b44f0-staff-id", "staff");
        WardenMetrics.throttled(shop, "user_ip");
        WardenMetrics.throttled(shop, "user_ip");
        WardenMetrics.throttled(staff, "user_ip");
        WardenMetrics.signupRejected(shop, "honeypot");
        WardenMetrics.breachCheck(staff, "unavailable_open");
        WardenMetrics.refreshReuse(shop, "session");
        WardenMetrics.authEvent("staff", "LOGIN_ERROR", "invalid_user_credentials");

        assertThat(count("warden.throttle.rejections", "realm", "shop", "limit", "user_ip"))
                .isEqualTo(2);
        assertThat(count("warden.throttle.rejections", "realm", "staff", "limit", "user_ip"))
                .isEqualTo(1);
        assertThat(count("warden.signup.rejections", "realm", "shop", "rule", "honeypot"))
                .isEqualTo(1);
        assertThat(count("warden.signup.rejections", "realm", "staff")).isZero();
        assertThat(count("warden.breach.checks", "realm", "staff", "outcome", "unavailable_open"))
                .isEqualTo(1);
        assertThat(count("warden.refresh.reuse.incidents", "realm", "shop", "scope", "session"))
                .isEqualTo(1);
        assertThat(count(
                        "warden.auth.events",
                        "realm",
                        "staff",
                        "type",
                        "LOGIN_ERROR",
                        "outcome",
                        "error",
                        "error",
                        "invalid_user_credentials"))
                .isEqualTo(1);
        List<String> realms = registry.getMeters().stream()
                .filter(m -> m.getId().getName().startsWith("warden."))
                .filter(m -> !m.getId().getName().startsWith("warden.audit.")
                        && !m.getId().getName().startsWith("warden.webhook."))
                .filter(m -> registry.find(m.getId().getName()).tags(m.getId().getTags()).counters().stream()
                        .anyMatch(c -> c.count() > 0))
                .map(m -> m.getId().getTag("realm"))
                .distinct()
                .toList();
        assertThat(realms).as("never an id").containsOnly("shop", "staff");
    }

    @Test
    @DisplayName("an unknown realm counts as realm=\"\" (as Keycloak's own event metrics do) instead of failing or "
            + "dropping the count")
    void noRealmIsEmpty() {
        WardenMetrics.throttled(null, "ip");
        WardenMetrics.authEvent(null, "LOGIN", null);
        assertThat(count("warden.throttle.rejections", "realm", "", "limit", "ip"))
                .isEqualTo(1);
        assertThat(count("warden.auth.events", "realm", "", "outcome", "success", "error", "none"))
                .isEqualTo(1);
    }

    @Test
    @DisplayName("audit lines and webhook deliveries are server-wide: no realm label")
    void serverWideCountersHaveNoRealm() {
        WardenMetrics.auditLine();
        WardenMetrics.webhook("delivered", "main");
        List<Meter> serverWide = registry.getMeters().stream()
                .filter(m -> m.getId().getName().startsWith("warden.audit.")
                        || m.getId().getName().startsWith("warden.webhook."))
                .toList();
        assertThat(serverWide).isNotEmpty();
        for (Meter meter : serverWide) {
            List<String> keys =
                    meter.getId().getTags().stream().map(Tag::getKey).collect(Collectors.toList());
            assertThat(keys).as(meter.getId().getName()).doesNotContain("realm");
        }
        assertThat(count("warden.audit.lines")).isEqualTo(1);
    }
}
