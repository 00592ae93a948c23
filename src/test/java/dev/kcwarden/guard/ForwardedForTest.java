package dev.kcwarden.guard;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@DisplayName(
        "Behind proxies that append to X-Forwarded-For, the client is the right-most address no trusted proxy wrote")
class ForwardedForTest {

    private static final List<Cidr> PROXIES = List.of(
            Cidr.parse("10.0.0.0/8").orElseThrow(), Cidr.parse("192.0.2.1").orElseThrow());

    private static final ClientAddress PROXY = ClientAddress.parse("10.0.0.1").orElseThrow();

    /** What counts for a request the trusted proxy 10.0.0.1 sent with these headers. */
    private static String client(String keycloakSaw, String... headers) {
        return ClientAddresses.choose(
                        ClientAddress.parse(keycloakSaw).orElseThrow(),
                        java.util.Optional.of(PROXY),
                        List.of(headers),
                        PROXIES)
                .toString();
    }

    @Test
    @DisplayName("a forged left-most element changes nothing: the address the proxy appended counts")
    void forgedLeftMostIgnored() {
        // The client sent "X-Forwarded-For: 6.6.6.6"; nginx appended the real peer 203.0.113.5; Keycloak took the
        // left-most.
        assertThat(client("6.6.6.6", "6.6.6.6, 203.0.113.5")).isEqualTo("203.0.113.5");
        assertThat(client("1.1.1.1", "1.1.1.1, 203.0.113.5")).isEqualTo("203.0.113.5");
    }

    @Test
    @DisplayName("a chain of trusted proxies is skipped from the right, over several headers")
    void chainOfProxies() {
        assertThat(client("6.6.6.6", "6.6.6.6, 203.0.113.5, 10.1.1.1", "192.0.2.1"))
                .isEqualTo("203.0.113.5");
    }

    @Test
    @DisplayName("claiming an allowlisted or proxy address in the header gains nothing")
    void claimingTrustedAddress() {
        assertThat(client("10.9.9.9", "10.9.9.9, 203.0.113.5")).isEqualTo("203.0.113.5");
    }

    @Test
    @DisplayName("a client that reaches Keycloak without the proxy is counted as Keycloak sees it, whatever header "
            + "it writes")
    void onlyTrustedPeersAreBelieved() {
        ClientAddress attacker = ClientAddress.parse("203.0.113.9").orElseThrow();
        // It writes its own address first, as Keycloak would report it, and a made-up one after it.
        assertThat(ClientAddresses.choose(
                        attacker, java.util.Optional.of(attacker), List.of("203.0.113.9, 198.51.100.7"), PROXIES))
                .hasToString("203.0.113.9");
        assertThat(ClientAddresses.choose(
                        ClientAddress.parse("198.51.100.7").orElseThrow(),
                        java.util.Optional.of(attacker),
                        List.of("198.51.100.7"),
                        PROXIES))
                .as("even when Keycloak believed its header (no --proxy-trusted-addresses), the peer counts")
                .hasToString("203.0.113.9");
        assertThat(ClientAddresses.choose(
                        attacker, java.util.Optional.empty(), List.of("203.0.113.9, 198.51.100.7"), PROXIES))
                .as("a peer that cannot be read believes nothing")
                .hasToString("203.0.113.9");
        assertThat(client("10.0.0.1")).as("the proxy's own request, no header").isEqualTo("10.0.0.1");
    }

    @Test
    @DisplayName("a left-most element with a port or brackets (which Keycloak strips) gains nothing")
    void portsAndBrackets() {
        assertThat(client("203.0.113.77", "203.0.113.77:1, 203.0.113.5")).isEqualTo("203.0.113.5");
        assertThat(client("2001:db8:0:0:0:0:0:1", "[2001:db8::1]:443, 203.0.113.5"))
                .isEqualTo("203.0.113.5");
        assertThat(client("2001:db8:0:0:0:0:0:1", "[2001:db8::1], 203.0.113.5")).isEqualTo("203.0.113.5");
        assertThat(client("203.0.113.5", "203.0.113.5")).isEqualTo("203.0.113.5");
        assertThat(client("6.6.6.6", "unknown, 203.0.113.5"))
                .as("an unreadable left-most element is never reached")
                .isEqualTo("203.0.113.5");
        assertThat(client("6.6.6.6", "6.6.6.6, 203.0.113.5:4711"))
                .as("a port on the proxy's own element")
                .isEqualTo("203.0.113.5");
    }

    @Test
    @DisplayName("garbage where a trusted proxy would have written an address counts as one unknown client")
    void garbageIsUnknown() {
        assertThat(client("6.6.6.6", "6.6.6.6, evil\u0001, 10.1.1.1")).isEqualTo("0.0.0.0");
        assertThat(client("10.1.1.1", "10.1.1.1, 10.2.2.2"))
                .as("only proxies: nobody to blame")
                .isEqualTo("0.0.0.0");
    }
}
