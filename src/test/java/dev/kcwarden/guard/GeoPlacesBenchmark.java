package dev.kcwarden.guard;

import java.io.BufferedWriter;
import java.io.IOException;
import java.io.OutputStreamWriter;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Random;
import java.util.zip.GZIPOutputStream;

/**
 * What a city-size GeoIP file costs: writes a generated DB-IP city CSV (.csv.gz) of a chosen row count, loads it with
 * {@link GeoPlaces#load} and prints the load time, the heap the loaded arrays keep and the lookup rate. Run with
 * {@code java -Xmx2g -cp target/classes:target/test-classes:$(cat cp.txt) dev.kcwarden.guard.GeoPlacesBenchmark
 * [ipv4-rows] [ipv6-rows] [distinct-places]}; the figures go to docs/benchmarks.md. No timing is asserted anywhere.
 */
public final class GeoPlacesBenchmark {

    private GeoPlacesBenchmark() {}

    public static void main(String[] args) throws IOException {
        int v4Rows = args.length > 0 ? Integer.parseInt(args[0]) : 3_000_000;
        int v6Rows = args.length > 1 ? Integer.parseInt(args[1]) : 1_500_000;
        int distinct = args.length > 2 ? Integer.parseInt(args[2]) : 150_000;
        Path file = Files.createTempFile("geo-bench", ".csv.gz");
        try {
            write(file, v4Rows, v6Rows, distinct);
            long before = usedAfterGc();
            long start = System.nanoTime();
            GeoPlaces places = GeoPlaces.load(file);
            long loadMillis = (System.nanoTime() - start) / 1_000_000;
            long after = usedAfterGc();
            Random random = new Random(7);
            int found = 0;
            int lookups = 2_000_000;
            long lookStart = System.nanoTime();
            for (int i = 0; i < lookups; i++) {
                int a = random.nextInt();
                String address =
                        ((a >>> 24) & 255) + "." + ((a >>> 16) & 255) + "." + ((a >>> 8) & 255) + "." + (a & 255);
                found += places.place(address).isEmpty() ? 0 : 1;
            }
            double lookupNanos = (System.nanoTime() - lookStart) / (double) lookups;
            System.out.printf(
                    Locale.ROOT,
                    "rows %,d (IPv4 %,d, IPv6 %,d), distinct places %,d, file %.1f MB gzip%n"
                            + "load %,d ms, heap kept %.1f MB (%.1f bytes per row), lookup %.0f ns (%d found)%n",
                    places.rows(),
                    v4Rows,
                    v6Rows,
                    places.distinctPlaces(),
                    Files.size(file) / 1e6,
                    loadMillis,
                    (after - before) / 1e6,
                    (after - before) / (double) places.rows(),
                    lookupNanos,
                    found);
        } finally {
            Files.deleteIfExists(file);
        }
    }

    private static void write(Path file, int v4Rows, int v6Rows, int distinct) throws IOException {
        try (Writer out = new BufferedWriter(
                new OutputStreamWriter(new GZIPOutputStream(Files.newOutputStream(file)), StandardCharsets.UTF_8),
                1 << 16)) {
            long step = (1L << 32) / v4Rows;
            for (int i = 0; i < v4Rows; i++) {
                long start = i * step;
                out.write(v4(start) + "," + v4(start + step - 1) + "," + row(i % distinct) + "\n");
            }
            for (int i = 0; i < v6Rows; i++) {
                String prefix = "2001:" + Integer.toHexString(i >>> 16) + ":" + Integer.toHexString(i & 0xFFFF);
                out.write(prefix + "::," + prefix + ":ffff:ffff:ffff:ffff:ffff," + row((i * 7) % distinct) + "\n");
            }
        }
    }

    /** A DB-IP city row's names, of realistic length: "EU,DE,Region 123,\"City 12345, Nord\",48.1,11.5". */
    private static String row(int place) {
        return "EU,C" + (char) ('A' + place % 26) + ",Stateprov Region " + (place % 3_000) + ",\"City of Place " + place
                + ", Nord\",48.1374,11.5755";
    }

    private static String v4(long address) {
        return (address >>> 24) + "." + ((address >>> 16) & 255) + "." + ((address >>> 8) & 255) + "."
                + (address & 255);
    }

    private static long usedAfterGc() {
        Runtime runtime = Runtime.getRuntime();
        for (int i = 0; i < 3; i++) {
            System.gc();
        }
        return runtime.totalMemory() - runtime.freeMemory();
    }
}
