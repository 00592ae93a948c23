package dev.kcwarden.guard;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@DisplayName("Client addresses: IPv4 as is, IPv6 by /64, nothing that is not a literal")
class ClientAddressTest {

    private static String key(String literal) {
        return ClientAddress.parse(literal).orElseThrow().limitKey();
    }

    @Test
    void ipv4CountsAlone() {
        assertThat(key("192.0.2.10")).isEqualTo("192.0.2.10");
        assertThat(key("::ffff:192.0.2.10")).as("IPv4-mapped").isEqualTo("192.0.2.10");
    }

    @Test
    void ipv6CountsBySlash64() {
        assertThat(key("2001:db8:1:2:aaaa:bbbb:cccc:dddd")).isEqualTo("2001:db8:1:2::/64");
        assertThat(key("2001:db8:1:2::1")).isEqualTo(key("2001:db8:1:2:ffff::9"));
        assertThat(key("2001:db8:1:3::1")).isNotEqualTo(key("2001:db8:1:2::1"));
        assertThat(key("[2001:db8::1%eth0]")).isEqualTo("2001:db8::/64");
    }

    @Test
    @DisplayName("IPv6 networks /56 and /48 around a client, for the wider login limits")
    void ipv6Tiers() {
        ClientAddress a = ClientAddress.parse("2001:db8:1:2ff:aaaa::1").orElseThrow();
        assertThat(a.ipv6()).isTrue();
        assertThat(a.network(56)).isEqualTo("2001:db8:1:200::/56");
        assertThat(a.network(48)).isEqualTo("2001:db8:1::/48");
        ClientAddress sameSlash48 = ClientAddress.parse("2001:db8:1:ffff::9").orElseThrow();
        assertThat(sameSlash48.network(48)).isEqualTo(a.network(48));
        assertThat(sameSlash48.network(56)).isNotEqualTo(a.network(56));
        assertThat(sameSlash48.limitKey()).isNotEqualTo(a.limitKey());
        ClientAddress loopback = ClientAddress.parse("::1").orElseThrow();
        assertThat(loopback.limitKey()).isEqualTo("0::/64");
        ClientAddress v4 = ClientAddress.parse("192.0.2.10").orElseThrow();
        assertThat(v4.ipv6()).isFalse();
        assertThat(v4.network(48)).isEqualTo("192.0.2.10");
    }

    @Test
    void namesAndGarbageAreRejectedWithoutLookup() {
        assertThat(ClientAddress.parse("example.com")).isEmpty();
        assertThat(ClientAddress.parse("1.2.3")).isEmpty();
        assertThat(ClientAddress.parse("")).isEmpty();
        assertThat(ClientAddress.parse(null)).isEmpty();
        assertThat(ClientAddress.parse("1.2.3.4\u0000")).isEmpty();
        assertThat(ClientAddress.parse("x".repeat(10_000))).isEmpty();
    }

    @Test
    void cidrMatching() {
        Cidr ten = Cidr.parse("10.0.0.0/8").orElseThrow();
        assertThat(ten.contains(ClientAddress.parse("10.200.1.1").orElseThrow().address()))
                .isTrue();
        assertThat(ten.contains(ClientAddress.parse("11.0.0.1").orElseThrow().address()))
                .isFalse();
        Cidr odd = Cidr.parse("192.168.0.0/23").orElseThrow();
        assertThat(odd.contains(
                        ClientAddress.parse("192.168.1.255").orElseThrow().address()))
                .isTrue();
        assertThat(odd.contains(ClientAddress.parse("192.168.2.0").orElseThrow().address()))
                .isFalse();
        Cidr v6 = Cidr.parse("2001:db8::/32").orElseThrow();
        assertThat(v6.contains(
                        ClientAddress.parse("2001:db8:ffff::1").orElseThrow().address()))
                .isTrue();
        assertThat(v6.contains(ClientAddress.parse("10.0.0.1").orElseThrow().address()))
                .isFalse();
        assertThat(Cidr.parse("127.0.0.3")
                        .orElseThrow()
                        .contains(ClientAddress.parse("127.0.0.3").orElseThrow().address()))
                .isTrue();
        assertThat(Cidr.parse("10.0.0.0/33")).isEmpty();
        assertThat(Cidr.parse("10.0.0.0/x")).isEmpty();
        assertThat(Cidr.parse("10.0.0.0/8/8")).isEmpty();
    }
}
