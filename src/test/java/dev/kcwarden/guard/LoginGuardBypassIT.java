package dev.kcwarden.guard;

import static org.assertj.core.api.Assertions.assertThat;

import dev.kcwarden.testing.DemoRealm;
import dev.kcwarden.testing.Events;
import dev.kcwarden.testing.FormPage;
import dev.kcwarden.testing.GuardLimits;
import dev.kcwarden.testing.Http;
import dev.kcwarden.testing.LoopbackClient;
import dev.kcwarden.testing.Pkce;
import dev.kcwarden.testing.TokenEndpoint;
import dev.kcwarden.testing.Totp;
import dev.kcwarden.testing.Users;
import dev.kcwarden.testing.WardenServerConfig;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.keycloak.representations.idm.AuthenticationExecutionInfoRepresentation;
import org.keycloak.representations.idm.AuthenticationFlowRepresentation;
import org.keycloak.representations.idm.ClientRepresentation;
import org.keycloak.representations.idm.EventRepresentation;
import org.keycloak.testframework.annotations.InjectRealm;
import org.keycloak.testframework.annotations.KeycloakIntegrationTest;
import org.keycloak.testframework.realm.ManagedRealm;
import org.keycloak.testframework.remote.timeoffset.InjectTimeOffSet;
import org.keycloak.testframework.remote.timeoffset.TimeOffSet;

/**
 * The bypasses found against the quickstart, each tried again the way the attacker did: other spellings of one account,
 * guessing one-time codes, filling the account cap to lock the owner out, an allowlisted address, and password checks
 * outside the username/password form. Each test acts from its own loopback addresses with its own users, so tests do
 * not share counters.
 */
@KeycloakIntegrationTest(config = WardenServerConfig.class)
@DisplayName("Login guard bypasses stay closed: spellings, one-time codes, owner lockout, allowlist, identity-first")
class LoginGuardBypassIT {

    static final int USER_IP_MAX = 5;
    static final int ACCOUNT_MAX = 12;
    static final int RESET_ACCOUNT_MAX = 3;
    static final String WRONG = "not-the-password-1";
    static final String PASSWORD = "Bypass-test-passphrase-1";
    static final String TOTP_SECRET = "warden-bypass-test-totp-secret-1";

    @InjectRealm(fromJson = DemoRealm.JSON, config = DemoRealm.Offline.class)
    ManagedRealm realm;

    @InjectTimeOffSet(enableForCaches = true)
    TimeOffSet timeOffSet;

    private TokenEndpoint endpoints;

    @BeforeEach
    void limits() {
        endpoints = new TokenEndpoint(realm.getBaseUrl());
        Map<String, String> login = Map.of(
                "warden.user-ip.max", String.valueOf(USER_IP_MAX),
                "warden.account.max", String.valueOf(ACCOUNT_MAX),
                "warden.ip.max", "1000",
                "warden.known-client.days", "30",
                "warden.allowlist", "127.0.3.250/32",
                "warden.trusted-proxies", "");
        GuardLimits.set(realm, GuardLimits.BROWSER_FLOW, GuardedPasswordFormFactory.PROVIDER_ID, login);
        GuardLimits.set(realm, GuardLimits.DIRECT_GRANT_FLOW, GuardedDirectGrantFactory.PROVIDER_ID, login);
        GuardLimits.set(
                realm,
                GuardLimits.RESET_FLOW,
                GuardedResetChooseUserFactory.PROVIDER_ID,
                Map.of("warden.reset-account.max", String.valueOf(RESET_ACCOUNT_MAX), "warden.reset-ip.max", "1000"));
    }

    // --- how the attacker talks to Keycloak ---

    private String user(String name) {
        Users.create(realm, Users.withPassword(name, PASSWORD));
        return name;
    }

    private String loginPageUrl() {
        return endpoints.authorizationUrl(DemoRealm.SPA, "http://127.0.0.1/callback", Pkce.newVerifier(), "s");
    }

