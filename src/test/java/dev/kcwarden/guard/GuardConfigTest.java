package dev.kcwarden.guard;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.keycloak.models.AuthenticatorConfigModel;

@DisplayName("Guard configuration: every value has a default and bad values never switch a limit off")
class GuardConfigTest {

    private static GuardConfig config(Map<String, String> values) {
        AuthenticatorConfigModel model = new AuthenticatorConfigModel();
        model.setAlias("test");
        model.setConfig(new java.util.HashMap<>(values));
        return GuardConfig.of(GuardedFlow.LOGIN, model, "r");
    }

    @Test
    void defaultsWithoutConfig() {
        GuardConfig config = GuardConfig.of(GuardedFlow.LOGIN, null, "r");
        assertThat(config.limit(LimitKind.IP)).isEqualTo(new Limit(LimitKind.IP, 100, 900));
        assertThat(config.limit(LimitKind.USER_IP)).isEqualTo(new Limit(LimitKind.USER_IP, 10, 900));
        assertThat(config.limit(LimitKind.ACCOUNT)).isEqualTo(new Limit(LimitKind.ACCOUNT, 100, 3600));
        assertThat(config.allowlisted(ClientAddress.parse("127.0.0.1").orElseThrow()))
                .isFalse();
    }

    @Test
    void badValuesFallBackToDefaults() {
        GuardConfig config = config(Map.of(
                "warden.user-ip.max",
                "-1",
                "warden.user-ip.window",
                "ten",
                "warden.ip.max",
                "99999999999",
                "warden.account.max",
                " 7 "));
        assertThat(config.limit(LimitKind.USER_IP)).isEqualTo(new Limit(LimitKind.USER_IP, 10, 900));
        assertThat(config.limit(LimitKind.IP).max()).isEqualTo(100);
        assertThat(config.limit(LimitKind.ACCOUNT).max()).isEqualTo(7);
    }

    @Test
    @DisplayName("every value replaced by its default is listed with its property, and a valid config lists none")
    void problemsNameEachBadValue() {
        GuardConfig config = config(Map.of(
                "warden.user-ip.max",
                "-1",
                "warden.throttle-events.seconds",
                "9999",
                "warden.allowlist",
                "10.0.0.0/8,not-a-net\u0007",
                "warden.known-client.days",
                "30"));
        assertThat(config.problems()).hasSize(3);
        assertThat(config.problems())
                .anySatisfy(p -> assertThat(p).startsWith("warden.user-ip.max must be a whole number from 0 to 10000"));
        assertThat(config.problems())
                .anySatisfy(p -> assertThat(p)
                        .startsWith("warden.throttle-events.seconds must be a whole number from 0 to 3600"));
        assertThat(config.problems())
                .anySatisfy(p -> assertThat(p)
                        .isEqualTo("warden.allowlist: 'not-a-net?' is not an IP address or CIDR range; left out"));
        assertThat(config(Map.of(
                                "warden.user-ip.max",
                                "0",
                                "warden.throttle-events.seconds",
                                "0",
                                "warden.allowlist",
                                "::1/128"))
                        .problems())
                .isEmpty();
        assertThat(GuardConfig.of(GuardedFlow.LOGIN, null, "r").problems()).isEmpty();
    }

    @Test
    @DisplayName("problems are listed up to 20 per configuration, then counted: 1,100 bad allowlist entries give 21 "
            + "lines, not 1,100")
    void problemsAreBounded() {
        String many = java.util.stream.IntStream.range(0, 1100)
                .mapToObj(i -> "bad-" + i)
                .collect(java.util.stream.Collectors.joining(","));
        java.util.List<String> problems =
                config(Map.of("warden.allowlist", many)).problems();
        assertThat(problems).hasSize(ConfigProblems.MAX_LISTED + 1).last().isEqualTo("and 1080 more");
    }

    @Test
    @DisplayName("the ranges hold at their edges: maximum 0 to 10,000, window 1 s to 7 days")
    void rangeEdges() {
        GuardConfig inside = config(Map.of(
                "warden.user-ip.max",
                "10000",
                "warden.user-ip.window",
                "604800",
                "warden.ip.max",
                "0",
                "warden.ip.window",
                "1"));
        assertThat(inside.limit(LimitKind.USER_IP)).isEqualTo(new Limit(LimitKind.USER_IP, 10_000, 604_800));
        assertThat(inside.limit(LimitKind.IP))
                .as("0 switches a limit off on purpose")
                .isEqualTo(new Limit(LimitKind.IP, 0, 1));
        GuardConfig outside = config(Map.of(
                "warden.user-ip.max",
                "10001",
                "warden.user-ip.window",
                "604801",
                "warden.ip.max",
                "-1",
                "warden.ip.window",
                "0"));
        assertThat(outside.limit(LimitKind.USER_IP))
                .as("one past each edge: the defaults")
                .isEqualTo(new Limit(LimitKind.USER_IP, 10, 900));
        assertThat(outside.limit(LimitKind.IP)).isEqualTo(new Limit(LimitKind.IP, 100, 900));
    }

