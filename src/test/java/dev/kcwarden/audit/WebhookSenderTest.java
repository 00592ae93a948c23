package dev.kcwarden.audit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import dev.kcwarden.testing.WebhookReceiver;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Metrics;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.io.IOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Predicate;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

@DisplayName("Webhook sender: replay-proof signatures, a bounded main queue, and throttle lines that never take a "
        + "main line's place")
class WebhookSenderTest {

    private static final URI URL = URI.create("https://receiver.example/hook");
    private static final byte[] SECRET = "test-secret".getBytes(StandardCharsets.UTF_8);

    private record Sent(String body, String delivery, String signature) {}

    /** A receiver in memory: records every attempt, can hold the worker and refuse chosen bodies. */
    private static final class FakeReceiver implements WebhookSender.Transport {
        final List<Sent> sent = new CopyOnWriteArrayList<>();
        final CountDownLatch firstCall = new CountDownLatch(1);
        volatile CountDownLatch hold = new CountDownLatch(0);
        volatile Predicate<String> refuse = body -> false;
        /** How long each answer takes, at most the attempt's timeout (as a real transport would give up). */
        volatile long delayMillis;

        @Override
        public int post(URI url, Map<String, String> headers, byte[] body, Duration timeout) throws IOException {
            String text = new String(body, StandardCharsets.UTF_8);
            sent.add(new Sent(
                    text, headers.get(WebhookSender.DELIVERY_HEADER), headers.get(WebhookSender.SIGNATURE_HEADER)));
            firstCall.countDown();
            try {
                if (delayMillis > 0) {
                    Thread.sleep(Math.min(delayMillis, timeout.toMillis()));
                }
                hold.await(20, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IOException("interrupted");
            }
            return refuse.test(text) ? 503 : 204;
        }

        List<String> bodies() {
            return sent.stream().map(Sent::body).toList();
        }
    }

    private SimpleMeterRegistry registry;
    private WebhookSender sender;
    private final FakeReceiver receiver = new FakeReceiver();

    @BeforeEach
    void registry() {
        registry = new SimpleMeterRegistry();
        Metrics.addRegistry(registry);
    }

    @AfterEach
    void close() {
        receiver.hold.countDown();
        if (sender != null) {
            sender.close();
        }
        Metrics.removeRegistry(registry);
    }

    private double count(String result, String queue) {
        Counter counter = registry.find("warden.webhook.deliveries")
                .tag("result", result)
                .tag("queue", queue)
                .counter();
        return counter == null ? 0 : counter.count();
    }

    private static void await(String what, java.util.function.BooleanSupplier condition) throws InterruptedException {
        for (int i = 0; i < 200 && !condition.getAsBoolean(); i++) {
            Thread.sleep(25);
        }
        assertThat(condition.getAsBoolean()).as(what).isTrue();
    }

    private static String hmacHex(String signed) throws Exception {
        Mac mac = Mac.getInstance("HmacSHA256");
        mac.init(new SecretKeySpec(SECRET, "HmacSHA256"));
        return HexFormat.of().formatHex(mac.doFinal(signed.getBytes(StandardCharsets.UTF_8)));
    }

    @Nested
    @DisplayName("signature")
    class Signature {

        @Test
        @DisplayName("covers the time, the delivery id and the body: t=<unix seconds>,v1=hex HMAC-SHA256(t.id.body)")
        void coversTimeIdAndBody() throws Exception {
            sender = new WebhookSender(
                    URL,
                    SECRET,
                    10,
                    10,
                    Duration.ofSeconds(1),
                    0,
                    Clock.fixed(Instant.ofEpochSecond(1_764_000_000L), ZoneOffset.UTC));
            String body = "{\"v\":1,\"n\":1}";
            String header = sender.signature(1_764_000_000L, "d-1", body);
            assertThat(header).isEqualTo("t=1764000000,v1=" + hmacHex("1764000000.d-1." + body));
            // each part is covered: another time, another id or another body gives another value
            assertThat(sender.signature(1_764_000_001L, "d-1", body))
                    .doesNotEndWith(header.substring(header.indexOf(",v1=")));
            assertThat(sender.signature(1_764_000_000L, "d-2", body)).isNotEqualTo(header);
            assertThat(sender.signature(1_764_000_000L, "d-1", body + " ")).isNotEqualTo(header);
        }

