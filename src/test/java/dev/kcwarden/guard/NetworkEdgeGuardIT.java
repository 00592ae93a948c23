package dev.kcwarden.guard;

import static org.assertj.core.api.Assertions.assertThat;

import dev.kcwarden.testing.AppendingProxy;
import dev.kcwarden.testing.DemoRealm;
import dev.kcwarden.testing.Events;
import dev.kcwarden.testing.GuardLimits;
import dev.kcwarden.testing.Http;
import dev.kcwarden.testing.LoopbackClient;
import dev.kcwarden.testing.ProxiedServerConfig;
import dev.kcwarden.testing.Users;
import dev.kcwarden.testing.WardenApi;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.keycloak.admin.client.Keycloak;
import org.keycloak.representations.idm.EventRepresentation;
import org.keycloak.testframework.annotations.InjectAdminClient;
import org.keycloak.testframework.annotations.InjectRealm;
import org.keycloak.testframework.annotations.KeycloakIntegrationTest;
import org.keycloak.testframework.realm.ManagedRealm;

/**
 * The client address at the network's edge: Keycloak behind a proxy that appends to X-Forwarded-For (with
 * {@code --proxy-headers xforwarded}), IPv6 clients and their networks, and the realm's bound on counters for made-up
 * keys.
 */
@KeycloakIntegrationTest(config = ProxiedServerConfig.class)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
@DisplayName("Login guard at the network edge: appending proxies, IPv6 networks, the bound on tracked keys")
class NetworkEdgeGuardIT {

    static final int USER_IP_MAX = 5;
    static final String WRONG = "not-the-password-1";
    static final String PASSWORD = "Edge-test-passphrase-1";

    @InjectRealm(fromJson = DemoRealm.JSON, config = DemoRealm.Offline.class)
    ManagedRealm realm;

    @InjectAdminClient
    Keycloak admin;

    private void limits(Map<String, String> values) {
        Map<String, String> all = new LinkedHashMap<>(Map.of(
                "warden.user-ip.max",
                String.valueOf(USER_IP_MAX),
                "warden.ip.max",
                "1000",
                "warden.ip6-56.max",
                "1000",
                "warden.ip6-48.max",
                "1000",
                "warden.account.max",
                "1000",
                "warden.trusted-proxies",
                "",
                "warden.tracked-keys.max",
                "100000"));
        all.putAll(values);
        GuardLimits.set(realm, GuardLimits.DIRECT_GRANT_FLOW, GuardedDirectGrantFactory.PROVIDER_ID, all);
    }

    private String tokenUrl(String base) {
        return base + "/realms/" + DemoRealm.NAME + "/protocol/openid-connect/token";
    }

    private static Http.Reply grant(
            LoopbackClient from, String url, String username, String password, String forwardedFor) {
        return grantWithHeaders(
                from,
                url,
                username,
                password,
                forwardedFor == null ? Map.of() : Map.of("X-Forwarded-For", forwardedFor));
    }

    private static Http.Reply grantWithHeaders(
            LoopbackClient from, String url, String username, String password, Map<String, String> headers) {
        Map<String, String> form = new LinkedHashMap<>();
        form.put("grant_type", "password");
        form.put("client_id", DemoRealm.CLI);
        form.put("username", username);
        form.put("password", password);
        return from.postForm(url, form, headers);
    }

    private String keycloakBase() {
        return realm.getBaseUrl().substring(0, realm.getBaseUrl().indexOf("/realms/"));
    }

    /** What an admin does after a false alarm: clears the counters of an address through warden's admin API. */
    private void clearThrottles(String ip) {
        String token = admin.tokenManager().getAccessTokenString();
        Http.Reply cleared = Http.send("DELETE", WardenApi.url(realm.getBaseUrl(), "throttles?ip=") + ip, token);
        assertThat(cleared.status()).as(cleared.body()).isEqualTo(200);
        assertThat(cleared.json().get("cleared")).asList().contains("ip6_56");
    }

    private EventRepresentation lastThrottle() {
        return Events.of(realm, "LOGIN_ERROR").max(50).list().stream()
                .filter(e -> "warden_throttled".equals(e.getError()))
                .findFirst()
                .orElseThrow();
    }

