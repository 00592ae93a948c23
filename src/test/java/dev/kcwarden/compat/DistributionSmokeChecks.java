package dev.kcwarden.compat;

import static org.assertj.core.api.Assertions.assertThat;

import dev.kcwarden.KeycloakAdvisories;
import dev.kcwarden.quickstart.KeycloakDistribution;
import dev.kcwarden.testing.AccessTokens;
import dev.kcwarden.testing.AdminRest;
import dev.kcwarden.testing.Await;
import dev.kcwarden.testing.DemoRealm;
import dev.kcwarden.testing.FormPage;
import dev.kcwarden.testing.Http;
import dev.kcwarden.testing.LoopbackClient;
import dev.kcwarden.testing.Pkce;
import dev.kcwarden.testing.ThemeMessages;
import dev.kcwarden.testing.TokenEndpoint;
import dev.kcwarden.testing.WardenApi;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * The smoke test that runs the built jar on one Keycloak release outside the test framework (the oldest ones warden
 * supports or loads on, and the suite's own patched release): the real distribution of that release, unpacked by the
 * build, with target/keycloak-warden.jar and the realm file installed the way docs/installation.md says, on ports
 * 8180/9180 so that it never meets the main test server. Keycloak's test framework is not used here because it runs one
 * Keycloak version for the whole suite. Subclasses name the release; they run one after the other, each stopping its
 * server at the end.
 *
 * <p>Working is not the same as safe to run: when that release has published vulnerabilities
 * ({@link KeycloakAdvisories}), the test says so on the console, and checks that warden itself warned the operator in
 * the server log.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
abstract class DistributionSmokeChecks {

    private static final int PORT = 8180;
    private static final String BASE = "http://localhost:" + PORT;
    private static final String ADMIN = "admin";
    /** Ten failures per username and address are allowed in the demo realm's direct-grant guard. */
    private static final int USER_IP_LIMIT = 10;

    private final String version;
    private final Path home;
    private final String adminPassword = Pkce.randomToken(18);
    private final List<String> secretsUsed =
            new CopyOnWriteArrayList<>(List.of(adminPassword, DemoRealm.DEMO_PASSWORD));

    private Process server;
    private Path log;
    private TokenEndpoint endpoints;

    /** The release in system property {@code versionProperty}, unpacked where {@code homeProperty} says. */
    DistributionSmokeChecks(String versionProperty, String homeProperty) {
        this(System.getProperty(versionProperty), Path.of(System.getProperty(homeProperty)));
    }

    DistributionSmokeChecks(String version, Path home) {
        this.version = version;
        this.home = home;
    }

    @BeforeAll
    void startKeycloak() throws Exception {
        KeycloakAdvisories.warning(version)
                .ifPresent(warning -> System.out.println("WARNING: "
                        + getClass().getSimpleName() + " runs a Keycloak that must not be deployed: " + warning));
        KeycloakDistribution.requireFreePorts(PORT, 9180);
        KeycloakDistribution keycloak = KeycloakDistribution.at(home);
        assertThat(keycloak.version()).as("release unpacked in %s", home).isEqualTo(version);
        // A fresh dev database each run: the realm file is imported again and the bootstrap admin created.
        KeycloakDistribution.deleteTree(keycloak.home().resolve("data").resolve("h2"));
        keycloak.install(
                Path.of(System.getProperty("warden.jar")),
                DemoRealm.offlineCopy(
                        Path.of("realm-export", "warden-realm.json"),
                        keycloak.home().resolve("warden-offline-realm")));
        log = keycloak.home().resolve("warden-smoke-test.log");
        server = keycloak.startDev(
                List.of("--http-port=" + PORT, "--http-management-port=9180"),
                ADMIN,
                adminPassword,
                ProcessBuilder.Redirect.to(log.toFile()));
        endpoints = new TokenEndpoint(BASE + "/realms/" + DemoRealm.NAME);
        boolean ready = KeycloakDistribution.awaitOk(
                server, endpoints.realmUrl() + "/.well-known/openid-configuration", Duration.ofMinutes(4));
        assertThat(ready).as("Keycloak %s ready; log in %s", version, log).isTrue();
    }

    @AfterAll
    void stopKeycloak() {
        if (server != null) {
            KeycloakDistribution.stop(server);
        }
    }

    @Test
    @DisplayName("the admin info endpoint answers a server admin with this Keycloak's version and advisories")
    void infoEndpoint() {
        String adminToken = TokenEndpoint.accessToken(
                new TokenEndpoint(BASE + "/realms/master").password("admin-cli", ADMIN, adminPassword));
        secretsUsed.add(adminToken);

        Http.Reply reply = Http.getWithBearer(WardenApi.url(endpoints.realmUrl(), "info"), adminToken);

        assertThat(reply.status()).as(reply.body()).isEqualTo(200);
        KeycloakAdvisories.Assessment assessment = KeycloakAdvisories.assess(version);
        Map<String, Object> info = reply.json();
        assertThat(info)
                .containsEntry("keycloak", version)
                .containsEntry("version", System.getProperty("warden.version"))
                .containsEntry("keycloakAssessment", assessment.status().name().toLowerCase(java.util.Locale.ROOT));
        List<String> listed = ((List<?>) info.get("keycloakAdvisories"))
                .stream().map(a -> String.valueOf(((Map<?, ?>) a).get("id"))).toList();
        assertThat(listed)
                .containsExactlyElementsOf(assessment.advisories().stream()
                        .map(KeycloakAdvisories.Advisory::id)
                        .toList());
        assertThat(Http.getWithBearer(WardenApi.url(endpoints.realmUrl(), "info"), null)
                        .status())
                .isEqualTo(401);
    }

    @Test
    @DisplayName("an ordinary user is refused with 403, and gets a valid JWT for demo-api")
    void userTokenAndRefusal() throws Exception {
        String token = TokenEndpoint.accessToken(
                endpoints.password(DemoRealm.CLI, DemoRealm.DEMO_USER, DemoRealm.DEMO_PASSWORD));
        secretsUsed.add(token);

        assertThat(new AccessTokens(endpoints, DemoRealm.API, DemoRealm.CLI)
                        .verify(token)
                        .getSubject())
                .isNotBlank();
        assertThat(Http.getWithBearer(WardenApi.url(endpoints.realmUrl(), "info"), token)
                        .status())
                .isEqualTo(403);
    }

    @Test
    @DisplayName("the login page is rendered by the warden theme")
    void loginTheme() {
        String url = endpoints.authorizationUrl(DemoRealm.SPA, "http://localhost:5173/", Pkce.newVerifier(), "s");

        Http.Reply page = Http.get(url, Map.of());

        assertThat(page.status()).isEqualTo(200);
        assertThat(page.body())
                .contains("/login/warden/css/warden.css")
                .contains(ThemeMessages.get("en", "wardenFooterHint"));
    }

    @Test
    @DisplayName("a replayed refresh token ends its whole family: the newer token stops working too")
    void refreshReplayEndsTheFamily() throws Exception {
        String name = "smoke-replay-" + Pkce.randomToken(6).toLowerCase(java.util.Locale.ROOT);
        String password = "Smoke-passphrase-" + Pkce.randomToken(8);
        secretsUsed.add(password);
        AdminRest.signIn(BASE, ADMIN, adminPassword).createUser(DemoRealm.NAME, name, password);
        Http.Reply first = endpoints.password(DemoRealm.CLI, name, password);
        assertThat(first.status()).as(first.body()).isEqualTo(200);
        String old = (String) first.json().get("refresh_token");
        Http.Reply rotated = endpoints.refresh(DemoRealm.CLI, old);
        assertThat(rotated.status()).as(rotated.body()).isEqualTo(200);
        String newer = (String) rotated.json().get("refresh_token");
        secretsUsed.addAll(List.of(old, newer, (String) first.json().get("access_token"), (String)
                rotated.json().get("access_token")));

        Http.Reply replay = endpoints.refresh(DemoRealm.CLI, old);
        assertThat(replay.status()).isEqualTo(400);
        assertThat(replay.json()).containsEntry("error", "invalid_grant");
        int status = Await.until(
                "the family to end",
                Duration.ofSeconds(10),
                () -> endpoints.refresh(DemoRealm.CLI, newer).status(),
                s -> s != 200);
        assertThat(status)
                .as("the token that won the rotation, after the replay")
                .isEqualTo(400);
    }

    @Test
    @DisplayName("sign-up with a disposable email address is refused with its message, and no user is created")
    void signupRefusal() throws Exception {
        String name = "smoke-signup-" + Pkce.randomToken(6).toLowerCase(java.util.Locale.ROOT);
        LoopbackClient browser = new LoopbackClient("127.0.5.1");
        Http.Reply login = browser.get(
                endpoints.authorizationUrl(DemoRealm.SPA, "http://localhost:5173/", Pkce.newVerifier(), "s"), Map.of());
        assertThat(login.status()).isEqualTo(200);
        Http.Reply page = browser.get(
                java.net
                        .URI
                        .create(endpoints.realmUrl())
                        .resolve(FormPage.link(login.body(), "registration"))
                        .toString(),
                Map.of());
        Map<String, String> form = new java.util.LinkedHashMap<>();
        form.put("username", name);
        form.put("email", name + "@mailinator.com");
        form.put("firstName", "Smoke");
        form.put("lastName", "Test");
        form.put("password", "Smoke-signup-passphrase-1");
        form.put("password-confirm", "Smoke-signup-passphrase-1");
        Http.Reply refused = browser.postForm(FormPage.formAction(page.body(), "kc-register-form"), form);
        assertThat(refused.status()).as(refused.body()).isNotEqualTo(302);
        assertThat(FormPage.text(refused.body())).contains("Disposable email addresses cannot be used.");
        String adminToken = AdminRest.signIn(BASE, ADMIN, adminPassword).token();
        Http.Reply users = Http.getWithBearer(
                BASE + "/admin/realms/" + DemoRealm.NAME + "/users?exact=true&username=" + name, adminToken);
        assertThat(users.body()).as("no user %s", name).isEqualTo("[]");
    }

    @Test
    @Order(Integer.MAX_VALUE - 1)
    @DisplayName(
            "the login guard counts: ten wrong passwords get Keycloak's answer, the eleventh 429, and each is audited")
    void guardedLogin() throws IOException {
        // An unknown name counts like a real one, and keeps the demo user usable for the other tests.
        String username = "smoke-" + Pkce.randomToken(6);
        List<Integer> statuses = new ArrayList<>();
        Http.Reply last = null;
        for (int i = 0; i <= USER_IP_LIMIT; i++) {
            last = Http.postForm(
                    endpoints.tokenUrl(), TokenEndpoint.passwordForm(DemoRealm.CLI, username, "wrong-" + i));
            statuses.add(last.status());
        }

        // Keycloak's own answer to a wrong password: 400 invalid_grant on 26.7, 401 on 26.5.
        assertThat(statuses.subList(0, USER_IP_LIMIT)).containsOnly(statuses.get(0));
        assertThat(statuses.get(0)).isIn(400, 401);
        assertThat(last.status()).isEqualTo(429);
        assertThat(last.header("retry-after")).matches("[1-9][0-9]*");
        assertThat(Files.readAllLines(log))
                .filteredOn(line -> line.contains("[warden.audit]")
                        && line.contains("\"type\":\"LOGIN_ERROR\"")
                        && line.contains(username))
                .hasSize(USER_IP_LIMIT + 1);
    }

    @Test
    @DisplayName("at start, warden warned in the server log, naming each critical and high advisory of this Keycloak")
    void startupWarningNamesTheCves() throws IOException {
        KeycloakAdvisories.Assessment assessment = KeycloakAdvisories.assess(version);
        List<KeycloakAdvisories.Advisory> carried = assessment.advisories();
        List<String> wardenWarnings = Files.readAllLines(log).stream()
                .filter(line -> line.contains("WARN") && line.contains("keycloak-warden: "))
                .toList();

        switch (assessment.status()) {
            case NONE_KNOWN -> {
                assertThat(wardenWarnings)
                        .as("no warning for a release without advisories")
                        .isEmpty();
                return;
            }
            case NOT_ASSESSED -> {
                assertThat(wardenWarnings)
                        .as("warden says it cannot tell")
                        .singleElement()
                        .asString()
                        .contains("cannot tell whether Keycloak");
                return;
            }
            default -> {
                // AFFECTED: checked below
            }
        }
        assertThat(wardenWarnings).as("warden's start-up warning").hasSize(1);
        assertThat(wardenWarnings.get(0))
                .contains("Keycloak " + version + " has " + carried.size() + " published vulnerabilit")
                .contains("Upgrade Keycloak to " + KeycloakAdvisories.NEWEST_ASSESSED);
        assertThat(carried)
                .filteredOn(a -> a.severity() != KeycloakAdvisories.Severity.MEDIUM)
                .isNotEmpty()
                .allSatisfy(a -> assertThat(wardenWarnings.get(0)).contains(a.id()));
    }

    @Test
    @Order(Integer.MAX_VALUE)
    @DisplayName("after all of the above, the server log holds none of the passwords or tokens used")
    void logHoldsNoSecrets() throws IOException {
        String text = Files.readString(log);

        assertThat(text).contains("Realm 'warden' imported");
        assertThat(secretsUsed)
                .hasSizeGreaterThanOrEqualTo(4)
                .allSatisfy(secret -> assertThat(text).as("server log").doesNotContain(secret));
    }
}