    private Http.Reply formLogin(LoopbackClient browser, String username, String password) {
        Http.Reply page = browser.get(loginPageUrl(), Map.of());
        if (page.status() == 302) {
            return page; // an SSO session from an earlier login of this browser
        }
        String action = FormPage.formAction(page.body(), "kc-form-login");
        return browser.postForm(action, Map.of("username", username, "password", password, "credentialId", ""));
    }

    private Http.Reply grant(LoopbackClient from, String username, String password, String totp) {
        return grant(from, username, password, "totp", totp);
    }

    /** {@code codeParameter} is "totp" or "otp": Keycloak's direct grant reads either. */
    private Http.Reply grant(LoopbackClient from, String username, String password, String codeParameter, String code) {
        return from.postForm(endpoints.tokenUrl(), grantForm(username, password, codeParameter, code));
    }

    private Http.Reply grantForwarded(LoopbackClient from, String username, String password, String forwardedFor) {
        return from.postForm(
                endpoints.tokenUrl(),
                grantForm(username, password, null, null),
                Map.of("X-Forwarded-For", forwardedFor));
    }

    private static Map<String, String> grantForm(String username, String password, String codeParameter, String code) {
        Map<String, String> form = new LinkedHashMap<>();
        form.put("grant_type", "password");
        form.put("client_id", DemoRealm.CLI);
        form.put("username", username);
        form.put("password", password);
        if (code != null) {
            form.put(codeParameter, code);
        }
        return form;
    }

    private Http.Reply requestReset(LoopbackClient browser, String username) {
        Http.Reply login = browser.get(loginPageUrl(), Map.of());
        String link = java.net
                .URI
                .create(realm.getBaseUrl())
                .resolve(FormPage.link(login.body(), "reset-credentials"))
                .toString();
        Http.Reply form = browser.get(link, Map.of());
        return browser.postForm(
                FormPage.formAction(form.body(), "kc-reset-password-form"), Map.of("username", username));
    }

    private static void assertThrottled(Http.Reply reply, String what) {
        assertThat(reply.status()).as(what + ": " + reply.body()).isEqualTo(429);
        assertThat(reply.header("Retry-After")).as(what).matches("[1-9][0-9]*");
        // Sequential attempts never meet a slot still in flight (the 1 s answer): the block lasts
        // until the oldest counted failure leaves its window, which is minutes away in every test here.
        assertThat(Long.parseLong(reply.header("Retry-After")))
                .as(what + ": Retry-After")
                .isBetween(60L, 3600L);
    }

    private static boolean signedIn(Http.Reply reply) {
        return reply.status() == 302 && reply.header("Location").contains("code=");
    }

    /**
     * The newest throttled event of this type for any spelling of {@code account} (one event per block and interval:
     * later spellings of the same block are counted into its summary, not written one by one).
     */
    private EventRepresentation lastThrottle(String type, String account) {
        String wanted = account.toLowerCase(Locale.ROOT);
        return Events.of(realm, type).max(500).list().stream()
                .filter(e -> "warden_throttled".equals(e.getError()))
                .filter(e -> e.getDetails() != null
                        && e.getDetails().get("username") != null
                        && e.getDetails()
                                .get("username")
                                .toLowerCase(Locale.ROOT)
                                .contains(wanted))
                .max(Comparator.comparingLong(EventRepresentation::getTime))
                .orElseThrow();
    }

    /** A spelling as code points, for a readable failure message. */
    private static String shown(String s) {
        StringBuilder out = new StringBuilder();
        s.codePoints()
                .forEach(c -> out.append(c < 0x21 || c > 0x7e ? String.format("\\u%04x", c) : Character.toString(c)));
        return out.toString();
    }

    @Test
    @DisplayName("login form: every spelling Keycloak trims to the account is refused once its limit is full, even "
            + "with the right password")
    void formSpellingsShareTheAccount() {
        String victim = user("spell-form");
        LoopbackClient attacker = new LoopbackClient("127.0.3.1");
        for (int i = 0; i < USER_IP_MAX; i++) {
            Http.Reply reply = formLogin(attacker, victim, WRONG);
            assertThat(reply.status()).isEqualTo(200);
        }
        assertThrottled(formLogin(attacker, victim, WRONG), "plain name");
        for (String spelling : AccountNameTest.formSpellingsOfDemo()) {
            String typed = spelling.replace("demo", victim).replace("DeMo", "SpElL-FoRm");
            assertThrottled(formLogin(attacker, typed, WRONG), "wrong password as " + shown(typed));
        }
        assertThrottled(formLogin(attacker, victim + "\u0001", PASSWORD), "right password as name\\u0001");
        assertThrottled(formLogin(attacker, victim + "@example.com", PASSWORD), "right password as the email");
        assertThat(lastThrottle("LOGIN_ERROR", victim).getDetails()).containsEntry("warden_limit", "user_ip");
    }

