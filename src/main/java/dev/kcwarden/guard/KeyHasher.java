package dev.kcwarden.guard;

import static java.nio.charset.StandardCharsets.ISO_8859_1;
import static java.nio.charset.StandardCharsets.US_ASCII;

import java.security.DigestException;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Objects;

/**
 * SHA-256 for store keys without garbage: one {@link MessageDigest} and a few buffers per thread. The material goes
 * into the digest as UTF-8 straight from its strings (the bytes {@code String.getBytes(UTF_8)} gives, except that an
 * unpaired surrogate is encoded as its own three bytes instead of {@code '?'}, so that it keeps a counter of its own),
 * the digest lands in a reused array and is base64url-encoded into a reused buffer, so a key is the same string the
 * concatenating builder gave before and the key string itself is the one object a key costs.
 *
 * <p>The hash stays SHA-256 on purpose: the material carries names an attacker picks, so two materials must not be made
 * to share a counter (one victim's counter filled by an attacker's own attempts under another name). A fast unkeyed
 * hash would allow that; a keyed one would need a secret every node of a cluster shares. 144 bits of SHA-256 keep
 * chosen-input collisions out of reach, and with the CPU's SHA instructions one short key is one compression.
 */
final class KeyHasher {

    /** 144 bits: 24 base64 characters, no padding. */
    static final int HASH_BYTES = 18;

    private static final ThreadLocal<KeyHasher> PER_THREAD = ThreadLocal.withInitial(KeyHasher::new);
    private static final byte[] B64 =
            "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_".getBytes(US_ASCII);

    /** {@code warden:rl:<kind>:} per limit kind, by ordinal. */
    private static final byte[][] KIND_PREFIX = new byte[LimitKind.values().length][];

    static {
        for (LimitKind kind : LimitKind.values()) {
            KIND_PREFIX[kind.ordinal()] = (CounterKeys.PREFIX + kind.id() + ':').getBytes(US_ASCII);
        }
    }

    private final MessageDigest sha;
    /** Material on its way into the digest; a long name goes in in several chunks, so this never grows. */
    private final byte[] chunk = new byte[256];

    private int filled;
    private final byte[] digest = new byte[32];
    private final byte[] out = new byte[64];

    /** Recent counters of this thread, direct-mapped by their inputs (see {@link #counter}). */
    static final int CACHED = 64;

    /** Longer materials are never kept, so the cache holds at most a few tens of KB per thread. */
    static final int CACHED_MATERIAL_CHARS = 256;

    private final Counter[] cachedCounters = new Counter[CACHED];
    private final String[] cachedRealms = new String[CACHED];
    private final String[] cachedFirsts = new String[CACHED];
    private final String[] cachedSeconds = new String[CACHED];

    private KeyHasher() {
        try {
            sha = MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every Java runtime has SHA-256", e);
        }
    }

    static KeyHasher current() {
        return PER_THREAD.get();
    }

    /**
     * The counter of {@code limit} keyed by {@link #key}: the same counter object as this thread's last one for exactly
     * these inputs, else a new one. A client refused again and again (a flood) so costs no hash and no object per
     * attempt, and the counter keeps its marker key and refusal. Only equal inputs (compared in full, never by hash)
     * share an entry, so the cache can never make two inputs share a key; colliding inputs only evict each other.
     */
    Counter counter(Limit limit, String realmId, String first, String second, boolean tracked) {
        int length = first.length() + (second == null ? 0 : second.length());
        if (length > CACHED_MATERIAL_CHARS) {
            return new Counter(limit, key(limit.kind(), realmId, first, second), tracked);
        }
        int h = (realmId.hashCode() * 31 + first.hashCode()) * 31 + (second == null ? 0 : second.hashCode());
        h = h * 31 + limit.kind().ordinal();
        int slot = (h ^ (h >>> 16)) & (CACHED - 1);
        Counter cached = cachedCounters[slot];
        if (cached != null
                && cached.tracked() == tracked
                && cached.limit().equals(limit)
                && realmId.equals(cachedRealms[slot])
                && first.equals(cachedFirsts[slot])
                && Objects.equals(second, cachedSeconds[slot])) {
            return cached;
        }
        Counter counter = new Counter(limit, key(limit.kind(), realmId, first, second), tracked);
        cachedCounters[slot] = counter;
        cachedRealms[slot] = realmId;
        cachedFirsts[slot] = first;
        cachedSeconds[slot] = second;
        return counter;
    }

