package dev.kcwarden.audit;

import static org.assertj.core.api.Assertions.assertThat;

import dev.kcwarden.quickstart.KeycloakDistribution;
import dev.kcwarden.testing.Await;
import dev.kcwarden.testing.DemoRealm;
import dev.kcwarden.testing.Http;
import dev.kcwarden.testing.KeycloakNode;
import dev.kcwarden.testing.TokenEndpoint;
import dev.kcwarden.testing.VerifyAuditCommand;
import dev.kcwarden.testing.WebhookReceiver;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * One Keycloak node of {@code keycloak.version} ({@code start-dev}, its own copy of the distribution, ports 8480 and
 * 9480) with a chain key and the default state file in its data directory, started three times on the same console log:
 * stopped cleanly (SIGTERM), then killed (SIGKILL), then stopped cleanly again. The verifier must tell the kill from
 * the clean stops and find the whole log OK, and must not find a cut log OK.
 */
@DisplayName("A real node stopped, killed and restarted: verify-audit tells the crash from the clean stops")
class ChainRestartIT {

    private static final int PORT = 8480;
    private static final int MANAGEMENT_PORT = 9480;
    private static final String KEY = "chain-restart-it-key-" + dev.kcwarden.testing.Pkce.randomToken(24);
    private static final String ADMIN_PASSWORD = dev.kcwarden.testing.Pkce.randomToken(18);
    /** The node's webhook receiver: the end line of each clean stop must reach it (the shutdown drain). */
    private static final int WEBHOOK_PORT = 8392;

    private static final String WEBHOOK_SECRET =
            "chain-restart-it-webhook-" + dev.kcwarden.testing.Pkce.randomToken(12);
    private static WebhookReceiver receiver;

    private static KeycloakNode node;
    private static Path console;
    private static List<String> log;

    @BeforeAll
    static void threeRuns() throws Exception {
        KeycloakDistribution.requireFreePorts(PORT, MANAGEMENT_PORT, WEBHOOK_PORT);
        receiver = WebhookReceiver.onPort(WEBHOOK_PORT, "/hook", WEBHOOK_SECRET);
        node = KeycloakNode.prepare("chain-node");
        console = node.log();

        start();
        failedLogins(2);
        awaitLines(l -> l.contains("\"type\":\"LOGIN_ERROR\""), 2);
        assertThat(node.stop()).as("Keycloak stopped after SIGTERM").isTrue();

        start();
        failedLogins(2);
        // a checkpoint of the second run (interval 3 s): the verifier reports it as the last sign of life before the
        // kill
        awaitLines(l -> l.contains("\"chain\":\"checkpoint\"") && l.contains("\"run\":2,"), 1);
        node.kill();

        start();
        failedLogins(1);
        awaitLines(l -> l.contains("\"type\":\"LOGIN_ERROR\""), 5);
        assertThat(node.stop()).as("Keycloak stopped after SIGTERM").isTrue();
        log = Files.readAllLines(console, StandardCharsets.UTF_8);
    }

    @AfterAll
    static void noServerLeft() {
        // every run is stopped in threeRuns(); this only matters when it failed half-way
        if (node != null) {
            node.kill();
        }
        if (receiver != null) {
            receiver.close();
        }
    }

    private static void start() {
        node.start(
                List.of(
                        "start-dev",
                        "--import-realm",
                        "--http-port=" + PORT,
                        "--http-management-port=" + MANAGEMENT_PORT,
                        "--spi-events-listener--warden-audit--checkpoint-interval=3",
                        "--spi-events-listener--warden-audit--webhook-url=http://127.0.0.1:" + WEBHOOK_PORT + "/hook"),
                "admin",
                ADMIN_PASSWORD,
                Map.of(
                        "KC_SPI_EVENTS_LISTENER__WARDEN_AUDIT__CHAIN_KEY",
                        KEY,
                        "KC_SPI_EVENTS_LISTENER__WARDEN_AUDIT__WEBHOOK_SECRET",
                        WEBHOOK_SECRET));
        node.awaitOk(
                "http://127.0.0.1:" + PORT + "/realms/" + DemoRealm.NAME + "/.well-known/openid-configuration",
                Duration.ofMinutes(3));
    }

    private static void failedLogins(int count) {
        for (int i = 0; i < count; i++) {
            Http.Reply reply = Http.postForm(
                    "http://127.0.0.1:" + PORT + "/realms/" + DemoRealm.NAME + "/protocol/openid-connect/token",
                    TokenEndpoint.passwordForm(DemoRealm.CLI, DemoRealm.DEMO_USER, "not-the-password-" + i));
            assertThat(reply.status()).isEqualTo(400);
        }
    }

    /** Waits (at most 20 s) until the console log holds at least {@code count} audit lines that match. */
    private static void awaitLines(Predicate<String> match, int count) {
        Await.until(
                count + " such audit lines in " + console,
                Duration.ofSeconds(20),
                () -> {
                    try {
                        return Files.readAllLines(console, StandardCharsets.UTF_8).stream()
                                .filter(l -> l.contains("[warden.audit]") && match.test(l))
                                .count();
                    } catch (IOException e) {
                        throw new UncheckedIOException(e);
                    }
                },
                found -> found >= count);
    }

