package dev.kcwarden.testing;

import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * A local stand-in for the Pwned Passwords range API, started by the test: answers {@code GET /range/{5 hex}} with
 * "SUFFIX:COUNT" lines plus zero-count padding, and records every request line it saw so a test can prove what left
 * Keycloak. Modes: normal, failing (HTTP 500), slow.
 */
public final class RangeStub implements AutoCloseable {

    public enum Mode {
        NORMAL,
        FAILING,
        SLOW
    }

    private final HttpServer server;
    private final Map<String, Integer> breached = new ConcurrentHashMap<>();
    private final List<String> requests = new CopyOnWriteArrayList<>();
    private volatile Mode mode = Mode.NORMAL;

    public RangeStub() {
        this(null);
    }

    /** Over https with {@code tls} (see {@link LocalTls}), on a free loopback port: reach it through a proxy route. */
    public static RangeStub https(javax.net.ssl.SSLContext tls) {
        return new RangeStub(tls);
    }

    private RangeStub(javax.net.ssl.SSLContext tls) {
        try {
            if (tls == null) {
                server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
            } else {
                com.sun.net.httpserver.HttpsServer https =
                        com.sun.net.httpserver.HttpsServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
                https.setHttpsConfigurator(new com.sun.net.httpserver.HttpsConfigurator(tls));
                server = https;
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        server.createContext("/range/", exchange -> {
            requests.add(exchange.getRequestMethod() + " " + exchange.getRequestURI() + " body="
                    + exchange.getRequestBody().readAllBytes().length);
            if (mode == Mode.SLOW) {
                try {
                    Thread.sleep(5_000);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
            if (mode == Mode.FAILING) {
                exchange.sendResponseHeaders(500, -1);
                exchange.close();
                return;
            }
            String prefix = exchange.getRequestURI().getPath().substring("/range/".length());
            StringBuilder body = new StringBuilder();
            breached.forEach((hash, count) -> {
                if (hash.startsWith(prefix)) {
                    body.append(hash.substring(5)).append(':').append(count).append("\r\n");
                }
            });
            for (int i = 0; i < 50; i++) {
                body.append(String.format("%035X", i)).append(":0\r\n");
            }
            byte[] bytes = body.toString().getBytes(StandardCharsets.US_ASCII);
            exchange.sendResponseHeaders(200, bytes.length);
            try (OutputStream out = exchange.getResponseBody()) {
                out.write(bytes);
            }
        });
        server.setExecutor(java.util.concurrent.Executors.newCachedThreadPool());
        server.start();
    }

    public String rangeUrl() {
        return "http://127.0.0.1:" + server.getAddress().getPort() + "/range/";
    }

    public int port() {
        return server.getAddress().getPort();
    }

    public void breach(String password, int count) {
        breached.put(sha1(password), count);
    }

    public void mode(Mode mode) {
        this.mode = mode;
    }

    public List<String> requests() {
        return List.copyOf(requests);
    }

    public static String sha1(String password) {
        try {
            return HexFormat.of()
                    .withUpperCase()
                    .formatHex(MessageDigest.getInstance("SHA-1").digest(password.getBytes(StandardCharsets.UTF_8)));
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    @Override
    public void close() {
        server.stop(0);
    }
}