        @Test
        @DisplayName("a receiver that checks as docs/audit-schema.md says refuses a replay, a delivery older than 5 "
                + "minutes and an altered time")
        void documentedReceiverRefusesReplays() {
            sender = new WebhookSender(URL, SECRET, 10, 10, Duration.ofSeconds(1), 0, Clock.systemUTC());
            String body = "{\"v\":1,\"n\":2}";
            long now = 1_764_000_000L;
            WebhookReceiver.Check receiver = new WebhookReceiver.Check(SECRET);
            String header = sender.signature(now, "d-7", body);
            assertThat(receiver.accept(header, "d-7", body, now + 2)).isEqualTo("accepted");
            assertThat(receiver.accept(header, "d-7", body, now + 3))
                    .as("the same request again")
                    .isEqualTo("seen before");
            String old = sender.signature(now - 301, "d-8", body);
            assertThat(receiver.accept(old, "d-8", body, now)).isEqualTo("too old");
            String altered = header.replace("t=" + now, "t=" + (now + 60));
            assertThat(receiver.accept(altered, "d-9", body, now + 60))
                    .as("a fresh time on an old signature")
                    .isEqualTo("bad signature");
            assertThat(receiver.accept(header, "d-10", body, now + 2))
                    .as("another delivery id under the signature")
                    .isEqualTo("bad signature");
        }

        @Test
        @DisplayName("every retry keeps its delivery id and is signed anew with the attempt's own time")
        void retriesAreSignedAnew() throws Exception {
            AtomicLong now = new AtomicLong(1_764_000_000_000L);
            Clock clock = new Clock() {
                @Override
                public java.time.ZoneId getZone() {
                    return ZoneOffset.UTC;
                }

                @Override
                public Clock withZone(java.time.ZoneId zone) {
                    return this;
                }

                @Override
                public Instant instant() {
                    return Instant.ofEpochMilli(now.getAndAdd(7_000)); // 7 s pass between two readings
                }
            };
            sender = new WebhookSender(URL, SECRET, 10, 10, Duration.ofSeconds(1), 1, clock);
            receiver.refuse = body -> true;
            sender.start(receiver);
            sender.offer("{\"v\":1,\"n\":2}");
            await("two attempts", () -> receiver.sent.size() == 2);
            Sent first = receiver.sent.get(0);
            Sent second = receiver.sent.get(1);
            assertThat(second.delivery()).isEqualTo(first.delivery()).isNotBlank();
            assertThat(second.signature()).isNotEqualTo(first.signature());
            for (Sent s : receiver.sent) {
                String t = s.signature().substring(2, s.signature().indexOf(','));
                assertThat(s.signature())
                        .isEqualTo("t=" + t + ",v1=" + hmacHex(t + "." + s.delivery() + "." + s.body()));
            }
            assertThat(count("dropped_after_retries", "main")).isEqualTo(1.0);
        }
    }

    @Nested
    @DisplayName("queues")
    class Queues {

        @Test
        @DisplayName("a hanging receiver fills the bounded main queue; further lines are dropped and counted, offer "
                + "never waits")
        void fullQueueDropsAndCounts() throws Exception {
            sender = new WebhookSender(URL, SECRET, 2, 2, Duration.ofSeconds(10), 0, Clock.systemUTC());
            receiver.hold = new CountDownLatch(1);
            sender.start(receiver);
            sender.offer("{\"v\":1,\"n\":0}");
            assertThat(receiver.firstCall.await(5, TimeUnit.SECONDS))
                    .as("the worker took the first line and hangs on it")
                    .isTrue();
            long start = System.nanoTime();
            for (int i = 1; i <= 10; i++) {
                sender.offer("{\"v\":1,\"n\":" + i + "}");
            }
            assertThat(Duration.ofNanos(System.nanoTime() - start))
                    .as("offer never waits for room")
                    .isLessThan(Duration.ofSeconds(1));
            assertThat(count("dropped_queue_full", "main"))
                    .as("two lines fit the queue, the other eight are dropped")
                    .isEqualTo(8.0);
            assertThat(sender.depth(WebhookSender.Lane.MAIN)).isEqualTo(2);
        }

