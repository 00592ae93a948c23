package dev.kcwarden.guard;

import static org.assertj.core.api.Assertions.assertThat;

import dev.kcwarden.testing.Concurrently;
import dev.kcwarden.testing.DemoRealm;
import dev.kcwarden.testing.Events;
import dev.kcwarden.testing.GuardedLogin;
import dev.kcwarden.testing.Http;
import dev.kcwarden.testing.LoopbackClient;
import dev.kcwarden.testing.TokenEndpoint;
import dev.kcwarden.testing.WardenServerConfig;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.keycloak.admin.client.Keycloak;
import org.keycloak.representations.idm.EventRepresentation;
import org.keycloak.testframework.annotations.InjectAdminClient;
import org.keycloak.testframework.annotations.InjectRealm;
import org.keycloak.testframework.annotations.KeycloakIntegrationTest;
import org.keycloak.testframework.realm.ManagedRealm;
import org.keycloak.testframework.remote.timeoffset.InjectTimeOffSet;
import org.keycloak.testframework.remote.timeoffset.TimeOffSet;

/**
 * The login guard on the token endpoint (password grant), against the demo realm as users import it. Each test acts
 * from its own loopback address (127.0.0.x) with its own users, so tests do not share counters.
 */
@KeycloakIntegrationTest(config = WardenServerConfig.class)
@DisplayName("Login guard on the token endpoint: per IP, per user+IP, per account, 429 + Retry-After")
class DirectGrantGuardIT {

    static final int USER_IP_MAX = 10;
    static final int IP_MAX = 25;
    static final int ACCOUNT_MAX = 20;
    static final String WRONG = "not-the-password-1";
    static final String PASSWORD = "Guard-test-passphrase-1";

    @InjectRealm(fromJson = DemoRealm.JSON, config = DemoRealm.Offline.class)
    ManagedRealm realm;

    @InjectAdminClient
    Keycloak admin;

    @InjectTimeOffSet(enableForCaches = true)
    TimeOffSet timeOffSet;

    private GuardedLogin guarded;
    private TokenEndpoint endpoints;

    @BeforeEach
    void limits() {
        guarded = GuardedLogin.directGrant(
                realm,
                PASSWORD,
                Map.of(
                        "warden.user-ip.max", String.valueOf(USER_IP_MAX),
                        "warden.ip.max", String.valueOf(IP_MAX),
                        "warden.account.max", String.valueOf(ACCOUNT_MAX),
                        "warden.allowlist", "127.0.0.60/32"));
        endpoints = guarded.endpoints();
    }

    private Http.Reply login(LoopbackClient from, String username, String password) {
        return guarded.grant(from, username, password);
    }

    private Http.Reply login(LoopbackClient from, String username, String password, Map<String, String> headers) {
        return guarded.grant(from, username, password, headers);
    }

    private String user(String name) {
        return guarded.user(name);
    }

    private static void assertThrottled(Http.Reply reply) {
        assertThat(reply.status()).as(reply.body()).isEqualTo(429);
        assertThat(reply.header("Retry-After")).as("Retry-After").matches("[1-9][0-9]*");
        assertThat(reply.header("Content-Type")).startsWith("application/json");
        assertThat(reply.json()).containsEntry("error", "too_many_requests");
        assertThat((String) reply.json().get("error_description")).startsWith("Too many failed sign-in attempts");
    }

    private static void assertWrongPassword(Http.Reply reply) {
        assertThat(reply.status()).as(reply.body()).isEqualTo(400);
        assertThat(reply.json())
                .containsEntry("error", "invalid_grant")
                .containsEntry("error_description", "Invalid user credentials");
    }

    @Test
    @DisplayName("per user+IP: the limit is reached exactly at the count, then 429 even for the right password")
    void userAndIpLimit() {
        String alice = user("guard-alice");
        LoopbackClient attacker = new LoopbackClient("127.0.0.11");
        for (int i = 0; i < USER_IP_MAX; i++) {
            assertWrongPassword(login(attacker, alice, WRONG));
        }
        Http.Reply blocked = login(attacker, alice, WRONG);
        assertThrottled(blocked);
        assertThat(Integer.parseInt(blocked.header("Retry-After"))).isBetween(1, 900);
        assertThrottled(login(attacker, alice, PASSWORD));

        // the victim, elsewhere, is not locked out by the attacker's failures
        Http.Reply victim = login(new LoopbackClient("127.0.0.12"), alice, PASSWORD);
        assertThat(victim.status()).as(victim.body()).isEqualTo(200);
    }

