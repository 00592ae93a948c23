package dev.kcwarden.admin;

import dev.kcwarden.KeycloakAdvisories;
import dev.kcwarden.Warden;
import dev.kcwarden.WardenEvents;
import dev.kcwarden.guard.ClientAddress;
import dev.kcwarden.guard.GuardAdmin;
import jakarta.ws.rs.DELETE;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.function.BiFunction;
import org.jboss.logging.Logger;
import org.keycloak.common.Version;
import org.keycloak.events.Details;
import org.keycloak.events.admin.OperationType;
import org.keycloak.models.KeycloakSession;
import org.keycloak.models.RealmModel;
import org.keycloak.services.resources.admin.AdminAuth;
import org.keycloak.services.resources.admin.AdminEventBuilder;
import org.keycloak.services.resources.admin.fgap.AdminPermissionEvaluator;
import org.keycloak.services.resources.admin.fgap.AdminPermissions;

/**
 * JAX-RS resource behind {@code /admin/realms/{realm}/warden}. Keycloak's admin root has authenticated the caller
 * before it gets here (401 without a valid token); each method checks the permission it needs (403 without) and every
 * change is an admin event, so it reaches the audit log with the acting admin.
 */
public final class WardenAdminResource {

    /** Resource type of the admin event a clear emits (Keycloak's own types are an enum; extensions name theirs). */
    public static final String RESOURCE_TYPE = "WARDEN_THROTTLES";

    private static final Logger LOG = Logger.getLogger(WardenAdminResource.class);
    private static final int MAX_USERNAME = 255;

    private final KeycloakSession session;
    private final RealmModel realm;
    private final AdminPermissionEvaluator auth;
    private final AdminEventBuilder adminEvent;

    WardenAdminResource(
            KeycloakSession session, RealmModel realm, AdminPermissionEvaluator auth, AdminEventBuilder adminEvent) {
        this.session = session;
        this.realm = realm;
        this.auth = auth;
        this.adminEvent = adminEvent;
    }

    /**
     * What this node runs: lets operators check a rolling upgrade node by node. Requires {@code view-realm} on the
     * realm in the path.
     */
    @GET
    @Path("info")
    @Produces(MediaType.APPLICATION_JSON)
    public Map<String, Object> info() {
        auth.realm().requireViewRealm();
        return describe(managesOwnRealm());
    }

    /**
     * The login-guard counters of a username and/or client IP: counted attempts, limit, block and Retry-After per
     * limit. Requires {@code view-users} on the realm.
     */
    @GET
    @Path("throttles")
    @Produces(MediaType.APPLICATION_JSON)
    public Response throttles(@QueryParam("username") String username, @QueryParam("ip") String ip) {
        auth.users().requireView();
        return onThrottles(username, ip, "limits", (admin, client) -> admin.list(blankToNull(username), client));
    }

    /**
     * Clears the counters and blocks of a username and/or client IP. Requires {@code manage-users}. Emits an admin
     * event (resource type {@value #RESOURCE_TYPE}) naming the username, the address and what was cleared.
     */
    @DELETE
    @Path("throttles")
    @Produces(MediaType.APPLICATION_JSON)
    public Response clearThrottles(@QueryParam("username") String username, @QueryParam("ip") String ip) {
        auth.users().requireManage();
        return onThrottles(username, ip, "cleared", (admin, client) -> {
            List<String> cleared = admin.clear(blankToNull(username), client);
            adminEvent
                    .operation(OperationType.DELETE)
                    .resource(RESOURCE_TYPE)
                    .resourcePath("warden", "throttles")
                    .detail(Details.USERNAME, blankToNull(username))
                    .detail(WardenEvents.IP, client == null ? null : client.limitKey())
                    .detail(WardenEvents.CLEARED, String.join(",", cleared))
                    .success();
            LOG.debugf("realm %s: an administrator cleared login-guard limits %s", realm.getName(), cleared);
            return cleared;
        });
    }

