package dev.kcwarden.audit;

import dev.kcwarden.Hmac;
import dev.kcwarden.Outbound;
import dev.kcwarden.metrics.WardenMetrics;
import java.io.IOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.UUID;
import org.apache.http.client.methods.HttpPost;
import org.apache.http.entity.ByteArrayEntity;
import org.apache.http.entity.ContentType;
import org.jboss.logging.Logger;
import org.keycloak.connections.httpclient.HttpClientProvider;
import org.keycloak.models.KeycloakSession;
import org.keycloak.models.KeycloakSessionFactory;

/**
 * Delivers audit lines to a webhook on one background thread, so no request ever waits for it.
 *
 * <p>Two bounded queues: the main one for every audit line, and a smaller one for throttle lines (events with error
 * {@code warden_throttled}), which a flood produces. The worker always takes the main queue first, and a throttle line
 * that is waiting to be retried steps back as soon as a main line arrives, so a flood can fill only its own queue and
 * never costs a main line its place. In the main queue, failed user events (which anyone can cause in any number) take
 * at most half, and user events of any outcome three quarters: the rest is kept for admin events, warden's incidents
 * and the chain's own lines. A full queue drops the new line and counts it.
 *
 * <p>Each attempt is signed anew with its own time ({@value #SIGNATURE_HEADER}: {@code t=<unix seconds>,v1=<hex
 * HMAC-SHA256(secret, t + "." + delivery id + "." + body)>}), and the delivery id ({@value #DELIVERY_HEADER}) stays the
 * same on every retry: a receiver refuses anything older than a few minutes and any id it has seen, so a captured
 * request cannot be replayed (docs/audit-schema.md shows a receiver). Retries back off exponentially.
 */
final class WebhookSender implements AutoCloseable {

    static final String SIGNATURE_HEADER = "X-Warden-Signature";
    static final String DELIVERY_HEADER = "X-Warden-Delivery";

    private static final Logger LOG = Logger.getLogger(WebhookSender.class);
    private static final long FIRST_BACKOFF_MILLIS = 500;
    private static final long MAX_BACKOFF_MILLIS = 30_000;
    /** The receiver's answer is not needed; reading a little lets the connection be reused. */
    private static final int ANSWER_BYTES_READ = 8192;

    /** Which queue a line waits in; the value of the metrics' {@code queue} label. */
    enum Lane {
        MAIN("main"),
        THROTTLE("throttle");

        final String id;

        Lane(String id) {
            this.id = id;
        }
    }

    /** How one attempt reaches the receiver: Keycloak's HTTP client in production ({@link #keycloak}). */
    @FunctionalInterface
    interface Transport {
        /** Returns the HTTP status; throws when there is no answer within {@code timeout}. */
        int post(URI url, Map<String, String> headers, byte[] body, Duration timeout) throws IOException;
    }

    private static final class Delivery {
        final String id = UUID.randomUUID().toString();
        final String body;
        final Lane lane;
        final Kind kind;
        int attempt;
        long notBefore;

        Delivery(String body, Lane lane, Kind kind) {
            this.body = body;
            this.lane = lane;
            this.kind = kind;
        }
    }

    static final long SHUTDOWN_GRACE_MILLIS = 5_000;

    private final URI url;
    private final byte[] secret;
    private final Duration timeout;
    private final int maxRetries;
    private final Clock clock;
    private final Object lock = new Object();
    private final ArrayDeque<Delivery> main = new ArrayDeque<>();
    private final ArrayDeque<Delivery> throttle = new ArrayDeque<>();
    private final int mainCapacity;
    private final int throttleCapacity;
    /** Lines waiting, per kind (guarded by {@code lock}). */
    private final int[] shares = new int[Kind.values().length];

    private volatile boolean running = true;
    /** Set by {@link #close()}: main lines still queued get one attempt each, until {@link #drainDeadline}. */
    private volatile boolean closing;

    private volatile long drainDeadline;
    private Transport transport;
    private Thread worker;

    WebhookSender(
            URI url, byte[] secret, int capacity, int throttleCapacity, Duration timeout, int maxRetries, Clock clock) {
        this.url = url;
        this.secret = secret.clone();
        this.mainCapacity = capacity;
        this.throttleCapacity = throttleCapacity;
        this.timeout = timeout;
        this.maxRetries = maxRetries;
        this.clock = clock;
        WardenMetrics.webhookQueue(Lane.MAIN.id, this, s -> s.depth(Lane.MAIN));
        WardenMetrics.webhookQueue(Lane.THROTTLE.id, this, s -> s.depth(Lane.THROTTLE));
    }

    /**
     * Starts delivering (lines offered before wait in their queues). Keycloak calls a factory's postInit once its
     * providers are ready; that is where the production transport can be had.
     */
    synchronized void start(Transport transport) {
        if (worker != null) {
            return;
        }
        this.transport = transport;
        worker = new Thread(this::deliverLoop, "warden-webhook");
        worker.setDaemon(true);
        worker.start();
    }

