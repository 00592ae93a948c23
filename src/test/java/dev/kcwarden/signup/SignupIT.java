package dev.kcwarden.signup;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.nimbusds.jwt.JWTClaimsSet;
import dev.kcwarden.testing.AccessTokens;
import dev.kcwarden.testing.BrowserLogin;
import dev.kcwarden.testing.DemoRealm;
import dev.kcwarden.testing.Events;
import dev.kcwarden.testing.FormPage;
import dev.kcwarden.testing.GuardLimits;
import dev.kcwarden.testing.Http;
import dev.kcwarden.testing.LoopbackClient;
import dev.kcwarden.testing.Pkce;
import dev.kcwarden.testing.RangeStub;
import dev.kcwarden.testing.ThrottlePage;
import dev.kcwarden.testing.TokenEndpoint;
import dev.kcwarden.testing.Users;
import dev.kcwarden.testing.WardenApi;
import dev.kcwarden.testing.WardenServerConfig;
import jakarta.ws.rs.BadRequestException;
import jakarta.ws.rs.core.Response;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.keycloak.admin.client.Keycloak;
import org.keycloak.representations.idm.CredentialRepresentation;
import org.keycloak.representations.idm.EventRepresentation;
import org.keycloak.representations.idm.RealmRepresentation;
import org.keycloak.representations.idm.UserRepresentation;
import org.keycloak.representations.userprofile.config.UPConfig;
import org.keycloak.testframework.annotations.InjectAdminClient;
import org.keycloak.testframework.annotations.InjectRealm;
import org.keycloak.testframework.annotations.KeycloakIntegrationTest;
import org.keycloak.testframework.realm.ManagedRealm;

/**
 * US1 against the demo realm as shipped: sign-up through the registration page (plain HTTP, as a browser posts it, from
 * a loopback address of the test's choosing), every rule it enforces, and the tokens the new user gets. The
 * breached-password range service is a local stub the test starts.
 */
@KeycloakIntegrationTest(config = WardenServerConfig.class)
@DisplayName("Sign-up: email-domain rules, breached passwords, throttling, honeypot, and tokens for the new user")
class SignupIT {

    static final String GOOD_PASSWORD = "Signup-good-passphrase-77";
    static final String BREACHED_PASSWORD = "Breached-passphrase-2026";
    static final String REDIRECT = "http://127.0.0.1/callback";
    private static final AtomicInteger NEXT_ADDRESS = new AtomicInteger(10);

    @InjectRealm(fromJson = DemoRealm.JSON, config = DemoRealm.Offline.class)
    ManagedRealm realm;

    @InjectAdminClient
    Keycloak admin;

    private RangeStub range;
    private TokenEndpoint endpoints;

    @BeforeEach
    void setUp() {
        endpoints = new TokenEndpoint(realm.getBaseUrl());
        range = new RangeStub();
        range.breach(BREACHED_PASSWORD, 42);
        policy("fail=open;timeout=1000");
    }

    @AfterEach
    void tearDown() {
        range.close();
    }

    private void policy(String breachOptions) {
        RealmRepresentation rep = realm.admin().toRepresentation();
        rep.setPasswordPolicy("length(12) and maxLength(128) and notUsername(undefined) and notEmail(undefined) and "
                + "wardenBreachedPassword(min=1;" + breachOptions + ";url=" + range.rangeUrl() + ")");
        realm.admin().update(rep);
    }

    /** A browser at a fresh loopback address, on the registration page of a demo-spa login. */
    private static final class Visitor {
        final LoopbackClient client = new LoopbackClient("127.0.2." + NEXT_ADDRESS.getAndIncrement());
        final String verifier = Pkce.newVerifier();
        Http.Reply page;
    }

    private Visitor openRegistration() {
        Visitor v = new Visitor();
        v.page = BrowserLogin.registrationPage(v.client, endpoints, REDIRECT, v.verifier);
        assertThat(v.page.status()).isEqualTo(200);
        return v;
    }

    private static Map<String, String> form(String username, String email, String password) {
        return BrowserLogin.registrationForm(username, email, "Test", "Person", password);
    }

