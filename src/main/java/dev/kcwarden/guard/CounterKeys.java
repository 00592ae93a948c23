package dev.kcwarden.guard;

import java.util.Locale;

/**
 * Builds the store keys. Whatever a client sends (a 10,000-character username, NUL bytes), a key is a fixed-size hash,
 * scoped to one realm and one limit, so neither memory per entry nor the key space of another realm can be influenced
 * from outside.
 */
public final class CounterKeys {

    static final String PREFIX = "warden:rl:";

    private final String realmId;

    public CounterKeys(String realmId) {
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
        return counter(limit, client.limitKey(), null, true);
    }

    /** A wider IPv6 network around the client, such as its /48. */
    public Counter network(Limit limit, ClientAddress client, int bits) {
        return counter(limit, client.network(bits), null, true);
    }

    /**
     * A name no account has and an address: tracked against the budget. An account and an address: not tracked, since
     * the account's own cap bounds how many addresses can fail for it within its window.
     */
    public Counter userAndIp(Limit limit, String account, ClientAddress client) {
        return counter(limit, account, client.limitKey(), isName(account));
    }

    /** An account's counter; tracked against the budget only when no account has the name. */
    public Counter account(Limit limit, String account) {
        return counter(limit, account, null, isName(account));
    }

    /** Where the realm's budget of tracked keys keeps its tickets. */
    public Limiter.Budget budget(Limit limit) {
        // Through the thread's counter cache: every attempt names the budget, and its key never changes.
        return new Limiter.Budget(counter(limit, "budget", null, false).key(), limit.max(), limit.windowSeconds());
    }

    /**
     * Where the known-client exemption remembers an address for the account with this name: one of {@code places} per
     * name (the option {@code warden.known-devices}, default 16), picked by the address's keyed tag, so logins from
     * ever new addresses overwrite each other instead of growing the store. Two addresses of one owner share a place
     * with a chance of 1 in {@code places}; the later login wins it.
     */
    public String knownClient(String account, long addressTag, int places) {
        if (places < 1) {
            throw new IllegalArgumentException("places must be at least 1");
        }
        return PREFIX + "known:" + hash(realmId + '\n' + account) + '#' + Math.floorMod(addressTag, places);
    }

    /** What the place holds: the address's 32-bit keyed tag and 32 bits of the account's password stamp. */
    static long knownClientValue(long addressTag, long credentialStamp) {
        return (addressTag << 32) | (credentialStamp & 0xffff_ffffL);
    }

    /** Whether the value names this address (before the account, and so its stamp, is known). */
    static boolean knownClientAddress(long value, long addressTag) {
        return value >>> 32 == addressTag;
    }

    /**
     * The counter keyed {@code PREFIX + kind + ':' + hash(realmId + '\n' + first [+ '\n' + second])}, built without the
     * concatenated strings: the key string is the only object it allocates, and none when this thread built the same
     * counter lately (see {@link KeyHasher}).
     */
    private Counter counter(Limit limit, String first, String second, boolean tracked) {
        return KeyHasher.current().counter(limit, realmId, first, second, tracked);
    }

    static String hash(String material) {
        return KeyHasher.current().hash(material);
    }

    /** The first 64 bits of the SHA-256 of {@code material}. */
    static long hash64(String material) {
        return KeyHasher.current().hash64(material);
    }
}
