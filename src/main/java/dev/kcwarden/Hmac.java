package dev.kcwarden;

import java.security.GeneralSecurityException;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * HMAC-SHA256 over the concatenation of some parts: the one primitive of the audit chain, the hashed usernames, the
 * webhook signature and the known-device cookie.
 */
public final class Hmac {

    private Hmac() {}

    public static byte[] sha256(byte[] key, byte[]... parts) {
        return sha256(keyed(key), parts);
    }

    /**
     * A MAC keyed once, for a caller that seals many messages with one key (looking the algorithm up and keying it
     * costs more than a short message). Not thread-safe: one caller at a time, e.g. under the caller's lock.
     */
    public static Mac keyed(byte[] key) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(key, "HmacSHA256"));
            return mac;
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("HmacSHA256 is in every Java runtime", e);
        }
    }

    /** The HMAC of the parts with a MAC from {@link #keyed}; the MAC is ready for the next message afterwards. */
    public static byte[] sha256(Mac keyed, byte[]... parts) {
        for (byte[] part : parts) {
            keyed.update(part);
        }
        return keyed.doFinal();
    }
}
