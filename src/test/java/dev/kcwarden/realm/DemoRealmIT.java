package dev.kcwarden.realm;

import static org.assertj.core.api.Assertions.assertThat;

import com.nimbusds.jwt.JWTClaimsSet;
import dev.kcwarden.testing.AccessTokens;
import dev.kcwarden.testing.DemoRealm;
import dev.kcwarden.testing.Metrics;
import dev.kcwarden.testing.TokenEndpoint;
import dev.kcwarden.testing.Users;
import dev.kcwarden.testing.WardenServerConfig;
import jakarta.ws.rs.core.Response;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.keycloak.admin.client.resource.ClientResource;
import org.keycloak.representations.idm.ClientRepresentation;
import org.keycloak.representations.idm.RealmRepresentation;
import org.keycloak.testframework.annotations.InjectRealm;
import org.keycloak.testframework.annotations.KeycloakIntegrationTest;
import org.keycloak.testframework.realm.ManagedRealm;

@KeycloakIntegrationTest(config = WardenServerConfig.class)
@DisplayName("realm-export/warden-realm.json imports into Keycloak with the promised settings")
class DemoRealmIT {

    @InjectRealm(fromJson = DemoRealm.JSON, config = DemoRealm.Offline.class)
    ManagedRealm realm;

    @Test
    @DisplayName("login theme, registration and login options")
    void loginAndRegistrationSettings() {
        RealmRepresentation rep = realm.admin().toRepresentation();

        assertThat(rep.getRealm()).isEqualTo(DemoRealm.NAME);
        assertThat(rep.getLoginTheme()).isEqualTo("warden");
        assertThat(rep.isRegistrationAllowed()).isTrue();
        assertThat(rep.isRegistrationEmailAsUsername()).isFalse();
        assertThat(rep.isDuplicateEmailsAllowed()).isFalse();
        assertThat(rep.getSslRequired()).isEqualTo("external");
    }

    @Test
    @DisplayName("token and session lifetimes, refresh rotation without reuse")
    void tokenSettings() {
        RealmRepresentation rep = realm.admin().toRepresentation();

        assertThat(rep.getAccessTokenLifespan()).isEqualTo(DemoRealm.ACCESS_TOKEN_SECONDS);
        assertThat(rep.getRevokeRefreshToken()).isTrue();
        assertThat(rep.getRefreshTokenMaxReuse()).isZero();
        assertThat(rep.getSsoSessionIdleTimeout()).isEqualTo(1800);
        assertThat(rep.getSsoSessionMaxLifespan()).isEqualTo(36000);
        assertThat(rep.getOfflineSessionMaxLifespanEnabled()).isTrue();
        assertThat(rep.getDefaultSignatureAlgorithm()).isEqualTo("RS256");
    }

    @Test
    @DisplayName("user events and admin events are stored, each with an expiration")
    void eventSettings() {
        RealmRepresentation rep = realm.admin().toRepresentation();

        assertThat(rep.isEventsEnabled()).isTrue();
        assertThat(rep.getEventsExpiration()).isEqualTo(604800L);
        assertThat(rep.isAdminEventsEnabled()).isTrue();
        assertThat(rep.getAttributes()).containsEntry("adminEventsExpiration", "2592000");
    }

    @Test
    @DisplayName("demo-spa: public, code flow only, PKCE S256 required, exact redirect and post-logout URIs and web "
            + "origin, tokens for demo-api")
    void spaClient() {
        ClientRepresentation spa = client(DemoRealm.SPA).toRepresentation();

        assertThat(spa.isPublicClient()).isTrue();
        assertThat(spa.isStandardFlowEnabled()).isTrue();
        assertThat(spa.isImplicitFlowEnabled()).isFalse();
        assertThat(spa.isDirectAccessGrantsEnabled()).isFalse();
        assertThat(spa.getAttributes()).containsEntry("pkce.code.challenge.method", "S256");
        // Exact URIs, no wildcard (ASVS 10.4.1): the demo app, and the loopback callback of tests and tools.
        assertThat(spa.getRedirectUris())
                .containsExactlyInAnyOrder("http://localhost:5173/", "http://127.0.0.1/callback");
        assertThat(spa.getWebOrigins()).containsExactly("http://localhost:5173");
        assertThat(spa.getAttributes()).containsEntry("post.logout.redirect.uris", "http://localhost:5173/?signed-out");
        assertThat(spa.getProtocolMappers())
                .anySatisfy(m -> assertThat(m.getConfig()).containsEntry("included.client.audience", DemoRealm.API));
    }

