package dev.kcwarden.guard;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.kcwarden.signup.EmailDomainValidator;
import dev.kcwarden.testing.AuditLines;
import dev.kcwarden.testing.BrowserLogin;
import dev.kcwarden.testing.DemoRealm;
import dev.kcwarden.testing.Events;
import dev.kcwarden.testing.FormPage;
import dev.kcwarden.testing.GuardedLogin;
import dev.kcwarden.testing.Http;
import dev.kcwarden.testing.LoopbackClient;
import dev.kcwarden.testing.Metrics;
import dev.kcwarden.testing.Pkce;
import dev.kcwarden.testing.ThrottlePage;
import dev.kcwarden.testing.TokenEndpoint;
import dev.kcwarden.testing.Totp;
import dev.kcwarden.testing.Users;
import dev.kcwarden.testing.WardenServerConfig;
import jakarta.ws.rs.BadRequestException;
import java.nio.file.Files;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.keycloak.representations.idm.EventRepresentation;
import org.keycloak.representations.userprofile.config.UPConfig;
import org.keycloak.testframework.annotations.InjectRealm;
import org.keycloak.testframework.annotations.KeycloakIntegrationTest;
import org.keycloak.testframework.realm.ManagedRealm;

/**
 * Monitor mode ({@code warden.mode=monitor}) on the real server: nothing is refused, every would-be refusal is in the
 * event, the audit line and the metrics, and switching back to enforce refuses where enforce would have.
 */
@KeycloakIntegrationTest(config = WardenServerConfig.class)
@DisplayName("Monitor mode: nothing refused, every would-be refusal recorded, enforce refuses again at once")
class MonitorModeIT {

    static final int USER_IP_MAX = 3;
    static final String PASSWORD = "Monitor-test-passphrase-1";
    static final String REDIRECT = "http://127.0.0.1/callback";
    static final String TOTP_SECRET = "warden-monitor-test-totp-secret-1";

    @InjectRealm(fromJson = DemoRealm.JSON, config = DemoRealm.Offline.class)
    ManagedRealm realm;

    private Http.Reply login(LoopbackClient from, TokenEndpoint endpoints, String username, String password) {
        return from.postForm(endpoints.tokenUrl(), TokenEndpoint.passwordForm(DemoRealm.CLI, username, password));
    }

    private void directGrantMode(String mode) {
        GuardedLogin.directGrant(
                realm, PASSWORD, Map.of("warden.user-ip.max", String.valueOf(USER_IP_MAX), "warden.mode", mode));
    }

    /**
     * The browser flow's guarded password form (and the one-time-code step, which shares its configuration) in
     * {@code mode}, with the proof-of-work step-up asked for at half the limit: monitor mode must keep it off too.
     */
    private GuardedLogin browserMode(String mode) {
        return GuardedLogin.browser(
                realm,
                PASSWORD,
                Map.of(
                        "warden.user-ip.max",
                        String.valueOf(USER_IP_MAX),
                        "warden.pow.threshold",
                        "50%",
                        "warden.mode",
                        mode));
    }

    private static long logSize() throws java.io.IOException {
        return Files.exists(WardenServerConfig.LOG_FILE) ? Files.size(WardenServerConfig.LOG_FILE) : 0;
    }

    private static String sample(String metric) {
        return metric + "{limit=\"user_ip\",realm=\"" + DemoRealm.NAME + "\"}";
    }

    private static boolean loggedIn(Http.Reply reply) {
        return reply.status() == 302 && reply.header("Location").contains("code=");
    }

    private static void assertEnforced(Http.Reply reply) {
        assertThat(reply.status()).as(FormPage.text(reply.body())).isEqualTo(429);
        assertThat(reply.header("Retry-After")).matches("[1-9][0-9]*");
        assertThat(FormPage.text(reply.body())).contains("Too many failed sign-in attempts");
        ThrottlePage.assertCountdown(reply);
    }

