package dev.kcwarden.journey;

import static org.assertj.core.api.Assertions.assertThat;

import dev.kcwarden.guard.GuardedPasswordFormFactory;
import dev.kcwarden.testing.Chromium;
import dev.kcwarden.testing.DemoRealm;
import dev.kcwarden.testing.FormPage;
import dev.kcwarden.testing.GuardLimits;
import dev.kcwarden.testing.Http;
import dev.kcwarden.testing.LoopbackClient;
import dev.kcwarden.testing.Pkce;
import dev.kcwarden.testing.TokenEndpoint;
import dev.kcwarden.testing.Users;
import dev.kcwarden.testing.WardenServerConfig;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.keycloak.testframework.annotations.InjectRealm;
import org.keycloak.testframework.annotations.KeycloakIntegrationTest;
import org.keycloak.testframework.realm.ManagedRealm;
import org.openqa.selenium.By;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.support.ui.ExpectedConditions;

/** A real Chromium solves the proof-of-work step-up with the theme's js/warden-pow.js and signs in. */
@KeycloakIntegrationTest(config = WardenServerConfig.class)
@DisplayName("Proof-of-work step-up in Chromium")
class PowChromiumIT {

    static final String PASSWORD = "Pow-chromium-passphrase-1";
    static final Path SHOTS = Path.of("target", "journey", "pow");
    static final Duration WAIT = Duration.ofSeconds(30);

    @InjectRealm(fromJson = DemoRealm.JSON, config = DemoRealm.Offline.class)
    ManagedRealm realm;

    @Test
    @DisplayName("past the threshold the page's script solves the puzzle and the login goes through")
    void chromiumSolvesAndLogsIn() {
        GuardLimits.set(
                realm,
                GuardLimits.BROWSER_FLOW,
                GuardedPasswordFormFactory.PROVIDER_ID,
                Map.of(
                        "warden.ip.max", "4",
                        "warden.user-ip.max", "4",
                        "warden.pow.threshold", "50%",
                        "warden.pow.base-bits", "10",
                        "warden.pow.max-bits", "12"));
        String name = "pow-chromium";
        Users.create(realm, Users.withPassword(name, PASSWORD));
        TokenEndpoint endpoints = new TokenEndpoint(realm.getBaseUrl());
        String callback = "http://127.0.0.1/callback";
        // A script fails twice from Chromium's own address: half of both limits.
        LoopbackClient script = new LoopbackClient("127.0.0.1");
        Http.Reply page =
                script.get(endpoints.authorizationUrl(DemoRealm.SPA, callback, Pkce.newVerifier(), "s"), Map.of());
        for (int i = 0; i < 2; i++) {
            page = script.postForm(
                    FormPage.formAction(page.body(), "kc-form-login"),
                    Map.of("username", name, "password", "wrong-" + i, "credentialId", ""));
            assertThat(FormPage.text(page.body())).contains("Invalid username or password");
        }

        try (Chromium chromium = Chromium.start(SHOTS)) {
            var browser = chromium.driver();
            browser.get(
                    endpoints.authorizationUrl(DemoRealm.SPA, callback, Pkce.newVerifier(), "c") + "&ui_locales=en");
            chromium.await(WAIT).until(ExpectedConditions.visibilityOfElementLocated(By.id("kc-form-login")));
            WebElement puzzle = browser.findElement(By.id("warden-pow"));
            assertThat(puzzle.getAttribute("data-bits")).isEqualTo("10");
            browser.findElement(By.id("username")).sendKeys(name);
            browser.findElement(By.id("password")).sendKeys(PASSWORD);
            chromium.screenshot("login-with-puzzle");
            browser.findElement(By.id("kc-login")).click();
            chromium.await(WAIT).until(d -> d.getCurrentUrl().startsWith(callback));
            assertThat(browser.getCurrentUrl()).contains("code=");
        }
    }

    @Test
    @DisplayName("what solving costs in Chromium: the script's loop at rising difficulty (printed for benchmarks.md)")
    void chromiumCost() {
        try (Chromium chromium = Chromium.start(SHOTS)) {
            var browser = chromium.driver();
            browser.get(new TokenEndpoint(realm.getBaseUrl())
                    .authorizationUrl(DemoRealm.SPA, "http://127.0.0.1/callback", Pkce.newVerifier(), "b"));
            chromium.await(WAIT).until(ExpectedConditions.visibilityOfElementLocated(By.id("kc-form-login")));
            browser.manage().timeouts().scriptTimeout(Duration.ofSeconds(120));
            for (int bits = 8; bits <= 18; bits += 2) {
                Object ms = browser.executeAsyncScript(SOLVE_SCRIPT, bits, 5);
                System.out.println("chromium proof-of-work: " + bits + " bits, mean ms over 5 solves: " + ms);
                assertThat(((Number) ms).doubleValue()).isPositive();
            }
        }
    }

    /** The same loop as js/warden-pow.js (batches of 256 digests), timed over several fresh nonces. */
    private static final String SOLVE_SCRIPT = String.join(
            "\n",
            "var bits = arguments[0], runs = arguments[1], done = arguments[arguments.length - 1];",
            "var enc = new TextEncoder();",
            "function zero(buf) { var b = new Uint8Array(buf), n = 0;",
            "  for (var i = 0; i < b.length; i++) {",
            "    if (b[i] === 0) { n += 8; continue; } return n + Math.clz32(b[i]) - 24; }",
            "  return n; }",
            "function solve(nonce) { var next = 0;",
            "  function round() { var t = [], first = next;",
            "    for (var i = 0; i < 256; i++) {",
            "      t.push(crypto.subtle.digest('SHA-256', enc.encode(nonce + ':' + (first + i)))); }",
            "    next += 256;",
            "    return Promise.all(t).then(function (h) { for (var j = 0; j < h.length; j++) {",
            "      if (zero(h[j]) >= bits) { return first + j; } } return round(); }); }",
            "  return round(); }",
            "var total = 0, k = 0;",
            "function one() { if (k === runs) { done(total / runs); return; }",
            "  var start = performance.now();",
            "  solve('bench-' + k + '-' + Math.random()).then(function () {",
            "    total += performance.now() - start; k++; one(); }); }",
            "one();");
}
