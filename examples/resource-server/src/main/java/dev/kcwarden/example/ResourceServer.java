package dev.kcwarden.example;

import com.nimbusds.jose.JOSEObjectType;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.jwk.source.JWKSource;
import com.nimbusds.jose.jwk.source.JWKSourceBuilder;
import com.nimbusds.jose.proc.BadJOSEException;
import com.nimbusds.jose.proc.DefaultJOSEObjectTypeVerifier;
import com.nimbusds.jose.proc.JWSVerificationKeySelector;
import com.nimbusds.jose.proc.SecurityContext;
import com.nimbusds.jose.util.DefaultResourceRetriever;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.proc.BadJWTException;
import com.nimbusds.jwt.proc.DefaultJWTClaimsVerifier;
import com.nimbusds.jwt.proc.DefaultJWTProcessor;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.URL;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/**
 * A resource server that trusts the realm's access tokens and nothing else: the JDK's HTTP server and Nimbus JOSE +
 * JWT, no framework. What it checks, and why, is in docs/api-verification.md.
 *
 * <pre>
 * GET /api/hello   Authorization: Bearer &lt;access token&gt;   -> 200 {"message":"hello","sub":…,"azp":…}
 * GET /health                                            -> 200 (no token needed)
 * </pre>
 *
 * <p>Browsers may call it from the origins in {@link Settings#allowedOrigins()} (CORS, with the preflight that an
 * {@code Authorization} header causes); every other origin gets no CORS header, so its pages cannot read answers.
 */
public final class ResourceServer implements AutoCloseable {

    /** A JWS compact token longer than this is refused before parsing: no real access token is near it. */
    static final int MAX_TOKEN_LENGTH = 16 * 1024;

    /** Only asymmetric algorithms: never HS256 (algorithm confusion) and never "none". */
    static final Set<JWSAlgorithm> ALGORITHMS = Set.of(JWSAlgorithm.RS256, JWSAlgorithm.PS256, JWSAlgorithm.ES256);

    /**
     * What this server trusts. {@code jwksCacheTtl}: how long keys are kept before they are fetched again (an unknown
     * {@code kid} fetches at once, at most once a second); {@code clockSkew}: allowed difference between this server's
     * clock and Keycloak's; {@code allowedOrigins}: browser origins ({@code http://localhost:5173}) whose pages may
     * call the API, none by default.
     */
    public record Settings(
            URI issuer,
            URL jwks,
            String audience,
            int port,
            Duration jwksCacheTtl,
            Duration clockSkew,
            Set<String> allowedOrigins) {

        public static Settings forRealm(String issuer, String audience, int port) {
            try {
                return new Settings(
                        URI.create(issuer),
                        URI.create(issuer + "/protocol/openid-connect/certs").toURL(),
                        audience,
                        port,
                        Duration.ofMinutes(5),
                        Duration.ofSeconds(30),
                        Set.of());
            } catch (java.net.MalformedURLException e) {
                throw new IllegalArgumentException("not an http(s) URL: " + issuer, e);
            }
        }

        public Settings withIssuer(URI expectedIssuer) {
            return new Settings(expectedIssuer, jwks, audience, port, jwksCacheTtl, clockSkew, allowedOrigins);
        }

        public Settings withJwksCacheTtl(Duration ttl) {
            return new Settings(issuer, jwks, audience, port, ttl, clockSkew, allowedOrigins);
        }

        public Settings withAllowedOrigins(Set<String> origins) {
            return new Settings(issuer, jwks, audience, port, jwksCacheTtl, clockSkew, Set.copyOf(origins));
        }
    }

    private final Settings settings;
    private final DefaultJWTProcessor<SecurityContext> processor;
    private final HttpServer server;
    private final ExecutorService executor = Executors.newFixedThreadPool(4);

    public ResourceServer(Settings settings) throws IOException {
        this.settings = settings;
        this.processor = processor(settings);
        this.server = HttpServer.create(new InetSocketAddress("127.0.0.1", settings.port()), 0);
        server.createContext("/api/hello", this::hello);
        server.createContext("/health", exchange -> send(exchange, 200, "{\"status\":\"UP\"}", null));
        server.setExecutor(executor);
    }

    private static DefaultJWTProcessor<SecurityContext> processor(Settings settings) {
        JWKSource<SecurityContext> keys = JWKSourceBuilder.<SecurityContext>create(
                        settings.jwks(), new DefaultResourceRetriever(2_000, 2_000, 512 * 1024))
                .cache(settings.jwksCacheTtl().toMillis(), 1_000)
                .refreshAheadCache(false)
                .rateLimited(1_000)
                .retrying(true)
                .build();
        DefaultJWTProcessor<SecurityContext> processor = new DefaultJWTProcessor<>();
        // Keycloak writes "typ": "JWT" into the header of every token; the payload's typ tells them apart.
        processor.setJWSTypeVerifier(new DefaultJOSEObjectTypeVerifier<>(JOSEObjectType.JWT));
        processor.setJWSKeySelector(new JWSVerificationKeySelector<>(ALGORITHMS, keys));
        DefaultJWTClaimsVerifier<SecurityContext> claims = new DefaultJWTClaimsVerifier<>(
                settings.audience(),
                new JWTClaimsSet.Builder()
                        .issuer(settings.issuer().toString())
                        .claim("typ", "Bearer")
                        .build(),
                Set.of("sub", "exp", "iat"));
        claims.setMaxClockSkew((int) settings.clockSkew().toSeconds());
        processor.setJWTClaimsSetVerifier(claims);
        return processor;
    }

