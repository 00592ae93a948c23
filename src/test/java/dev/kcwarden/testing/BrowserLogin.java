package dev.kcwarden.testing;

import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;
import org.keycloak.testframework.ui.page.LoginPage;
import org.keycloak.testframework.ui.webdriver.ManagedWebDriver;

/**
 * The authorization code flow with PKCE as a single-page app runs it: the browser opens the authorization endpoint, the
 * user signs in on Keycloak's login page, and Keycloak redirects to the app's loopback callback, served here by a
 * throw-away HTTP server on 127.0.0.1 (the demo realm allows any port there, RFC 8252).
 */
public final class BrowserLogin implements AutoCloseable {

    private final HttpServer callback;
    private final String redirectUri;

    public BrowserLogin() {
        try {
            callback = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot open a loopback callback server", e);
        }
        callback.createContext("/callback", exchange -> {
            byte[] page =
                    "<html><body><h1 id=\"callback\">signed in</h1></body></html>".getBytes(StandardCharsets.UTF_8);
            exchange.getResponseHeaders().add("Content-Type", "text/html; charset=utf-8");
            exchange.sendResponseHeaders(200, page.length);
            try (OutputStream out = exchange.getResponseBody()) {
                out.write(page);
            }
        });
        callback.start();
        redirectUri = "http://127.0.0.1:" + callback.getAddress().getPort() + "/callback";
    }

    public String redirectUri() {
        return redirectUri;
    }

    /** The authorization request for {@code clientId} with an S256 challenge of {@code verifier}, to this callback. */
    public String authorizationUrl(TokenEndpoint realm, String clientId, String verifier, String state) {
        return realm.authorizationUrl(clientId, redirectUri, verifier, state);
    }

    /**
     * Signs in through the login page, starting without any Keycloak cookie so that no earlier SSO session skips the
     * page, and returns the query parameters Keycloak sent to the callback. Fails if the browser did not arrive at the
     * callback.
     */
    public Map<String, String> signIn(
            ManagedWebDriver driver,
            LoginPage loginPage,
            TokenEndpoint realm,
            String authorizationUrl,
            String username,
            String password) {
        // WebDriver deletes only the cookies the current page can see, and Keycloak scopes its login cookies
        // to /realms/{realm}/: stand on a page below that path first.
        driver.open(realm.realmUrl() + "/.well-known/openid-configuration");
        driver.cookies().deleteAll();
        driver.open(authorizationUrl);
        loginPage.assertCurrent();
        loginPage.fillLogin(username, password);
        loginPage.submit();
        String landed = driver.getCurrentUrl();
        if (!landed.startsWith(redirectUri)) {
            throw new AssertionError("expected a redirect to " + redirectUri + " but the browser is at " + landed + "\n"
                    + driver.page().getPageSource());
        }
        return query(landed);
    }

    /**
     * Opens an authorization request in the browser as it is (cookies kept): returns the callback's query parameters
     * when Keycloak answered from the SSO session without showing a page, else empty.
     */
    public java.util.Optional<Map<String, String>> authorizeSilently(ManagedWebDriver driver, String authorizationUrl) {
        driver.open(authorizationUrl);
        String landed = driver.getCurrentUrl();
        return landed.startsWith(redirectUri) ? java.util.Optional.of(query(landed)) : java.util.Optional.empty();
    }

    /**
     * Opens the registration page from the demo app's login page over plain HTTP, as a browser follows the page's
     * <em>Register</em> link; {@code verifier} is the PKCE verifier the code exchange will need.
     */
    public static Http.Reply registrationPage(
            LoopbackClient browser, TokenEndpoint realm, String redirectUri, String verifier) {
        Http.Reply login = browser.get(realm.authorizationUrl(DemoRealm.SPA, redirectUri, verifier, "s"), Map.of());
        if (login.status() != 200) {
            throw new AssertionError("the login page answered " + login.status() + ": " + login.body());
        }
        String link = URI.create(realm.realmUrl())
                .resolve(FormPage.link(login.body(), "registration"))
                .toString();
        return browser.get(link, Map.of());
    }

    /** The registration form's fields as a person fills them, the same password typed twice. */
    public static Map<String, String> registrationForm(
            String username, String email, String firstName, String lastName, String password) {
        Map<String, String> form = new LinkedHashMap<>();
        form.put("username", username);
        form.put("email", email);
        form.put("firstName", firstName);
        form.put("lastName", lastName);
        form.put("password", password);
        form.put("password-confirm", password);
        return form;
    }

    /** Posts {@code form} to the registration form on {@code page}. */
    public static Http.Reply submitRegistration(LoopbackClient browser, Http.Reply page, Map<String, String> form) {
        return browser.postForm(FormPage.formAction(page.body(), "kc-register-form"), form);
    }

    /**
     * A sign-up through the demo app's login as a browser without scripts makes it: the login page, its registration
     * link, the filled form posted. Returns Keycloak's answer to the form (a redirect to {@code redirectUri} with a
     * code when the sign-up succeeded, the form again with its errors when not).
     */
    public static Http.Reply register(
            LoopbackClient browser,
            TokenEndpoint realm,
            String redirectUri,
            String verifier,
            Map<String, String> form) {
        return submitRegistration(browser, registrationPage(browser, realm, redirectUri, verifier), form);
    }

    public static Map<String, String> query(String url) {
        Map<String, String> params = new LinkedHashMap<>();
        String raw = URI.create(url).getRawQuery();
        if (raw == null) {
            return params;
        }
        for (String pair : raw.split("&")) {
            int eq = pair.indexOf('=');
            String key = eq < 0 ? pair : pair.substring(0, eq);
            String value = eq < 0 ? "" : pair.substring(eq + 1);
            params.put(
                    URLDecoder.decode(key, StandardCharsets.UTF_8), URLDecoder.decode(value, StandardCharsets.UTF_8));
        }
        return params;
    }

    @Override
    public void close() {
        callback.stop(0);
    }
}
