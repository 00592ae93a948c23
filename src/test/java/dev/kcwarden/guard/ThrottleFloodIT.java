package dev.kcwarden.guard;

import static org.assertj.core.api.Assertions.assertThat;

import dev.kcwarden.testing.Await;
import dev.kcwarden.testing.DemoRealm;
import dev.kcwarden.testing.Events;
import dev.kcwarden.testing.GuardLimits;
import dev.kcwarden.testing.LoopbackClient;
import dev.kcwarden.testing.Metrics;
import dev.kcwarden.testing.Pkce;
import dev.kcwarden.testing.TokenEndpoint;
import dev.kcwarden.testing.WardenServerConfig;
import dev.kcwarden.testing.WebhookReceiver;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.keycloak.representations.idm.EventRepresentation;
import org.keycloak.testframework.annotations.InjectRealm;
import org.keycloak.testframework.annotations.KeycloakIntegrationTest;
import org.keycloak.testframework.realm.ManagedRealm;

/**
 * A flood of refused attempts is bounded in what it writes: one stored event, one audit line and one webhook delivery
 * per block and interval, while the metrics count every refusal and real events still reach the webhook.
 */
@KeycloakIntegrationTest(config = WardenServerConfig.class)
@DisplayName("A flood of 2,000 throttled attempts writes a handful of events, counts 2,000, and a real login still "
        + "reaches the webhook")
class ThrottleFloodIT {

    private static final int FLOOD = 2000;
    private static final int SUMMARY_SECONDS = 3;

    @InjectRealm(fromJson = DemoRealm.JSON, config = DemoRealm.Offline.class)
    ManagedRealm realm;

    private WebhookReceiver receiver;

    @BeforeEach
    void receive() {
        receiver = WebhookReceiver.onConfiguredUrl();
    }

    @AfterEach
    void stop() {
        receiver.close();
    }

    @Test
    void floodIsSummarised() throws Exception {
        GuardLimits.set(
                realm,
                GuardLimits.DIRECT_GRANT_FLOW,
                GuardedDirectGrantFactory.PROVIDER_ID,
                Map.of(GuardConfig.EVENT_INTERVAL, Integer.toString(SUMMARY_SECONDS)));
        TokenEndpoint endpoints = new TokenEndpoint(realm.getBaseUrl());
        String victim = "flooded-" + Pkce.randomToken(6).toLowerCase(java.util.Locale.ROOT);
        String ip = "127.0.0.201";
        long logStart = Files.size(WardenServerConfig.LOG_FILE);
        Map<String, String> wrong = TokenEndpoint.passwordForm(DemoRealm.CLI, victim, "wrong-" + Pkce.randomToken(6));
        // fill the per-username-and-IP limit (10 in the demo realm) so that every further attempt is refused
        LoopbackClient attacker = new LoopbackClient(ip);
        int failures = 0;
        while (attacker.postForm(endpoints.tokenUrl(), wrong).status() != 429) {
            assertThat(++failures)
                    .as("the limit should refuse within 20 attempts")
                    .isLessThan(20);
        }
        double throttledBefore = throttled();

        AtomicInteger refused = new AtomicInteger(1);
        long floodStart = System.nanoTime();
        ExecutorService pool = Executors.newFixedThreadPool(4);
        List<Future<?>> workers = new ArrayList<>();
        for (int t = 0; t < 4; t++) {
            workers.add(pool.submit(() -> {
                LoopbackClient client = new LoopbackClient(ip);
                while (refused.get() < FLOOD) {
                    if (client.postForm(endpoints.tokenUrl(), wrong).status() == 429
                            && refused.incrementAndGet() > FLOOD) {
                        return;
                    }
                }
            }));
        }
        // meanwhile the demo user logs in from elsewhere: that event must reach the webhook
        Thread.sleep(300);
        assertThat(new LoopbackClient("127.0.0.202")
                        .postForm(
                                endpoints.tokenUrl(),
                                TokenEndpoint.passwordForm(DemoRealm.CLI, DemoRealm.DEMO_USER, DemoRealm.DEMO_PASSWORD))
                        .status())
                .isEqualTo(200);
        for (Future<?> worker : workers) {
            worker.get();
        }
        pool.shutdown();
        long floodMillis = (System.nanoTime() - floodStart) / 1_000_000;
        int flood = refused.get();
        assertThat(flood).isGreaterThanOrEqualTo(FLOOD);

        // the first refusal (the fill loop's last answer) was counted before throttledBefore was read
        assertThat(throttled() - throttledBefore)
                .as("metrics count every refusal")
                .isEqualTo(flood - 1);
        Instant deadline = Instant.now().plus(Duration.ofSeconds(20));
        receiver.await(
                b -> b.contains("\"type\":\"LOGIN\"") && b.contains("127.0.0.202"),
                Duration.between(Instant.now(), deadline),
                "the demo user's LOGIN reaches the webhook");

        // once the interval has passed, one summary stands for the refusals left out
        List<EventRepresentation> stored = awaitSummary(ip, deadline);
        long suppressed = stored.stream()
                .filter(e -> e.getDetails() != null && e.getDetails().containsKey("warden_suppressed"))
                .mapToLong(e -> Long.parseLong(e.getDetails().get("warden_suppressed")))
                .sum();
        long throttledEvents = stored.stream()
                .filter(e -> "warden_throttled".equals(e.getError()))
                .count();
        // the first refusal, at most one summary per interval while the flood lasted, and the last one after it
        long mostEvents = 3 + floodMillis / (SUMMARY_SECONDS * 1000L);
        assertThat(throttledEvents)
                .as("stored throttle events for %d refusals in %d ms", flood, floodMillis)
                .isBetween(2L, mostEvents);
        assertThat(stored.stream()
                        .filter(e -> "warden_throttled".equals(e.getError())
                                && e.getDetails().get("warden_suppressed") == null))
                .as("exactly one event for the block's first refusal")
                .hasSize(1);
        assertThat(suppressed)
                .as("the summaries account for every other refusal")
                .isEqualTo(flood - 1);

        String log = Files.readString(WardenServerConfig.LOG_FILE, StandardCharsets.UTF_8)
                .substring((int) logStart);
        long auditLines = log.lines()
                .filter(l -> l.contains("[warden.audit]")
                        && l.contains("\"error\":\"warden_throttled\"")
                        && l.contains("\"ip\":\"" + ip + "\""))
                .count();
        assertThat(auditLines).as("audit lines of the flood").isEqualTo(throttledEvents);
        assertThat(receiver.bodies().stream()
                        .filter(b -> b.contains("warden_throttled") && b.contains(ip))
                        .count())
                .as("webhook deliveries of the flood")
                .isLessThanOrEqualTo(throttledEvents);
    }

    private List<EventRepresentation> awaitSummary(String ip, Instant deadline) throws InterruptedException {
        Await.until(
                "a summary event within the interval",
                Duration.between(Instant.now(), deadline),
                () -> storedErrors(ip),
                stored -> stored.stream()
                        .anyMatch(e -> e.getDetails() != null && e.getDetails().containsKey("warden_suppressed")));
        Thread.sleep((SUMMARY_SECONDS + 2) * 1000L); // a late refusal may still be in the next summary
        return storedErrors(ip);
    }

    private List<EventRepresentation> storedErrors(String ip) {
        return Events.of(realm, "LOGIN_ERROR")
                .client(DemoRealm.CLI)
                .ip(ip)
                .max(500)
                .list();
    }

    private static double throttled() {
        return Metrics.sum(Metrics.scrape(), "warden_throttle_rejections_total", "limit=\"user_ip\"");
    }
}
