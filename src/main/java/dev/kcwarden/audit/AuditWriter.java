package dev.kcwarden.audit;

import dev.kcwarden.Hmac;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import org.jboss.logging.Logger;

/**
 * Turns one event into one JSON line and writes it to the log category {@value #CATEGORY}: numbered per
 * node, sealed into the node's HMAC chain, in the order written. One writer per node (the factory's).
 */
final class AuditWriter {

    static final String CATEGORY = "warden.audit";
    static final int SCHEMA_VERSION = 1;

    private static final Logger AUDIT = Logger.getLogger(CATEGORY);
    private static final Logger LOG = Logger.getLogger(AuditWriter.class);
    private static final ObjectMapper JSON = new ObjectMapper();

    private final AuditSettings settings;
    private final AuditChain chain;
    private final AtomicBoolean started = new AtomicBoolean();
    private long sequence;

    AuditWriter(AuditSettings settings) {
        this.settings = settings;
        this.chain = settings.chainKey() == null ? null : new AuditChain(settings.chainKey());
        if (chain == null) {
            LOG.warn("warden-audit: no chain-key configured, so audit lines carry no mac and edits cannot be detected; "
                    + "set --spi-events-listener--warden-audit--chain-key");
        }
    }

    /** Fields first, then node, seq, chain marker and mac, in this order; nulls left out. */
    synchronized String write(Map<String, Object> fields) {
        Map<String, Object> line = new LinkedHashMap<>();
        line.put("v", SCHEMA_VERSION);
        line.put("time", Instant.ofEpochMilli((Long) fields.remove("time")).toString());
        fields.forEach((k, v) -> {
            if (v != null) {
                line.put(k, v);
            }
        });
        line.put("node", settings.node());
        line.put("seq", ++sequence);
        if (started.compareAndSet(false, true)) {
            line.put("chain", "start");
        }
        String text;
        try {
            text = JSON.writeValueAsString(line);
        } catch (JsonProcessingException e) {
            LOG.errorf("warden-audit: an event could not be encoded (%s); seq %d is missing", e.getOriginalMessage(), sequence);
            return null;
        }
        String sealed = chain == null ? text : chain.seal(text);
        AUDIT.info(sealed);
        dev.kcwarden.metrics.WardenMetrics.auditLine();
        return sealed;
    }

    /** The username as configured: as typed, an HMAC keyed with the chain key and realm id, or nothing. */
    String username(String realmId, String username) {
        if (username == null) {
            return null;
        }
        return switch (settings.username()) {
            case PLAIN -> username;
            case OMITTED -> null;
            // the chain key is required for hashed (AuditSettings)
            case HASHED -> "hmac:" + Base64.getUrlEncoder().withoutPadding().encodeToString(Hmac.sha256(settings.chainKey(),
                    (realmId + "\n").getBytes(StandardCharsets.UTF_8),
                    username.toLowerCase(java.util.Locale.ROOT).getBytes(StandardCharsets.UTF_8)));
        };
    }
}
