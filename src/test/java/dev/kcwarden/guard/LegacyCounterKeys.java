package dev.kcwarden.guard;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Arrays;
import java.util.Base64;
import java.util.Locale;

/**
 * The key builder before the allocation-free one (2026-12-02), kept for tests and the benchmark only: every key the new
 * {@link CounterKeys} builds must equal this one's, and {@link LimiterBenchmark} runs both side by side.
 *
 * <p>Builds the store keys. Whatever a client sends (a 10,000-character username, NUL bytes), a key is a fixed-size
 * hash, scoped to one realm and one limit, so neither memory per entry nor the key space of another realm can be
 * influenced from outside.
 */
final class LegacyCounterKeys {

    private static final String PREFIX = "warden:rl:";
    private static final Base64.Encoder B64 = Base64.getUrlEncoder().withoutPadding();

    private final String realmId;

    LegacyCounterKeys(String realmId) {
        this.realmId = realmId;
    }

    /** The account part of a key: the user id when the account exists, else the name as Keycloak looks it up. */
    public static String accountOf(String userId, String lookupName) {
        return userId != null ? "id:" + userId : nameOf(lookupName);
    }

    /**
     * The account part of a key for a name as Keycloak looks it up (already trimmed the way the flow trims). Keycloak
     * compares usernames and emails without case, so the key does too; nothing else is removed, since a name Keycloak
     * would not find cannot log in either.
     */
    public static String nameOf(String lookupName) {
        return "name:" + (lookupName == null ? "" : lookupName.toLowerCase(Locale.ROOT));
    }

    static boolean isName(String account) {
        return account.startsWith("name:");
    }

    /** The per-address counter: the IPv4 address or the IPv6 /64. */
    public Counter ip(Limit limit, ClientAddress client) {
        return tracked(limit, oldLimitKey(client));
    }

    /** A wider IPv6 network around the client, such as its /48. */
    public Counter network(Limit limit, ClientAddress client, int bits) {
        return tracked(limit, client.network(bits));
    }

    /**
     * A name no account has and an address: tracked against the budget. An account and an address: not tracked, since
     * the account's own cap bounds how many addresses can fail for it within its window.
     */
    public Counter userAndIp(Limit limit, String account, ClientAddress client) {
        String material = account + '\n' + oldLimitKey(client);
        return isName(account) ? tracked(limit, material) : new Counter(limit, key(limit.kind(), material));
    }

    /** An account's counter; tracked against the budget only when no account has the name. */
    public Counter account(Limit limit, String account) {
        return isName(account) ? tracked(limit, account) : new Counter(limit, key(limit.kind(), account));
    }

    /** What ClientAddress.limitKey() computed on every call before it kept the value. */
    private static String oldLimitKey(ClientAddress client) {
        return client.ipv6() ? client.network(64) : client.address().getHostAddress();
    }

    /** Where the realm's budget of tracked keys keeps its tickets. */
    public Limiter.Budget budget(Limit limit) {
        return new Limiter.Budget(key(LimitKind.TRACKED_KEYS, "budget"), limit.max(), limit.windowSeconds());
    }

    /**
     * How many places one name has for remembered addresses: a fixed number of entries per account, whatever logs in to
     * it.
     */
    static final int KNOWN_ADDRESSES_PER_NAME = 16;

    /**
     * Where the known-client exemption remembers an address for the account with this name: one of
     * {@link #KNOWN_ADDRESSES_PER_NAME} places per name, picked by the address's keyed tag, so logins from ever new
     * addresses overwrite each other instead of growing the store. Two addresses of one owner share a place with a
     * chance of 1 in 16; the later login wins it.
     */
    public String knownClient(String account, long addressTag) {
        return PREFIX + "known:" + hash(realmId + '\n' + account) + '#'
                + Math.floorMod(addressTag, KNOWN_ADDRESSES_PER_NAME);
    }

    /** What the place holds: the address's 32-bit keyed tag and 32 bits of the account's password stamp. */
    static long knownClientValue(long addressTag, long credentialStamp) {
        return (addressTag << 32) | (credentialStamp & 0xffff_ffffL);
    }

    /** Whether the value names this address (before the account, and so its stamp, is known). */
    static boolean knownClientAddress(long value, long addressTag) {
        return value >>> 32 == addressTag;
    }

    private Counter tracked(Limit limit, String material) {
        return new Counter(limit, key(limit.kind(), material), true);
    }

    private String key(LimitKind kind, String material) {
        return PREFIX + kind.id() + ':' + hash(realmId + '\n' + material);
    }

    static String hash(String material) {
        return B64.encodeToString(Arrays.copyOf(sha256(material), 18));
    }

    /** The first 64 bits of the SHA-256 of {@code material}. */
    static long hash64(String material) {
        return ByteBuffer.wrap(sha256(material)).getLong();
    }

    private static byte[] sha256(String material) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(material.getBytes(StandardCharsets.UTF_8));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every Java runtime has SHA-256", e);
        }
    }
}
