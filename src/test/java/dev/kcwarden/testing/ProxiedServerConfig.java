package dev.kcwarden.testing;

import org.keycloak.testframework.server.KeycloakServerConfig;
import org.keycloak.testframework.server.KeycloakServerConfigBuilder;

/**
 * The shared configuration, plus what the network-edge tests need: Keycloak honours X-Forwarded-For
 * ({@code --proxy-headers xforwarded}, taking the left-most element) and listens on IPv6 too, so that {@code ::1} can
 * be a client. A test class that names this config costs one server restart.
 */
public final class ProxiedServerConfig implements KeycloakServerConfig {

    @Override
    public KeycloakServerConfigBuilder configure(KeycloakServerConfigBuilder config) {
        return new WardenServerConfig()
                .configure(config)
                .option("proxy-headers", "xforwarded")
                .option("http-host", "::");
    }
}