    private Http.Reply submit(Visitor v, Map<String, String> form) {
        v.page = BrowserLogin.submitRegistration(v.client, v.page, form);
        return v.page;
    }

    private void assertRefused(Http.Reply reply, String username, String message) {
        assertThat(reply.status()).as(reply.body()).isBetween(200, 499).isNotEqualTo(302);
        assertThat(FormPage.text(reply.body())).contains(message);
        assertThat(realm.admin().users().search(username, true))
                .as("no user created")
                .isEmpty();
    }

    @Test
    @DisplayName("happy path: sign up, exchange the code with PKCE, and the JWT says who signed up; only a "
            + "5-character prefix left the server")
    void happyPath() throws Exception {
        Visitor v = openRegistration();
        assertThat(v.page.body())
                .as("the honeypot is on the page")
                .contains("name=\"website\"")
                .contains("form=\"kc-register-form\"");
        Http.Reply done = submit(v, form("signup-alice", "alice@example.com", GOOD_PASSWORD));
        assertThat(done.status()).as(done.body()).isEqualTo(302);
        assertThat(done.header("Location")).startsWith(REDIRECT);
        String code = BrowserLogin.query(done.header("Location")).get("code");

        Http.Reply tokens = endpoints.exchangeCode(DemoRealm.SPA, code, REDIRECT, v.verifier);
        assertThat(tokens.status()).as(tokens.body()).isEqualTo(200);
        JWTClaimsSet claims = new AccessTokens(endpoints, DemoRealm.API, DemoRealm.SPA)
                .verify((String) tokens.json().get("access_token"));
        String userId =
                realm.admin().users().search("signup-alice", true).get(0).getId();
        assertThat(claims.getSubject()).isEqualTo(userId);
        assertThat(claims.getStringClaim("email")).isEqualTo("alice@example.com");
        assertThat(claims.getBooleanClaim("email_verified")).isFalse();
        assertThat(claims.getAudience()).contains(DemoRealm.API);

        assertThat(range.requests())
                .isNotEmpty()
                .allSatisfy(r -> assertThat(r).matches("GET /range/[0-9A-F]{5} body=0"));
        assertThat(String.join(" ", range.requests()))
                .doesNotContain(RangeStub.sha1(GOOD_PASSWORD).substring(5));
        EventRepresentation register =
                Events.of(realm, "REGISTER").user(userId).max(5).newest();
        assertThat(register.getDetails()).containsEntry("warden_breach_check", "passed");
    }

    @Test
    @DisplayName("email domains: denied, subdomain of denied, full-width look-alike, mixed alphabets, a name IDNA "
            + "maps (ß), disposable: each refused, no user")
    void emailDomainRules() {
        Map<String, String> cases = new LinkedHashMap<>();
        cases.put("bob@denied.example", "Email addresses at this domain cannot be used here.");
        cases.put("bob@mail.denied.example", "Email addresses at this domain cannot be used here.");
        cases.put("bob@\uff44\uff45\uff4e\uff49\uff45\uff44.example", "written with look-alike characters");
        cases.put("bob@ex\u0430mple.com", "written with look-alike characters");
        cases.put("bob@stra\u00dfe.example", "written with look-alike characters");
        cases.put("bob@mailinator.com", "Disposable email addresses cannot be used.");
        cases.put("bob@sub.mailinator.com", "Disposable email addresses cannot be used.");
        int i = 0;
        for (Map.Entry<String, String> c : cases.entrySet()) {
            String username = "signup-domain-" + i++;
            Visitor v = openRegistration();
            assertRefused(submit(v, form(username, c.getKey(), GOOD_PASSWORD)), username, c.getValue());
        }
    }