    @Test
    @DisplayName("unknown usernames count like known ones and get the very same answers")
    void unknownUsernames() {
        String known = user("guard-known");
        LoopbackClient a = new LoopbackClient("127.0.0.13");
        LoopbackClient b = new LoopbackClient("127.0.0.14");
        List<Http.Reply> knownReplies = new ArrayList<>();
        List<Http.Reply> ghostReplies = new ArrayList<>();
        for (int i = 0; i <= USER_IP_MAX; i++) {
            knownReplies.add(login(a, known, WRONG));
            ghostReplies.add(login(b, "guard-nobody-" + "x", WRONG));
        }
        for (int i = 0; i <= USER_IP_MAX; i++) {
            assertThat(ghostReplies.get(i).status())
                    .isEqualTo(knownReplies.get(i).status());
            assertThat(ghostReplies.get(i).body()).isEqualTo(knownReplies.get(i).body());
        }
        assertThrottled(ghostReplies.get(USER_IP_MAX));
        assertThat(Integer.parseInt(ghostReplies.get(USER_IP_MAX).header("Retry-After")))
                .isCloseTo(
                        Integer.parseInt(knownReplies.get(USER_IP_MAX).header("Retry-After")),
                        org.assertj.core.data.Offset.offset(1));
    }

    @Test
    @DisplayName("per IP: failures across many usernames from one address are capped (credential stuffing)")
    void ipLimit() {
        LoopbackClient stuffer = new LoopbackClient("127.0.0.15");
        for (int i = 0; i < IP_MAX; i++) {
            assertWrongPassword(login(stuffer, "stuffed-" + i + "@example.com", WRONG));
        }
        assertThrottled(login(stuffer, "stuffed-new@example.com", WRONG));
        assertThat(lastError("stuffed-new@example.com").getDetails()).containsEntry("warden_limit", "ip");
    }

    @Test
    @DisplayName(
            "per account: failures from many addresses are capped, and typing the email counts for the same account")
    void accountLimit() {
        String bob = user("guard-bob");
        int sent = 0;
        for (int ip = 20; sent < ACCOUNT_MAX; ip++) {
            LoopbackClient from = new LoopbackClient("127.0.0." + ip);
            // alternate username, EMAIL and upper case: all one account
            String typed = switch (sent % 3) {
                case 0 -> bob;
                case 1 -> bob + "@example.com";
                default -> bob.toUpperCase();
            };
            assertWrongPassword(login(from, typed, WRONG));
            sent++;
        }
        Http.Reply capped = login(new LoopbackClient("127.0.0.40"), bob, PASSWORD);
        assertThrottled(capped);
        assertThat(lastError(bob).getDetails()).containsEntry("warden_limit", "account");
    }

    @Test
    @DisplayName("a successful login forgives the user's failures from that address (the account cap keeps counting)")
    void successResetsUserAndIp() {
        String carol = user("guard-carol");
        LoopbackClient home = new LoopbackClient("127.0.0.41");
        for (int i = 0; i < USER_IP_MAX - 1; i++) {
            assertWrongPassword(login(home, carol, WRONG));
        }
        assertThat(login(home, carol, PASSWORD).status()).isEqualTo(200);
        for (int i = 0; i < USER_IP_MAX; i++) {
            assertWrongPassword(login(home, carol, WRONG));
        }
        assertThrottled(login(home, carol, WRONG));
        assertThat(lastError(carol).getDetails())
                .as("forgiven from this address: a full window again")
                .containsEntry("warden_limit", "user_ip");
        // The account cap still holds the 9 failures from before the success. (Home is a known client now, so its
        // later failures do not count there.) 11 more from two other addresses reach ACCOUNT_MAX (20).
        int counted = USER_IP_MAX - 1;
        for (int i = counted; i < ACCOUNT_MAX; i++) {
            assertWrongPassword(login(
                    new LoopbackClient(i < counted + USER_IP_MAX - 1 ? "127.0.0.48" : "127.0.0.50"), carol, WRONG));
        }
        assertThrottled(login(new LoopbackClient("127.0.0.49"), carol, PASSWORD));
        assertThat(lastError(carol).getDetails())
                .as("the account cap kept counting")
                .containsEntry("warden_limit", "account");
    }

    @Test
    @DisplayName(
            "the block ends after Retry-After: moving Keycloak's clock (not sleeping) lets the next attempt through")
    void blockEndsAfterRetryAfter() {
        String dave = user("guard-dave");
        LoopbackClient from = new LoopbackClient("127.0.0.42");
        for (int i = 0; i < USER_IP_MAX; i++) {
            login(from, dave, WRONG);
        }
        Http.Reply blocked = login(from, dave, PASSWORD);
        assertThrottled(blocked);
        int retryAfter = Integer.parseInt(blocked.header("Retry-After"));

        timeOffSet.set(retryAfter - 2);
        assertThrottled(login(from, dave, PASSWORD));
        timeOffSet.set(retryAfter + 1);
        Http.Reply later = login(from, dave, PASSWORD);
        assertThat(later.status()).as(later.body()).isEqualTo(200);
    }

    @Test
    @DisplayName("100 parallel wrong passwords for one user from one IP: exactly 10 reach the password check")
    void exactUnderConcurrency() throws Exception {
        String erin = user("guard-erin");
        List<Integer> statuses = Concurrently.atOnce(
                100,
                i -> () -> login(new LoopbackClient("127.0.0.43"), erin, WRONG).status());
        assertThat(statuses)
                .as("reached the password check")
                .filteredOn(s -> s == 400)
                .hasSize(USER_IP_MAX);
        assertThat(statuses).as("refused before it").filteredOn(s -> s == 429).hasSize(100 - USER_IP_MAX);
    }

