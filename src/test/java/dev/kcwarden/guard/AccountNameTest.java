package dev.kcwarden.guard;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@DisplayName("One account key per typed name: exactly the string Keycloak looks up, without case")
class AccountNameTest {

    /** Every spelling the login and reset forms turn into "demo" before their lookup. */
    static List<String> formSpellingsOfDemo() {
        List<String> spellings = new ArrayList<>();
        for (char c = 0; c <= 0x20; c++) {
            spellings.add(c + "demo");
            spellings.add("demo" + c);
            spellings.add(c + "demo" + c);
        }
        spellings.add("DeMo");
        spellings.add("demo\u0001\u0003");
        spellings.add("\t\u0002 demo \u001f");
        return spellings;
    }

    @Test
    @DisplayName("control characters and spaces at either end are trimmed as Keycloak's form trims them")
    void formSpellingsMeetOneKey() {
        for (String spelling : formSpellingsOfDemo()) {
            assertThat(CounterKeys.nameOf(LoginGuard.formLookup(spelling)))
                    .as(
                            "spelling %s",
                            spelling.chars().mapToObj(Integer::toHexString).toList())
                    .isEqualTo(CounterKeys.nameOf("demo"));
        }
    }

    @Test
    @DisplayName("what Keycloak does not trim stays: NBSP, full-width letters, a control character inside")
    void otherSpellingsStayDistinct() {
        for (String spelling : List.of("demo\u00a0", "\u00a0demo", "ｄｅｍｏ", "de\u0001mo")) {
            assertThat(CounterKeys.nameOf(LoginGuard.formLookup(spelling))).isNotEqualTo(CounterKeys.nameOf("demo"));
        }
    }

    @Test
    @DisplayName("the key itself trims nothing: trimming is the lookup's, and only case is folded")
    void keyTrimsNothing() {
        assertThat(CounterKeys.nameOf("demo\u0001")).isNotEqualTo(CounterKeys.nameOf("demo"));
        assertThat(CounterKeys.nameOf("DEMO")).isEqualTo(CounterKeys.nameOf("demo"));
    }

    @Test
    @DisplayName("an account's key is its id, whatever name found it")
    void accountKeyIsTheId() {
        assertThat(CounterKeys.accountOf("u-1", "demo")).isEqualTo(CounterKeys.accountOf("u-1", "demo@example.com"));
        assertThat(CounterKeys.accountOf(null, "demo")).isEqualTo(CounterKeys.nameOf("demo"));
    }

    @Test
    @DisplayName("remembered addresses take a fixed number of places per name, however many addresses log in")
    void knownAddressesAreBounded() {
        CounterKeys keys = new CounterKeys("realm-1");
        java.util.Set<String> places = new java.util.HashSet<>();
        java.util.Random tags = new java.util.Random(7);
        for (int i = 0; i < 5_000; i++) {
            places.add(keys.knownClient(
                    CounterKeys.nameOf("alice"), tags.nextInt() & 0xffff_ffffL, GuardConfig.DEFAULT_KNOWN_DEVICES));
        }
        assertThat(places).hasSize(GuardConfig.DEFAULT_KNOWN_DEVICES);
        long home = 0x0000_0000_8000_0011L;
        long samePlace = home + GuardConfig.DEFAULT_KNOWN_DEVICES;
        assertThat(keys.knownClient("name:alice", samePlace, 16)).isEqualTo(keys.knownClient("name:alice", home, 16));
        long value = CounterKeys.knownClientValue(home, 0x1234_5678_9abc_def0L);
        assertThat(CounterKeys.knownClientAddress(value, home)).isTrue();
        assertThat(CounterKeys.knownClientAddress(value, samePlace))
                .as("another address in the same place")
                .isFalse();
        assertThat(value)
                .as("another password")
                .isNotEqualTo(CounterKeys.knownClientValue(home, 0x1234_5678_9abc_def1L));
    }

    @Test
    @DisplayName("warden.known-devices sets the places per name: 1 puts every address in one place, 64 spreads them")
    void knownAddressPlacesFollowTheOption() {
        CounterKeys keys = new CounterKeys("realm-1");
        for (int places : new int[] {1, 2, 64}) {
            java.util.Set<String> seen = new java.util.HashSet<>();
            java.util.Random tags = new java.util.Random(places);
            for (int i = 0; i < 5_000; i++) {
                seen.add(keys.knownClient(CounterKeys.nameOf("alice"), tags.nextInt() & 0xffff_ffffL, places));
            }
            assertThat(seen).as("places for " + places).hasSize(places);
        }
        assertThat(keys.knownClient("name:alice", 5, 1)).isEqualTo(keys.knownClient("name:alice", 6, 1));
        assertThat(keys.knownClient("name:alice", 5, 64)).isNotEqualTo(keys.knownClient("name:alice", 6, 64));
        assertThat(keys.knownClient("name:alice", -1, 64)).endsWith("#63");
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> keys.knownClient("name:alice", 5, 0))
                .isInstanceOf(IllegalArgumentException.class);
    }
}
