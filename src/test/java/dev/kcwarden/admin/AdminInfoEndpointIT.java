package dev.kcwarden.admin;

import static org.assertj.core.api.Assertions.assertThat;

import dev.kcwarden.testing.AuditLines;
import dev.kcwarden.testing.DemoRealm;
import dev.kcwarden.testing.Http;
import dev.kcwarden.testing.LoopbackClient;
import dev.kcwarden.testing.Pkce;
import dev.kcwarden.testing.TokenEndpoint;
import dev.kcwarden.testing.Users;
import dev.kcwarden.testing.WardenApi;
import dev.kcwarden.testing.WardenServerConfig;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.keycloak.admin.client.Keycloak;
import org.keycloak.admin.client.resource.ClientResource;
import org.keycloak.admin.client.resource.RealmResource;
import org.keycloak.representations.idm.ClientRepresentation;
import org.keycloak.representations.idm.ProtocolMapperRepresentation;
import org.keycloak.representations.idm.RoleRepresentation;
import org.keycloak.testframework.annotations.InjectAdminClient;
import org.keycloak.testframework.annotations.InjectRealm;
import org.keycloak.testframework.annotations.KeycloakIntegrationTest;
import org.keycloak.testframework.realm.ManagedRealm;

@KeycloakIntegrationTest(config = WardenServerConfig.class)
@DisplayName("warden's admin API, /admin/realms/{realm}/warden/..., answers realm administrators only, and audits "
        + "every clear")
class AdminInfoEndpointIT {

    private static final String AUDITOR = "realm-auditor";
    private static final String AUDITOR_PASSWORD = "auditor-Passphrase-42";

    @InjectAdminClient
    Keycloak admin;

    @InjectRealm(fromJson = DemoRealm.JSON, config = DemoRealm.Offline.class)
    ManagedRealm realm;

    private String infoUrl;
    private TokenEndpoint endpoints;

    @BeforeEach
    void setUp() {
        endpoints = new TokenEndpoint(realm.getBaseUrl());
        infoUrl = WardenApi.url(realm.getBaseUrl(), "info");
    }

    @Test
    @DisplayName("a guard setting Keycloak stored although invalid is listed in info with its config, its property "
            + "and the default used instead")
    void invalidGuardSettingIsListed() {
        var flows = realm.admin().flows();
        var config = flows.getExecutions("warden reset credentials").stream()
                .filter(e -> "warden-reset-credentials-choose-user".equals(e.getProviderId()))
                .map(e -> flows.getAuthenticatorConfig(e.getAuthenticationConfig()))
                .findFirst()
                .orElseThrow();
        Map<String, String> saved = new java.util.HashMap<>(config.getConfig());
        assertThat(Http.getWithBearer(infoUrl, admin.tokenManager().getAccessTokenString())
                        .json())
                .containsEntry("settingProblems", List.of());
        try {
            config.getConfig().put("warden.reset-ip.max", "lots");
            flows.updateAuthenticatorConfig(config.getId(), config); // Keycloak has no hook to refuse it

            Http.Reply reply = Http.getWithBearer(infoUrl, admin.tokenManager().getAccessTokenString());

            assertThat(reply.status()).isEqualTo(200);
            assertThat(reply.json())
                    .containsEntry(
                            "settingProblems",
                            List.of(config.getAlias() + ": warden.reset-ip.max must be a whole number from 0 to 10000; "
                                    + "using the default 20 instead"));
        } finally {
            config.setConfig(saved);
            flows.updateAuthenticatorConfig(config.getId(), config);
        }
    }

    @Test
    @DisplayName("a server administrator (master realm token) gets the extension and Keycloak versions")
    void serverAdminGetsInfo() {
        Http.Reply reply = Http.getWithBearer(infoUrl, admin.tokenManager().getAccessTokenString());

        assertThat(reply.status()).isEqualTo(200);
        assertThat(reply.json())
                .containsEntry("extension", "keycloak-warden")
                .containsEntry("version", System.getProperty("warden.version"))
                .containsEntry("keycloak", System.getProperty("keycloak.version"))
                .containsEntry("realm", DemoRealm.NAME);
    }

