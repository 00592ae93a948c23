package dev.kcwarden.guard;

import static org.assertj.core.api.Assertions.assertThat;

import dev.kcwarden.GuardMode;
import dev.kcwarden.WardenEvents;
import dev.kcwarden.testing.AuditLines;
import dev.kcwarden.testing.Await;
import dev.kcwarden.testing.BrowserLogin;
import dev.kcwarden.testing.DemoRealm;
import dev.kcwarden.testing.Events;
import dev.kcwarden.testing.FormPage;
import dev.kcwarden.testing.GuardLimits;
import dev.kcwarden.testing.Http;
import dev.kcwarden.testing.LoopbackClient;
import dev.kcwarden.testing.Pkce;
import dev.kcwarden.testing.SmtpSink;
import dev.kcwarden.testing.TokenEndpoint;
import dev.kcwarden.testing.Users;
import dev.kcwarden.testing.WardenServerConfig;
import java.nio.file.Files;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.keycloak.representations.idm.EventRepresentation;
import org.keycloak.representations.idm.UserRepresentation;
import org.keycloak.representations.userprofile.config.UPConfig;
import org.keycloak.testframework.annotations.InjectRealm;
import org.keycloak.testframework.annotations.KeycloakIntegrationTest;
import org.keycloak.testframework.realm.ManagedRealm;
import org.keycloak.util.JsonSerialization;

/**
 * The new-device alert on the real server, with the realm's mail going to a local SMTP sink: no mail for an account's
 * first login, one mail for a login from an address the account had not used, none for a known address or with the
 * option off; the mail carries none of the login's tokens, and the LOGIN event and its audit line say
 * {@code warden_new_device}.
 */
@KeycloakIntegrationTest(config = WardenServerConfig.class)
@DisplayName("New-device alert: one mail for a new address, none for the first login, a known address or option off")
class NewDeviceAlertIT {

    static final String PASSWORD = "New-device-passphrase-7";
    /** Long enough for a mail queued after commit to reach the sink, so "no mail" means none was sent. */
    static final long QUIET_MILLIS = 2_000;

    @InjectRealm(fromJson = DemoRealm.JSON, config = DemoRealm.Offline.class)
    ManagedRealm realm;

    private SmtpSink smtp;

    @BeforeEach
    void setUp() {
        smtp = SmtpSink.forWardenMail(realm);
        alerts(true);
    }

    @AfterEach
    void tearDown() {
        alerts(false);
        GuardLimits.set(
                realm,
                GuardLimits.DIRECT_GRANT_FLOW,
                GuardedDirectGrantFactory.PROVIDER_ID,
                Map.of(GuardConfig.KNOWN_DEVICES, "", GuardMode.PROPERTY, "enforce", "warden.user-ip.max", "10"));
        GuardLimits.set(
                realm,
                GuardLimits.BROWSER_FLOW,
                GuardedPasswordFormFactory.PROVIDER_ID,
                Map.of(GuardConfig.NEW_DEVICE_ALERT, "false"));
        smtp.close();
    }

    private void alerts(boolean on) {
        alerts(Map.of(GuardConfig.NEW_DEVICE_ALERT, String.valueOf(on), "warden.ip.max", "1000"));
    }

    private void alerts(Map<String, String> directGrant) {
        GuardLimits.set(realm, GuardLimits.DIRECT_GRANT_FLOW, GuardedDirectGrantFactory.PROVIDER_ID, directGrant);
    }

    private Http.Reply login(String from, String username, String userAgent) {
        Http.Reply reply = new LoopbackClient(from)
                .postForm(
                        tokenUrl(),
                        TokenEndpoint.passwordForm(DemoRealm.CLI, username, PASSWORD),
                        userAgent == null ? Map.of() : Map.of("User-Agent", userAgent));
        assertThat(reply.status()).as(reply.body()).isEqualTo(200);
        return reply;
    }

    private String tokenUrl() {
        return realm.getBaseUrl() + "/protocol/openid-connect/token";
    }

    /** The mail's text with quoted-printable soft breaks and escapes undone, as a reader sees it. */
    private static String readable(SmtpSink.Mail mail) {
        return mail.data().replace("=\r\n", "").replace("=\n", "").replace("=3D", "=");
    }

