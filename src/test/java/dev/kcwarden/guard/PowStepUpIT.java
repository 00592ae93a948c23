package dev.kcwarden.guard;

import static org.assertj.core.api.Assertions.assertThat;

import dev.kcwarden.testing.DemoRealm;
import dev.kcwarden.testing.Events;
import dev.kcwarden.testing.FormPage;
import dev.kcwarden.testing.GuardedLogin;
import dev.kcwarden.testing.Http;
import dev.kcwarden.testing.LoopbackClient;
import dev.kcwarden.testing.WardenServerConfig;
import java.util.HashMap;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.keycloak.testframework.annotations.InjectRealm;
import org.keycloak.testframework.annotations.KeycloakIntegrationTest;
import org.keycloak.testframework.realm.ManagedRealm;

/**
 * The proof-of-work step-up on the real login form, driven over plain HTTP: the test solves puzzles in Java, as
 * warden-pow.js does in a browser.
 */
@KeycloakIntegrationTest(config = WardenServerConfig.class)
@DisplayName("Proof-of-work step-up on the browser login form")
class PowStepUpIT {

    static final int USER_IP_MAX = 4;
    static final int BASE_BITS = 4;
    static final String WRONG = "not-the-password-1";
    static final String PASSWORD = "Pow-test-passphrase-1";
    static final String REFUSED = "Your browser has to finish a short security check";
    private static final Pattern PUZZLE =
            Pattern.compile("id=\"warden-pow\"[^>]*data-nonce=\"([A-Za-z0-9_-]+)\"\\s+data-bits=\"([0-9]+)\"");

    @InjectRealm(fromJson = DemoRealm.JSON, config = DemoRealm.Offline.class)
    ManagedRealm realm;

    private GuardedLogin login;

    @BeforeEach
    void limits() {
        login = GuardedLogin.browser(
                realm,
                PASSWORD,
                Map.of(
                        "warden.user-ip.max",
                        String.valueOf(USER_IP_MAX),
                        "warden.pow.threshold",
                        "50%",
                        "warden.pow.base-bits",
                        String.valueOf(BASE_BITS),
                        "warden.pow.max-bits",
                        "6"));
    }

    record Puzzle(String nonce, int bits) {}

    private static Puzzle puzzle(Http.Reply page) {
        Matcher m = PUZZLE.matcher(page.body());
        assertThat(m.find()).as("the page carries a puzzle").isTrue();
        return new Puzzle(m.group(1), Integer.parseInt(m.group(2)));
    }

    private Http.Reply loginPage(LoopbackClient browser) {
        return login.loginPage(browser);
    }

    private static Http.Reply submit(
            LoopbackClient browser, Http.Reply page, String username, String password, String nonce, String solution) {
        Map<String, String> extra = new HashMap<>();
        if (nonce != null) {
            extra.put("warden_pow_nonce", nonce);
        }
        if (solution != null) {
            extra.put("warden_pow", solution);
        }
        return GuardedLogin.submit(browser, page, username, password, extra);
    }

    private static boolean loggedIn(Http.Reply reply) {
        return reply.status() == 302 && reply.header("Location").contains("code=");
    }

    private String user(String name) {
        return login.user(name);
    }

    /** Fails the account's password from this browser until the page asks for a puzzle (half the limit). */
    private Http.Reply failToThreshold(LoopbackClient browser, String name) {
        Http.Reply page = loginPage(browser);
        for (int i = 0; i < USER_IP_MAX / 2; i++) {
            page = submit(browser, page, name, WRONG, null, null);
            assertThat(page.status()).isEqualTo(200);
            assertThat(FormPage.text(page.body())).contains("Invalid username or password");
        }
        return page;
    }

    @Test
    @DisplayName("below the threshold the form has no puzzle and the right password logs in without one")
    void belowThreshold() {
        String name = user("pow-below");
        LoopbackClient browser = new LoopbackClient("127.0.81.1");
        Http.Reply page = loginPage(browser);
        assertThat(page.body()).doesNotContain("id=\"warden-pow\"");
        page = submit(browser, page, name, WRONG, null, null);
        assertThat(page.body()).as("1 of 4 failures: below half").doesNotContain("id=\"warden-pow\"");
        assertThat(loggedIn(submit(browser, page, name, PASSWORD, null, null))).isTrue();
    }

