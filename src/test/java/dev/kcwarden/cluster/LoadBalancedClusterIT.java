package dev.kcwarden.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.core.type.TypeReference;
import dev.kcwarden.audit.VerifyAudit;
import dev.kcwarden.testing.AdminRest;
import dev.kcwarden.testing.DemoRealm;
import dev.kcwarden.testing.Http;
import dev.kcwarden.testing.KeycloakNode;
import dev.kcwarden.testing.LoopbackClient;
import dev.kcwarden.testing.Nginx;
import dev.kcwarden.testing.Pkce;
import dev.kcwarden.testing.PostgresDatabase;
import dev.kcwarden.testing.TokenEndpoint;
import dev.kcwarden.testing.VerifyAuditCommand;
import dev.kcwarden.testing.WardenApi;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.keycloak.util.JsonSerialization;

/**
 * The production topology without containers: Debian's nginx in front of two Keycloak nodes of {@code keycloak.version}
 * in production mode ({@code kc.sh build}, then {@code start --optimized}), clustered ({@code --cache=ispn}, JDBC_PING)
 * on a PostgreSQL database of their own, the demo realm imported once. Every request goes through nginx, which
 * overwrites X-Forwarded-For with the shipped rules (deploy/nginx/keycloak-proxy.conf); the nodes trust proxy headers
 * from 127.0.0.1 only. The public listener runs the shipped public rules (deploy/nginx/keycloak-public.conf), which
 * refuse /admin/ and the master realm; the admin API is called through the admin listener, as an operator reaches it in
 * docker-compose.yml.
 *
 * <p>Ports: nginx's public listener balances on 8580, its admin listener on 8585; it reaches node A alone on 8583, node
 * B alone on 8584 (to put a request on a chosen node, still through the proxy, with the admin listener's rules); the
 * nodes listen on 8581/8582 (HTTP), 9581/9582 (management) and 7810/7811 (JGroups). Cache owners: warden's counters
 * live in Keycloak's {@code actionTokens} cache, a distributed cache; the nodes set its owners to 2
 * ({@code --spi-cache-embedded--default--action-tokens-owners=2}, also Keycloak's floor for that cache), so every
 * counter and block has a copy on both nodes and survives the death of either.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
@DisplayName(
        "Two production-mode nodes behind nginx: shared limits, real client address, replay, audit, a node's death")
class LoadBalancedClusterIT {

    static final int BALANCER = 8580;
    static final int ADMIN_LISTENER = 8585;
    static final int VIA_A = 8583;
    static final int VIA_B = 8584;
    static final int HTTP_A = 8581;
    static final int HTTP_B = 8582;
    static final int USER_IP_MAX = 5;

    private static final String ADMIN = "admin";
    private static final String ADMIN_PASSWORD = Pkce.randomToken(18);
    private static final String CHAIN_KEY = "lb-cluster-it-chain-key-" + Pkce.randomToken(24);
    private static final String PASSWORD = "Balanced-passphrase-2026";

    private static PostgresDatabase database;
    private static KeycloakNode a;
    private static KeycloakNode b;
    private static Nginx nginx;
    private static AdminRest admin;

    @BeforeAll
    static void startTopology() throws Exception {
        dev.kcwarden.quickstart.KeycloakDistribution.requireFreePorts(
                BALANCER, ADMIN_LISTENER, VIA_A, VIA_B, HTTP_A, HTTP_B, 9581, 9582, 7810, 7811);
        database = PostgresDatabase.create("warden_lb");
        a = KeycloakNode.prepare("lb-node-a");
        // the image's build step (Dockerfile): PostgreSQL, health, metrics and the clustered cache baked in
        a.build(List.of("--db=postgres", "--health-enabled=true", "--metrics-enabled=true", "--cache=ispn"));
        b = a.copyAs("lb-node-b");
        start(a, HTTP_A, 9581, 7810, true);
        a.awaitOk("http://127.0.0.1:9581/health/ready", Duration.ofMinutes(3));
        start(b, HTTP_B, 9582, 7811, false);
        b.awaitOk("http://127.0.0.1:9582/health/ready", Duration.ofMinutes(3));
        for (KeycloakNode node : List.of(a, b)) {
            node.awaitLogLine(Duration.ofSeconds(90), "ISPN000094", "(2)");
        }
        nginx = Nginx.start(
                Path.of(System.getProperty("warden.cluster.dist")).getParent().resolve("lb-nginx"),
                BALANCER,
                List.of(HTTP_A, HTTP_B),
                Map.of(ADMIN_LISTENER, List.of(HTTP_A, HTTP_B), VIA_A, List.of(HTTP_A), VIA_B, List.of(HTTP_B)));

        // the master realm and the admin API are not on the public listener: sign in where an operator would
        admin = AdminRest.signIn(base(ADMIN_LISTENER), ADMIN, ADMIN_PASSWORD);
        admin.setGuardLimits(
                DemoRealm.NAME,
                "warden direct grant",
                "warden-direct-grant-validate",
                Map.of("warden.user-ip.max", String.valueOf(USER_IP_MAX)));
        for (String user : List.of(
                "lb-alice",
                "lb-bob",
                "lb-carol",
                "lb-dora",
                "lb-erin",
                "lb-frank",
                "lb-grace",
                "lb-henry",
                "lb-load-1",
                "lb-load-2",
                "lb-load-3",
                "lb-load-4")) {
            admin.createUser(DemoRealm.NAME, user, PASSWORD);
        }
    }

    private static void start(
            KeycloakNode node, int httpPort, int managementPort, int clusterPort, boolean importRealm) {
        List<String> args = new ArrayList<>(List.of(
                "start",
                "--optimized",
                "--db-url=" + database.jdbcUrl(),
                "--db-username=postgres",
                "--db-password=unused",
                // the public address is the balancer's; the node itself listens on loopback only
                "--hostname=http://127.0.0.1:" + BALANCER,
                "--hostname-admin=http://127.0.0.1:" + ADMIN_LISTENER,
                "--http-enabled=true",
                "--http-host=127.0.0.1",
                "--http-port=" + httpPort,
                "--http-management-port=" + managementPort,
                "--proxy-headers=xforwarded",
                "--proxy-trusted-addresses=127.0.0.1/32",
                "--cache-embedded-network-bind-address=127.0.0.1",
                "--cache-embedded-network-bind-port=" + clusterPort,
                "--spi-cache-embedded--default--action-tokens-owners=2",
                "--spi-events-listener--warden-audit--node=" + node.name()));
        if (importRealm) {
            args.add("--import-realm");
        }
        node.start(
                args,
                importRealm ? ADMIN : null,
                ADMIN_PASSWORD,
                Map.of("KC_SPI_EVENTS_LISTENER__WARDEN_AUDIT__CHAIN_KEY", CHAIN_KEY));
    }

    /**
     * Stops nginx, both nodes and the database even when a test or the start failed, each step on its own (one that
     * throws does not keep the others from running), then checks that no process of the topology is left; the shutdown
     * hooks of {@link Nginx}, {@link KeycloakNode} and {@link PostgresDatabase} only back this up.
     */
    @AfterAll
    static void stopTopology() throws Exception {
        List<Throwable> problems = new ArrayList<>();
        Runnable[] steps = {
            () -> {
                if (nginx != null) {
                    nginx.stop();
                }
            },
            () -> {
                if (a != null) {
                    a.stop();
                }
            },
            () -> {
                if (b != null) {
                    b.stop();
                }
            },
            () -> {
                try {
                    if (database != null) {
                        database.drop();
                    }
                } catch (java.sql.SQLException e) {
                    throw new IllegalStateException("could not drop " + database.name() + ": " + e.getMessage(), e);
                }
            },
        };
        for (Runnable step : steps) {
            try {
                step.run();
            } catch (RuntimeException | AssertionError e) {
                problems.add(e);
            }
        }
        if (nginx != null && nginx.isRunning()) {
            problems.add(new AssertionError("nginx still runs after stop()"));
        }
        for (KeycloakNode node : new KeycloakNode[] {a, b}) {
            if (node != null && node.isRunning()) {
                problems.add(new AssertionError(node.name() + " still runs after stop()"));
            }
        }
        if (!problems.isEmpty()) {
            AssertionError failure = new AssertionError("the topology was not cleaned up: " + problems);
            problems.forEach(failure::addSuppressed);
            throw failure;
        }
    }

    private static String base(int port) {
        return "http://127.0.0.1:" + port;
    }

    private static String tokenUrl(int port) {
        return base(port) + "/realms/" + DemoRealm.NAME + "/protocol/openid-connect/token";
    }

    private static Http.Reply login(
            int port, LoopbackClient from, String username, String password, Map<String, String> headers) {
        Map<String, String> form = new LinkedHashMap<>();
        form.put("grant_type", "password");
        form.put("client_id", DemoRealm.CLI);
        form.put("username", username);
        form.put("password", password);
        return from.postForm(tokenUrl(port), form, headers);
    }

    private static Http.Reply login(LoopbackClient from, String username, String password) {
        return login(BALANCER, from, username, password, Map.of());
    }

    /** The node that nginx says served a reply (its X-Upstream header): "a", "b" or the raw value. */
    private static String servedBy(Http.Reply reply) {
        String upstream = String.valueOf(reply.header("X-Upstream"));
        return upstream.endsWith(":" + HTTP_A) ? "a" : upstream.endsWith(":" + HTTP_B) ? "b" : upstream;
    }

    /** What warden's admin API counts for {@code limit} of {@code username} and {@code ip}; 0 when nothing is held. */
    @SuppressWarnings("unchecked")
    private static int counted(String username, String ip, String limit) {
        String query = (username == null ? "" : "username=" + username + "&") + "ip=" + ip;
        Http.Reply reply = Http.getWithBearer(
                WardenApi.url(base(ADMIN_LISTENER) + "/realms/" + DemoRealm.NAME, "throttles?" + query), admin.token());
        assertThat(reply.status()).as(reply.body()).isEqualTo(200);
        return ((List<Map<String, Object>>) reply.json().get("limits"))
                .stream()
                        .filter(l -> limit.equals(l.get("limit")))
                        .mapToInt(l -> ((Number) l.get("counted")).intValue())
                        .findFirst()
                        .orElse(0);
    }

    private static List<String> auditLines(KeycloakNode node) throws IOException {
        return Files.readAllLines(node.log(), StandardCharsets.UTF_8).stream()
                .filter(l -> l.contains("[warden.audit]"))
                .toList();
    }

    /** Paths to the admin console, the admin API and the master realm, spelled as an attacker would try them. */
    static final List<String> ADMIN_PATHS = List.of(
            "/admin/",
            "/admin/master/console/",
            "/admin/realms/" + DemoRealm.NAME + "/users",
            "/admin",
            "//admin/master/console/",
            "/%61dmin/master/console/",
            "/./admin/master/console/",
            "/x/../admin/master/console/",
            "/admin;jsessionid=1/master/console/",
            "/ADMIN/master/console/",
            "/Admin/realms/" + DemoRealm.NAME,
            "/realms/master/.well-known/openid-configuration",
            "/realms/master",
            "/realms/MASTER/.well-known/openid-configuration",
            "/realms/Master/account/",
            "/realms/master;x=1/.well-known/openid-configuration",
            "/realms/%6Daster/.well-known/openid-configuration",
            "//realms//master/.well-known/openid-configuration",
            "/realms/./master/.well-known/openid-configuration",
            "/realms/" + DemoRealm.NAME + "/../master/.well-known/openid-configuration",
            "/realms/" + DemoRealm.NAME + "/%2e%2e/master/.well-known/openid-configuration",
            "/realms/" + DemoRealm.NAME + "/..;/master/.well-known/openid-configuration",
            "/realms%2Fmaster/.well-known/openid-configuration",
            "/realms/master%20/.well-known/openid-configuration",
            "/",
            "/metrics",
            "/health/ready");

    @Test
    @Order(0)
    @DisplayName("the public listener refuses /admin/ and the master realm in every spelling; the admin listener "
            + "serves them")
    void publicListenerRefusesAdminPaths() {
        LoopbackClient outsider = new LoopbackClient("127.0.0.60");
        for (String path : ADMIN_PATHS) {
            Http.Reply reply = outsider.get(base(BALANCER) + path, Map.of());
            assertThat(reply.status()).as("GET %s on the public listener", path).isIn(400, 403, 404);
            assertThat(reply.header("X-Upstream"))
                    .as("GET %s never reaches a node", path)
                    .isNull();
        }
        // a password grant against the master realm, the way an attacker would guess the administrators' passwords
        Http.Reply guess = outsider.postForm(
                base(BALANCER) + "/realms/master/protocol/openid-connect/token",
                TokenEndpoint.passwordForm("admin-cli", ADMIN, ADMIN_PASSWORD));
        assertThat(guess.status()).as(guess.body()).isEqualTo(404);
        assertThat(guess.header("X-Upstream")).isNull();

        // what applications need still passes, and the same master paths work on the admin listener
        Http.Reply discovery = outsider.get(
                base(BALANCER) + "/realms/" + DemoRealm.NAME + "/.well-known/openid-configuration", Map.of());
        assertThat(discovery.status()).as(discovery.body()).isEqualTo(200);
        assertThat(servedBy(discovery)).isIn("a", "b");
        Http.Reply master =
                outsider.get(base(ADMIN_LISTENER) + "/realms/master/.well-known/openid-configuration", Map.of());
        assertThat(master.status()).as(master.body()).isEqualTo(200);
        Http.Reply users = Http.getWithBearer(
                base(ADMIN_LISTENER) + "/admin/realms/" + DemoRealm.NAME + "/users?max=1", admin.token());
        assertThat(users.status()).as(users.body()).isEqualTo(200);
    }

    @Test
    @Order(1)
    @DisplayName("failures through the balancer land on both nodes, are counted once, and the limit holds exactly")
    void failuresCountedOnceWhicheverNode() {
        LoopbackClient attacker = new LoopbackClient("127.0.0.61");
        List<String> nodes = new ArrayList<>();
        for (int i = 0; i < USER_IP_MAX; i++) {
            Http.Reply reply = login(attacker, "lb-alice", "wrong-" + i);
            assertThat(reply.status()).as("failure %d: %s", i + 1, reply.body()).isEqualTo(400);
            nodes.add(servedBy(reply));
        }
        assertThat(nodes).as("round-robin: both nodes served failures").contains("a", "b");
        assertThat(counted("lb-alice", "127.0.0.61", "user_ip"))
                .as("counted once each, not once per node or per hop")
                .isEqualTo(USER_IP_MAX);
        Http.Reply blocked = login(attacker, "lb-alice", PASSWORD);
        Http.Reply blockedAgain = login(attacker, "lb-alice", PASSWORD);
        assertThat(List.of(servedBy(blocked), servedBy(blockedAgain))).contains("a", "b");
        assertThat(blocked.status()).as(blocked.body()).isEqualTo(429);
        assertThat(blockedAgain.status()).as(blockedAgain.body()).isEqualTo(429);
        assertThat(blockedAgain.header("Retry-After")).matches("[1-9][0-9]*");
        assertThat(login(new LoopbackClient("127.0.0.62"), "lb-alice", PASSWORD).status())
                .as("the owner from elsewhere")
                .isEqualTo(200);
    }

    @Test
    @Order(2)
    @DisplayName("30 parallel wrong passwords through the balancer: exactly the limit reach a password check")
    void exactUnderConcurrency() throws Exception {
        int attempts = 30;
        ExecutorService pool = Executors.newFixedThreadPool(attempts);
        try {
            CountDownLatch go = new CountDownLatch(1);
            List<Future<Http.Reply>> results = new ArrayList<>();
            for (int i = 0; i < attempts; i++) {
                results.add(pool.submit(() -> {
                    go.await();
                    return login(new LoopbackClient("127.0.0.63"), "lb-bob", "wrong");
                }));
            }
            go.countDown();
            Map<Integer, Integer> byStatus = new LinkedHashMap<>();
            List<String> nodes = new ArrayList<>();
            for (Future<Http.Reply> f : results) {
                Http.Reply reply = f.get(2, TimeUnit.MINUTES);
                byStatus.merge(reply.status(), 1, Integer::sum);
                nodes.add(servedBy(reply));
            }
            System.out.printf(
                    "behind nginx: %s of %d parallel attempts (limit %d), served by %s%n",
                    byStatus, attempts, USER_IP_MAX, nodes.stream().distinct().toList());
            assertThat(nodes).contains("a", "b");
            assertThat(byStatus)
                    .containsEntry(400, USER_IP_MAX)
                    .containsEntry(429, attempts - USER_IP_MAX)
                    .hasSize(2);
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    @Order(3)
    @DisplayName("an admin clearing a block through node B frees the user on node A")
    void clearOnOneNodeFreesTheOther() {
        LoopbackClient from = new LoopbackClient("127.0.0.64");
        for (int i = 0; i < USER_IP_MAX; i++) {
            assertThat(login(VIA_A, from, "lb-carol", "wrong", Map.of()).status())
                    .isEqualTo(400);
        }
        assertThat(login(VIA_A, from, "lb-carol", PASSWORD, Map.of()).status()).isEqualTo(429);
        Http.Reply cleared = Http.send(
                "DELETE",
                WardenApi.url(base(VIA_B) + "/realms/" + DemoRealm.NAME, "throttles?username=lb-carol&ip=127.0.0.64"),
                admin.token());
        assertThat(cleared.status()).as(cleared.body()).isEqualTo(200);
        assertThat(servedBy(cleared)).isEqualTo("b");
        assertThat(login(VIA_A, from, "lb-carol", PASSWORD, Map.of()).status()).isEqualTo(200);
    }

    @Test
    @Order(4)
    @DisplayName("warden sees the client's own address; a forged X-Forwarded-For changes nothing")
    void realClientAddress() throws Exception {
        LoopbackClient client = new LoopbackClient("127.0.0.65");
        for (int i = 0; i < USER_IP_MAX; i++) {
            // a new forged address each time: if warden believed any of them, no counter would fill
            Http.Reply reply = login(
                    BALANCER,
                    client,
                    "lb-frank",
                    "wrong-" + i,
                    Map.of("X-Forwarded-For", "203.0.113." + (10 + i) + ", 127.0.0.1", "X-Real-IP", "203.0.113.99"));
            assertThat(reply.status()).as(reply.body()).isEqualTo(400);
        }
        assertThat(counted("lb-frank", "127.0.0.65", "user_ip")).isEqualTo(USER_IP_MAX);
        assertThat(counted(null, "127.0.0.65", "ip")).isEqualTo(USER_IP_MAX);
        assertThat(counted(null, "203.0.113.10", "ip"))
                .as("the forged address counts nothing")
                .isZero();
        assertThat(counted(null, "127.0.0.1", "ip"))
                .as("nor does the proxy's own address")
                .isZero();
        assertThat(login(BALANCER, client, "lb-frank", PASSWORD, Map.of("X-Forwarded-For", "198.51.100.7"))
                        .status())
                .as("a forged header does not escape the block")
                .isEqualTo(429);

        List<String> frank = List.of();
        for (int wait = 0; wait < 40 && frank.size() < USER_IP_MAX + 1; wait++) {
            Thread.sleep(wait == 0 ? 0 : 250);
            frank = java.util.stream.Stream.concat(auditLines(a).stream(), auditLines(b).stream())
                    .filter(l -> l.contains("\"username\":\"lb-frank\"") && l.contains("\"type\":\"LOGIN_ERROR\""))
                    .toList();
        }
        // five wrong passwords and the throttled attempt, each with the client's own address
        assertThat(frank)
                .as("lb-frank's failures in the audit lines of both nodes")
                .hasSize(USER_IP_MAX + 1)
                .allSatisfy(l -> assertThat(l).contains("\"ip\":\"127.0.0.65\""))
                .filteredOn(l -> l.contains("\"error\":\"invalid_user_credentials\""))
                .hasSize(USER_IP_MAX);
    }

    @Test
    @Order(5)
    @DisplayName("a refresh-token replay on node B ends the session created on node A")
    void replayOnOneNodeEndsSessionOfTheOther() throws Exception {
        LoopbackClient app = new LoopbackClient("127.0.0.66");
        Http.Reply issued = login(VIA_A, app, "lb-grace", PASSWORD, Map.of());
        assertThat(issued.status()).as(issued.body()).isEqualTo(200);
        assertThat(servedBy(issued)).isEqualTo("a");
        String r1 = (String) issued.json().get("refresh_token");
        Http.Reply rotated = app.postForm(
                tokenUrl(VIA_A),
                Map.of("grant_type", "refresh_token", "client_id", DemoRealm.CLI, "refresh_token", r1));
        assertThat(rotated.status()).as(rotated.body()).isEqualTo(200);
        String r2 = (String) rotated.json().get("refresh_token");
        assertThat(sessions("lb-grace")).as("the session before the replay").hasSize(1);

        Http.Reply replay = app.postForm(
                tokenUrl(VIA_B),
                Map.of("grant_type", "refresh_token", "client_id", DemoRealm.CLI, "refresh_token", r1));
        assertThat(servedBy(replay)).isEqualTo("b");
        assertThat(replay.status()).as(replay.body()).isEqualTo(400);
        // stock Keycloak only detaches the client session; warden ends the user session, for both nodes
        assertThat(sessions("lb-grace")).as("user sessions after the replay").isEmpty();
        Http.Reply newest = app.postForm(
                tokenUrl(VIA_A),
                Map.of("grant_type", "refresh_token", "client_id", DemoRealm.CLI, "refresh_token", r2));
        assertThat(newest.status()).as(newest.body()).isEqualTo(400);
        b.awaitLogLine(Duration.ofSeconds(10), "[warden.audit]", "warden_refresh_token_reuse");
    }

    private static List<Map<String, Object>> sessions(String username) throws IOException {
        String realm = base(ADMIN_LISTENER) + "/admin/realms/" + DemoRealm.NAME;
        List<Map<String, Object>> users = JsonSerialization.readValue(
                Http.getWithBearer(realm + "/users?exact=true&username=" + username, admin.token())
                        .body(),
                new TypeReference<>() {});
        Http.Reply reply = Http.getWithBearer(realm + "/users/" + users.get(0).get("id") + "/sessions", admin.token());
        assertThat(reply.status()).as(reply.body()).isEqualTo(200);
        return JsonSerialization.readValue(reply.body(), new TypeReference<>() {});
    }

    @Test
    @Order(6)
    @DisplayName("both nodes write audit lines; verify-audit checks the merged file: every mac matches, a changed "
            + "line is TAMPERED")
    void auditOfBothNodes() throws Exception {
        List<String> merged = new ArrayList<>(Files.readAllLines(a.log(), StandardCharsets.UTF_8));
        merged.addAll(Files.readAllLines(b.log(), StandardCharsets.UTF_8));
        assertThat(auditLines(a))
                .anyMatch(l -> l.contains("\"type\":\"LOGIN_ERROR\""))
                .allMatch(l -> l.contains("\"node\":\"lb-node-a\""));
        assertThat(auditLines(b))
                .anyMatch(l -> l.contains("\"type\":\"LOGIN_ERROR\""))
                .allMatch(l -> l.contains("\"node\":\"lb-node-b\""));

        byte[] key = CHAIN_KEY.getBytes(StandardCharsets.UTF_8);
        VerifyAudit.Result result = VerifyAudit.verify(merged, key);
        result.runs().forEach(r -> System.out.println("merged audit: " + r));
        assertThat(result.tampered()).isEmpty();
        assertThat(result.runs())
                .hasSize(2)
                .anyMatch(r -> r.contains("node lb-node-a"))
                .anyMatch(r -> r.contains("node lb-node-b"));
        // both nodes still run, so each run lacks its end line: INCOMPLETE for exactly that, and for nothing else
        assertThat(result.findings())
                .hasSize(2)
                .allSatisfy(f -> assertThat(f.text()).contains("neither an end line nor a later start"));
        assertThat(result.verdict()).isEqualTo(VerifyAudit.Verdict.INCOMPLETE);
        assertThat(VerifyAuditCommand.run(merged, CHAIN_KEY)).isEqualTo(3);

        List<String> edited = new ArrayList<>(merged);
        int victim = lastIndex(edited, "\"node\":\"lb-node-b\"", "\"type\":\"LOGIN_ERROR\"");
        edited.set(victim, edited.get(victim).replace("\"client\":\"demo-cli\"", "\"client\":\"demo-spa\""));
        assertThat(edited.get(victim)).isNotEqualTo(merged.get(victim));
        assertThat(VerifyAudit.verify(edited, key).verdict()).isEqualTo(VerifyAudit.Verdict.TAMPERED);
        assertThat(VerifyAuditCommand.run(edited, CHAIN_KEY)).isEqualTo(1);
    }

    private static int lastIndex(List<String> lines, String... texts) {
        for (int i = lines.size() - 1; i >= 0; i--) {
            String line = lines.get(i);
            if (line.contains("[warden.audit]")
                    && java.util.Arrays.stream(texts).allMatch(line::contains)) {
                return i;
            }
        }
        throw new AssertionError("no audit line with " + List.of(texts));
    }

    @Test
    @Order(7)
    @DisplayName("a forged X-Forwarded-For sent straight to a node, past nginx, is ignored: the node believes only "
            + "nginx's address")
    void forgedHeaderStraightToANode() {
        // 127.0.0.80 is not nginx (127.0.0.1, the only trusted proxy address), so its headers are the client's own
        // words
        LoopbackClient bypasser = new LoopbackClient("127.0.0.80");
        for (int i = 0; i < USER_IP_MAX; i++) {
            Http.Reply reply = login(
                    HTTP_A,
                    bypasser,
                    "lb-henry",
                    "wrong-" + i,
                    Map.of(
                            "X-Forwarded-For",
                            "203.0.113." + (40 + i),
                            "X-Real-IP",
                            "203.0.113.99",
                            "Forwarded",
                            "for=203.0.113.98"));
            assertThat(reply.status()).as(reply.body()).isEqualTo(400);
            assertThat(reply.header("X-Upstream"))
                    .as("straight to the node, not through nginx")
                    .isNull();
        }
        assertThat(counted("lb-henry", "127.0.0.80", "user_ip"))
                .as("counted under the socket's own address")
                .isEqualTo(USER_IP_MAX);
        assertThat(counted(null, "203.0.113.40", "ip"))
                .as("the forged address counts nothing")
                .isZero();
        assertThat(login(HTTP_A, bypasser, "lb-henry", PASSWORD, Map.of("X-Forwarded-For", "198.51.100.8"))
                        .status())
                .as("a forged header does not escape the block")
                .isEqualTo(429);
    }

    /** One request of the background load: when it ran, what came back, which node nginx named. */
    private record Sample(long startNanos, long endNanos, int status, String node, String error) {}

    @Test
    @Order(8)
    @DisplayName("kill -9 of node B in the middle of a window: A keeps serving, counts and blocks survive, only B's "
            + "in-flight requests fail")
    void nodeDeath() throws Exception {
        LoopbackClient attacker = new LoopbackClient("127.0.0.67");
        LoopbackClient blockedOne = new LoopbackClient("127.0.0.68");
        for (int i = 0; i < 3; i++) {
            assertThat(login(attacker, "lb-dora", "wrong-" + i).status()).isEqualTo(400);
        }
        for (int i = 0; i < USER_IP_MAX; i++) {
            assertThat(login(blockedOne, "lb-erin", "wrong-" + i).status()).isEqualTo(400);
        }
        assertThat(login(blockedOne, "lb-erin", PASSWORD).status()).isEqualTo(429);
        assertThat(counted("lb-dora", "127.0.0.67", "user_ip")).isEqualTo(3);

        // correct logins of four users from four addresses, back to back, while B dies
        AtomicBoolean running = new AtomicBoolean(true);
        ConcurrentLinkedQueue<Sample> samples = new ConcurrentLinkedQueue<>();
        ExecutorService load = Executors.newFixedThreadPool(4);
        List<Future<Void>> workers = new ArrayList<>();
        for (int t = 1; t <= 4; t++) {
            LoopbackClient client = new LoopbackClient("127.0.0.7" + t);
            String user = "lb-load-" + t;
            workers.add(load.submit(() -> {
                while (running.get()) {
                    long start = System.nanoTime();
                    try {
                        Http.Reply reply = login(client, user, PASSWORD);
                        samples.add(new Sample(
                                start,
                                System.nanoTime(),
                                reply.status(),
                                servedBy(reply),
                                reply.status() == 200
                                        ? null
                                        : reply.body().lines().findFirst().orElse("")));
                    } catch (UncheckedIOException e) {
                        // a connection nginx dropped is a failed login like any other (status -1 fails the checks
                        // below)
                        samples.add(new Sample(start, System.nanoTime(), -1, "?", String.valueOf(e.getCause())));
                    }
                }
                return null;
            }));
        }
        Thread.sleep(3_000);
        ProcessHandle java = b.java();
        long killedAt = System.nanoTime();
        assertThat(java.destroyForcibly())
                .as("SIGKILL sent to node B's java, pid %d", java.pid())
                .isTrue();
        java.onExit().get(30, TimeUnit.SECONDS);
        Thread.sleep(8_000);
        running.set(false);
        load.shutdown();
        assertThat(load.awaitTermination(2, TimeUnit.MINUTES)).isTrue();
        b.kill(); // the kc.sh wrapper, which exits once its java is gone
        // a worker that died of anything else (a reply it could not parse, an assertion) stopped logging in early and
        // would hide its failed login from the samples: each must have ended by itself
        for (Future<Void> worker : workers) {
            try {
                worker.get();
            } catch (java.util.concurrent.ExecutionException e) {
                throw new AssertionError("a load worker died: " + e.getCause(), e.getCause());
            }
        }

        List<Sample> all = new ArrayList<>(samples);
        List<Sample> failed = all.stream().filter(s -> s.status() != 200).toList();
        long beforeKill = all.stream().filter(s -> s.endNanos() < killedAt).count();
        long afterKill = all.stream().filter(s -> s.startNanos() > killedAt).count();
        List<Sample> inFlight = all.stream()
                .filter(s -> s.startNanos() < killedAt && s.endNanos() > killedAt)
                .toList();
        System.out.printf(
                "node death: %d logins (%d finished before the kill, %d started after it, %d in flight at the "
                        + "kill: %d on B), " + "%d failed: %s%n",
                all.size(),
                beforeKill,
                afterKill,
                inFlight.size(),
                inFlight.stream().filter(s -> "b".equals(s.node())).count(),
                failed.size(),
                failed);
        assertThat(afterKill).as("logins served after the kill").isGreaterThanOrEqualTo(8);
        assertThat(all.stream().filter(s -> s.startNanos() > killedAt))
                .as("every login that started after the kill")
                .allSatisfy(s -> {
                    assertThat(s.status()).as("%s", s).isEqualTo(200);
                    assertThat(s.node()).isEqualTo("a");
                });
        assertThat(failed)
                .as("only requests that were on B when it died may fail: nginx's 502 for them")
                .allSatisfy(s -> {
                    assertThat(s.startNanos()).isLessThan(killedAt);
                    assertThat(s.endNanos()).isGreaterThan(killedAt);
                    assertThat(s.status()).isEqualTo(502);
                    assertThat(s.node()).isEqualTo("b");
                })
                .hasSizeLessThanOrEqualTo(inFlight.size());

        // the window goes on where it was: 3 + 2 failures reach the check, the 6th attempt is refused
        assertThat(counted("lb-dora", "127.0.0.67", "user_ip"))
                .as("dora's count after B died")
                .isEqualTo(3);
        assertThat(login(attacker, "lb-dora", "wrong-3").status()).isEqualTo(400);
        assertThat(login(attacker, "lb-dora", "wrong-4").status()).isEqualTo(400);
        Http.Reply refused = login(attacker, "lb-dora", PASSWORD);
        assertThat(refused.status()).as(refused.body()).isEqualTo(429);
        assertThat(servedBy(refused)).isEqualTo("a");
        assertThat(login(blockedOne, "lb-erin", PASSWORD).status())
                .as("erin's block set before B died")
                .isEqualTo(429);
        assertThat(login(new LoopbackClient("127.0.0.69"), "lb-erin", PASSWORD).status())
                .as("erin from elsewhere")
                .isEqualTo(200);
    }
}
