package dev.kcwarden;

import java.io.IOException;
import java.io.InputStream;
import java.time.Duration;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.apache.http.HttpEntity;
import org.apache.http.client.config.RequestConfig;
import org.apache.http.client.methods.CloseableHttpResponse;
import org.apache.http.client.methods.HttpRequestBase;
import org.apache.http.impl.client.CloseableHttpClient;

/**
 * warden's outbound HTTP calls (the breached-password range query, the audit webhook) go through the client of
 * Keycloak's {@code HttpClientProvider}, so they honour its outgoing proxy settings
 * ({@code --spi-connections-http-client--default--proxy-mappings}, or {@code HTTPS_PROXY}/{@code NO_PROXY}) and its
 * truststore. Apache HttpClient 4 has only per-phase timeouts (connect, pool, socket inactivity), and a server that
 * trickles one byte a second never trips the socket timeout: each call here also gets a hard deadline that aborts the
 * request, so no caller ever waits longer than its timeout.
 */
public final class Outbound {

    /** Reads the answer; the body stream is closed afterwards. */
    @FunctionalInterface
    public interface Answer<T> {
        T read(int status, InputStream body) throws IOException;
    }

    private static final ScheduledThreadPoolExecutor DEADLINES = deadlines();

    private Outbound() {}

    /**
     * Sends {@code request} with {@code timeout} for each phase and for the whole exchange; never follows a redirect.
     * Never closes {@code http} (Keycloak owns it).
     *
     * @throws IOException on any failure, with a message that names no URL, header or body
     */
    public static <T> T send(CloseableHttpClient http, HttpRequestBase request, Duration timeout, Answer<T> answer)
            throws IOException {
        int millis = (int) Math.min(Integer.MAX_VALUE, timeout.toMillis());
        request.setConfig(RequestConfig.custom()
                .setConnectTimeout(millis)
                .setConnectionRequestTimeout(millis)
                .setSocketTimeout(millis)
                .setRedirectsEnabled(false)
                .build());
        AtomicBoolean expired = new AtomicBoolean();
        ScheduledFuture<?> deadline = DEADLINES.schedule(
                () -> {
                    expired.set(true);
                    request.abort();
                },
                millis,
                TimeUnit.MILLISECONDS);
        try (CloseableHttpResponse response = http.execute(request)) {
            HttpEntity entity = response.getEntity();
            try (InputStream body = entity == null ? InputStream.nullInputStream() : entity.getContent()) {
                return answer.read(response.getStatusLine().getStatusCode(), body);
            }
        } catch (IOException | RuntimeException e) {
            if (expired.get()) {
                throw new IOException("no answer within " + millis + " ms");
            }
            throw e instanceof IOException io
                    ? io
                    : new IOException(e.getClass().getSimpleName());
        } finally {
            deadline.cancel(false);
        }
    }

    private static ScheduledThreadPoolExecutor deadlines() {
        ScheduledThreadPoolExecutor executor = new ScheduledThreadPoolExecutor(1, task -> {
            Thread thread = new Thread(task, "warden-http-deadline");
            thread.setDaemon(true);
            return thread;
        });
        executor.setRemoveOnCancelPolicy(true);
        return executor;
    }
}
