package dev.kcwarden.ratelimit;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@DisplayName("Behind proxies that append to X-Forwarded-For, the client is the right-most address no trusted proxy wrote")
class ForwardedForTest {

    private static final List<Cidr> PROXIES = List.of(Cidr.parse("10.0.0.0/8").orElseThrow(), Cidr.parse("192.0.2.1").orElseThrow());

    private static String client(String seen, String... headers) {
        return ClientAddresses.rightMostUntrusted(ClientAddress.parse(seen).orElseThrow(), List.of(headers), PROXIES).toString();
    }

    @Test
    @DisplayName("a forged left-most element changes nothing: the address the proxy appended counts")
    void forgedLeftMostIgnored() {
        // The client sent "X-Forwarded-For: 6.6.6.6"; nginx appended the real peer 203.0.113.5; Keycloak took the left-most.
        assertThat(client("6.6.6.6", "6.6.6.6, 203.0.113.5")).isEqualTo("203.0.113.5");
        assertThat(client("1.1.1.1", "1.1.1.1, 203.0.113.5")).isEqualTo("203.0.113.5");
    }

    @Test
    @DisplayName("a chain of trusted proxies is skipped from the right, over several headers")
    void chainOfProxies() {
        assertThat(client("6.6.6.6", "6.6.6.6, 203.0.113.5, 10.1.1.1", "192.0.2.1")).isEqualTo("203.0.113.5");
    }

    @Test
    @DisplayName("claiming an allowlisted or proxy address in the header gains nothing")
    void claimingTrustedAddress() {
        assertThat(client("10.9.9.9", "10.9.9.9, 203.0.113.5")).isEqualTo("203.0.113.5");
    }

    @Test
    @DisplayName("when Keycloak did not honour the header (its address is not the left-most), Keycloak's address counts")
    void headerNotHonoured() {
        assertThat(client("203.0.113.9", "6.6.6.6")).isEqualTo("203.0.113.9");
        assertThat(client("203.0.113.9")).isEqualTo("203.0.113.9");
    }

    @Test
    @DisplayName("a left-most element with a port or brackets (which Keycloak strips) gains nothing")
    void portsAndBrackets() {
        assertThat(client("203.0.113.77", "203.0.113.77:1, 203.0.113.5")).isEqualTo("203.0.113.5");
        assertThat(client("2001:db8:0:0:0:0:0:1", "[2001:db8::1]:443, 203.0.113.5")).isEqualTo("203.0.113.5");
        assertThat(client("2001:db8:0:0:0:0:0:1", "[2001:db8::1], 203.0.113.5")).isEqualTo("203.0.113.5");
        assertThat(client("203.0.113.5", "203.0.113.5")).isEqualTo("203.0.113.5");
        assertThat(client("6.6.6.6", "unknown, 203.0.113.5")).as("unreadable left-most: the shared unknown client").isEqualTo("0.0.0.0");
        assertThat(client("6.6.6.6", "6.6.6.6, 203.0.113.5:4711")).as("a port on the proxy's own element").isEqualTo("203.0.113.5");
    }

    @Test
    @DisplayName("garbage where a trusted proxy would have written an address counts as one unknown client")
    void garbageIsUnknown() {
        assertThat(client("6.6.6.6", "6.6.6.6, evil\u0001, 10.1.1.1")).isEqualTo("0.0.0.0");
        assertThat(client("10.1.1.1", "10.1.1.1, 10.2.2.2")).as("only proxies: nobody to blame").isEqualTo("0.0.0.0");
    }
}
