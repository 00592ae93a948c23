package dev.kcwarden.testing;

import java.util.LinkedHashMap;
import java.util.Map;

/** The realm's OIDC endpoints, driven the way an application would: plain HTTP, no Keycloak client library. */
public final class TokenEndpoint {

    private final String realmUrl;

    public TokenEndpoint(String realmUrl) {
        this.realmUrl = realmUrl;
    }

    public String realmUrl() {
        return realmUrl;
    }

    public String tokenUrl() {
        return realmUrl + "/protocol/openid-connect/token";
    }

    public String authUrl() {
        return realmUrl + "/protocol/openid-connect/auth";
    }

    /**
     * An authorization request of the code flow (scope {@code openid}) carrying the S256 challenge of {@code verifier},
     * as a public client with PKCE sends it.
     */
    public String authorizationUrl(String clientId, String redirectUri, String verifier, String state) {
        Map<String, String> query = new LinkedHashMap<>();
        query.put("client_id", clientId);
        query.put("response_type", "code");
        query.put("scope", "openid");
        query.put("redirect_uri", redirectUri);
        query.put("state", state);
        query.put("code_challenge", Pkce.s256(verifier));
        query.put("code_challenge_method", "S256");
        return authUrl() + "?" + Http.formEncode(query);
    }

    public String jwksUrl() {
        return realmUrl + "/protocol/openid-connect/certs";
    }

    /** The form of a resource-owner password grant by a public client, without a scope. */
    public static Map<String, String> passwordForm(String clientId, String username, String password) {
        return Map.of("grant_type", "password", "client_id", clientId, "username", username, "password", password);
    }

    /** Resource-owner password grant by a public client. */
    public Http.Reply password(String clientId, String username, String password) {
        Map<String, String> form = new LinkedHashMap<>();
        form.put("grant_type", "password");
        form.put("client_id", clientId);
        form.put("username", username);
        form.put("password", password);
        form.put("scope", "openid");
        return Http.postForm(tokenUrl(), form);
    }

    /** Client credentials grant by a confidential client (client_secret_post). */
    public Http.Reply clientCredentials(String clientId, String secret) {
        Map<String, String> form = new LinkedHashMap<>();
        form.put("grant_type", "client_credentials");
        form.put("client_id", clientId);
        form.put("client_secret", secret);
        return Http.postForm(tokenUrl(), form);
    }

    /** Authorization code exchange by a public client with its PKCE verifier. */
    public Http.Reply exchangeCode(String clientId, String code, String redirectUri, String verifier) {
        Map<String, String> form = new LinkedHashMap<>();
        form.put("grant_type", "authorization_code");
        form.put("client_id", clientId);
        form.put("code", code);
        form.put("redirect_uri", redirectUri);
        form.put("code_verifier", verifier);
        return Http.postForm(tokenUrl(), form);
    }

    /** refresh_token grant by a public client. */
    public Http.Reply refresh(String clientId, String refreshToken) {
        return Http.postForm(
                tokenUrl(),
                Map.of("grant_type", "refresh_token", "client_id", clientId, "refresh_token", refreshToken));
    }

    /** RFC 7662 introspection by a confidential client (client_secret_post); returns the JSON answer. */
    public Map<String, Object> introspect(String clientId, String secret, String token) {
        Http.Reply reply = Http.postForm(
                realmUrl + "/protocol/openid-connect/token/introspect",
                Map.of("client_id", clientId, "client_secret", secret, "token", token));
        if (reply.status() != 200) {
            throw new AssertionError("introspection gave HTTP " + reply.status() + ": " + reply.body());
        }
        return reply.json();
    }

    /** The access token of a successful token response, failing the test with the response otherwise. */
    public static String accessToken(Http.Reply reply) {
        if (reply.status() != 200) {
            throw new AssertionError("token request failed: HTTP " + reply.status() + " " + reply.body());
        }
        return (String) reply.json().get("access_token");
    }
}
