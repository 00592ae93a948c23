package dev.kcwarden.guard;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@DisplayName("Counter keys built without garbage are the keys the concatenating builder gave")
class CounterKeysTest {

    private static final String REALM = "realm-\u00e9\u4e2d";
    private final CounterKeys keys = new CounterKeys(REALM);
    private final LegacyCounterKeys legacy = new LegacyCounterKeys(REALM);
    private final List<ClientAddress> clients = List.of(
            ClientAddress.parse("203.0.113.9").orElseThrow(),
            ClientAddress.parse("2001:db8:1:2:3:4:5:6").orElseThrow(),
            ClientAddress.parse("::ffff:198.51.100.7").orElseThrow());

    /** Odd spellings: control characters, NUL, new lines, every UTF-8 length, and names past one 256-byte chunk. */
    static List<String> oddNames() {
        List<String> names = new ArrayList<>(AccountNameTest.formSpellingsOfDemo());
        names.addAll(List.of(
                "",
                "alice",
                "ALICE",
                "a\u0000lice",
                "alice\n203.0.113.9",
                "\n",
                "\u00e9l\u00e8ve",
                "\u0130stanbul",
                "\u4e2d\u6587",
                "\ud83d\ude00smile",
                "\ufeffbom",
                "\uffff",
                "\u07ff\u0800",
                "x".repeat(255) + "\u00e9",
                "y".repeat(254) + "\ud83d\ude00",
                "\u4e2d".repeat(3_400),
                "z".repeat(10_000)));
        return names;
    }

    @Test
    @DisplayName("every kind of key, for odd names and IPv4, IPv6 and mapped addresses, equals the old builder's")
    void sameKeysAsBefore() {
        Limit perAddress = new Limit(LimitKind.USER_IP, 5, 60);
        Limit perAccount = new Limit(LimitKind.ACCOUNT, 10, 900);
        Limit perNetwork = new Limit(LimitKind.IP6_48, 50, 600);
        for (String name : oddNames()) {
            for (String account : List.of(CounterKeys.nameOf(name), CounterKeys.accountOf(name, "ignored"))) {
                assertThat(keys.account(perAccount, account)).isEqualTo(legacy.account(perAccount, account));
                for (ClientAddress client : clients) {
                    assertThat(keys.userAndIp(perAddress, account, client))
                            .isEqualTo(legacy.userAndIp(perAddress, account, client));
                }
                assertThat(keys.knownClient(account, -7, GuardConfig.DEFAULT_KNOWN_DEVICES))
                        .isEqualTo(legacy.knownClient(account, -7));
            }
            assertThat(CounterKeys.hash(name)).isEqualTo(LegacyCounterKeys.hash(name));
            assertThat(CounterKeys.hash64(name)).isEqualTo(LegacyCounterKeys.hash64(name));
        }
        for (ClientAddress client : clients) {
            assertThat(keys.ip(new Limit(LimitKind.IP, 20, 60), client))
                    .isEqualTo(legacy.ip(new Limit(LimitKind.IP, 20, 60), client));
            assertThat(keys.network(perNetwork, client, 48)).isEqualTo(legacy.network(perNetwork, client, 48));
        }
        assertThat(keys.budget(new Limit(LimitKind.TRACKED_KEYS, 100, 600)))
                .isEqualTo(legacy.budget(new Limit(LimitKind.TRACKED_KEYS, 100, 600)));
    }

    @Test
    @DisplayName("random strings of any UTF-16 code units map as before, and distinct ones never share a key")
    void randomStrings() {
        Random random = new Random(20261203);
        Limit limit = new Limit(LimitKind.ACCOUNT, 10, 900);
        Set<String> seen = new HashSet<>();
        Set<String> keysSeen = new HashSet<>();
        for (int i = 0; i < 20_000; i++) {
            char[] chars = new char[random.nextInt(i % 100 == 0 ? 400 : 12)];
            for (int j = 0; j < chars.length; j++) {
                chars[j] = switch (random.nextInt(4)) {
                    case 0 -> (char) random.nextInt(0x80);
                    case 1 -> (char) (0xD800 + random.nextInt(0x800)); // surrogates, paired or not
                    default -> (char) random.nextInt(0x10000);
                };
            }
            String name = new String(chars);
            String account = CounterKeys.nameOf(name);
            String key = keys.account(limit, account).key();
            if (!hasUnpairedSurrogate(account)) {
                assertThat(key).isEqualTo(legacy.account(limit, account).key());
            }
            if (seen.add(account)) {
                assertThat(keysSeen.add(key)).as("a new account has a new key").isTrue();
            }
        }
    }

