package dev.kcwarden.guard;

import static org.assertj.core.api.Assertions.assertThat;

import dev.kcwarden.testing.DemoRealm;
import dev.kcwarden.testing.FormPage;
import dev.kcwarden.testing.Http;
import dev.kcwarden.testing.LoopbackClient;
import dev.kcwarden.testing.Pkce;
import dev.kcwarden.testing.TokenEndpoint;
import dev.kcwarden.testing.Users;
import dev.kcwarden.testing.WardenServerConfig;
import java.net.URI;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.keycloak.admin.client.Keycloak;
import org.keycloak.representations.idm.ClientRepresentation;
import org.keycloak.representations.idm.IdentityProviderRepresentation;
import org.keycloak.representations.idm.RealmRepresentation;
import org.keycloak.representations.idm.UserRepresentation;
import org.keycloak.testframework.annotations.InjectAdminClient;
import org.keycloak.testframework.annotations.InjectRealm;
import org.keycloak.testframework.annotations.KeycloakIntegrationTest;
import org.keycloak.testframework.realm.ManagedRealm;

/**
 * First broker login: somebody signs in through an identity provider with the email of an existing local account and is
 * asked for that account's password ("verify existing account by re-authentication"). The provider here is a second
 * realm on the same server, as Keycloak-to-Keycloak brokering works in production; the demo realm's own
 * first-broker-login flow is the one it ships.
 */
@KeycloakIntegrationTest(config = WardenServerConfig.class)
@DisplayName("First broker login: the re-authentication password form is guarded")
class FirstBrokerLoginGuardIT {

    static final String UPSTREAM = "fbl-upstream";
    static final String SECRET = "fbl-broker-secret-0123456789";
    static final String PASSWORD = "Broker-test-passphrase-1";
    static final String WRONG = "not-the-password-1";
    static final int DEFAULT_USER_IP_MAX = 10;

    @InjectRealm(fromJson = DemoRealm.JSON, config = DemoRealm.Offline.class)
    ManagedRealm realm;

    @InjectAdminClient
    Keycloak admin;

    @AfterEach
    void removeUpstream() {
        admin.realm(UPSTREAM).remove();
    }

    private String base() {
        return realm.getBaseUrl().substring(0, realm.getBaseUrl().indexOf("/realms/"));
    }

    private void upstreamRealm(String email) {
        RealmRepresentation upstream = new RealmRepresentation();
        upstream.setRealm(UPSTREAM);
        upstream.setEnabled(true);
        upstream.setSslRequired("none");
        ClientRepresentation broker = new ClientRepresentation();
        broker.setClientId("warden-broker");
        broker.setSecret(SECRET);
        broker.setPublicClient(false);
        broker.setRedirectUris(List.of(realm.getBaseUrl() + "/broker/" + UPSTREAM + "/endpoint"));
        upstream.setClients(List.of(broker));
        UserRepresentation attacker = Users.withPassword("someone-upstream", PASSWORD);
        attacker.setEmail(email); // the attacker controls an IdP account with the victim's email
        upstream.setUsers(List.of(attacker));
        admin.realms().create(upstream);

        IdentityProviderRepresentation idp = new IdentityProviderRepresentation();
        idp.setAlias(UPSTREAM);
        idp.setProviderId("oidc");
        idp.setEnabled(true);
        String issuer = base() + "/realms/" + UPSTREAM;
        idp.setConfig(Map.of(
                "authorizationUrl", issuer + "/protocol/openid-connect/auth",
                "tokenUrl", issuer + "/protocol/openid-connect/token",
                "clientId", "warden-broker",
                "clientSecret", SECRET,
                "clientAuthMethod", "client_secret_post",
                "defaultScope", "openid email profile",
                "syncMode", "IMPORT",
                "validateSignature", "false"));
        realm.admin().identityProviders().create(idp).close();
    }

    /** One browser; it keeps each realm's cookies apart, as a browser keeps them per path. */
    private record Browser(LoopbackClient warden, LoopbackClient upstream) {
        Http.Reply get(String url) {
            return side(url).get(url, Map.of());
        }

        Http.Reply post(String url, Map<String, String> form) {
            return side(url).postForm(url, form);
        }

        private LoopbackClient side(String url) {
            return URI.create(url).getPath().startsWith("/realms/" + UPSTREAM + "/") ? upstream : warden;
        }

        /** Follows redirects to the page the user would see. */
        Http.Reply follow(Http.Reply reply, String base) {
            while (reply.status() == 302 || reply.status() == 303) {
                String location =
                        URI.create(base + "/").resolve(reply.header("Location")).toString();
                if (location.startsWith("http://127.0.0.1/")) {
                    return reply; // the app's callback: signed in
                }
                reply = get(location);
            }
            return reply;
        }
    }

    @Test
    @DisplayName("wrong passwords for the linked account reach 429 at warden's default limit")
    void reauthenticationIsGuarded() {
        String victim = "fbl-victim";
        Users.create(realm, Users.withPassword(victim, PASSWORD));
        upstreamRealm(victim + "@example.com");
        Browser browser = new Browser(new LoopbackClient("127.0.9.20"), new LoopbackClient("127.0.9.20"));
        String authorize = new TokenEndpoint(realm.getBaseUrl())
                        .authorizationUrl(DemoRealm.SPA, "http://127.0.0.1/callback", Pkce.newVerifier(), "s")
                + "&kc_idp_hint=" + UPSTREAM;

        Http.Reply upstreamLogin = browser.follow(browser.get(authorize), base());
        Http.Reply page = browser.follow(
                browser.post(
                        FormPage.formAction(upstreamLogin.body(), "kc-form-login"),
                        Map.of("username", "someone-upstream", "password", PASSWORD)),
                base());
        // Keycloak: "an account with this email exists" -> link it -> prove you own it with its password
        if (page.body().contains("linkAccount")) {
            page = browser.follow(
                    browser.post(
                            FormPage.formAction(page.body(), "kc-register-form"),
                            Map.of("submitAction", "linkAccount")),
                    base());
        }
        assertThat(FormPage.text(page.body())).as(page.body()).contains("Password");
        Http.Reply last = page;
        for (int i = 0; i <= DEFAULT_USER_IP_MAX; i++) {
            last = browser.post(
                    FormPage.formAction(last.body(), "kc-form-login"), Map.of("username", victim, "password", WRONG));
            if (i < DEFAULT_USER_IP_MAX) {
                assertThat(last.status())
                        .as("wrong password %d: %s", i, FormPage.text(last.body()))
                        .isEqualTo(200);
            }
        }
        assertThat(last.status()).as(FormPage.text(last.body())).isEqualTo(429);
        assertThat(last.header("Retry-After")).matches("[1-9][0-9]*");
        assertThat(FormPage.text(last.body())).contains("Too many failed sign-in attempts");
    }
}
