package dev.kcwarden;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.kcwarden.testing.DemoRealm;
import dev.kcwarden.testing.EgressProxy;
import dev.kcwarden.testing.EgressServerConfig;
import dev.kcwarden.testing.LocalTls;
import dev.kcwarden.testing.Pkce;
import dev.kcwarden.testing.RangeStub;
import dev.kcwarden.testing.TokenEndpoint;
import dev.kcwarden.testing.Users;
import dev.kcwarden.testing.WardenServerConfig;
import dev.kcwarden.testing.WebhookReceiver;
import jakarta.ws.rs.BadRequestException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.keycloak.representations.idm.CredentialRepresentation;
import org.keycloak.representations.idm.RealmRepresentation;
import org.keycloak.testframework.annotations.InjectRealm;
import org.keycloak.testframework.annotations.KeycloakIntegrationTest;
import org.keycloak.testframework.realm.ManagedRealm;

/**
 * warden's outbound calls behind an egress proxy: the names under .warden.test resolve nowhere, so the only way to the
 * local https servers is Keycloak's proxy mapping, and their certificate is trusted only through Keycloak's truststore.
 * A client of warden's own that ignored either would fail (fail=closed makes that visible).
 */
@KeycloakIntegrationTest(config = EgressServerConfig.class)
@DisplayName("Outbound calls use Keycloak's HTTP client: through its egress proxy, trusting its truststore")
class OutboundProxyIT {

    private static final String BREACHED = "Breached-But-Long-Enough-1";
    private static final String GOOD = "correct horse battery staple 42";

    @InjectRealm(fromJson = DemoRealm.JSON, config = DemoRealm.Offline.class)
    ManagedRealm realm;

    private EgressProxy proxy;
    private RangeStub range;
    private WebhookReceiver hook;
    private RangeStub untrusted;

    @BeforeEach
    void setUp() {
        proxy = new EgressProxy(EgressServerConfig.PROXY_PORT);
        range = RangeStub.https(LocalTls.serverContext());
        range.breach(BREACHED, 7);
        proxy.route(LocalTls.RANGE_HOST, range.port());
        hook = WebhookReceiver.https(
                LocalTls.serverContext(), LocalTls.HOOK_HOST, "/hook", WardenServerConfig.WEBHOOK_SECRET);
        proxy.route(LocalTls.HOOK_HOST, hook.port());
        untrusted = RangeStub.https(LocalTls.untrustedServerContext());
        proxy.route(LocalTls.UNTRUSTED_HOST, untrusted.port());
        policyQuerying(LocalTls.RANGE_HOST);
    }

    private void policyQuerying(String host) {
        RealmRepresentation rep = realm.admin().toRepresentation();
        rep.setPasswordPolicy("length(12) and wardenBreachedPassword(min=1;timeout=3000;fail=closed;url=https://" + host
                + "/range/)");
        realm.admin().update(rep);
    }

    @AfterEach
    void tearDown() {
        untrusted.close();
        hook.close();
        range.close();
        proxy.close();
    }

    private static CredentialRepresentation password(String value) {
        CredentialRepresentation credential = new CredentialRepresentation();
        credential.setType(CredentialRepresentation.PASSWORD);
        credential.setValue(value);
        credential.setTemporary(false);
        return credential;
    }

    @Test
    @DisplayName("the breached-password range query goes through the proxy over https: a breached password is "
            + "refused, a good one accepted")
    void rangeQueryThroughProxy() {
        var user = realm.admin()
                .users()
                .get(Users.create(realm, Users.withPassword("egress-" + Pkce.randomToken(6), GOOD)));

        assertThatThrownBy(() -> user.resetPassword(password(BREACHED)))
                .isInstanceOf(BadRequestException.class)
                .satisfies(
                        e -> assertThat(((BadRequestException) e).getResponse().readEntity(String.class))
                                .contains("wardenPasswordBreached"));
        user.resetPassword(
                password("another good one, " + Pkce.randomToken(6))); // fail=closed: accepted only if the answer came

        assertThat(range.requests())
                .as("the range server saw the queries")
                .isNotEmpty()
                .allSatisfy(r -> assertThat(r).matches("GET /range/[0-9A-F]{5} body=0"));
        assertThat(proxy.requests())
                .as("through the proxy, as a tunnel")
                .contains("CONNECT " + LocalTls.RANGE_HOST + ":443 HTTP/1.1");
    }

    @Test
    @DisplayName("the audit webhook posts through the proxy over https, signed, and the receiver accepts it")
    void webhookThroughProxy() throws Exception {
        String username = "egress-" + Pkce.randomToken(8);
        new TokenEndpoint(realm.getBaseUrl()).password(DemoRealm.CLI, username, "wrong-password-1");

        WebhookReceiver.Delivery delivery = hook.awaitBodyWith("\"username\":\"" + username + "\"");

        assertThat(delivery.verdict()).isEqualTo("accepted");
        assertThat(proxy.requests()).contains("CONNECT " + LocalTls.HOOK_HOST + ":443 HTTP/1.1");
    }

    @Test
    @DisplayName("a range server whose certificate is in no truststore is refused: with fail=closed the password is "
            + "refused as 'check unavailable'")
    void untrustedCertificateRefused() {
        var user = realm.admin()
                .users()
                .get(Users.create(realm, Users.withPassword("egress-" + Pkce.randomToken(6), GOOD)));
        policyQuerying(LocalTls.UNTRUSTED_HOST);

        assertThatThrownBy(() -> user.resetPassword(password("another good one, " + Pkce.randomToken(6))))
                .isInstanceOf(BadRequestException.class)
                .satisfies(
                        e -> assertThat(((BadRequestException) e).getResponse().readEntity(String.class))
                                .contains("wardenPasswordCheckUnavailable"));
        assertThat(proxy.requests())
                .as("the tunnel was opened")
                .contains("CONNECT " + LocalTls.UNTRUSTED_HOST + ":443 HTTP/1.1");
        assertThat(untrusted.requests())
                .as("no query was answered over the untrusted connection")
                .isEmpty();
    }
}
