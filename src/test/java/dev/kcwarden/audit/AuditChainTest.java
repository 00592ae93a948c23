package dev.kcwarden.audit;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@DisplayName(
        "The audit chain: the verifier finds edits, deleted or inserted lines inside a run, swaps and lines cut short"
                + " (lines removed from the end of a run: VerifyAuditTest)")
class AuditChainTest {

    private static final byte[] KEY = "test-chain-key-0123456789-0123456789".getBytes(StandardCharsets.UTF_8);
    private List<String> log;

    @BeforeEach
    void chainOfFive() {
        AuditChain chain = new AuditChain(KEY);
        log = new ArrayList<>();
        log.add("2026-11-25 07:00:00,000 INFO  [org.keycloak] (main) an unrelated log line");
        for (int i = 1; i <= 5; i++) {
            String unsealed = "{\"v\":1,\"time\":\"2026-11-25T07:00:0" + i + "Z\",\"type\":\"LOGIN\",\"userId\":\"u" + i
                    + "\",\"node\":\"n1\",\"seq\":" + i + (i == 1 ? ",\"chain\":\"start\"" : "") + "}";
            log.add("2026-11-25 07:00:0" + i + ",000 INFO  [warden.audit] (executor-thread-1) " + chain.seal(unsealed));
        }
    }

    @Test
    void intactChainVerifies() {
        VerifyAudit.Result result = VerifyAudit.verify(log, KEY);
        assertThat(result.intact()).isTrue();
        assertThat(result.lines()).isEqualTo(5);
        assertThat(result.chainStarts()).isEqualTo(1);
        // these hand-made lines carry no run number (as an older warden wrote them) and no end line: nothing altered,
        // but the history cannot be shown whole
        assertThat(result.verdict()).isEqualTo(VerifyAudit.Verdict.INCOMPLETE);
        assertThat(result.tampered()).isEmpty();
    }

    @Test
    void editedLine() {
        log.set(3, log.get(3).replace("\"userId\":\"u3\"", "\"userId\":\"u9\""));
        assertThat(VerifyAudit.verify(log, KEY))
                .extracting(VerifyAudit.Result::intact, VerifyAudit.Result::badLine)
                .containsExactly(false, 4);
    }

    @Test
    void deletedLine() {
        log.remove(3);
        assertThat(VerifyAudit.verify(log, KEY))
                .extracting(VerifyAudit.Result::intact, VerifyAudit.Result::badLine)
                .containsExactly(false, 4);
    }

    @Test
    void insertedLine() {
        log.add(3, log.get(2));
        assertThat(VerifyAudit.verify(log, KEY).intact()).isFalse();
    }

    @Test
    void swappedLines() {
        Collections.swap(log, 2, 3);
        assertThat(VerifyAudit.verify(log, KEY))
                .extracting(VerifyAudit.Result::intact, VerifyAudit.Result::badLine)
                .containsExactly(false, 3);
    }

    @Test
    @DisplayName("any audit line cut short, at any length, is reported at that line")
    void everyCutIsFound() {
        List<String> original = List.copyOf(log);
        int cuts = 0;
        for (int line = 1; line < original.size(); line++) {
            String full = original.get(line);
            int recordStart = full.indexOf("{\"v\":");
            // from just after the record's opening "{\"v\":" (shorter, the line is no audit line at all: a deleted
            // line)
            for (int length = recordStart + 5; length < full.length(); length++) {
                List<String> cut = new ArrayList<>(original);
                cut.set(line, full.substring(0, length));
                VerifyAudit.Result result = VerifyAudit.verify(cut, KEY);
                assertThat(result.intact())
                        .as("line %d cut to %d characters", line + 1, length)
                        .isFalse();
                assertThat(result.badLine())
                        .as("line %d cut to %d characters", line + 1, length)
                        .isEqualTo(line + 1);
                cuts++;
            }
        }
        assertThat(cuts).as("cuts tried").isGreaterThan(500);
    }

    @Test
    void wrongKeyOrForgedStart() {
        VerifyAudit.Result wrongKey =
                VerifyAudit.verify(log, "another-key-another-key-another-key".getBytes(StandardCharsets.UTF_8));
        assertThat(wrongKey.intact()).isFalse();
        assertThat(wrongKey.problem()).contains("wrong key");
        log.remove(1);
        // a file that begins mid-run cannot tell a removed start from a rotated file: INCOMPLETE since the run numbers
        // (it was TAMPERED when the chain had nothing else); a removed start BETWEEN runs is TAMPERED (VerifyAuditTest)
        VerifyAudit.Result headless = VerifyAudit.verify(log, KEY);
        assertThat(headless.problem()).contains("without the start of its chain");
        assertThat(headless.verdict()).isEqualTo(VerifyAudit.Verdict.INCOMPLETE);
    }

    @Test
    void restartIsMarkedAndCounted() {
        AuditChain restarted = new AuditChain(KEY);
        log.add("[warden.audit] "
                + restarted.seal("{\"v\":1,\"type\":\"LOGIN\",\"node\":\"n1\",\"seq\":1,\"chain\":\"start\"}"));
        VerifyAudit.Result result = VerifyAudit.verify(log, KEY);
        assertThat(result.intact()).isTrue();
        assertThat(result.chainStarts()).isEqualTo(2);
        assertThat(result.incomplete())
                .extracting(VerifyAudit.Finding::text)
                .anySatisfy(t -> assertThat(t).contains("older warden"));
    }
}
