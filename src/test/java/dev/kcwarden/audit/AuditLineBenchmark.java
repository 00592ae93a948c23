package dev.kcwarden.audit;

import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.logging.Level;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

/**
 * What one audit line costs warden before the log handler takes it: the line built, encoded and sealed into the chain
 * (the log category is switched off, so the handler's own cost, measured on the server, stays out). The two seal
 * variants side by side: a MAC made fresh for each line against the chain's kept one. Run with {@code ./mvnw -Pbench}.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
public class AuditLineBenchmark {

    private static final byte[] KEY = "bench-audit-chain-key-0123456789-abcdef".getBytes(StandardCharsets.UTF_8);
    /** Held, so that the level set on it stays (the logging backend keeps loggers weakly). */
    private static final java.util.logging.Logger AUDIT_CATEGORY =
            java.util.logging.Logger.getLogger(AuditWriter.CATEGORY);

    private AuditWriter writer;
    private AuditChain chain;
    private String unsealed;

    @Setup
    public void setUp() {
        AUDIT_CATEGORY.setLevel(Level.OFF);
        writer = new AuditWriter(new AuditSettings(
                KEY, AuditSettings.UsernameMode.PLAIN, "bench", null, AuditSettings.Chain.defaults()));
        chain = new AuditChain(KEY);
        unsealed = "{\"v\":1,\"time\":\"2026-12-03T07:00:00.000Z\",\"kind\":\"user\",\"realm\":\"warden\","
                + "\"type\":\"REFRESH_TOKEN\",\"outcome\":\"success\",\"client\":\"demo-cli\","
                + "\"userId\":\"75268984-696c-44a7-acb7-887b972fc82d\",\"details\":{\"grant_type\":\"refresh_token\"},"
                + "\"ip\":\"127.0.0.1\",\"node\":\"bench\",\"seq\":1}";
    }

    /** A refresh event's line, as AuditListener hands it to the writer. */
    private static Map<String, Object> refreshLine() {
        Map<String, Object> line = new LinkedHashMap<>();
        line.put("time", 1_764_745_200_000L);
        line.put("kind", "user");
        line.put("realm", "warden");
        line.put("type", "REFRESH_TOKEN");
        line.put("outcome", "success");
        line.put("client", "demo-cli");
        line.put("userId", "75268984-696c-44a7-acb7-887b972fc82d");
        line.put("username", "bench-user-1");
        line.put("details", Map.of("grant_type", "refresh_token", "token_id", "7b0c2d3e-0f41-4f7b-9a35-1c5e8f0d2a6b"));
        line.put("ip", "127.0.0.1");
        line.put("session", "3f1d2c9a-8b7e-4d6f-a5c4-2b1a0f9e8d7c");
        return line;
    }

    @Benchmark
    public String wholeLine() {
        return writer.write(refreshLine());
    }

    @Benchmark
    public String sealWithFreshMac() {
        return AuditChain.mac(KEY, "previous-mac-of-43-characters-0123456789abc", unsealed);
    }

    @Benchmark
    public String sealWithKeptMac() {
        return chain.seal(unsealed);
    }
}
