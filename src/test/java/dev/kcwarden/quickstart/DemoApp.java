package dev.kcwarden.quickstart;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/**
 * Serves the static demo app ({@code examples/demo-spa}) on a loopback port, plus {@code /config.json} that tells the
 * page where the realm and the API are. Used by {@code ./mvnw -Prun} and by the journey test.
 *
 * <p>Only the app's three files are served (no directory listing, no path from the request reaches the file system).
 * The answers carry a Content-Security-Policy that lets the page talk to the realm and the API and nothing else, and
 * {@code Referrer-Policy: no-referrer}, so the authorization code in the callback URL never leaves in a Referer header.
 */
public final class DemoApp implements AutoCloseable {

    /**
     * The port the demo realm's {@code demo-spa} client has its redirect URI, post-logout redirect and web origin on
     * ({@code http://localhost:5173/}).
     */
    public static final int DEFAULT_PORT = 5173;

    private static final Map<String, String> FILES = Map.of(
            "/", "index.html",
            "/index.html", "index.html",
            "/app.js", "app.js",
            "/app.css", "app.css");
    private static final Map<String, String> TYPES = Map.of(
            "html", "text/html; charset=utf-8",
            "js", "text/javascript; charset=utf-8",
            "css", "text/css; charset=utf-8");

    private final Path root;
    private final String config;
    private final String policy;
    private final HttpServer server;
    private final ExecutorService executor = Executors.newFixedThreadPool(2);

    /**
     * @param root the folder with index.html, app.js and app.css
     * @param issuer the realm's issuer, e.g. {@code http://localhost:8080/realms/warden}
     * @param clientId the public client the page signs in as
     * @param api the example API's base URL, e.g. {@code http://127.0.0.1:8680}
     */
    public DemoApp(Path root, int port, String issuer, String clientId, String api) throws QuickstartException {
        for (String file : FILES.values()) {
            if (!Files.isRegularFile(root.resolve(file))) {
                throw new QuickstartException(
                        "demo app file " + root.resolve(file) + " not found; run ./mvnw -Prun from the project folder");
            }
        }
        this.root = root;
        this.config = "{\"issuer\":" + json(issuer) + ",\"clientId\":" + json(clientId) + ",\"api\":" + json(api) + "}";
        this.policy = "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; connect-src 'self' "
                + origin(issuer) + " " + origin(api) + "; form-action 'none'; frame-ancestors 'none'; base-uri 'none'";
        try {
            this.server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 0);
        } catch (IOException e) {
            throw new QuickstartException("port " + port + " for the demo app is in use (" + e.getMessage()
                    + "); stop what holds it: the realm's demo-spa client expects the app on http://localhost:" + port);
        }
        server.createContext("/", this::serve);
        server.setExecutor(executor);
    }

    public DemoApp start() {
        server.start();
        return this;
    }

    /** The address a browser opens; {@code localhost}, because that is the origin the realm's client allows. */
    public String url() {
        return "http://localhost:" + server.getAddress().getPort() + "/";
    }

    private void serve(HttpExchange exchange) throws IOException {
        try (exchange) {
            String path = exchange.getRequestURI().getPath();
            if (!"GET".equals(exchange.getRequestMethod()) && !"HEAD".equals(exchange.getRequestMethod())) {
                send(exchange, 405, "text/plain; charset=utf-8", "GET only".getBytes(StandardCharsets.UTF_8));
            } else if ("/config.json".equals(path)) {
                send(exchange, 200, "application/json", config.getBytes(StandardCharsets.UTF_8));
            } else if (FILES.containsKey(path)) {
                String file = FILES.get(path);
                send(
                        exchange,
                        200,
                        TYPES.get(file.substring(file.lastIndexOf('.') + 1)),
                        Files.readAllBytes(root.resolve(file)));
            } else {
                send(exchange, 404, "text/plain; charset=utf-8", "not found".getBytes(StandardCharsets.UTF_8));
            }
        }
    }

    private void send(HttpExchange exchange, int status, String type, byte[] body) throws IOException {
        exchange.getResponseHeaders().add("Content-Type", type);
        exchange.getResponseHeaders().add("Cache-Control", "no-store");
        exchange.getResponseHeaders().add("Content-Security-Policy", policy);
        exchange.getResponseHeaders().add("Referrer-Policy", "no-referrer");
        exchange.getResponseHeaders().add("X-Content-Type-Options", "nosniff");
        boolean head = "HEAD".equals(exchange.getRequestMethod());
        exchange.sendResponseHeaders(status, head ? -1 : body.length);
        if (!head) {
            try (OutputStream out = exchange.getResponseBody()) {
                out.write(body);
            }
        }
    }

    static String origin(String url) {
        URI uri = URI.create(url);
        return uri.getScheme() + "://" + uri.getRawAuthority();
    }

    private static String json(String value) {
        return "\"" + value.replace("\\", "\\\\").replace("\"", "\\\"") + "\"";
    }

    @Override
    public void close() {
        server.stop(0);
        executor.shutdownNow();
    }
}
