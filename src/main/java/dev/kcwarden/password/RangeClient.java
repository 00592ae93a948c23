package dev.kcwarden.password;

import dev.kcwarden.Outbound;
import java.io.IOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.HexFormat;
import java.util.OptionalInt;
import org.apache.http.client.methods.HttpGet;
import org.apache.http.impl.client.CloseableHttpClient;

/**
 * A k-anonymity range query, as the Pwned Passwords API answers it: only the first 5 hex characters of the password's
 * SHA-1 leave the server; the answer lists every known suffix with that prefix ("SUFFIX:COUNT" lines, padded with
 * zero-count decoys), and the match happens here. The query goes through Keycloak's HTTP client (its proxy and
 * truststore settings), with a hard deadline ({@link Outbound}).
 */
final class RangeClient {

    private static final int MAX_BODY = 2 * 1024 * 1024;

    private RangeClient() {}

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
     * @param http Keycloak's client ({@code HttpClientProvider#getHttpClient()}), never closed here
     * @throws IOException when the service cannot answer within {@code timeout} or answers nonsense
     */
    static int breachCount(CloseableHttpClient http, URI rangeUrl, String password, Duration timeout)
            throws IOException {
        String hash = sha1Hex(password);
        String prefix = hash.substring(0, 5);
        String suffix = hash.substring(5);
        HttpGet request = new HttpGet(URI.create(rangeUrl.toString() + prefix));
        request.setHeader("Add-Padding", "true");
        request.setHeader("User-Agent", "keycloak-warden");
        String body = Outbound.send(http, request, timeout, (status, in) -> {
            if (status != 200) {
                throw new IOException("HTTP " + status);
            }
            byte[] bytes = in.readNBytes(MAX_BODY + 1);
            if (bytes.length > MAX_BODY) {
                throw new IOException("answer larger than " + MAX_BODY + " bytes");
            }
            return new String(bytes, StandardCharsets.UTF_8);
        });
        return find(body, suffix).orElse(0);
    }

    static OptionalInt find(String body, String suffix) {
        for (String line : body.split("\r?\n")) {
            int colon = line.indexOf(':');
            if (colon == suffix.length() && line.regionMatches(true, 0, suffix, 0, suffix.length())) {
                try {
                    return OptionalInt.of(
                            Integer.parseInt(line.substring(colon + 1).strip()));
                } catch (NumberFormatException e) {
                    return OptionalInt.empty();
                }
            }
        }
        return OptionalInt.empty();
    }
}
