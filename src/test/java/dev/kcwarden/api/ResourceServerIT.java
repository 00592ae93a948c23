package dev.kcwarden.api;

import static org.assertj.core.api.Assertions.assertThat;

import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.crypto.MACSigner;
import com.nimbusds.jose.crypto.RSASSASigner;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.jwk.RSAKey;
import com.nimbusds.jose.jwk.gen.RSAKeyGenerator;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import dev.kcwarden.example.ResourceServer;
import dev.kcwarden.testing.Await;
import dev.kcwarden.testing.DemoRealm;
import dev.kcwarden.testing.Http;
import dev.kcwarden.testing.TokenEndpoint;
import dev.kcwarden.testing.WardenServerConfig;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.keycloak.common.util.MultivaluedHashMap;
import org.keycloak.representations.idm.ComponentRepresentation;
import org.keycloak.testframework.annotations.InjectRealm;
import org.keycloak.testframework.annotations.KeycloakIntegrationTest;
import org.keycloak.testframework.realm.ManagedRealm;
import org.keycloak.testframework.remote.timeoffset.InjectTimeOffSet;
import org.keycloak.testframework.remote.timeoffset.TimeOffSet;

/**
 * US3: the example resource server (examples/resource-server) against the realm's real tokens: what it must accept, and
 * every token it must refuse.
 */
@KeycloakIntegrationTest(config = WardenServerConfig.class)
@DisplayName("The example resource server accepts the realm's access tokens and nothing else")
class ResourceServerIT {

    @InjectRealm(fromJson = DemoRealm.JSON, config = DemoRealm.Offline.class)
    ManagedRealm realm;

    @InjectTimeOffSet
    TimeOffSet timeOffSet;

    private TokenEndpoint endpoints;
    private ResourceServer api;
    private String apiUrl;

    @BeforeEach
    void startApi() throws Exception {
        endpoints = new TokenEndpoint(realm.getBaseUrl());
        api = new ResourceServer(ResourceServer.Settings.forRealm(realm.getBaseUrl(), DemoRealm.API, 0)
                        .withJwksCacheTtl(Duration.ofSeconds(2)))
                .start();
        apiUrl = "http://127.0.0.1:" + api.port() + "/api/hello";
    }

    @AfterEach
    void stopApi() {
        api.close();
    }

    private Map<String, Object> demoTokens() {
        Http.Reply reply = endpoints.password(DemoRealm.CLI, DemoRealm.DEMO_USER, DemoRealm.DEMO_PASSWORD);
        assertThat(reply.status()).as(reply.body()).isEqualTo(200);
        return reply.json();
    }

    private Http.Reply call(String token) {
        return Http.getWithBearer(apiUrl, token);
    }

    private static void assertRefused(Http.Reply reply, String because) {
        assertThat(reply.status()).as(because).isEqualTo(401);
        assertThat(reply.header("WWW-Authenticate"))
                .as(because)
                .startsWith("Bearer realm=\"demo-api\", error=\"invalid_token\"");
    }

    @Test
    @DisplayName("a valid access token for demo-api: 200")
    void validToken() {
        Http.Reply reply = call((String) demoTokens().get("access_token"));
        assertThat(reply.status()).as(reply.body()).isEqualTo(200);
        assertThat(reply.json())
                .containsEntry("message", "hello")
                .containsEntry("azp", DemoRealm.CLI)
                .containsKey("sub");
    }

    @Test
    @DisplayName("no token: 401 with a bare challenge (RFC 6750 3.1)")
    void noToken() {
        Http.Reply reply = Http.get(apiUrl, Map.of());
        assertThat(reply.status()).isEqualTo(401);
        assertThat(reply.header("WWW-Authenticate")).isEqualTo("Bearer realm=\"demo-api\"");
    }

    @Test
    @DisplayName("an expired token (issued with Keycloak's clock 10 minutes back): 401")
    void expiredToken() {
        timeOffSet.set(-600);
        String token = (String) demoTokens().get("access_token");
        timeOffSet.set(0);
        Http.Reply reply = call(token);
        assertRefused(reply, "expired");
        assertThat(reply.header("WWW-Authenticate")).contains("The token expired");
    }

    @Test
    @DisplayName("forged tokens: tampered payload, alg none, HS256 keyed with the public key, another key: 401 each")
    void forgedTokens() throws Exception {
        String token = (String) demoTokens().get("access_token");
        String[] parts = token.split("\\.");
        Base64.Encoder b64 = Base64.getUrlEncoder().withoutPadding();
        String payload = new String(Base64.getUrlDecoder().decode(parts[1]), StandardCharsets.UTF_8);

        String tamperedPayload = b64.encodeToString(
                payload.replace("\"azp\":\"demo-cli\"", "\"azp\":\"evil-app\"").getBytes(StandardCharsets.UTF_8));
        assertRefused(call(parts[0] + "." + tamperedPayload + "." + parts[2]), "tampered payload");

        String none = b64.encodeToString("{\"alg\":\"none\",\"typ\":\"JWT\"}".getBytes(StandardCharsets.UTF_8));
        assertRefused(call(none + "." + parts[1] + "."), "alg none");

        RSAKey realmKey = (RSAKey) JWKSet.load(URI.create(endpoints.jwksUrl()).toURL()).getKeys().stream()
                .filter(k -> k instanceof RSAKey
                        && "sig"
                                .equals(
                                        k.getKeyUse() == null
                                                ? "sig"
                                                : k.getKeyUse().identifier()))
                .findFirst()
                .orElseThrow();
        JWTClaimsSet claims = SignedJWT.parse(token).getJWTClaimsSet();
        SignedJWT confused = new SignedJWT(
                new JWSHeader.Builder(JWSAlgorithm.HS256)
                        .keyID(realmKey.getKeyID())
                        .build(),
                claims);
        confused.sign(new MACSigner(realmKey.toRSAPublicKey().getEncoded()));
        assertRefused(call(confused.serialize()), "HS256 with the public key as secret");

        RSAKey stranger = new RSAKeyGenerator(2048).keyID(realmKey.getKeyID()).generate();
        SignedJWT otherKey = new SignedJWT(
                new JWSHeader.Builder(JWSAlgorithm.RS256)
                        .keyID(realmKey.getKeyID())
                        .type(com.nimbusds.jose.JOSEObjectType.JWT)
                        .build(),
                claims);
        otherKey.sign(new RSASSASigner(stranger));
        assertRefused(call(otherKey.serialize()), "signed by another key with the realm's kid");
    }

