package dev.kcwarden.journey;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.kcwarden.example.ResourceServer;
import dev.kcwarden.quickstart.DemoApp;
import dev.kcwarden.testing.Await;
import dev.kcwarden.testing.Chromium;
import dev.kcwarden.testing.DemoRealm;
import dev.kcwarden.testing.FormPage;
import dev.kcwarden.testing.GuardLimits;
import dev.kcwarden.testing.Http;
import dev.kcwarden.testing.LoopbackClient;
import dev.kcwarden.testing.Pkce;
import dev.kcwarden.testing.RangeStub;
import dev.kcwarden.testing.SmtpSink;
import dev.kcwarden.testing.TokenEndpoint;
import dev.kcwarden.testing.Totp;
import dev.kcwarden.testing.Users;
import dev.kcwarden.testing.WardenApi;
import dev.kcwarden.testing.WardenServerConfig;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.keycloak.admin.client.Keycloak;
import org.keycloak.representations.idm.AuthenticationExecutionInfoRepresentation;
import org.keycloak.representations.idm.AuthenticatorConfigRepresentation;
import org.keycloak.representations.idm.RealmRepresentation;
import org.keycloak.representations.idm.UserRepresentation;
import org.keycloak.testframework.annotations.InjectAdminClient;
import org.keycloak.testframework.annotations.InjectRealm;
import org.keycloak.testframework.annotations.KeycloakIntegrationTest;
import org.keycloak.testframework.realm.ManagedRealm;
import org.keycloak.util.JsonSerialization;
import org.openqa.selenium.By;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.support.ui.ExpectedConditions;

/**
 * The whole journey in a real browser (Debian's Chromium, headless) against the real server: the demo app
 * (examples/demo-spa, served as {@code ./mvnw -Prun} serves it) signs a new user up through the warden theme, the email
 * is verified through a local mail sink, the app calls the example API, refreshes and signs out; an attacker is
 * throttled and sees the wait count down; a user with a one-time code signs in. Every page is saved to
 * {@code target/journey/<test>/NN-<page>.png} on every run.
 *
 * <p>The demo app must run on {@code http://localhost:5173} (the demo-spa client's redirect URI and web origin); the
 * API runs on a free port, which the app learns from its config.json.
 */
@KeycloakIntegrationTest(config = WardenServerConfig.class)
@DisplayName("The journey in Chromium: demo app, sign-up with refusals, email verification, API, refresh, logout, "
        + "throttle countdown, TOTP")
class JourneyIT {

    static final Path SHOTS = Path.of("target", "journey");
    static final String GOOD_PASSWORD = "Journey-good-passphrase-41";
    static final String BREACHED_PASSWORD = "Journey-breached-pass-2026";
    private static final Duration WAIT = Duration.ofSeconds(20);
    private static final Pattern VERIFY_LINK =
            Pattern.compile("https?://[^\\s\"<>]+/login-actions/action-token\\?[^\\s\"<>]+");

    @InjectRealm(fromJson = DemoRealm.JSON, config = DemoRealm.Offline.class)
    ManagedRealm realm;

    @InjectAdminClient
    Keycloak admin;

    private RangeStub range;
    private SmtpSink smtp;
    private ResourceServer api;
    private DemoApp app;
    private Chromium chromium;

    @BeforeEach
    void setUp() throws Exception {
        range = new RangeStub();
        range.breach(BREACHED_PASSWORD, 1234);
        smtp = new SmtpSink();
        RealmRepresentation rep = realm.admin().toRepresentation();
        // The journey verifies the new user's email; the shipped realm leaves that to the operator (it needs SMTP).
        rep.setVerifyEmail(true);
        rep.setSmtpServer(smtp.realmSettings());
        rep.setPasswordPolicy("length(12) and maxLength(128) and notUsername(undefined) and notEmail(undefined) and "
                + "wardenBreachedPassword(min=1;fail=open;timeout=1000;url=" + range.rangeUrl() + ")");
        realm.admin().update(rep);
        // Chromium always comes from 127.0.0.1, which other tests sign up from too: the per-address sign-up
        // limit (10 an hour) must not decide this test.
        GuardLimits.set(
                realm, "warden registration form", "warden-registration-guard", Map.of("warden.signup-ip.max", "1000"));
        keepPasswordOnRegistrationForm();

        String issuer = realm.getBaseUrl();
        api = new ResourceServer(ResourceServer.Settings.forRealm(issuer, DemoRealm.API, 0)
                        .withAllowedOrigins(Set.of("http://localhost:" + DemoApp.DEFAULT_PORT)))
                .start();
        app = new DemoApp(
                        Path.of("examples", "demo-spa"),
                        DemoApp.DEFAULT_PORT,
                        issuer,
                        DemoRealm.SPA,
                        "http://127.0.0.1:" + api.port())
                .start();
    }