    private List<SmtpSink.Mail> quietly(String address) throws InterruptedException {
        Thread.sleep(QUIET_MILLIS);
        return smtp.to(address);
    }

    @Test
    @DisplayName("first login: no mail; a new address: one mail without the login's tokens; same address again: none")
    void newAddressMailsOnce() throws Exception {
        String name = "nd-once";
        String email = name + "@example.com";
        String userId = Users.create(realm, Users.withPassword(name, PASSWORD));

        login("127.0.9.1", name, null);
        assertThat(quietly(email)).as("the account's first login").isEmpty();
        login("127.0.9.1", name, null);
        assertThat(quietly(email)).as("a login from the first address again").isEmpty();

        long logStart = Files.exists(WardenServerConfig.LOG_FILE) ? Files.size(WardenServerConfig.LOG_FILE) : 0;
        String agent = "Mozilla/5.0 <script>alert(1)</script>\r\nBcc: evil@example.com\u202e" + "x".repeat(300);
        Http.Reply fresh = login("127.0.9.2", name, agent);
        List<SmtpSink.Mail> mails = dev.kcwarden.testing.Await.until(
                "the new-device mail", java.time.Duration.ofSeconds(15), () -> smtp.to(email), m -> !m.isEmpty());
        assertThat(quietly(email)).as("exactly one mail").hasSize(1);
        String body = readable(mails.get(0));
        assertThat(body)
                .contains("127.0.9.2")
                .contains("UTC")
                .contains("/realms/" + DemoRealm.NAME + "/account/account-security/device-activity")
                .contains("Mozilla/5.0")
                .doesNotContain("Approximately") // no GeoIP file on this server: no place line
                .doesNotContain("<script>")
                .doesNotContain("Bcc: evil")
                .doesNotContain("x".repeat(200))
                .doesNotContain(PASSWORD)
                .doesNotContain(String.valueOf(fresh.json().get("access_token")))
                .doesNotContain(String.valueOf(fresh.json().get("refresh_token")));
        for (Object token :
                List.of(fresh.json().get("access_token"), fresh.json().get("refresh_token"))) {
            String signature =
                    String.valueOf(token).substring(String.valueOf(token).lastIndexOf('.') + 1);
            assertThat(body).as("a token's signature").doesNotContain(signature);
        }

        EventRepresentation event =
                Events.of(realm, "LOGIN").user(userId).max(1).newest();
        assertThat(event.getIpAddress()).isEqualTo("127.0.9.2");
        assertThat(event.getDetails()).containsEntry(WardenEvents.NEW_DEVICE, "true");
        String line = AuditLines.await(WardenServerConfig.LOG_FILE, logStart, WardenEvents.NEW_DEVICE);
        assertThat(line).contains("LOGIN").doesNotContain(PASSWORD);

        login("127.0.9.2", name, agent);
        assertThat(quietly(email)).as("the second login from the new address").hasSize(1);
        EventRepresentation again =
                Events.of(realm, "LOGIN").user(userId).max(1).newest();
        assertThat(again.getDetails()).doesNotContainKey(WardenEvents.NEW_DEVICE);
    }

    @Test
    @DisplayName("option off: a login from a new address sends no mail and marks no event")
    void optionOffSendsNothing() throws Exception {
        String name = "nd-off";
        String email = name + "@example.com";
        String userId = Users.create(realm, Users.withPassword(name, PASSWORD));
        login("127.0.9.11", name, null);
        alerts(false);
        login("127.0.9.12", name, null);
        assertThat(quietly(email)).isEmpty();
        assertThat(Events.of(realm, "LOGIN").user(userId).max(1).newest().getDetails())
                .doesNotContainKey(WardenEvents.NEW_DEVICE);
    }

    // --- helpers for the tests below ---

    private Http.Reply grant(String from, String username, String password) {
        return grant(from, DemoRealm.CLI, username, password);
    }

    private Http.Reply grant(String from, String clientId, String username, String password) {
        return new LoopbackClient(from).postForm(tokenUrl(), TokenEndpoint.passwordForm(clientId, username, password));
    }

    /** Waits until {@code count} mails reached {@code address}, then a quiet while, and says how many there are. */
    private int mailsAfter(String address, int count) throws InterruptedException {
        if (count > 0) {
            Await.until("mail " + count, Duration.ofSeconds(15), () -> smtp.to(address), m -> m.size() >= count);
        }
        return quietly(address).size();
    }