    /** {@code warden:rl:<kind>:} and the hash of {@code realmId '\n' first ['\n' second]}. */
    String key(LimitKind kind, String realmId, String first, String second) {
        start();
        putUtf8(realmId);
        put('\n');
        putUtf8(first);
        if (second != null) {
            put('\n');
            putUtf8(second);
        }
        finish();
        byte[] prefix = KIND_PREFIX[kind.ordinal()];
        System.arraycopy(prefix, 0, out, 0, prefix.length);
        int length = base64(prefix.length);
        return new String(out, 0, length, ISO_8859_1);
    }

    /** The base64url (unpadded) of the first {@link #HASH_BYTES} bytes of the SHA-256 of {@code material}. */
    String hash(String material) {
        start();
        putUtf8(material);
        finish();
        return new String(out, 0, base64(0), ISO_8859_1);
    }

    /** The first 64 bits of the SHA-256 of {@code material}, big-endian. */
    long hash64(String material) {
        start();
        putUtf8(material);
        finish();
        long value = 0;
        for (int i = 0; i < 8; i++) {
            value = (value << 8) | (digest[i] & 0xFF);
        }
        return value;
    }

    private void start() {
        filled = 0;
        sha.reset();
    }

    private void finish() {
        sha.update(chunk, 0, filled);
        filled = 0;
        try {
            sha.digest(digest, 0, digest.length);
        } catch (DigestException e) {
            throw new IllegalStateException("SHA-256 writes 32 bytes", e);
        }
    }

    private void put(int b) {
        if (filled == chunk.length) {
            sha.update(chunk, 0, filled);
            filled = 0;
        }
        chunk[filled++] = (byte) b;
    }

    /**
     * UTF-8 as {@code String.getBytes(UTF_8)} encodes it, except an unpaired surrogate (WTF-8, see below), so distinct
     * strings always give distinct bytes; {@code null} as the text "null", as concatenation did.
     */
    private void putUtf8(String text) {
        String s = text == null ? "null" : text;
        for (int i = 0, n = s.length(); i < n; i++) {
            char c = s.charAt(i);
            if (c < 0x80) {
                put(c);
            } else if (c < 0x800) {
                put(0xC0 | (c >> 6));
                put(0x80 | (c & 0x3F));
            } else if (Character.isHighSurrogate(c) && i + 1 < n && Character.isLowSurrogate(s.charAt(i + 1))) {
                int cp = Character.toCodePoint(c, s.charAt(++i));
                put(0xF0 | (cp >> 18));
                put(0x80 | ((cp >> 12) & 0x3F));
                put(0x80 | ((cp >> 6) & 0x3F));
                put(0x80 | (cp & 0x3F));
            } else {
                // Any other BMP char, and an unpaired surrogate as its own three bytes (WTF-8), which no
                // valid UTF-8 contains: getBytes(UTF_8) made it '?', so "x\uD800" and "x?" shared a key.
                put(0xE0 | (c >> 12));
                put(0x80 | ((c >> 6) & 0x3F));
                put(0x80 | (c & 0x3F));
            }
        }
    }

    /** Base64url of the digest's first {@link #HASH_BYTES} bytes into {@code out} from {@code at}; the end. */
    private int base64(int at) {
        int p = at;
        for (int i = 0; i < HASH_BYTES; i += 3) {
            int v = (digest[i] & 0xFF) << 16 | (digest[i + 1] & 0xFF) << 8 | (digest[i + 2] & 0xFF);
            out[p++] = B64[v >>> 18];
            out[p++] = B64[(v >>> 12) & 0x3F];
            out[p++] = B64[(v >>> 6) & 0x3F];
            out[p++] = B64[v & 0x3F];
        }
        return p;
    }
}
