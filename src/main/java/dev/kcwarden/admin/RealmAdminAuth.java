package dev.kcwarden.admin;

import jakarta.ws.rs.NotAuthorizedException;
import jakarta.ws.rs.core.HttpHeaders;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import java.util.LinkedHashMap;
import java.util.Map;
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
 * {@code WWW-Authenticate} header and a JSON error body. Never a 500.
 */
final class RealmAdminAuth {

    private static final String BEARER = "Bearer";

    private RealmAdminAuth() {
    }

    /**
     * Answers {@code body} when the caller is authenticated and {@code allowed} holds for it; otherwise the
     * 401 or 403 response.
     */
    static Response require(KeycloakSession session, Predicate<AdminPermissionEvaluator> allowed,
            Supplier<Object> body) {
        AdminPermissionEvaluator permissions;
        try {
            permissions = authenticate(session);
        } catch (NotAuthorizedException e) {
            return error(Response.Status.UNAUTHORIZED, "invalid_token",
                    "A valid bearer token of an administrator is required.");
        }
        if (!allowed.test(permissions)) {
            return error(Response.Status.FORBIDDEN, "insufficient_scope",
                    "The token's user lacks the admin role this call needs in this realm.");
        }
        return Response.ok(body.get(), MediaType.APPLICATION_JSON_TYPE).build();
    }

    private static Response error(Response.Status status, String error, String description) {
        Map<String, String> body = new LinkedHashMap<>();
        body.put("error", error);
        body.put("error_description", description);
        return Response.status(status)
                .header(HttpHeaders.WWW_AUTHENTICATE, BEARER + " error=\"" + error + "\"")
                .type(MediaType.APPLICATION_JSON_TYPE)
                .entity(body)
                .build();
    }

    private static AdminPermissionEvaluator authenticate(KeycloakSession session) {
        RealmModel targetRealm = session.getContext().getRealm();
        HttpHeaders headers = session.getContext().getHttpRequest().getHttpHeaders();

        String tokenString = AppAuthManager.extractAuthorizationHeaderToken(headers);
        if (tokenString == null) {
            throw new NotAuthorizedException(BEARER);
        }
        RealmModel tokenRealm = session.realms().getRealmByName(issuerRealmName(tokenString));
        if (tokenRealm == null) {
            throw new NotAuthorizedException(BEARER);
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
        } finally {
            session.getContext().setRealm(targetRealm);
        }
        if (result == null) {
            throw new NotAuthorizedException(BEARER);
        }

        AdminAuth auth = new AdminAuth(tokenRealm, result.token(), result.user(), result.client());
        return AdminPermissions.evaluator(session, targetRealm, auth);
    }

    private static String issuerRealmName(String tokenString) {
        AccessToken token;
        try {
            token = new JWSInput(tokenString).readJsonContent(AccessToken.class);
        } catch (JWSInputException | RuntimeException e) {
            throw new NotAuthorizedException(BEARER);
        }
        String issuer = token.getIssuer();
        int slash = issuer == null ? -1 : issuer.lastIndexOf('/');
        if (slash < 0 || slash == issuer.length() - 1) {
            throw new NotAuthorizedException(BEARER);
        }
        return Encode.decodePath(issuer.substring(slash + 1));
    }
}