    private Http.Reply formLogin(LoopbackClient browser, String username) {
        String url = new TokenEndpoint(realm.getBaseUrl())
                .authorizationUrl(DemoRealm.SPA, "http://127.0.0.1/callback", Pkce.newVerifier(), "s");
        Http.Reply page = browser.get(url, Map.of());
        assertThat(page.status()).as("the login page, not an SSO redirect").isEqualTo(200);
        String action = FormPage.formAction(page.body(), "kc-form-login");
        Http.Reply reply =
                browser.postForm(action, Map.of("username", username, "password", PASSWORD, "credentialId", ""));
        assertThat(reply.status()).as(FormPage.text(reply.body())).isEqualTo(302);
        assertThat(reply.header("Location")).contains("code=");
        return reply;
    }

    private void browserAlerts() {
        GuardLimits.set(
                realm,
                GuardLimits.BROWSER_FLOW,
                GuardedPasswordFormFactory.PROVIDER_ID,
                Map.of(GuardConfig.NEW_DEVICE_ALERT, "true", "warden.ip.max", "1000"));
    }

    private String seen(String userId) {
        Map<String, List<String>> attributes =
                realm.admin().users().get(userId).toRepresentation().getAttributes();
        List<String> values = attributes == null ? null : attributes.get(NewDeviceAlert.SEEN);
        return values == null || values.isEmpty() ? null : values.get(0);
    }

    // --- how many devices are remembered (warden.known-devices) ---

    @Test
    @DisplayName("warden.known-devices=1: a second address pushes the first out, so the first mails again; the "
            + "default 16 keeps both")
    void knownDevicesCount() throws Exception {
        alerts(Map.of(GuardConfig.NEW_DEVICE_ALERT, "true", "warden.ip.max", "1000", GuardConfig.KNOWN_DEVICES, "1"));
        String name = "nd-one";
        String email = name + "@example.com";
        Users.create(realm, Users.withPassword(name, PASSWORD));
        login("127.0.9.21", name, null);
        login("127.0.9.21", name, null);
        assertThat(mailsAfter(email, 0))
                .as("first login, then the same address")
                .isZero();
        login("127.0.9.22", name, null);
        assertThat(mailsAfter(email, 1)).as("a second address").isEqualTo(1);
        login("127.0.9.21", name, null);
        assertThat(mailsAfter(email, 2))
                .as("the first address, forgotten with one place")
                .isEqualTo(2);
        login("127.0.9.21", name, null);
        assertThat(mailsAfter(email, 2))
                .as("the first address, remembered again")
                .isEqualTo(2);

        // The default: 16 places, picked by a keyed hash of the address, so two addresses share one with a chance of
        // 1 in 16 (the documented limit). Of four second addresses, at least one must leave the first remembered;
        // with a single place none would (chance of four collisions at 16 places: 1 in 65,536).
        alerts(Map.of(GuardConfig.NEW_DEVICE_ALERT, "true", "warden.ip.max", "1000", GuardConfig.KNOWN_DEVICES, ""));
        boolean kept = false;
        for (int i = 0; i < 4 && !kept; i++) {
            String other = "nd-keep-" + i;
            Users.create(realm, Users.withPassword(other, PASSWORD));
            login("127.0.9.31", other, null);
            login("127.0.9.3" + (2 + i), other, null);
            assertThat(mailsAfter(other + "@example.com", 1))
                    .as("a second address")
                    .isEqualTo(1);
            login("127.0.9.31", other, null);
            kept = mailsAfter(other + "@example.com", 1) == 1;
        }
        assertThat(kept)
                .as("the default remembers the first address after a second one")
                .isTrue();
    }

    // --- the first-login marker cannot be removed by the user ---

