package dev.kcwarden.testing;

import dev.kcwarden.guard.GuardedDirectGrantFactory;
import dev.kcwarden.guard.GuardedPasswordFormFactory;
import java.util.LinkedHashMap;
import java.util.Map;
import org.keycloak.representations.idm.UserRepresentation;
import org.keycloak.testframework.realm.ManagedRealm;

/**
 * One guarded login step of the demo realm as a guard test drives it: its limits set through the admin API as an admin
 * does in the console, users with the test's password, and the login itself over plain HTTP (the browser flow's login
 * form, or the password grant of the demo CLI client).
 */
public final class GuardedLogin {

    /** The demo realm redirects any 127.0.0.1 callback; nothing listens there, the tests read the redirect. */
    public static final String CALLBACK = "http://127.0.0.1/callback";

    private final ManagedRealm realm;
    private final String flowAlias;
    private final String providerId;
    private final String password;
    private final TokenEndpoint endpoints;

    private GuardedLogin(ManagedRealm realm, String flowAlias, String providerId, String password) {
        this.realm = realm;
        this.flowAlias = flowAlias;
        this.providerId = providerId;
        this.password = password;
        this.endpoints = new TokenEndpoint(realm.getBaseUrl());
    }

    /** The browser flow's guarded username-and-password form (its one-time-code step shares the configuration). */
    public static GuardedLogin browser(ManagedRealm realm, String password, Map<String, String> limits) {
        return new GuardedLogin(realm, GuardLimits.BROWSER_FLOW, GuardedPasswordFormFactory.PROVIDER_ID, password)
                .limits(limits);
    }

    /** The direct grant flow's guarded password check (its one-time-code step shares the configuration). */
    public static GuardedLogin directGrant(ManagedRealm realm, String password, Map<String, String> limits) {
        return new GuardedLogin(realm, GuardLimits.DIRECT_GRANT_FLOW, GuardedDirectGrantFactory.PROVIDER_ID, password)
                .limits(limits);
    }

    /** Merges {@code values} into the step's configuration, as saving the console's form does. */
    public GuardedLogin limits(Map<String, String> values) {
        GuardLimits.set(realm, flowAlias, providerId, values);
        return this;
    }

    public TokenEndpoint endpoints() {
        return endpoints;
    }

    /** Creates a user with the test's password and returns the name. */
    public String user(String name) {
        return user(Users.withPassword(name, password));
    }

    /** Creates {@code rep} (made with {@link Users#withPassword}) and returns its name. */
    public String user(UserRepresentation rep) {
        Users.create(realm, rep);
        return rep.getUsername();
    }

    /** The demo app's authorization request (a fresh PKCE verifier), in {@code locale} unless it is null. */
    public String loginPageUrl(String locale) {
        String url = endpoints.authorizationUrl(DemoRealm.SPA, CALLBACK, Pkce.newVerifier(), "s");
        return locale == null ? url : url + "&ui_locales=" + locale;
    }

    /** Opens the login page in {@code browser}, in English. */
    public Http.Reply loginPage(LoopbackClient browser) {
        Http.Reply page = browser.get(loginPageUrl("en"), Map.of());
        if (page.status() != 200) {
            throw new AssertionError("the login page answered " + page.status() + ": " + page.body());
        }
        return page;
    }

    /** Types a username and password into the login form on {@code page}, as a browser posts it. */
    public static Http.Reply submit(LoopbackClient browser, Http.Reply page, String username, String password) {
        return submit(browser, page, username, password, Map.of());
    }

    /** The same with {@code extra} fields the page's scripts add (a proof-of-work solution). */
    public static Http.Reply submit(
            LoopbackClient browser, Http.Reply page, String username, String password, Map<String, String> extra) {
        Map<String, String> form = new LinkedHashMap<>();
        form.put("username", username);
        form.put("password", password);
        form.put("credentialId", "");
        form.putAll(extra);
        return browser.postForm(FormPage.formAction(page.body(), "kc-form-login"), form);
    }

    /** Types a one-time code into the code form on {@code page}. */
    public static Http.Reply submitCode(LoopbackClient browser, Http.Reply page, String code) {
        return browser.postForm(FormPage.formAction(page.body(), "kc-otp-login-form"), Map.of("otp", code));
    }

    /** A password grant of the demo CLI client from {@code from}. */
    public Http.Reply grant(LoopbackClient from, String username, String password) {
        return grant(from, username, password, Map.of());
    }

    /** The same with request headers. */
    public Http.Reply grant(LoopbackClient from, String username, String password, Map<String, String> headers) {
        return from.postForm(
                endpoints.tokenUrl(), TokenEndpoint.passwordForm(DemoRealm.CLI, username, password), headers);
    }

    /** A password grant with a one-time code in the {@code totp} parameter. */
    public Http.Reply grant(LoopbackClient from, String username, String password, String code) {
        Map<String, String> form = new LinkedHashMap<>(TokenEndpoint.passwordForm(DemoRealm.CLI, username, password));
        form.put("totp", code);
        return from.postForm(endpoints.tokenUrl(), form);
    }
}
