package dev.kcwarden.guard;

import static org.assertj.core.api.Assertions.assertThat;

import dev.kcwarden.testing.DemoRealm;
import dev.kcwarden.testing.Events;
import dev.kcwarden.testing.FormPage;
import dev.kcwarden.testing.GuardLimits;
import dev.kcwarden.testing.GuardedLogin;
import dev.kcwarden.testing.Http;
import dev.kcwarden.testing.LoopbackClient;
import dev.kcwarden.testing.SmtpSink;
import dev.kcwarden.testing.ThrottlePage;
import dev.kcwarden.testing.TokenEndpoint;
import dev.kcwarden.testing.Users;
import dev.kcwarden.testing.WardenApi;
import dev.kcwarden.testing.WardenServerConfig;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.keycloak.admin.client.Keycloak;
import org.keycloak.representations.idm.EventRepresentation;
import org.keycloak.representations.idm.RoleRepresentation;
import org.keycloak.representations.idm.UserRepresentation;
import org.keycloak.testframework.annotations.InjectAdminClient;
import org.keycloak.testframework.annotations.InjectRealm;
import org.keycloak.testframework.annotations.KeycloakIntegrationTest;
import org.keycloak.testframework.realm.ManagedRealm;

/**
 * The login guard where people meet it: the login page, the forgot-password page, and the admin API that shows and
 * clears a throttle.
 */
@KeycloakIntegrationTest(config = WardenServerConfig.class)
@DisplayName("Login guard in the browser flow, the reset-password flow and the admin API")
class BrowserGuardIT {

    static final int USER_IP_MAX = 4;
    static final int RESET_ACCOUNT_MAX = 3;
    static final int RESET_IP_MAX = 5;
    static final String WRONG = "not-the-password-1";
    static final String PASSWORD = "Guard-test-passphrase-1";

    @InjectRealm(fromJson = DemoRealm.JSON, config = DemoRealm.Offline.class)
    ManagedRealm realm;

    @InjectAdminClient
    Keycloak admin;

    private GuardedLogin login;
    private TokenEndpoint endpoints;

    @BeforeEach
    void limits() {
        login = GuardedLogin.browser(realm, PASSWORD, Map.of("warden.user-ip.max", String.valueOf(USER_IP_MAX)));
        endpoints = login.endpoints();
        GuardLimits.set(
                realm,
                GuardLimits.RESET_FLOW,
                GuardedResetChooseUserFactory.PROVIDER_ID,
                Map.of(
                        "warden.reset-account.max", String.valueOf(RESET_ACCOUNT_MAX),
                        "warden.reset-ip.max", String.valueOf(RESET_IP_MAX)));
    }

    private String loginPageUrl(String locale) {
        return login.loginPageUrl(locale);
    }

    private static Http.Reply submit(LoopbackClient browser, Http.Reply page, String username, String password) {
        return GuardedLogin.submit(browser, page, username, password);
    }

    private String user(String name, boolean withEmail) {
        UserRepresentation rep = Users.withPassword(name, PASSWORD);
        if (!withEmail) {
            rep.setEmail(null);
        }
        return login.user(rep);
    }

    @Test
    @DisplayName("login page: over the limit it comes back with status 429, Retry-After, a message saying when and "
            + "the countdown's seconds")
    void loginPageThrottled() {
        String alice = user("form-alice", true);
        LoopbackClient browser = new LoopbackClient("127.0.0.71");
        Http.Reply page = browser.get(loginPageUrl("en"), Map.of());
        assertThat(page.status()).isEqualTo(200);
        for (int i = 0; i < USER_IP_MAX; i++) {
            page = submit(browser, page, alice, WRONG);
            assertThat(page.status()).isNotEqualTo(429);
            assertThat(FormPage.text(page.body())).contains("Invalid username or password");
        }
        page = submit(browser, page, alice, PASSWORD);
        assertThat(page.status()).isEqualTo(429);
        assertThat(page.header("Retry-After")).matches("[1-9][0-9]*");
        assertThat(FormPage.text(page.body()))
                .contains("Too many failed sign-in attempts. Please try again in 15 minutes.")
                .doesNotContain("wardenLoginThrottled");
        assertThat(page.body()).as("the username is kept").contains("value=\"form-alice\"");
        ThrottlePage.assertCountdown(page);

        EventRepresentation event = Events.of(realm, "LOGIN_ERROR").max(20).newest();
        assertThat(event.getError()).isEqualTo("warden_throttled");
        assertThat(event.getDetails()).containsEntry("warden_limit", "user_ip");
    }

    @Test
    @DisplayName("login page in German: the message is localized")
    void loginPageThrottledInGerman() {
        String bob = user("form-bob", true);
        LoopbackClient browser = new LoopbackClient("127.0.0.72");
        Http.Reply page = browser.get(loginPageUrl("de"), Map.of());
        for (int i = 0; i <= USER_IP_MAX; i++) {
            page = submit(browser, page, bob, WRONG);
        }
        assertThat(page.status()).isEqualTo(429);
        assertThat(FormPage.text(page.body()))
                .contains("Zu viele fehlgeschlagene Anmeldeversuche. Bitte versuchen Sie es in 15 Minuten erneut.");
    }