    @Test
    @DisplayName(
            "login form: a spelling Keycloak does not trim is no account at all (the right password does not sign in)")
    void otherSpellingsAreNoAccount() {
        String victim = user("spell-other");
        LoopbackClient someone = new LoopbackClient("127.0.3.2");
        for (String typed : List.of(victim + "\u00a0", "\u00a0" + victim, "ｓｐｅｌｌ-ｏｔｈｅｒ", "spell\u0001-other")) {
            Http.Reply reply = formLogin(someone, typed, PASSWORD);
            assertThat(reply.status()).as(shown(typed)).isEqualTo(200);
            assertThat(FormPage.text(reply.body())).as(shown(typed)).contains("Invalid username or password");
        }
        assertThat(signedIn(formLogin(new LoopbackClient("127.0.3.3"), " " + victim + "\u0001", PASSWORD)))
                .as("the spelling Keycloak trims signs in, so it must be (and is) counted as the account")
                .isTrue();
    }

    @Test
    @DisplayName("direct grant: trimmed spellings, other case and the email count against the account")
    void directGrantSpellings() {
        String victim = user("spell-grant");
        assertThat(grant(new LoopbackClient("127.0.3.5"), victim + "\u0001", PASSWORD, null)
                        .status())
                .as("Keycloak's direct grant trims the name too, so this spelling is the account")
                .isEqualTo(200);
        LoopbackClient attacker = new LoopbackClient("127.0.3.4");
        for (int i = 0; i < USER_IP_MAX; i++) {
            assertThat(grant(attacker, victim, WRONG, null).status()).isEqualTo(400);
        }
        for (String spelling : AccountNameTest.formSpellingsOfDemo()) {
            String typed = spelling.replace("demo", victim).replace("DeMo", "SpElL-GrAnT");
            assertThrottled(grant(attacker, typed, PASSWORD, null), "right password as " + shown(typed));
        }
        assertThrottled(grant(attacker, victim + "@example.com", PASSWORD, null), "the email");
        for (String typed : List.of(victim + "\u00a0", "spell\u0001-grant", "ｓｐｅｌｌ-ｇｒａｎｔ")) {
            Http.Reply reply = grant(new LoopbackClient("127.0.3.7"), typed, PASSWORD, null);
            assertThat(reply.status())
                    .as("Keycloak finds no account for " + shown(typed))
                    .isEqualTo(400);
        }
    }

    @Test
    @DisplayName("forgot password: trimmed spellings count against the same account's request limit")
    void resetSpellings() {
        String victim = user("spell-reset");
        for (int i = 0; i < RESET_ACCOUNT_MAX; i++) {
            assertThat(requestReset(new LoopbackClient("127.0.3." + (10 + i)), victim)
                            .status())
                    .isEqualTo(200);
        }
        for (String typed :
                List.of(victim + "\u0001", "\t" + victim, "\u0002" + victim.toUpperCase(), victim + "@example.com")) {
            Http.Reply reply = requestReset(new LoopbackClient("127.0.3.20"), typed);
            assertThrottled(reply, "reset as " + shown(typed));
        }
        assertThat(lastThrottle("RESET_PASSWORD_ERROR", victim).getDetails())
                .containsEntry("warden_limit", "reset_account");
    }

    private String otpUser(String name) {
        Users.create(realm, Totp.withOtp(Users.withPassword(name, PASSWORD), TOTP_SECRET));
        return name;
    }

