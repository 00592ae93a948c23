package dev.kcwarden.testing;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The test server's Prometheus samples ({@link WardenServerConfig#METRICS_URL}), keyed by name and labels as printed.
 */
public final class Metrics {

    private Metrics() {}

    public static Map<String, Double> scrape() {
        Http.Reply reply = Http.get(WardenServerConfig.METRICS_URL, Map.of());
        assertThat(reply.status()).isEqualTo(200);
        Map<String, Double> samples = new LinkedHashMap<>();
        reply.body().lines().filter(l -> !l.startsWith("#") && !l.isBlank()).forEach(l -> {
            int space = l.lastIndexOf(' ');
            try {
                samples.put(l.substring(0, space), Double.parseDouble(l.substring(space + 1)));
            } catch (NumberFormatException ignored) {
                // not a plain sample
            }
        });
        return samples;
    }

    /**
     * The sum of every sample of {@code name} whose labels contain {@code labelText} (for example
     * {@code outcome="passed"}).
     */
    public static double sum(Map<String, Double> samples, String name, String labelText) {
        return samples.entrySet().stream()
                .filter(e -> e.getKey().startsWith(name + "{") && e.getKey().contains(labelText))
                .mapToDouble(Map.Entry::getValue)
                .sum();
    }
}
