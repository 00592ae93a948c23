package dev.kcwarden.compat;

import static org.assertj.core.api.Assertions.assertThat;

import dev.kcwarden.KeycloakAdvisories;
import dev.kcwarden.quickstart.KeycloakDistribution;
import dev.kcwarden.testing.AccessTokens;
import dev.kcwarden.testing.DemoRealm;
import dev.kcwarden.testing.Http;
import dev.kcwarden.testing.Pkce;
import dev.kcwarden.testing.ThemeMessages;
import dev.kcwarden.testing.TokenEndpoint;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * Smoke test on the oldest Keycloak the jar works on: the real distribution of that version, unpacked by the
 * build, with the jar and the realm file installed the way docs/installation.md says, on ports 8180/9180 so
 * that it never meets the main test server. Keycloak's test framework is not used here because it runs one
 * Keycloak version for the whole suite.
 *
 * <p>Working is not the same as safe to run: when that version has published vulnerabilities
 * ({@link KeycloakAdvisories}), the test says so on the console, and checks that warden itself warned the
 * operator in the server log.
 */
@DisplayName("The jar works on the oldest Keycloak it loads on (warden.compat.keycloak.version), and warns about its CVEs")
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class OldestSupportedKeycloakIT {

    private static final int PORT = 8180;
    private static final String BASE = "http://localhost:" + PORT;
    private static final String ADMIN = "admin";
    private static final String ADMIN_PASSWORD = Pkce.randomToken(18);

    private static final List<String> SECRETS_USED = new CopyOnWriteArrayList<>(
            List.of(ADMIN_PASSWORD, DemoRealm.DEMO_PASSWORD));

    private static Process server;
    private static Path log;
    private static TokenEndpoint endpoints;

    @BeforeAll
    static void startOldKeycloak() throws Exception {
        KeycloakAdvisories.warning(version()).ifPresent(warning -> System.out.println(
                "WARNING: OldestSupportedKeycloakIT runs a Keycloak that must not be deployed. " + warning));
        KeycloakDistribution keycloak = KeycloakDistribution.at(Path.of(System.getProperty("warden.compat.home")));
        // A fresh dev database each run: the realm file is imported again and the bootstrap admin created.
        KeycloakDistribution.deleteTree(keycloak.home().resolve("data").resolve("h2"));
        keycloak.install(Path.of(System.getProperty("warden.jar")), Path.of("realm-export", "warden-realm.json"));
        log = keycloak.home().resolve("warden-smoke-test.log");
        server = keycloak.startDev(List.of("--http-port=" + PORT, "--http-management-port=9180"),
                ADMIN, ADMIN_PASSWORD, ProcessBuilder.Redirect.to(log.toFile()));
        endpoints = new TokenEndpoint(BASE + "/realms/" + DemoRealm.NAME);
        boolean ready = KeycloakDistribution.awaitOk(server, endpoints.realmUrl() + "/.well-known/openid-configuration",
                Duration.ofMinutes(4));
        assertThat(ready).as("Keycloak %s ready; log in %s", version(), log).isTrue();
    }

    @AfterAll
    static void stopOldKeycloak() {
        if (server != null) {
            KeycloakDistribution.stop(server);
        }
    }

    @Test
    @DisplayName("the admin info endpoint answers a server admin with the old Keycloak's version")
    void infoEndpoint() {
        String adminToken = TokenEndpoint.accessToken(
                new TokenEndpoint(BASE + "/realms/master").password("admin-cli", ADMIN, ADMIN_PASSWORD));
        SECRETS_USED.add(adminToken);

        Http.Reply reply = Http.getWithBearer(endpoints.realmUrl() + "/warden/info", adminToken);

        assertThat(reply.status()).as(reply.body()).isEqualTo(200);
        assertThat(reply.json())
                .containsEntry("keycloak", version())
                .containsEntry("version", System.getProperty("warden.version"));
        assertThat(Http.getWithBearer(endpoints.realmUrl() + "/warden/info", null).status()).isEqualTo(401);
    }

    @Test
    @DisplayName("an ordinary user is refused with 403, and gets a valid JWT for demo-api")
    void userTokenAndRefusal() throws Exception {
        String token = TokenEndpoint.accessToken(
                endpoints.password(DemoRealm.CLI, DemoRealm.DEMO_USER, DemoRealm.DEMO_PASSWORD));
        SECRETS_USED.add(token);

        assertThat(new AccessTokens(endpoints, DemoRealm.API, DemoRealm.CLI).verify(token).getSubject()).isNotBlank();
        assertThat(Http.getWithBearer(endpoints.realmUrl() + "/warden/info", token).status()).isEqualTo(403);
    }

    @Test
    @DisplayName("the login page is rendered by the warden theme")
    void loginTheme() {
        String url = endpoints.authorizationUrl(DemoRealm.SPA, "http://localhost:5173/", Pkce.newVerifier(), "s");

        Http.Reply page = Http.get(url, Map.of());

        assertThat(page.status()).isEqualTo(200);
        assertThat(page.body()).contains("/login/warden/css/warden.css")
                .contains(ThemeMessages.get("en", "wardenFooterHint"));
    }

    @Test
    @DisplayName("at start, warden warned in the server log about every critical vulnerability of this Keycloak")
    void startupWarningNamesTheCves() throws IOException {
        List<KeycloakAdvisories.Advisory> critical = KeycloakAdvisories.affecting(version()).stream()
                .filter(a -> a.severity() == KeycloakAdvisories.Severity.CRITICAL).toList();
        String warnings = String.join("\n", Files.readAllLines(log).stream()
                .filter(line -> line.contains("WARN") && line.contains("keycloak-warden: Keycloak " + version())).toList());

        if (KeycloakAdvisories.affecting(version()).isEmpty()) {
            assertThat(warnings).as("no warning for a version without advisories").isEmpty();
        } else {
            assertThat(warnings).as("warden's start-up warning").contains("published vulnerabilit")
                    .contains("Upgrade Keycloak to");
            assertThat(critical).allSatisfy(a -> assertThat(warnings).contains(a.id()));
        }
    }

    @Test
    @Order(Integer.MAX_VALUE)
    @DisplayName("after all of the above, the server log holds none of the passwords or tokens used")
    void logHoldsNoSecrets() throws IOException {
        String text = Files.readString(log);

        assertThat(text).contains("Realm 'warden' imported");
        assertThat(SECRETS_USED).hasSizeGreaterThanOrEqualTo(4)
                .allSatisfy(secret -> assertThat(text).as("server log").doesNotContain(secret));
    }

    private static String version() {
        return System.getProperty("warden.compat.keycloak.version");
    }

}