    @Test
    @DisplayName("token endpoint: the right password and wrong codes (totp or otp parameter) get 429 at the limit, "
            + "then even the right code")
    void totpOnTokenEndpoint() {
        String victim = otpUser("otp-grant");
        LoopbackClient attacker = new LoopbackClient("127.0.3.30");
        for (int i = 0; i < USER_IP_MAX; i++) {
            String parameter = i % 2 == 0 ? "totp" : "otp";
            Http.Reply reply = grant(attacker, victim, PASSWORD, parameter, Totp.wrong(TOTP_SECRET, i));
            assertThat(reply.status())
                    .as("wrong code %d as %s: %s", i, parameter, reply.body())
                    .isEqualTo(400);
        }
        assertThrottled(
                grant(attacker, victim, PASSWORD, "otp", Totp.wrong(TOTP_SECRET, 99)), "next wrong code as otp");
        assertThrottled(grant(attacker, victim, PASSWORD, "otp", Totp.now(TOTP_SECRET)), "right code as otp");
        assertThrottled(grant(attacker, victim, PASSWORD, "totp", Totp.now(TOTP_SECRET)), "right code as totp");
        assertThat(grant(new LoopbackClient("127.0.3.31"), victim, PASSWORD, Totp.now(TOTP_SECRET))
                        .status())
                .as("the owner from elsewhere")
                .isEqualTo(200);
    }

    @Test
    @DisplayName("login form: the right password does not reset the count of wrong codes; the OTP page answers 429")
    void otpFormGuessing() {
        String victim = otpUser("otp-form");
        LoopbackClient attacker = new LoopbackClient("127.0.3.32");
        Http.Reply otpPage = null;
        for (int i = 0; i < USER_IP_MAX; i++) {
            // Each round starts over with the right password, as an attacker who knows it would.
            otpPage = formLogin(attacker, victim, PASSWORD);
            assertThat(otpPage.status()).as(otpPage.body()).isEqualTo(200);
            String action = FormPage.formAction(otpPage.body(), "kc-otp-login-form");
            Http.Reply wrong = attacker.postForm(action, Map.of("otp", Totp.wrong(TOTP_SECRET, i)));
            assertThat(wrong.status()).as("wrong code %d", i).isEqualTo(200);
            assertThat(FormPage.text(wrong.body())).contains("Invalid authenticator code");
            otpPage = wrong;
        }
        String action = FormPage.formAction(otpPage.body(), "kc-otp-login-form");
        Http.Reply refused = attacker.postForm(action, Map.of("otp", Totp.now(TOTP_SECRET)));
        assertThrottled(refused, "the right code after the limit");
        assertThat(FormPage.text(refused.body())).contains("Too many failed sign-in attempts");
        assertThrottled(formLogin(attacker, victim, PASSWORD), "the password step too");
    }

    @Test
    @DisplayName("token endpoint: wrong codes with the right password from many addresses fill the account cap; the "
            + "known address still gets in")
    void otpCodesFillTheAccountCap() {
        String owner = otpUser("otp-cap");
        LoopbackClient home = new LoopbackClient("127.0.4.50");
        assertThat(grant(home, owner, PASSWORD, Totp.now(TOTP_SECRET)).status()).isEqualTo(200);
        int sent = 0;
        for (int a = 0; sent < ACCOUNT_MAX; a++) {
            LoopbackClient stranger = new LoopbackClient("127.0.10." + a);
            for (int i = 0; i < USER_IP_MAX - 1 && sent < ACCOUNT_MAX; i++, sent++) {
                Http.Reply reply = grant(stranger, owner, PASSWORD, Totp.wrong(TOTP_SECRET, sent));
                assertThat(reply.status())
                        .as("wrong code %d: %s", sent, reply.body())
                        .isEqualTo(400);
            }
        }
        assertThrottled(
                grant(new LoopbackClient("127.0.10.200"), owner, PASSWORD, Totp.wrong(TOTP_SECRET, 77)),
                "a new address, cap full");
        assertThat(lastThrottle("LOGIN_ERROR", owner).getDetails()).containsEntry("warden_limit", "account");
        assertThat(grant(home, owner, PASSWORD, Totp.next(TOTP_SECRET)).status())
                .as("the owner from the known address")
                .isEqualTo(200);
    }

