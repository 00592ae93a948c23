package dev.kcwarden.journey;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.kcwarden.testing.Chromium;
import dev.kcwarden.testing.DemoRealm;
import dev.kcwarden.testing.Http;
import dev.kcwarden.testing.Pkce;
import dev.kcwarden.testing.TokenEndpoint;
import dev.kcwarden.testing.Totp;
import dev.kcwarden.testing.Users;
import dev.kcwarden.testing.WardenApi;
import dev.kcwarden.testing.WardenServerConfig;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.keycloak.admin.client.Keycloak;
import org.keycloak.testframework.annotations.InjectAdminClient;
import org.keycloak.testframework.annotations.InjectRealm;
import org.keycloak.testframework.annotations.KeycloakIntegrationTest;
import org.keycloak.testframework.realm.ManagedRealm;
import org.openqa.selenium.By;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.support.ui.ExpectedConditions;

/**
 * axe-core (the npm package, fetched by the build, see the pom's axe-core execution) run in real Chromium on the
 * warden theme's pages as the demo realm shows them: login, registration, reset, one-time code, an error page
 * and a throttled login. Any serious or critical violation fails; the others are printed.
 */
@KeycloakIntegrationTest(config = WardenServerConfig.class)
@DisplayName("Accessibility: axe-core finds no serious or critical violation on the login, registration, reset, OTP, error and throttled pages")
class AccessibilityIT {

    private static final Path SHOTS = Path.of("target", "accessibility");
    private static final Duration WAIT = Duration.ofSeconds(20);
    private static final Set<String> FAILING = Set.of("serious", "critical");
    private static final String REDIRECT = "http://127.0.0.1/callback";
    private static final String PASSWORD = "Accessible-passphrase-73";

    @InjectRealm(fromJson = DemoRealm.JSON, config = DemoRealm.Offline.class)
    ManagedRealm realm;

    @InjectAdminClient
    Keycloak admin;

    private Chromium chromium;
    private ChromeDriver browser;
    private TokenEndpoint endpoints;
    private String axe;

    @BeforeEach
    void setUp() throws Exception {
        Path script = Path.of(System.getProperty("warden.axe.script", "target/axe-core/package/axe.min.js"));
        assertThat(script).as("axe-core, fetched by the build's pre-integration-test phase").exists();
        axe = Files.readString(script);
        chromium = Chromium.start(SHOTS);
        browser = chromium.driver();
        browser.manage().timeouts().scriptTimeout(Duration.ofSeconds(60));
        endpoints = new TokenEndpoint(realm.getBaseUrl());
    }

    @AfterEach
    void tearDown() {
        if (chromium != null) {
            chromium.close();
        }
    }

    private void openLogin() {
        browser.get(endpoints.authorizationUrl(DemoRealm.SPA, REDIRECT, Pkce.newVerifier(), "a11y"));
        chromium.await(WAIT).until(ExpectedConditions.visibilityOfElementLocated(By.id("kc-form-login")));
    }

    /** axe's serious and critical violations on the page as it is now, each as "rule: help (targets)"; all are printed. */
    private List<String> failingViolations(String page) throws Exception {
        chromium.screenshot(page);
        browser.executeScript(axe);
        Object raw = browser.executeAsyncScript(
                "const done = arguments[arguments.length - 1];"
                        + "axe.run(document, {resultTypes: ['violations']})"
                        + ".then(r => done(JSON.stringify(r.violations.map(v => ({id: v.id, impact: v.impact, help: v.help,"
                        + " nodes: v.nodes.map(n => n.target.join(' '))})))))"
                        + ".catch(e => done(JSON.stringify({error: String(e)})));");
        JsonNode violations = new ObjectMapper().readTree(String.valueOf(raw));
        assertThat(violations.isArray()).as("axe ran on %s: %s", page, raw).isTrue();
        List<String> failing = new ArrayList<>();
        for (JsonNode v : violations) {
            String line = v.path("impact").asText() + " " + v.path("id").asText() + ": " + v.path("help").asText() + " " + v.path("nodes");
            System.out.println("axe on " + page + ": " + line);
            if (FAILING.contains(v.path("impact").asText())) {
                failing.add(line);
            }
        }
        return failing;
    }

