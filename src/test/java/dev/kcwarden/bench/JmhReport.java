package dev.kcwarden.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDate;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/**
 * Writes the JMH results of {@code ./mvnw -Pbench} (its {@code -rf json} file) into docs/benchmarks.md between
 * {@value #BEGIN} and {@value #END}: score, error and bytes allocated per operation for every benchmark, and the
 * limiter's two targets (at least 5 million throttled attempts a second, nothing allocated on the refused path) as met
 * or missed. Never asserts: a missed target is written as missed.
 */
public final class JmhReport {

    static final String BEGIN = "<!-- bench:jmh:begin -->";
    static final String END = "<!-- bench:jmh:end -->";
    private static final double TARGET_PER_SECOND = 5_000_000;

    private JmhReport() {}

    /** {@code <jmh result json> <docs/benchmarks.md>}. */
    public static void main(String[] args) throws IOException {
        JsonNode results = new ObjectMapper().readTree(Path.of(args[0]).toFile());
        String section = section(results, LocalDate.now() + " at commit " + TokenLifecycleBenchmark.gitHead());
        Path doc = Path.of(args[1]);
        String text = Files.readString(doc);
        int begin = text.indexOf(BEGIN);
        int end = text.indexOf(END);
        String block = BEGIN + "\n" + section + END;
        Files.writeString(
                doc,
                begin >= 0 && end > begin
                        ? text.substring(0, begin) + block + text.substring(end + END.length())
                        : text + "\n" + block + "\n");
        System.out.println(section);
    }

    static String section(JsonNode results, String date) {
        StringBuilder out = new StringBuilder();
        out.append(String.format(
                Locale.ROOT,
                "%n### Limiter core and audit line (JMH, %s)%n%n*%s %s, %d cores, Java %s; one fork, 3 warm-up and 5"
                        + " measured iterations of 2 s, `-prof gc`.*%n%n",
                date,
                System.getProperty("os.name"),
                System.getProperty("os.arch"),
                Runtime.getRuntime().availableProcessors(),
                System.getProperty("java.version")));
        out.append(
                "| benchmark | score | ± (99.9 %) | unit | bytes allocated per operation |\n|---|---|---|---|---|\n");
        Map<String, double[]> byName = new LinkedHashMap<>(); // name -> {score, bytes per op}
        for (JsonNode result : results) {
            String name = result.path("benchmark").asText();
            String shortName = name.substring(name.lastIndexOf('.', name.lastIndexOf('.') - 1) + 1);
            JsonNode primary = result.path("primaryMetric");
            double bytes = allocation(result.path("secondaryMetrics"));
            byName.put(shortName, new double[] {primary.path("score").asDouble(), bytes});
            out.append(String.format(
                    Locale.ROOT,
                    "| `%s` | %,.2f | %,.2f | %s | %s |%n",
                    shortName,
                    primary.path("score").asDouble(),
                    primary.path("scoreError").asDouble(),
                    primary.path("scoreUnit").asText(),
                    Double.isNaN(bytes) ? "" : String.format(Locale.ROOT, "%,.0f", bytes)));
        }
        double[] throttled = byName.get("LimiterBenchmark.throttledAttempt");
        double[] legacy = byName.get("LimiterBenchmark.legacyThrottledAttempt");
        double[] refused = byName.get("LimiterBenchmark.refusedAtBlockMarker");
        out.append("\n| target | measured | verdict |\n|---|---|---|\n");
        if (throttled != null) {
            out.append(String.format(
                    Locale.ROOT,
                    "| a throttled attempt, keys included: at least 5 million a second | %.2f million a second%s |"
                            + " %s |%n",
                    throttled[0] / 1e6,
                    legacy == null
                            ? ""
                            : String.format(
                                    Locale.ROOT,
                                    " (%.1f × the old key builder in the same run)",
                                    throttled[0] / legacy[0]),
                    throttled[0] >= TARGET_PER_SECOND ? "met" : "MISSED"));
        }
        if (refused != null && !Double.isNaN(refused[1])) {
            out.append(String.format(
                    Locale.ROOT,
                    "| the refused path at the block marker allocates nothing | %.0f bytes per decision | %s |%n",
                    refused[1],
                    refused[1] < 1 ? "met" : "MISSED"));
        }
        return out.toString();
    }

    /** {@code gc.alloc.rate.norm} (JMH names it with a leading dot in some versions), or NaN without -prof gc. */
    private static double allocation(JsonNode secondary) {
        for (Iterator<String> names = secondary.fieldNames(); names.hasNext(); ) {
            String name = names.next();
            if (name.endsWith("gc.alloc.rate.norm")) {
                return secondary.path(name).path("score").asDouble();
            }
        }
        return Double.NaN;
    }
}
