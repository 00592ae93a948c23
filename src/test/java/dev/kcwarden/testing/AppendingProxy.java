package dev.kcwarden.testing;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * A reverse proxy that APPENDS the client's address to X-Forwarded-For, as nginx's {@code $proxy_add_x_forwarded_for},
 * AWS ALB and HAProxy's {@code option forwardfor} do: whatever the client wrote stays on the left. Listens on
 * 127.0.0.1, forwards to one upstream and says the client came over HTTPS.
 */
public final class AppendingProxy implements AutoCloseable {

    private static final Set<String> NOT_FORWARDED = Set.of(
            "host",
            "connection",
            "content-length",
            "expect",
            "upgrade",
            "transfer-encoding",
            "keep-alive",
            "x-forwarded-proto");

    private final HttpServer server;
    private final HttpClient upstream = HttpClient.newBuilder()
            .version(HttpClient.Version.HTTP_1_1)
            .followRedirects(HttpClient.Redirect.NEVER)
            .connectTimeout(Duration.ofSeconds(5))
            .build();
    private final String target;

    public AppendingProxy(String upstreamBaseUrl) {
        this.target = upstreamBaseUrl.replaceAll("/$", "");
        try {
            server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot open the test proxy", e);
        }
        server.createContext("/", this::forward);
        server.start();
    }

    /** The proxy's base URL, to use instead of the upstream's. */
    public String baseUrl() {
        return "http://127.0.0.1:" + server.getAddress().getPort();
    }

    private void forward(HttpExchange exchange) throws IOException {
        try (exchange) {
            byte[] body = exchange.getRequestBody().readAllBytes();
            HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(target + exchange.getRequestURI()))
                    .timeout(Duration.ofSeconds(30))
                    .method(
                            exchange.getRequestMethod(),
                            body.length == 0
                                    ? HttpRequest.BodyPublishers.noBody()
                                    : HttpRequest.BodyPublishers.ofByteArray(body));
            String forwarded = null;
            for (var header : exchange.getRequestHeaders().entrySet()) {
                String name = header.getKey().toLowerCase(Locale.ROOT);
                if (name.equals("x-forwarded-for")) {
                    forwarded = String.join(", ", header.getValue());
                } else if (!NOT_FORWARDED.contains(name)) {
                    header.getValue().forEach(v -> request.header(header.getKey(), v));
                }
            }
            String peer = exchange.getRemoteAddress().getAddress().getHostAddress();
            request.header("X-Forwarded-For", forwarded == null ? peer : forwarded + ", " + peer);
            // It stands for a proxy that terminates TLS, as production proxies do (the demo realm wants HTTPS
            // for every address that is not private).
            request.header("X-Forwarded-Proto", "https");
            HttpResponse<byte[]> response = upstream.send(request.build(), HttpResponse.BodyHandlers.ofByteArray());
            response.headers().map().forEach((name, values) -> {
                if (!NOT_FORWARDED.contains(name.toLowerCase(Locale.ROOT)) && !name.startsWith(":")) {
                    exchange.getResponseHeaders().put(name, List.copyOf(values));
                }
            });
            byte[] answer = response.body();
            exchange.sendResponseHeaders(response.statusCode(), answer.length == 0 ? -1 : answer.length);
            try (OutputStream out = exchange.getResponseBody()) {
                out.write(answer);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            exchange.sendResponseHeaders(502, -1);
        }
    }

    @Override
    public void close() {
        server.stop(0);
    }
}