    @Test
    @DisplayName("login page")
    void loginPage() throws Exception {
        openLogin();
        assertThat(failingViolations("login")).isEmpty();
    }

    @Test
    @DisplayName("registration page, empty and with field errors")
    void registrationPage() throws Exception {
        openLogin();
        browser.findElement(By.linkText("Register")).click();
        chromium.await(WAIT).until(ExpectedConditions.visibilityOfElementLocated(By.id("kc-register-form")));
        assertThat(failingViolations("registration")).isEmpty();
        browser.findElement(By.id("email")).sendKeys("someone@mailinator.com");
        browser.findElement(By.cssSelector("#kc-register-form [type=submit]")).click();
        chromium.await(WAIT).until(ExpectedConditions.visibilityOfElementLocated(By.id("kc-register-form")));
        assertThat(failingViolations("registration-errors")).isEmpty();
    }

    @Test
    @DisplayName("reset-password page")
    void resetPage() throws Exception {
        openLogin();
        browser.findElement(By.linkText("Forgot Password?")).click();
        chromium.await(WAIT).until(ExpectedConditions.visibilityOfElementLocated(By.id("kc-reset-password-form")));
        assertThat(failingViolations("reset")).isEmpty();
    }

    @Test
    @DisplayName("one-time-code page, and the same with a wrong code's error")
    void otpPage() throws Exception {
        String username = "a11y-otp-" + Pkce.randomToken(4).toLowerCase().replaceAll("[^a-z0-9]", "x");
        String secret = "a11y-totp-secret-" + Pkce.randomToken(6);
        Users.create(realm, Totp.withOtp(Users.withPassword(username, PASSWORD), secret));
        openLogin();
        browser.findElement(By.id("username")).sendKeys(username);
        browser.findElement(By.id("password")).sendKeys(PASSWORD);
        browser.findElement(By.id("kc-login")).click();
        chromium.await(WAIT).until(ExpectedConditions.visibilityOfElementLocated(By.id("otp")));
        assertThat(failingViolations("otp")).isEmpty();
        browser.findElement(By.id("otp")).sendKeys("000000");
        browser.findElement(By.id("kc-login")).click();
        chromium.await(WAIT).until(ExpectedConditions.visibilityOfElementLocated(By.id("otp")));
        assertThat(failingViolations("otp-error")).isEmpty();
    }

    @Test
    @DisplayName("error page (an unknown client)")
    void errorPage() throws Exception {
        browser.get(realm.getBaseUrl() + "/protocol/openid-connect/auth?client_id=no-such-client&response_type=code&redirect_uri="
                + REDIRECT);
        chromium.await(WAIT).until(ExpectedConditions.textToBePresentInElementLocated(By.tagName("body"), "Client not found"));
        assertThat(failingViolations("error")).isEmpty();
    }

    @Test
    @DisplayName("a throttled login page (HTTP 429 with the countdown)")
    void throttledPage() throws Exception {
        String username = "a11y-made-up-" + Pkce.randomToken(4).toLowerCase().replaceAll("[^a-z0-9]", "x");
        openLogin();
        for (int i = 0; i < 15 && JourneyIT.countdown(browser) == null; i++) {
            browser.findElement(By.id("username")).clear();
            browser.findElement(By.id("username")).sendKeys(username);
            browser.findElement(By.id("password")).sendKeys("wrong-password-" + i);
            browser.findElement(By.id("kc-login")).click();
            chromium.await(WAIT).until(ExpectedConditions.visibilityOfElementLocated(By.id("kc-form-login")));
        }
        chromium.await(WAIT).until(d -> JourneyIT.countdown(d) != null);
        List<String> failing = failingViolations("throttled");
        // the counters this test filled for 127.0.0.1 must not decide later tests from the same address
        Http.Reply cleared = Http.send("DELETE", WardenApi.url(realm.getBaseUrl(), "throttles?username=" + username + "&ip=127.0.0.1"),
                admin.tokenManager().getAccessTokenString());
        assertThat(cleared.status()).as(cleared.body()).isBetween(200, 204);
        assertThat(failing).isEmpty();
    }
}
