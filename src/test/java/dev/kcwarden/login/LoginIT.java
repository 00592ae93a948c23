package dev.kcwarden.login;

import static org.assertj.core.api.Assertions.assertThat;

import com.nimbusds.jwt.JWTClaimsSet;
import dev.kcwarden.testing.AccessTokens;
import dev.kcwarden.testing.BrowserLogin;
import dev.kcwarden.testing.DemoRealm;
import dev.kcwarden.testing.DemoRealmBrowserTest;
import dev.kcwarden.testing.Events;
import dev.kcwarden.testing.Http;
import dev.kcwarden.testing.Pkce;
import dev.kcwarden.testing.TokenEndpoint;
import dev.kcwarden.testing.WardenServerConfig;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.keycloak.representations.idm.EventRepresentation;
import org.keycloak.testframework.annotations.KeycloakIntegrationTest;

@KeycloakIntegrationTest(config = WardenServerConfig.class)
@DisplayName("The demo user logs in and gets a JWT that a resource server can verify")
class LoginIT extends DemoRealmBrowserTest {

    @Test
    @DisplayName("browser: authorization code + PKCE with demo-spa yields an access token for demo-api")
    void browserLoginWithPkce() throws Exception {
        String verifier = Pkce.newVerifier();
        String state = Pkce.randomToken(12);

        Map<String, String> callback = browser.signIn(
                driver,
                loginPage,
                endpoints,
                browser.authorizationUrl(endpoints, DemoRealm.SPA, verifier, state),
                DemoRealm.DEMO_USER,
                DemoRealm.DEMO_PASSWORD);

        assertThat(callback).containsEntry("state", state).containsKey("code").doesNotContainKey("error");
        Http.Reply tokens =
                endpoints.exchangeCode(DemoRealm.SPA, callback.get("code"), browser.redirectUri(), verifier);
        assertThat(tokens.status()).as(tokens.body()).isEqualTo(200);
        assertThat(tokens.json()).containsKeys("access_token", "refresh_token", "id_token");

        JWTClaimsSet claims = assertValidAccessToken((String) tokens.json().get("access_token"), DemoRealm.SPA);

        // The realm file stores login events: the security team can see this sign-in.
        List<EventRepresentation> logins = Events.of(realm, "LOGIN", "CODE_TO_TOKEN")
                .client(DemoRealm.SPA)
                .user(claims.getSubject())
                .max(10)
                .list();
        assertThat(logins).extracting(EventRepresentation::getType).contains("LOGIN", "CODE_TO_TOKEN");
    }

    @Test
    @DisplayName("browser: the code cannot be redeemed without the PKCE verifier, nor twice")
    void codeNeedsVerifierAndIsSingleUse() {
        String verifier = Pkce.newVerifier();
        Map<String, String> callback = browser.signIn(
                driver,
                loginPage,
                endpoints,
                browser.authorizationUrl(endpoints, DemoRealm.SPA, verifier, "s"),
                DemoRealm.DEMO_USER,
                DemoRealm.DEMO_PASSWORD);
        String code = callback.get("code");

        Http.Reply wrongVerifier =
                endpoints.exchangeCode(DemoRealm.SPA, code, browser.redirectUri(), Pkce.newVerifier());
        assertThat(wrongVerifier.status()).isEqualTo(400);
        assertThat(wrongVerifier.json()).containsEntry("error", "invalid_grant");

        // Keycloak burns the code on the failed attempt: even the right verifier cannot use it now.
        Http.Reply burnt = endpoints.exchangeCode(DemoRealm.SPA, code, browser.redirectUri(), verifier);
        assertThat(burnt.status()).isEqualTo(400);
        assertThat(burnt.json()).containsEntry("error", "invalid_grant");

        // A fresh code with the right verifier works once, and only once.
        String secondVerifier = Pkce.newVerifier();
        String second = browser.signIn(
                        driver,
                        loginPage,
                        endpoints,
                        browser.authorizationUrl(endpoints, DemoRealm.SPA, secondVerifier, "s"),
                        DemoRealm.DEMO_USER,
                        DemoRealm.DEMO_PASSWORD)
                .get("code");
        Http.Reply first = endpoints.exchangeCode(DemoRealm.SPA, second, browser.redirectUri(), secondVerifier);
        assertThat(first.status()).as(first.body()).isEqualTo(200);
        Http.Reply replay = endpoints.exchangeCode(DemoRealm.SPA, second, browser.redirectUri(), secondVerifier);
        assertThat(replay.status()).as("the same code a second time").isEqualTo(400);
        assertThat(replay.json()).containsEntry("error", "invalid_grant");
    }

    @Test
    @DisplayName("browser: an authorization request without a PKCE challenge is refused")
    void pkceIsRequired() {
        String url = endpoints.authUrl() + "?"
                + Http.formEncode(Map.of(
                        "client_id",
                        DemoRealm.SPA,
                        "response_type",
                        "code",
                        "scope",
                        "openid",
                        "redirect_uri",
                        browser.redirectUri()));

        driver.open(url);

        assertThat(driver.getCurrentUrl()).startsWith(browser.redirectUri());
        assertThat(BrowserLogin.query(driver.getCurrentUrl()))
                .containsEntry("error", "invalid_request")
                .doesNotContainKey("code");
    }

    @Test
    @DisplayName("token endpoint: password grant with demo-cli yields an access token for demo-api")
    void tokenEndpointLogin() throws Exception {
        Http.Reply tokens = endpoints.password(DemoRealm.CLI, DemoRealm.DEMO_USER, DemoRealm.DEMO_PASSWORD);

        assertValidAccessToken(TokenEndpoint.accessToken(tokens), DemoRealm.CLI);
    }

    @Test
    @DisplayName("token endpoint: a wrong password gets Keycloak's generic invalid_grant")
    void wrongPasswordIsRejected() {
        Http.Reply reply = endpoints.password(DemoRealm.CLI, DemoRealm.DEMO_USER, "not-the-password");

        assertThat(reply.status()).isEqualTo(400);
        assertThat(reply.json()).containsEntry("error", "invalid_grant").doesNotContainKey("access_token");
    }

    private JWTClaimsSet assertValidAccessToken(String accessToken, String authorizedParty) throws Exception {
        JWTClaimsSet claims = new AccessTokens(endpoints, DemoRealm.API, authorizedParty).verify(accessToken);

        assertThat(claims.getIssuer()).isEqualTo(realm.getBaseUrl());
        assertThat(claims.getAudience()).contains(DemoRealm.API);
        assertThat(claims.getStringClaim("azp")).isEqualTo(authorizedParty);
        assertThat(claims.getStringClaim("preferred_username")).isEqualTo(DemoRealm.DEMO_USER);
        long lifetime = claims.getExpirationTime().toInstant().getEpochSecond()
                - claims.getIssueTime().toInstant().getEpochSecond();
        assertThat(lifetime).isEqualTo(DemoRealm.ACCESS_TOKEN_SECONDS);
        assertThat(claims.getExpirationTime().toInstant()).isAfter(Instant.now());
        return claims;
    }
}