    public ResourceServer start() {
        server.start();
        return this;
    }

    public int port() {
        return server.getAddress().getPort();
    }

    private void hello(HttpExchange exchange) throws IOException {
        if (!allowOrigin(exchange)) {
            return;
        }
        String authorization = exchange.getRequestHeaders().getFirst("Authorization");
        if (authorization == null || !authorization.regionMatches(true, 0, "Bearer ", 0, 7)) {
            // RFC 6750 3.1: no credentials -> a challenge without an error code
            send(exchange, 401, "{\"error\":\"unauthorized\"}", "Bearer realm=\"" + settings.audience() + "\"");
            return;
        }
        String token = authorization.substring(7).strip();
        String problem;
        JWTClaimsSet claims = null;
        if (token.length() > MAX_TOKEN_LENGTH) {
            problem = "The token is too large";
        } else {
            try {
                claims = processor.process(token, null);
                problem = null;
            } catch (BadJWTException e) {
                problem = describe(e);
            } catch (BadJOSEException e) {
                problem = "The token's signature, algorithm or type is not accepted";
            } catch (java.text.ParseException e) {
                problem = "The token is not a well-formed JWT";
            } catch (RuntimeException | StackOverflowError | com.nimbusds.jose.JOSEException e) {
                // Whatever a crafted token makes a parser do, the answer is the same and the server stays up.
                problem = "The token could not be verified";
            }
        }
        if (problem != null) {
            send(
                    exchange,
                    401,
                    "{\"error\":\"invalid_token\",\"error_description\":\"" + problem + "\"}",
                    "Bearer realm=\"" + settings.audience() + "\", error=\"invalid_token\", error_description=\""
                            + problem + "\"");
            return;
        }
        send(
                exchange,
                200,
                "{\"message\":\"hello\",\"sub\":" + json(claims.getSubject()) + ",\"azp\":"
                        + json(String.valueOf(claims.getClaim("azp"))) + "}",
                null);
    }

    /**
     * CORS for the configured origins. Answers a preflight ({@code OPTIONS}) itself and returns false then; otherwise
     * adds the headers a browser needs to hand the answer (and its {@code WWW-Authenticate}) to the page.
     */
    private boolean allowOrigin(HttpExchange exchange) throws IOException {
        String origin = exchange.getRequestHeaders().getFirst("Origin");
        boolean allowed = origin != null && settings.allowedOrigins().contains(origin);
        exchange.getResponseHeaders().add("Vary", "Origin");
        if (allowed) {
            exchange.getResponseHeaders().add("Access-Control-Allow-Origin", origin);
            exchange.getResponseHeaders().add("Access-Control-Expose-Headers", "WWW-Authenticate");
        }
        if (!"OPTIONS".equals(exchange.getRequestMethod())) {
            return true;
        }
        if (allowed) {
            exchange.getResponseHeaders().add("Access-Control-Allow-Methods", "GET");
            exchange.getResponseHeaders().add("Access-Control-Allow-Headers", "Authorization");
            exchange.getResponseHeaders().add("Access-Control-Max-Age", "600");
        }
        exchange.sendResponseHeaders(allowed ? 204 : 403, -1);
        exchange.close();
        return false;
    }

    /** Which check failed, in words a developer can act on; never the token itself. */
    private static String describe(BadJWTException e) {
        String message = String.valueOf(e.getMessage());
        if (message.contains("Expired")) {
            return "The token expired";
        }
        if (message.contains("before use time")) {
            return "The token is not valid yet";
        }
        if (message.contains("audience")) {
            return "The token is not meant for this API (aud)";
        }
        if (message.contains("iss")) {
            return "The token comes from another issuer";
        }
        if (message.contains("typ")) {
            return "The token is not an access token";
        }
        return "The token's claims are not accepted";
    }

    private static String json(String value) {
        return value == null ? "null" : "\"" + value.replace("\\", "\\\\").replace("\"", "\\\"") + "\"";
    }

    private static void send(HttpExchange exchange, int status, String body, String challenge) throws IOException {
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        exchange.getResponseHeaders().add("Content-Type", "application/json");
        exchange.getResponseHeaders().add("Cache-Control", "no-store");
        if (challenge != null) {
            exchange.getResponseHeaders().add("WWW-Authenticate", challenge);
        }
        exchange.sendResponseHeaders(status, bytes.length);
        try (OutputStream out = exchange.getResponseBody()) {
            out.write(bytes);
        }
    }

    @Override
    public void close() {
        server.stop(0);
        executor.shutdownNow();
    }

    /**
     * {@code java … ResourceServer [issuer] [port] [origins]}; defaults: the quickstart's realm, port 8081, and the
     * demo app's origin {@code http://localhost:5173} (a comma-separated list).
     */
    public static void main(String[] args) throws IOException {
        String issuer = args.length > 0 ? args[0] : "http://localhost:8080/realms/warden";
        int port = args.length > 1 ? Integer.parseInt(args[1]) : 8081;
        Set<String> origins = Set.of((args.length > 2 ? args[2] : "http://localhost:5173").split(","));
        ResourceServer server =
                new ResourceServer(Settings.forRealm(issuer, "demo-api", port).withAllowedOrigins(origins)).start();
        System.out.println("demo-api resource server on http://127.0.0.1:" + server.port() + "/api/hello, trusting "
                + issuer + " (audience demo-api). Ctrl-C stops it.");
    }
}
