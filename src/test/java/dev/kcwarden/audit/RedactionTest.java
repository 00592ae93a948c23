package dev.kcwarden.audit;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.spec.ECGenParameterSpec;
import java.util.Base64;
import java.util.Map;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@DisplayName("Redaction: allow-listed details only; secrets of representations redacted by name and by value")
class RedactionTest {

    private static final KeyPair RSA = keyPair("RSA", null);
    private static final KeyPair EC = keyPair("EC", "secp256r1");
    private static final String RSA_PRIVATE = b64(RSA.getPrivate().getEncoded());
    private static final String EC_PRIVATE = b64(EC.getPrivate().getEncoded());
    private static final String RSA_PUBLIC = b64(RSA.getPublic().getEncoded());
    private static final String PEM = "-----BEGIN PRIVATE KEY-----\n"
            + Base64.getMimeEncoder().encodeToString(RSA.getPrivate().getEncoded()) + "\n-----END PRIVATE KEY-----";

    @Test
    void detailsAreAllowListed() {
        Map<String, String> kept = Redaction.details(Map.of(
                "grant_type",
                "password",
                "code_id",
                "abc",
                "code",
                "SECRET-CODE",
                "token",
                "eyJ...",
                "password",
                "hunter2",
                "warden_limit",
                "user_ip"));
        assertThat(kept).containsOnlyKeys("grant_type", "warden_limit");
    }

    @Test
    @DisplayName("client: secret, rotated secret, SAML keys however separated; certificates and harmless settings stay")
    void clientSecretsAreRedacted() {
        String out = redact("{\"clientId\":\"app\",\"secret\":\"s3cr3t\",\"credentials\":[{\"type\":\"password\","
                + "\"value\":\"hunter2\"}],"
                + "\"attributes\":{\"client.secret.creation.time\":\"1733000000\","
                + "\"client.secret.rotated\":\"old-s3cr3t\","
                + "\"saml.signing.private.key\":\"" + RSA_PRIVATE
                + "\",\"saml.encryption.private.key\":\"dotted-not-a-key\","
                + "\"saml_encryption_private_key\":\"MIIEvQ-enc\","
                + "\"samlSigningPrivateKey\":\"MIIEvQ-camel\",\"saml.signing.certificate\":\"" + RSA_PUBLIC
                + "\","
                + "\"jwt.credential.certificate\":\"MIIC-public\","
                + "\"pkce.code.challenge.method\":\"S256\",\"note\":\"fine\"},"
                + "\"nested\":{\"clientSecret\":\"x\"}}");
        assertThat(out).doesNotContain("s3cr3t", "hunter2", RSA_PRIVATE.substring(0, 40), "MIIEvQ", "dotted-not-a-key");
        assertThat(out)
                .contains(
                        "\"clientId\":\"app\"",
                        "fine",
                        "\"nested\":{\"clientSecret\":\"[redacted]\"}",
                        "\"client.secret.creation.time\":\"1733000000\"",
                        "\"pkce.code.challenge.method\":\"S256\"",
                        RSA_PUBLIC,
                        "\"jwt.credential.certificate\":\"MIIC-public\"");
    }

    @Test
    @DisplayName("identity provider, LDAP, SMTP, key provider and authenticator configs: each secret redacted")
    void configSecretsAreRedacted() {
        assertThat(redact("{\"alias\":\"corp\",\"config\":{\"clientId\":\"kc\","
                        + "\"clientSecret\":\"idp-s3cr3t\",\"tokenUrl\":\"https://idp\"}}"))
                .doesNotContain("idp-s3cr3t")
                .contains("\"clientId\":\"kc\"");
        assertThat(redact("{\"providerId\":\"ldap\",\"config\":{\"bindDn\":[\"cn=kc\"],"
                        + "\"bindCredential\":[\"ldap-s3cr3t\"]}}"))
                .doesNotContain("ldap-s3cr3t")
                .contains("cn=kc");
        assertThat(redact("{\"smtpServer\":{\"host\":\"mail\",\"user\":\"kc\","
                        + "\"password\":\"smtp-s3cr3t\",\"authTokenClientSecret\":\"oauth-s3cr3t\"}}"))
                .doesNotContain("smtp-s3cr3t", "oauth-s3cr3t")
                .contains("\"host\":\"mail\"");
        assertThat(redact("{\"providerId\":\"rsa\",\"config\":{\"privateKey\":[\"" + RSA_PRIVATE
                        + "\"],\"certificate\":[\"" + RSA_PUBLIC
                        + "\"],\"keystorePassword\":[\"ks-s3cr3t\"],"
                        + "\"keyPassword\":[\"k-s3cr3t\"],\"priority\":[\"100\"]}}"))
                .doesNotContain(RSA_PRIVATE.substring(0, 40), "ks-s3cr3t", "k-s3cr3t")
                .contains(RSA_PUBLIC, "\"100\"");
        assertThat(redact("{\"alias\":\"captcha\",\"config\":{\"site.key\":\"site-public\","
                        + "\"secret\":\"captcha-s3cr3t\",\"api.key\":\"api-s3cr3t\"}}"))
                .doesNotContain("captcha-s3cr3t", "api-s3cr3t")
                .contains("site-public");
    }

