package dev.kcwarden.audit;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The verifier against what an intruder with write access to the log does to hide their newest events: cut the
 * tail, cut a run before a later start, delete or swap whole runs, plant a {@code {"v":} in another log line. The
 * logs come from the real {@link AuditWriter} and {@link ChainState} (one node, restarted, stopped or killed), in
 * Keycloak's plain log format.
 */
@DisplayName("verify-audit finds deleted history: TAMPERED, INCOMPLETE or OK, with every problem listed")
class VerifyAuditTest {

    static final byte[] KEY = "verify-audit-test-chain-key-0123456789".getBytes(StandardCharsets.UTF_8);
    private static final String PREFIX = "2026-11-25 07:05:24,471 INFO  [warden.audit] (executor-thread-1) ";

    @TempDir
    Path dir;

    /** The log file as a list of lines; each node writes into it as Keycloak's console would. */
    private List<String> log;

    /** One Keycloak process after another on the same data directory (state file). */
    final class Node {
        private final Path stateFile;
        private final String configuredNode;
        private ChainState state;
        private AuditWriter writer;
        private int events;

        Node(String stateFile, String configuredNode) {
            this.stateFile = dir.resolve(stateFile);
            this.configuredNode = configuredNode;
        }

        Node start() {
            state = ChainState.open(stateFile, configuredNode);
            writer = new AuditWriter(
                    new AuditSettings(
                            KEY,
                            AuditSettings.UsernameMode.PLAIN,
                            configuredNode,
                            null,
                            new AuditSettings.Chain(Duration.ofSeconds(60), stateFile)),
                    state,
                    line -> log.add(PREFIX + line));
            return this;
        }

        Node events(int count) {
            for (int i = 0; i < count; i++) {
                Map<String, Object> fields = new LinkedHashMap<>();
                fields.put("time", 1_795_000_000_000L + events * 1000L);
                fields.put("kind", "user");
                fields.put("realm", "warden");
                fields.put("type", "LOGIN_ERROR");
                fields.put("username", "user-" + ++events);
                log.add(PREFIX + writer.write(fields));
            }
            return this;
        }

        Node checkpoint() {
            writer.checkpoint();
            return this;
        }

        /** A clean shutdown: the factory's close(). */
        Node stop() {
            writer.end();
            state.close();
            return this;
        }

        /** SIGKILL: nothing more is written, the lock goes with the process. */
        Node kill() {
            state.close();
            return this;
        }

        String name() {
            return writer.node();
        }

        byte[] stateBytes() throws IOException {
            return Files.readAllBytes(stateFile);
        }

        void restoreState(byte[] bytes) throws IOException {
            Files.write(stateFile, bytes);
        }
    }

    @BeforeEach
    void emptyLog() {
        log = new ArrayList<>();
        log.add("2026-11-25 07:00:00,000 INFO  [org.keycloak.quarkus.runtime.KeycloakMain] (main) Keycloak "
                + "26.7.5 started");
    }

    private Node node() {
        return new Node("kc-1.state", "kc-1");
    }

    /** Four runs, each stopped cleanly; returns the first line (0-based) of each run's start. */
    private List<Integer> fourCleanRuns() {
        Node node = node();
        List<Integer> starts = new ArrayList<>();
        for (int run = 1; run <= 4; run++) {
            starts.add(log.size());
            node.start().events(3).checkpoint().events(2).stop();
        }
        return starts;
    }

    private VerifyAudit.Result verify() {
        return VerifyAudit.verify(log, KEY);
    }

    /** The command line's exit code for the log as it is now; also keeps the printed report for assertions. */
    private String printed;

    private int exit(String... extra) throws IOException {
        Path file = dir.resolve("audit.log");
        Files.write(file, log);
        Path key = dir.resolve("audit.key");
        Files.write(key, KEY);
        List<String> args = new ArrayList<>(List.of(file.toString(), "--key-file", key.toString()));
        args.addAll(List.of(extra));
        PrintStream original = System.out;
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        System.setOut(new PrintStream(out, true, StandardCharsets.UTF_8));
        try {
            return VerifyAudit.run(args);
        } finally {
            System.setOut(original);
            printed = out.toString(StandardCharsets.UTF_8);
            original.print(printed);
        }
    }

    private static void removeRange(List<String> lines, int from, int to) {
        lines.subList(from, to).clear();
    }

    @Test
    @DisplayName("runs stopped cleanly, each carrying on from the one before: OK, exit 0")
    void cleanRunsAreOk() throws IOException {
        fourCleanRuns();
        VerifyAudit.Result result = verify();
        assertThat(result.findings()).isEmpty();
        assertThat(result.verdict()).isEqualTo(VerifyAudit.Verdict.OK);
        assertThat(result.chainStarts()).isEqualTo(4);
        assertThat(result.lines()).isEqualTo(4 * 8);
        assertThat(result.runs()).hasSize(4).allMatch(r -> r.contains("stopped cleanly"));
        assertThat(exit()).isZero();
        assertThat(printed).startsWith("OK: 32 audit lines, 4 run start(s) of 1 node(s)");
    }

    @Nested
    @DisplayName("TAMPERED, exit 1")
    class Tampered {

        @Test
        @DisplayName("the end of a run cut before a later start (its end line, or more)")
        void cutBeforeALaterStart() throws IOException {
            List<Integer> starts = fourCleanRuns();
            removeRange(log, starts.get(2) - 3, starts.get(2));
            VerifyAudit.Result result = verify();
            assertThat(result.verdict()).isEqualTo(VerifyAudit.Verdict.TAMPERED);
            assertThat(result.tampered()).singleElement().satisfies(f -> {
                assertThat(f.text()).contains("the end of run 2 of node kc-1 is missing");
                assertThat(f.line()).isEqualTo(starts.get(2) - 3 + 1);
            });
            assertThat(exit()).isEqualTo(1);
        }

        @Test
        @DisplayName("only the end line of a run removed")
        void runEndRemoved() {
            List<Integer> starts = fourCleanRuns();
            log.remove(starts.get(1) - 1);
            assertThat(verify().tampered())
                    .singleElement()
                    .extracting(VerifyAudit.Finding::text)
                    .asString()
                    .contains("the end of run 1 of node kc-1 is missing");
        }

        @Test
        @DisplayName("a whole run removed from the middle")
        void runRemoved() throws IOException {
            List<Integer> starts = fourCleanRuns();
            removeRange(log, starts.get(1), starts.get(2));
            VerifyAudit.Result result = verify();
            assertThat(result.tampered())
                    .singleElement()
                    .extracting(VerifyAudit.Finding::text)
                    .asString()
                    .contains("run 2 of node kc-1 missing")
                    .contains("removed");
            assertThat(exit()).isEqualTo(1);
        }

        @Test
        @DisplayName("two runs swapped")
        void runsSwapped() throws IOException {
            List<Integer> starts = fourCleanRuns();
            List<String> run2 = new ArrayList<>(log.subList(starts.get(1), starts.get(2)));
            List<String> run3 = new ArrayList<>(log.subList(starts.get(2), starts.get(3)));
            List<String> swapped = new ArrayList<>(log.subList(0, starts.get(1)));
            swapped.addAll(run3);
            swapped.addAll(run2);
            swapped.addAll(log.subList(starts.get(3), log.size()));
            log = swapped;
            VerifyAudit.Result result = verify();
            assertThat(result.verdict()).isEqualTo(VerifyAudit.Verdict.TAMPERED);
            assertThat(result.tampered())
                    .extracting(VerifyAudit.Finding::text)
                    .anySatisfy(t ->
                            assertThat(t).contains("run 2 of node kc-1 missing").contains("runs swapped or moved"))
                    .anySatisfy(t -> assertThat(t)
                            .contains("run 2 of node kc-1 comes after run 3")
                            .contains("out of order"));
            assertThat(exit()).isEqualTo(1);
        }

        @Test
        @DisplayName("the start line of a later run removed: its lines do not carry on the run before")
        void startLineRemoved() {
            List<Integer> starts = fourCleanRuns();
            log.remove((int) starts.get(2));
            assertThat(verify().tampered()).first().satisfies(f -> {
                assertThat(f.line()).isEqualTo(starts.get(2) + 1);
                assertThat(f.text()).contains("the chain of node kc-1 breaks here");
            });
        }

        @Test
        @DisplayName("a line planted in the warden.audit category (it claims to be an audit line, so it must verify)")
        void plantedAuditLine() {
            fourCleanRuns();
            log.add(
                    5,
                    PREFIX
                            + "{\"v\":1,\"time\":\"2026-11-25T07:05:24.468Z\",\"kind\":\"user\","
                            + "\"node\":\"kc-1\",\"seq\":3,"
                            + "\"mac\":\"AAAA\"}");
            assertThat(verify().tampered())
                    .isNotEmpty()
                    .first()
                    .extracting(VerifyAudit.Finding::line)
                    .isEqualTo(6);
        }

        @Test
        @DisplayName("several problems in one file: every one is reported, each at its place")
        void everyProblemIsListed() throws IOException {
            List<Integer> starts = fourCleanRuns();
            int edited = starts.get(0) + 2;
            log.set(edited, log.get(edited).replace("\"username\":\"user-2\"", "\"username\":\"someone-else\""));
            removeRange(log, log.size() - 2, log.size()); // the last run's last event and end line
            removeRange(log, starts.get(2), starts.get(3)); // run 3
            int deletedInRun2 = starts.get(1) + 3;
            log.remove(deletedInRun2);
            VerifyAudit.Result result = verify();
            assertThat(result.tampered())
                    .extracting(VerifyAudit.Finding::line)
                    .containsExactly(edited + 1, deletedInRun2 + 1, starts.get(2) - 1 + 1);
            assertThat(result.incomplete())
                    .singleElement()
                    .extracting(VerifyAudit.Finding::text)
                    .asString()
                    .contains("run 4 of node kc-1 has neither an end line nor a later start");
            assertThat(exit()).isEqualTo(1);
            assertThat(printed).contains("TAMPERED: 3 problem(s)").contains("also 1 gap(s)");
        }
    }

    @Nested
    @DisplayName("INCOMPLETE, exit 3")
    class Incomplete {

        @Test
        @DisplayName("the tail of the file cut: the last run has neither an end line nor a later start, with its "
                + "last checkpoint")
        void tailCut() throws IOException {
            fourCleanRuns();
            String checkpoint = log.get(log.size() - 4);
            assertThat(checkpoint).contains("\"chain\":\"checkpoint\"");
            removeRange(log, log.size() - 2, log.size());
            VerifyAudit.Result result = verify();
            assertThat(result.verdict()).isEqualTo(VerifyAudit.Verdict.INCOMPLETE);
            assertThat(result.incomplete())
                    .singleElement()
                    .extracting(VerifyAudit.Finding::text)
                    .asString()
                    .contains("run 4 of node kc-1 has neither an end line nor a later start")
                    .contains("last checkpoint " + checkpoint.replaceAll(".*\"time\":\"([^\"]+)\".*", "$1"))
                    .contains("(one every 60 s)");
            assertThat(exit()).isEqualTo(3);
        }

        @Test
        @DisplayName("a node still running (no end line yet) reads the same: INCOMPLETE, never OK")
        void stillRunning() {
            node().start().events(4);
            assertThat(verify().verdict()).isEqualTo(VerifyAudit.Verdict.INCOMPLETE);
        }

        @Test
        @DisplayName("a history that begins at run 3: the runs before it are in an older file, or deleted; the older "
                + "file first makes it OK")
        void historyBeginsAtALaterRun() throws IOException {
            List<Integer> starts = fourCleanRuns();
            List<String> older = new ArrayList<>(log.subList(0, starts.get(2)));
            removeRange(log, 1, starts.get(2));
            VerifyAudit.Result result = verify();
            assertThat(result.verdict()).isEqualTo(VerifyAudit.Verdict.INCOMPLETE);
            assertThat(result.incomplete())
                    .singleElement()
                    .extracting(VerifyAudit.Finding::text)
                    .asString()
                    .contains("the history of node kc-1 begins at run 3")
                    .contains("older (rotated) file, or were deleted");
            assertThat(exit()).isEqualTo(3);

            Path olderFile = dir.resolve("audit.log.1");
            Files.write(olderFile, older);
            assertThat(exit(olderFile.toString()))
                    .as("the older file given last reads as a lost state file: still not OK")
                    .isEqualTo(3);
            List<String> current = List.copyOf(log);
            log = new ArrayList<>(older);
            log.addAll(current);
            assertThat(exit()).as("oldest first").isZero();
        }

        @Test
        @DisplayName("a file that begins in the middle of a run (rotated by size)")
        void beginsMidRun() {
            List<Integer> starts = fourCleanRuns();
            removeRange(log, 1, starts.get(1) + 2);
            VerifyAudit.Result result = verify();
            assertThat(result.verdict()).isEqualTo(VerifyAudit.Verdict.INCOMPLETE);
            assertThat(result.incomplete())
                    .singleElement()
                    .extracting(VerifyAudit.Finding::text)
                    .asString()
                    .contains("without the start of its chain");
        }

        @Test
        @DisplayName("a node without a usable state file: its lines verify, continuity is unknown")
        void noStateFile() throws IOException {
            Files.createDirectories(dir.resolve("a-directory.state"));
            Node node = new Node("a-directory.state", null);
            node.start().events(2).stop();
            node.start().events(2).stop();
            assertThat(log.get(1)).contains("\"state\":\"unavailable\"");
            VerifyAudit.Result result = verify();
            assertThat(result.verdict()).isEqualTo(VerifyAudit.Verdict.INCOMPLETE);
            assertThat(result.nodes())
                    .as("a new name each start: the name cannot be kept")
                    .isEqualTo(2);
            assertThat(result.incomplete())
                    .hasSize(2)
                    .allSatisfy(f -> assertThat(f.text()).contains("without a usable state file"));
        }

        @Test
        @DisplayName("a state file deleted between two runs: the node starts over at run 1, continuity unknown")
        void stateFileDeleted() throws IOException {
            Node node = node();
            node.start().events(2).stop();
            Files.delete(dir.resolve("kc-1.state"));
            node.start().events(2).stop();
            assertThat(verify().incomplete())
                    .singleElement()
                    .extracting(VerifyAudit.Finding::text)
                    .asString()
                    .contains("started over at run 1");
        }
    }

    @Nested
    @DisplayName("crash versus clean stop")
    class Crashes {

        @Test
        @DisplayName("stopped, killed, stopped: INCOMPLETE (exit 3) for the crash alone, and the report tells it "
                + "from the clean stops")
        void crashThenGoodStartIsIncomplete() throws IOException {
            Node node = node();
            node.start().events(3).stop();
            node.start().events(4).kill();
            node.start().events(2).stop();
            VerifyAudit.Result result = verify();
            assertThat(result.findings()).singleElement().satisfies(f -> {
                assertThat(f.verdict()).isEqualTo(VerifyAudit.Verdict.INCOMPLETE);
                assertThat(f.text()).contains("run 2 of node kc-1 ended without a clean stop");
            });
            assertThat(result.runs()).hasSize(3);
            assertThat(result.runs().get(0)).contains("run 1 of node kc-1").contains("stopped cleanly");
            assertThat(result.runs().get(1))
                    .contains("run 2 of node kc-1")
                    .contains("ended without a clean stop (crash or kill) after seq 10");
            assertThat(result.runs().get(2))
                    .contains("run 3 of node kc-1")
                    .contains("stopped cleanly")
                    .contains("carried on from run 2 of node kc-1 after its crash (seq 10)");
            assertThat(exit()).isEqualTo(3);
            assertThat(printed).contains("ended without a clean stop (crash or kill) after seq 10");
        }

        @Test
        @DisplayName("killed between logging a line and saving the state: the next run carries on from the line "
                + "before; only the crash is reported")
        void stateOneLineBehind() throws IOException {
            Node node = node();
            node.start().events(3);
            byte[] before = node.stateBytes();
            node.events(1).kill();
            node.restoreState(before);
            node.start().events(1).stop();
            VerifyAudit.Result result = verify();
            assertThat(result.tampered()).isEmpty();
            assertThat(result.findings())
                    .singleElement()
                    .extracting(VerifyAudit.Finding::text)
                    .asString()
                    .contains("without a clean stop");
            assertThat(result.runs().get(1))
                    .contains("after its crash at seq 4 (1 line(s) after it, written in the crash window)");
        }

        @Test
        @DisplayName("killed, the tail cut and the state file rewritten to name the new last line: never OK")
        void cutTailWithRewrittenStateIsNotOk() throws IOException {
            Node node = node();
            node.start().events(3);
            byte[] atCut = node.stateBytes();
            node.events(2).kill();
            removeRange(log, log.size() - 2, log.size());
            node.restoreState(atCut);
            node.start().events(1).stop();
            VerifyAudit.Result result = verify();
            assertThat(result.verdict()).isNotEqualTo(VerifyAudit.Verdict.OK);
            assertThat(exit()).isNotZero();
        }

        @Test
        @DisplayName("killed right after its start line, before saving the state: the run number comes again; only "
                + "the crash is reported")
        void killedRightAfterStart() throws IOException {
            Node node = node();
            node.start().events(2).stop();
            node.start();
            byte[] before = node.stateBytes();
            // the start line is written with the run's first line; the process dies after logging it, before saving the
            // state
            node.events(1).kill();
            log.remove(log.size() - 1);
            node.restoreState(before);
            node.start().events(1).stop();
            VerifyAudit.Result result = verify();
            assertThat(result.tampered()).isEmpty();
            assertThat(result.findings())
                    .singleElement()
                    .extracting(VerifyAudit.Finding::text)
                    .asString()
                    .contains("without a clean stop");
            assertThat(result.runs()).hasSize(3);
            assertThat(result.runs().get(2)).contains("run 2 again");
        }

        @Test
        @DisplayName("the killed run's tail cut, then a later start: TAMPERED (the start names a line that is gone)")
        void crashedRunCut() {
            Node node = node();
            node.start().events(3).stop();
            node.start().events(4).kill();
            int cutAt = log.size() - 2;
            node.start().events(2).stop();
            removeRange(log, cutAt, cutAt + 2);
            assertThat(verify().tampered())
                    .singleElement()
                    .extracting(VerifyAudit.Finding::text)
                    .asString()
                    .contains("the end of run 2 of node kc-1 is missing");
        }
    }

    @Nested
    @DisplayName("foreign lines")
    class Foreign {

        @Test
        @DisplayName("a {\"v\": in another category's message or in an access log's User-Agent neither alarms nor "
                + "stops anything")
        void foreignMarkersAreIgnored() throws IOException {
            List<Integer> starts = fourCleanRuns();
            String forged =
                    "{\"v\":1,\"time\":\"2026-11-25T07:05:24.468Z\",\"node\":\"kc-1\",\"seq\":2,\"mac\":\"forged\"}";
            log.add(
                    starts.get(1) + 1,
                    "2026-11-25 07:05:25,000 WARN  [org.keycloak.events] (executor-thread-2) type=LOGIN_ERROR, "
                            + "userAgent=" + forged);
            log.add(
                    starts.get(2) + 1,
                    "127.0.0.1 - - [25/Nov/2026:07:05:26 +0000] \"GET /realms/warden HTTP/1.1\" 200 512 \"-\" \""
                            + forged + "\"");
            log.add(
                    3,
                    "2026-11-25 07:05:27,000 INFO  [io.quarkus.http.access-log] (executor-thread-3) 127.0.0.1 \""
                            + forged + " [warden.audit]\"");
            VerifyAudit.Result result = verify();
            assertThat(result.findings()).isEmpty();
            assertThat(result.lines()).isEqualTo(32);
            assertThat(exit()).isZero();
        }

        @Test
        @DisplayName("a file of nothing but records (a handler with format %s) is read as it is")
        void bareRecords() throws IOException {
            fourCleanRuns();
            log = new ArrayList<>(log.stream()
                    .filter(l -> l.startsWith(PREFIX))
                    .map(l -> l.substring(PREFIX.length()))
                    .toList());
            assertThat(verify().verdict()).isEqualTo(VerifyAudit.Verdict.OK);
            log.set(3, log.get(3).replace("user-", "usr-"));
            assertThat(exit()).isEqualTo(1);
        }
    }

    @Nested
    @DisplayName("--anchor node=seq:mac, a value kept off the host")
    class Anchors {

        private String anchorOf(String line) {
            String seq = line.replaceAll(".*\"seq\":(\\d+).*", "$1");
            String mac = line.replaceAll(".*\"mac\":\"([^\"]+)\".*", "$1");
            return "kc-1=" + seq + ":" + mac;
        }

        @Test
        @DisplayName("present with that mac: OK")
        void anchorMatches() throws IOException {
            fourCleanRuns();
            assertThat(exit("--anchor", anchorOf(log.get(log.size() - 1)))).isZero();
            assertThat(printed).contains("every anchor is present");
        }

        @Test
        @DisplayName("the last run deleted after a clean stop looks whole, but the anchor of its end line is "
                + "missing: TAMPERED")
        void anchorMissing() throws IOException {
            List<Integer> starts = fourCleanRuns();
            String anchor = anchorOf(log.get(log.size() - 1));
            removeRange(log, starts.get(3), log.size());
            assertThat(exit()).as("without the anchor the file looks whole").isZero();
            assertThat(exit("--anchor", anchor)).isEqualTo(1);
            assertThat(printed).contains("anchor kc-1=").contains("the end of the log was cut");
        }

        @Test
        @DisplayName("a line of that seq with another mac: TAMPERED")
        void anchorDiffers() throws IOException {
            fourCleanRuns();
            String anchor = anchorOf(log.get(5));
            assertThat(exit("--anchor", anchor.substring(0, anchor.length() - 2) + "xx"))
                    .isEqualTo(1);
            assertThat(printed).contains("mac differs from the anchor");
        }

        @Test
        @DisplayName("a malformed anchor is a usage error, exit 2")
        void badAnchor() throws IOException {
            fourCleanRuns();
            assertThat(exit("--anchor", "kc-1:12")).isEqualTo(2);
        }
    }

    @Test
    @DisplayName("a file without any audit line: exit 2, not OK")
    void noAuditLines() throws IOException {
        assertThat(exit()).isEqualTo(2);
    }

    @Test
    @DisplayName("the node name is kept in the state file and seq goes on across runs, so node=seq names one line")
    void stableNodeAndSeq() {
        Node node = new Node("default.state", null);
        node.start().events(2).stop();
        String first = node.name();
        node.start().events(2).stop();
        assertThat(node.name()).isEqualTo(first).matches(".+-[a-z2-9]{6}");
        assertThat(log.subList(1, log.size()))
                .extracting(l -> l.replaceAll(".*\"seq\":(\\d+).*", "$1"))
                .containsExactly("1", "2", "3", "4", "5", "6", "7", "8");
        assertThat(verify().verdict()).isEqualTo(VerifyAudit.Verdict.OK);
    }
}