    private static byte[] key() {
        return KEY.getBytes(StandardCharsets.UTF_8);
    }

    @Test
    @DisplayName("each clean stop's end line reached the webhook (the queue is drained at shutdown); the killed "
            + "run's did not exist")
    void endLinesReachTheWebhook() {
        List<String> ends = receiver.bodies().stream()
                .filter(b -> b.contains("\"chain\":\"end\""))
                .toList();
        assertThat(ends).as("end lines delivered").hasSize(2);
        assertThat(ends.get(0)).containsPattern("\"run\":1[,}]");
        assertThat(ends.get(1)).containsPattern("\"run\":3[,}]");
        assertThat(receiver.refused()).as("every delivery signed").isEmpty();
    }

    @Test
    @DisplayName("the whole console log: INCOMPLETE (exit 3) for the killed run alone, reported as a crash, the "
            + "others as clean stops")
    void wholeLogReportsOnlyTheCrash() throws Exception {
        VerifyAudit.Result result = VerifyAudit.verify(log, key());
        result.runs().forEach(r -> System.out.println("chain run: " + r));
        assertThat(result.findings())
                .singleElement()
                .extracting(VerifyAudit.Finding::text)
                .asString()
                .contains("ended without a clean stop");
        assertThat(result.verdict()).isEqualTo(VerifyAudit.Verdict.INCOMPLETE);
        assertThat(result.runs()).hasSize(3);
        assertThat(result.runs().get(0)).contains("run 1 of node ").contains("stopped cleanly");
        assertThat(result.runs().get(1))
                .contains("run 2 of node ")
                .contains("ended without a clean stop (crash or kill)");
        assertThat(log)
                .as("the killed run wrote no end line")
                .noneMatch(l -> l.contains("\"chain\":\"end\"") && l.contains("\"run\":2,"));
        assertThat(result.runs().get(2))
                .contains("run 3 of node ")
                .contains("stopped cleanly")
                .contains("after its crash");
        assertThat(VerifyAuditCommand.run(log, KEY)).isEqualTo(3);
    }

    @Test
    @DisplayName("the same log with its tail cut (the last run's end line and events): INCOMPLETE, exit 3")
    void tailCutIsIncomplete() throws Exception {
        List<String> cut = new ArrayList<>(log);
        int lastEvent = lastIndexOf(cut, "\"type\":\"LOGIN_ERROR\"");
        cut.subList(lastEvent, cut.size()).clear();
        VerifyAudit.Result result = VerifyAudit.verify(cut, key());
        assertThat(result.verdict()).isEqualTo(VerifyAudit.Verdict.INCOMPLETE);
        assertThat(result.incomplete())
                .extracting(VerifyAudit.Finding::text)
                .anySatisfy(text ->
                        assertThat(text).contains("run 3 of node").contains("neither an end line nor a later start"))
                .as("the cut run and the killed one, nothing else")
                .hasSize(2);
        assertThat(VerifyAuditCommand.run(cut, KEY)).isEqualTo(3);
    }

    @Test
    @DisplayName("the killed run's last lines cut before the next start: TAMPERED, exit 1")
    void cutBeforeStartIsTampered() throws Exception {
        List<String> cut = new ArrayList<>(log);
        int thirdStart = -1;
        int starts = 0;
        for (int i = 0; i < cut.size(); i++) {
            if (cut.get(i).contains("[warden.audit]") && cut.get(i).contains("\"chain\":\"start\"") && ++starts == 3) {
                thirdStart = i;
            }
        }
        assertThat(thirdStart).isPositive();
        int lastOfSecond = lastIndexOf(cut.subList(0, thirdStart), "[warden.audit]");
        cut.remove(lastOfSecond);
        VerifyAudit.Result result = VerifyAudit.verify(cut, key());
        assertThat(result.tampered())
                .singleElement()
                .extracting(VerifyAudit.Finding::text)
                .asString()
                .contains("the end of run 2 of node")
                .contains("is missing");
        assertThat(VerifyAuditCommand.run(cut, KEY)).isEqualTo(1);
    }

    @Test
    @DisplayName("the node name and the state survive restarts: one node, seq from 1 without a repeat, in the state "
            + "file's data directory")
    void oneNodeAcrossRuns() throws IOException {
        List<String> audit =
                log.stream().filter(l -> l.contains("[warden.audit]")).toList();
        assertThat(audit.stream()
                        .map(l -> l.replaceAll(".*\"node\":\"([^\"]+)\".*", "$1"))
                        .distinct())
                .hasSize(1);
        List<Long> seqs = audit.stream()
                .map(l -> Long.parseLong(l.replaceAll(".*\"seq\":(\\d+).*", "$1")))
                .toList();
        assertThat(seqs.get(0)).isEqualTo(1);
        assertThat(seqs).doesNotHaveDuplicates().isSorted();
        assertThat(ChainState.parse(Files.readString(node.home().resolve("data/warden-audit-chain.state"))))
                .containsEntry("run", "3")
                .containsEntry("seq", String.valueOf(seqs.get(seqs.size() - 1)));
    }

    private static int lastIndexOf(List<String> lines, String text) {
        for (int i = lines.size() - 1; i >= 0; i--) {
            if (lines.get(i).contains(text)) {
                return i;
            }
        }
        throw new AssertionError("no line with " + text);
    }
}