    @Test
    @DisplayName("an administrator of the realm itself (view-realm) gets the info too")
    void realmAdminGetsInfo() {
        createUserWithRealmManagementRole(AUDITOR, AUDITOR_PASSWORD, "view-realm");

        String token = TokenEndpoint.accessToken(endpoints.password("admin-cli", AUDITOR, AUDITOR_PASSWORD));
        Http.Reply reply = Http.getWithBearer(infoUrl, token);

        assertThat(reply.status()).isEqualTo(200);
        // Keycloak shows its version only to those who may manage the realm; so does warden, with the CVEs.
        assertThat(reply.json())
                .containsEntry("realm", DemoRealm.NAME)
                .containsEntry("version", System.getProperty("warden.version"))
                .doesNotContainKeys("keycloak", "builtForKeycloak", "keycloakAssessment", "keycloakAdvisories");
    }

    @Test
    @DisplayName("an administrator who may manage the realm also gets the Keycloak version and its advisories")
    void realmManagerGetsKeycloakVersion() {
        createUserWithRealmManagementRole(AUDITOR + "-3", AUDITOR_PASSWORD, "manage-realm");

        String token = TokenEndpoint.accessToken(endpoints.password("admin-cli", AUDITOR + "-3", AUDITOR_PASSWORD));
        Http.Reply reply = Http.getWithBearer(infoUrl, token);

        assertThat(reply.status()).isEqualTo(200);
        assertThat(reply.json())
                .containsEntry("keycloak", System.getProperty("keycloak.version"))
                .containsKeys("builtForKeycloak", "keycloakAssessment", "keycloakAdvisories");
    }

    @Test
    @DisplayName("a realm admin's token stops working once an admin ends that user's sessions")
    void tokenOfEndedSessionIsUnauthorized() {
        String userId = createUserWithRealmManagementRole(AUDITOR + "-2", AUDITOR_PASSWORD, "view-realm");
        String token = TokenEndpoint.accessToken(endpoints.password("admin-cli", AUDITOR + "-2", AUDITOR_PASSWORD));
        assertThat(Http.getWithBearer(infoUrl, token).status()).isEqualTo(200);

        realm.admin().users().get(userId).logout();

        assertUnauthorized(Http.getWithBearer(infoUrl, token));
    }

    @Test
    @DisplayName("no token: 401 from Keycloak's admin root, without a stack trace")
    void noTokenIsUnauthorized() {
        assertUnauthorized(Http.getWithBearer(infoUrl, null));
        assertUnauthorized(Http.getWithBearer(WardenApi.url(realm.getBaseUrl(), "throttles?username=demo"), null));
        assertUnauthorized(Http.send("DELETE", WardenApi.url(realm.getBaseUrl(), "throttles?username=demo"), null));
    }

    @Test
    @DisplayName("the old public path /realms/{realm}/warden/... is gone (404), so a proxy that shields /admin "
            + "shields it all")
    void publicPathIsGone() {
        String token = admin.tokenManager().getAccessTokenString();
        assertThat(Http.getWithBearer(realm.getBaseUrl() + "/warden/info", token)
                        .status())
                .isEqualTo(404);
        assertThat(Http.send("DELETE", realm.getBaseUrl() + "/warden/throttles?username=demo", token)
                        .status())
                .isEqualTo(404);
    }

    @Test
    @DisplayName("view-users may read the counters but not clear them; manage-users may clear")
    void readNeedsViewUsersClearNeedsManageUsers() {
        createUserWithRealmManagementRole(AUDITOR + "-viewer", AUDITOR_PASSWORD, "view-users");
        String viewer =
                TokenEndpoint.accessToken(endpoints.password("admin-cli", AUDITOR + "-viewer", AUDITOR_PASSWORD));
        String throttles = WardenApi.url(realm.getBaseUrl(), "throttles?username=demo&ip=127.0.0.9");

        assertThat(Http.getWithBearer(throttles, viewer).status())
                .as("GET with view-users")
                .isEqualTo(200);
        assertThat(Http.send("DELETE", throttles, viewer).status())
                .as("DELETE with view-users")
                .isEqualTo(403);
        assertThat(Http.getWithBearer(infoUrl, viewer).status())
                .as("info needs view-realm")
                .isEqualTo(403);

        createUserWithRealmManagementRole(AUDITOR + "-manager", AUDITOR_PASSWORD, "manage-users");
        String manager =
                TokenEndpoint.accessToken(endpoints.password("admin-cli", AUDITOR + "-manager", AUDITOR_PASSWORD));
        assertThat(Http.send("DELETE", throttles, manager).status())
                .as("DELETE with manage-users")
                .isEqualTo(200);
    }

