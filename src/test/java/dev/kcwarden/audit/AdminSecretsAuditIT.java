package dev.kcwarden.audit;

import static org.assertj.core.api.Assertions.assertThat;

import dev.kcwarden.testing.AuditLines;
import dev.kcwarden.testing.DemoRealm;
import dev.kcwarden.testing.Pkce;
import dev.kcwarden.testing.TokenEndpoint;
import dev.kcwarden.testing.WardenServerConfig;
import dev.kcwarden.testing.WebhookReceiver;
import jakarta.ws.rs.core.Response;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.security.KeyPairGenerator;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.keycloak.common.util.MultivaluedHashMap;
import org.keycloak.representations.idm.AuthenticationExecutionInfoRepresentation;
import org.keycloak.representations.idm.AuthenticationFlowRepresentation;
import org.keycloak.representations.idm.AuthenticatorConfigRepresentation;
import org.keycloak.representations.idm.ClientRepresentation;
import org.keycloak.representations.idm.ComponentRepresentation;
import org.keycloak.representations.idm.IdentityProviderRepresentation;
import org.keycloak.representations.idm.RealmRepresentation;
import org.keycloak.testframework.annotations.InjectRealm;
import org.keycloak.testframework.annotations.KeycloakIntegrationTest;
import org.keycloak.testframework.realm.ManagedRealm;

/**
 * An admin creates and updates every kind of object that carries a secret through the admin API; with the demo realm
 * logging admin representations, none of the secrets may appear in any line of the server log or in any webhook body,
 * while the lines themselves are there.
 */
@KeycloakIntegrationTest(config = WardenServerConfig.class)
@DisplayName(
        "Admin objects that carry secrets: no secret in the server log or a webhook body, and every change audited")
class AdminSecretsAuditIT {

    @InjectRealm(fromJson = DemoRealm.JSON, config = DemoRealm.Offline.class)
    ManagedRealm realm;

    private WebhookReceiver receiver;
    private final List<String> secrets = new ArrayList<>();

    @BeforeEach
    void receive() {
        receiver = WebhookReceiver.onConfiguredUrl();
    }

    @AfterEach
    void stop() {
        receiver.close();
    }