    /**
     * Checks the query, runs {@code action} on the address it gives, and answers the name and the address asked about
     * with the action's result under {@code resultName}.
     */
    private <T> Response onThrottles(
            String username, String ip, String resultName, BiFunction<GuardAdmin, ClientAddress, T> action) {
        boolean hasUser = username != null && !username.isBlank();
        boolean hasIp = ip != null && !ip.isBlank();
        if (!hasUser && !hasIp) {
            return badRequest("Give a username (or email) in ?username=, a client IP in ?ip=, or both.");
        }
        if (hasUser && username.length() > MAX_USERNAME) {
            return badRequest("username is longer than " + MAX_USERNAME + " characters.");
        }
        Optional<ClientAddress> client = hasIp ? ClientAddress.parse(ip) : Optional.empty();
        if (hasIp && client.isEmpty()) {
            return badRequest("ip must be an IPv4 or IPv6 address such as 192.0.2.10 or 2001:db8::1.");
        }
        Map<String, Object> answer = new LinkedHashMap<>();
        if (hasUser) {
            answer.put("username", username);
        }
        client.ifPresent(c -> answer.put("ip", c.limitKey()));
        answer.put(resultName, action.apply(new GuardAdmin(session, realm), client.orElse(null)));
        return Response.ok(answer, MediaType.APPLICATION_JSON_TYPE).build();
    }

    private static Response badRequest(String description) {
        Map<String, String> body = new LinkedHashMap<>();
        body.put("error", "invalid_request");
        body.put("error_description", description);
        return Response.status(Response.Status.BAD_REQUEST)
                .type(MediaType.APPLICATION_JSON_TYPE)
                .entity(body)
                .build();
    }

    private static String blankToNull(String value) {
        return value == null || value.isBlank() ? null : value;
    }

    /**
     * Keycloak's own rule for showing its version in server info: the caller may manage the realm its token comes from.
     * A master-realm user who manages only this realm is a tenant admin and does not see it.
     */
    private boolean managesOwnRealm() {
        AdminAuth admin = auth.adminAuth();
        return AdminPermissions.evaluator(session, admin.getRealm(), admin)
                .realm()
                .canManageRealm();
    }

    /**
     * The extension and, for callers whom Keycloak itself shows its version ({@link #managesOwnRealm}), the Keycloak
     * release and the advisories it carries: a list of open CVEs is a map for an attacker, so a mere viewer of the
     * realm, or a tenant admin, does not get it.
     */
    private Map<String, Object> describe(boolean mayManageRealm) {
        Map<String, Object> info = new LinkedHashMap<>();
        info.put("extension", Warden.NAME);
        info.put("version", Warden.VERSION);
        info.put("realm", realm.getName());
        // Keycloak stores authenticator configs as sent; what the guards could not use is shown here (view-realm).
        info.put("settingProblems", GuardAdmin.settingProblems(realm));
        if (!mayManageRealm) {
            return info;
        }
        info.put("builtForKeycloak", Warden.BUILT_FOR_KEYCLOAK);
        info.put("keycloak", Version.VERSION);
        // What this node's Keycloak is exposed to, so a rolling upgrade can be checked node by node.
        KeycloakAdvisories.Assessment assessment = KeycloakAdvisories.assess(Version.VERSION);
        info.put("keycloakAssessment", assessment.status().name().toLowerCase(Locale.ROOT));
        info.put(
                "keycloakAdvisories",
                assessment.advisories().stream()
                        .map(a -> {
                            Map<String, Object> advisory = new LinkedHashMap<>();
                            advisory.put("id", a.id());
                            advisory.put("severity", a.severity().name().toLowerCase(Locale.ROOT));
                            advisory.put("fixedIn", a.fixedIn());
                            return advisory;
                        })
                        .toList());
        info.put("advisoriesAsOf", KeycloakAdvisories.AS_OF);
        return info;
    }
}
