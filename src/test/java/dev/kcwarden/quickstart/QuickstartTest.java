package dev.kcwarden.quickstart;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

@DisplayName("./mvnw -Prun refuses bad input with one line a person can act on")
class QuickstartTest {

    @TempDir
    Path dir;

    @Test
    @DisplayName("the shipped realm file passes the same parse Keycloak's import does")
    void shippedRealmFileIsValid() throws Exception {
        RealmFile realm = RealmFile.read(Path.of("realm-export", "warden-realm.json"));

        assertThat(realm.name()).isEqualTo("warden");
        assertThat(realm.demoLogin()).hasValueSatisfying(login -> assertThat(login[0]).isEqualTo("demo"));
    }

    @Test
    @DisplayName("broken JSON: file, line and column in one line")
    void brokenJson() throws IOException {
        Path file = write("broken.json", "{\n  \"realm\": \"warden\",\n  \"enabled\": tru\n}");

        assertThatThrownBy(() -> RealmFile.read(file))
                .isInstanceOf(QuickstartException.class)
                .hasMessageContaining(file.toString())
                .hasMessageContaining("line 3")
                .satisfies(e -> assertThat(e.getMessage()).doesNotContain("\n"));
    }

    @Test
    @DisplayName("a misspelt field fails here as it would fail Keycloak's import")
    void unknownField() throws IOException {
        Path file = write("typo.json", "{\"realm\": \"warden\", \"registrationAlowed\": true}");

        assertThatThrownBy(() -> RealmFile.read(file))
                .isInstanceOf(QuickstartException.class)
                .hasMessageContaining("registrationAlowed")
                .satisfies(e -> assertThat(e.getMessage()).doesNotContain("\n"));
    }

    @Test
    @DisplayName("a realm without a name, an empty file, a missing file")
    void missingPieces() throws IOException {
        Path unnamed = write("unnamed.json", "{\"enabled\": true}");
        Path empty = write("empty.json", "");

        assertThatThrownBy(() -> RealmFile.read(unnamed)).hasMessageContaining("no \"realm\" name");
        assertThatThrownBy(() -> RealmFile.read(empty)).isInstanceOf(QuickstartException.class);
        assertThatThrownBy(() -> RealmFile.read(dir.resolve("absent.json"))).hasMessageContaining("does not exist");
    }

    @Test
    @DisplayName("a missing Keycloak distribution says how to get it")
    void missingDistribution() throws IOException {
        Path jar = write("keycloak-warden.jar", "jar");
        String[] args = {
                "--keycloak-home=" + dir.resolve("no-keycloak"),
                "--provider-jar=" + jar,
                "--realm-file=" + Path.of("realm-export", "warden-realm.json"),
                "--http-port=8080"
        };

        assertThatThrownBy(() -> Quickstart.fromArgs(args))
                .isInstanceOf(QuickstartException.class)
                .hasMessageContaining("Keycloak distribution missing")
                .hasMessageContaining("keycloak-quarkus-dist");
    }

    @Test
    @DisplayName("ports and arguments are checked")
    void arguments() throws Exception {
        assertThat(Quickstart.parsePort("8081")).isEqualTo(8081);
        assertThatThrownBy(() -> Quickstart.parsePort("80a")).hasMessageContaining("1 to 65535");
        assertThatThrownBy(() -> Quickstart.parsePort("70000")).hasMessageContaining("1 to 65535");
        assertThatThrownBy(() -> Quickstart.parseOptions(new String[] {"oops"})).hasMessageContaining("--name=value");
        assertThatThrownBy(() -> Quickstart.fromArgs(new String[0])).hasMessageContaining("missing --keycloak-home");
    }

    @Test
    @DisplayName("the banner's Keycloak version is read from the distribution itself, never guessed")
    void distributionVersion() throws Exception {
        Path home = Files.createDirectories(dir.resolve("keycloak").resolve("bin")).getParent();
        Files.writeString(home.resolve("bin").resolve("kc.sh"), "#!/bin/sh\n");
        KeycloakDistribution keycloak = KeycloakDistribution.at(home);

        assertThat(keycloak.version()).as("no version.txt").isEqualTo("unknown");
        Files.writeString(home.resolve("version.txt"), "Keycloak - Version 26.7.5\n");
        assertThat(keycloak.version()).isEqualTo("26.7.5");
        Files.writeString(home.resolve("version.txt"), "something else\n");
        assertThat(keycloak.version()).isEqualTo("unknown");
    }

    private Path write(String name, String content) throws IOException {
        return Files.writeString(dir.resolve(name), content);
    }
}