    /**
     * Each of {@code attempts} failures of {@code userId} from {@code ip} went to Keycloak's check and was refused by
     * it alone; those past the limit, and only those, name it as {@code warden_would_throttle} in the event and the
     * audit line.
     */
    private void assertRecordedNotRefused(String userId, String ip, int attempts, long logStart) {
        List<EventRepresentation> errors =
                Events.of(realm, "LOGIN_ERROR").user(userId).ip(ip).list();
        assertThat(errors)
                .hasSize(attempts)
                .allSatisfy(e -> assertThat(e.getError()).isEqualTo("invalid_user_credentials"));
        assertThat(errors)
                .filteredOn(e -> e.getDetails() != null
                        && "user_ip".equals(e.getDetails().get("warden_would_throttle")))
                .as("each attempt past the limit, and only those")
                .hasSize(attempts - USER_IP_MAX);
        assertThat(errors)
                .filteredOn(e -> e.getDetails() != null && e.getDetails().containsKey("warden_limit"))
                .as("nothing refused")
                .isEmpty();
        assertThat(AuditLines.awaitCount(
                        WardenServerConfig.LOG_FILE,
                        logStart,
                        attempts - USER_IP_MAX,
                        "\"type\":\"LOGIN_ERROR\"",
                        "\"userId\":\"" + userId + "\"",
                        "\"warden_would_throttle\":\"user_ip\""))
                .as("audit lines")
                .hasSize(attempts - USER_IP_MAX);
    }

    /** The refusal enforce made is a LOGIN_ERROR event from {@code ip} naming the limit. */
    private void assertRefused(String ip) {
        assertThat(Events.of(realm, "LOGIN_ERROR").ip(ip).max(10).list())
                .anySatisfy(e -> assertThat(e.getDetails()).containsEntry("warden_limit", "user_ip"));
    }

    /** The refusal's event names the account too, so it is found by user like the account's other events. */
    private void assertRefusedForUser(String ip, String userId) {
        assertThat(Events.of(realm, "LOGIN_ERROR").ip(ip).max(10).list()).anySatisfy(e -> {
            assertThat(e.getDetails()).containsEntry("warden_limit", "user_ip");
            assertThat(e.getUserId()).isEqualTo(userId);
        });
    }

    private static double delta(Map<String, Double> before, Map<String, Double> after, String sample) {
        return after.getOrDefault(sample, 0.0) - before.getOrDefault(sample, 0.0);
    }

    @Test
    @DisplayName("direct grant in monitor mode: Keycloak's 400 for every wrong password past the limit, the limit "
            + "named in event, audit line and metric, the owner logs in; enforce then answers 429")
    void directGrant() throws Exception {
        TokenEndpoint endpoints = new TokenEndpoint(realm.getBaseUrl());
        String name = "monitor-alice";
        String userId = Users.create(realm, Users.withPassword(name, PASSWORD));
        directGrantMode(" Monitor ");
        long logStart = logSize();
        String wouldThrottle = sample("warden_would_throttle_total");
        String throttled = sample("warden_throttle_rejections_total");
        Map<String, Double> before = Metrics.scrape();

        LoopbackClient from = new LoopbackClient("127.0.7.1");
        int attempts = USER_IP_MAX * 3;
        for (int i = 0; i < attempts; i++) {
            Http.Reply reply = login(from, endpoints, name, "wrong-" + i);
            assertThat(reply.status()).as("attempt %d: %s", i, reply.body()).isEqualTo(400);
            assertThat(reply.header("Retry-After")).as("attempt %d", i).isNull();
            assertThat(reply.json())
                    .containsEntry("error", "invalid_grant")
                    .containsEntry("error_description", "Invalid user credentials");
        }

        assertRecordedNotRefused(userId, "127.0.7.1", attempts, logStart);

        Http.Reply owner = login(from, endpoints, name, PASSWORD);
        assertThat(owner.status())
                .as("monitor mode never locks the owner: " + owner.body())
                .isEqualTo(200);

        Map<String, Double> after = Metrics.scrape();
        assertThat(delta(before, after, wouldThrottle)).as("would-be refusals").isEqualTo(attempts - USER_IP_MAX + 1);
        assertThat(delta(before, after, throttled)).as("real refusals").isZero();

        directGrantMode("enforce");
        Http.Reply enforced = login(from, endpoints, name, "wrong-again");
        assertThat(enforced.status()).as(enforced.body()).isEqualTo(429);
        assertThat(enforced.header("Retry-After")).matches("[1-9][0-9]*");
        assertThat(login(from, endpoints, name, PASSWORD).status())
                .as("enforce counts what monitor mode counted")
                .isEqualTo(429);
        assertThat(login(new LoopbackClient("127.0.7.2"), endpoints, name, PASSWORD)
                        .status())
                .as("the owner elsewhere")
                .isEqualTo(200);
    }