    @Test
    @DisplayName("passwords: breached (stub), common (offline list, no network), equal to username, equal to email; "
            + "duplicate email")
    void passwordAndDuplicateRules() {
        Visitor v = openRegistration();
        assertRefused(
                submit(v, form("signup-carol", "carol@example.com", BREACHED_PASSWORD)),
                "signup-carol",
                "This password has appeared in a data breach.");
        int before = range.requests().size();
        v = openRegistration();
        assertRefused(
                submit(v, form("signup-carol", "carol@example.com", "1qaz2wsx3edc")),
                "signup-carol",
                "one of the most common passwords");
        assertThat(range.requests()).as("the offline list answers first").hasSize(before);
        v = openRegistration();
        assertRefused(
                submit(v, form("signup-dave-long-name", "dave@example.com", "signup-dave-long-name")),
                "signup-dave-long-name",
                "Invalid password: must not be equal to the username.");
        v = openRegistration();
        assertRefused(
                submit(v, form("signup-dora", "dora-long-address@example.com", "dora-long-address@example.com")),
                "signup-dora",
                "Invalid password: must not be equal to the email.");
        Users.create(realm, Users.withPassword("signup-existing", GOOD_PASSWORD));
        v = openRegistration();
        assertRefused(
                submit(v, form("signup-erin", "signup-existing@example.com", GOOD_PASSWORD)),
                "signup-erin",
                "Email already exists.");
    }

    @Test
    @DisplayName("the admin API is checked too (unless admins are exempted): disposable email refused, breached "
            + "password refused")
    void adminApiIsCheckedToo() {
        UserRepresentation disposable = Users.withPassword("signup-admin-made", GOOD_PASSWORD);
        disposable.setEmail("someone@mailinator.com");
        try (Response created = realm.admin().users().create(disposable)) {
            assertThat(created.getStatus()).isEqualTo(400);
            assertThat(created.readEntity(String.class)).contains("wardenEmailDomainDisposable");
        }

        UPConfig config = realm.admin().users().userProfile().getConfiguration();
        config.getAttribute("email")
                .getValidations()
                .get(EmailDomainValidator.PROVIDER_ID)
                .put(EmailDomainValidator.EXEMPT_ADMIN, "true");
        realm.admin().users().userProfile().update(config);
        try {
            String id = Users.create(realm, disposable);
            CredentialRepresentation breached = new CredentialRepresentation();
            breached.setType(CredentialRepresentation.PASSWORD);
            breached.setValue(BREACHED_PASSWORD);
            breached.setTemporary(false);
            assertThatThrownBy(() -> realm.admin().users().get(id).resetPassword(breached))
                    .isInstanceOf(BadRequestException.class)
                    .satisfies(e -> assertThat(
                                    ((BadRequestException) e).getResponse().readEntity(String.class))
                            .contains("wardenPasswordBreached"));
        } finally {
            config.getAttribute("email")
                    .getValidations()
                    .get(EmailDomainValidator.PROVIDER_ID)
                    .put(EmailDomainValidator.EXEMPT_ADMIN, "false");
            realm.admin().users().userProfile().update(config);
        }
    }

    @Test
    @DisplayName("an unknown option (an old name, a typo, a control character) is refused on save with what to write "
            + "instead, and the old profile kept")
    void unknownOptionRefusedOnSave() {
        var profile = realm.admin().users().userProfile();
        UPConfig before = profile.getConfiguration();
        record Bad(String key, Object value, String says) {}
        List<Bad> bad = List.of(
                new Bad("deny", List.of("example.com"), "It was renamed: write 'warden.deny' instead."),
                new Bad("warden.denny", List.of("example.com"), "Known options: ignore.empty.value, warden.allow,"),
                new Bad("warden.deny\u0007", List.of("example.com"), "unknown option 'warden.deny?'"),
                // "yes" would read as false and turn the disposable check off
                new Bad(EmailDomainValidator.BLOCK_DISPOSABLE, "yes", "must be true or false, not 'yes'"),
                new Bad(EmailDomainValidator.DENY, Map.of("0", "evil.example"), "must be a list of domains"));
        try {
            for (Bad c : bad) {
                UPConfig config = profile.getConfiguration();
                config.getAttribute("email")
                        .getValidations()
                        .get(EmailDomainValidator.PROVIDER_ID)
                        .put(c.key(), c.value());
                assertThatThrownBy(() -> profile.update(config))
                        .as(c.key())
                        .isInstanceOf(BadRequestException.class)
                        .satisfies(e -> assertThat(
                                        ((BadRequestException) e).getResponse().readEntity(String.class))
                                .contains(c.says())
                                .doesNotContain("\u0007")
                                .doesNotContain("\\u0007"));
                assertThat(profile.getConfiguration())
                        .as("the old profile is kept")
                        .isEqualTo(before);
            }
        } finally {
            profile.update(before);
        }
    }

