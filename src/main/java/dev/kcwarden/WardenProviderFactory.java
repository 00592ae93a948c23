package dev.kcwarden;

import java.util.Map;
import org.keycloak.Config;
import org.keycloak.models.KeycloakSessionFactory;
import org.keycloak.provider.Provider;
import org.keycloak.provider.ProviderFactory;
import org.keycloak.provider.ServerInfoAwareProviderFactory;

/**
 * What every warden provider factory shares, whatever its SPI: configured per realm (nothing to read at start, nothing
 * to wire, nothing to close unless it says otherwise) and showing warden's version in the admin console's provider
 * info. A factory implements its SPI's factory interface and this one.
 */
public interface WardenProviderFactory<T extends Provider> extends ProviderFactory<T>, ServerInfoAwareProviderFactory {

    @Override
    default void init(Config.Scope config) {
        // configured per realm
    }

    @Override
    default void postInit(KeycloakSessionFactory factory) {
        // nothing to wire
    }

    @Override
    default void close() {
        // holds nothing
    }

    @Override
    default Map<String, String> getOperationalInfo() {
        return Warden.operationalInfo();
    }
}