    /**
     * With email verification on, Keycloak 26.7 moves the password from the registration form to a page after the
     * verification (RegistrationPassword's {@code always_set_password_on_register_form}, off by default). The journey
     * keeps the form as the shipped realm shows it (verification off there): username, email and password on one page,
     * checked at once.
     */
    private void keepPasswordOnRegistrationForm() {
        AuthenticationExecutionInfoRepresentation execution =
                realm.admin().flows().getExecutions("warden registration form").stream()
                        .filter(e -> "registration-password-action".equals(e.getProviderId()))
                        .findFirst()
                        .orElseThrow(
                                () -> new AssertionError("no registration-password-action in the registration form"));
        if (execution.getAuthenticationConfig() != null) {
            return; // set by the test before, in this class's realm
        }
        AuthenticatorConfigRepresentation config = new AuthenticatorConfigRepresentation();
        config.setAlias("journey password on the registration form");
        config.setConfig(Map.of("always_set_password_on_register_form", "true"));
        try (jakarta.ws.rs.core.Response created =
                realm.admin().flows().newExecutionConfig(execution.getId(), config)) {
            assertThat(created.getStatus()).isEqualTo(201);
        }
    }

    @AfterEach
    void tearDown() {
        if (chromium != null) {
            chromium.close();
        }
        app.close();
        api.close();
        smtp.close();
        range.close();
    }

