package dev.kcwarden.audit;

import static org.assertj.core.api.Assertions.assertThat;

import com.sun.net.httpserver.HttpServer;
import dev.kcwarden.testing.DemoRealm;
import dev.kcwarden.testing.Pkce;
import dev.kcwarden.testing.TokenEndpoint;
import dev.kcwarden.testing.WardenServerConfig;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.keycloak.testframework.annotations.InjectRealm;
import org.keycloak.testframework.annotations.KeycloakIntegrationTest;
import org.keycloak.testframework.realm.ManagedRealm;

/** The audit webhook against a local receiver on the configured address (WardenServerConfig.WEBHOOK_URL). */
@KeycloakIntegrationTest(config = WardenServerConfig.class)
@DisplayName("Audit webhook: signed, retried until accepted, and never in the way of a login")
class WebhookIT {

    private record Received(String delivery, String signature, String body) {
    }

    @InjectRealm(fromJson = DemoRealm.JSON, config = DemoRealm.Offline.class)
    ManagedRealm realm;

    private HttpServer receiver;
    private final List<Received> received = new CopyOnWriteArrayList<>();
    private final Map<String, AtomicInteger> attempts = new ConcurrentHashMap<>();
    /** Deliveries whose body contains this are refused twice; others (backlog of earlier tests) pass at once. */
    private volatile String failTwiceFor;
    private volatile boolean hang;
    private final AtomicInteger hangingHits = new AtomicInteger();

    @BeforeEach
    void startReceiver() throws Exception {
        URI url = URI.create(WardenServerConfig.WEBHOOK_URL);
        receiver = HttpServer.create(new InetSocketAddress(url.getHost(), url.getPort()), 0);
        receiver.createContext(url.getPath(), exchange -> {
            String delivery = exchange.getRequestHeaders().getFirst("X-Warden-Delivery");
            String body = new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8);
            int attempt = attempts.computeIfAbsent(delivery, d -> new AtomicInteger()).incrementAndGet();
            if (hang) {
                hangingHits.incrementAndGet();
                try {
                    Thread.sleep(10_000);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
            if (failTwiceFor != null && body.contains(failTwiceFor) && attempt <= 2) {
                exchange.sendResponseHeaders(503, -1);
            } else {
                received.add(new Received(delivery, exchange.getRequestHeaders().getFirst("X-Warden-Signature"), body));
                exchange.sendResponseHeaders(204, -1);
            }
            exchange.close();
        });
        receiver.setExecutor(java.util.concurrent.Executors.newCachedThreadPool());
        receiver.start();
    }

    @AfterEach
    void stopReceiver() {
        receiver.stop(0);
    }

    private String failedLoginOf(String username) {
        new TokenEndpoint(realm.getBaseUrl()).password(DemoRealm.CLI, username, "wrong-password-1");
        return username;
    }

    private Received awaitBodyWith(String text) throws InterruptedException {
        Instant deadline = Instant.now().plus(Duration.ofSeconds(60));
        while (Instant.now().isBefore(deadline)) {
            for (Received r : received) {
                if (r.body().contains(text)) {
                    return r;
                }
            }
            Thread.sleep(200);
        }
        throw new AssertionError("no webhook delivery with " + text);
    }

    @Test
    @DisplayName("each audit line arrives as JSON with a valid HMAC-SHA256 signature over its time, delivery id and body")
    void signedDelivery() throws Exception {
        String username = failedLoginOf("webhook-" + Pkce.randomToken(8));
        Received r = awaitBodyWith("\"username\":\"" + username + "\"");
        assertThat(r.body()).startsWith("{\"v\":1,").contains("\"type\":\"LOGIN_ERROR\"");
        Mac mac = Mac.getInstance("HmacSHA256");
        mac.init(new SecretKeySpec(WardenServerConfig.WEBHOOK_SECRET.getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
        // t=<unix seconds>,v1=hex HMAC-SHA256(t + "." + delivery id + "." + body), as docs/audit-schema.md says
        java.util.regex.Matcher header = java.util.regex.Pattern.compile("t=(\\d+),v1=([0-9a-f]{64})").matcher(r.signature());
        assertThat(header.matches()).as(r.signature()).isTrue();
        assertThat(Math.abs(java.time.Instant.now().getEpochSecond() - Long.parseLong(header.group(1)))).as("signed now").isLessThan(300);
        String signed = header.group(1) + "." + r.delivery() + "." + r.body();
        assertThat(header.group(2)).isEqualTo(HexFormat.of().formatHex(mac.doFinal(signed.getBytes(StandardCharsets.UTF_8))));
        assertThat(r.delivery()).isNotBlank();
    }

    @Test
    @DisplayName("a receiver that fails twice gets the same delivery a third time (at least once)")
    void retriedUntilAccepted() throws Exception {
        String username = "webhook-" + Pkce.randomToken(8);
        failTwiceFor = "\"username\":\"" + username + "\"";
        failedLoginOf(username);
        Received r = awaitBodyWith("\"username\":\"" + username + "\"");
        assertThat(attempts.get(r.delivery()).get()).isEqualTo(3);
    }

    @Test
    @DisplayName("with the receiver hanging (10 s, beyond the 1 s webhook timeout), logins never wait for it")
    void hangingReceiverDoesNotDelayLogins() throws InterruptedException {
        hang = true;
        TokenEndpoint endpoints = new TokenEndpoint(realm.getBaseUrl());
        List<Duration> took = new java.util.ArrayList<>();
        for (int i = 0; i < 5; i++) {
            long start = System.nanoTime();
            assertThat(endpoints.password(DemoRealm.CLI, DemoRealm.DEMO_USER, DemoRealm.DEMO_PASSWORD).status()).isEqualTo(200);
            took.add(Duration.ofNanos(System.nanoTime() - start));
        }
        java.util.Collections.sort(took);
        // A login that waited for the webhook would take at least its 1 s timeout, every time; the median
        // keeps one slow moment of a shared machine from failing the test.
        assertThat(took.get(took.size() / 2)).as("median of %s", took).isLessThan(Duration.ofSeconds(1));
        for (int i = 0; i < 100 && hangingHits.get() == 0; i++) {
            Thread.sleep(100);
        }
        assertThat(hangingHits.get()).as("the hanging receiver was being called meanwhile").isPositive();
    }
}