    @Test
    @DisplayName("legitimate parallel logins of one user (several devices) all succeed")
    void parallelCorrectLogins() throws Exception {
        String frank = user("guard-frank");
        List<Integer> statuses = Concurrently.atOnce(
                USER_IP_MAX,
                i -> () ->
                        login(new LoopbackClient("127.0.0.44"), frank, PASSWORD).status());
        assertThat(statuses).containsOnly(200);
    }

    @Test
    @DisplayName("a spoofed X-Forwarded-For does not change the key (proxy headers are off)")
    void spoofedForwardedForIgnored() {
        String grace = user("guard-grace");
        LoopbackClient from = new LoopbackClient("127.0.0.45");
        for (int i = 0; i < USER_IP_MAX; i++) {
            login(from, grace, WRONG, Map.of("X-Forwarded-For", "198.51.100." + i, "Forwarded", "for=198.51.100." + i));
        }
        assertThrottled(login(from, grace, WRONG, Map.of("X-Forwarded-For", "203.0.113.99")));
    }

    @Test
    @DisplayName("an allowlisted address is never throttled")
    void allowlistedAddress() {
        String heidi = user("guard-heidi");
        LoopbackClient office = new LoopbackClient("127.0.0.60");
        for (int i = 0; i < USER_IP_MAX + 5; i++) {
            assertWrongPassword(login(office, heidi, WRONG));
        }
        assertThat(login(office, heidi, PASSWORD).status()).isEqualTo(200);
    }

    @Test
    @DisplayName("a block's first throttled attempt is a LOGIN_ERROR event with error warden_throttled and the "
            + "limit; the rest wait for the summary")
    void throttledAttemptsAreEvents() {
        String ivan = user("guard-ivan");
        LoopbackClient from = new LoopbackClient("127.0.0.46");
        for (int i = 0; i < USER_IP_MAX; i++) {
            assertWrongPassword(login(from, ivan, WRONG));
        }
        int throttledAttempts = 4;
        for (int i = 0; i < throttledAttempts; i++) {
            assertThrottled(login(from, ivan, i % 2 == 0 ? WRONG : PASSWORD));
        }
        List<EventRepresentation> throttled = Events.of(realm, "LOGIN_ERROR").max(500).list().stream()
                .filter(e ->
                        e.getDetails() != null && ivan.equals(e.getDetails().get("username")))
                .filter(e -> "warden_throttled".equals(e.getError()))
                .toList();
        // the account's counter and the name's block marker are two blocks: at most one event each
        // (ThrottledEventDigest)
        assertThat(throttled)
                .as("events for %d throttled attempts", throttledAttempts)
                .isNotEmpty()
                .hasSizeLessThanOrEqualTo(2);
        assertThat(throttled)
                .as("first events carry no summary count")
                .allSatisfy(e -> assertThat(e.getDetails()).doesNotContainKey("warden_suppressed"));
        for (EventRepresentation event : throttled) {
            assertThat(event.getType()).isEqualTo("LOGIN_ERROR");
            assertThat(event.getIpAddress()).isEqualTo("127.0.0.46");
            assertThat(event.getDetails())
                    .containsEntry("warden_limit", "user_ip")
                    .containsKey("retry_after");
        }
    }

    @Test
    @DisplayName("bad input (10,000-character or empty usernames, NUL, bytes that are not UTF-8) gets a clear 4xx, "
            + "never a 500")
    void badInput() {
        LoopbackClient from = new LoopbackClient("127.0.0.47");
        for (String username :
                List.of("u".repeat(10_000), "", " ", "nul\u0000name", "\u202Eadmin", "admin\r\nX-Injected: 1")) {
            Http.Reply reply = login(from, username, WRONG);
            assertThat(reply.status())
                    .as("username of %d chars: %s", username.length(), reply.body())
                    .isBetween(400, 429);
            assertThat(reply.json()).containsKey("error");
        }
        byte[] notUtf8 = "grant_type=password&client_id=demo-cli&username=%FF%FE%C0&password=%FF"
                .getBytes(StandardCharsets.US_ASCII);
        Http.Reply reply = from.postRaw(endpoints.tokenUrl(), notUtf8, Map.of());
        assertThat(reply.status()).as(reply.body()).isBetween(400, 429);
        Http.Reply noFields =
                from.postForm(endpoints.tokenUrl(), Map.of("grant_type", "password", "client_id", DemoRealm.CLI));
        assertThat(noFields.status()).as(noFields.body()).isBetween(400, 401);
    }

    private EventRepresentation lastError(String username) {
        return Events.of(realm, "LOGIN_ERROR").max(200).list().stream()
                .filter(e ->
                        e.getDetails() != null && username.equals(e.getDetails().get("username")))
                .findFirst()
                .orElseThrow(() -> new AssertionError("no LOGIN_ERROR for " + username));
    }
}