    @Test
    @DisplayName("a new user signs up in the app (refused for a breached password, then for a disposable address), "
            + "verifies the email, calls the API, refreshes, signs out")
    void newUser() throws Exception {
        String username = "journey-" + Pkce.randomToken(4).toLowerCase().replaceAll("[^a-z0-9]", "x");
        String email = username + "@example.com";
        chromium = Chromium.start(SHOTS.resolve("1-new-user"));
        ChromeDriver browser = chromium.driver();

        browser.get(app.url());
        awaitText("status", "Not signed in.");
        chromium.screenshot("app-signed-out");

        browser.findElement(By.id("register")).click();
        chromium.await(WAIT).until(ExpectedConditions.visibilityOfElementLocated(By.id("kc-register-form")));
        chromium.screenshot("sign-up");

        fillRegistration(username, email, BREACHED_PASSWORD);
        awaitPageText("This password has appeared in a data breach.");
        assertThat(range.requests())
                .as("the range service was asked")
                .isNotEmpty()
                .allSatisfy(r -> assertThat(r).matches("GET /range/[0-9A-F]{5} body=0"));
        assertThat(realm.admin().users().search(username, true))
                .as("no user yet")
                .isEmpty();
        chromium.screenshot("sign-up-breached-password");

        fillRegistration(username, username + "@mailinator.com", GOOD_PASSWORD);
        awaitPageText("Disposable email addresses cannot be used.");
        assertThat(realm.admin().users().search(username, true))
                .as("no user yet")
                .isEmpty();
        chromium.screenshot("sign-up-disposable-email");

        fillRegistration(username, email, GOOD_PASSWORD);
        awaitPageText("verify your email");
        chromium.screenshot("verify-email");
        UserRepresentation created =
                realm.admin().users().search(username, true).get(0);
        assertThat(created.isEmailVerified()).isFalse();

        String link = verificationLink(email);
        browser.get(link);
        chromium.await(WAIT)
                .until(d -> d.getCurrentUrl().startsWith(app.url())
                        || !d.findElements(By.linkText("» Click here to proceed"))
                                .isEmpty()
                        || !d.findElements(By.partialLinkText("proceed")).isEmpty());
        if (!browser.getCurrentUrl().startsWith(app.url())) {
            chromium.screenshot("email-verified");
            browser.findElement(By.partialLinkText("proceed")).click();
        }
        awaitText("status", "Signed in.");
        assertThat(browser.getCurrentUrl())
                .as("no code left in the address bar")
                .isEqualTo(app.url());
        assertThat(realm.admin().users().get(created.getId()).toRepresentation().isEmailVerified())
                .isTrue();
        JsonNode claims = claims("access-claims");
        assertThat(claims.path("sub").asText()).isEqualTo(created.getId());
        assertThat(claims.path("azp").asText()).isEqualTo(DemoRealm.SPA);
        assertThat(claims.path("aud").toString()).contains(DemoRealm.API);
        assertThat(claims.path("email_verified").asBoolean()).isTrue();
        assertThat(claims("id-claims").path("preferred_username").asText()).isEqualTo(username);
        assertThat(browser.findElement(By.id("who")).getText()).isEqualTo(username);
        chromium.screenshot("app-signed-in");

        browser.findElement(By.id("call-api")).click();
        awaitText("status", "The API accepted the access token.");
        assertThat(browser.findElement(By.id("api-result")).getText())
                .startsWith("HTTP 200")
                .contains("\"sub\":\"" + created.getId() + "\"")
                .contains("\"azp\":\"demo-spa\"");
        chromium.screenshot("app-api-called");

        String firstJti = claims.path("jti").asText();
        browser.findElement(By.id("refresh")).click();
        awaitText("refresh-count", "1");
        awaitText("status", "Tokens refreshed");
        assertThat(claims("access-claims").path("jti").asText())
                .as("a new access token")
                .isNotEmpty()
                .isNotEqualTo(firstJti);
        browser.findElement(By.id("call-api")).click();
        awaitText("status", "The API accepted the access token.");
        chromium.screenshot("app-refreshed");

        assertThat(realm.admin().users().get(created.getId()).getUserSessions()).hasSize(1);
        browser.findElement(By.id("logout")).click();
        awaitText("status", "Signed out");
        assertThat(realm.admin().users().get(created.getId()).getUserSessions())
                .as("the realm session ended")
                .isEmpty();
        chromium.screenshot("app-signed-out-again");
    }

