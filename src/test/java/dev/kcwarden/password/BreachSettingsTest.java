package dev.kcwarden.password;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.keycloak.policy.PasswordPolicyConfigException;

@DisplayName("Breached-password policy: the value an admin types, the range answer, the offline list")
class BreachSettingsTest {

    @Test
    void defaultsAndOverrides() {
        assertThat(BreachSettings.parse(null)).isEqualTo(BreachSettings.DEFAULTS);
        assertThat(BreachSettings.parse(BreachSettings.DEFAULT_VALUE)).isEqualTo(BreachSettings.DEFAULTS);
        BreachSettings s =
                BreachSettings.parse("min=10; timeout=500 ;fail=closed;url=http://127.0.0.1:9/range/;remote=off");
        assertThat(s.minimumCount()).isEqualTo(10);
        assertThat(s.timeout()).isEqualTo(Duration.ofMillis(500));
        assertThat(s.failOpen()).isFalse();
        assertThat(s.remote()).isFalse();
        assertThat(s.rangeUrl().toString()).isEqualTo("http://127.0.0.1:9/range/");
    }

    @Test
    void badValuesSayWhichKey() {
        assertThatThrownBy(() -> BreachSettings.parse("min=0"))
                .isInstanceOf(PasswordPolicyConfigException.class)
                .hasMessageContaining("min");
        assertThatThrownBy(() -> BreachSettings.parse("timeout=99999")).hasMessageContaining("timeout");
        assertThatThrownBy(() -> BreachSettings.parse("fail=maybe")).hasMessageContaining("fail");
        assertThatThrownBy(() -> BreachSettings.parse("url=ftp://x/")).hasMessageContaining("url");
        assertThatThrownBy(() -> BreachSettings.parse("color=blue")).hasMessageContaining("unknown key 'color'");
        assertThatThrownBy(() -> BreachSettings.parse("justtext")).hasMessageContaining("key=value");
    }

    @Test
    @DisplayName("the range URL must be https; plain http only to loopback (127.0.0.1, ::1, localhost)")
    void rangeUrlMustBeHttps() {
        for (String ok : List.of(
                "https://api.pwnedpasswords.com/range/",
                "https://range.internal:8443/range/",
                "http://127.0.0.1:8080/range/",
                "http://[::1]:8080/range/",
                "http://localhost/range/",
                "http://LOCALHOST/range/")) {
            assertThat(BreachSettings.parse("url=" + ok).rangeUrl().toString())
                    .as(ok)
                    .isEqualTo(ok);
            assertThat(BreachSettings.parse("url=" + ok).rangeUrlAllowed())
                    .as(ok)
                    .isTrue();
        }
        for (String plain : List.of(
                "http://api.pwnedpasswords.com/range/",
                "http://10.0.0.5/range/",
                "http://127.0.0.2/range/",
                "http://localhost.attacker.example/range/",
                "http://[::2]/range/")) {
            assertThatThrownBy(() -> BreachSettings.parse("url=" + plain))
                    .as(plain)
                    .isInstanceOf(PasswordPolicyConfigException.class)
                    .hasMessageContaining("url must use https");
        }
        assertThatThrownBy(() -> BreachSettings.parse("url=https://user:pw@range.example/range/"))
                .hasMessageContaining("no user name");
        assertThatThrownBy(() -> BreachSettings.parse("url=https://range.example/range/#x"))
                .hasMessageContaining("#fragment");
        assertThatThrownBy(() -> BreachSettings.parse("url=https:///range/")).hasMessageContaining("with a host");
    }

    @Test
    @DisplayName("a plain-http URL stored by an older release still loads (Keycloak parses the policy when it loads "
            + "the realm), and is never queried")
    void storedPlainHttpUrlLoadsButIsNotAllowed() {
        BreachSettings stored = BreachSettings.parse("min=3;url=http://range.internal/range/", false);
        assertThat(stored.minimumCount()).isEqualTo(3);
        assertThat(stored.rangeUrlAllowed()).isFalse();
        // rules every release enforced stay enforced on load
        assertThatThrownBy(() -> BreachSettings.parse("url=ftp://x/", false)).hasMessageContaining("url");
        assertThatThrownBy(() -> BreachSettings.parse("min=0", false)).hasMessageContaining("min");
    }

    @Test
    void rangeAnswerIsMatchedHereOnTheSuffix() {
        String hash = RangeClient.sha1Hex("password");
        assertThat(hash).isEqualTo("5BAA61E4C9B93F3F0682250B6CF8331B7EE68FD8");
        String body = "0018A45C4D1DEF81644B54AB7F969B88D65:1\r\n" + hash.substring(5) + ":9545824\r\nAAAA:0";
        assertThat(RangeClient.find(body, hash.substring(5))).hasValue(9545824);
        assertThat(RangeClient.find(body, "0".repeat(35))).isEmpty();
    }

    @Test
    void offlineListKnowsCommonPasswordsInAnyCase() {
        assertThat(CommonPasswords.contains("123456")).isTrue();
        assertThat(CommonPasswords.contains("PassWord")).isTrue();
        assertThat(CommonPasswords.contains("Signup-good-passphrase-77")).isFalse();
        assertThat(CommonPasswords.size()).isGreaterThan(25_000);
    }
}
