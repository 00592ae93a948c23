package dev.kcwarden.audit;

import dev.kcwarden.Hmac;
import java.nio.charset.StandardCharsets;
import java.util.Base64;

/**
 * The HMAC chain that makes the audit log tamper-evident: each line ends with
 * {@code "mac":"…"} = HMAC-SHA256(key, previous mac + "\n" + the line without its mac). The first
 * line of a node's chain (after a start) carries {@code "chain":"start"} and chains from "".
 * Pure JDK, so the verifier runs from the jar alone.
 */
public final class AuditChain {

    static final String MAC_FIELD = ",\"mac\":\"";

    private final byte[] key;
    private String previous = "";

    public AuditChain(byte[] key) {
        this.key = key.clone();
    }

    /** Appends the mac to {@code unsealed} (a JSON object without a mac) and advances the chain. */
    public synchronized String seal(String unsealed) {
        String mac = mac(key, previous, unsealed);
        previous = mac;
        return unsealed.substring(0, unsealed.length() - 1) + MAC_FIELD + mac + "\"}";
    }

    static String mac(byte[] key, String previous, String unsealed) {
        return Base64.getUrlEncoder().withoutPadding().encodeToString(Hmac.sha256(key,
                (previous + "\n").getBytes(StandardCharsets.UTF_8), unsealed.getBytes(StandardCharsets.UTF_8)));
    }
}
