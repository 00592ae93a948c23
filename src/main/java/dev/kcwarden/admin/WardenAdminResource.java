package dev.kcwarden.admin;

import dev.kcwarden.Warden;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import java.util.LinkedHashMap;
import java.util.Map;
import org.keycloak.common.Version;
import org.keycloak.models.KeycloakSession;
import org.keycloak.models.RealmModel;

/**
 * JAX-RS resource behind {@code /realms/{realm}/warden}. Each method authenticates the caller
 * first; nothing here is public.
 */
public final class WardenAdminResource {

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
        return RealmAdminAuth.require(session, permissions -> permissions.realm().canViewRealm(), this::describe);
    }

    private Map<String, String> describe() {
        RealmModel realm = session.getContext().getRealm();
        Map<String, String> info = new LinkedHashMap<>();
        info.put("extension", Warden.NAME);
        info.put("version", Warden.VERSION);
        info.put("builtForKeycloak", Warden.BUILT_FOR_KEYCLOAK);
        info.put("keycloak", Version.VERSION);
        info.put("realm", realm.getName());
        return info;
    }
}