    @Test
    @DisplayName("an unpaired surrogate no longer shares a key with '?', as String.getBytes made it")
    void unpairedSurrogatesKeepTheirOwnKeys() {
        Limit limit = new Limit(LimitKind.ACCOUNT, 10, 900);
        List<String> names = List.of("bob?", "bob\ud800", "bob\udc00", "bob\ud800\ud800", "bob??", "\udc00\ud800");
        Set<String> distinct = new HashSet<>();
        for (String name : names) {
            distinct.add(keys.account(limit, CounterKeys.nameOf(name)).key());
        }
        assertThat(distinct).hasSize(names.size());
        assertThat(keys.account(limit, CounterKeys.nameOf("bob\ud800")))
                .as("the same input keeps its key")
                .isEqualTo(keys.account(limit, CounterKeys.nameOf("bob\ud800")));
    }

    @Test
    @DisplayName("threads hashing at once each get their own digest: keys stay right under contention")
    void concurrentThreads() throws Exception {
        List<String> names = oddNames();
        Limit limit = new Limit(LimitKind.USER_IP, 5, 60);
        ExecutorService pool = Executors.newFixedThreadPool(4);
        try {
            List<Future<Boolean>> results = new ArrayList<>();
            for (int t = 0; t < 4; t++) {
                results.add(pool.submit(() -> {
                    for (int round = 0; round < 20; round++) {
                        for (String name : names) {
                            String account = CounterKeys.nameOf(name);
                            if (!keys.userAndIp(limit, account, clients.get(round % 3))
                                    .equals(legacy.userAndIp(limit, account, clients.get(round % 3)))) {
                                return false;
                            }
                        }
                    }
                    return true;
                }));
            }
            for (Future<Boolean> result : results) {
                assertThat(result.get(60, TimeUnit.SECONDS)).isTrue();
            }
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    @DisplayName("the thread's counter cache answers only for equal inputs: realm, limit, tracking, every character")
    void counterCacheNeverMixesInputs() {
        Limit tenPer15 = new Limit(LimitKind.ACCOUNT, 10, 900);
        Counter alice = keys.account(tenPer15, CounterKeys.nameOf("alice"));
        assertThat(keys.account(tenPer15, CounterKeys.nameOf(new String("ALICE".toCharArray()))))
                .as("equal inputs, other string objects: the same counter")
                .isSameAs(alice);
        Counter otherMax = keys.account(new Limit(LimitKind.ACCOUNT, 11, 900), CounterKeys.nameOf("alice"));
        assertThat(otherMax).isNotSameAs(alice);
        assertThat(otherMax.limit().max()).isEqualTo(11);
        assertThat(otherMax.key()).isEqualTo(alice.key());
        Counter otherRealm = new CounterKeys("realm-2").account(tenPer15, CounterKeys.nameOf("alice"));
        assertThat(otherRealm.key()).isNotEqualTo(alice.key());
        assertThat(keys.account(tenPer15, CounterKeys.nameOf("alice")).key()).isEqualTo(alice.key());
        Counter byId = keys.account(tenPer15, CounterKeys.accountOf("alice", null));
        assertThat(byId.tracked()).isFalse();
        assertThat(alice.tracked()).isTrue();
        String longName = "n".repeat(KeyHasher.CACHED_MATERIAL_CHARS + 1);
        assertThat(keys.account(tenPer15, CounterKeys.nameOf(longName)))
                .as("long materials are not kept")
                .isNotSameAs(keys.account(tenPer15, CounterKeys.nameOf(longName)))
                .isEqualTo(legacy.account(tenPer15, CounterKeys.nameOf(longName)));
        // "Aa" and "BB" have one String.hashCode, so they meet in one cache entry: still two counters.
        Counter aa = keys.account(tenPer15, CounterKeys.accountOf("Aa", null));
        Counter bb = keys.account(tenPer15, CounterKeys.accountOf("BB", null));
        assertThat(bb.key())
                .isNotEqualTo(aa.key())
                .isEqualTo(legacy.account(tenPer15, "id:BB").key());
        assertThat(keys.account(tenPer15, "id:Aa")).isEqualTo(legacy.account(tenPer15, "id:Aa"));
        Limit perAddress = new Limit(LimitKind.USER_IP, 5, 60);
        for (int round = 0; round < 3; round++) { // hits, misses and evictions: always the old builder's key
            for (int i = 0; i < 500; i++) {
                String account = CounterKeys.nameOf("user" + i);
                ClientAddress client = clients.get((i + round) % 3);
                assertThat(keys.userAndIp(perAddress, account, client))
                        .isEqualTo(legacy.userAndIp(perAddress, account, client));
                assertThat(keys.ip(new Limit(LimitKind.IP, 20, 60), client))
                        .isEqualTo(legacy.ip(new Limit(LimitKind.IP, 20, 60), client));
            }
        }
    }

    private static boolean hasUnpairedSurrogate(String s) {
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (Character.isHighSurrogate(c) && i + 1 < s.length() && Character.isLowSurrogate(s.charAt(i + 1))) {
                i++;
            } else if (Character.isSurrogate(c)) {
                return true;
            }
        }
        return false;
    }
}
