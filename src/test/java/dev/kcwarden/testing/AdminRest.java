package dev.kcwarden.testing;

import com.fasterxml.jackson.core.type.TypeReference;
import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import org.keycloak.util.JsonSerialization;

/**
 * Keycloak's admin REST API over plain HTTP, for servers the test framework does not manage (the cluster test's nodes,
 * the benchmark's server): a master-realm admin token, guard limits and users, exactly as an operator's script would
 * set them.
 */
public final class AdminRest {

    /** Master-realm admin tokens live 60 s; a token older than this is replaced before use. */
    private static final long TOKEN_REUSE_MILLIS = 30_000;

    private final String base;
    private final String admin;
    private final String password;
    private String token;
    private long signedInAt;

    private AdminRest(String base, String admin, String password) {
        this.base = base;
        this.admin = admin;
        this.password = password;
    }

    /**
     * Signs in to the master realm as {@code admin} through admin-cli (and again whenever the token is getting old).
     */
    public static AdminRest signIn(String base, String admin, String password) {
        AdminRest rest = new AdminRest(base, admin, password);
        rest.token();
        return rest;
    }

    /** A valid admin access token: a long benchmark outlives the first one. */
    public String token() {
        if (token == null || System.currentTimeMillis() - signedInAt > TOKEN_REUSE_MILLIS) {
            Http.Reply reply = Http.postForm(
                    base + "/realms/master/protocol/openid-connect/token",
                    TokenEndpoint.passwordForm("admin-cli", admin, password));
            if (reply.status() != 200) {
                throw new IllegalStateException("admin sign-in at " + base + " gave HTTP " + reply.status());
            }
            token = (String) reply.json().get("access_token");
            signedInAt = System.currentTimeMillis();
        }
        return token;
    }

    /** Merges {@code values} into the configuration of {@code providerId}'s execution in {@code flowAlias}. */
    public void setGuardLimits(String realm, String flowAlias, String providerId, Map<String, String> values)
            throws IOException, InterruptedException {
        String realmUrl = base + "/admin/realms/" + realm;
        String flow = URLEncoder.encode(flowAlias, StandardCharsets.UTF_8).replace("+", "%20");
        List<Map<String, Object>> executions = JsonSerialization.readValue(
                Http.getWithBearer(realmUrl + "/authentication/flows/" + flow + "/executions", token())
                        .body(),
                new TypeReference<>() {});
        String configId = executions.stream()
                .filter(e -> providerId.equals(e.get("providerId")))
                .map(e -> (String) e.get("authenticationConfig"))
                .findFirst()
                .orElseThrow(() -> new IllegalStateException(providerId + " is not in flow " + flowAlias));
        Map<String, Object> config = Http.getWithBearer(realmUrl + "/authentication/config/" + configId, token())
                .json();
        @SuppressWarnings("unchecked")
        Map<String, String> current = (Map<String, String>) config.get("config");
        current.putAll(values);
        send("PUT", realmUrl + "/authentication/config/" + configId, JsonSerialization.writeValueAsString(config));
    }

    /** Changes realm attributes (a partial representation, as the console's Save sends it). */
    public void updateRealm(String realm, Map<String, Object> attributes) throws IOException, InterruptedException {
        send("PUT", base + "/admin/realms/" + realm, JsonSerialization.writeValueAsString(attributes));
    }

    /**
     * An enabled user with a permanent password and the profile Keycloak's default user profile asks for (email, first
     * and last name), so a password grant is not refused as "Account is not fully set up".
     */
    public void createUser(String realm, String username, String password) throws IOException, InterruptedException {
        send(
                "POST",
                base + "/admin/realms/" + realm + "/users",
                JsonSerialization.writeValueAsString(Map.of(
                        "username",
                        username,
                        "enabled",
                        true,
                        "email",
                        username + "@example.com",
                        "emailVerified",
                        true,
                        "firstName",
                        "Test",
                        "lastName",
                        username,
                        "credentials",
                        List.of(Map.of("type", "password", "value", password, "temporary", false)))));
    }

    private void send(String method, String url, String json) throws IOException, InterruptedException {
        HttpResponse<String> response = HttpClient.newHttpClient()
                .send(
                        HttpRequest.newBuilder(URI.create(url))
                                .header("Authorization", "Bearer " + token())
                                .header("Content-Type", "application/json")
                                .method(method, HttpRequest.BodyPublishers.ofString(json))
                                .build(),
                        HttpResponse.BodyHandlers.ofString());
        if (response.statusCode() / 100 != 2) {
            throw new IllegalStateException(
                    method + " " + url + ": HTTP " + response.statusCode() + " " + response.body());
        }
    }
}
