package dev.kcwarden.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.stream.Stream;

/** Reads what a test server wrote to its log file after a given byte offset, waiting for the line a test expects. */
public final class AuditLines {

    private AuditLines() {}

    /** The log's lines from byte {@code from} on, once they contain {@code marker} (fails after 10 s). */
    public static List<String> awaitAll(Path log, long from, String marker) throws IOException, InterruptedException {
        String text = Await.until(
                "a log line with " + marker, Duration.ofSeconds(10), () -> after(log, from), t -> t.contains(marker));
        return text.lines().toList();
    }

    private static String after(Path log, long from) {
        try {
            byte[] all = Files.readAllBytes(log);
            int start = (int) Math.min(from, all.length);
            return new String(all, start, all.length - start, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The first warden.audit line after byte {@code from} that contains {@code marker}. */
    public static String await(Path log, long from, String marker) throws IOException, InterruptedException {
        return awaitAll(log, from, marker).stream()
                .filter(l -> l.contains("[warden.audit]") && l.contains(marker))
                .findFirst()
                .orElseThrow(() -> new AssertionError("the line with " + marker + " is not a warden.audit line"));
    }

    /**
     * The warden.audit lines after byte {@code from} that contain every one of {@code parts}, once there are at least
     * {@code count} of them (fails after 10 s).
     */
    public static List<String> awaitCount(Path log, long from, int count, String... parts) {
        return Await.until(
                count + " audit lines with " + String.join(", ", parts),
                Duration.ofSeconds(10),
                () -> after(log, from)
                        .lines()
                        .filter(l ->
                                l.contains("[warden.audit]") && Stream.of(parts).allMatch(l::contains))
                        .toList(),
                lines -> lines.size() >= count);
    }
}
