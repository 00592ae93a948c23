package dev.kcwarden.audit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.kcwarden.Hmac;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

@DisplayName("Audit writer: usernames plain, hashed per realm or omitted; start, checkpoint and end lines; the state "
        + "file; the chain key's rules")
class AuditWriterTest {

    private static final byte[] KEY = "k".repeat(32).getBytes(StandardCharsets.UTF_8);
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path dir;

    private static AuditWriter writer(AuditSettings.UsernameMode mode) {
        return new AuditWriter(new AuditSettings(KEY, mode, "n1", null, AuditSettings.Chain.defaults()));
    }

    @Test
    void usernameModes() {
        assertThat(writer(AuditSettings.UsernameMode.PLAIN).username("r1", "Alice"))
                .isEqualTo("Alice");
        assertThat(writer(AuditSettings.UsernameMode.OMITTED).username("r1", "Alice"))
                .isNull();
        AuditWriter hashed = writer(AuditSettings.UsernameMode.HASHED);
        assertThat(hashed.username("r1", "Alice"))
                .startsWith("hmac:")
                .doesNotContain("lice")
                .isEqualTo(hashed.username("r1", "alice"))
                .isNotEqualTo(hashed.username("r2", "alice"));
    }

    @Test
    @DisplayName(
            "the username hash is keyed with HMAC(chain key, \"warden-audit username v1\"), never the chain key itself")
    void usernameKeyIsDerived() {
        byte[] derived = Hmac.sha256(KEY, "warden-audit username v1".getBytes(StandardCharsets.UTF_8));
        String expected = "hmac:"
                + Base64.getUrlEncoder()
                        .withoutPadding()
                        .encodeToString(Hmac.sha256(
                                derived,
                                "r1\n".getBytes(StandardCharsets.UTF_8),
                                "alice".getBytes(StandardCharsets.UTF_8)));
        String withChainKey = "hmac:"
                + Base64.getUrlEncoder()
                        .withoutPadding()
                        .encodeToString(Hmac.sha256(
                                KEY,
                                "r1\n".getBytes(StandardCharsets.UTF_8),
                                "alice".getBytes(StandardCharsets.UTF_8)));
        assertThat(writer(AuditSettings.UsernameMode.HASHED).username("r1", "Alice"))
                .isEqualTo(expected)
                .isNotEqualTo(withChainKey);
    }

    @Test
    void badModeIsAClearError() {
        assertThatThrownBy(() -> AuditSettings.parseMode("sometimes")).hasMessageContaining("plain, hashed or omitted");
    }

    @Test
    @DisplayName("a chain key shorter than 32 bytes is refused at start, saying how to make one; 32 bytes pass")
    void shortChainKeyIsRefused() {
        assertThatThrownBy(() -> AuditSettings.from(scope(Map.of("chain-key", "x".repeat(31)))))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("at least 32 bytes")
                .hasMessageContaining("has 31")
                .hasMessageContaining("openssl rand -base64 48")
                .hasMessageNotContaining("xxxxxxxx");
        assertThat(AuditSettings.from(scope(Map.of("chain-key", "x".repeat(32))))
                        .chainKey())
                .hasSize(32);
        assertThat(AuditSettings.from(scope(Map.of())).chainKey()).isNull();
    }

    @Test
    @DisplayName("checkpoint-interval: default 60 s, whole seconds 1 to 86400, anything else refused with its range")
    void checkpointInterval() {
        assertThat(AuditSettings.from(scope(Map.of())).chain().checkpointInterval())
                .isEqualTo(Duration.ofSeconds(60));
        assertThat(AuditSettings.from(scope(Map.of("checkpoint-interval", "5")))
                        .chain()
                        .checkpointInterval())
                .isEqualTo(Duration.ofSeconds(5));
        for (String bad : List.of("0", "86401", "1m", "-3")) {
            assertThatThrownBy(() -> AuditSettings.from(scope(Map.of("checkpoint-interval", bad))))
                    .hasMessageContaining("checkpoint-interval must be whole seconds from 1 to 86400");
        }
    }

    @Test
    @DisplayName("state-file: default data/warden-audit-chain.state under Keycloak's home; a relative path is taken "
            + "there too")
    void stateFileDefault() {
        String old = System.getProperty("kc.home.dir");
        System.setProperty("kc.home.dir", dir.toString());
        try {
            assertThat(AuditSettings.from(scope(Map.of())).chain().stateFile())
                    .isEqualTo(dir.resolve("data/warden-audit-chain.state"));
            assertThat(AuditSettings.from(scope(Map.of("state-file", "conf/chain.state")))
                            .chain()
                            .stateFile())
                    .isEqualTo(dir.resolve("conf/chain.state"));
        } finally {
            if (old == null) {
                System.clearProperty("kc.home.dir");
            } else {
                System.setProperty("kc.home.dir", old);
            }
        }
    }