    @Test
    @DisplayName("unmanaged attributes ENABLED: the user deletes or overwrites warden.seen through the account REST "
            + "API; it stays, and the next new address still mails")
    void userCannotRemoveTheMarker() throws Exception {
        var profile = realm.admin().users().userProfile();
        UPConfig original = profile.getConfiguration();
        UPConfig open = profile.getConfiguration();
        open.setUnmanagedAttributePolicy(UPConfig.UnmanagedAttributePolicy.ENABLED);
        profile.update(open);
        // A token the account REST API takes (audience account): the demo clients carry no account roles, so the
        // account console itself asks, with the direct grant allowed for this test.
        var console = realm.admin().clients().findByClientId("account-console").get(0);
        console.setDirectAccessGrantsEnabled(true);
        realm.admin().clients().get(console.getId()).update(console);
        try {
            String name = "nd-tamper";
            String email = name + "@example.com";
            String userId = Users.create(realm, Users.withPassword(name, PASSWORD));
            Http.Reply first = grant("127.0.9.41", "account-console", name, PASSWORD);
            assertThat(first.status()).as(first.body()).isEqualTo(200);
            String marker = seen(userId);
            assertThat(marker).as("set by the first login").isNotNull();
            String token = String.valueOf(first.json().get("access_token"));
            String account = realm.getBaseUrl() + "/account/";

            // Accept: the account console's REST API, not its page
            Http.Reply mine =
                    Http.get(account, Map.of("Authorization", "Bearer " + token, "Accept", "application/json"));
            assertThat(mine.status()).as(mine.body()).isEqualTo(200);
            assertThat(mine.body()).as("the user does not even see it").doesNotContain(NewDeviceAlert.SEEN);
            UserRepresentation rep = JsonSerialization.readValue(mine.body(), UserRepresentation.class);
            for (List<String> attempt : List.of(List.<String>of(), List.of(""), List.of("9999999999"))) {
                Map<String, List<String>> attributes =
                        new java.util.HashMap<>(rep.getAttributes() == null ? Map.of() : rep.getAttributes());
                attributes.put(NewDeviceAlert.SEEN, attempt);
                attributes.put("nickname", List.of("tampered")); // an unmanaged attribute the user may write
                rep.setAttributes(attributes);
                Http.Reply update = Http.sendJson("POST", account, token, JsonSerialization.writeValueAsString(rep));
                assertThat(seen(userId))
                        .as("after %s (HTTP %d %s)", attempt, update.status(), update.body())
                        .isEqualTo(marker);
            }
            rep.setAttributes(Map.of());
            Http.sendJson("POST", account, token, JsonSerialization.writeValueAsString(rep));
            assertThat(seen(userId)).as("after sending no attributes at all").isEqualTo(marker);

            login("127.0.9.42", name, null);
            assertThat(mailsAfter(email, 1))
                    .as("the next new address still mails")
                    .isEqualTo(1);
        } finally {
            console.setDirectAccessGrantsEnabled(false);
            realm.admin().clients().get(console.getId()).update(console);
            profile.update(original);
        }
    }

    @Test
    @DisplayName("self-registration marks the account: the first login from another device after sign-up mails")
    void signUpCountsAsTheFirstLogin() throws Exception {
        String name = "nd-signup";
        String email = name + "@example.com";
        Http.Reply registered = BrowserLogin.register(
                new LoopbackClient("127.0.9.51"),
                new TokenEndpoint(realm.getBaseUrl()),
                "http://127.0.0.1/callback",
                Pkce.newVerifier(),
                BrowserLogin.registrationForm(name, email, "New", "Device", PASSWORD));
        assertThat(registered.status()).as(FormPage.text(registered.body())).isEqualTo(302);
        String userId = realm.admin().users().search(name, true).get(0).getId();
        assertThat(seen(userId)).as("marked at sign-up").isNotNull();

        // The demo realm does not verify addresses at sign-up: anyone could have typed this one in, so no mail.
        login("127.0.9.52", name, null);
        assertThat(mailsAfter(email, 0))
                .as("another device, the address not verified")
                .isZero();

        UserRepresentation user = realm.admin().users().get(userId).toRepresentation();
        user.setEmailVerified(true); // as the link in a verification mail would
        realm.admin().users().get(userId).update(user);
        login("127.0.9.53", name, null);
        assertThat(mailsAfter(email, 1))
                .as("another device after sign-up, the address verified")
                .isEqualTo(1);
    }