    @Test
    @DisplayName("demo-api and demo-backend are confidential, and Keycloak generated their secrets at import")
    void confidentialClientsHaveGeneratedSecrets() {
        for (String clientId : List.of(DemoRealm.API, DemoRealm.BACKEND)) {
            ClientResource client = client(clientId);
            assertThat(client.toRepresentation().isPublicClient()).as(clientId).isFalse();
            assertThat(client.getSecret().getValue())
                    .as(clientId + " secret")
                    .isNotBlank()
                    .hasSizeGreaterThanOrEqualTo(32);
        }
        assertThat(client(DemoRealm.API).toRepresentation().isStandardFlowEnabled())
                .isFalse();
    }

    @Test
    @DisplayName("demo-backend gets a token for demo-api with the client credentials grant and its generated secret")
    void backendClientCredentials() throws Exception {
        TokenEndpoint endpoints = new TokenEndpoint(realm.getBaseUrl());
        String secret = client(DemoRealm.BACKEND).getSecret().getValue();

        String token = TokenEndpoint.accessToken(endpoints.clientCredentials(DemoRealm.BACKEND, secret));
        JWTClaimsSet claims = new AccessTokens(endpoints, DemoRealm.API, DemoRealm.BACKEND).verify(token);

        assertThat(claims.getAudience()).contains(DemoRealm.API);
        assertThat(endpoints
                        .clientCredentials(DemoRealm.BACKEND, "wrong-secret")
                        .status())
                .isEqualTo(401);
    }

    @ParameterizedTest(name = "{0}")
    @DisplayName("the password policy rejects weak passwords with Keycloak's own messages")
    @CsvSource({
        "shorter than 12 characters, probe-short, Sh0rt-pass, invalidPasswordMinLengthMessage",
        "longer than 128 characters, probe-long, LONG, invalidPasswordMaxLengthMessage",
        "equal to the username, probe-username-equal, probe-username-equal, invalidPasswordNotUsernameMessage",
        "equal to the email, probe-email, probe-email@example.com, invalidPasswordNotEmailMessage"
    })
    void passwordPolicy(String why, String username, String password, String message) {
        String value = "LONG".equals(password) ? "x".repeat(129) : password;

        try (Response response = realm.admin().users().create(Users.withPassword(username, value))) {
            assertThat(response.getStatus()).as(why).isEqualTo(400);
            assertThat(response.readEntity(String.class)).contains(message);
        }
        assertThat(realm.admin().users().search(username, true))
                .as("no user is created")
                .isEmpty();
    }

    @Test
    @DisplayName("a password that meets the policy is accepted, checked on this machine only (the tests' realm never "
            + "asks the public range API)")
    void policyAcceptsGoodPassword() {
        assertThat(realm.admin().toRepresentation().getPasswordPolicy())
                .contains("wardenBreachedPassword(")
                .contains("remote=off")
                .doesNotContain("pwnedpasswords");
        Map<String, Double> before = Metrics.scrape();
        String id = Users.create(realm, Users.withPassword("probe-good", "a-long-enough-passphrase"));

        assertThat(realm.admin().users().get(id).toRepresentation().getUsername())
                .isEqualTo("probe-good");
        Map<String, Double> after = Metrics.scrape();
        assertThat(Metrics.sum(after, "warden_breach_checks_total", "outcome=\"passed\"")
                        - Metrics.sum(before, "warden_breach_checks_total", "outcome=\"passed\""))
                .as("the check ran and passed")
                .isGreaterThanOrEqualTo(1.0);
        assertThat(Metrics.sum(after, "warden_breach_checks_total", "outcome=\"unavailable")
                        - Metrics.sum(before, "warden_breach_checks_total", "outcome=\"unavailable"))
                .as("no range service was asked, so none was unavailable")
                .isZero();
    }

    @Test
    @DisplayName("offline, a common password is still refused from the built-in list")
    void commonPasswordRefusedOffline() {
        try (Response response = realm.admin().users().create(Users.withPassword("probe-common", "password1234"))) {
            assertThat(response.getStatus()).isEqualTo(400);
            assertThat(response.readEntity(String.class)).contains("wardenPasswordCommon");
        }
        assertThat(realm.admin().users().search("probe-common", true))
                .as("no user is created")
                .isEmpty();
    }

    private ClientResource client(String clientId) {
        List<ClientRepresentation> found = realm.admin().clients().findByClientId(clientId);
        assertThat(found).as(clientId).hasSize(1);
        return realm.admin().clients().get(found.get(0).getId());
    }
}
