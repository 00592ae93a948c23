package dev.kcwarden.audit;

import dev.kcwarden.Hmac;
import dev.kcwarden.metrics.WardenMetrics;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.HexFormat;
import java.util.UUID;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;
import org.jboss.logging.Logger;

/**
 * Delivers audit lines to a webhook from a bounded queue on one background thread: never blocks the
 * request that produced the event (a full queue drops and counts), signs each body with HMAC-SHA256
 * ({@value #SIGNATURE_HEADER}: sha256=&lt;hex&gt;), retries with exponential backoff, and names each delivery
 * ({@value #DELIVERY_HEADER}) so a receiver can drop the duplicates that at-least-once delivery brings.
 */
final class WebhookSender implements AutoCloseable {

    static final String SIGNATURE_HEADER = "X-Warden-Signature";
    static final String DELIVERY_HEADER = "X-Warden-Delivery";

    private static final Logger LOG = Logger.getLogger(WebhookSender.class);

    private record Delivery(String id, String body) {
    }

    private final URI url;
    private final byte[] secret;
    private final Duration timeout;
    private final int maxRetries;
    private final BlockingQueue<Delivery> queue;
    private final HttpClient http;
    private final Thread worker;
    private volatile boolean running = true;

    WebhookSender(URI url, byte[] secret, int capacity, Duration timeout, int maxRetries) {
        this.url = url;
        this.secret = secret.clone();
        this.timeout = timeout;
        this.maxRetries = maxRetries;
        this.queue = new ArrayBlockingQueue<>(capacity);
        this.http = HttpClient.newBuilder().connectTimeout(timeout).followRedirects(HttpClient.Redirect.NEVER).build();
        WardenMetrics.webhookQueue(queue);
        this.worker = new Thread(this::deliverLoop, "warden-webhook");
        worker.setDaemon(true);
        worker.start();
    }

    /** Queues one line; returns at once. A full queue drops the line and counts it. */
    void offer(String line) {
        if (!queue.offer(new Delivery(UUID.randomUUID().toString(), line))) {
            WardenMetrics.webhook("dropped_queue_full");
        }
    }

    private void deliverLoop() {
        while (running) {
            Delivery delivery;
            try {
                delivery = queue.poll(1, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                return;
            }
            if (delivery != null) {
                deliver(delivery);
            }
        }
    }

    private void deliver(Delivery delivery) {
        long backoff = 500;
        for (int attempt = 0; attempt <= maxRetries && running; attempt++) {
            if (attempt > 0) {
                WardenMetrics.webhook("retried");
                try {
                    Thread.sleep(backoff);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return;
                }
                backoff = Math.min(backoff * 2, 30_000);
            }
            try {
                HttpResponse<Void> response = http.send(HttpRequest.newBuilder(url)
                        .timeout(timeout)
                        .header("Content-Type", "application/json")
                        .header(SIGNATURE_HEADER, "sha256=" + sign(delivery.body()))
                        .header(DELIVERY_HEADER, delivery.id())
                        .POST(HttpRequest.BodyPublishers.ofString(delivery.body(), StandardCharsets.UTF_8))
                        .build(), HttpResponse.BodyHandlers.discarding());
                if (response.statusCode() / 100 == 2) {
                    WardenMetrics.webhook("delivered");
                    return;
                }
            } catch (java.io.IOException | RuntimeException e) {
                // retried below; the worker thread must outlive any single delivery
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
        WardenMetrics.webhook("dropped_after_retries");
        LOG.warnf("warden-audit: webhook %s did not accept delivery %s after %d retries; dropped", url.getHost(), delivery.id(), maxRetries);
    }

    String sign(String body) {
        return HexFormat.of().formatHex(Hmac.sha256(secret, body.getBytes(StandardCharsets.UTF_8)));
    }

    @Override
    public void close() {
        running = false;
        worker.interrupt();
    }
}