    @Test
    @DisplayName(
            "an attacker script gets 429 with Retry-After, and the login page in the browser counts the wait down live")
    void attackerThrottled() throws Exception {
        String victim = "journey-victim-" + Pkce.randomToken(3).toLowerCase().replaceAll("[^a-z0-9]", "x");
        Users.create(realm, Users.withPassword(victim, GOOD_PASSWORD));
        try {
            // The script: wrong passwords through the login form from the browser's own address (127.0.0.1).
            TokenEndpoint endpoints = new TokenEndpoint(realm.getBaseUrl());
            LoopbackClient script = new LoopbackClient("127.0.0.1");
            Http.Reply page = script.get(
                    endpoints.authorizationUrl(DemoRealm.SPA, app.url(), Pkce.newVerifier(), "attack"), Map.of());
            int attempts = 0;
            while (page.status() != 429 && attempts < 20) {
                page = script.postForm(
                        FormPage.formAction(page.body(), "kc-form-login"),
                        Map.of("username", victim, "password", "guess-" + attempts, "credentialId", ""));
                attempts++;
            }
            long answeredAt = System.nanoTime();
            assertThat(page.status())
                    .as("throttled after the demo realm's 10 failures per username and address")
                    .isEqualTo(429);
            assertThat(attempts).isEqualTo(11);
            long retryAfter = Long.parseLong(page.header("Retry-After"));
            assertThat(retryAfter).isBetween(1L, 900L);

            chromium = Chromium.start(SHOTS.resolve("2-attacker"));
            ChromeDriver browser = chromium.driver();
            browser.get(app.url());
            awaitText("status", "Not signed in.");
            browser.findElement(By.id("login")).click();
            chromium.await(WAIT).until(ExpectedConditions.visibilityOfElementLocated(By.id("kc-form-login")));
            browser.findElement(By.id("username")).sendKeys(victim);
            browser.findElement(By.id("password")).sendKeys("guess-by-hand");
            browser.findElement(By.id("kc-login")).click();
            awaitPageText("Too many failed sign-in attempts.");
            chromium.screenshot("login-throttled");

            WebElement countdown = chromium.await(WAIT).until(d -> countdown(d));
            assertThat(countdown.findElements(By.cssSelector("[aria-live=polite], [aria-live=assertive]")))
                    .as("a live region announces the wait to screen readers")
                    .hasSize(1);
            String first = countdown.getText();
            long firstAt = System.nanoTime();
            long shown = secondsIn(first);
            // The browser's own attempt came later than the script's 429, so its wait can only be shorter, by about
            // the time that has passed since (plus a second each for rounding up and for the script's own tick).
            long elapsed = (long) Math.ceil((firstAt - answeredAt) / 1e9);
            assertThat(shown)
                    .as(
                            "the countdown starts at what is left of Retry-After %ss, %ss after it: %s",
                            retryAfter, elapsed, first)
                    .isBetween(retryAfter - elapsed - 2, retryAfter);
            // It counts down in real time: a few seconds later it shows as many seconds less (two seconds either way
            // for the page's one-second ticks under load; a clock that stopped after a tick or two falls outside).
            chromium.await(Duration.ofSeconds(5))
                    .until(d -> secondsIn(countdown(d).getText()) < shown);
            Thread.sleep(4000);
            String later = countdown(browser).getText();
            long laterAt = System.nanoTime();
            long passed = Math.round((laterAt - firstAt) / 1e9);
            assertThat(secondsIn(later))
                    .as("the countdown %s after %s, %ss later", later, first, passed)
                    .isLessThan(shown)
                    .isBetween(shown - passed - 2, shown - passed + 2);
            assertThat(countdown(browser)
                            .findElement(By.cssSelector("[aria-live]"))
                            .getAttribute("textContent"))
                    .as("the live region has said how long to wait")
                    .matches(".*\\d+.*");
            chromium.screenshot("login-throttled-countdown-later");
        } finally {
            clearThrottle(victim);
        }
    }

    @Test
    @DisplayName("a second user with TOTP signs in to the app with a one-time code")
    void totpUser() throws Exception {
        String username = "journey-otp-" + Pkce.randomToken(3).toLowerCase().replaceAll("[^a-z0-9]", "x");
        String secret = "journey-totp-secret-" + Pkce.randomToken(6);
        String userId = Users.create(realm, Totp.withOtp(Users.withPassword(username, GOOD_PASSWORD), secret));
        chromium = Chromium.start(SHOTS.resolve("3-totp"));
        ChromeDriver browser = chromium.driver();

        browser.get(app.url());
        awaitText("status", "Not signed in.");
        browser.findElement(By.id("login")).click();
        chromium.await(WAIT).until(ExpectedConditions.visibilityOfElementLocated(By.id("kc-form-login")));
        chromium.screenshot("login");
        browser.findElement(By.id("username")).sendKeys(username);
        browser.findElement(By.id("password")).sendKeys(GOOD_PASSWORD);
        browser.findElement(By.id("kc-login")).click();

        WebElement otp = chromium.await(WAIT).until(ExpectedConditions.visibilityOfElementLocated(By.id("otp")));
        chromium.screenshot("one-time-code");
        otp.sendKeys(Totp.now(secret));
        browser.findElement(By.id("kc-login")).click();

        awaitText("status", "Signed in.");
        assertThat(claims("access-claims").path("sub").asText()).isEqualTo(userId);
        assertThat(browser.findElement(By.id("who")).getText()).isEqualTo(username);
        chromium.screenshot("app-signed-in");
    }

    private static final Pattern CLOCK = Pattern.compile("\\d+:\\d{2}");

