package dev.kcwarden.testing;

import java.nio.file.Path;
import org.keycloak.testframework.server.KeycloakServerConfig;
import org.keycloak.testframework.server.KeycloakServerConfigBuilder;

/**
 * The one server configuration the integration tests share: the real Keycloak distribution with this project's
 * target/classes deployed as a provider jar. Every IT names this class, so the framework starts the server once and
 * reuses it; a test class that needs other options costs a restart, so add one only when a behaviour cannot be tested
 * otherwise.
 *
 * <p>The server also writes its log to {@link #LOG_FILE} (the audit tests read warden's audit lines and scan the whole
 * log for secrets there), chains the audit lines with {@link #AUDIT_CHAIN_KEY}, and publishes metrics on the management
 * port ({@link #METRICS_URL}).
 */
public final class WardenServerConfig implements KeycloakServerConfig {

    /** Under target/, so every build starts without it. */
    public static final Path LOG_FILE = Path.of("target", "keycloak-server.log").toAbsolutePath();

    /**
     * The audit chain's state file beside {@link #LOG_FILE}: the log and the state that links its runs start over
     * together (the test distribution's data directory is shared by every checkout on the machine).
     */
    public static final Path AUDIT_STATE_FILE =
            Path.of("target", "keycloak-audit-chain.state").toAbsolutePath();

    /**
     * A test-only key of 32 bytes, the least warden accepts; real deployments set their own secret
     * (docs/audit-schema.md).
     */
    public static final String AUDIT_CHAIN_KEY = "warden-test-audit-chain-key-2026";

    /**
     * Where the audit webhook posts; WebhookIT listens there (nothing does otherwise: deliveries are retried and
     * dropped).
     */
    public static final String WEBHOOK_URL = "http://127.0.0.1:8390/hook";

    public static final String WEBHOOK_SECRET = "warden-test-webhook-secret";

    /** The only folder a realm's disposable-file may name on the test server (SignupIT writes its lists here). */
    public static final Path DISPOSABLE_DIR =
            Path.of("target", "disposable-lists").toAbsolutePath();

    /** Keycloak's management endpoint with the metrics warden adds. */
    public static final String METRICS_URL = "http://localhost:9000/metrics";

    @Override
    public KeycloakServerConfigBuilder configure(KeycloakServerConfigBuilder config) {
        config.log()
                .handlers(
                        KeycloakServerConfigBuilder.LogHandlers.CONSOLE, KeycloakServerConfigBuilder.LogHandlers.FILE);
        return config.dependencyCurrentProject()
                .option("log-file", LOG_FILE.toString())
                .option("spi-events-listener--warden-audit--chain-key", AUDIT_CHAIN_KEY)
                .option("spi-events-listener--warden-audit--state-file", AUDIT_STATE_FILE.toString())
                .option("metrics-enabled", "true")
                .option("spi-validator--warden-email-domain--disposable-dir", DISPOSABLE_DIR.toString())
                .option("spi-events-listener--warden-audit--webhook-url", WEBHOOK_URL)
                .option("spi-events-listener--warden-audit--webhook-secret", WEBHOOK_SECRET)
                .option("spi-events-listener--warden-audit--webhook-timeout", "1000")
                .option("spi-events-listener--warden-audit--webhook-retries", "3");
    }
}