        @Test
        @DisplayName("a full throttle queue does not stop a main line, and the worker takes the main line first")
        void fullThrottleQueueDoesNotStopAMainLine() throws Exception {
            sender = new WebhookSender(URL, SECRET, 3, 5, Duration.ofSeconds(10), 0, Clock.systemUTC());
            receiver.hold = new CountDownLatch(1);
            sender.start(receiver);
            sender.offer("throttle-0", WebhookSender.Kind.THROTTLE);
            assertThat(receiver.firstCall.await(5, TimeUnit.SECONDS)).isTrue();
            for (int i = 1; i <= 50; i++) {
                sender.offer("throttle-" + i, WebhookSender.Kind.THROTTLE); // a flood: 5 fit, 45 are dropped
            }
            sender.offer("main-login", WebhookSender.Kind.NORMAL);
            assertThat(count("dropped_queue_full", "throttle")).isEqualTo(45.0);
            assertThat(count("dropped_queue_full", "main"))
                    .as("the main line found room")
                    .isZero();
            assertThat(sender.depth(WebhookSender.Lane.MAIN)).isEqualTo(1);
            receiver.hold.countDown();
            await("all queued lines delivered", () -> receiver.sent.size() == 7);
            assertThat(receiver.bodies())
                    .as("the main line goes before the waiting throttle lines")
                    .containsExactly(
                            "throttle-0",
                            "main-login",
                            "throttle-1",
                            "throttle-2",
                            "throttle-3",
                            "throttle-4",
                            "throttle-5");
            assertThat(count("delivered", "main")).isEqualTo(1.0);
            assertThat(count("delivered", "throttle")).isEqualTo(6.0);
        }

        @Test
        @DisplayName(
                "a throttle line waiting to be retried steps back when a main line arrives, and is retried after it")
        void throttleRetryStepsBackForAMainLine() throws Exception {
            sender = new WebhookSender(URL, SECRET, 3, 3, Duration.ofSeconds(10), 1, Clock.systemUTC());
            receiver.refuse = body -> body.startsWith("throttle")
                    && receiver.bodies().stream().filter(body::equals).count() == 1;
            receiver.hold = new CountDownLatch(1);
            sender.start(receiver);
            sender.offer("throttle-0", WebhookSender.Kind.THROTTLE);
            assertThat(receiver.firstCall.await(5, TimeUnit.SECONDS)).isTrue();
            sender.offer(
                    "main-login", WebhookSender.Kind.NORMAL); // waiting when the throttle line's first attempt fails
            receiver.hold.countDown();
            await("three attempts", () -> receiver.sent.size() == 3);
            assertThat(receiver.bodies()).containsExactly("throttle-0", "main-login", "throttle-0");
            assertThat(receiver.sent.get(2).delivery())
                    .as("the same delivery, retried")
                    .isEqualTo(receiver.sent.get(0).delivery());
            assertThat(count("delivered", "throttle")).isEqualTo(1.0);
            assertThat(count("retried", "throttle")).isEqualTo(1.0);
        }

        @Test
        @DisplayName(
                "at shutdown the main lines still queued (the end line among them) are sent; throttle lines are not")
        void closeDeliversQueuedMainLines() throws Exception {
            sender = new WebhookSender(URL, SECRET, 5, 5, Duration.ofSeconds(10), 3, Clock.systemUTC());
            receiver.hold = new CountDownLatch(1);
            sender.start(receiver);
            sender.offer("main-0");
            assertThat(receiver.firstCall.await(5, TimeUnit.SECONDS)).isTrue();
            sender.offer("throttle-1", WebhookSender.Kind.THROTTLE);
            sender.offer("main-1");
            sender.offer("{\"chain\":\"end\"}");
            Thread release = new Thread(() -> {
                while (!sender.closing()) {
                    Thread.onSpinWait(); // the held first line must end only once close has begun
                }
                receiver.hold.countDown();
            });
            release.start();
            sender.close();
            release.join();
            assertThat(receiver.bodies()).containsExactly("main-0", "main-1", "{\"chain\":\"end\"}");
        }

        @Test
        @DisplayName("at shutdown a refusing receiver gets one last attempt per main line, with no back-off, and "
                + "close returns")
        void closeDoesNotRetryForever() throws Exception {
            sender = new WebhookSender(URL, SECRET, 5, 5, Duration.ofSeconds(10), 50, Clock.systemUTC());
            receiver.refuse = body -> true;
            sender.start(receiver);
            sender.offer("main-0");
            await("the first attempt failed", () -> count("retried", "main") == 0 && receiver.sent.size() == 1);
            sender.offer("main-1");
            sender.offer("main-2");
            assertTimeoutPreemptively(Duration.ofSeconds(30), () -> sender.close(2_000));
            List<String> atClose = receiver.bodies();
            assertThat(atClose)
                    .as("the lines still queued get one attempt each")
                    .endsWith("main-0", "main-1", "main-2");
            assertThat(atClose.stream().filter("main-0"::equals).count())
                    .as("main-0: its first attempt, maybe a retry before close, one at close")
                    .isBetween(2L, 3L);
            Thread.sleep(600); // longer than the first back-off
            assertThat(receiver.bodies())
                    .as("nothing is sent once close has returned")
                    .isEqualTo(atClose);
        }

