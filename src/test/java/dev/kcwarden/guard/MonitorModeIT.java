package dev.kcwarden.guard;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.kcwarden.signup.EmailDomainValidator;
import dev.kcwarden.testing.AuditLines;
import dev.kcwarden.testing.DemoRealm;
import dev.kcwarden.testing.Events;
import dev.kcwarden.testing.FormPage;
import dev.kcwarden.testing.GuardLimits;
import dev.kcwarden.testing.Http;
import dev.kcwarden.testing.LoopbackClient;
import dev.kcwarden.testing.Metrics;
import dev.kcwarden.testing.Pkce;
import dev.kcwarden.testing.TokenEndpoint;
import dev.kcwarden.testing.Users;
import dev.kcwarden.testing.WardenServerConfig;
import jakarta.ws.rs.BadRequestException;
import java.net.URI;
import java.nio.file.Files;
import java.util.LinkedHashMap;
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

    @InjectRealm(fromJson = DemoRealm.JSON, config = DemoRealm.Offline.class)
    ManagedRealm realm;

    private Http.Reply login(LoopbackClient from, TokenEndpoint endpoints, String username, String password) {
        return from.postForm(endpoints.tokenUrl(), TokenEndpoint.passwordForm(DemoRealm.CLI, username, password));
    }

    private void directGrantMode(String mode) {
        GuardLimits.set(
                realm,
                GuardLimits.DIRECT_GRANT_FLOW,
                GuardedDirectGrantFactory.PROVIDER_ID,
                Map.of("warden.user-ip.max", String.valueOf(USER_IP_MAX), "warden.mode", mode));
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
        long logStart = Files.exists(WardenServerConfig.LOG_FILE) ? Files.size(WardenServerConfig.LOG_FILE) : 0;
        String wouldThrottle = "warden_would_throttle_total{limit=\"user_ip\",realm=\"" + DemoRealm.NAME + "\"}";
        String throttled = "warden_throttle_rejections_total{limit=\"user_ip\",realm=\"" + DemoRealm.NAME + "\"}";
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

        List<EventRepresentation> errors =
                Events.of(realm, "LOGIN_ERROR").user(userId).ip("127.0.7.1").list();
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
        String audit = AuditLines.await(WardenServerConfig.LOG_FILE, logStart, "\"warden_would_throttle\"");
        assertThat(audit).contains("\"warden_would_throttle\":\"user_ip\"").contains("LOGIN_ERROR");

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

            TokenEndpoint endpoints = new TokenEndpoint(realm.getBaseUrl());
            LoopbackClient browser = new LoopbackClient("127.0.7.20");
            String verifier = Pkce.newVerifier();
            Http.Reply login =
                    browser.get(endpoints.authorizationUrl(DemoRealm.SPA, REDIRECT, verifier, "s"), Map.of());
            Http.Reply page = browser.get(
                    URI.create(realm.getBaseUrl())
                            .resolve(FormPage.link(login.body(), "registration"))
                            .toString(),
                    Map.of());
            Map<String, String> form = new LinkedHashMap<>();
            form.put("username", "monitor-carol");
            form.put("email", "carol@mailinator.com");
            form.put("firstName", "Monitor");
            form.put("lastName", "Carol");
            form.put("password", PASSWORD);
            form.put("password-confirm", PASSWORD);
            Http.Reply registered = browser.postForm(FormPage.formAction(page.body(), "kc-register-form"), form);
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