    @Test
    @DisplayName("a private key is redacted whatever its field is called: PEM, base64 PKCS#8 (RSA, EC), private JWK "
            + "and JWK set")
    void privateKeysAreRedactedByValue() {
        assertThat(redact("{\"description\":\"" + PEM.replace("\r", "\\r").replace("\n", "\\n") + "\"}"))
                .doesNotContain("PRIVATE KEY")
                .contains("[redacted]");
        assertThat(redact("{\"note\":\"" + RSA_PRIVATE + "\",\"list\":[\"" + EC_PRIVATE + "\",\"plain\"]}"))
                .doesNotContain(RSA_PRIVATE.substring(0, 40), EC_PRIVATE.substring(0, 30))
                .contains("plain");
        assertThat(redact("{\"jwk\":{\"kty\":\"EC\",\"crv\":\"P-256\",\"x\":\"pub-x\",\"y\":\"pub-y\","
                        + "\"d\":\"jwk-private\"}}"))
                .doesNotContain("jwk-private");
        assertThat(redact("{\"attributes\":{\"jwks.string\":\"{\\\"keys\\\":[{\\\"kty\\\":\\\"oct\\\","
                        + "\\\"k\\\":\\\"jwk-octets\\\"}]}\"}}"))
                .doesNotContain("jwk-octets");
        assertThat(redact("{\"keys\":[{\"kty\":\"RSA\",\"n\":\"modulus\",\"e\":\"AQAB\",\"d\":\"rsa-private\"}]}"))
                .doesNotContain("rsa-private");
        assertThat(redact("{\"jwk\":{\"kty\":\"RSA\",\"n\":\"modulus\",\"e\":\"AQAB\"},\"publicKey\":\"" + RSA_PUBLIC
                        + "\"}"))
                .as("a public JWK and a public key stay")
                .contains("modulus", RSA_PUBLIC);
    }

    @Test
    @DisplayName("settings that only describe a secret stay, so an auditor sees a weakened policy")
    void descriptiveSettingsStay() {
        String out = redact("{\"passwordPolicy\":\"length(8)\",\"accessTokenLifespan\":300,\"otpPolicyDigits\":6,"
                + "\"otpPolicyAlgorithm\":\"HmacSHA1\",\"resetCredentialsFlow\":\"reset "
                + "credentials\",\"revokeRefreshToken\":false,"
                + "\"refreshTokenMaxReuse\":0}");
        assertThat(out)
                .contains(
                        "length(8)",
                        "\"accessTokenLifespan\":300",
                        "\"otpPolicyDigits\":6",
                        "HmacSHA1",
                        "reset credentials",
                        "\"revokeRefreshToken\":false",
                        "\"refreshTokenMaxReuse\":0");
    }

    @Test
    void unreadableAndAbsent() {
        assertThat(Redaction.representation("not json").asText()).startsWith("[omitted");
        assertThat(Redaction.representation(null)).isNull();
    }

    private static String redact(String json) {
        JsonNode out = Redaction.representation(json);
        assertThat(out.isTextual()).as("not omitted: %s", out).isFalse();
        return out.toString();
    }

    private static String b64(byte[] der) {
        return Base64.getEncoder().encodeToString(der);
    }

    private static KeyPair keyPair(String algorithm, String curve) {
        try {
            KeyPairGenerator generator = KeyPairGenerator.getInstance(algorithm);
            if (curve != null) {
                generator.initialize(new ECGenParameterSpec(curve));
            } else {
                generator.initialize(2048);
            }
            return generator.generateKeyPair();
        } catch (java.security.GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }
}