    @Test
    @DisplayName("forgot password: requests per account are capped whether or not the account exists (no mail "
            + "bombing: exactly the limit's mails go out)")
    void resetPerAccount() {
        String carol = user("reset-carol", true);
        try (SmtpSink smtp = new SmtpSink()) {
            org.keycloak.representations.idm.RealmRepresentation rep =
                    realm.admin().toRepresentation();
            rep.setSmtpServer(smtp.realmSettings());
            realm.admin().update(rep);
            for (String name : List.of(carol, "reset-nobody")) {
                Http.Reply last = null;
                for (int i = 0; i <= RESET_ACCOUNT_MAX + 2; i++) {
                    // a fresh address each time: only the per-account limit can fire
                    last = requestReset(new LoopbackClient("127.0.1." + (i + (name.equals(carol) ? 10 : 20))), name);
                    if (i < RESET_ACCOUNT_MAX) {
                        assertThat(last.status()).as(last.body()).isEqualTo(200);
                        assertThat(FormPage.text(last.body())).contains("You should receive an email shortly");
                    } else {
                        assertThat(last.status())
                                .as("%s, request %d", name, i + 1)
                                .isEqualTo(429);
                    }
                }
                assertThat(last.header("Retry-After")).matches("[1-9][0-9]*");
                assertThat(FormPage.text(last.body()))
                        .contains("Too many password reset requests. Please try again in");
            }
            // Keycloak sends the mail inside the request, so every mail is in by now.
            assertThat(smtp.to(carol + "@example.com"))
                    .as("mails to the account: the limit, not one more")
                    .hasSize(RESET_ACCOUNT_MAX);
        } finally {
            org.keycloak.representations.idm.RealmRepresentation rep =
                    realm.admin().toRepresentation();
            rep.setSmtpServer(Map.of());
            realm.admin().update(rep);
        }
        EventRepresentation event =
                Events.of(realm, "RESET_PASSWORD_ERROR").max(20).newest();
        assertThat(event.getError()).isEqualTo("warden_throttled");
        assertThat(event.getDetails()).containsEntry("warden_limit", "reset_account");
    }

    @Test
    @DisplayName("forgot password: requests per address are capped across usernames; the refusal carries the "
            + "countdown's seconds")
    void resetPerIp() {
        LoopbackClient bomber = new LoopbackClient("127.0.1.50");
        for (int i = 0; i < RESET_IP_MAX; i++) {
            assertThat(requestReset(bomber, "target-" + i).status()).isEqualTo(200);
        }
        Http.Reply refused = requestReset(bomber, "target-new");
        assertThat(refused.status()).isEqualTo(429);
        ThrottlePage.assertCountdown(refused);
    }

    private Http.Reply requestReset(LoopbackClient browser, String username) {
        Http.Reply login = browser.get(loginPageUrl("en"), Map.of());
        String link = java.net
                .URI
                .create(realm.getBaseUrl())
                .resolve(FormPage.link(login.body(), "reset-credentials"))
                .toString();
        Http.Reply form = browser.get(link, Map.of());
        String action = FormPage.formAction(form.body(), "kc-reset-password-form");
        return browser.postForm(action, Map.of("username", username));
    }

    @Test
    @DisplayName("admin API: a realm admin with manage-users lists a block and clears it; the user gets in again")
    void adminListsAndClears() {
        String dave = user("form-dave", true);
        LoopbackClient browser = new LoopbackClient("127.0.0.73");
        Http.Reply page = browser.get(loginPageUrl("en"), Map.of());
        for (int i = 0; i <= USER_IP_MAX; i++) {
            page = submit(browser, page, dave, WRONG);
        }
        assertThat(page.status()).isEqualTo(429);

        String url = WardenApi.url(realm.getBaseUrl(), "throttles?username=") + dave + "&ip=127.0.0.73";
        String helpdesk = helpdeskToken();
        Http.Reply listed = Http.getWithBearer(url, helpdesk);
        assertThat(listed.status()).as(listed.body()).isEqualTo(200);
        assertThat(listed.json()).containsEntry("username", dave).containsEntry("ip", "127.0.0.73");
        @SuppressWarnings("unchecked")
        List<Map<String, Object>> limits =
                (List<Map<String, Object>>) listed.json().get("limits");
        assertThat(limits).anySatisfy(l -> {
            assertThat(l)
                    .containsEntry("limit", "user_ip")
                    .containsEntry("blocked", true)
                    .containsEntry("counted", USER_IP_MAX);
            assertThat((Integer) l.get("retryAfterSeconds")).isPositive();
        });

        Http.Reply cleared = Http.send("DELETE", url, helpdesk);
        assertThat(cleared.status()).as(cleared.body()).isEqualTo(200);
        assertThat(cleared.json().get("cleared")).asList().contains("user_ip");

        page = browser.get(loginPageUrl("en"), Map.of());
        page = submit(browser, page, dave, PASSWORD);
        assertThat(page.status()).isEqualTo(302);
        assertThat(page.header("Location")).startsWith("http://127.0.0.1/callback");
    }

