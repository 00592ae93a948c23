package dev.kcwarden.audit;

import dev.kcwarden.Hmac;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import javax.crypto.Mac;

/**
 * The HMAC chain that makes the audit log tamper-evident: each line ends with {@code "mac":"…"} = HMAC-SHA256(key,
 * previous mac + "\n" + the line without its mac). The first line of a run (after a start) carries
 * {@code "chain":"start"} and chains from ""; it names the run before it (run number, last seq and mac), so runs link
 * up too. Pure JDK, so the verifier runs from the jar alone.
 */
public final class AuditChain {

    static final String MAC_FIELD = ",\"mac\":\"";
    /** Context of the username-hash key, so that the chain key itself never keys anything but the chain. */
    static final String USERNAME_KEY_CONTEXT = "warden-audit username v1";

    /** Keyed once; used only under this chain's lock. */
    private final Mac keyed;

    private String previous = "";

    public AuditChain(byte[] key) {
        this.keyed = Hmac.keyed(key);
    }

    /** Appends the mac to {@code unsealed} (a JSON object without a mac) and advances the chain. */
    public synchronized String seal(String unsealed) {
        String mac = mac(keyed, previous, unsealed);
        previous = mac;
        return unsealed.substring(0, unsealed.length() - 1) + MAC_FIELD + mac + "\"}";
    }

    /** Starts a new run: the next line chains from "" again (a start line). */
    synchronized void restart() {
        previous = "";
    }

    /** The mac of the last sealed line ("" before the first). */
    synchronized String last() {
        return previous;
    }

    static String mac(byte[] key, String previous, String unsealed) {
        return mac(Hmac.keyed(key), previous, unsealed);
    }

    private static String mac(Mac keyed, String previous, String unsealed) {
        return Base64.getUrlEncoder()
                .withoutPadding()
                .encodeToString(Hmac.sha256(
                        keyed,
                        (previous + "\n").getBytes(StandardCharsets.UTF_8),
                        unsealed.getBytes(StandardCharsets.UTF_8)));
    }

    /** The key of the hashed usernames: HMAC(chain key, {@value #USERNAME_KEY_CONTEXT}), never the chain key itself. */
    static byte[] usernameKey(byte[] chainKey) {
        return Hmac.sha256(chainKey, USERNAME_KEY_CONTEXT.getBytes(StandardCharsets.UTF_8));
    }
}