    /**
     * The warden theme's countdown on a throttled page ({@code #warden-retry}, filled by the theme's script from the
     * page's Retry-After seconds) once it shows a clock such as "14:59"; null before. Without JavaScript the message
     * above it still says in how many minutes to try again.
     */
    static WebElement countdown(org.openqa.selenium.WebDriver driver) {
        return driver.findElements(By.id("warden-retry")).stream()
                .filter(WebElement::isDisplayed)
                .filter(e -> CLOCK.matcher(e.getText()).find())
                .findFirst()
                .orElse(null);
    }

    /** Seconds in a countdown text such as "14:59" or "1:02:03". */
    static long secondsIn(String text) {
        Matcher m = Pattern.compile("(\\d+(?::\\d{2}){1,2})").matcher(text);
        if (!m.find()) {
            throw new AssertionError("no time in the countdown text '" + text + "'");
        }
        long seconds = 0;
        for (String part : m.group(1).split(":")) {
            seconds = seconds * 60 + Long.parseLong(part);
        }
        return seconds;
    }

    private void fillRegistration(String username, String email, String password) {
        ChromeDriver browser = chromium.driver();
        Map<String, String> fields = new java.util.LinkedHashMap<>();
        fields.put("username", username);
        fields.put("email", email);
        fields.put("firstName", "Journey");
        fields.put("lastName", "Person");
        fields.put("password", password);
        fields.put("password-confirm", password);
        fields.forEach((id, value) -> {
            WebElement field = browser.findElement(By.id(id));
            field.clear();
            field.sendKeys(value);
        });
        browser.findElement(By.cssSelector("#kc-register-form [type=submit]")).click();
    }

    private void awaitText(String id, String text) {
        try {
            chromium.await(WAIT).until(ExpectedConditions.textToBePresentInElementLocated(By.id(id), text));
        } catch (org.openqa.selenium.TimeoutException e) {
            chromium.screenshot("failed-waiting-for-" + id);
            throw new AssertionError(
                    "#" + id + " never said '" + text + "'; it says '"
                            + chromium.driver().findElements(By.id(id)).stream()
                                    .map(WebElement::getText)
                                    .findFirst()
                                    .orElse("(no such element)")
                            + "' on " + chromium.driver().getCurrentUrl(),
                    e);
        }
    }

    private void awaitPageText(String text) {
        try {
            chromium.await(WAIT)
                    .until(d -> d.findElement(By.tagName("body")).getText().contains(text));
        } catch (org.openqa.selenium.TimeoutException e) {
            chromium.screenshot("failed-waiting-for-text");
            throw new AssertionError(
                    "the page never said '" + text + "'; it says: "
                            + chromium.driver().findElement(By.tagName("body")).getText(),
                    e);
        }
    }

    private JsonNode claims(String id) throws java.io.IOException {
        return JsonSerialization.mapper.readTree(
                chromium.driver().findElement(By.id(id)).getText());
    }

    /** The verification link of the newest mail to {@code address}, decoded from quoted-printable and HTML. */
    private String verificationLink(String address) throws InterruptedException {
        List<SmtpSink.Mail> mails =
                Await.until("a mail to " + address, WAIT, () -> smtp.to(address), m -> !m.isEmpty());
        assertThat(mails).as("a verification mail to " + address).hasSize(1);
        String text = mails.get(0)
                .data()
                .replace("=\r\n", "")
                .replace("=\n", "")
                .replace("=3D", "=")
                .replace("&amp;", "&");
        Matcher m = VERIFY_LINK.matcher(text);
        assertThat(m.find()).as("a verification link in: %s", text).isTrue();
        return m.group();
    }

    /** An admin clears the block (as docs/configuration.md says), so no later test from 127.0.0.1 meets it. */
    private void clearThrottle(String username) throws Exception {
        String url = WardenApi.url(realm.getBaseUrl(), "throttles?username=" + username + "&ip=127.0.0.1");
        HttpRequest request = HttpRequest.newBuilder(URI.create(url))
                .header("Authorization", "Bearer " + admin.tokenManager().getAccessTokenString())
                .DELETE()
                .build();
        HttpResponse<String> reply = HttpClient.newHttpClient().send(request, HttpResponse.BodyHandlers.ofString());
        assertThat(reply.statusCode()).as(reply.body()).isBetween(200, 204);
    }
}