    /**
     * Keycloak's HTTP client, with its proxy and truststore settings. The provider is session-scoped, so each attempt
     * opens a session of its own (no transaction, no database), takes the client, and closes the session; the client
     * itself belongs to Keycloak and is never closed here.
     */
    static Transport keycloak(KeycloakSessionFactory factory) {
        return (url, headers, body, timeout) -> {
            try (KeycloakSession session = factory.create()) {
                HttpPost post = new HttpPost(url);
                headers.forEach(post::setHeader);
                post.setEntity(new ByteArrayEntity(body, ContentType.APPLICATION_JSON));
                return Outbound.send(
                        session.getProvider(HttpClientProvider.class).getHttpClient(), post, timeout, (status, in) -> {
                            in.readNBytes(ANSWER_BYTES_READ);
                            return status;
                        });
            }
        };
    }

    /** What a line is, for where it waits. */
    enum Kind {
        /**
         * Admin events, warden's incidents and the chain's own start, checkpoint and end lines: the last quarter of the
         * main queue is theirs alone, so that no user traffic can push them out.
         */
        RESERVED,
        /**
         * Successful user events (logins, refreshes, user-info calls): with failures, at most three quarters of the
         * main queue.
         */
        NORMAL,
        /**
         * A user event that failed (a bad code, a garbage refresh token, a wrong password): anyone can cause these in
         * any number, so together they may take at most half of the main queue.
         */
        ERROR,
        /** A throttled attempt ({@code error} {@code warden_throttled}): its own queue, served after the main one. */
        THROTTLE
    }

    /** Queues one of the chain's own lines (reserved room); returns at once. */
    void offer(String line) {
        offer(line, Kind.RESERVED);
    }

    /**
     * Queues one line; returns at once, never waits for room. Throttle lines wait in their own queue and go after every
     * main line. In the main queue, failed user events hold at most half, and user events of any outcome at most three
     * quarters, so that admin events, incidents and chain lines always find room. A full queue (or share) drops the new
     * line and counts it.
     */
    void offer(String line, Kind kind) {
        Lane lane = kind == Kind.THROTTLE ? Lane.THROTTLE : Lane.MAIN;
        boolean queued;
        synchronized (lock) {
            ArrayDeque<Delivery> queue = queue(lane);
            queued = running && queue.size() < capacity(lane) && withinShare(kind);
            if (queued) {
                queue.addLast(new Delivery(line, lane, kind));
                shares[kind.ordinal()]++;
                lock.notifyAll();
            }
        }
        if (!queued) {
            WardenMetrics.webhook("dropped_queue_full", lane.id);
        }
    }

    /** Whether a line of {@code kind} may take a place now (called holding {@code lock}). */
    private boolean withinShare(Kind kind) {
        int errors = shares[Kind.ERROR.ordinal()];
        int users = errors + shares[Kind.NORMAL.ordinal()];
        return switch (kind) {
            case ERROR -> errors < Math.max(1, mainCapacity / 2) && users < Math.max(1, mainCapacity * 3 / 4);
            case NORMAL -> users < Math.max(1, mainCapacity * 3 / 4);
            default -> true;
        };
    }

    /** True once {@link #close()} has begun (for tests). */
    boolean closing() {
        return closing;
    }

    int depth(Lane lane) {
        synchronized (lock) {
            return queue(lane).size();
        }
    }

    private ArrayDeque<Delivery> queue(Lane lane) {
        return lane == Lane.MAIN ? main : throttle;
    }

    private int capacity(Lane lane) {
        return lane == Lane.MAIN ? mainCapacity : throttleCapacity;
    }