    @Test
    @DisplayName("an unknown email-domain option is refused too when the admin saves the user-profile component")
    void unknownOptionRefusedOnComponentSave() throws Exception {
        var components = realm.admin().components();
        org.keycloak.representations.idm.ComponentRepresentation component = components
                .query(null, "org.keycloak.userprofile.UserProfileProvider")
                .get(0);
        String stored = component.getConfig().getFirst("kc.user.profile.config");
        String withTypo = stored.replace(
                "\"" + EmailDomainValidator.PROVIDER_ID + "\":{",
                "\"" + EmailDomainValidator.PROVIDER_ID + "\":{\"warden.denny\":[\"example.com\"],");
        assertThat(withTypo).as("the shipped profile has the validator").isNotEqualTo(stored);
        component.getConfig().putSingle("kc.user.profile.config", withTypo);
        assertThatThrownBy(() -> components.component(component.getId()).update(component))
                .isInstanceOf(jakarta.ws.rs.WebApplicationException.class);
        assertThat(components
                        .component(component.getId())
                        .toRepresentation()
                        .getConfig()
                        .getFirst("kc.user.profile.config"))
                .as("the stored profile is kept")
                .isEqualTo(stored);
    }

    @Test
    @DisplayName("disposable-file: a relative path, a missing file, a folder, a NUL, and any file outside the "
            + "operator's folder (symbolic link included) are refused on save with their reason and the "
            + "old profile kept; a file deleted later is ignored, never a 500")
    void disposableFileCheckedOnSave() throws Exception {
        var profile = realm.admin().users().userProfile();
        UPConfig before = profile.getConfiguration();
        java.nio.file.Path dir = java.nio.file.Files.createDirectories(WardenServerConfig.DISPOSABLE_DIR);
        java.nio.file.Path list = dir.resolve("more-disposable-" + Pkce.randomToken(6) + ".txt");
        java.nio.file.Path outsideDir = java.nio.file.Files.createTempDirectory("warden-outside");
        java.nio.file.Path outside =
                java.nio.file.Files.writeString(outsideDir.resolve("list.txt"), "outside.example\n");
        java.nio.file.Path link = dir.resolve("link-" + Pkce.randomToken(6) + ".txt");
        java.nio.file.Files.createSymbolicLink(link, outside);
        String noFile = "there is no readable file at that path in " + dir;
        Map<String, String> bad = new LinkedHashMap<>();
        bad.put("relative/list.txt", "it is not an absolute path");
        bad.put(dir.resolve("missing.txt").toString(), noFile);
        bad.put(dir.toString(), noFile);
        bad.put(outside.toString(), noFile);
        bad.put("/etc/hostname", noFile);
        bad.put(link.toString(), noFile);
        bad.put("/tmp/\u0000nul.txt", "it is not a valid path");
        try {
            for (Map.Entry<String, String> c : bad.entrySet()) {
                UPConfig config = profile.getConfiguration();
                config.getAttribute("email")
                        .getValidations()
                        .get(EmailDomainValidator.PROVIDER_ID)
                        .put(EmailDomainValidator.DISPOSABLE_FILE, c.getKey());
                assertThatThrownBy(() -> profile.update(config))
                        .as(c.getKey())
                        .isInstanceOf(BadRequestException.class)
                        .satisfies(e -> assertThat(
                                        ((BadRequestException) e).getResponse().readEntity(String.class))
                                .contains("disposable-file")
                                .contains("cannot be used: " + c.getValue()));
                assertThat(profile.getConfiguration())
                        .as("the old profile is kept")
                        .isEqualTo(before);
            }

            java.nio.file.Files.writeString(list, "# ours\nthrowaway.example\n");
            UPConfig config = profile.getConfiguration();
            config.getAttribute("email")
                    .getValidations()
                    .get(EmailDomainValidator.PROVIDER_ID)
                    .put(EmailDomainValidator.DISPOSABLE_FILE, list.toString());
            profile.update(config);
            Visitor v = openRegistration();
            assertRefused(
                    submit(v, form("signup-file-1", "kim@throwaway.example", GOOD_PASSWORD)),
                    "signup-file-1",
                    "Disposable email addresses cannot be used.");

            java.nio.file.Files.delete(list);
            v = openRegistration();
            Http.Reply reply = submit(v, form("signup-file-2", "lee@throwaway.example", GOOD_PASSWORD));
            assertThat(reply.status())
                    .as("a file gone since it was saved is ignored: " + reply.body())
                    .isEqualTo(302);
            assertThat(realm.admin().users().search("signup-file-2", true)).hasSize(1);
        } finally {
            profile.update(before);
            for (java.nio.file.Path p : List.of(list, link, outside, outsideDir)) {
                java.nio.file.Files.deleteIfExists(p);
            }
        }
    }