    @Test
    @DisplayName(
            "appending proxy, trusted-proxies set: a forged left-most X-Forwarded-For changes no key and frames nobody")
    void forgedLeftMostChangesNoKey() {
        limits(Map.of("warden.trusted-proxies", "127.0.0.1/32"));
        String victim = "edge-proxy";
        Users.create(realm, Users.withPassword(victim, PASSWORD));
        try (AppendingProxy proxy = new AppendingProxy(keycloakBase())) {
            String url = tokenUrl(proxy.baseUrl());
            LoopbackClient attacker = new LoopbackClient("127.0.6.1");
            for (int i = 0; i < USER_IP_MAX; i++) {
                assertThat(grant(attacker, url, victim, WRONG, "198.51.100." + i)
                                .status())
                        .isEqualTo(400);
            }
            assertThat(grant(attacker, url, victim, PASSWORD, "198.51.100.77").status())
                    .as("a new forged address")
                    .isEqualTo(429);
            assertThat(grant(attacker, url, victim, PASSWORD, "127.0.6.9").status())
                    .as("claiming the victim's address")
                    .isEqualTo(429);
            assertThat(grant(attacker, url, victim, PASSWORD, null).status())
                    .as("no header at all")
                    .isEqualTo(429);
            assertThat(grant(new LoopbackClient("127.0.6.9"), url, victim, PASSWORD, null)
                            .status())
                    .as("the framed address is untouched")
                    .isEqualTo(200);
        }
    }

    @Test
    @DisplayName("trusted proxies set, Keycloak believing anyone's header: a client that bypasses the proxy is "
            + "counted as its own connection")
    void clientBypassingTheProxyIsItsConnection() {
        limits(Map.of("warden.trusted-proxies", "127.0.0.1/32"));
        String victim = "edge-bypass";
        Users.create(realm, Users.withPassword(victim, PASSWORD));
        LoopbackClient attacker = new LoopbackClient("127.0.6.70");
        String url = tokenUrl(keycloakBase());
        for (int i = 0; i < USER_IP_MAX; i++) {
            // Keycloak (no --proxy-trusted-addresses) takes this made-up address as the client's
            assertThat(grant(attacker, url, victim, WRONG, "127.0.6." + (100 + i))
                            .status())
                    .isEqualTo(400);
        }
        assertThat(grant(attacker, url, victim, PASSWORD, "127.0.6.120").status())
                .as("a sixth made-up address")
                .isEqualTo(429);
        assertThat(grant(new LoopbackClient("127.0.6.71"), url, victim, PASSWORD, null)
                        .status())
                .as("another client is untouched")
                .isEqualTo(200);
    }

    @Test
    @DisplayName("appending proxy, no trusted proxies configured: Keycloak's left-most address is what counts (why "
            + "the setting exists)")
    void withoutTheSettingTheLeftMostCounts() {
        limits(Map.of());
        String victim = "edge-noproxy";
        Users.create(realm, Users.withPassword(victim, PASSWORD));
        try (AppendingProxy proxy = new AppendingProxy(keycloakBase())) {
            String url = tokenUrl(proxy.baseUrl());
            LoopbackClient attacker = new LoopbackClient("127.0.6.2");
            for (int i = 0; i < USER_IP_MAX + 3; i++) {
                Http.Reply reply = grant(attacker, url, victim, WRONG, "198.51.101." + i);
                assertThat(reply.status())
                        .as("fresh forged address %d: %s", i, reply.body())
                        .isEqualTo(400);
            }
            assertThat(grant(attacker, url, victim, PASSWORD, "198.51.101.99").status())
                    .isEqualTo(200);
        }
    }

    @Test
    @DisplayName("IPv6 (::1): the /56 and the /48 around a client have limits of their own")
    void ipv6Networks() {
        String url = "http://[::1]:" + java.net.URI.create(realm.getBaseUrl()).getPort() + "/realms/" + DemoRealm.NAME
                + "/protocol/openid-connect/token";
        LoopbackClient v6 = new LoopbackClient("::1");
        limits(Map.of("warden.ip6-56.max", "3"));
        for (int i = 0; i < 3; i++) {
            assertThat(grant(v6, url, "edge-v6-" + i, WRONG, null).status()).isEqualTo(400);
        }
        assertThat(grant(v6, url, "edge-v6-3", WRONG, null).status()).isEqualTo(429);
        assertThat(lastThrottle().getDetails()).containsEntry("warden_limit", "ip6_56");

        clearThrottles("::1");
        limits(Map.of("warden.ip6-48.max", "3"));
        for (int i = 4; i < 7; i++) {
            assertThat(grant(v6, url, "edge-v6-" + i, WRONG, null).status()).isEqualTo(400);
        }
        assertThat(grant(v6, url, "edge-v6-7", WRONG, null).status()).isEqualTo(429);
        assertThat(lastThrottle().getDetails()).containsEntry("warden_limit", "ip6_48");
        assertThat(grant(new LoopbackClient("127.0.6.3"), tokenUrl(keycloakBase()), "edge-v6-8", WRONG, null)
                        .status())
                .as("an IPv4 client is not in any IPv6 network")
                .isEqualTo(400);
    }

