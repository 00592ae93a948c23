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
import java.util.Map;
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
 * axe-core (the npm package, fetched by the build, see the pom's axe-core execution) run in real Chromium on the warden
 * theme's pages as the demo realm shows them: login, registration, reset, one-time code, an error page and a throttled
 * login. Any serious or critical violation fails; the others are printed.
 */
@KeycloakIntegrationTest(config = WardenServerConfig.class)
@DisplayName("Accessibility: axe-core finds no serious or critical violation on the login, registration, reset, OTP, "
        + "error and throttled pages")
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
        assertThat(script)
                .as("axe-core, fetched by the build's pre-integration-test phase")
                .exists();
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

    /**
     * axe's "incomplete" results (axe could not decide, typically colour contrast over a gradient or an image) that a
     * person has checked and found fine, as "rule target" (on any page) with the reason. Anything serious or critical
     * that axe leaves undecided and that is not listed here fails the test like a violation. Keep it short.
     */
    private static final Map<String, String> CHECKED_INCOMPLETE = Map.of(
            "color-contrast #kc-header-wrapper",
            "the realm name in keycloak.v2's header: white text over the dark grey background image; on the login"
                    + " and error screenshots the lightest pixel just above and below the text is #3d3d3d, about 11:1"
                    + " (4.5:1 needed)",
            "link-in-text-block #kc-registration > span > a",
            "the Register link (#0066cc) beside 'New user?' (#151515): 3.3:1 between link and text colour"
                    + " (3:1 needed without an underline); axe stops at the span the two share",
            "color-contrast #input-error-email > .kc-feedback-text.pf-v5-c-helper-text__item-text.pf-m-error",
            "the email field's error text: #c9190b (PatternFly's danger colour, measured on the screenshot) on the"
                    + " white card, 5.8:1 (4.5:1 needed); axe only sees that its box touches the input group's");

    /**
     * axe's serious and critical violations on the page as it is now, each as "rule: help (targets)", plus the serious
     * and critical results axe could not decide ({@code incomplete}) that {@link #CHECKED_INCOMPLETE} does not list;
     * every violation and every undecided colour-contrast node is printed.
     */
    private List<String> failingViolations(String page) throws Exception {
        chromium.screenshot(page);
        browser.executeScript(axe);
        Object raw = browser.executeAsyncScript("const done = arguments[arguments.length - 1];"
                + "const brief = (list) => list.map(v => ({id: v.id, impact: v.impact, help: v.help,"
                + " nodes: v.nodes.map(n => ({target: n.target.join(' '), impact: n.impact,"
                + " why: [...n.any, ...n.all, ...n.none].map(c => c.message).join('; ')}))}));"
                + "axe.run(document, {resultTypes: ['violations', 'incomplete']})"
                + ".then(r => done(JSON.stringify({violations: brief(r.violations), incomplete: brief(r.incomplete)})))"
                + ".catch(e => done(JSON.stringify({error: String(e)})));");
        JsonNode result = new ObjectMapper().readTree(String.valueOf(raw));
        assertThat(result.path("violations").isArray()
                        && result.path("incomplete").isArray())
                .as("axe ran on %s: %s", page, raw)
                .isTrue();
        List<String> failing = new ArrayList<>();
        for (JsonNode v : result.path("violations")) {
            String line = v.path("impact").asText() + " " + v.path("id").asText() + ": "
                    + v.path("help").asText() + " " + targets(v);
            System.out.println("axe on " + page + ": " + line);
            if (FAILING.contains(v.path("impact").asText())) {
                failing.add(line);
            }
        }
        for (JsonNode v : result.path("incomplete")) {
            for (JsonNode node : v.path("nodes")) {
                String impact = node.path("impact").asText(v.path("impact").asText());
                String key = v.path("id").asText() + " " + node.path("target").asText();
                String line = "undecided " + impact + " on " + page + ": " + key + ": "
                        + node.path("why").asText();
                if ("color-contrast".equals(v.path("id").asText()) || FAILING.contains(impact)) {
                    System.out.println("axe on " + page + ": " + line
                            + (CHECKED_INCOMPLETE.containsKey(key)
                                    ? " (checked: " + CHECKED_INCOMPLETE.get(key) + ")"
                                    : ""));
                }
                if (FAILING.contains(impact) && !CHECKED_INCOMPLETE.containsKey(key)) {
                    failing.add(line);
                }
            }
        }
        return failing;
    }

    private static List<String> targets(JsonNode result) {
        List<String> targets = new ArrayList<>();
        result.path("nodes").forEach(n -> targets.add(n.path("target").asText()));
        return targets;
    }

    @Test
    @DisplayName("login page")
    void loginPage() throws Exception {
        openLogin();
        assertThat(failingViolations("login")).isEmpty();
    }

    @Test
    @DisplayName("registration page, empty and with field errors: the rules sit under the password field, and "
            + "aria-describedby links each field to its rules and errors")
    void registrationPage() throws Exception {
        openLogin();
        browser.findElement(By.linkText("Register")).click();
        chromium.await(WAIT).until(ExpectedConditions.visibilityOfElementLocated(By.id("kc-register-form")));
        assertThat(failingViolations("registration")).isEmpty();
        JsonNode empty = describedFields();
        assertRulesUnderPasswordField(empty);
        assertThat(empty.path("invalid").size())
                .as("no field is marked invalid before the form is sent")
                .isZero();

        browser.findElement(By.id("email")).sendKeys("someone@mailinator.com");
        browser.findElement(By.cssSelector("#kc-register-form [type=submit]")).click();
        chromium.await(WAIT).until(ExpectedConditions.visibilityOfElementLocated(By.id("kc-register-form")));
        assertThat(failingViolations("registration-errors")).isEmpty();
        JsonNode errors = describedFields();
        assertRulesUnderPasswordField(errors);
        List<String> invalid = new ArrayList<>();
        errors.path("invalid").forEach(field -> invalid.add(field.path("id").asText()));
        assertThat(invalid).as("fields Keycloak marked invalid").contains("email", "password");
        for (JsonNode field : errors.path("invalid")) {
            String error = "input-error-" + field.path("id").asText();
            assertThat(field.path("errorExists").asBoolean())
                    .as("the error element of #%s", field.path("id").asText())
                    .isTrue();
            assertThat(texts(field.path("describedBy")))
                    .as("aria-describedby of invalid #%s", field.path("id").asText())
                    .contains(error);
        }
        assertThat(texts(errors.path("password").path("describedBy")))
                .as("aria-describedby of #password with an error")
                .containsExactly("warden-password-rules", "input-error-password");
    }

    /**
     * What js/warden.js did to the registration form, read in the browser: where the rules block sits, which ids each
     * field's aria-describedby names and whether those elements exist, and which fields are marked invalid.
     */
    private JsonNode describedFields() throws Exception {
        Object raw = browser.executeScript(
                "const ids = (el) => (el.getAttribute('aria-describedby') || '').split(/\\s+/).filter(Boolean);"
                        + "const follows = (a, b) => Boolean(a && b && (a.compareDocumentPosition(b) & "
                        + "Node.DOCUMENT_POSITION_FOLLOWING));"
                        + "const input = document.getElementById('password');"
                        + "const rules = document.getElementById('warden-password-rules');"
                        + "const group = input && input.closest('.pf-v5-c-form__group');"
                        + "return JSON.stringify({"
                        + " password: {describedBy: ids(input)},"
                        + " rulesExist: Boolean(rules),"
                        + " rulesInPasswordGroup: Boolean(group && rules && group.contains(rules)),"
                        + " rulesAfterPassword: follows(input, rules),"
                        + " rulesBeforeConfirm: follows(rules, document.getElementById('password-confirm')),"
                        + " rulesBelowPassword: Boolean(rules) && rules.getBoundingClientRect().top >= "
                        + "input.getBoundingClientRect().bottom,"
                        + " described: [...document.querySelectorAll('[aria-describedby]')].map(e => ({id: e.id,"
                        + "   missing: ids(e).filter(i => !document.getElementById(i))})),"
                        + " invalid: [...document.querySelectorAll('input[aria-invalid=\"true\"]')].map(e => "
                        + "({id: e.id,"
                        + "   describedBy: ids(e), errorExists: Boolean(document.getElementById('input-error-' "
                        + "+ e.id))}))"
                        + "});");
        return new ObjectMapper().readTree(String.valueOf(raw));
    }

    private static void assertRulesUnderPasswordField(JsonNode page) {
        assertThat(page.path("rulesExist").asBoolean())
                .as("the rules block is on the page")
                .isTrue();
        assertThat(page.path("rulesInPasswordGroup").asBoolean())
                .as("the rules sit in the password field's group")
                .isTrue();
        assertThat(page.path("rulesAfterPassword").asBoolean())
                .as("the rules come after the password input")
                .isTrue();
        assertThat(page.path("rulesBeforeConfirm").asBoolean())
                .as("the rules come before the confirmation field")
                .isTrue();
        assertThat(page.path("rulesBelowPassword").asBoolean())
                .as("the rules are shown below the password input")
                .isTrue();
        assertThat(texts(page.path("password").path("describedBy")))
                .as("aria-describedby of #password")
                .contains("warden-password-rules");
        for (JsonNode field : page.path("described")) {
            assertThat(texts(field.path("missing")))
                    .as(
                            "ids named by aria-describedby of #%s that do not exist",
                            field.path("id").asText())
                    .isEmpty();
        }
    }

    private static List<String> texts(JsonNode array) {
        List<String> out = new ArrayList<>();
        array.forEach(n -> out.add(n.asText()));
        return out;
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
        browser.get(realm.getBaseUrl()
                + "/protocol/openid-connect/auth?client_id=no-such-client&response_type=code&redirect_uri=" + REDIRECT);
        chromium.await(WAIT)
                .until(ExpectedConditions.textToBePresentInElementLocated(By.tagName("body"), "Client not found"));
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
        Http.Reply cleared = Http.send(
                "DELETE",
                WardenApi.url(realm.getBaseUrl(), "throttles?username=" + username + "&ip=127.0.0.1"),
                admin.tokenManager().getAccessTokenString());
        assertThat(cleared.status()).as(cleared.body()).isBetween(200, 204);
        assertThat(failing).isEmpty();
    }
}
