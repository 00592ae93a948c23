package dev.kcwarden.admin;

import dev.kcwarden.Warden;
import java.util.Map;
import org.keycloak.Config;
import org.keycloak.models.KeycloakSession;
import org.keycloak.models.KeycloakSessionFactory;
import org.keycloak.provider.ServerInfoAwareProviderFactory;
import org.keycloak.services.resource.RealmResourceProvider;
import org.keycloak.services.resource.RealmResourceProviderFactory;

/**
 * Registers warden's admin REST resource under every realm: {@code /realms/{realm}/warden/...}.
 * Every endpoint there requires a bearer token of an administrator of that realm.
 */
public final class WardenAdminResourceProviderFactory
        implements RealmResourceProviderFactory, ServerInfoAwareProviderFactory {

    /** Path segment under {@code /realms/{realm}/} and provider id in the server info. */
    public static final String PROVIDER_ID = "warden";

    @Override
    public RealmResourceProvider create(KeycloakSession session) {
        return new WardenAdminResourceProvider(session);
    }

    @Override
    public void init(Config.Scope config) {
        // nothing to configure
    }

    @Override
    public void postInit(KeycloakSessionFactory factory) {
        // nothing to wire
    }

    @Override
    public void close() {
        // no resources held
    }

    @Override
    public String getId() {
        return PROVIDER_ID;
    }

    @Override
    public Map<String, String> getOperationalInfo() {
        return Warden.operationalInfo();
    }
}
