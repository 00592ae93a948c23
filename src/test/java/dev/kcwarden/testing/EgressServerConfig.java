package dev.kcwarden.testing;

import org.keycloak.testframework.server.KeycloakServerConfig;
import org.keycloak.testframework.server.KeycloakServerConfigBuilder;

/**
 * The shared configuration behind a company's egress proxy: Keycloak's HTTP client sends every request for a
 * {@code *.warden.test} host through {@link #PROXY_PORT} (its proxy-mappings option) and trusts the test certificate of
 * {@link LocalTls} (its truststore-paths option), and the audit webhook posts to {@code https://hook.warden.test/hook}.
 * A test class that names this config costs one server restart.
 */
public final class EgressServerConfig implements KeycloakServerConfig {

    /** Fixed: the proxy mapping is a start option (listed in .ci/run's port check). */
    public static final int PROXY_PORT = 8391;

    public static final String WEBHOOK_URL = "https://" + LocalTls.HOOK_HOST + "/hook";

    @Override
    public KeycloakServerConfigBuilder configure(KeycloakServerConfigBuilder config) {
        LocalTls.ensure();
        return new WardenServerConfig()
                .configure(config)
                .option(
                        "spi-connections-http-client--default--proxy-mappings",
                        ".*\\.warden\\.test;http://127.0.0.1:" + PROXY_PORT)
                .option("truststore-paths", LocalTls.CERTIFICATE_PEM.toString())
                .option("spi-events-listener--warden-audit--webhook-url", WEBHOOK_URL);
    }
}