    @Test
    @DisplayName("browser login form in monitor mode: Keycloak's page for every wrong password past the limit, no "
            + "puzzle, the limit named in event, audit line and metric, the owner logs in; enforce then answers 429")
    void browserPasswordForm() throws Exception {
        String name = "monitor-dave";
        String userId = Users.create(realm, Users.withPassword(name, PASSWORD));
        GuardedLogin login = browserMode("MONITOR\t");
        long logStart = logSize();
        Map<String, Double> before = Metrics.scrape();

        LoopbackClient browser = new LoopbackClient("127.0.7.30");
        Http.Reply page = login.loginPage(browser);
        int attempts = USER_IP_MAX * 3;
        for (int i = 0; i < attempts; i++) {
            page = GuardedLogin.submit(browser, page, name, "wrong-" + i);
            assertThat(page.status())
                    .as("attempt %d: %s", i, FormPage.text(page.body()))
                    .isEqualTo(200);
            assertThat(page.header("Retry-After")).as("attempt %d", i).isNull();
            assertThat(FormPage.text(page.body())).contains("Invalid username or password");
            assertThat(page.body())
                    .as("attempt %d: no step-up in monitor mode", i)
                    .doesNotContain("id=\"warden-pow\"");
        }

        assertRecordedNotRefused(userId, "127.0.7.30", attempts, logStart);

        Http.Reply owner = GuardedLogin.submit(browser, page, name, PASSWORD);
        assertThat(loggedIn(owner))
                .as("monitor mode never locks the owner: %s %s", owner.status(), FormPage.text(owner.body()))
                .isTrue();

        Map<String, Double> after = Metrics.scrape();
        assertThat(delta(before, after, sample("warden_would_throttle_total")))
                .as("would-be refusals, the owner's login among them")
                .isEqualTo(attempts - USER_IP_MAX + 1);
        assertThat(delta(before, after, sample("warden_throttle_rejections_total")))
                .as("real refusals")
                .isZero();

        browserMode("enforce");
        LoopbackClient again = new LoopbackClient("127.0.7.30");
        assertEnforced(GuardedLogin.submit(again, login.loginPage(again), name, PASSWORD));
        assertRefused("127.0.7.30");
        LoopbackClient elsewhere = new LoopbackClient("127.0.7.31");
        assertThat(loggedIn(GuardedLogin.submit(elsewhere, login.loginPage(elsewhere), name, PASSWORD)))
                .as("the owner elsewhere")
                .isTrue();
    }

    @Test
    @DisplayName("one-time-code form in monitor mode: wrong codes past the limit are checked, not refused, and "
            + "recorded as would_throttle; the owner's right code logs in; enforce refuses the next code at once")
    void otpForm() throws Exception {
        String name = "monitor-erin";
        String userId = Users.create(realm, Totp.withOtp(Users.withPassword(name, PASSWORD), TOTP_SECRET));
        GuardedLogin login = browserMode("monitor");
        long logStart = logSize();
        Map<String, Double> before = Metrics.scrape();

        LoopbackClient attacker = new LoopbackClient("127.0.7.40");
        Http.Reply page = GuardedLogin.submit(attacker, login.loginPage(attacker), name, PASSWORD);
        assertThat(page.body()).as("the code form").contains("kc-otp-login-form");
        int attempts = USER_IP_MAX * 3;
        for (int i = 0; i < attempts; i++) {
            page = GuardedLogin.submitCode(attacker, page, Totp.wrong(TOTP_SECRET, i));
            assertThat(page.status())
                    .as("wrong code %d: %s", i, FormPage.text(page.body()))
                    .isEqualTo(200);
            assertThat(page.header("Retry-After")).as("wrong code %d", i).isNull();
            assertThat(FormPage.text(page.body())).contains("Invalid authenticator code");
        }

        assertRecordedNotRefused(userId, "127.0.7.40", attempts, logStart);

        // the owner, on the same network: password and code both past the limit, both let through
        LoopbackClient owner = new LoopbackClient("127.0.7.40");
        Http.Reply code = GuardedLogin.submit(owner, login.loginPage(owner), name, PASSWORD);
        assertThat(code.body()).contains("kc-otp-login-form");
        Http.Reply done = GuardedLogin.submitCode(owner, code, Totp.now(TOTP_SECRET));
        assertThat(loggedIn(done))
                .as("monitor mode never locks the owner: %s %s", done.status(), FormPage.text(done.body()))
                .isTrue();
        assertThat(delta(before, Metrics.scrape(), sample("warden_throttle_rejections_total")))
                .as("real refusals")
                .isZero();

        browserMode("enforce");
        assertEnforced(GuardedLogin.submitCode(attacker, page, Totp.now(TOTP_SECRET)));
        assertRefusedForUser("127.0.7.40", userId);
    }

