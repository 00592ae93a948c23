package dev.kcwarden.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import dasniko.testcontainers.keycloak.KeycloakContainer;
import dev.kcwarden.testing.DemoRealm;
import dev.kcwarden.testing.Http;
import dev.kcwarden.testing.TokenEndpoint;
import java.io.File;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIf;
import org.testcontainers.DockerClientFactory;
import org.testcontainers.utility.MountableFile;

/**
 * For users who have Docker: the official Keycloak image at {@code keycloak.version} with warden's jar and the offline
 * demo realm, started by testcontainers-keycloak. Where no Docker engine answers (the project's build machines) the
 * class is reported as skipped, not failed; the distribution tests cover the same behaviour there. With Docker,
 * Testcontainers pulls {@code quay.io/keycloak/keycloak} once unless the image is present.
 */
@EnabledIf(value = "dockerAvailable", disabledReason = "no Docker engine answers here; the distribution ITs cover this")
@DisplayName("With Docker: warden in the official Keycloak image, through testcontainers-keycloak")
class TestcontainersKeycloakIT {

    static boolean dockerAvailable() {
        try {
            return DockerClientFactory.instance().isDockerAvailable();
        } catch (RuntimeException | LinkageError e) {
            return false;
        }
    }

    @Test
    @DisplayName("ten wrong passwords are Keycloak's 400, the eleventh warden's 429 with Retry-After")
    void throttledInTheImage() {
        Path realm = DemoRealm.offlineCopy(
                Path.of("realm-export", "warden-realm.json"), Path.of("target", "testcontainers-realm"));
        try (KeycloakContainer keycloak = new KeycloakContainer(
                        "quay.io/keycloak/keycloak:" + System.getProperty("keycloak.version"))
                .withProviderLibsFrom(List.of(new File(System.getProperty("warden.jar"))))
                .withCopyFileToContainer(
                        MountableFile.forHostPath(realm), "/opt/keycloak/data/import/" + realm.getFileName())
                .withCustomCommand("--import-realm")) {
            keycloak.start();
            String tokenUrl =
                    keycloak.getAuthServerUrl() + "/realms/" + DemoRealm.NAME + "/protocol/openid-connect/token";
            Map<String, String> wrong =
                    TokenEndpoint.passwordForm(DemoRealm.CLI, DemoRealm.DEMO_USER, "not-the-password");
            for (int i = 0; i < 10; i++) {
                assertThat(Http.postForm(tokenUrl, wrong).status())
                        .as("wrong password %d", i + 1)
                        .isEqualTo(400);
            }
            Http.Reply throttled = Http.postForm(tokenUrl, wrong);
            assertThat(throttled.status()).as(throttled.body()).isEqualTo(429);
            assertThat(throttled.header("Retry-After")).matches("[1-9][0-9]*");
        }
    }
}
