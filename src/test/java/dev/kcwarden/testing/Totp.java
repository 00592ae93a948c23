package dev.kcwarden.testing;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.util.List;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.keycloak.representations.idm.CredentialRepresentation;
import org.keycloak.representations.idm.UserRepresentation;

/**
 * Time-based one-time codes (RFC 6238, the realm's default policy: HMAC-SHA1, 6 digits, 30 s), for a user whose OTP
 * credential a test creates through the admin API with a secret it knows.
 */
public final class Totp {

    private static final int PERIOD = 30;

    private Totp() {}

    /** Adds an OTP credential with {@code secret} (Keycloak keys the HMAC with the secret's bytes) to the user. */
    public static UserRepresentation withOtp(UserRepresentation user, String secret) {
        CredentialRepresentation otp = new CredentialRepresentation();
        otp.setType("otp");
        otp.setUserLabel("test phone");
        otp.setSecretData("{\"value\":\"" + secret + "\"}");
        otp.setCredentialData(
                "{\"subType\":\"totp\",\"digits\":6,\"counter\":0,\"period\":30,\"algorithm\":\"HmacSHA1\"}");
        List<CredentialRepresentation> credentials = new java.util.ArrayList<>(user.getCredentials());
        credentials.add(otp);
        user.setCredentials(credentials);
        return user;
    }

    /** The code valid now (Keycloak accepts the step before and after too). */
    public static String now(String secret) {
        return code(secret, System.currentTimeMillis() / 1000 / PERIOD);
    }

    /**
     * The code of the next step: Keycloak accepts it too, and it is not the one {@link #now} gave (codes are single
     * use).
     */
    public static String next(String secret) {
        return code(secret, System.currentTimeMillis() / 1000 / PERIOD + 1);
    }

    /** A code that is wrong in every step Keycloak looks at around now. */
    public static String wrong(String secret, int n) {
        long step = System.currentTimeMillis() / 1000 / PERIOD;
        java.util.Set<String> valid = java.util.Set.of(
                code(secret, step - 2),
                code(secret, step - 1),
                code(secret, step),
                code(secret, step + 1),
                code(secret, step + 2));
        for (int candidate = n; ; candidate += 7919) {
            String code = String.format("%06d", candidate % 1_000_000);
            if (!valid.contains(code)) {
                return code;
            }
        }
    }

    static String code(String secret, long step) {
        try {
            Mac mac = Mac.getInstance("HmacSHA1");
            mac.init(new SecretKeySpec(secret.getBytes(StandardCharsets.UTF_8), "HmacSHA1"));
            byte[] hash = mac.doFinal(ByteBuffer.allocate(8).putLong(step).array());
            int offset = hash[hash.length - 1] & 0xF;
            int binary = ((hash[offset] & 0x7F) << 24)
                    | ((hash[offset + 1] & 0xFF) << 16)
                    | ((hash[offset + 2] & 0xFF) << 8)
                    | (hash[offset + 3] & 0xFF);
            return String.format("%06d", binary % 1_000_000);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }
}