    @Test
    @DisplayName("an unknown mode in a guard config means enforce: a typo never turns refusals off")
    void unknownModeEnforces() {
        TokenEndpoint endpoints = new TokenEndpoint(realm.getBaseUrl());
        String name = "monitor-bob";
        Users.create(realm, Users.withPassword(name, PASSWORD));
        directGrantMode("monitoring");
        try {
            LoopbackClient from = new LoopbackClient("127.0.7.3");
            for (int i = 0; i < USER_IP_MAX; i++) {
                assertThat(login(from, endpoints, name, "wrong-" + i).status()).isEqualTo(400);
            }
            assertThat(login(from, endpoints, name, "wrong-last").status()).isEqualTo(429);
        } finally {
            directGrantMode("enforce");
        }
    }

    @Test
    @DisplayName("email-domain rule in monitor mode: a disposable address signs up, the REGISTER event and the metric "
            + "name the rule; an unknown mode is refused on save")
    void disposableEmailInMonitorMode() {
        var profile = realm.admin().users().userProfile();
        UPConfig original = profile.getConfiguration();
        String sample =
                "warden_signup_would_reject_total{realm=\"" + DemoRealm.NAME + "\",rule=\"email_domain_disposable\"}";
        try {
            UPConfig typo = profile.getConfiguration();
            typo.getAttribute("email")
                    .getValidations()
                    .get(EmailDomainValidator.PROVIDER_ID)
                    .put("warden.mode", "monitoring");
            assertThatThrownBy(() -> profile.update(typo))
                    .isInstanceOf(BadRequestException.class)
                    .satisfies(e -> assertThat(
                                    ((BadRequestException) e).getResponse().readEntity(String.class))
                            .contains("warden.mode must be 'enforce' or 'monitor', not 'monitoring'"));
            assertThat(profile.getConfiguration()).isEqualTo(original);

            UPConfig monitor = profile.getConfiguration();
            monitor.getAttribute("email")
                    .getValidations()
                    .get(EmailDomainValidator.PROVIDER_ID)
                    .put("warden.mode", "monitor");
            profile.update(monitor);
            Map<String, Double> before = Metrics.scrape();

            Http.Reply registered = BrowserLogin.register(
                    new LoopbackClient("127.0.7.20"),
                    new TokenEndpoint(realm.getBaseUrl()),
                    REDIRECT,
                    Pkce.newVerifier(),
                    BrowserLogin.registrationForm(
                            "monitor-carol", "carol@mailinator.com", "Monitor", "Carol", PASSWORD));
            assertThat(registered.status()).as(FormPage.text(registered.body())).isEqualTo(302);

            String userId =
                    realm.admin().users().search("monitor-carol", true).get(0).getId();
            EventRepresentation register =
                    Events.of(realm, "REGISTER").user(userId).max(5).newest();
            assertThat(register.getDetails()).containsEntry("warden_would_reject", "email_domain_disposable");
            assertThat(delta(before, Metrics.scrape(), sample)).isEqualTo(1);
        } finally {
            profile.update(original);
        }
    }
}