    @Test
    @DisplayName("admin API: 401 without a token, 403 for a user without manage-users, 400 for bad input")
    void adminApiRefusesOthers() {
        String base = WardenApi.url(realm.getBaseUrl(), "throttles");
        Http.Reply anonymous = Http.get(base + "?ip=127.0.0.1", Map.of());
        assertThat(anonymous.status()).isEqualTo(401);

        String plainUser = user("form-plain", true);
        String token = TokenEndpoint.accessToken(endpoints.password(DemoRealm.CLI, plainUser, PASSWORD));
        assertThat(Http.getWithBearer(base + "?ip=127.0.0.1", token).status()).isEqualTo(403);
        assertThat(Http.send("DELETE", base + "?ip=127.0.0.1", token).status()).isEqualTo(403);

        String helpdesk = helpdeskToken();
        for (String query : List.of("", "?ip=not-an-ip", "?ip=example.com", "?username=" + "x".repeat(300))) {
            Http.Reply bad = Http.getWithBearer(base + query, helpdesk);
            assertThat(bad.status()).as(query).isEqualTo(400);
            assertThat(bad.json()).containsEntry("error", "invalid_request").containsKey("error_description");
        }
        assertThat(Http.getWithBearer(
                                base + "?ip=2001:db8::1", admin.tokenManager().getAccessTokenString())
                        .json())
                .containsEntry("ip", "2001:db8::/64");
    }

    /** A user of the realm itself with realm-management's manage-users role, as a help desk would have. */
    private String helpdeskToken() {
        return tokenWithRealmManagementRole("manage-users");
    }

    /** A user of the realm with one realm-management role, signed in through admin-cli. */
    private String tokenWithRealmManagementRole(String role) {
        String name = "rm-" + role + "-" + System.nanoTime();
        String id = Users.create(realm, Users.withPassword(name, PASSWORD));
        String rm = realm.admin()
                .clients()
                .findByClientId("realm-management")
                .get(0)
                .getId();
        RoleRepresentation granted =
                realm.admin().clients().get(rm).roles().get(role).toRepresentation();
        realm.admin().users().get(id).roles().clientLevel(rm).add(List.of(granted));
        // admin-cli: the realm's own admin client, whose tokens carry the user's realm-management roles
        return TokenEndpoint.accessToken(endpoints.password("admin-cli", name, PASSWORD));
    }

    @Test
    @DisplayName("admin API: a user with view-users only may list but not clear; a full admin of another realm can "
            + "do neither")
    void adminApiRefusesOtherAdmins() {
        String base = WardenApi.url(realm.getBaseUrl(), "throttles?ip=127.0.0.1");
        String viewer = tokenWithRealmManagementRole("view-users");
        assertThat(Http.getWithBearer(base, viewer).status())
                .as("view-users: list")
                .isEqualTo(200);
        assertThat(Http.send("DELETE", base, viewer).status())
                .as("view-users: clear")
                .isEqualTo(403);

        org.keycloak.representations.idm.RealmRepresentation other =
                new org.keycloak.representations.idm.RealmRepresentation();
        other.setRealm("warden-other");
        other.setEnabled(true);
        if (admin.realms().findAll().stream().anyMatch(r -> "warden-other".equals(r.getRealm()))) {
            admin.realm("warden-other").remove(); // left over by an aborted run on a reused server
        }
        admin.realms().create(other);
        try {
            org.keycloak.admin.client.resource.RealmResource otherRealm = admin.realm("warden-other");
            jakarta.ws.rs.core.Response created =
                    otherRealm.users().create(Users.withPassword("other-admin", PASSWORD));
            String id = org.keycloak.admin.client.CreatedResponseUtil.getCreatedId(created);
            String rm = otherRealm
                    .clients()
                    .findByClientId("realm-management")
                    .get(0)
                    .getId();
            RoleRepresentation realmAdmin =
                    otherRealm.clients().get(rm).roles().get("realm-admin").toRepresentation();
            otherRealm.users().get(id).roles().clientLevel(rm).add(List.of(realmAdmin));
            String otherToken = TokenEndpoint.accessToken(Http.postForm(
                    realm.getBaseUrl().replace("/realms/" + DemoRealm.NAME, "/realms/warden-other")
                            + "/protocol/openid-connect/token",
                    TokenEndpoint.passwordForm("admin-cli", "other-admin", PASSWORD)));
            assertThat(Http.getWithBearer(base, otherToken).status())
                    .as("another realm's admin: list")
                    .isIn(401, 403);
            assertThat(Http.send("DELETE", base, otherToken).status())
                    .as("another realm's admin: clear")
                    .isIn(401, 403);
        } finally {
            admin.realm("warden-other").remove();
        }
    }
}