    @Test
    void noSecretAnywhere() throws Exception {
        long logStart = Files.size(WardenServerConfig.LOG_FILE);
        var generator = KeyPairGenerator.getInstance("RSA");
        generator.initialize(2048);
        byte[] pkcs8 = generator.generateKeyPair().getPrivate().getEncoded();
        String base64Key = Base64.getEncoder().encodeToString(pkcs8);
        String pem = "-----BEGIN PRIVATE KEY-----\n"
                + Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII))
                        .encodeToString(pkcs8) + "\n-----END PRIVATE KEY-----\n";
        secrets.add(base64Key.substring(0, 60));
        secrets.add(base64Key.substring(base64Key.length() - 60));

        // a confidential client (its secret, then a new one in an update) and a SAML client with both private keys
        ClientRepresentation confidential = new ClientRepresentation();
        confidential.setClientId("audit-confidential");
        confidential.setPublicClient(false);
        confidential.setSecret(secret("client"));
        String confidentialId = created(realm.admin().clients().create(confidential));
        confidential.setSecret(secret("client-updated"));
        confidential.setDescription("secret rotated by hand");
        realm.admin().clients().get(confidentialId).update(confidential);

        ClientRepresentation saml = new ClientRepresentation();
        saml.setClientId("urn:audit:saml");
        saml.setProtocol("saml");
        saml.setAttributes(new HashMap<>(Map.of(
                "saml.signing.private.key",
                base64Key,
                "saml.encryption.private.key",
                base64Key,
                "saml.client.signature",
                "true")));
        String samlId = created(realm.admin().clients().create(saml));
        saml.getAttributes().put("saml.signing.private.key", base64Key);
        saml.setDescription("keys set again");
        realm.admin().clients().get(samlId).update(saml);

        // an OIDC identity provider with a client secret, created and updated
        IdentityProviderRepresentation idp = new IdentityProviderRepresentation();
        idp.setAlias("audit-idp");
        idp.setProviderId("oidc");
        idp.setConfig(new HashMap<>(Map.of(
                "clientId",
                "kc",
                "clientSecret",
                secret("idp"),
                "clientAuthMethod",
                "client_secret_post",
                "authorizationUrl",
                "https://idp.invalid/auth",
                "tokenUrl",
                "https://idp.invalid/token")));
        created(realm.admin().identityProviders().create(idp));
        idp.getConfig().put("clientSecret", secret("idp-updated"));
        realm.admin().identityProviders().get("audit-idp").update(idp);

        // LDAP user storage with a bind credential (nothing listens: it is only configured)
        ComponentRepresentation ldap = component("audit-ldap", "ldap", "org.keycloak.storage.UserStorageProvider");
        ldap.getConfig().putSingle("connectionUrl", "ldap://127.0.0.1:1");
        ldap.getConfig().putSingle("bindDn", "cn=keycloak,dc=example,dc=org");
        ldap.getConfig().putSingle("bindCredential", secret("ldap"));
        ldap.getConfig().putSingle("usersDn", "ou=people,dc=example,dc=org");
        ldap.getConfig().putSingle("vendor", "other");
        ldap.getConfig().putSingle("editMode", "READ_ONLY");
        ldap.getConfig().putSingle("usernameLDAPAttribute", "uid");
        ldap.getConfig().putSingle("rdnLDAPAttribute", "uid");
        ldap.getConfig().putSingle("uuidLDAPAttribute", "entryUUID");
        ldap.getConfig().putSingle("userObjectClasses", "inetOrgPerson");
        ldap.getConfig().putSingle("authType", "simple");
        ldap.getConfig().putSingle("enabled", "false");
        String ldapId = created(realm.admin().components().add(ldap));
        ldap.getConfig().putSingle("bindCredential", secret("ldap-updated"));
        realm.admin().components().component(ldapId).update(ldap);

        // an RSA key provider with a private key given as PEM
        ComponentRepresentation keys = component("audit-rsa", "rsa", "org.keycloak.keys.KeyProvider");
        keys.getConfig().putSingle("privateKey", pem);
        keys.getConfig().putSingle("priority", "1");
        keys.getConfig().putSingle("active", "false");
        created(realm.admin().components().add(keys));

        // SMTP with a password
        RealmRepresentation settings = realm.admin().toRepresentation();
        settings.setSmtpServer(new HashMap<>(Map.of(
                "host",
                "127.0.0.1",
                "port",
                "2525",
                "from",
                "kc@example.org",
                "auth",
                "true",
                "user",
                "kc",
                "password",
                secret("smtp"))));
        realm.admin().update(settings);

        // an authenticator config with a reCAPTCHA secret and API key, created and updated
        AuthenticationFlowRepresentation flow = new AuthenticationFlowRepresentation();
        flow.setAlias("audit-secrets-flow");
        flow.setProviderId("basic-flow");
        flow.setTopLevel(true);
        flow.setBuiltIn(false);
        realm.admin().flows().createFlow(flow).close();
        realm.admin().flows().addExecution("audit-secrets-flow", Map.of("provider", "auth-username-password-form"));
        AuthenticationExecutionInfoRepresentation execution =
                realm.admin().flows().getExecutions("audit-secrets-flow").get(0);
        AuthenticatorConfigRepresentation captcha = new AuthenticatorConfigRepresentation();
        captcha.setAlias("audit-captcha");
        captcha.setConfig(new HashMap<>(
                Map.of("site.key", "public-site-key", "secret", secret("captcha"), "api.key", secret("api-key"))));
        String configId = created(realm.admin().flows().newExecutionConfig(execution.getId(), captcha));
        captcha.setId(configId);
        captcha.getConfig().put("secret", secret("captcha-updated"));
        realm.admin().flows().updateAuthenticatorConfig(configId, captcha);

        // a last, harmless event: once it is in the log and at the webhook, so is everything before it
        String sentinel = "secrets-sentinel-" + Pkce.randomToken(6).toLowerCase(java.util.Locale.ROOT);
        new TokenEndpoint(realm.getBaseUrl()).password(DemoRealm.CLI, sentinel, "x");
        List<String> lines =
                AuditLines.awaitAll(WardenServerConfig.LOG_FILE, logStart, "\"username\":\"" + sentinel + "\"");
        receiver.await(b -> b.contains(sentinel), Duration.ofSeconds(15), "the sentinel reaches the webhook");
        List<String> delivered = receiver.bodies();

        List<String> audit =
                lines.stream().filter(l -> l.contains("[warden.audit]")).toList();
        for (String type : List.of("CLIENT", "IDENTITY_PROVIDER", "COMPONENT", "REALM", "AUTHENTICATOR_CONFIG")) {
            assertThat(audit)
                    .as("audit lines of %s changes with their representation", type)
                    .anyMatch(
                            l -> l.contains("\"resourceType\":\"" + type + "\"") && l.contains("\"representation\":"));
        }
        assertThat(audit)
                .as("the public parts stay")
                .anyMatch(l -> l.contains("public-site-key"))
                .anyMatch(l -> l.contains("cn=keycloak,dc=example,dc=org"));
        String wholeLog = Files.readString(WardenServerConfig.LOG_FILE, StandardCharsets.UTF_8);
        for (String secret : secrets) {
            assertThat(wholeLog)
                    .as("a secret of %d characters in the server log", secret.length())
                    .doesNotContain(secret);
            assertThat(delivered)
                    .as("a secret of %d characters in a webhook body", secret.length())
                    .noneMatch(body -> body.contains(secret));
        }
        // each kind of change arrived with its object, the secret in it replaced; a realm is often too large
        // (over 8 KiB) for the line and is then left out whole, which hides its SMTP password as well
        for (String type : List.of("CLIENT", "IDENTITY_PROVIDER", "COMPONENT", "AUTHENTICATOR_CONFIG")) {
            assertThat(delivered)
                    .as("a delivered %s change whose representation has a redacted field", type)
                    .anyMatch(b -> b.contains("\"resourceType\":\"" + type + "\"")
                            && b.contains("\"representation\":{")
                            && b.contains("\"[redacted]\""));
        }
        assertThat(delivered)
                .as("the delivered realm change: redacted, or left out whole")
                .anyMatch(b -> b.contains("\"resourceType\":\"REALM\"")
                        && (b.contains("\"representation\":\"[omitted: ")
                                || (b.contains("\"representation\":{") && b.contains("\"password\":\"[redacted]\""))));
    }

    private String secret(String what) {
        String secret = what + "-" + Pkce.randomToken(16);
        secrets.add(secret);
        return secret;
    }

    private static ComponentRepresentation component(String name, String providerId, String providerType) {
        ComponentRepresentation component = new ComponentRepresentation();
        component.setName(name);
        component.setProviderId(providerId);
        component.setProviderType(providerType);
        component.setConfig(new MultivaluedHashMap<>());
        return component;
    }

    private static String created(Response response) {
        try (response) {
            assertThat(response.getStatus())
                    .as("created: %s", response.getStatusInfo())
                    .isEqualTo(201);
            String location = response.getLocation().getPath();
            return location.substring(location.lastIndexOf('/') + 1);
        }
    }
}