    @Test
    @DisplayName("an administrator of another realm (full realm-admin there) is refused here")
    void adminOfAnotherRealmIsRefused() {
        String other = "warden-neighbour-" + Pkce.randomToken(4).toLowerCase(java.util.Locale.ROOT);
        org.keycloak.representations.idm.RealmRepresentation rep =
                new org.keycloak.representations.idm.RealmRepresentation();
        rep.setRealm(other);
        rep.setEnabled(true);
        admin.realms().create(rep);
        try {
            RealmResource neighbour = admin.realm(other);
            String userId = Users.create(neighbour, Users.withPassword("neighbour-admin", AUDITOR_PASSWORD));
            String realmManagement = neighbour
                    .clients()
                    .findByClientId("realm-management")
                    .get(0)
                    .getId();
            RoleRepresentation realmAdmin = neighbour
                    .clients()
                    .get(realmManagement)
                    .roles()
                    .get("realm-admin")
                    .toRepresentation();
            neighbour.users().get(userId).roles().clientLevel(realmManagement).add(List.of(realmAdmin));
            String token = TokenEndpoint.accessToken(
                    new TokenEndpoint(realm.getBaseUrl().replace("/realms/" + DemoRealm.NAME, "/realms/" + other))
                            .password("admin-cli", "neighbour-admin", AUDITOR_PASSWORD));
            assertThat(Http.getWithBearer(
                                    WardenApi.url(
                                            realm.getBaseUrl().replace("/realms/" + DemoRealm.NAME, "/realms/" + other),
                                            "info"),
                                    token)
                            .status())
                    .as("in its own realm")
                    .isEqualTo(200);

            assertThat(Http.getWithBearer(infoUrl, token).status())
                    .as("GET info")
                    .isIn(401, 403);
            assertThat(Http.getWithBearer(WardenApi.url(realm.getBaseUrl(), "throttles?username=demo"), token)
                            .status())
                    .as("GET throttles")
                    .isIn(401, 403);
            assertThat(Http.send("DELETE", WardenApi.url(realm.getBaseUrl(), "throttles?username=demo"), token)
                            .status())
                    .as("DELETE throttles")
                    .isIn(401, 403);
        } finally {
            admin.realm(other).remove();
        }
    }

    @Test
    @DisplayName("a clear is an admin event with the acting admin, the username, the address and what was cleared, "
            + "and an audit line")
    void clearIsAudited() throws Exception {
        String adminUserId = createUserWithRealmManagementRole(AUDITOR + "-clearer", AUDITOR_PASSWORD, "manage-users");
        String token =
                TokenEndpoint.accessToken(endpoints.password("admin-cli", AUDITOR + "-clearer", AUDITOR_PASSWORD));
        String target = "clear-target-" + Pkce.randomToken(6).toLowerCase(java.util.Locale.ROOT);
        // something to clear: one wrong password of the target from 127.0.0.61
        new LoopbackClient("127.0.0.61")
                .postForm(
                        endpoints.tokenUrl(),
                        TokenEndpoint.passwordForm(DemoRealm.CLI, target, "wrong-" + Pkce.randomToken(6)));
        long logStart = java.nio.file.Files.size(WardenServerConfig.LOG_FILE);

        Http.Reply cleared = Http.send(
                "DELETE", WardenApi.url(realm.getBaseUrl(), "throttles?username=" + target + "&ip=127.0.0.61"), token);

        assertThat(cleared.status()).as(cleared.body()).isEqualTo(200);
        List<org.keycloak.representations.idm.AdminEventRepresentation> events = realm.admin().getAdminEvents().stream()
                .filter(e -> "WARDEN_THROTTLES".equals(e.getResourceType()))
                .filter(e ->
                        e.getDetails() != null && target.equals(e.getDetails().get("username")))
                .toList();
        assertThat(events).as("stored admin events").isNotEmpty();
        org.keycloak.representations.idm.AdminEventRepresentation event = events.get(0);
        assertThat(event.getOperationType()).isEqualTo("DELETE");
        assertThat(event.getAuthDetails().getUserId()).isEqualTo(adminUserId);
        assertThat(event.getDetails()).containsEntry("username", target).containsEntry("warden_ip", "127.0.0.61");
        assertThat(event.getDetails().get("warden_cleared")).contains("user_ip");

        String line = AuditLines.await(WardenServerConfig.LOG_FILE, logStart, "\"resourceType\":\"WARDEN_THROTTLES\"");
        assertThat(line)
                .contains(
                        "\"type\":\"ADMIN_DELETE\"",
                        "\"userId\":\"" + adminUserId + "\"",
                        "\"username\":\"" + target + "\"",
                        "\"warden_ip\":\"127.0.0.61\"");
    }

