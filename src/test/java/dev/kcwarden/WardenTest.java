package dev.kcwarden;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@DisplayName("Warden build info")
class WardenTest {

    @Test
    @DisplayName("reports the version Maven built, not a placeholder")
    void versionComesFromTheBuild() {
        assertThat(Warden.VERSION)
                .isEqualTo(System.getProperty("warden.version"))
                .doesNotContain("${");
        assertThat(Warden.BUILT_FOR_KEYCLOAK).isEqualTo(System.getProperty("keycloak.version"));
        assertThat(Warden.operationalInfo()).containsEntry("version", Warden.VERSION);
    }
}
