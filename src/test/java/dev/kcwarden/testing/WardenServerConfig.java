package dev.kcwarden.testing;

import org.keycloak.testframework.server.KeycloakServerConfig;
import org.keycloak.testframework.server.KeycloakServerConfigBuilder;

/**
 * The one server configuration the integration tests share: the real Keycloak distribution with this
 * project's target/classes deployed as a provider jar. Every IT names this class, so the framework starts the
 * server once and reuses it; a test class that needs other options costs a restart, so add one only when a
 * behaviour cannot be tested otherwise.
 */
public final class WardenServerConfig implements KeycloakServerConfig {

    @Override
    public KeycloakServerConfigBuilder configure(KeycloakServerConfigBuilder config) {
        return config.dependencyCurrentProject();
    }
}