    @Test
    @DisplayName("past the threshold: a missing, malformed or wrong solution is refused with the right password, "
            + "never counts, and a right one logs in")
    void refusedWithoutPasswordCheck() {
        String name = user("pow-refused");
        LoopbackClient browser = new LoopbackClient("127.0.82.1");
        Http.Reply page = failToThreshold(browser, name);
        Puzzle first = puzzle(page);
        assertThat(first.bits()).isEqualTo(BASE_BITS);
        assertThat(first.nonce()).hasSize(22);

        page = submit(browser, page, name, PASSWORD, null, null);
        assertThat(loggedIn(page))
                .as("no solution: the right password does not log in")
                .isFalse();
        assertThat(page.status()).isEqualTo(200);
        assertThat(FormPage.text(page.body())).contains(REFUSED);
        Puzzle fresh = puzzle(page);
        assertThat(fresh.nonce()).isNotEqualTo(first.nonce());

        page = submit(browser, page, name, PASSWORD, fresh.nonce(), PowSolver.wrong(fresh.nonce(), fresh.bits()));
        assertThat(loggedIn(page))
                .as("wrong solution: the right password does not log in")
                .isFalse();
        assertThat(FormPage.text(page.body())).contains(REFUSED);

        Puzzle p = puzzle(page);
        page = submit(browser, page, name, PASSWORD, p.nonce(), PowSolver.solve(p.nonce(), p.bits()) + " ");
        assertThat(loggedIn(page)).as("malformed solution").isFalse();

        // More refusals than the limit has slots: none of them counted.
        for (int i = 0; i < USER_IP_MAX + 1; i++) {
            page = submit(browser, page, name, WRONG, null, null);
            assertThat(page.status()).isEqualTo(200);
            assertThat(FormPage.text(page.body())).contains(REFUSED).doesNotContain("Invalid username or password");
        }
        p = puzzle(page);
        assertThat(p.bits()).as("no failure was counted since").isEqualTo(BASE_BITS);
        page = submit(browser, page, name, PASSWORD, p.nonce(), PowSolver.solve(p.nonce(), p.bits()));
        assertThat(loggedIn(page)).as("%s %s", page.status(), page.body()).isTrue();

        assertThat(Events.of(realm, "LOGIN_ERROR").max(50).list()).anySatisfy(e -> {
            assertThat(e.getError()).isEqualTo("warden_pow_refused");
            assertThat(e.getDetails())
                    .containsEntry("warden_pow", "missing")
                    .containsEntry("warden_pow_bits", String.valueOf(BASE_BITS));
        });
    }

    @Test
    @DisplayName("a solved nonce works once: replayed after a failed password it is refused; difficulty rises with "
            + "each counted failure")
    void replayRefused() {
        String name = user("pow-replay");
        LoopbackClient browser = new LoopbackClient("127.0.83.1");
        Http.Reply page = failToThreshold(browser, name);
        Puzzle first = puzzle(page);
        String firstSolution = PowSolver.solve(first.nonce(), first.bits());
        Http.Reply failed = submit(browser, page, name, WRONG, first.nonce(), firstSolution);
        assertThat(FormPage.text(failed.body()))
                .as("a solved puzzle lets the password be checked")
                .contains("Invalid username or password");
        Puzzle harder = puzzle(failed);
        assertThat(harder.bits()).isEqualTo(BASE_BITS + 1);

        Http.Reply replay = submit(browser, failed, name, PASSWORD, first.nonce(), firstSolution);
        assertThat(loggedIn(replay))
                .as("replayed solution with the right password")
                .isFalse();
        assertThat(FormPage.text(replay.body())).contains(REFUSED);
        assertThat(Events.of(realm, "LOGIN_ERROR").max(50).list())
                .anySatisfy(e -> assertThat(e.getDetails()).containsEntry("warden_pow", "reused"));

        Puzzle again = puzzle(replay);
        assertThat(again.bits()).isEqualTo(BASE_BITS + 1);
        Http.Reply ok =
                submit(browser, replay, name, PASSWORD, again.nonce(), PowSolver.solve(again.nonce(), again.bits()));
        assertThat(loggedIn(ok)).as("%s %s", ok.status(), ok.body()).isTrue();
    }

    @Test
    @DisplayName("at the limit itself the hard 429 stays, whatever the puzzle")
    void hardLimitStays() {
        String name = user("pow-limit");
        LoopbackClient browser = new LoopbackClient("127.0.84.1");
        Http.Reply page = failToThreshold(browser, name);
        for (int i = USER_IP_MAX / 2; i < USER_IP_MAX; i++) {
            Puzzle p = puzzle(page);
            page = submit(browser, page, name, WRONG, p.nonce(), PowSolver.solve(p.nonce(), p.bits()));
            assertThat(FormPage.text(page.body())).contains("Invalid username or password");
        }
        Puzzle p = puzzle(page);
        page = submit(browser, page, name, PASSWORD, p.nonce(), PowSolver.solve(p.nonce(), p.bits()));
        assertThat(page.status()).isEqualTo(429);
        assertThat(submit(browser, page, name, PASSWORD, null, null).status()).isEqualTo(429);
    }
}