    @Test
    @DisplayName("at most three mails an hour per account, however many new addresses log in; the event still says so")
    void mailsPerHourCapped() throws Exception {
        String name = "nd-flood";
        String email = name + "@example.com";
        String userId = Users.create(realm, Users.withPassword(name, PASSWORD));
        login("127.0.9.70", name, null); // the first login ever: no mail
        for (int i = 1; i <= 5; i++) {
            login("127.0.9." + (70 + i), name, null);
        }
        assertThat(mailsAfter(email, 3)).as("five new addresses in a row").isEqualTo(3);
        assertThat(Events.of(realm, "LOGIN").user(userId).max(10).list())
                .filteredOn(e -> "true".equals(e.getDetails().get("warden_new_device")))
                .hasSize(5);
    }

    // --- the browser ---

    @Test
    @DisplayName("browser: first login no mail; a second browser one mail without code, cookie or password; the "
            + "same browser again none")
    void browserLogins() throws Exception {
        browserAlerts();
        String name = "nd-browser";
        String email = name + "@example.com";
        Users.create(realm, Users.withPassword(name, PASSWORD));
        LoopbackClient laptop = new LoopbackClient("127.0.9.61");
        formLogin(laptop, name);
        assertThat(mailsAfter(email, 0)).as("the first browser login ever").isZero();

        LoopbackClient phone = new LoopbackClient("127.0.9.62");
        Http.Reply signedIn = formLogin(phone, name);
        assertThat(mailsAfter(email, 1))
                .as("a browser without the device cookie")
                .isEqualTo(1);
        String raw = smtp.to(email).get(0).data();
        String code = signedIn.header("Location").replaceAll(".*[?&]code=([^&]+).*", "$1");
        List<String> secrets = new java.util.ArrayList<>(List.of(PASSWORD, code));
        for (String cookie :
                List.of(KnownDevice.COOKIE, "KEYCLOAK_IDENTITY", "KEYCLOAK_SESSION", "AUTH_SESSION_ID", "KC_RESTART")) {
            for (LoopbackClient browser : List.of(laptop, phone)) {
                String value = browser.cookie(cookie);
                if (value != null && value.length() >= 8) {
                    secrets.add(value);
                }
            }
        }
        assertThat(phone.cookie(KnownDevice.COOKIE))
                .as("the second browser is now known")
                .isNotNull();
        assertThat(secrets).hasSizeGreaterThan(3);
        for (String secret : secrets) {
            String tail = secret.substring(Math.max(0, secret.length() - 16));
            assertThat(raw).as("the raw MIME").doesNotContain(secret).doesNotContain(tail);
            assertThat(readable(smtp.to(email).get(0))).doesNotContain(secret).doesNotContain(tail);
        }
        assertThat(readable(smtp.to(email).get(0))).contains("127.0.9.62");

        LoopbackClient phoneLater = phone.from("127.0.9.62");
        phoneLater.forgetCookiesExcept(KnownDevice.COOKIE);
        formLogin(phoneLater, name);
        assertThat(mailsAfter(email, 1)).as("the same browser again").isEqualTo(1);
    }

    // --- monitor mode ---

    @Test
    @DisplayName("monitor mode: a login the limit would have refused still mails from a new address")
    void monitorModeStillAlerts() throws Exception {
        alerts(Map.of(
                GuardConfig.NEW_DEVICE_ALERT,
                "true",
                "warden.ip.max",
                "1000",
                GuardMode.PROPERTY,
                "monitor",
                "warden.user-ip.max",
                "1"));
        String name = "nd-monitor";
        String email = name + "@example.com";
        String userId = Users.create(realm, Users.withPassword(name, PASSWORD));
        assertThat(grant("127.0.9.71", name, PASSWORD).status()).isEqualTo(200);
        for (int i = 0; i < 3; i++) {
            assertThat(grant("127.0.9.72", name, "wrong-" + i).status()).isEqualTo(400);
        }
        Http.Reply through = grant("127.0.9.72", name, PASSWORD);
        assertThat(through.status()).as(through.body()).isEqualTo(200);
        assertThat(mailsAfter(email, 1))
                .as("the would-be refused login from a new address")
                .isEqualTo(1);
        EventRepresentation event =
                Events.of(realm, "LOGIN").user(userId).max(1).newest();
        assertThat(event.getDetails())
                .containsEntry(WardenEvents.NEW_DEVICE, "true")
                .containsEntry(WardenEvents.WOULD_THROTTLE, "user_ip");
    }
}
