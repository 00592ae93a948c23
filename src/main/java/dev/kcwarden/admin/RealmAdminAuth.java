package dev.kcwarden.admin;

import jakarta.ws.rs.NotAuthorizedException;
import jakarta.ws.rs.core.HttpHeaders;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;
import java.util.function.Predicate;
import java.util.function.Supplier;
import org.keycloak.common.util.Encode;
import org.keycloak.jose.jws.JWSInput;
import org.keycloak.jose.jws.JWSInputException;
import org.keycloak.models.KeycloakSession;
import org.keycloak.models.RealmModel;
import org.keycloak.representations.AccessToken;
import org.keycloak.services.managers.AppAuthManager;
import org.keycloak.services.managers.AuthenticationManager.AuthResult;
import org.keycloak.services.resources.admin.AdminAuth;
import org.keycloak.services.resources.admin.fgap.AdminPermissionEvaluator;
import org.keycloak.services.resources.admin.fgap.AdminPermissions;

/**
 * Guards an admin REST call that arrives under {@code /realms/{realm}/warden}, the way Keycloak's
 * own admin API does: the bearer token may come from the target realm (a realm admin) or from another realm
 * such as master (a server admin); the permission check is always against the target realm.
 *
 * <p>Every way a token can be wrong (absent, not a JWT, no issuer, unknown realm, expired, bad signature,
 * revoked session) ends in 401; a valid token without the permission ends in 403; both carry an RFC 6750
 * {@code WWW-Authenticate} challenge and a JSON error body. Never a 500.
 */
final class RealmAdminAuth {

    private static final String BEARER = "Bearer";

    private RealmAdminAuth() {
    }

    /**
     * Answers {@code body} (a JSON value, or a complete response) when the caller is authenticated and
     * {@code allowed} holds for it; otherwise the 401 or 403 response.
     */
    static Response require(KeycloakSession session, Predicate<AdminPermissionEvaluator> allowed,
            Supplier<Object> body) {
        return require(session, allowed, permissions -> body.get());
    }

    /** The same, for an answer that depends on what else the caller may see. */
    static Response require(KeycloakSession session, Predicate<AdminPermissionEvaluator> allowed,
            Function<AdminPermissionEvaluator, Object> body) {
        RealmModel targetRealm = session.getContext().getRealm();
        HttpHeaders headers = session.getContext().getHttpRequest().getHttpHeaders();
        String tokenString = AppAuthManager.extractAuthorizationHeaderToken(headers);
        if (tokenString == null) {
            // RFC 6750 3.1: a request without credentials gets a challenge but no error code.
            return error(targetRealm, Response.Status.UNAUTHORIZED, null, "unauthorized",
                    "A bearer token of an administrator is required.");
        }
        Optional<AdminPermissionEvaluator> permissions = authenticate(session, targetRealm, headers, tokenString);
        if (permissions.isEmpty()) {
            return error(targetRealm, Response.Status.UNAUTHORIZED, "invalid_token", "invalid_token",
                    "The bearer token is not a valid, current token of this server.");
        }
        if (!allowed.test(permissions.get())) {
            return error(targetRealm, Response.Status.FORBIDDEN, "insufficient_scope", "insufficient_scope",
                    "The token's user lacks the admin role this call needs in this realm.");
        }
        Object answer = body.apply(permissions.get());
        return answer instanceof Response response ? response : Response.ok(answer, MediaType.APPLICATION_JSON_TYPE).build();
    }

    static Response badRequest(String description) {
        Map<String, String> body = new LinkedHashMap<>();
        body.put("error", "invalid_request");
        body.put("error_description", description);
        return Response.status(Response.Status.BAD_REQUEST).type(MediaType.APPLICATION_JSON_TYPE).entity(body).build();
    }

    private static Response error(RealmModel realm, Response.Status status, String challengeError, String error,
            String description) {
        String challenge = BEARER + " realm=\"" + realm.getName() + "\""
                + (challengeError == null ? "" : ", error=\"" + challengeError + "\"");
        Map<String, String> body = new LinkedHashMap<>();
        body.put("error", error);
        body.put("error_description", description);
        return Response.status(status)
                .header(HttpHeaders.WWW_AUTHENTICATE, challenge)
                .type(MediaType.APPLICATION_JSON_TYPE)
                .entity(body)
                .build();
    }

    private static Optional<AdminPermissionEvaluator> authenticate(KeycloakSession session, RealmModel targetRealm,
            HttpHeaders headers, String tokenString) {
        RealmModel tokenRealm = issuerRealmName(tokenString).map(session.realms()::getRealmByName).orElse(null);
        if (tokenRealm == null) {
            return Optional.empty();
        }

        AuthResult result;
        // Token verification looks up keys and sessions in the context realm; put the issuer's realm there
        // for the check and give the request its own realm back whatever happens.
        session.getContext().setRealm(tokenRealm);
        try {
            result = new AppAuthManager.BearerTokenAuthenticator(session)
                    .setRealm(tokenRealm)
                    .setConnection(session.getContext().getConnection())
                    .setHeaders(headers)
                    .setTokenString(tokenString)
                    .authenticate();
        } catch (NotAuthorizedException e) {
            // some verifier steps (DPoP binding) refuse by throwing rather than returning null
            result = null;
        } finally {
            session.getContext().setRealm(targetRealm);
        }
        if (result == null) {
            return Optional.empty();
        }

        AdminAuth auth = new AdminAuth(tokenRealm, result.token(), result.user(), result.client());
        return Optional.of(AdminPermissions.evaluator(session, targetRealm, auth));
    }

    /** The realm named at the end of the token's unverified {@code iss}; only used to pick the keys to verify with. */
    private static Optional<String> issuerRealmName(String tokenString) {
        String issuer;
        try {
            issuer = new JWSInput(tokenString).readJsonContent(AccessToken.class).getIssuer();
        } catch (JWSInputException | RuntimeException e) {
            // not a JWS, not base64url, not JSON: nothing to verify
            return Optional.empty();
        }
        int slash = issuer == null ? -1 : issuer.lastIndexOf('/');
        if (slash < 0 || slash == issuer.length() - 1) {
            return Optional.empty();
        }
        return Optional.of(Encode.decodePath(issuer.substring(slash + 1)));
    }
}
