package dev.kcwarden.audit;

import dev.kcwarden.LogText;
import java.net.InetAddress;
import java.net.URI;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.Locale;
import org.keycloak.Config;

/**
 * Server-wide options of the {@code warden-audit} listener, read once at start
 * ({@code --spi-events-listener--warden-audit--<option>=…} or {@code KC_SPI_EVENTS_LISTENER__WARDEN_AUDIT__<OPTION>}).
 */
record AuditSettings(
        byte[] chainKey, UsernameMode username, String node, Webhook webhook, Chain chain, EventSelection events) {

    /** The settings with the default event selection (tests of the line format). */
    AuditSettings(byte[] chainKey, UsernameMode username, String node, Webhook webhook, Chain chain) {
        this(chainKey, username, node, webhook, chain, EventSelection.STANDARD);
    }

    /**
     * Which user events get a line. STANDARD: every event but the successes of {@link AuditListener#TOKEN_CALLS}, the
     * token calls an app makes many times a session, unless the realm saves that type; ALL: every event. A realm's list
     * of saved types can add lines, never take them away.
     */
    enum EventSelection {
        STANDARD,
        ALL
    }

    /** How each node keeps its chain continuous across restarts (docs/audit-schema.md, "Deleted history"). */
    record Chain(Duration checkpointInterval, Path stateFile) {

        /** The defaults: a checkpoint a minute, the state in Keycloak's data directory. */
        static Chain defaults() {
            return new Chain(Duration.ofSeconds(DEFAULT_CHECKPOINT_INTERVAL), defaultStateFile());
        }
    }

    /** The optional webhook; null when no url is configured (the default). */
    record Webhook(URI url, byte[] secret, int queue, int throttleQueue, Duration timeout, int retries) {}

    static final String WEBHOOK_URL = "webhook-url";
    static final String WEBHOOK_SECRET = "webhook-secret";
    static final String WEBHOOK_QUEUE = "webhook-queue";
    static final String WEBHOOK_THROTTLE_QUEUE = "webhook-throttle-queue";
    static final String WEBHOOK_TIMEOUT = "webhook-timeout";
    static final String WEBHOOK_RETRIES = "webhook-retries";

    enum UsernameMode {
        PLAIN,
        HASHED,
        OMITTED
    }

    static final String CHAIN_KEY = "chain-key";
    static final String EVENTS = "events";
    static final String USERNAME = "username";
    static final String NODE = "node";
    static final String CHECKPOINT_INTERVAL = "checkpoint-interval";
    static final String STATE_FILE = "state-file";
    static final int DEFAULT_CHECKPOINT_INTERVAL = 60;
    static final String DEFAULT_STATE_FILE = "data/warden-audit-chain.state";
    /** HMAC-SHA256 keys shorter than the hash add no strength and are guessable when people type them. */
    static final int MIN_CHAIN_KEY_BYTES = 32;

    static final int MAX_NODE_LENGTH = 128;

    static AuditSettings from(Config.Scope config) {
        String key = config == null ? null : config.get(CHAIN_KEY);
        String mode = config == null ? null : config.get(USERNAME, "plain");
        String node = config == null ? null : config.get(NODE);
        byte[] chainKey = key == null || key.isBlank() ? null : key.strip().getBytes(StandardCharsets.UTF_8);
        if (chainKey != null && chainKey.length < MIN_CHAIN_KEY_BYTES) {
            throw new IllegalArgumentException("warden-audit: chain-key must be at least " + MIN_CHAIN_KEY_BYTES
                    + " bytes, this one has " + chainKey.length + "; make one with `openssl rand -base64 48`"
                    + " (and keep a copy off the host for verify-audit)");
        }
        UsernameMode usernameMode = parseMode(mode);
        if (usernameMode == UsernameMode.HASHED && chainKey == null) {
            throw new IllegalArgumentException("warden-audit: username=hashed needs a chain-key (the hash's secret)");
        }
        return new AuditSettings(
                chainKey,
                usernameMode,
                node(node),
                webhook(config),
                chain(config),
                parseEvents(config == null ? null : config.get(EVENTS)));
    }

    /**
     * The configured node name, or null: the state file then keeps a generated one (host name plus a random suffix).
     */
    static String node(String value) {
        if (value == null || value.isBlank()) {
            return null;
        }
        String node = value.strip();
        if (node.length() > MAX_NODE_LENGTH || node.chars().anyMatch(Character::isISOControl)) {
            throw new IllegalArgumentException(
                    "warden-audit: node must be at most " + MAX_NODE_LENGTH + " characters without control characters");
        }
        return node;
    }

    private static Chain chain(Config.Scope config) {
        if (config == null) {
            return Chain.defaults();
        }
        int interval = seconds(config.get(CHECKPOINT_INTERVAL));
        String file = config.get(STATE_FILE);
        return new Chain(
                Duration.ofSeconds(interval),
                file == null || file.isBlank() ? defaultStateFile() : underHome(Path.of(file.strip())));
    }

    static int seconds(String value) {
        if (value == null || value.isBlank()) {
            return DEFAULT_CHECKPOINT_INTERVAL;
        }
        try {
            int seconds = Integer.parseInt(value.strip());
            if (seconds >= 1 && seconds <= 86_400) {
                return seconds;
            }
        } catch (NumberFormatException e) {
            // the message below
        }
        throw new IllegalArgumentException(
                "warden-audit: " + CHECKPOINT_INTERVAL + " must be whole seconds from 1 to 86400, not '" + value
                        + "' (default " + DEFAULT_CHECKPOINT_INTERVAL + ")");
    }

    /**
     * {@code data/warden-audit-chain.state} under Keycloak's home ({@code kc.home.dir}), else under the working
     * directory.
     */
    static Path defaultStateFile() {
        return underHome(Path.of(DEFAULT_STATE_FILE));
    }

    /** A relative path is taken under Keycloak's home, not under whatever directory kc.sh was started from. */
    static Path underHome(Path path) {
        String home = System.getProperty("kc.home.dir");
        Path base = home == null || home.isBlank() ? Path.of("") : Path.of(home);
        return base.resolve(path).toAbsolutePath().normalize();
    }

    private static Webhook webhook(Config.Scope config) {
        String url = config == null ? null : config.get(WEBHOOK_URL);
        if (url == null || url.isBlank()) {
            return null;
        }
        URI uri = URI.create(url.strip());
        if ((!"https".equals(uri.getScheme()) && !"http".equals(uri.getScheme())) || uri.getHost() == null) {
            throw new IllegalArgumentException("warden-audit: webhook-url must be an http(s) URL with a host");
        }
        String secret = config.get(WEBHOOK_SECRET);
        if (secret == null || secret.isBlank()) {
            throw new IllegalArgumentException(
                    "warden-audit: webhook-url needs webhook-secret, the key of the signature header");
        }
        return new Webhook(
                uri,
                secret.strip().getBytes(StandardCharsets.UTF_8),
                bounded(config, WEBHOOK_QUEUE, 1000, 1, 1_000_000),
                bounded(config, WEBHOOK_THROTTLE_QUEUE, 100, 1, 1_000_000),
                Duration.ofMillis(bounded(config, WEBHOOK_TIMEOUT, 2000, 100, 60_000)),
                bounded(config, WEBHOOK_RETRIES, 5, 0, 20));
    }

    private static int bounded(Config.Scope config, String key, int fallback, int min, int max) {
        Integer value = config.getInt(key, fallback);
        if (value < min || value > max) {
            throw new IllegalArgumentException("warden-audit: " + key + " must be from " + min + " to " + max);
        }
        return value;
    }

    static EventSelection parseEvents(String value) {
        if (value == null || value.isBlank()) {
            return EventSelection.STANDARD;
        }
        try {
            return EventSelection.valueOf(value.strip().toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("warden-audit: events must be standard (the default: every event but"
                    + " successful refresh, introspection and userinfo calls, unless the realm saves their type) or"
                    + " all, not '" + LogText.printable(value, 40) + "'");
        }
    }

    static UsernameMode parseMode(String value) {
        if (value == null) {
            return UsernameMode.PLAIN;
        }
        try {
            return UsernameMode.valueOf(value.strip().toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(
                    "warden-audit: username must be plain, hashed or omitted, not '" + value + "'");
        }
    }

    /**
     * Host name (HOSTNAME, else the resolver's) plus a random suffix: generated once per state file, then kept in it.
     */
    static String defaultNode() {
        String host = System.getenv("HOSTNAME");
        if (host == null || host.isBlank()) {
            try {
                host = InetAddress.getLocalHost().getHostName();
            } catch (UnknownHostException e) {
                host = "node";
            }
        }
        host = host.replaceAll("[^A-Za-z0-9._-]", "");
        if (host.isEmpty()) {
            host = "node";
        }
        host = host.substring(0, Math.min(host.length(), MAX_NODE_LENGTH - 7));
        String alphabet = "abcdefghijkmnpqrstuvwxyz23456789";
        SecureRandom random = new SecureRandom();
        StringBuilder suffix = new StringBuilder(6);
        for (int i = 0; i < 6; i++) {
            suffix.append(alphabet.charAt(random.nextInt(alphabet.length())));
        }
        return host + "-" + suffix;
    }
}
