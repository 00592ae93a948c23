package dev.kcwarden.quickstart;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.kcwarden.example.ResourceServer;
import dev.kcwarden.testing.Http;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

@DisplayName("./mvnw -Prun refuses bad input with one line a person can act on, and serves the demo app and the API")
class QuickstartTest {

    @TempDir
    Path dir;

    @Test
    @DisplayName("the shipped realm file passes the same parse Keycloak's import does")
    void shippedRealmFileIsValid() throws Exception {
        RealmFile realm = RealmFile.read(Path.of("realm-export", "warden-realm.json"));

        assertThat(realm.name()).isEqualTo("warden");
        assertThat(realm.demoLogin())
                .hasValueSatisfying(login -> assertThat(login[0]).isEqualTo("demo"));
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
        Path home =
                Files.createDirectories(dir.resolve("keycloak").resolve("bin")).getParent();
        Files.writeString(home.resolve("bin").resolve("kc.sh"), "#!/bin/sh\n");
        KeycloakDistribution keycloak = KeycloakDistribution.at(home);

        assertThat(keycloak.version()).as("no version.txt").isEqualTo("unknown");
        Files.writeString(home.resolve("version.txt"), "Keycloak - Version 26.7.5\n");
        assertThat(keycloak.version()).isEqualTo("26.7.5");
        Files.writeString(home.resolve("version.txt"), "something else\n");
        assertThat(keycloak.version()).isEqualTo("unknown");
    }

    @Test
    @DisplayName("Keycloak starts with health and metrics on the management port, and the banner prints the demo "
            + "app, the API and /metrics")
    void bannerAndServerOptions() throws Exception {
        assertThat(Quickstart.serverOptions(8080))
                .contains("--http-port=8080", "--health-enabled=true", "--metrics-enabled=true");
        Path home = Files.createDirectories(dir.resolve("kc").resolve("bin")).getParent();
        Files.writeString(home.resolve("bin").resolve("kc.sh"), "#!/bin/sh\n");
        RealmFile realm = RealmFile.read(Path.of("realm-export", "warden-realm.json"));
        Quickstart quickstart =
                new Quickstart(KeycloakDistribution.at(home), home, realm, 8080, Path.of("examples", "demo-spa"), 8680);

        assertThat(quickstart.banner("secret-admin"))
                .contains(" Demo app         http://localhost:5173/")
                .contains(" Example API      http://127.0.0.1:8680/api/hello")
                .contains(" Metrics          http://localhost:9000/metrics")
                .contains("http://localhost:9000/health/ready");
        Quickstart withoutApp = new Quickstart(KeycloakDistribution.at(home), home, realm, 8080, null, 8680);
        assertThat(withoutApp.banner("secret-admin")).doesNotContain("Demo app").contains("/metrics");
    }

    @Test
    @DisplayName("a demo app folder without index.html stops the quickstart with one line")
    void missingDemoApp() throws IOException {
        Path home = Files.createDirectories(dir.resolve("kc2").resolve("bin")).getParent();
        Files.writeString(home.resolve("bin").resolve("kc.sh"), "#!/bin/sh\n");
        Path jar = write("keycloak-warden.jar", "jar");
        String[] args = {
            "--keycloak-home=" + home,
            "--provider-jar=" + jar,
            "--realm-file=" + Path.of("realm-export", "warden-realm.json"),
            "--http-port=8080",
            "--demo-app=" + dir.resolve("nothing-here")
        };

        assertThatThrownBy(() -> Quickstart.fromArgs(args)).hasMessageContaining("has no index.html");
    }

