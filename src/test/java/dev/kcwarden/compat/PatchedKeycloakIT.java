package dev.kcwarden.compat;

import static org.assertj.core.api.Assertions.assertThat;

import dev.kcwarden.KeycloakAdvisories;
import dev.kcwarden.testing.DemoRealm;
import dev.kcwarden.testing.Http;
import dev.kcwarden.testing.WardenApi;
import dev.kcwarden.testing.WardenServerConfig;
import java.io.IOException;
import java.nio.file.Files;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.keycloak.admin.client.Keycloak;
import org.keycloak.representations.info.ServerInfoRepresentation;
import org.keycloak.testframework.annotations.InjectAdminClient;
import org.keycloak.testframework.annotations.InjectRealm;
import org.keycloak.testframework.annotations.KeycloakIntegrationTest;
import org.keycloak.testframework.realm.ManagedRealm;

/**
 * The server every other integration test runs on is the patched release in {@code keycloak.version}, not the test
 * framework's own 26.7.0: the suite's logins, 429s, refresh-token replays and audit lines are therefore proven on that
 * release. If the framework ever fell back to the distribution of its own version, this fails.
 */
@KeycloakIntegrationTest(config = WardenServerConfig.class)
@DisplayName("The suite runs on the patched Keycloak in keycloak.version, which carries no known advisory")
class PatchedKeycloakIT {

    @InjectAdminClient
    Keycloak admin;

    @InjectRealm(fromJson = DemoRealm.JSON, config = DemoRealm.Offline.class)
    ManagedRealm realm;

    @Test
    @DisplayName("the running server is keycloak.version, and this build knows of no vulnerability in it")
    void serverIsThePatchedRelease() {
        String expected = System.getProperty("keycloak.version");
        ServerInfoRepresentation info = admin.serverInfo().getInfo();

        assertThat(info.getSystemInfo().getVersion()).isEqualTo(expected);
        assertThat(KeycloakAdvisories.affecting(expected))
                .as("advisories of %s", expected)
                .isEmpty();
        assertThat(KeycloakAdvisories.hasCritical(expected)).isFalse();
    }

    @Test
    @DisplayName("warden says so too: /warden/info lists no advisory; provider info, which any admin sees, names none")
    void wardenReportsNoAdvisory() {
        Http.Reply reply = Http.getWithBearer(
                WardenApi.url(realm.getBaseUrl(), "info"), admin.tokenManager().getAccessTokenString());

        assertThat(reply.status()).isEqualTo(200);
        Map<String, Object> json = reply.json();
        assertThat(json)
                .containsEntry("keycloak", System.getProperty("keycloak.version"))
                .containsEntry("keycloakAssessment", "none_known")
                .containsEntry("keycloakAdvisories", List.of())
                .containsEntry("advisoriesAsOf", KeycloakAdvisories.AS_OF);
        assertThat(admin.serverInfo()
                        .getInfo()
                        .getProviders()
                        .get("admin-realm-restapi-extension")
                        .getProviders()
                        .get("warden")
                        .getOperationalInfo())
                .containsOnlyKeys("version", "builtForKeycloak");
    }

    @Test
    @DisplayName("and this server's start wrote no warning about Keycloak's vulnerabilities to its log")
    void noStartupWarning() throws IOException {
        // One start in the file (if Keycloak ever appended, this would fail, not pass).
        String log = Files.readString(WardenServerConfig.LOG_FILE);
        List<String> starts = log.lines()
                .filter(line -> line.contains(" on JVM (powered by Quarkus"))
                .toList();
        assertThat(starts).as("starts in %s", WardenServerConfig.LOG_FILE).hasSize(1);

        assertThat(starts.get(0)).contains("Keycloak " + System.getProperty("keycloak.version") + " on JVM");
        // Keycloak rotates the old file away at each start, so also: written while this test JVM runs.
        assertThat(Files.getLastModifiedTime(WardenServerConfig.LOG_FILE).toMillis())
                .isGreaterThan(java.lang.management.ManagementFactory.getRuntimeMXBean()
                        .getStartTime());
        assertThat(log)
                .as("warden's start-up line about Keycloak's vulnerabilities")
                .doesNotContain("keycloak-warden: ");
    }
}