    @Test
    @DisplayName("a token that is not a JWT: 401, no server error")
    void garbageTokenIsUnauthorized() {
        assertUnauthorized(Http.getWithBearer(infoUrl, "not-a-jwt"));
        assertUnauthorized(Http.getWithBearer(infoUrl, "a.b.c"));
    }

    @Test
    @DisplayName("an unsigned token that claims to come from the master realm: 401; one without an issuer: as "
            + "Keycloak's own admin API")
    void forgedTokenIsUnauthorized() {
        String header = b64("{\"alg\":\"none\",\"typ\":\"JWT\"}");
        String withIssuer = b64("{\"iss\":\"" + realm.getBaseUrl().replace("/" + DemoRealm.NAME, "/master")
                + "\",\"sub\":\"x\",\"typ\":\"Bearer\",\"exp\":4102444800}");
        String withoutIssuer = b64("{\"sub\":\"x\"}");

        assertUnauthorized(Http.getWithBearer(infoUrl, header + "." + withIssuer + "."));
        // Keycloak 26.7.5's admin root answers a JWT without "iss" with a 500 (a NullPointerException in
        // AdminRoot.authenticateRealmAdminRequest) on every admin endpoint, its own included. warden's endpoints sit
        // behind that root now: they must answer exactly as Keycloak's own do, and never let the token in.
        String noIssuer = header + "." + withoutIssuer + ".";
        int keycloaks = Http.getWithBearer(
                        realm.getBaseUrl().replace("/realms/", "/admin/realms/") + "/users", noIssuer)
                .status();
        assertThat(keycloaks).as("Keycloak's own admin API").isNotEqualTo(200);
        assertThat(Http.getWithBearer(infoUrl, noIssuer).status())
                .as("warden's, like Keycloak's own")
                .isEqualTo(keycloaks);
    }

    @Test
    @DisplayName("a valid token of an ordinary user: 403 insufficient_scope")
    void ordinaryUserIsForbidden() {
        String token = TokenEndpoint.accessToken(
                endpoints.password(DemoRealm.CLI, DemoRealm.DEMO_USER, DemoRealm.DEMO_PASSWORD));

        Http.Reply reply = Http.getWithBearer(infoUrl, token);

        assertThat(reply.status()).isEqualTo(403);
        assertThat(reply.body()).doesNotContain("Exception");
    }

    @Test
    @DisplayName("a master-realm tenant admin who manages only this realm gets no Keycloak version, as in Keycloak's "
            + "server info")
    void tenantAdminGetsNoKeycloakVersion() {
        RealmResource master = admin.realm("master");
        String username = "tenant-admin-" + Pkce.randomToken(6).toLowerCase(java.util.Locale.ROOT);
        String userId = Users.create(master, Users.withPassword(username, AUDITOR_PASSWORD));
        try {
            String tenantClient = master.clients()
                    .findByClientId(DemoRealm.NAME + "-realm")
                    .get(0)
                    .getId();
            RoleRepresentation manageRealm = master.clients()
                    .get(tenantClient)
                    .roles()
                    .get("manage-realm")
                    .toRepresentation();
            master.users().get(userId).roles().clientLevel(tenantClient).add(List.of(manageRealm));
            String token = TokenEndpoint.accessToken(
                    new TokenEndpoint(realm.getBaseUrl().replace("/realms/" + DemoRealm.NAME, "/realms/master"))
                            .password("admin-cli", username, AUDITOR_PASSWORD));

            Http.Reply reply = Http.getWithBearer(infoUrl, token);

            assertThat(reply.status()).as("may view the realm it manages").isEqualTo(200);
            assertThat(reply.json())
                    .containsEntry("realm", DemoRealm.NAME)
                    .doesNotContainKeys("keycloak", "builtForKeycloak", "keycloakAssessment", "keycloakAdvisories");
        } finally {
            master.users().get(userId).remove();
        }
    }

