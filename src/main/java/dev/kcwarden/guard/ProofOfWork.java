package dev.kcwarden.guard;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.util.Base64;

/**
 * The step-up puzzle's arithmetic, free of Keycloak: a server nonce, and a solution is any short string for which
 * SHA-256({@code nonce ":" solution}) starts with {@code bits} zero bits. Solving takes about 2^bits hashes, checking
 * one.
 */
public final class ProofOfWork {

    /** Random bytes in a nonce (128 bits). */
    static final int NONCE_BYTES = 16;
    /** Longest solution looked at: a browser's counter needs far fewer characters; anything longer is not hashed. */
    public static final int MAX_SOLUTION_LENGTH = 32;
    /** The widest difficulty the verifier accepts; beyond it no browser finishes. */
    public static final int MAX_BITS = 32;

    private static final SecureRandom RANDOM = new SecureRandom();

    private ProofOfWork() {}

    /** A fresh single-use nonce: 128 random bits, base64url without padding (22 characters). */
    public static String newNonce() {
        byte[] bytes = new byte[NONCE_BYTES];
        RANDOM.nextBytes(bytes);
        return Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
    }

    /**
     * Whether {@code solution} solves {@code nonce} at {@code bits}: null, empty, over {@link #MAX_SOLUTION_LENGTH}
     * characters or with a character outside {@code [0-9A-Za-z_-]} is refused before any hash.
     */
    public static boolean verify(String nonce, int bits, String solution) {
        if (nonce == null || nonce.isEmpty() || bits < 0 || bits > MAX_BITS || !wellFormed(solution)) {
            return false;
        }
        return leadingZeroBits(sha256(nonce + ':' + solution)) >= bits;
    }

    static boolean wellFormed(String solution) {
        if (solution == null || solution.isEmpty() || solution.length() > MAX_SOLUTION_LENGTH) {
            return false;
        }
        for (int i = 0; i < solution.length(); i++) {
            char c = solution.charAt(i);
            boolean ok =
                    (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_' || c == '-';
            if (!ok) {
                return false;
            }
        }
        return true;
    }

    /** Zero bits at the start of {@code hash}, most significant bit of the first byte first. */
    static int leadingZeroBits(byte[] hash) {
        int bits = 0;
        for (byte b : hash) {
            if (b == 0) {
                bits += 8;
                continue;
            }
            return bits + Integer.numberOfLeadingZeros(b & 0xff) - 24;
        }
        return bits;
    }

    static byte[] sha256(String text) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every Java runtime has SHA-256", e);
        }
    }

    /**
     * The bits an attempt must pay with {@code used} of {@code max} slots taken: none below {@code threshold} (a share
     * of the limit, 0 = off), then {@code baseBits} plus one per further counted failure, at most {@code maxBits}.
     */
    public static int requiredBits(int used, int max, double threshold, int baseBits, int maxBits) {
        if (threshold <= 0 || max <= 0) {
            return 0;
        }
        int from = Math.max(1, (int) Math.ceil(threshold * max - 1e-9));
        if (used < from) {
            return 0;
        }
        return (int) Math.min(maxBits, (long) baseBits + (used - from));
    }
}
