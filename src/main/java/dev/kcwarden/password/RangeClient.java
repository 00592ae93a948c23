package dev.kcwarden.password;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.HexFormat;
import java.util.OptionalInt;

/**
 * A k-anonymity range query, as the Pwned Passwords API answers it: only the first 5 hex characters
 * of the password's SHA-1 leave the server; the answer lists every known suffix with that prefix
 * ("SUFFIX:COUNT" lines, padded with zero-count decoys), and the match happens here.
 */
final class RangeClient {

    private static final HttpClient HTTP = HttpClient.newBuilder()
            .connectTimeout(Duration.ofSeconds(2))
            .followRedirects(HttpClient.Redirect.NEVER)
            .build();
    private static final int MAX_BODY = 2 * 1024 * 1024;

    private RangeClient() {
    }

    /** SHA-1 of the password as upper-case hex. */
    static String sha1Hex(String password) {
        try {
            byte[] digest = MessageDigest.getInstance("SHA-1").digest(password.getBytes(StandardCharsets.UTF_8));
            return HexFormat.of().withUpperCase().formatHex(digest);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every Java runtime has SHA-1", e);
        }
    }

    /**
     * How often the password appears in the range service's data (0 when not listed).
     *
     * @throws IOException when the service cannot answer within {@code timeout} or answers nonsense
     */
    static int breachCount(URI rangeUrl, String password, Duration timeout) throws IOException {
        String hash = sha1Hex(password);
        String prefix = hash.substring(0, 5);
        String suffix = hash.substring(5);
        HttpRequest request = HttpRequest.newBuilder(URI.create(rangeUrl.toString() + prefix))
                .timeout(timeout)
                .header("Add-Padding", "true")
                .header("User-Agent", "keycloak-warden")
                .GET()
                .build();
        HttpResponse<String> response;
        try {
            response = HTTP.sendAsync(request, HttpResponse.BodyHandlers.ofString())
                    .get(timeout.toMillis(), java.util.concurrent.TimeUnit.MILLISECONDS);
        } catch (java.util.concurrent.TimeoutException e) {
            throw new IOException("no answer within " + timeout.toMillis() + " ms");
        } catch (java.util.concurrent.ExecutionException e) {
            throw new IOException(e.getCause() == null ? "request failed" : e.getCause().getClass().getSimpleName());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted");
        }
        if (response.statusCode() != 200) {
            throw new IOException("HTTP " + response.statusCode());
        }
        String body = response.body();
        if (body.length() > MAX_BODY) {
            throw new IOException("answer larger than " + MAX_BODY + " characters");
        }
        return find(body, suffix).orElse(0);
    }

    static OptionalInt find(String body, String suffix) {
        for (String line : body.split("\r?\n")) {
            int colon = line.indexOf(':');
            if (colon == suffix.length() && line.regionMatches(true, 0, suffix, 0, suffix.length())) {
                try {
                    return OptionalInt.of(Integer.parseInt(line.substring(colon + 1).strip()));
                } catch (NumberFormatException e) {
                    return OptionalInt.empty();
                }
            }
        }
        return OptionalInt.empty();
    }
}