    /**
     * The same browser on another network, after its login session ended: only the long-lived device cookie is left.
     */
    private static LoopbackClient withDeviceCookieOnly(LoopbackClient browser, String otherAddress) {
        LoopbackClient moved = browser.from(otherAddress);
        moved.forgetCookiesExcept(KnownDevice.COOKIE);
        return moved;
    }

    private void fillCap(String victim, int firstOctet) {
        // ACCOUNT_MAX failures spread over addresses, each below its per-user+IP limit.
        int sent = 0;
        for (int a = 0; sent < ACCOUNT_MAX; a++) {
            LoopbackClient stranger = new LoopbackClient("127.0." + firstOctet + "." + a);
            for (int i = 0; i < USER_IP_MAX - 1 && sent < ACCOUNT_MAX; i++, sent++) {
                assertThat(grant(stranger, victim, WRONG, null).status()).isEqualTo(400);
            }
        }
        assertThrottled(grant(new LoopbackClient("127.0." + firstOctet + ".200"), victim, WRONG, null), "cap is full");
    }

    @Test
    @DisplayName("direct grant: the address that logged in before gets in; a new address gets 429")
    void knownAddress() {
        String owner = user("lock-grant");
        LoopbackClient home = new LoopbackClient("127.0.4.1");
        assertThat(grant(home, owner, PASSWORD, null).status()).isEqualTo(200);
        fillCap(owner, 5);
        assertThat(grant(home, owner, PASSWORD, null).status())
                .as("owner from the known address")
                .isEqualTo(200);
        assertThat(grant(home, owner + "@example.com", PASSWORD, null).status())
                .as("by email too")
                .isEqualTo(200);
        assertThrottled(grant(new LoopbackClient("127.0.4.2"), owner, PASSWORD, null), "owner from a new address");
        assertThat(lastThrottle("LOGIN_ERROR", owner).getDetails()).containsEntry("warden_limit", "account");
    }

    @Test
    @DisplayName("direct grant: the known address keeps its own per-user+IP limit")
    void knownAddressKeepsItsLimit() {
        String owner = user("lock-own-limit");
        LoopbackClient home = new LoopbackClient("127.0.4.3");
        assertThat(grant(home, owner, PASSWORD, null).status()).isEqualTo(200);
        fillCap(owner, 6);
        for (int i = 0; i < USER_IP_MAX; i++) {
            assertThat(grant(home, owner, WRONG, null).status()).isEqualTo(400);
        }
        assertThrottled(grant(home, owner, PASSWORD, null), "known address after its own limit");
    }

    @Test
    @DisplayName("browser: the device that logged in before gets in even from a new address; no cookie, no exemption")
    void knownDevice() {
        String owner = user("lock-device");
        LoopbackClient laptop = new LoopbackClient("127.0.4.10");
        Http.Reply login = formLogin(laptop, owner, PASSWORD);
        assertThat(signedIn(login)).isTrue();
        String setCookie = java.util.Arrays.stream(login.header("Set-Cookie").split(", (?=[A-Za-z0-9_-]+=)"))
                .filter(c -> c.startsWith(KnownDevice.COOKIE + "="))
                .findFirst()
                .orElseThrow()
                .toLowerCase(java.util.Locale.ROOT);
        assertThat(setCookie)
                .as("the device cookie's attributes")
                .contains("httponly", "samesite=lax", "path=/realms/" + DemoRealm.NAME + "/")
                .containsPattern("max-age=2592000")
                .doesNotContain("secure"); // plain http here; Secure over https
        fillCap(owner, 7);
        LoopbackClient sameLaptopElsewhere = withDeviceCookieOnly(laptop, "127.0.4.11");
        assertThat(signedIn(formLogin(sameLaptopElsewhere, owner, PASSWORD)))
                .as("known device, new address")
                .isTrue();
        assertThrottled(formLogin(new LoopbackClient("127.0.4.12"), owner, PASSWORD), "a browser without the cookie");
    }