    @Test
    @DisplayName("admin roles that only a protocol mapper puts into the token open neither Keycloak's Admin API nor "
            + "warden's")
    void mapperGrantedAdminRolesAreForbidden() {
        // Keycloak 26.7.1 (and 26.6.5) stopped honouring admin roles that a protocol mapper adds to a token;
        // warden's endpoints must refuse them too, or they would be a way around that fix. On 26.7.5 Keycloak
        // already empties such roles in the token, so this proves no path through warden opens, whichever way
        // Keycloak enforces it, rather than warden's own role check.
        String username = "mapper-admin";
        Users.create(realm, Users.withPassword(username, AUDITOR_PASSWORD));
        ClientRepresentation client = new ClientRepresentation();
        client.setClientId("mapper-admin-cli");
        client.setPublicClient(true);
        client.setDirectAccessGrantsEnabled(true);
        client.setStandardFlowEnabled(false);
        client.setProtocolMappers(List.of(
                hardcodedRole("realm-management.manage-users"),
                hardcodedRole("realm-management.view-realm"),
                hardcodedRole("realm-management.view-users")));
        realm.admin().clients().create(client).close();
        realm.cleanup()
                .add(r -> r.clients()
                        .findByClientId("mapper-admin-cli")
                        .forEach(c -> r.clients().get(c.getId()).remove()));

        String token = TokenEndpoint.accessToken(endpoints.password("mapper-admin-cli", username, AUDITOR_PASSWORD));
        String adminApi = realm.getBaseUrl().replace("/realms/" + DemoRealm.NAME, "/admin/realms/" + DemoRealm.NAME);

        // The mappers ran (realm-management became an audience); 26.7.5 empties the mapped admin roles in the
        // token, and whatever a later release does instead, both APIs must still refuse.
        assertThat(new String(Base64.getUrlDecoder().decode(token.split("\\.")[1]), StandardCharsets.UTF_8))
                .as("the mapped client is in the token")
                .contains("\"realm-management\"");
        assertThat(Http.getWithBearer(adminApi + "/users", token).status())
                .as("Keycloak's own Admin API")
                .isEqualTo(403);
        assertThat(Http.getWithBearer(infoUrl, token).status())
                .as("GET /warden/info")
                .isEqualTo(403);
        assertThat(Http.getWithBearer(WardenApi.url(realm.getBaseUrl(), "throttles?username=demo"), token)
                        .status())
                .as("GET /warden/throttles")
                .isEqualTo(403);
        assertThat(Http.send("DELETE", WardenApi.url(realm.getBaseUrl(), "throttles?username=demo"), token)
                        .status())
                .as("DELETE /warden/throttles")
                .isEqualTo(403);
    }

    private static ProtocolMapperRepresentation hardcodedRole(String role) {
        ProtocolMapperRepresentation mapper = new ProtocolMapperRepresentation();
        mapper.setName("hardcoded " + role);
        mapper.setProtocol("openid-connect");
        mapper.setProtocolMapper("oidc-hardcoded-role-mapper");
        mapper.setConfig(java.util.Map.of("role", role));
        return mapper;
    }

    private static void assertUnauthorized(Http.Reply reply) {
        assertThat(reply.status()).as(reply.body()).isEqualTo(401);
        assertThat(reply.body()).doesNotContain("Exception", "\tat ");
    }

    private static String b64(String json) {
        return Base64.getUrlEncoder().withoutPadding().encodeToString(json.getBytes(StandardCharsets.UTF_8));
    }

    private String createUserWithRealmManagementRole(String username, String password, String role) {
        String userId = Users.create(realm, Users.withPassword(username, password));
        String realmManagement = realm.admin()
                .clients()
                .findByClientId("realm-management")
                .get(0)
                .getId();
        ClientResource client = realm.admin().clients().get(realmManagement);
        RoleRepresentation roleRep = client.roles().get(role).toRepresentation();
        realm.admin().users().get(userId).roles().clientLevel(realmManagement).add(List.of(roleRep));
        return userId;
    }
}
