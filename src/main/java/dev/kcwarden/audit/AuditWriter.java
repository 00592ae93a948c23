package dev.kcwarden.audit;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.kcwarden.Hmac;
import dev.kcwarden.metrics.WardenMetrics;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.function.Consumer;
import org.jboss.logging.Logger;

/**
 * Turns one event into one JSON line and writes it to the log category {@value #CATEGORY}: numbered per node (seq goes
 * on across restarts), sealed into the node's HMAC chain, in the order written. One writer per node (the factory's).
 *
 * <p>A run begins with its first line, a start line of kind {@code chain} that names the run before it; the factory
 * adds a checkpoint line at a fixed interval and an end line on a clean shutdown. The state file is saved after every
 * line, so that the next run can name this one.
 */
final class AuditWriter {

    static final String CATEGORY = "warden.audit";
    static final int SCHEMA_VERSION = 1;

    private static final Logger AUDIT = Logger.getLogger(CATEGORY);
    private static final Logger LOG = Logger.getLogger(AuditWriter.class);
    private static final ObjectMapper JSON = new ObjectMapper();

    private final AuditSettings settings;
    private final AuditChain chain;
    private final byte[] usernameKey;
    private final ChainState state;
    private final Consumer<String> chainLines;
    private long sequence;
    private long run;
    private boolean started;
    private boolean ended;

    /** A writer whose state lives only in memory (tests of the line format). */
    AuditWriter(AuditSettings settings) {
        this(settings, ChainState.inMemory(settings.node()), line -> {});
    }

    /**
     * {@code chainLines} receives the start, checkpoint and end lines (the webhook); event lines go back to the caller.
     */
    AuditWriter(AuditSettings settings, ChainState state, Consumer<String> chainLines) {
        this.settings = settings;
        this.chain = settings.chainKey() == null ? null : new AuditChain(settings.chainKey());
        this.usernameKey = settings.chainKey() == null ? null : AuditChain.usernameKey(settings.chainKey());
        this.state = state;
        this.chainLines = chainLines;
        this.sequence = state.lastSeq();
        if (chain == null) {
            LOG.warn("warden-audit: no chain-key configured, so audit lines carry no mac and edits cannot be detected; "
                    + "set --spi-events-listener--warden-audit--chain-key (make one with `openssl rand -base64 48`)");
        }
    }

    /**
     * Fields first, then node, seq and mac, in this order; nulls left out. Begins the run if this is its first line.
     */
    synchronized String write(Map<String, Object> fields) {
        if (!started) {
            start();
        }
        return append((Long) fields.remove("time"), fields, Map.of(), null);
    }

    /**
     * The periodic line that shows the node was alive and its log complete up to now; nothing before the run began or
     * after its end.
     */
    synchronized String checkpoint() {
        if (!started || ended) {
            return null;
        }
        Map<String, Object> tail = new LinkedHashMap<>();
        tail.put("run", run);
        tail.put("interval", settings.chain().checkpointInterval().toSeconds());
        return toChainLines(append(System.currentTimeMillis(), chainFields("CHAIN_CHECKPOINT"), tail, "checkpoint"));
    }

    /** The last line of a run, on a clean shutdown; nothing if the run never began. */
    synchronized String end() {
        if (!started || ended) {
            return null;
        }
        String line =
                toChainLines(append(System.currentTimeMillis(), chainFields("CHAIN_END"), Map.of("run", run), "end"));
        ended = line != null;
        return line;
    }

    private void start() {
        started = true;
        run = state.lastRun() + 1;
        Map<String, Object> tail = new LinkedHashMap<>();
        tail.put("run", run);
        if (state.startFlag() != null) {
            tail.put("state", state.startFlag());
        } else if (state.lastRun() > 0) {
            tail.put("prevSeq", state.lastSeq());
            tail.put("prevMac", state.lastMac());
        }
        tail.put("interval", settings.chain().checkpointInterval().toSeconds());
        if (chain != null) {
            chain.restart();
        }
        toChainLines(append(System.currentTimeMillis(), chainFields("CHAIN_START"), tail, "start"));
    }

    private static Map<String, Object> chainFields(String type) {
        Map<String, Object> fields = new LinkedHashMap<>();
        fields.put("kind", "chain");
        fields.put("type", type);
        return fields;
    }

    private String toChainLines(String line) {
        if (line != null) {
            try {
                chainLines.accept(line);
            } catch (RuntimeException e) {
                LOG.debugf(
                        "warden-audit: chain line not handed on: %s",
                        e.getClass().getSimpleName());
            }
        }
        return line;
    }

    /**
     * One line: the fields, then node and seq (written last, after anything an admin can put into a representation, so
     * the verifier finds them from the end), then the chain's own fields and marker, then the mac. The line is logged
     * before the state file is saved: a kill between the two leaves the state one line behind, never ahead.
     */
    private String append(Long time, Map<String, Object> fields, Map<String, Object> tail, String marker) {
        Map<String, Object> line = new LinkedHashMap<>();
        line.put("v", SCHEMA_VERSION);
        line.put(
                "time",
                Instant.ofEpochMilli(time == null ? System.currentTimeMillis() : time)
                        .toString());
        fields.forEach((k, v) -> {
            if (v != null) {
                line.put(k, v);
            }
        });
        long seq = sequence + 1;
        line.put("node", state.node());
        line.put("seq", seq);
        tail.forEach((k, v) -> {
            if (v != null) {
                line.put(k, v);
            }
        });
        if (state.unwritable()) {
            line.put("state", "unwritable");
        }
        if (marker != null) {
            line.put("chain", marker);
        }
        String text;
        try {
            text = JSON.writeValueAsString(line);
        } catch (JsonProcessingException e) {
            LOG.errorf(
                    "warden-audit: an event could not be encoded (%s); it is missing from the audit log",
                    e.getOriginalMessage());
            return null;
        }
        sequence = seq;
        String sealed = chain == null ? text : chain.seal(text);
        AUDIT.info(sealed);
        state.save(run, seq, chain == null ? null : chain.last());
        WardenMetrics.auditLine();
        return sealed;
    }

    /** This node's name in the lines (configured, or kept in the state file). */
    String node() {
        return state.node();
    }

    /**
     * The username as configured: as typed, an HMAC keyed with a key derived from the chain key and the realm id, or
     * nothing.
     */
    String username(String realmId, String username) {
        if (username == null) {
            return null;
        }
        return switch (settings.username()) {
            case PLAIN -> username;
            case OMITTED -> null;
            // the chain key is required for hashed (AuditSettings)
            case HASHED ->
                "hmac:"
                        + Base64.getUrlEncoder()
                                .withoutPadding()
                                .encodeToString(Hmac.sha256(
                                        usernameKey,
                                        (realmId + "\n").getBytes(StandardCharsets.UTF_8),
                                        username.toLowerCase(Locale.ROOT).getBytes(StandardCharsets.UTF_8)));
        };
    }
}