    @Test
    @DisplayName("the device cookie and the known address count for warden.known-client.days (30): still known after "
            + "29, forgotten after 31")
    void knownClientsExpire() {
        String keptOwner = user("lock-day-29");
        String expiredOwner = user("lock-day-31");
        LoopbackClient keptLaptop = new LoopbackClient("127.0.4.60");
        LoopbackClient keptHome = new LoopbackClient("127.0.4.61");
        LoopbackClient expiredLaptop = new LoopbackClient("127.0.4.62");
        LoopbackClient expiredHome = new LoopbackClient("127.0.4.63");
        assertThat(signedIn(formLogin(keptLaptop, keptOwner, PASSWORD))).isTrue();
        assertThat(grant(keptHome, keptOwner, PASSWORD, null).status()).isEqualTo(200);
        assertThat(signedIn(formLogin(expiredLaptop, expiredOwner, PASSWORD))).isTrue();
        assertThat(grant(expiredHome, expiredOwner, PASSWORD, null).status()).isEqualTo(200);

        timeOffSet.set(29 * 86_400);
        fillCap(keptOwner, 11);
        LoopbackClient keptLaptopElsewhere = withDeviceCookieOnly(keptLaptop, "127.0.4.64");
        assertThat(signedIn(formLogin(keptLaptopElsewhere, keptOwner, PASSWORD)))
                .as("device after 29 days")
                .isTrue();
        assertThat(grant(keptHome, keptOwner, PASSWORD, null).status())
                .as("address after 29 days")
                .isEqualTo(200);

        timeOffSet.set(31 * 86_400);
        fillCap(expiredOwner, 12);
        LoopbackClient expiredLaptopElsewhere = withDeviceCookieOnly(expiredLaptop, "127.0.4.65");
        assertThrottled(formLogin(expiredLaptopElsewhere, expiredOwner, PASSWORD), "device after 31 days");
        assertThrottled(grant(expiredHome, expiredOwner, PASSWORD, null), "address after 31 days");
    }

    @Test
    @DisplayName("a password change forgets the known device and the known address (a reset after a compromise "
            + "leaves the attacker nothing)")
    void passwordChangeForgetsKnownClients() {
        String owner = user("lock-new-password");
        LoopbackClient laptop = new LoopbackClient("127.0.4.70");
        LoopbackClient home = new LoopbackClient("127.0.4.71");
        assertThat(signedIn(formLogin(laptop, owner, PASSWORD))).isTrue();
        assertThat(grant(home, owner, PASSWORD, null).status()).isEqualTo(200);
        String newPassword = "Bypass-test-passphrase-2";
        org.keycloak.representations.idm.CredentialRepresentation reset =
                new org.keycloak.representations.idm.CredentialRepresentation();
        reset.setType("password");
        reset.setValue(newPassword);
        reset.setTemporary(false);
        realm.admin()
                .users()
                .get(realm.admin().users().search(owner, true).get(0).getId())
                .resetPassword(reset);
        fillCap(owner, 13);
        LoopbackClient laptopElsewhere = withDeviceCookieOnly(laptop, "127.0.4.72");
        assertThrottled(formLogin(laptopElsewhere, owner, newPassword), "the device cookie from before the change");
        assertThrottled(grant(home, owner, newPassword, null), "the address from before the change");
    }