    @Test
    @DisplayName("a genuine token for the wrong issuer or audience, an ID token, a refresh token: 401 each")
    void wrongKindsOfTokens() throws Exception {
        Map<String, Object> tokens = demoTokens();
        try (ResourceServer otherIssuer = new ResourceServer(
                        ResourceServer.Settings.forRealm(realm.getBaseUrl(), DemoRealm.API, 0)
                                .withIssuer(URI.create("http://localhost:8080/realms/another")))
                .start()) {
            Http.Reply reply = Http.getWithBearer(
                    "http://127.0.0.1:" + otherIssuer.port() + "/api/hello", (String) tokens.get("access_token"));
            assertRefused(reply, "wrong issuer");
            assertThat(reply.header("WWW-Authenticate")).contains("another issuer");
        }
        String adminCliToken = TokenEndpoint.accessToken(
                endpoints.password("admin-cli", DemoRealm.DEMO_USER, DemoRealm.DEMO_PASSWORD));
        Http.Reply wrongAudience = call(adminCliToken);
        assertRefused(wrongAudience, "wrong audience");
        assertThat(wrongAudience.header("WWW-Authenticate")).contains("(aud)");

        Http.Reply idToken = call((String) tokens.get("id_token"));
        assertRefused(idToken, "an ID token");
        assertRefused(call((String) tokens.get("refresh_token")), "a refresh token");
    }

    @Test
    @DisplayName("key rotation: new tokens verify through a JWKS refetch, old ones until their key is removed")
    void keyRotation() throws Exception {
        String oldToken = (String) demoTokens().get("access_token");
        assertThat(call(oldToken).status()).isEqualTo(200);
        List<ComponentRepresentation> oldKeys = realm
                .admin()
                .components()
                .query(realm.admin().toRepresentation().getId(), "org.keycloak.keys.KeyProvider")
                .stream()
                .filter(c -> c.getProviderId().equals("rsa-generated"))
                .toList();

        ComponentRepresentation newKey = new ComponentRepresentation();
        newKey.setName("rotated-rsa");
        newKey.setProviderId("rsa-generated");
        newKey.setProviderType("org.keycloak.keys.KeyProvider");
        newKey.setParentId(realm.admin().toRepresentation().getId());
        MultivaluedHashMap<String, String> config = new MultivaluedHashMap<>();
        config.putSingle("priority", "1000");
        newKey.setConfig(config);
        realm.admin().components().add(newKey).close();

        String newToken = (String) demoTokens().get("access_token");
        assertThat(SignedJWT.parse(newToken).getHeader().getKeyID())
                .isNotEqualTo(SignedJWT.parse(oldToken).getHeader().getKeyID());
        assertThat(call(newToken).status()).as("new kid: fetched at once").isEqualTo(200);
        assertThat(call(oldToken).status()).as("old key still published").isEqualTo(200);

        oldKeys.forEach(k -> realm.admin().components().component(k.getId()).remove());
        Http.Reply old = Await.until(
                "the old key to drop out of the cached key set",
                Duration.ofSeconds(15),
                () -> call(oldToken),
                reply -> reply.status() != 200);
        assertRefused(old, "the old key is gone once the cached key set expires");
        assertThat(call(newToken).status()).isEqualTo(200);
    }

    @Test
    @DisplayName(
            "bad input: malformed JWTs, wrong base64, a 64 KiB header, a JSON bomb: 401, and the server keeps serving")
    void badInput() {
        Base64.Encoder b64 = Base64.getUrlEncoder().withoutPadding();
        String header = b64.encodeToString("{\"alg\":\"RS256\",\"typ\":\"JWT\"}".getBytes(StandardCharsets.UTF_8));
        String bomb = b64.encodeToString(
                ("{\"a\":" + "[".repeat(5000) + "]".repeat(5000) + "}").getBytes(StandardCharsets.UTF_8));
        for (String token : List.of(
                "abc",
                "a.b.c",
                "!!!.###.$$$",
                "..",
                header + "." + bomb + ".c2ln",
                "x".repeat(64 * 1024),
                header + ".e30.",
                "%%%.%%%.%%%")) {
            Http.Reply reply = call(token);
            assertThat(reply.status()).as("token of %d chars", token.length()).isEqualTo(401);
        }
        assertThat(call((String) demoTokens().get("access_token")).status())
                .as("still serving")
                .isEqualTo(200);
    }
}