    @Test
    @DisplayName("every field error at once, what was typed kept except the passwords")
    void allErrorsAtOnce() {
        Visitor v = openRegistration();
        Map<String, String> form = form("signup-frank", "frank@mailinator.com", GOOD_PASSWORD);
        form.put("firstName", "");
        form.put("password-confirm", "something-else-entirely");
        Http.Reply reply = submit(v, form);
        String text = FormPage.text(reply.body());
        assertThat(text)
                .contains("Disposable email addresses cannot be used.")
                .contains("First name * Please specify this field.")
                .contains("Password confirmation doesn't match.");
        assertThat(reply.body())
                .contains("value=\"signup-frank\"")
                .contains("value=\"frank@mailinator.com\"")
                .doesNotContain(GOOD_PASSWORD);
    }

    @Test
    @DisplayName("range service down or slow: fail-open lets the sign-up through and records it; fail-closed "
            + "refuses; never past the timeout")
    void rangeServiceFailures() {
        range.mode(RangeStub.Mode.FAILING);
        Visitor v = openRegistration();
        assertThat(submit(v, form("signup-gina", "gina@example.com", GOOD_PASSWORD))
                        .status())
                .isEqualTo(302);
        String gina = realm.admin().users().search("signup-gina", true).get(0).getId();
        assertThat(Events.of(realm, "REGISTER").user(gina).max(5).newest().getDetails())
                .containsEntry("warden_breach_check", "unavailable_open");

        range.mode(RangeStub.Mode.SLOW);
        v = openRegistration();
        long start = System.nanoTime();
        Http.Reply slow = submit(v, form("signup-hank", "hank@example.com", GOOD_PASSWORD));
        long millis = (System.nanoTime() - start) / 1_000_000;
        assertThat(slow.status()).isEqualTo(302);
        assertThat(millis)
                .as("the page waited for the 1 s timeout, not the 5 s stub")
                .isLessThan(4_000);
        String hank = realm.admin().users().search("signup-hank", true).get(0).getId();
        assertThat(Events.of(realm, "REGISTER").user(hank).max(5).newest().getDetails())
                .as("a timeout is recorded as the service being unavailable, failing open")
                .containsEntry("warden_breach_check", "unavailable_open");

        policy("fail=closed;timeout=1000");
        range.mode(RangeStub.Mode.FAILING);
        v = openRegistration();
        assertRefused(
                submit(v, form("signup-ivan", "ivan@example.com", GOOD_PASSWORD)),
                "signup-ivan",
                "We cannot check new passwords right now.");
    }

    @Test
    @DisplayName("sign-up throttle: refused exactly after the configured count per address, with 429, Retry-After "
            + "and the countdown's seconds")
    void signupThrottle() {
        GuardLimits.set(
                realm,
                "warden registration form",
                RegistrationGuardFactory.PROVIDER_ID,
                Map.of("warden.signup-ip.max", "3"));
        LoopbackClient bot = new LoopbackClient("127.0.3.1");
        // a server kept running between runs (KC_TEST_SERVER_REUSE) still counts the last run: clear it as an admin
        // would
        Http.Reply cleared = Http.send(
                "DELETE",
                WardenApi.url(realm.getBaseUrl(), "throttles?ip=127.0.3.1"),
                admin.tokenManager().getAccessTokenString());
        assertThat(cleared.status()).as(cleared.body()).isEqualTo(200);
        Http.Reply last = null;
        for (int i = 0; i < 4; i++) {
            Visitor v = new Visitor();
            last = BrowserLogin.register(
                    bot, endpoints, REDIRECT, v.verifier, form("signup-bot-" + i, "bot" + i + "@example.com", "short"));
            if (i < 3) {
                assertThat(last.status()).as("attempt %d", i + 1).isNotEqualTo(429);
            }
        }
        assertThat(last.status()).isEqualTo(429);
        assertThat(last.header("Retry-After")).matches("[1-9][0-9]*");
        assertThat(FormPage.text(last.body()))
                .contains("Too many sign-ups from your network. Please try again in 60 minutes.");
        ThrottlePage.assertCountdown(last);
        EventRepresentation event = Events.of(realm, "REGISTER_ERROR").max(5).newest();
        assertThat(event.getError()).isEqualTo("warden_throttled");
        assertThat(event.getDetails()).containsEntry("warden_limit", "signup_ip");
    }

