package dev.kcwarden.audit;

import java.nio.charset.StandardCharsets;
import java.util.Locale;
import org.keycloak.Config;

/**
 * Server-wide options of the {@code warden-audit} listener, read once at start
 * ({@code --spi-events-listener--warden-audit--<option>=…} or {@code KC_SPI_EVENTS_LISTENER__WARDEN_AUDIT__<OPTION>}).
 */
record AuditSettings(byte[] chainKey, UsernameMode username, String node) {

    enum UsernameMode { PLAIN, HASHED, OMITTED }

    static final String CHAIN_KEY = "chain-key";
    static final String USERNAME = "username";
    static final String NODE = "node";

    static AuditSettings from(Config.Scope config) {
        String key = config == null ? null : config.get(CHAIN_KEY);
        String mode = config == null ? null : config.get(USERNAME, "plain");
        String node = config == null ? null : config.get(NODE);
        return new AuditSettings(key == null || key.isBlank() ? null : key.strip().getBytes(StandardCharsets.UTF_8),
                parseMode(mode), node == null || node.isBlank() ? defaultNode() : node.strip());
    }

    static UsernameMode parseMode(String value) {
        if (value == null) {
            return UsernameMode.PLAIN;
        }
        try {
            return UsernameMode.valueOf(value.strip().toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("warden-audit: username must be plain, hashed or omitted, not '" + value + "'");
        }
    }

    private static String defaultNode() {
        String host = System.getenv("HOSTNAME");
        if (host == null || host.isBlank()) {
            try {
                host = java.net.InetAddress.getLocalHost().getHostName();
            } catch (java.net.UnknownHostException e) {
                host = "node";
            }
        }
        return host + "-" + Long.toString(ProcessHandle.current().pid());
    }
}
