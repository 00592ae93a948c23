package dev.kcwarden.guard;

import static org.assertj.core.api.Assertions.assertThat;

import dev.kcwarden.WardenEvents;
import dev.kcwarden.testing.AuditLines;
import dev.kcwarden.testing.DemoRealm;
import dev.kcwarden.testing.Events;
import dev.kcwarden.testing.GuardLimits;
import dev.kcwarden.testing.Http;
import dev.kcwarden.testing.LoopbackClient;
import dev.kcwarden.testing.SmtpSink;
import dev.kcwarden.testing.Users;
import dev.kcwarden.testing.WardenServerConfig;
import java.nio.file.Files;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.keycloak.representations.idm.EventRepresentation;
import org.keycloak.representations.idm.RealmRepresentation;
import org.keycloak.testframework.annotations.InjectRealm;
import org.keycloak.testframework.annotations.KeycloakIntegrationTest;
import org.keycloak.testframework.realm.ManagedRealm;

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
        smtp = new SmtpSink();
        RealmRepresentation rep = realm.admin().toRepresentation();
        rep.setSmtpServer(smtp.realmSettings());
        rep.setEmailTheme("warden");
        realm.admin().update(rep);
        alerts(true);
    }

    @AfterEach
    void tearDown() {
        alerts(false);
        smtp.close();
    }

    private void alerts(boolean on) {
        GuardLimits.set(
                realm,
                GuardLimits.DIRECT_GRANT_FLOW,
                GuardedDirectGrantFactory.PROVIDER_ID,
                Map.of(GuardConfig.NEW_DEVICE_ALERT, String.valueOf(on), "warden.ip.max", "1000"));
    }

    private Http.Reply login(String from, String username, String userAgent) {
        Map<String, String> form = new LinkedHashMap<>();
        form.put("grant_type", "password");
        form.put("client_id", DemoRealm.CLI);
        form.put("username", username);
        form.put("password", PASSWORD);
        Http.Reply reply = new LoopbackClient(from)
                .postForm(tokenUrl(), form, userAgent == null ? Map.of() : Map.of("User-Agent", userAgent));
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
}