    @Test
    @DisplayName("honeypot filled: refused without saying why, no user, event names the honeypot")
    void honeypot() {
        Visitor v = openRegistration();
        Map<String, String> form = form("signup-robot", "robot@example.com", GOOD_PASSWORD);
        form.put("website", "http://spam.example");
        Http.Reply reply = submit(v, form);
        assertRefused(reply, "signup-robot", "We could not create your account. Please try again later.");
        assertThat(FormPage.text(reply.body()))
                .doesNotContainIgnoringCase("honeypot")
                .doesNotContain("website");
        EventRepresentation event = Events.of(realm, "REGISTER_ERROR").max(5).newest();
        assertThat(event.getError()).isEqualTo("warden_signup_rejected");
        assertThat(event.getDetails()).containsEntry("warden_reason", "honeypot");
    }

    @Test
    @DisplayName("bad input: 320-character email, 10,000-character fields, control characters, confusables, empty "
            + "form: each gets the error that names its field, no 500, no user")
    void badInput() {
        Map<Map<String, String>, String> forms = new LinkedHashMap<>();
        forms.put(
                form("signup-long-email", "a".repeat(300) + "@example.com", GOOD_PASSWORD),
                "Email * Maximal length is 255.");
        forms.put(
                form("u".repeat(10_000), "long@example.com", GOOD_PASSWORD),
                "Username * Length must be between 3 and 255.");
        forms.put(
                form("signup-ctl", "ctl\u0000@exa\u0007mple.com", GOOD_PASSWORD + "\u0000"),
                "Email * Please enter an email address with a valid domain.");
        forms.put(
                form("signup-names", "names@example.com", "p".repeat(10_000)),
                "Password * Invalid password: maximum length 128.");
        forms.put(
                form("signup-\u202Eevil", "evil@ex\u0430mple.com", GOOD_PASSWORD),
                "Email * This email domain is written with look-alike characters. Please check the address.");
        forms.put(form("", "", ""), "Username * Please specify username. Password * Please specify password.");
        int usersBefore = realm.admin().users().count();
        for (Map.Entry<Map<String, String>, String> c : forms.entrySet()) {
            Visitor v = openRegistration();
            Http.Reply reply = submit(v, c.getKey());
            String username = c.getKey().get("username");
            assertThat(reply.status())
                    .as("username of %d characters", username.length())
                    .isBetween(200, 499)
                    .isNotEqualTo(302);
            assertThat(reply.body()).contains("kc-register-form");
            assertThat(FormPage.text(reply.body()).replaceAll("\\s+", " "))
                    .as("username of %d characters", username.length())
                    .contains(c.getValue());
        }
        assertThat(realm.admin().users().count())
                .as("no user created by any of them")
                .isEqualTo(usersBefore);
        // A POST without any field (no browser sends one) trips Keycloak's own RegistrationPassword on an
        // immutable empty map: an error page with status 400, not a 500, and nothing created.
        Visitor empty = openRegistration();
        Http.Reply nothing =
                empty.client.postRaw(FormPage.formAction(empty.page.body(), "kc-register-form"), new byte[0], Map.of());
        assertThat(nothing.status()).isBetween(400, 499);
        assertThat(realm.admin().users().count()).as("nor by the empty POST").isEqualTo(usersBefore);
    }
}
