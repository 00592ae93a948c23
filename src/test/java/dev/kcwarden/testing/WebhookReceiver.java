package dev.kcwarden.testing;

import com.sun.net.httpserver.HttpServer;
import com.sun.net.httpserver.HttpsConfigurator;
import com.sun.net.httpserver.HttpsServer;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.time.Duration;
import java.time.Instant;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.function.Predicate;
import java.util.function.ToIntFunction;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import javax.net.ssl.SSLContext;

/**
 * A webhook receiver started by a test. It checks every delivery as docs/audit-schema.md tells receivers to
 * ({@link Check}): the signature over time, delivery id and body, at most 5 minutes old, never seen before. It answers
 * 204 to a good delivery and 401 to a bad signature or an old one; a delivery id seen before is acknowledged with 200,
 * as the docs say, but not processed again (recorded as refused, "seen before"). Tests wait for a body and replay a
 * captured delivery.
 */
public final class WebhookReceiver implements AutoCloseable {

    public static final String SIGNATURE_HEADER = "X-Warden-Signature";
    public static final String DELIVERY_HEADER = "X-Warden-Delivery";

    /**
     * One request as it arrived, with the receiver's verdict ("accepted", "seen before", "too old", "bad signature").
     */
    public record Delivery(String id, String signature, String body, String verdict) {}

    private final HttpServer server;
    private final URI url;
    private final Check check;
    private final List<Delivery> accepted = new CopyOnWriteArrayList<>();
    private final List<Delivery> refused = new CopyOnWriteArrayList<>();
    /** Status for an accepted delivery before it is recorded; a test may fail or hang chosen ones. 204 by default. */
    private volatile ToIntFunction<Delivery> answer = d -> 204;

    private WebhookReceiver(HttpServer server, String scheme, String host, String path, byte[] secret) {
        this.server = server;
        this.check = new Check(secret);
        this.url = URI.create(scheme + "://" + host + ":" + server.getAddress().getPort() + path);
        server.createContext(path, exchange -> {
            String id = exchange.getRequestHeaders().getFirst(DELIVERY_HEADER);
            String signature = exchange.getRequestHeaders().getFirst(SIGNATURE_HEADER);
            String body = new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8);
            Delivery delivery = new Delivery(
                    id,
                    signature,
                    body,
                    check.accept(signature, id, body, Instant.now().getEpochSecond()));
            int status;
            if (!"accepted".equals(delivery.verdict())) {
                refused.add(delivery);
                status = "seen before".equals(delivery.verdict()) ? 200 : 401;
            } else {
                status = answer.applyAsInt(delivery);
                if (status / 100 == 2) {
                    accepted.add(delivery);
                } else {
                    check.forget(id); // refused on purpose: the sender's retry is not a replay
                }
            }
            exchange.sendResponseHeaders(status, -1);
            exchange.close();
        });
        server.setExecutor(Executors.newCachedThreadPool());
        server.start();
    }

    /** Listens where the shared server configuration posts ({@link WardenServerConfig#WEBHOOK_URL}, on 127.0.0.1). */
    public static WebhookReceiver onConfiguredUrl() {
        URI configured = URI.create(WardenServerConfig.WEBHOOK_URL);
        return onPort(configured.getPort(), configured.getPath(), WardenServerConfig.WEBHOOK_SECRET);
    }

    /** Plain http on a loopback port of the test's choosing, for a node the test starts itself. */
    public static WebhookReceiver onPort(int port, String path, String secret) {
        try {
            HttpServer server = HttpServer.create(new InetSocketAddress("127.0.0.1", port), 0);
            return new WebhookReceiver(server, "http", "127.0.0.1", path, secret.getBytes(StandardCharsets.UTF_8));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * Over https on a free loopback port, with the given server certificate; {@code host} is the name in
     * {@link #url()}.
     */
    public static WebhookReceiver https(SSLContext tls, String host, String path, String secret) {
        try {
            HttpsServer server = HttpsServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
            server.setHttpsConfigurator(new HttpsConfigurator(tls));
            return new WebhookReceiver(server, "https", host, path, secret.getBytes(StandardCharsets.UTF_8));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public URI url() {
        return url;
    }

    public int port() {
        return server.getAddress().getPort();
    }

    public void answer(ToIntFunction<Delivery> answer) {
        this.answer = answer;
    }

    public List<Delivery> accepted() {
        return List.copyOf(accepted);
    }

    public List<String> bodies() {
        return accepted.stream().map(Delivery::body).toList();
    }

    public List<Delivery> refused() {
        return List.copyOf(refused);
    }

    /** The first accepted delivery whose body matches, waiting up to {@code within}; fails naming {@code what}. */
    public Delivery await(Predicate<String> body, Duration within, String what) throws InterruptedException {
        Instant deadline = Instant.now().plus(within);
        do {
            for (Delivery d : accepted) {
                if (body.test(d.body())) {
                    return d;
                }
            }
            Thread.sleep(100);
        } while (Instant.now().isBefore(deadline));
        throw new AssertionError("no webhook delivery within " + within.toSeconds() + " s: " + what);
    }

    public Delivery awaitBodyWith(String text) throws InterruptedException {
        return await(b -> b.contains(text), Duration.ofSeconds(60), "a body with " + text);
    }

    @Override
    public void close() {
        server.stop(0);
    }

    /**
     * What docs/audit-schema.md tells a receiver to do, in Java: recompute the HMAC over {@code t.id.body} and compare
     * in constant time, refuse a time more than 300 s away, refuse a delivery id seen before.
     */
    public static final class Check {
        private final byte[] secret;
        private final Set<String> seen = new HashSet<>();

        public Check(byte[] secret) {
            this.secret = secret.clone();
        }

        public synchronized String accept(String signatureHeader, String deliveryId, String body, long nowSeconds) {
            String t = null;
            String v1 = null;
            for (String part : (signatureHeader == null ? "" : signatureHeader).split(",")) {
                if (part.startsWith("t=")) {
                    t = part.substring(2);
                } else if (part.startsWith("v1=")) {
                    v1 = part.substring(3);
                }
            }
            if (t == null || v1 == null || deliveryId == null || !t.matches("\\d{1,12}")) {
                return "bad signature";
            }
            byte[] expected = hmacHex(t + "." + deliveryId + "." + body).getBytes(StandardCharsets.US_ASCII);
            if (!MessageDigest.isEqual(expected, v1.getBytes(StandardCharsets.US_ASCII))) {
                return "bad signature";
            }
            if (Math.abs(nowSeconds - Long.parseLong(t)) > 300) {
                return "too old";
            }
            return seen.add(deliveryId) ? "accepted" : "seen before";
        }

        synchronized void forget(String deliveryId) {
            seen.remove(deliveryId);
        }

        private String hmacHex(String signed) {
            try {
                Mac mac = Mac.getInstance("HmacSHA256");
                mac.init(new SecretKeySpec(secret, "HmacSHA256"));
                return HexFormat.of().formatHex(mac.doFinal(signed.getBytes(StandardCharsets.UTF_8)));
            } catch (java.security.GeneralSecurityException e) {
                throw new IllegalStateException(e);
            }
        }
    }
}
