package dev.kcwarden.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import dev.kcwarden.testing.AdminRest;
import dev.kcwarden.testing.Concurrently;
import dev.kcwarden.testing.DemoRealm;
import dev.kcwarden.testing.Http;
import dev.kcwarden.testing.KeycloakNode;
import dev.kcwarden.testing.LoopbackClient;
import dev.kcwarden.testing.Pkce;
import dev.kcwarden.testing.PostgresDatabase;
import dev.kcwarden.testing.WardenApi;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * Two Keycloak nodes of {@code keycloak.version} (production mode, {@code --cache=ispn}, JDBC_PING discovery) on one
 * PostgreSQL database of their own, as an operator runs a cluster: the login guard's counters must be one set for both.
 * The nodes use ports 8380/8381, 9380/9381 and 7800/7801 on 127.0.0.1.
 */
@DisplayName("Two nodes of one cluster share the login guard's counters")
class TwoNodeClusterIT {

    private static final String ADMIN = "admin";
    private static final String ADMIN_PASSWORD = Pkce.randomToken(18);
    private static final String PASSWORD = "Cluster-passphrase-2026";
    private static final int USER_IP_MAX = 5;

    private static PostgresDatabase database;
    private static Node a;
    private static Node b;

    private record Node(KeycloakNode keycloak, int port) {
        String name() {
            return keycloak.name();
        }

        String tokenUrl() {
            return "http://127.0.0.1:" + port + "/realms/" + DemoRealm.NAME + "/protocol/openid-connect/token";
        }

        String base() {
            return "http://127.0.0.1:" + port;
        }
    }

    @BeforeAll
    static void startCluster() throws Exception {
        database = PostgresDatabase.create("warden_cluster");
        KeycloakNode nodeA = KeycloakNode.prepare("node-a");
        // one build (providers included) serves both nodes: they then start --optimized
        nodeA.build(List.of("--db=postgres", "--health-enabled=true"));
        KeycloakNode nodeB = nodeA.copyAs("node-b");
        a = start(nodeA, 8380, 9380, 7800, true);
        b = start(nodeB, 8381, 9381, 7801, false);
        for (Node node : List.of(a, b)) {
            // both nodes have logged a cluster view with two members
            node.keycloak().awaitLogLine(Duration.ofSeconds(90), "ISPN000094", "(2)");
        }
        configure();
    }

    private static Node start(
            KeycloakNode keycloak, int port, int managementPort, int clusterPort, boolean importRealm) {
        List<String> args = new ArrayList<>(List.of(
                "start",
                "--optimized",
                "--db-url=" + database.jdbcUrl(),
                "--db-username=postgres",
                "--db-password=unused",
                "--hostname-strict=false",
                "--http-enabled=true",
                "--http-port=" + port,
                "--http-management-port=" + managementPort,
                "--cache-embedded-network-bind-address=127.0.0.1",
                "--cache-embedded-network-bind-port=" + clusterPort));
        if (importRealm) {
            args.add("--import-realm");
        }
        keycloak.start(args, importRealm ? ADMIN : null, ADMIN_PASSWORD, Map.of());
        Node node = new Node(keycloak, port);
        keycloak.awaitOk(
                node.base() + "/realms/" + DemoRealm.NAME + "/.well-known/openid-configuration", Duration.ofMinutes(3));
        return node;
    }

    /** Small limits and the users, through node A's admin API. */
    private static void configure() throws Exception {
        AdminRest admin = AdminRest.signIn(a.base(), ADMIN, ADMIN_PASSWORD);
        admin.setGuardLimits(
                DemoRealm.NAME,
                "warden direct grant",
                "warden-direct-grant-validate",
                Map.of("warden.user-ip.max", String.valueOf(USER_IP_MAX)));
        for (String user : List.of("cluster-alice", "cluster-bob", "cluster-carol")) {
            admin.createUser(DemoRealm.NAME, user, PASSWORD);
        }
    }

    @AfterAll
    static void stopCluster() throws Exception {
        try {
            for (Node node : new Node[] {a, b}) {
                if (node != null) {
                    node.keycloak().stop();
                }
            }
        } finally {
            if (database != null) {
                database.drop();
            }
        }
    }

    private static Http.Reply login(Node node, LoopbackClient from, String username, String password) {
        Map<String, String> form = new LinkedHashMap<>();
        form.put("grant_type", "password");
        form.put("client_id", DemoRealm.CLI);
        form.put("username", username);
        form.put("password", password);
        return from.postForm(node.tokenUrl(), form);
    }

    @Test
    @DisplayName("failures on node A and node B add up; the block holds on both")
    void failuresAddUpAcrossNodes() {
        LoopbackClient attacker = new LoopbackClient("127.0.0.91");
        for (int i = 0; i < USER_IP_MAX; i++) {
            Node node = i % 2 == 0 ? a : b;
            assertThat(login(node, attacker, "cluster-alice", "wrong").status())
                    .as("failure %d on %s", i + 1, node.name())
                    .isEqualTo(400);
        }
        Http.Reply onA = login(a, attacker, "cluster-alice", PASSWORD);
        Http.Reply onB = login(b, attacker, "cluster-alice", PASSWORD);
        assertThat(onA.status()).as(onA.body()).isEqualTo(429);
        assertThat(onB.status()).as(onB.body()).isEqualTo(429);
        assertThat(onB.header("Retry-After")).matches("[1-9][0-9]*");
        assertThat(login(b, new LoopbackClient("127.0.0.92"), "cluster-alice", PASSWORD)
                        .status())
                .as("the owner elsewhere")
                .isEqualTo(200);
    }

    @Test
    @DisplayName("40 parallel wrong passwords split over both nodes: exactly the limit reach a password check")
    void exactAcrossNodesUnderConcurrency() throws Exception {
        int attempts = 40;
        List<Integer> statuses = Concurrently.atOnce(
                attempts,
                i -> () -> login(i % 2 == 0 ? a : b, new LoopbackClient("127.0.0.93"), "cluster-bob", "wrong")
                        .status());
        long checked = statuses.stream().filter(status -> status == 400).count();
        long throttled = statuses.stream().filter(status -> status == 429).count();
        System.out.printf(
                "cluster: %d of %d parallel attempts reached the password check (limit %d), %d throttled%n",
                checked, attempts, USER_IP_MAX, throttled);
        assertThat(checked).as("reached the password check, on either node").isEqualTo(USER_IP_MAX);
        assertThat(throttled).as("refused before it").isEqualTo(attempts - USER_IP_MAX);
    }

    @Test
    @DisplayName("an admin clearing a block on node B frees the user on node A")
    void clearOnOneNodeFreesTheOther() throws Exception {
        LoopbackClient from = new LoopbackClient("127.0.0.94");
        for (int i = 0; i <= USER_IP_MAX; i++) {
            login(a, from, "cluster-carol", "wrong");
        }
        assertThat(login(a, from, "cluster-carol", PASSWORD).status()).isEqualTo(429);
        String token = AdminRest.signIn(b.base(), ADMIN, ADMIN_PASSWORD).token();
        Http.Reply cleared = Http.send(
                "DELETE",
                WardenApi.url(b.base() + "/realms/" + DemoRealm.NAME, "throttles?username=cluster-carol&ip=127.0.0.94"),
                token);
        assertThat(cleared.status()).as(cleared.body()).isEqualTo(200);
        assertThat(login(a, from, "cluster-carol", PASSWORD).status()).isEqualTo(200);
    }
}
