package dev.kcwarden.session;

import static org.assertj.core.api.Assertions.assertThat;

import dev.kcwarden.testing.DemoRealm;
import dev.kcwarden.testing.DemoRealmBrowserTest;
import dev.kcwarden.testing.Events;
import dev.kcwarden.testing.Http;
import dev.kcwarden.testing.Pkce;
import dev.kcwarden.testing.Users;
import dev.kcwarden.testing.WardenServerConfig;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.keycloak.representations.idm.EventRepresentation;
import org.keycloak.testframework.annotations.KeycloakIntegrationTest;

/**
 * US4: logging out ends what an application relies on. The access token itself is self-contained and stays verifiable
 * until it expires (5 minutes in the demo realm); introspection tells the truth at once.
 */
@KeycloakIntegrationTest(config = WardenServerConfig.class)
@DisplayName("Logout and revocation end the refresh token, introspection and the SSO session")
class LogoutIT extends DemoRealmBrowserTest {

    static final String PASSWORD = "Logout-test-passphrase-1";

    private String apiSecret;

    @BeforeEach
    void apiSecret() {
        String apiId =
                realm.admin().clients().findByClientId(DemoRealm.API).get(0).getId();
        apiSecret = realm.admin().clients().get(apiId).getSecret().getValue();
    }

    private Map<String, Object> signIn(String username) {
        String verifier = Pkce.newVerifier();
        Map<String, String> callback = browser.signIn(
                driver,
                loginPage,
                endpoints,
                browser.authorizationUrl(endpoints, DemoRealm.SPA, verifier, "s"),
                username,
                PASSWORD);
        Http.Reply tokens =
                endpoints.exchangeCode(DemoRealm.SPA, callback.get("code"), browser.redirectUri(), verifier);
        assertThat(tokens.status()).as(tokens.body()).isEqualTo(200);
        Map<String, Object> json = tokens.json();
        assertThat(endpoints.introspect(DemoRealm.API, apiSecret, (String) json.get("access_token")))
                .as("before: the access token is active")
                .containsEntry("active", true);
        return json;
    }

    private void assertSessionOver(Map<String, Object> tokens, String userId) {
        Http.Reply refresh = endpoints.refresh(DemoRealm.SPA, (String) tokens.get("refresh_token"));
        assertThat(refresh.status()).as(refresh.body()).isEqualTo(400);
        assertThat(refresh.json()).containsEntry("error", "invalid_grant");
        assertThat(endpoints.introspect(DemoRealm.API, apiSecret, (String) tokens.get("access_token")))
                .containsEntry("active", false);
        assertThat(realm.admin().users().get(userId).getUserSessions()).isEmpty();
        assertThat(browser.authorizeSilently(
                        driver, browser.authorizationUrl(endpoints, DemoRealm.SPA, Pkce.newVerifier(), "t")))
                .as("a new login prompt")
                .isEmpty();
        loginPage.assertCurrent();
    }

    @Test
    @DisplayName("RP-initiated logout (end-session endpoint with id_token_hint)")
    void rpInitiatedLogout() {
        String userId = Users.create(realm, Users.withPassword("logout-alice", PASSWORD));
        Map<String, Object> tokens = signIn("logout-alice");

        driver.open(endpoints.realmUrl() + "/protocol/openid-connect/logout?id_token_hint=" + tokens.get("id_token"));

        assertSessionOver(tokens, userId);
        List<EventRepresentation> logouts =
                Events.of(realm, "LOGOUT").user(userId).max(5).list();
        assertThat(logouts).as("LOGOUT stored").isNotEmpty();
    }

    @Test
    @DisplayName("token revocation (RFC 7009) of the refresh token")
    void revocation() {
        String userId = Users.create(realm, Users.withPassword("logout-bob", PASSWORD));
        Map<String, Object> tokens = signIn("logout-bob");

        Http.Reply revoked = Http.postForm(
                endpoints.realmUrl() + "/protocol/openid-connect/revoke",
                Map.of(
                        "client_id",
                        DemoRealm.SPA,
                        "token",
                        (String) tokens.get("refresh_token"),
                        "token_type_hint",
                        "refresh_token"));
        assertThat(revoked.status()).as(revoked.body()).isEqualTo(200);

        assertSessionOver(tokens, userId);
    }
}