        @Test
        @DisplayName("shares of the main queue: failed user events at most half, user events three quarters; admin "
                + "events, incidents and chain lines keep the rest")
        void userFloodsLeaveTheReservedQuarter() throws Exception {
            sender = new WebhookSender(URL, SECRET, 12, 5, Duration.ofSeconds(10), 0, Clock.systemUTC());
            receiver.hold = new CountDownLatch(1);
            sender.start(receiver);
            sender.offer("held", WebhookSender.Kind.RESERVED);
            assertThat(receiver.firstCall.await(5, TimeUnit.SECONDS)).isTrue();
            for (int i = 0; i < 100; i++) {
                sender.offer("garbage-refresh-" + i, WebhookSender.Kind.ERROR);
            }
            assertThat(sender.depth(WebhookSender.Lane.MAIN))
                    .as("failures stop at half of 12")
                    .isEqualTo(6);
            for (int i = 0; i < 100; i++) {
                sender.offer("userinfo-" + i, WebhookSender.Kind.NORMAL);
            }
            assertThat(sender.depth(WebhookSender.Lane.MAIN))
                    .as("user events stop at three quarters of 12")
                    .isEqualTo(9);
            assertThat(count("dropped_queue_full", "main")).isEqualTo(94.0 + 97.0);
            for (int i = 0; i < 3; i++) {
                sender.offer("admin-or-chain-" + i, WebhookSender.Kind.RESERVED);
            }
            assertThat(count("dropped_queue_full", "main"))
                    .as("the last quarter was theirs")
                    .isEqualTo(94.0 + 97.0);
            assertThat(sender.depth(WebhookSender.Lane.MAIN)).isEqualTo(12);
            receiver.hold.countDown();
            await("all queued lines delivered", () -> receiver.sent.size() == 13);
            sender.offer("garbage-after", WebhookSender.Kind.ERROR);
            await("a failure finds room again once the share is free", () -> receiver.sent.size() == 14);
        }

        @Test
        @DisplayName("which share a user event takes: a throttle line its own queue, a reuse incident the reserved "
                + "room, a success the user share, any other failure the error share")
        void kindOfEvents() {
            java.util.function.Function<String, WebhookSender.Kind> kind = error -> {
                org.keycloak.events.Event event = new org.keycloak.events.Event();
                event.setError(error);
                return AuditListener.kindOf(event);
            };
            assertThat(kind.apply(null)).isEqualTo(WebhookSender.Kind.NORMAL);
            assertThat(kind.apply("warden_refresh_token_reuse")).isEqualTo(WebhookSender.Kind.RESERVED);
            assertThat(kind.apply("warden_throttled")).isEqualTo(WebhookSender.Kind.THROTTLE);
            assertThat(kind.apply("invalid_token")).isEqualTo(WebhookSender.Kind.ERROR);
            assertThat(kind.apply("invalid_user_credentials")).isEqualTo(WebhookSender.Kind.ERROR);
        }

        @Test
        @DisplayName("the drain at shutdown ends at its grace: a slow receiver does not get every queued line, and "
                + "close returns")
        void drainEndsAtItsGrace() throws Exception {
            sender = new WebhookSender(URL, SECRET, 50, 5, Duration.ofSeconds(10), 0, Clock.systemUTC());
            receiver.hold = new CountDownLatch(1);
            sender.start(receiver);
            sender.offer("held");
            assertThat(receiver.firstCall.await(5, TimeUnit.SECONDS)).isTrue();
            for (int i = 0; i < 40; i++) {
                sender.offer("main-" + i);
            }
            receiver.delayMillis = 200; // 40 lines would take 8 s
            receiver.hold.countDown();
            assertTimeoutPreemptively(Duration.ofSeconds(30), () -> sender.close(1_000));
            int sent = receiver.sent.size();
            assertThat(sent)
                    .as("some lines were sent within the grace, not all 41")
                    .isBetween(2, 20);
            Thread.sleep(500);
            assertThat(receiver.sent).as("nothing after close returned").hasSize(sent);
        }
    }
}