    @Test
    @DisplayName("the demo app server: the page, its script and config.json, with a CSP that allows only the realm "
            + "and the API; nothing else")
    void demoAppServer() throws Exception {
        try (DemoApp app = new DemoApp(
                        Path.of("examples", "demo-spa"),
                        0,
                        "http://localhost:8080/realms/warden",
                        "demo-spa",
                        "http://127.0.0.1:8680")
                .start()) {
            String base = app.url();
            Http.Reply page = Http.get(base, Map.of());
            assertThat(page.status()).isEqualTo(200);
            assertThat(page.body()).contains("<script src=\"app.js\"");
            Map<String, List<String>> csp = directives(page.header("Content-Security-Policy"));
            // Exactly these directives with exactly these sources: nothing inline, no wildcard, and the page talks
            // to itself (config.json), the realm and the API only.
            assertThat(csp)
                    .containsExactlyInAnyOrderEntriesOf(Map.of(
                            "default-src", List.of("'none'"),
                            "script-src", List.of("'self'"),
                            "style-src", List.of("'self'"),
                            "img-src", List.of("'self'"),
                            "connect-src", List.of("'self'", "http://localhost:8080", "http://127.0.0.1:8680"),
                            "form-action", List.of("'none'"),
                            "frame-ancestors", List.of("'none'"),
                            "base-uri", List.of("'none'")));
            assertThat(csp.values())
                    .allSatisfy(sources -> assertThat(sources)
                            .noneMatch(source -> source.contains("*")
                                    || source.startsWith("'unsafe-")
                                    || source.equals("data:")
                                    || source.equals("http:")
                                    || source.equals("https:")));
            for (Http.Reply other : List.of(
                    Http.get(base + "app.js", Map.of()),
                    Http.get(base + "config.json", Map.of()),
                    Http.get(base + "no-such-file", Map.of()))) {
                assertThat(directives(other.header("Content-Security-Policy")))
                        .as("the same policy on every answer")
                        .isEqualTo(csp);
            }
            assertThat(page.header("Referrer-Policy")).isEqualTo("no-referrer");
            assertThat(Http.get(base + "?code=abc&state=xyz", Map.of()).body())
                    .as("the callback is the page")
                    .isEqualTo(page.body());
            assertThat(Http.get(base + "app.js", Map.of()).body()).contains("code_challenge_method: 'S256'");
            assertThat(Http.get(base + "config.json", Map.of()).json())
                    .containsEntry("issuer", "http://localhost:8080/realms/warden")
                    .containsEntry("clientId", "demo-spa")
                    .containsEntry("api", "http://127.0.0.1:8680");
            assertThat(Http.get(base + "pom.xml", Map.of()).status()).isEqualTo(404);
            assertThat(Http.get(base + "..%2F..%2Fpom.xml", Map.of()).status()).isEqualTo(404);
        }
    }

    @Test
    @DisplayName("the example API lets the demo app's origin call it (CORS preflight and answer) and no other origin")
    void apiCors() throws Exception {
        try (ResourceServer api = new ResourceServer(
                        ResourceServer.Settings.forRealm("http://localhost:8080/realms/warden", "demo-api", 0)
                                .withAllowedOrigins(Set.of("http://localhost:5173")))
                .start()) {
            String url = "http://127.0.0.1:" + api.port() + "/api/hello";
            HttpClient http = HttpClient.newHttpClient();
            HttpResponse<String> preflight = http.send(
                    HttpRequest.newBuilder(URI.create(url))
                            .method("OPTIONS", HttpRequest.BodyPublishers.noBody())
                            .header("Origin", "http://localhost:5173")
                            .header("Access-Control-Request-Method", "GET")
                            .header("Access-Control-Request-Headers", "authorization")
                            .build(),
                    HttpResponse.BodyHandlers.ofString());
            assertThat(preflight.statusCode()).isEqualTo(204);
            assertThat(preflight.headers().firstValue("Access-Control-Allow-Origin"))
                    .hasValue("http://localhost:5173");
            assertThat(preflight.headers().firstValue("Access-Control-Allow-Headers"))
                    .hasValue("Authorization");

            HttpResponse<String> call = http.send(
                    HttpRequest.newBuilder(URI.create(url))
                            .header("Origin", "http://localhost:5173")
                            .build(),
                    HttpResponse.BodyHandlers.ofString());
            assertThat(call.statusCode()).isEqualTo(401);
            assertThat(call.headers().firstValue("Access-Control-Allow-Origin")).hasValue("http://localhost:5173");

            HttpResponse<String> stranger = http.send(
                    HttpRequest.newBuilder(URI.create(url))
                            .method("OPTIONS", HttpRequest.BodyPublishers.noBody())
                            .header("Origin", "http://evil.example")
                            .header("Access-Control-Request-Method", "GET")
                            .build(),
                    HttpResponse.BodyHandlers.ofString());
            assertThat(stranger.statusCode()).isEqualTo(403);
            assertThat(stranger.headers().firstValue("Access-Control-Allow-Origin"))
                    .isEmpty();
            HttpResponse<String> strangerCall = http.send(
                    HttpRequest.newBuilder(URI.create(url))
                            .header("Origin", "http://evil.example")
                            .build(),
                    HttpResponse.BodyHandlers.ofString());
            assertThat(strangerCall.headers().firstValue("Access-Control-Allow-Origin"))
                    .isEmpty();
        }
    }

    /**
     * A Content-Security-Policy header as its directives (names lower-cased, as CSP treats them) and their source lists
     * in order; a directive named twice is a mistake the test should see, so it fails.
     */
    static Map<String, List<String>> directives(String header) {
        assertThat(header).as("Content-Security-Policy").isNotBlank();
        Map<String, List<String>> directives = new LinkedHashMap<>();
        for (String directive : header.split(";")) {
            List<String> tokens = List.of(directive.strip().split("\\s+"));
            if (tokens.get(0).isEmpty()) {
                continue;
            }
            String name = tokens.get(0).toLowerCase(java.util.Locale.ROOT);
            assertThat(directives)
                    .as("directive %s named twice in %s", name, header)
                    .doesNotContainKey(name);
            directives.put(name, tokens.subList(1, tokens.size()));
        }
        return directives;
    }

    private Path write(String name, String content) throws IOException {
        return Files.writeString(dir.resolve(name), content);
    }
}
