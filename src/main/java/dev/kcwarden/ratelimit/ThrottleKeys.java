package dev.kcwarden.ratelimit;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Base64;
import java.util.Locale;

/**
 * Builds the store keys. Whatever a client sends (a 10,000-character username, NUL bytes),
 * a key is a fixed-size hash, scoped to one realm and one limit, so neither memory per entry
 * nor the key space of another realm can be influenced from outside.
 */
public final class ThrottleKeys {

    private static final String PREFIX = "warden:rl:";
    private static final Base64.Encoder B64 = Base64.getUrlEncoder().withoutPadding();

    private final String realmId;

    public ThrottleKeys(String realmId) {
        this.realmId = realmId;
    }

    /** The account part of a key: the user id when the account exists, else the normalized name typed. */
    public static String accountOf(String userId, String typedName) {
        return userId != null ? "id:" + userId : "name:" + normalizeName(typedName);
    }

    /** Keycloak matches usernames and emails without case, so the limiter does too. */
    public static String normalizeName(String typed) {
        return typed == null ? "" : typed.strip().toLowerCase(Locale.ROOT);
    }

    public Bucket ip(Limit limit, ClientAddress client) {
        return bucket(limit, client.limitKey());
    }

    public Bucket userAndIp(Limit limit, String account, ClientAddress client) {
        return bucket(limit, account + '\n' + client.limitKey());
    }

    public Bucket account(Limit limit, String account) {
        return bucket(limit, account);
    }

    private Bucket bucket(Limit limit, String material) {
        return new Bucket(limit, PREFIX + limit.kind().id() + ':' + hash(realmId + '\n' + material));
    }

    private static String hash(String material) {
        try {
            byte[] digest = MessageDigest.getInstance("SHA-256").digest(material.getBytes(StandardCharsets.UTF_8));
            return B64.encodeToString(java.util.Arrays.copyOf(digest, 18));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every Java runtime has SHA-256", e);
        }
    }
}
