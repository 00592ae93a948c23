package dev.kcwarden.guard;

import static org.assertj.core.api.Assertions.assertThat;

import dev.kcwarden.testing.Await;
import dev.kcwarden.testing.DemoRealm;
import dev.kcwarden.testing.GeoServerConfig;
import dev.kcwarden.testing.GuardLimits;
import dev.kcwarden.testing.Http;
import dev.kcwarden.testing.LoopbackClient;
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
import org.keycloak.testframework.annotations.InjectRealm;
import org.keycloak.testframework.annotations.KeycloakIntegrationTest;
import org.keycloak.testframework.realm.ManagedRealm;

/**
 * The new-device mail on a server started with a GeoIP file ({@link GeoServerConfig}): a login from an address the file
 * names shows its approximate place, cleaned of markup and control characters; an address the file leaves unknown shows
 * none; the file's bad row is logged with its line number and the server runs. NewDeviceAlertIT shows the mail without
 * the option: no place line.
 */
@KeycloakIntegrationTest(config = GeoServerConfig.class)
@DisplayName("New-device alert with a GeoIP file: the approximate place when the file names the address")
class GeoPlaceAlertIT {

    static final String PASSWORD = "Geo-place-passphrase-7";

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
        smtp.close();
    }

    private void alerts(boolean on) {
        GuardLimits.set(
                realm,
                GuardLimits.DIRECT_GRANT_FLOW,
                GuardedDirectGrantFactory.PROVIDER_ID,
                Map.of(GuardConfig.NEW_DEVICE_ALERT, String.valueOf(on), "warden.ip.max", "1000"));
    }

    private void login(String from, String username) {
        Http.Reply reply = new LoopbackClient(from)
                .postForm(
                        realm.getBaseUrl() + "/protocol/openid-connect/token",
                        TokenEndpoint.passwordForm(DemoRealm.CLI, username, PASSWORD),
                        Map.of());
        assertThat(reply.status()).as(reply.body()).isEqualTo(200);
    }

    /** The n-th mail to {@code email} (1-based), as a reader sees it (quoted-printable undone). */
    private String mail(String email, int n) {
        List<SmtpSink.Mail> mails =
                Await.until("mail " + n, Duration.ofSeconds(15), () -> smtp.to(email), m -> m.size() >= n);
        return mails.get(n - 1).data().replace("=\r\n", "").replace("=\n", "").replace("=3D", "=");
    }

    @Test
    @DisplayName("a named address shows 'Approximately: City, Region, Country'; markup is cleaned; ZZ shows nothing")
    void placeInMail() throws Exception {
        String name = "geo-place";
        String email = name + "@example.com";
        Users.create(realm, Users.withPassword(name, PASSWORD));
        login("127.0.9.51", name); // the first login: no mail

        login(GeoServerConfig.PLACED_ADDRESS, name);
        String placed = mail(email, 1);
        assertThat(placed)
                .contains(GeoServerConfig.PLACED_ADDRESS)
                .contains("Approximately: " + GeoServerConfig.PLACE)
                .doesNotContain("Overlapping")
                .doesNotContain("53.55");

        login(GeoServerConfig.MARKUP_ADDRESS, name);
        String markup = mail(email, 2);
        assertThat(markup)
                .contains("Approximately: " + GeoServerConfig.MARKUP_PLACE)
                .doesNotContain("<b>")
                .doesNotContain("&lt;b&gt;")
                .doesNotContain("\u202e");

        login(GeoServerConfig.UNKNOWN_ADDRESS, name);
        String unknown = mail(email, 3);
        assertThat(unknown).contains(GeoServerConfig.UNKNOWN_ADDRESS).doesNotContain("Approximately");

        String log = Files.readString(WardenServerConfig.LOG_FILE);
        assertThat(log)
                .contains("GeoIP file " + GeoServerConfig.FILE + ": skipped 1 bad rows; the first is line "
                        + GeoServerConfig.BAD_LINE)
                .doesNotContain("GeoPlaces.java:"); // no stack trace
    }
}