    @Test
    @DisplayName(
            "a forged or foreign device cookie gives no exemption; only the cookie exactly as the realm signed it does")
    void forgedCookie() {
        String owner = user("lock-forged");
        String stranger = user("lock-stranger");
        LoopbackClient ownerLaptop = new LoopbackClient("127.0.4.22");
        assertThat(signedIn(formLogin(ownerLaptop, owner, PASSWORD))).isTrue();
        String ownerCookie = ownerLaptop.cookie(KnownDevice.COOKIE);
        LoopbackClient strangerBrowser = new LoopbackClient("127.0.4.20");
        assertThat(signedIn(formLogin(strangerBrowser, stranger, PASSWORD))).isTrue();
        String strangerCookie = strangerBrowser.cookie(KnownDevice.COOKIE);
        fillCap(owner, 8);
        strangerBrowser.forgetCookiesExcept(KnownDevice.COOKIE);
        assertThrottled(formLogin(strangerBrowser, owner, PASSWORD), "the stranger's own cookie");

        String ownerClaim = ownerCookie.substring(0, ownerCookie.lastIndexOf('.'));
        String strangerMac = strangerCookie.substring(strangerCookie.lastIndexOf('.') + 1);
        LoopbackClient forger = new LoopbackClient("127.0.4.21");
        forger.setCookie(KnownDevice.COOKIE, ownerClaim + "." + strangerMac);
        assertThrottled(
                formLogin(forger, owner, PASSWORD), "the owner's exact claim under another account's signature");
        String flipped =
                ownerCookie.substring(0, ownerCookie.length() - 2) + (ownerCookie.endsWith("AA") ? "BB" : "AA");
        forger.setCookie(KnownDevice.COOKIE, flipped);
        assertThrottled(formLogin(forger, owner, PASSWORD), "the owner's cookie with its signature changed");
        String longer =
                ownerClaim.replaceFirst("\\.(\\d+)$", ".9$1") + ownerCookie.substring(ownerCookie.lastIndexOf('.'));
        forger.setCookie(KnownDevice.COOKIE, longer);
        assertThrottled(
                formLogin(forger, owner, PASSWORD), "the owner's cookie with a later end and the old signature");
        forger.setCookie(KnownDevice.COOKIE, ownerCookie);
        assertThat(signedIn(formLogin(forger, owner, PASSWORD)))
                .as("the owner's cookie exactly as issued (the control)")
                .isTrue();
    }

    @Test
    @DisplayName("an account whose username is its email: the device cookie works (one name, one tag)")
    void usernameIsTheEmail() {
        String owner = "same-name@example.com";
        org.keycloak.representations.idm.UserRepresentation rep = Users.withPassword(owner, PASSWORD);
        rep.setEmail(owner);
        Users.create(realm, rep);
        LoopbackClient laptop = new LoopbackClient("127.0.4.40");
        assertThat(signedIn(formLogin(laptop, owner, PASSWORD))).isTrue();
        fillCap(owner, 14);
        LoopbackClient laptopElsewhere = withDeviceCookieOnly(laptop, "127.0.4.41");
        assertThat(signedIn(formLogin(laptopElsewhere, owner, PASSWORD)))
                .as("the cookie while the cap is full")
                .isTrue();
    }

    @Test
    @DisplayName("with the exemption off (0 days) the owner waits like everybody else, cookie and known address "
            + "notwithstanding")
    void exemptionOff() {
        String owner = user("lock-off");
        LoopbackClient home = new LoopbackClient("127.0.4.30");
        LoopbackClient laptop = new LoopbackClient("127.0.4.31");
        assertThat(grant(home, owner, PASSWORD, null).status()).isEqualTo(200);
        assertThat(signedIn(formLogin(laptop, owner, PASSWORD))).isTrue();
        // Turned off after both were remembered: what they carry must no longer count.
        GuardLimits.set(
                realm,
                GuardLimits.DIRECT_GRANT_FLOW,
                GuardedDirectGrantFactory.PROVIDER_ID,
                Map.of("warden.known-client.days", "0"));
        GuardLimits.set(
                realm,
                GuardLimits.BROWSER_FLOW,
                GuardedPasswordFormFactory.PROVIDER_ID,
                Map.of("warden.known-client.days", "0"));
        fillCap(owner, 9);
        assertThrottled(grant(home, owner, PASSWORD, null), "known address, exemption off");
        LoopbackClient laptopElsewhere = withDeviceCookieOnly(laptop, "127.0.4.32");
        assertThat(laptopElsewhere.cookie(KnownDevice.COOKIE)).isNotNull();
        assertThrottled(formLogin(laptopElsewhere, owner, PASSWORD), "known device, exemption off");
    }