    private void deliverLoop() {
        try {
            while (running) {
                Delivery next;
                synchronized (lock) {
                    while (running && !closing && main.isEmpty() && throttle.isEmpty()) {
                        lock.wait();
                    }
                    if (closing && (main.isEmpty() || System.nanoTime() - drainDeadline > 0)) {
                        return; // shutting down: throttle lines are not worth the wait
                    }
                    next = main.isEmpty() ? throttle.pollFirst() : main.pollFirst();
                    if (next != null) {
                        shares[next.kind.ordinal()]--;
                    }
                }
                if (next != null) {
                    deliver(next);
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt(); // closing
        }
    }

    private void deliver(Delivery delivery) throws InterruptedException {
        while (running) {
            if (closing) {
                // one last attempt for a main line, no back-off: the node is stopping and its end line should reach
                // the receiver; a throttle line is not worth the wait
                boolean delivered = delivery.lane == Lane.MAIN && attempt(delivery);
                WardenMetrics.webhook(delivered ? "delivered" : "dropped_after_retries", delivery.lane.id);
                return;
            }
            long wait = delivery.notBefore - clock.millis();
            if (wait > 0) {
                if (delivery.lane == Lane.THROTTLE) {
                    if (mainLineWithin(wait)) {
                        synchronized (lock) {
                            throttle.addFirst(delivery); // keeps its place, its id and its attempts
                            shares[delivery.kind.ordinal()]++;
                        }
                        return;
                    }
                } else {
                    waitUnlessClosing(wait);
                    continue; // closing may have begun meanwhile
                }
            }
            if (delivery.attempt > 0) {
                WardenMetrics.webhook("retried", delivery.lane.id);
            }
            if (attempt(delivery)) {
                WardenMetrics.webhook("delivered", delivery.lane.id);
                return;
            }
            if (delivery.attempt >= maxRetries) {
                WardenMetrics.webhook("dropped_after_retries", delivery.lane.id);
                LOG.warnf(
                        "warden-audit: webhook %s did not accept delivery %s after %d retries; dropped",
                        url.getHost(), delivery.id, maxRetries);
                return;
            }
            delivery.attempt++;
            delivery.notBefore = clock.millis()
                    + Math.min(FIRST_BACKOFF_MILLIS << Math.min(delivery.attempt - 1, 16), MAX_BACKOFF_MILLIS);
        }
    }

    /** Waits up to {@code millis}, or less when {@link #close()} begins. */
    private void waitUnlessClosing(long millis) throws InterruptedException {
        long deadline = System.nanoTime() + millis * 1_000_000;
        synchronized (lock) {
            for (long left = millis;
                    running && !closing && left > 0;
                    left = (deadline - System.nanoTime()) / 1_000_000) {
                lock.wait(left);
            }
        }
    }

    /** Waits up to {@code millis}; true as soon as a main line is waiting. */
    private boolean mainLineWithin(long millis) throws InterruptedException {
        long deadline = System.nanoTime() + millis * 1_000_000;
        synchronized (lock) {
            for (long left = millis;
                    running && !closing && main.isEmpty() && left > 0;
                    left = (deadline - System.nanoTime()) / 1_000_000) {
                lock.wait(left);
            }
            return !main.isEmpty() || closing;
        }
    }

    private boolean attempt(Delivery delivery) {
        Duration limit = timeout;
        if (closing) {
            // the last attempts share what is left of the grace, so that a hanging receiver cannot hold the stop
            long left = (drainDeadline - System.nanoTime()) / 1_000_000;
            if (left <= 0) {
                return false;
            }
            limit = Duration.ofMillis(Math.min(timeout.toMillis(), left));
        }
        byte[] body = delivery.body.getBytes(StandardCharsets.UTF_8);
        Map<String, String> headers = new LinkedHashMap<>();
        headers.put(SIGNATURE_HEADER, signature(clock.instant().getEpochSecond(), delivery.id, delivery.body));
        headers.put(DELIVERY_HEADER, delivery.id);
        try {
            return transport.post(url, headers, body, limit) / 100 == 2;
        } catch (IOException | RuntimeException e) {
            return false; // retried; the worker thread must outlive any single delivery
        }
    }

    /** The {@value #SIGNATURE_HEADER} value for one attempt. */
    String signature(long unixSeconds, String deliveryId, String body) {
        String signed = unixSeconds + "." + deliveryId + "." + body;
        return "t=" + unixSeconds + ",v1="
                + HexFormat.of().formatHex(Hmac.sha256(secret, signed.getBytes(StandardCharsets.UTF_8)));
    }

    /**
     * Stops the worker. Main lines still queued (the node's end line among them) get one attempt each within
     * {@value #SHUTDOWN_GRACE_MILLIS} ms; throttle lines and whatever is left after that are not delivered, which is
     * logged with their number (the log file has every line).
     */
    @Override
    public void close() {
        close(SHUTDOWN_GRACE_MILLIS);
    }

    void close(long graceMillis) {
        Thread w;
        synchronized (this) {
            w = worker;
        }
        synchronized (lock) {
            drainDeadline = System.nanoTime() + graceMillis * 1_000_000;
            closing = true;
            lock.notifyAll();
        }
        if (w != null) {
            try {
                w.join(graceMillis
                        + 1_000); // an attempt under way when close began may overrun the grace by its own timeout
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        int left;
        synchronized (lock) {
            running = false;
            left = main.size() + throttle.size();
            main.clear();
            throttle.clear();
            Arrays.fill(shares, 0);
            lock.notifyAll();
        }
        if (w != null) {
            w.interrupt();
        }
        if (left > 0) {
            LOG.warnf(
                    "warden-audit: %d audit lines were still queued for webhook %s at shutdown and are not "
                            + "sent; the log has them",
                    left, url.getHost());
        }
    }
}
