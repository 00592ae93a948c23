package dev.kcwarden.audit;

import java.nio.charset.StandardCharsets;
import java.util.Locale;
import org.keycloak.Config;

/**
 * Server-wide options of the {@code warden-audit} listener, read once at start
 * ({@code --spi-events-listener--warden-audit--<option>=…} or {@code KC_SPI_EVENTS_LISTENER__WARDEN_AUDIT__<OPTION>}).
 */
record AuditSettings(byte[] chainKey, UsernameMode username, String node, Webhook webhook) {

    /** The optional webhook; null when no url is configured (the default). */
    record Webhook(java.net.URI url, byte[] secret, int queue, int throttleQueue, java.time.Duration timeout, int retries) {
    }

    static final String WEBHOOK_URL = "webhook-url";
    static final String WEBHOOK_SECRET = "webhook-secret";
    static final String WEBHOOK_QUEUE = "webhook-queue";
    static final String WEBHOOK_THROTTLE_QUEUE = "webhook-throttle-queue";
    static final String WEBHOOK_TIMEOUT = "webhook-timeout";
    static final String WEBHOOK_RETRIES = "webhook-retries";

    enum UsernameMode { PLAIN, HASHED, OMITTED }

    static final String CHAIN_KEY = "chain-key";
    static final String USERNAME = "username";
    static final String NODE = "node";

    static AuditSettings from(Config.Scope config) {
        String key = config == null ? null : config.get(CHAIN_KEY);
        String mode = config == null ? null : config.get(USERNAME, "plain");
        String node = config == null ? null : config.get(NODE);
        byte[] chainKey = key == null || key.isBlank() ? null : key.strip().getBytes(StandardCharsets.UTF_8);
        UsernameMode usernameMode = parseMode(mode);
        if (usernameMode == UsernameMode.HASHED && chainKey == null) {
            throw new IllegalArgumentException("warden-audit: username=hashed needs a chain-key (the hash's secret)");
        }
        return new AuditSettings(chainKey, usernameMode, node == null || node.isBlank() ? defaultNode() : node.strip(), webhook(config));
    }

    private static Webhook webhook(Config.Scope config) {
        String url = config == null ? null : config.get(WEBHOOK_URL);
        if (url == null || url.isBlank()) {
            return null;
        }
        java.net.URI uri = java.net.URI.create(url.strip());
        if ((!"https".equals(uri.getScheme()) && !"http".equals(uri.getScheme())) || uri.getHost() == null) {
            throw new IllegalArgumentException("warden-audit: webhook-url must be an http(s) URL with a host");
        }
        String secret = config.get(WEBHOOK_SECRET);
        if (secret == null || secret.isBlank()) {
            throw new IllegalArgumentException("warden-audit: webhook-url needs webhook-secret, the key of the signature header");
        }
        return new Webhook(uri, secret.strip().getBytes(StandardCharsets.UTF_8), bounded(config, WEBHOOK_QUEUE, 1000, 1, 1_000_000),
                bounded(config, WEBHOOK_THROTTLE_QUEUE, 100, 1, 1_000_000), java.time.Duration.ofMillis(bounded(config, WEBHOOK_TIMEOUT, 2000, 100, 60_000)), bounded(config, WEBHOOK_RETRIES, 5, 0, 20));
    }

    private static int bounded(Config.Scope config, String key, int fallback, int min, int max) {
        Integer value = config.getInt(key, fallback);
        if (value < min || value > max) {
            throw new IllegalArgumentException("warden-audit: " + key + " must be from " + min + " to " + max);
        }
        return value;
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
