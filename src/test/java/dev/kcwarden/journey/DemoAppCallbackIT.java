package dev.kcwarden.journey;

import static org.assertj.core.api.Assertions.assertThat;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import dev.kcwarden.quickstart.DemoApp;
import dev.kcwarden.testing.Chromium;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URLDecoder;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.openqa.selenium.By;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.support.ui.ExpectedConditions;

/**
 * The demo app's callback checks, in real Chromium: the page (examples/demo-spa/app.js, served by {@link DemoApp})
 * signs in against a small authorization server on a loopback port that answers each login the way the test asks, with
 * a wrong {@code state}, a foreign or missing {@code iss} (RFC 9207), an ID token for another {@code nonce}, an error
 * with markup in it, or all correct. The test counts the page's token requests: a callback the page must not trust
 * never reaches the token endpoint, and the person reads what happened.
 *
 * <p>The server is a stand-in on purpose: no real authorization server hands out a wrong state or a forged issuer. That
 * a real login works through the same page is {@link JourneyIT}'s job. Everything stays on 127.0.0.1.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@DisplayName("The demo app refuses callbacks it did not ask for (state), from another issuer (iss) and ID tokens for "
        + "another login (nonce)")
class DemoAppCallbackIT {

    private static final Duration WAIT = Duration.ofSeconds(15);

    private StubIssuer issuer;
    private DemoApp app;
    private Chromium chromium;
    private ChromeDriver browser;

    @BeforeAll
    void start() throws Exception {
        issuer = new StubIssuer();
        // port 0: this app talks to the stand-in only, which allows any loopback origin
        app = new DemoApp(Path.of("examples", "demo-spa"), 0, issuer.issuer(), "demo-spa", "http://127.0.0.1:9")
                .start();
        chromium = Chromium.start(Path.of("target", "demo-app-callback"));
        browser = chromium.driver();
    }

    @AfterAll
    void stop() {
        if (chromium != null) {
            chromium.close();
        }
        if (app != null) {
            app.close();
        }
        if (issuer != null) {
            issuer.close();
        }
    }

    @BeforeEach
    void signedOut() {
        issuer.reset();
        browser.get(app.url());
        awaitStatus("Not signed in.");
    }

    /** Clicks "Sign in"; the stand-in answers with {@code callback} and the page lands back with it. */
    private void signIn(Map<String, String> callback, String idTokenNonce) {
        issuer.answerNext(callback, idTokenNonce);
        browser.findElement(By.id("login")).click();
        chromium.await(WAIT).until(d -> issuer.authorizations.get() == 1);
    }

    private void awaitStatus(String text) {
        try {
            chromium.await(WAIT).until(ExpectedConditions.textToBePresentInElementLocated(By.id("status"), text));
        } catch (org.openqa.selenium.TimeoutException e) {
            chromium.screenshot("failed-waiting");
            throw new AssertionError("#status never said '" + text + "'; it says '" + status() + "'", e);
        }
    }

    private String status() {
        return browser.findElement(By.id("status")).getText();
    }

    private boolean signedInShown() {
        return browser.findElement(By.id("signed-in")).isDisplayed();
    }

    @Test
    @DisplayName("control: state, iss and nonce all right: the page redeems the code once and shows the user")
    void correctCallback() {
        signIn(Map.of("code", "stub-code", "state", StubIssuer.ECHO, "iss", StubIssuer.ECHO), StubIssuer.ECHO);
        awaitStatus("Signed in.");
        assertThat(issuer.tokenRequests.get()).isEqualTo(1);
        assertThat(issuer.lastTokenRequest).containsEntry("code", "stub-code").containsKey("code_verifier");
        assertThat(browser.findElement(By.id("who")).getText()).isEqualTo("stub-user");
    }

    @Test
    @DisplayName("a wrong state: no token request, a plain message, and the error text that came with it is not shown")
    void wrongState() {
        signIn(
                Map.of(
                        "code",
                        "stub-code",
                        "state",
                        "someone-elses-state",
                        "iss",
                        StubIssuer.ECHO,
                        "error_description",
                        "Call +1-555-0100 to unlock your account"),
                StubIssuer.ECHO);
        awaitStatus("was not started from this page");
        chromium.screenshot("wrong-state");
        assertThat(issuer.tokenRequests.get()).as("token requests").isZero();
        assertThat(status()).doesNotContain("555-0100");
        assertThat(signedInShown()).isFalse();
    }

    @Test
    @DisplayName("a callback opened from a link, with no login started in this tab: no token request")
    void noLoginStarted() {
        browser.get(app.url() + "?code=stub-code&state=guess&iss="
                + URLEncoder.encode(issuer.issuer(), StandardCharsets.UTF_8));
        awaitStatus("was not started from this page");
        assertThat(issuer.tokenRequests.get()).as("token requests").isZero();
        assertThat(browser.getCurrentUrl()).as("the code left the address bar").isEqualTo(app.url());
    }

    @Test
    @DisplayName(
            "iss of another authorization server (mix-up): no token request, a message that names the expected issuer")
    void foreignIssuer() {
        signIn(
                Map.of("code", "stub-code", "state", StubIssuer.ECHO, "iss", "http://127.0.0.1:9/realms/elsewhere"),
                StubIssuer.ECHO);
        awaitStatus("did not come from " + issuer.issuer());
        chromium.screenshot("foreign-issuer");
        assertThat(issuer.tokenRequests.get()).as("token requests").isZero();
        assertThat(signedInShown()).isFalse();
    }

    @Test
    @DisplayName("no iss although the metadata promises it (authorization_response_iss_parameter_supported): no "
            + "token request")
    void missingIssuer() {
        signIn(Map.of("code", "stub-code", "state", StubIssuer.ECHO), StubIssuer.ECHO);
        awaitStatus("did not come from " + issuer.issuer());
        assertThat(issuer.tokenRequests.get()).as("token requests").isZero();
    }

    @Test
    @DisplayName("an ID token minted for another login's nonce: the tokens are not used, and the page says why")
    void wrongNonce() {
        signIn(Map.of("code", "stub-code", "state", StubIssuer.ECHO, "iss", StubIssuer.ECHO), "another-logins-nonce");
        awaitStatus("nonce mismatch");
        chromium.screenshot("wrong-nonce");
        assertThat(issuer.tokenRequests.get())
                .as("the code was redeemed, then the answer refused")
                .isEqualTo(1);
        assertThat(signedInShown()).isFalse();
        assertThat(browser.findElement(By.id("who")).getText()).isEmpty();
    }

    @Test
    @DisplayName("an error from the realm (right state and iss) is shown as text: markup in it stays text")
    void errorShownAsText() {
        signIn(
                Map.of(
                        "state",
                        StubIssuer.ECHO,
                        "iss",
                        StubIssuer.ECHO,
                        "error",
                        "access_denied",
                        "error_description",
                        "<img src=x id=injected>"),
                StubIssuer.ECHO);
        awaitStatus("access_denied");
        assertThat(status()).contains("<img src=x id=injected>");
        assertThat(browser.findElements(By.id("injected"))).isEmpty();
        assertThat(issuer.tokenRequests.get()).isZero();
    }

    /**
     * An authorization server on 127.0.0.1 that the test steers: discovery (with
     * {@code authorization_response_iss_parameter_supported}), an authorization endpoint that sends the browser back
     * with the next answer the test set, and a token endpoint that counts its requests and returns unsigned tokens (the
     * page reads claims, it does not verify them). {@link #ECHO} stands for the value of the login being answered.
     */
    static final class StubIssuer implements AutoCloseable {
        static final String ECHO = "\u0000echo";

        private final HttpServer server;
        final AtomicInteger authorizations = new AtomicInteger();
        final AtomicInteger tokenRequests = new AtomicInteger();
        volatile Map<String, String> lastTokenRequest = Map.of();
        private volatile Map<String, String> nextCallback = Map.of();
        private volatile String nextNonce = ECHO;
        private final Map<String, String> login = new ConcurrentHashMap<>();

        StubIssuer() throws IOException {
            server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
            server.createContext("/", this::serve);
            server.start();
        }

        String issuer() {
            return "http://127.0.0.1:" + server.getAddress().getPort() + "/realms/stub";
        }

        void reset() {
            authorizations.set(0);
            tokenRequests.set(0);
            lastTokenRequest = Map.of();
            login.clear();
        }

        void answerNext(Map<String, String> callback, String idTokenNonce) {
            nextCallback = callback;
            nextNonce = idTokenNonce;
        }

        private void serve(HttpExchange exchange) throws IOException {
            try (exchange) {
                String origin = exchange.getRequestHeaders().getFirst("Origin");
                if (origin != null && origin.matches("http://(localhost|127\\.0\\.0\\.1):\\d+")) {
                    exchange.getResponseHeaders().add("Access-Control-Allow-Origin", origin);
                }
                String path = exchange.getRequestURI().getPath();
                String base = "/realms/stub";
                if (path.equals(base + "/.well-known/openid-configuration")) {
                    json(
                            exchange,
                            "{\"issuer\":\"" + issuer() + "\",\"authorization_endpoint\":\"" + issuer() + "/auth\","
                                    + "\"token_endpoint\":\"" + issuer() + "/token\",\"end_session_endpoint\":\""
                                    + issuer() + "/logout\","
                                    + "\"authorization_response_iss_parameter_supported\":true}");
                } else if (path.equals(base + "/auth")) {
                    authorize(exchange);
                } else if (path.equals(base + "/token") && "POST".equals(exchange.getRequestMethod())) {
                    tokenRequests.incrementAndGet();
                    lastTokenRequest =
                            form(new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8));
                    String nonce = ECHO.equals(nextNonce) ? login.getOrDefault("nonce", "") : nextNonce;
                    String idToken = jwt("{\"iss\":\"" + issuer() + "\",\"sub\":\"stub-sub\",\"aud\":\"demo-spa\","
                            + "\"preferred_username\":\"stub-user\",\"nonce\":\"" + nonce + "\",\"exp\":4102444800}");
                    String accessToken = jwt("{\"iss\":\"" + issuer()
                            + "\",\"sub\":\"stub-sub\",\"azp\":\"demo-spa\",\"exp\":4102444800}");
                    json(
                            exchange,
                            "{\"access_token\":\"" + accessToken + "\",\"id_token\":\"" + idToken + "\","
                                    + "\"refresh_token\":\"stub-refresh\",\"token_type\":\"Bearer\","
                                    + "\"expires_in\":300}");
                } else {
                    exchange.sendResponseHeaders(404, -1);
                }
            }
        }

        private void authorize(HttpExchange exchange) throws IOException {
            authorizations.incrementAndGet();
            Map<String, String> request = form(exchange.getRequestURI().getRawQuery());
            login.putAll(request);
            Map<String, String> answer = new LinkedHashMap<>();
            nextCallback.forEach((name, value) -> answer.put(
                    name,
                    ECHO.equals(value) ? ("iss".equals(name) ? issuer() : request.getOrDefault(name, "")) : value));
            String query = answer.entrySet().stream()
                    .map(e -> e.getKey() + "=" + URLEncoder.encode(e.getValue(), StandardCharsets.UTF_8))
                    .collect(Collectors.joining("&"));
            exchange.getResponseHeaders().add("Location", request.get("redirect_uri") + "?" + query);
            exchange.sendResponseHeaders(302, -1);
        }

        private static Map<String, String> form(String encoded) {
            Map<String, String> values = new LinkedHashMap<>();
            if (encoded != null && !encoded.isEmpty()) {
                for (String pair : encoded.split("&")) {
                    int eq = pair.indexOf('=');
                    values.put(
                            URLDecoder.decode(eq < 0 ? pair : pair.substring(0, eq), StandardCharsets.UTF_8),
                            eq < 0 ? "" : URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8));
                }
            }
            return values;
        }

        private static String jwt(String payload) {
            Base64.Encoder b64 = Base64.getUrlEncoder().withoutPadding();
            return b64.encodeToString("{\"alg\":\"none\"}".getBytes(StandardCharsets.UTF_8)) + "."
                    + b64.encodeToString(payload.getBytes(StandardCharsets.UTF_8)) + ".";
        }

        private static void json(HttpExchange exchange, String body) throws IOException {
            byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
            exchange.getResponseHeaders().add("Content-Type", "application/json");
            exchange.getResponseHeaders().add("Cache-Control", "no-store");
            exchange.sendResponseHeaders(200, bytes.length);
            try (OutputStream out = exchange.getResponseBody()) {
                out.write(bytes);
            }
        }

        @Override
        public void close() {
            server.stop(0);
        }
    }
}
