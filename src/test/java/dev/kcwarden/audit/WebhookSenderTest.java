package dev.kcwarden.audit;

import static org.assertj.core.api.Assertions.assertThat;

import com.sun.net.httpserver.HttpServer;
import io.micrometer.core.instrument.Metrics;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@DisplayName("Webhook sender: a hanging receiver fills the bounded queue, further lines are dropped and counted, offer never waits")
class WebhookSenderTest {

    @Test
    void fullQueueDropsAndCounts() throws Exception {
        SimpleMeterRegistry registry = new SimpleMeterRegistry();
        Metrics.addRegistry(registry);
        CountDownLatch release = new CountDownLatch(1);
        AtomicInteger hits = new AtomicInteger();
        HttpServer receiver = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        receiver.createContext("/hook", exchange -> {
            hits.incrementAndGet();
            try {
                release.await(20, TimeUnit.SECONDS); // hangs until the test is done
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            exchange.sendResponseHeaders(204, -1);
            exchange.close();
        });
        receiver.setExecutor(java.util.concurrent.Executors.newCachedThreadPool());
        receiver.start();
        URI url = URI.create("http://127.0.0.1:" + receiver.getAddress().getPort() + "/hook");
        WebhookSender sender = new WebhookSender(url, "k".getBytes(StandardCharsets.UTF_8), 2, Duration.ofSeconds(10), 0);
        try {
            sender.offer("{\"v\":1,\"n\":0}");
            for (int i = 0; i < 50 && hits.get() == 0; i++) {
                Thread.sleep(100); // the worker takes the first line and hangs on it
            }
            assertThat(hits.get()).as("the receiver was hit and is hanging").isEqualTo(1);
            // Had offer waited for room, this loop would wait for the hanging receiver instead of counting drops.
            for (int i = 1; i <= 10; i++) {
                sender.offer("{\"v\":1,\"n\":" + i + "}");
            }
            double dropped = registry.find("warden.webhook.deliveries").tag("result", "dropped_queue_full").counter().count();
            assertThat(dropped).as("two lines fit the queue, the other eight are dropped").isEqualTo(8.0);
        } finally {
            release.countDown();
            sender.close();
            receiver.stop(0);
            Metrics.removeRegistry(registry);
        }
    }
}
