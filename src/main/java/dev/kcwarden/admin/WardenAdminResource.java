package dev.kcwarden.admin;

import dev.kcwarden.KeycloakAdvisories;
import dev.kcwarden.Warden;
import dev.kcwarden.ratelimit.ClientAddress;
import dev.kcwarden.ratelimit.ThrottleAdmin;
import jakarta.ws.rs.DELETE;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.function.BiFunction;
import org.jboss.logging.Logger;
import org.keycloak.common.Version;
import org.keycloak.models.KeycloakSession;
import org.keycloak.models.RealmModel;
import org.keycloak.services.resources.admin.AdminAuth;
import org.keycloak.services.resources.admin.fgap.AdminPermissionEvaluator;
import org.keycloak.services.resources.admin.fgap.AdminPermissions;

/**
 * JAX-RS resource behind {@code /realms/{realm}/warden}. Each method authenticates the caller
 * first; nothing here is public.
 */
public final class WardenAdminResource {

    private static final Logger LOG = Logger.getLogger(WardenAdminResource.class);
    private static final int MAX_USERNAME = 255;

    private final KeycloakSession session;

    WardenAdminResource(KeycloakSession session) {
        this.session = session;
    }

    /**
     * What this node runs: lets operators check a rolling upgrade node by node.
     * Requires {@code view-realm} on the realm in the path.
     */
    @GET
    @Path("info")
    @Produces(MediaType.APPLICATION_JSON)
    public Response info() {
        return RealmAdminAuth.require(session, permissions -> permissions.realm().canViewRealm(),
                (AdminPermissionEvaluator permissions) -> describe(managesOwnRealm(permissions)));
    }

    /**
     * The login-guard counters of a username and/or client IP: counted attempts, limit, block
     * and Retry-After per limit. Requires {@code manage-users} on the realm.
     */
    @GET
    @Path("throttles")
    @Produces(MediaType.APPLICATION_JSON)
    public Response throttles(@QueryParam("username") String username, @QueryParam("ip") String ip) {
        return RealmAdminAuth.require(session, permissions -> permissions.users().canManage(),
                () -> onThrottles(username, ip, (admin, client) -> admin.list(blankToNull(username), client)));
    }

    /** Clears the counters and blocks of a username and/or client IP. Requires {@code manage-users}. */
    @DELETE
    @Path("throttles")
    @Produces(MediaType.APPLICATION_JSON)
    public Response clearThrottles(@QueryParam("username") String username, @QueryParam("ip") String ip) {
        return RealmAdminAuth.require(session, permissions -> permissions.users().canManage(),
                () -> onThrottles(username, ip, (admin, client) -> {
                    var cleared = admin.clear(blankToNull(username), client);
                    LOG.infof("realm %s: an administrator cleared login-guard limits %s", session.getContext().getRealm().getName(), cleared);
                    return Map.of("cleared", cleared);
                }));
    }

    private Object onThrottles(String username, String ip, BiFunction<ThrottleAdmin, ClientAddress, Object> action) {
        boolean hasUser = username != null && !username.isBlank();
        boolean hasIp = ip != null && !ip.isBlank();
        if (!hasUser && !hasIp) {
            return RealmAdminAuth.badRequest("Give a username (or email) in ?username=, a client IP in ?ip=, or both.");
        }
        if (hasUser && username.length() > MAX_USERNAME) {
            return RealmAdminAuth.badRequest("username is longer than " + MAX_USERNAME + " characters.");
        }
        Optional<ClientAddress> client = hasIp ? ClientAddress.parse(ip) : Optional.empty();
        if (hasIp && client.isEmpty()) {
            return RealmAdminAuth.badRequest("ip must be an IPv4 or IPv6 address such as 192.0.2.10 or 2001:db8::1.");
        }
        Map<String, Object> answer = new LinkedHashMap<>();
        if (hasUser) {
            answer.put("username", username);
        }
        client.ifPresent(c -> answer.put("ip", c.limitKey()));
        Object result = action.apply(new ThrottleAdmin(session, session.getContext().getRealm()), client.orElse(null));
        if (result instanceof Map<?, ?> map) {
            map.forEach((k, v) -> answer.put(String.valueOf(k), v));
        } else {
            answer.put("limits", result);
        }
        return answer;
    }

    private static String blankToNull(String value) {
        return value == null || value.isBlank() ? null : value;
    }

    /**
     * Keycloak's own rule for showing its version in server info: the caller may manage the realm its token
     * comes from. A master-realm user who manages only this realm is a tenant admin and does not see it.
     */
    private boolean managesOwnRealm(AdminPermissionEvaluator permissions) {
        AdminAuth auth = permissions.adminAuth();
        return AdminPermissions.evaluator(session, auth.getRealm(), auth).realm().canManageRealm();
    }

    /**
     * The extension and, for callers whom Keycloak itself shows its version ({@link #managesOwnRealm}), the
     * Keycloak release and the advisories it carries: a list of open CVEs is a map for an attacker, so a mere
     * viewer of the realm, or a tenant admin, does not get it.
     */
    private Map<String, Object> describe(boolean mayManageRealm) {
        RealmModel realm = session.getContext().getRealm();
        Map<String, Object> info = new LinkedHashMap<>();
        info.put("extension", Warden.NAME);
        info.put("version", Warden.VERSION);
        info.put("realm", realm.getName());
        if (!mayManageRealm) {
            return info;
        }
        info.put("builtForKeycloak", Warden.BUILT_FOR_KEYCLOAK);
        info.put("keycloak", Version.VERSION);
        // What this node's Keycloak is exposed to, so a rolling upgrade can be checked node by node.
        KeycloakAdvisories.Assessment assessment = KeycloakAdvisories.assess(Version.VERSION);
        info.put("keycloakAssessment", assessment.status().name().toLowerCase(Locale.ROOT));
        info.put("keycloakAdvisories", assessment.advisories().stream().map(a -> {
            Map<String, Object> advisory = new LinkedHashMap<>();
            advisory.put("id", a.id());
            advisory.put("severity", a.severity().name().toLowerCase(Locale.ROOT));
            advisory.put("fixedIn", a.fixedIn());
            return advisory;
        }).toList());
        info.put("advisoriesAsOf", KeycloakAdvisories.AS_OF);
        return info;
    }
}