    @Test
    void allowlistAcceptsCommasAndHashes() {
        GuardConfig config = config(Map.of("warden.allowlist", "10.0.0.0/8, nonsense ##2001:db8::/32"));
        assertThat(config.allowlisted(ClientAddress.parse("10.1.2.3").orElseThrow()))
                .isTrue();
        assertThat(config.allowlisted(ClientAddress.parse("2001:db8::5").orElseThrow()))
                .isTrue();
        assertThat(config.allowlisted(ClientAddress.parse("192.0.2.1").orElseThrow()))
                .isFalse();
    }

    @Test
    void everyPropertyHasADefaultAndHelp() {
        assertThat(GuardedFlow.LOGIN.properties()).hasSize(19).allSatisfy(p -> {
            assertThat(p.getHelpText()).isNotBlank();
            assertThat(p.getDefaultValue()).isNotNull();
        });
    }

    @Test
    @DisplayName("warden.mode: enforce unless it says monitor; odd spellings of monitor are read, anything else is "
            + "enforce with a problem")
    void modeParsing() {
        assertThat(GuardConfig.of(GuardedFlow.LOGIN, null, "r").monitor()).isFalse();
        assertThat(config(Map.of()).monitor()).isFalse();
        assertThat(config(Map.of("warden.mode", "")).problems()).isEmpty();
        assertThat(config(Map.of("warden.mode", "enforce")).monitor()).isFalse();
        assertThat(config(Map.of("warden.mode", "monitor")).monitor()).isTrue();
        assertThat(config(Map.of("warden.mode", " MONITOR\t")).monitor()).isTrue();
        for (String bad : new String[] {"monitoring", "off", "mon\u0000itor", "monitor,enforce", "0"}) {
            GuardConfig config = config(Map.of("warden.mode", bad));
            assertThat(config.monitor()).as(bad).isFalse();
            assertThat(config.problems())
                    .as(bad)
                    .singleElement()
                    .satisfies(p -> assertThat(p)
                            .startsWith("warden.mode must be 'enforce' or 'monitor'")
                            .endsWith("using enforce instead")
                            .doesNotContain("\u0000"));
        }
    }

    @Test
    @DisplayName("warden.mode is a list with both values, enforce by default, on every guarded flow")
    void modeProperty() {
        for (GuardedFlow flow : GuardedFlow.values()) {
            assertThat(flow.properties())
                    .filteredOn(p -> p.getName().equals("warden.mode"))
                    .singleElement()
                    .satisfies(p -> {
                        assertThat(p.getType()).isEqualTo("List");
                        assertThat(p.getDefaultValue()).isEqualTo("enforce");
                        assertThat(p.getOptions()).containsExactly("enforce", "monitor");
                    });
        }
    }

    @Test
    void newDeviceAlertIsOffUnlessSetToTrue() {
        assertThat(GuardConfig.of(GuardedFlow.LOGIN, null, "r").newDeviceAlert())
                .isFalse();
        assertThat(config(Map.of(GuardConfig.NEW_DEVICE_ALERT, "true")).newDeviceAlert())
                .isTrue();
        assertThat(config(Map.of(GuardConfig.NEW_DEVICE_ALERT, " TRUE ")).newDeviceAlert())
                .isTrue();
        assertThat(config(Map.of(GuardConfig.NEW_DEVICE_ALERT, "yes")).newDeviceAlert())
                .isFalse();
        assertThat(config(Map.of(GuardConfig.NEW_DEVICE_ALERT, "")).newDeviceAlert())
                .isFalse();
    }

    @Test
    @DisplayName("warden.known-devices: 16 by default, 1 to 64 taken, anything else listed and the default used")
    void knownDevicesRange() {
        assertThat(GuardConfig.of(GuardedFlow.LOGIN, null, "r").knownDevices()).isEqualTo(16);
        assertThat(config(Map.of(GuardConfig.KNOWN_DEVICES, "1")).knownDevices())
                .isEqualTo(1);
        assertThat(config(Map.of(GuardConfig.KNOWN_DEVICES, " 64 ")).knownDevices())
                .isEqualTo(64);
        for (String bad : new String[] {"0", "65", "-1", "sixteen", "16\u0000", "1e3", "99999999999"}) {
            GuardConfig config = config(Map.of(GuardConfig.KNOWN_DEVICES, bad));
            assertThat(config.knownDevices()).as(bad).isEqualTo(16);
            assertThat(config.problems())
                    .as(bad)
                    .containsExactly("warden.known-devices must be a whole number from 1 to 64; using the default 16"
                            + " instead");
        }
        assertThat(config(Map.of(GuardConfig.KNOWN_DEVICES, "")).problems()).isEmpty();
    }
}
