package dev.kcwarden.metrics;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@DisplayName("monitoring/: the dashboard and the alert rules use only metrics warden publishes")
class MonitoringFilesTest {

    /** The Prometheus names of WardenMetrics' counters. */
    static final Set<String> PUBLISHED = Set.of("warden_auth_events_total", "warden_throttle_rejections_total",
            "warden_signup_rejections_total", "warden_breach_checks_total", "warden_refresh_reuse_incidents_total",
            "warden_audit_lines_total", "warden_webhook_deliveries_total");

    private static final Pattern METRIC = Pattern.compile("\\bwarden_[a-z_]+_total\\b");

    @Test
    void dashboardParsesAndQueriesPublishedMetrics() throws IOException {
        JsonNode dashboard = new ObjectMapper().readTree(Path.of("monitoring", "grafana", "warden-dashboard.json").toFile());
        assertThat(dashboard.path("panels").size()).isGreaterThanOrEqualTo(6);
        Set<String> used = new HashSet<>();
        dashboard.path("panels").forEach(p -> p.path("targets").forEach(t -> used.addAll(metrics(t.path("expr").asText()))));
        assertThat(PUBLISHED).containsAll(used);
        assertThat(used).containsAll(PUBLISHED);
    }

    @Test
    void alertRulesQueryPublishedMetrics() throws IOException {
        Set<String> used = metrics(Files.readString(Path.of("monitoring", "prometheus", "warden-alerts.yml")));
        assertThat(used).isNotEmpty();
        assertThat(PUBLISHED).containsAll(used);
    }

    private static Set<String> metrics(String text) {
        Set<String> names = new HashSet<>();
        Matcher m = METRIC.matcher(text);
        while (m.find()) {
            names.add(m.group());
        }
        return names;
    }
}