    @Test
    @DisplayName(
            "IPv6 behind a trusted proxy: two addresses of one /64 share the per-IP counter, the next /64 has its own")
    void oneSlash64IsOneAddress() {
        // The test client is the trusted proxy here, so the address it forwards is the client's.
        limits(Map.of("warden.trusted-proxies", "127.0.6.60/32", "warden.ip.max", "3"));
        LoopbackClient proxy = new LoopbackClient("127.0.6.60");
        String url = tokenUrl(keycloakBase());
        List<String> sameSlash64 = List.of("2001:db8:0:1::1", "2001:db8:0:1::2", "2001:db8:0:1:ffff:ffff:ffff:fffe");
        for (int i = 0; i < sameSlash64.size(); i++) {
            // The client also writes a left-most element of its own, a new one each time (Keycloak takes that one).
            Http.Reply reply = proxied(proxy, url, "edge-64-" + i, "203.0.113." + i + ", " + sameSlash64.get(i));
            assertThat(reply.status())
                    .as("%s: %s", sameSlash64.get(i), reply.body())
                    .isEqualTo(400);
        }
        Http.Reply refused = proxied(proxy, url, "edge-64-3", "203.0.113.3, 2001:db8:0:1::99");
        assertThat(refused.status()).as("a fourth address of the same /64").isEqualTo(429);
        assertThat(lastThrottle().getDetails()).containsEntry("warden_limit", "ip");
        assertThat(proxied(proxy, url, "edge-64-4", "203.0.113.3, 2001:db8:0:2::1")
                        .status())
                .as("the next /64")
                .isEqualTo(400);
    }

    private static Http.Reply proxied(LoopbackClient proxy, String url, String username, String forwardedFor) {
        // The realm wants https for addresses that are not private; a TLS-terminating proxy says so.
        return grantWithHeaders(
                proxy, url, username, WRONG, Map.of("X-Forwarded-For", forwardedFor, "X-Forwarded-Proto", "https"));
    }

    @Test
    @Order(Integer.MAX_VALUE) // spends the realm's budget for a whole window: last
    @DisplayName("once a spray spends the realm's budget of tracked keys, made-up keys go uncounted (nothing "
            + "stored), answered like real ones; accounts keep their limits")
    void trackedKeysBudget() {
        limits(Map.of("warden.tracked-keys.max", "30", "warden.user-ip.max", "3", "warden.ip.max", "3"));
        for (int i = 0; i < 150; i++) {
            // a new address and a new name each time: each attempt would open three counters of its own
            Http.Reply reply = grant(
                    new LoopbackClient("127.0.7." + (i + 1)), tokenUrl(keycloakBase()), "spray-" + i, WRONG, null);
            assertThat(reply.status())
                    .as("made-up name %d is answered like a wrong password: %s", i, reply.body())
                    .isEqualTo(400);
        }
        LoopbackClient fresh = new LoopbackClient("127.0.8.3");
        for (int i = 0; i < 5; i++) {
            assertThat(grant(fresh, tokenUrl(keycloakBase()), "spray-late-" + i, WRONG, null)
                            .status())
                    .as("a new address past its per-IP limit (3) is not counted while the budget is spent: "
                            + "the price of the bound")
                    .isEqualTo(400);
        }
        Users.create(realm, Users.withPassword("edge-real", PASSWORD));
        assertThat(grant(new LoopbackClient("127.0.8.1"), tokenUrl(keycloakBase()), "edge-real", PASSWORD, null)
                        .status())
                .as("a real account from a new address still gets in during the spray")
                .isEqualTo(200);
        LoopbackClient typo = new LoopbackClient("127.0.8.2");
        for (int i = 0; i < 3; i++) {
            assertThat(grant(typo, tokenUrl(keycloakBase()), "edge-real", WRONG, null)
                            .status())
                    .isEqualTo(400);
        }
        assertThat(grant(typo, tokenUrl(keycloakBase()), "edge-real", PASSWORD, null)
                        .status())
                .as("and keeps its own per-user+IP limit")
                .isEqualTo(429);
        limits(Map.of());
    }
}
