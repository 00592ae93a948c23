package dev.kcwarden.audit;

import dev.kcwarden.Warden;
import dev.kcwarden.WardenProviderFactory;
import java.time.Clock;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.jboss.logging.Logger;
import org.keycloak.Config;
import org.keycloak.connections.httpclient.HttpClientProvider;
import org.keycloak.events.EventListenerProvider;
import org.keycloak.events.EventListenerProviderFactory;
import org.keycloak.models.KeycloakSession;
import org.keycloak.models.KeycloakSessionFactory;
import org.keycloak.provider.Provider;
import org.keycloak.provider.ProviderConfigProperty;
import org.keycloak.provider.ProviderConfigurationBuilder;

/**
 * Event listener {@value #PROVIDER_ID}: one tamper-evident JSON line per user and admin event (docs/audit-schema.md).
 */
public final class AuditListenerFactory
        implements EventListenerProviderFactory, WardenProviderFactory<EventListenerProvider> {

    public static final String PROVIDER_ID = "warden-audit";

    private AuditWriter writer;
    private AuditSettings settings;
    private WebhookSender webhook;
    private ChainState chainState;
    private ScheduledExecutorService checkpoints;

    @Override
    public EventListenerProvider create(KeycloakSession session) {
        return new AuditListener(session, writer, webhook, settings.events());
    }

    @Override
    public void init(Config.Scope config) {
        settings = AuditSettings.from(config);
        chainState = ChainState.open(settings.chain().stateFile(), settings.node());
        // start, checkpoint and end lines go to the webhook as they are written, so the receiver always holds a recent
        // mac (an anchor)
        writer = new AuditWriter(settings, chainState, line -> {
            if (webhook != null) {
                webhook.offer(line);
            }
        });
        startCheckpoints(settings.chain().checkpointInterval().toSeconds());
        AuditSettings.Webhook hook = settings.webhook();
        if (hook != null) {
            webhook = new WebhookSender(
                    hook.url(),
                    hook.secret(),
                    hook.queue(),
                    hook.throttleQueue(),
                    hook.timeout(),
                    hook.retries(),
                    Clock.systemUTC());
        }
    }

    /**
     * Keycloak closes a factory before the ones it depends on: this one first, so that the webhook's last attempts at
     * shutdown (the end line) still find Keycloak's HTTP client open.
     */
    @Override
    public Set<Class<? extends Provider>> dependsOn() {
        return Set.of(HttpClientProvider.class);
    }

    @Override
    public void postInit(KeycloakSessionFactory factory) {
        if (webhook != null) {
            webhook.start(WebhookSender.keycloak(factory)); // Keycloak's HTTP client: its proxy and truststore settings
        }
    }

    /** A daemon thread writes the checkpoint lines; a failure is logged and never reaches a request. */
    private void startCheckpoints(long seconds) {
        checkpoints = Executors.newSingleThreadScheduledExecutor(task -> {
            Thread thread = new Thread(task, "warden-audit-checkpoint");
            thread.setDaemon(true);
            return thread;
        });
        checkpoints.scheduleAtFixedRate(
                () -> {
                    try {
                        writer.checkpoint();
                    } catch (RuntimeException e) {
                        Logger.getLogger(AuditListenerFactory.class)
                                .warnf(
                                        "warden-audit: checkpoint line not written: %s",
                                        e.getClass().getSimpleName());
                    }
                },
                seconds,
                seconds,
                TimeUnit.SECONDS);
    }

    @Override
    public String getId() {
        return PROVIDER_ID;
    }

    @Override
    public List<ProviderConfigProperty> getConfigMetadata() {
        return ProviderConfigurationBuilder.create()
                .property()
                .name(AuditSettings.CHAIN_KEY)
                .label("Chain key")
                .type("string")
                .helpText("Secret for the HMAC chain of the audit lines, at least 32 bytes (openssl rand -base64 "
                        + "48); hashed usernames use a key" + " derived from it. Without it lines carry no mac.")
                .add()
                .property()
                .name(AuditSettings.EVENTS)
                .label("Events in the audit log")
                .type("string")
                .defaultValue("standard")
                .options("standard", "all")
                .helpText("standard: every event except successful refresh, introspection, userinfo and"
                        + " validate-token calls, unless the realm saves that type (Realm settings, Events) or the"
                        + " event carries a warden detail; errors and admin events always. all: every user event.")
                .add()
                .property()
                .name(AuditSettings.USERNAME)
                .label("Username in audit lines")
                .type("string")
                .defaultValue("plain")
                .options("plain", "hashed", "omitted")
                .helpText("How the username appears: as typed, as an HMAC keyed with the chain key and realm, or "
                        + "not at all.")
                .add()
                .property()
                .name(AuditSettings.NODE)
                .label("Node name")
                .type("string")
                .helpText("Name of this node in audit lines; default host name plus a random suffix, generated "
                        + "once and kept in the state file.")
                .add()
                .property()
                .name(AuditSettings.CHECKPOINT_INTERVAL)
                .label("Checkpoint interval (seconds)")
                .type("int")
                .defaultValue(AuditSettings.DEFAULT_CHECKPOINT_INTERVAL)
                .helpText(
                        "Seconds between checkpoint lines (1 to 86400): a log cut at its tail shows within this time.")
                .add()
                .property()
                .name(AuditSettings.STATE_FILE)
                .label("Chain state file")
                .type("string")
                .defaultValue(AuditSettings.DEFAULT_STATE_FILE)
                .helpText("File (relative paths under Keycloak's home) where this node keeps its name, run number "
                        + "and last mac across"
                        + " restarts; it must survive restarts (a volume in containers) and belong to "
                        + "this node alone.")
                .add()
                .property()
                .name(AuditSettings.WEBHOOK_URL)
                .type("string")
                .helpText("POST every audit line, after its transaction commits, to this http(s) URL. Off when "
                        + "empty (default).")
                .add()
                .property()
                .name(AuditSettings.WEBHOOK_SECRET)
                .type("string")
                .helpText("Key of the X-Warden-Signature header (t=<unix time>,v1=hex HMAC-SHA256 of time, "
                        + "delivery id and body). " + "Required with webhook-url.")
                .add()
                .property()
                .name(AuditSettings.WEBHOOK_QUEUE)
                .type("int")
                .defaultValue(1000)
                .helpText("Lines waiting for delivery at most; beyond it lines are dropped and counted, never "
                        + "blocking a login.")
                .add()
                .property()
                .name(AuditSettings.WEBHOOK_THROTTLE_QUEUE)
                .type("int")
                .defaultValue(100)
                .helpText("Throttle events (error warden_throttled) waiting at most, in a queue of their own that "
                        + "goes after " + "every other line: a flood fills only this one.")
                .add()
                .property()
                .name(AuditSettings.WEBHOOK_TIMEOUT)
                .type("int")
                .defaultValue(2000)
                .helpText("Milliseconds per delivery attempt.")
                .add()
                .property()
                .name(AuditSettings.WEBHOOK_RETRIES)
                .type("int")
                .defaultValue(5)
                .helpText("Retries after a failed attempt, 0.5 s apart and doubling up to 30 s.")
                .add()
                .build();
    }

    @Override
    public Map<String, String> getOperationalInfo() {
        Map<String, String> info = new LinkedHashMap<>(Warden.operationalInfo());
        info.put("node", writer.node());
        info.put("chained", Boolean.toString(settings.chainKey() != null));
        info.put("username", settings.username().name().toLowerCase(Locale.ROOT));
        info.put("events", settings.events().name().toLowerCase(Locale.ROOT));
        info.put(
                "webhook",
                settings.webhook() == null ? "off" : settings.webhook().url().getHost());
        return info;
    }

    @Override
    public void close() {
        if (checkpoints != null) {
            checkpoints.shutdownNow();
        }
        if (writer != null) {
            // a clean shutdown: the end line tells the verifier this run stopped, and was not cut or killed
            writer.end();
        }
        if (chainState != null) {
            chainState.close();
        }
        if (webhook != null) {
            webhook.close();
        }
    }
}
