package dev.kcwarden.audit;

import static org.assertj.core.api.Assertions.assertThat;

import dev.kcwarden.testing.Await;
import dev.kcwarden.testing.DemoRealm;
import dev.kcwarden.testing.Pkce;
import dev.kcwarden.testing.TokenEndpoint;
import dev.kcwarden.testing.WardenServerConfig;
import dev.kcwarden.testing.WebhookReceiver;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.keycloak.testframework.annotations.InjectRealm;
import org.keycloak.testframework.annotations.KeycloakIntegrationTest;
import org.keycloak.testframework.realm.ManagedRealm;

/** The audit webhook against a local receiver on the configured address (WardenServerConfig.WEBHOOK_URL). */
@KeycloakIntegrationTest(config = WardenServerConfig.class)
@DisplayName("Audit webhook: signed, retried until accepted, replay-proof, and never in the way of a login")
class WebhookIT {

    @InjectRealm(fromJson = DemoRealm.JSON, config = DemoRealm.Offline.class)
    ManagedRealm realm;

    private WebhookReceiver receiver;
    private final Map<String, AtomicInteger> attempts = new ConcurrentHashMap<>();

    @BeforeEach
    void startReceiver() {
        receiver = WebhookReceiver.onConfiguredUrl();
    }

    @AfterEach
    void stopReceiver() {
        receiver.close();
    }

    private String failedLoginOf(String username) {
        new TokenEndpoint(realm.getBaseUrl()).password(DemoRealm.CLI, username, "wrong-password-1");
        return username;
    }

    @Test
    @DisplayName("each audit line arrives as JSON, signed t=<unix>,v1=HMAC-SHA256(t.id.body) with a time of now, and "
            + "the documented check accepts it")
    void signedDelivery() throws Exception {
        String username = failedLoginOf("webhook-" + Pkce.randomToken(8));
        WebhookReceiver.Delivery d = receiver.awaitBodyWith("\"username\":\"" + username + "\"");
        assertThat(d.body()).startsWith("{\"v\":1,").contains("\"type\":\"LOGIN_ERROR\"");
        assertThat(d.verdict()).isEqualTo("accepted");
        java.util.regex.Matcher header =
                java.util.regex.Pattern.compile("t=(\\d+),v1=([0-9a-f]{64})").matcher(d.signature());
        assertThat(header.matches()).as(d.signature()).isTrue();
        assertThat(Math.abs(java.time.Instant.now().getEpochSecond() - Long.parseLong(header.group(1))))
                .as("signed now")
                .isLessThan(300);
        assertThat(d.id()).isNotBlank();
        assertThat(receiver.refused())
                .as("every delivery the server sent passed the documented check")
                .isEmpty();
    }

    @Test
    @DisplayName("a captured delivery sent again is acknowledged (200) but not processed again; with a fresh time or "
            + "an altered body it is a bad signature (401)")
    void replayIsRefused() throws Exception {
        String username = failedLoginOf("webhook-" + Pkce.randomToken(8));
        WebhookReceiver.Delivery captured = receiver.awaitBodyWith("\"username\":\"" + username + "\"");
        HttpClient http = HttpClient.newHttpClient();

        assertThat(post(http, captured.signature(), captured.id(), captured.body()))
                .as("the same request again")
                .isEqualTo(200);
        assertThat(receiver.refused())
                .as("recorded as a duplicate, not processed")
                .filteredOn(d -> d.id().equals(captured.id()))
                .singleElement()
                .satisfies(d -> assertThat(d.verdict()).isEqualTo("seen before"));
        String fresh = captured.signature()
                .replaceFirst("t=\\d+", "t=" + (java.time.Instant.now().getEpochSecond() + 1));
        assertThat(post(http, fresh, "another-id", captured.body()))
                .as("a new id and time under the old signature")
                .isEqualTo(401);
        assertThat(post(
                        http,
                        captured.signature(),
                        captured.id(),
                        captured.body().replace(username, "someone-else")))
                .as("an altered body")
                .isEqualTo(401);
        assertThat(receiver.accepted().stream().filter(d -> d.id().equals(captured.id())))
                .as("processed once only")
                .hasSize(1);
        assertThat(receiver.refused())
                .filteredOn(d -> d.id().equals(captured.id()) || d.id().equals("another-id"))
                .extracting(WebhookReceiver.Delivery::verdict)
                .containsExactly("seen before", "bad signature", "bad signature");
    }

    private int post(HttpClient http, String signature, String id, String body) throws Exception {
        HttpRequest request = HttpRequest.newBuilder(receiver.url())
                .header(WebhookReceiver.SIGNATURE_HEADER, signature)
                .header(WebhookReceiver.DELIVERY_HEADER, id)
                .POST(HttpRequest.BodyPublishers.ofString(body))
                .build();
        return http.send(request, HttpResponse.BodyHandlers.discarding()).statusCode();
    }

    @Test
    @DisplayName(
            "a receiver that fails twice gets the same delivery a third time (at least once), signed anew each time")
    void retriedUntilAccepted() throws Exception {
        String username = "webhook-" + Pkce.randomToken(8);
        String marker = "\"username\":\"" + username + "\"";
        receiver.answer(d -> d.body().contains(marker)
                        && attempts.computeIfAbsent(d.id(), k -> new AtomicInteger())
                                        .incrementAndGet()
                                <= 2
                ? 503
                : 204);
        failedLoginOf(username);
        WebhookReceiver.Delivery d = receiver.awaitBodyWith(marker);
        assertThat(attempts.get(d.id()).get()).isEqualTo(3);
        assertThat(receiver.refused())
                .as("no retry looked like a replay to the documented check")
                .isEmpty();
    }

    @Test
    @DisplayName("with the receiver hanging (10 s, beyond the 1 s webhook timeout), logins never wait for it")
    void hangingReceiverDoesNotDelayLogins() throws InterruptedException {
        AtomicInteger hangingHits = new AtomicInteger();
        receiver.answer(d -> {
            hangingHits.incrementAndGet();
            try {
                Thread.sleep(10_000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            return 204;
        });
        TokenEndpoint endpoints = new TokenEndpoint(realm.getBaseUrl());
        List<Duration> took = new java.util.ArrayList<>();
        for (int i = 0; i < 5; i++) {
            long start = System.nanoTime();
            assertThat(endpoints
                            .password(DemoRealm.CLI, DemoRealm.DEMO_USER, DemoRealm.DEMO_PASSWORD)
                            .status())
                    .isEqualTo(200);
            took.add(Duration.ofNanos(System.nanoTime() - start));
        }
        java.util.Collections.sort(took);
        // A login that waited for the webhook would take at least its 1 s timeout, every time; the median
        // keeps one slow moment of a shared machine from failing the test.
        assertThat(took.get(took.size() / 2)).as("median of %s", took).isLessThan(Duration.ofSeconds(1));
        Await.until(
                "the hanging receiver was being called meanwhile",
                Duration.ofSeconds(10),
                hangingHits::get,
                n -> n > 0);
    }
}