    @Test
    @DisplayName("with trusted proxies set, a client that reaches Keycloak directly cannot pick its address through "
            + "X-Forwarded-For")
    void directClientCannotActAsProxy() {
        GuardLimits.set(
                realm,
                GuardLimits.DIRECT_GRANT_FLOW,
                GuardedDirectGrantFactory.PROVIDER_ID,
                Map.of("warden.trusted-proxies", "127.0.0.1/32"));
        String victim = user("proxy-direct");
        LoopbackClient attacker = new LoopbackClient("127.0.3.60");
        for (int i = 0; i < USER_IP_MAX; i++) {
            // its own address first (what this Keycloak, without proxy headers, reports), then a new made-up one
            Http.Reply reply = grantForwarded(attacker, victim, WRONG, "127.0.3.60, 127.0.9." + i);
            assertThat(reply.status()).as("attempt %d: %s", i, reply.body()).isEqualTo(400);
        }
        Http.Reply refused = grantForwarded(attacker, victim, PASSWORD, "127.0.3.60, 127.0.9.99");
        assertThrottled(refused, "a sixth made-up address");
        assertThat(lastThrottle("LOGIN_ERROR", victim).getDetails()).containsEntry("warden_limit", "user_ip");
    }

    @Test
    @DisplayName("an allowlisted address that fills the account cap gets 429 like any other")
    void allowlistedAddressHitsTheCap() {
        String victim = user("allow-cap");
        LoopbackClient office = new LoopbackClient("127.0.3.250");
        for (int i = 0; i < ACCOUNT_MAX; i++) {
            assertThat(grant(office, victim, WRONG, null).status())
                    .as("attempt %d", i)
                    .isEqualTo(400);
        }
        assertThrottled(grant(office, victim, PASSWORD, null), "allowlisted address, full cap");
        assertThat(lastThrottle("LOGIN_ERROR", victim).getDetails()).containsEntry("warden_limit", "account");
    }

    @Test
    @DisplayName("identity-first (Username Form, then warden's password form): wrong passwords reach 429")
    void identityFirst() {
        String flowId = identityFirstFlow();
        ClientRepresentation client = new ClientRepresentation();
        client.setClientId("identity-first-app");
        client.setPublicClient(true);
        client.setRedirectUris(List.of("http://127.0.0.1/*"));
        client.setAuthenticationFlowBindingOverrides(Map.of("browser", flowId));
        realm.admin().clients().create(client).close();
        String victim = user("first-id");
        LoopbackClient attacker = new LoopbackClient("127.0.3.40");
        Http.Reply last = null;
        // The execution has no configuration, so it applies warden's defaults: 10 per username and IP.
        int defaultUserIpMax = 10;
        for (int i = 0; i <= defaultUserIpMax; i++) {
            Http.Reply page = attacker.get(
                    endpoints.authorizationUrl("identity-first-app", "http://127.0.0.1/cb", Pkce.newVerifier(), "s"),
                    Map.of());
            Http.Reply passwordPage =
                    attacker.postForm(FormPage.formAction(page.body(), "kc-form-login"), Map.of("username", victim));
            assertThat(passwordPage.status()).as(passwordPage.body()).isEqualTo(200);
            last = attacker.postForm(
                    FormPage.formAction(passwordPage.body(), "kc-form-login"), Map.of("password", WRONG));
            if (i < defaultUserIpMax) {
                assertThat(last.status()).as("wrong password %d", i).isEqualTo(200);
            }
        }
        assertThrottled(last, "identity-first password form");
    }

    private String identityFirstFlow() {
        AuthenticationFlowRepresentation flow = new AuthenticationFlowRepresentation();
        flow.setAlias("identity first test");
        flow.setProviderId("basic-flow");
        flow.setTopLevel(true);
        flow.setBuiltIn(false);
        realm.admin().flows().createFlow(flow).close();
        for (String provider : List.of("auth-username-form", GuardedPasswordOnlyFormFactory.PROVIDER_ID)) {
            realm.admin().flows().addExecution("identity first test", Map.<String, Object>of("provider", provider));
        }
        for (AuthenticationExecutionInfoRepresentation execution :
                realm.admin().flows().getExecutions("identity first test")) {
            execution.setRequirement("REQUIRED");
            realm.admin().flows().updateExecutions("identity first test", execution);
        }
        return realm.admin().flows().getFlows().stream()
                .filter(f -> f.getAlias().equals("identity first test"))
                .findFirst()
                .orElseThrow()
                .getId();
    }
}