    @Test
    @DisplayName("a run: start line naming the run before, events, a checkpoint with its interval, an end line; the "
            + "state saved after each line")
    void linesOfARun() throws IOException {
        Path state = dir.resolve("chain.state");
        List<String> chainLines = new ArrayList<>();
        AuditSettings settings = new AuditSettings(
                KEY,
                AuditSettings.UsernameMode.PLAIN,
                "kc-1",
                null,
                new AuditSettings.Chain(Duration.ofSeconds(7), state));

        ChainState first = ChainState.open(state, "kc-1");
        AuditWriter one = new AuditWriter(settings, first, chainLines::add);
        assertThat(one.checkpoint()).as("nothing before the run's first line").isNull();
        String event = one.write(new HashMap<>(Map.of("time", 0L, "kind", "user", "type", "LOGIN")));
        String end = one.end();
        first.close();
        assertThat(chainLines).hasSize(2);
        JsonNode start = JSON.readTree(chainLines.get(0));
        assertThat(start.path("kind").asText()).isEqualTo("chain");
        assertThat(start.path("type").asText()).isEqualTo("CHAIN_START");
        assertThat(start.path("run").asLong()).isEqualTo(1);
        assertThat(start.path("seq").asLong()).isEqualTo(1);
        assertThat(start.has("prevSeq")).as("run 1 names no run before it").isFalse();
        assertThat(start.path("interval").asLong()).isEqualTo(7);
        assertThat(JSON.readTree(event).path("seq").asLong()).isEqualTo(2);
        assertThat(JSON.readTree(end).path("chain").asText()).isEqualTo("end");
        assertThat(one.end()).as("one end line per run").isNull();
        assertThat(Files.size(state)).isEqualTo(ChainState.RECORD_BYTES);
        Map<String, String> saved = ChainState.parse(Files.readString(state));
        assertThat(saved)
                .containsEntry("node", "kc-1")
                .containsEntry("run", "1")
                .containsEntry("seq", "3")
                .containsEntry("mac", JSON.readTree(end).path("mac").asText());

        chainLines.clear();
        ChainState second = ChainState.open(state, "kc-1");
        AuditWriter two = new AuditWriter(settings, second, chainLines::add);
        two.write(new HashMap<>(Map.of("time", 0L, "kind", "user", "type", "LOGIN")));
        String checkpoint = two.checkpoint();
        second.close();
        JsonNode restart = JSON.readTree(chainLines.get(0));
        assertThat(restart.path("run").asLong()).isEqualTo(2);
        assertThat(restart.path("seq").asLong()).as("seq goes on across runs").isEqualTo(4);
        assertThat(restart.path("prevSeq").asLong()).isEqualTo(3);
        assertThat(restart.path("prevMac").asText())
                .isEqualTo(JSON.readTree(end).path("mac").asText());
        assertThat(chainLines.get(1)).isEqualTo(checkpoint);
        assertThat(JSON.readTree(checkpoint).path("chain").asText()).isEqualTo("checkpoint");
        assertThat(JSON.readTree(checkpoint).path("interval").asLong()).isEqualTo(7);
        assertThat(ChainState.parse(Files.readString(state))).containsEntry("seq", "6");
    }

    @Test
    @DisplayName("a state file another process holds is not shared: the lines say continuity is unknown")
    void lockedStateFile() throws IOException {
        Path state = dir.resolve("chain.state");
        ChainState holder = ChainState.open(state, "kc-1");
        try {
            ChainState other = ChainState.open(state, "kc-1");
            assertThat(other.startFlag()).isEqualTo("unavailable");
            List<String> lines = new ArrayList<>();
            new AuditWriter(
                            new AuditSettings(
                                    KEY,
                                    AuditSettings.UsernameMode.PLAIN,
                                    "kc-1",
                                    null,
                                    AuditSettings.Chain.defaults()),
                            other,
                            lines::add)
                    .write(new HashMap<>(Map.of("time", 0L, "kind", "user")));
            assertThat(lines.get(0)).contains("\"state\":\"unavailable\"");
        } finally {
            holder.close();
        }
    }

    @Test
    @DisplayName("a damaged state file: warn, start a new chain marked unreadable, keep writing")
    void damagedStateFile() throws IOException {
        Path state = dir.resolve("chain.state");
        Files.writeString(state, "not a state");
        ChainState damaged = ChainState.open(state, "kc-1");
        assertThat(damaged.startFlag()).isEqualTo("unreadable");
        damaged.save(1, 1, "mac");
        damaged.close();
        assertThat(ChainState.parse(Files.readString(state))).containsEntry("seq", "1");
    }

    /** A Config.Scope over a map, as Keycloak hands the listener its options. */
    static org.keycloak.Config.Scope scope(Map<String, String> values) {
        return new org.keycloak.Config.SystemPropertiesScope("unused.") {
            @Override
            public String get(String key) {
                return values.get(key);
            }

            @Override
            public String get(String key, String defaultValue) {
                return values.getOrDefault(key, defaultValue);
            }

            @Override
            public Integer getInt(String key, Integer defaultValue) {
                return values.containsKey(key) ? Integer.valueOf(values.get(key)) : defaultValue;
            }
        };
    }
}
