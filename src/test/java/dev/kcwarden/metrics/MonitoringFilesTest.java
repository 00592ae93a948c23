package dev.kcwarden.metrics;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.kcwarden.password.BreachCheck;
import dev.kcwarden.ratelimit.LimitKind;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * The dashboard and the alert rules may only query what warden publishes: metric names and label values
 * are read from the main sources (WardenMetrics and its callers), not copied by hand, so a renamed metric
 * or label value breaks this test instead of silently emptying a panel or muting an alert.
 */
@DisplayName("monitoring/: the dashboard and the alert rules use only metrics and label values warden publishes")
class MonitoringFilesTest {

    private static final Path MAIN = Path.of("src", "main", "java", "dev", "kcwarden");
    /** A metric name in a PromQL expression (only expressions are searched, never annotation text). */
    private static final Pattern QUERIED = Pattern.compile("\\b(warden_[a-z_]+)\\b");
    private static final Pattern MATCHER = Pattern.compile("\\b([a-z_]+)\\s*(=~|!=|!~|=)\\s*\\\\?\"([^\"\\\\]*)\\\\?\"");

    /** Prometheus names of what WardenMetrics registers: counters get _total, the gauge does not. */
    static Set<String> published() throws IOException {
        String source = Files.readString(MAIN.resolve("metrics").resolve("WardenMetrics.java"));
        Set<String> names = new HashSet<>();
        Matcher counter = Pattern.compile("count\\(\"(warden\\.[a-z.]+)\"").matcher(source);
        while (counter.find()) {
            names.add(counter.group(1).replace('.', '_') + "_total");
        }
        Matcher gauge = Pattern.compile("Gauge\\.builder\\(\"(warden\\.[a-z.]+)\"").matcher(source);
        while (gauge.find()) {
            names.add(gauge.group(1).replace('.', '_'));
        }
        return names;
    }

    /** The values each label can take, from the code that sets them. */
    static Map<String, Set<String>> labelValues() throws IOException {
        Map<String, Set<String>> values = new HashMap<>();
        values.put("limit", Arrays.stream(LimitKind.values()).map(LimitKind::id).collect(Collectors.toSet()));
        Set<String> outcomes = Arrays.stream(BreachCheck.values()).map(BreachCheck::id).collect(Collectors.toCollection(HashSet::new));
        outcomes.addAll(Set.of("success", "error"));
        values.put("outcome", outcomes);
        values.put("type", Arrays.stream(org.keycloak.events.EventType.values()).map(Enum::name).collect(Collectors.toSet()));
        values.put("result", literals(MAIN.resolve("audit").resolve("WebhookSender.java"), "WardenMetrics\\.webhook\\(\"([a-z_]+)\""));
        values.put("queue", literals(MAIN.resolve("audit").resolve("WebhookSender.java"), "[A-Z]+\\(\"([a-z]+)\"\\)[,;]"));
        Set<String> rules = new HashSet<>(literals(MAIN.resolve("signup").resolve("EmailDomainValidator.java"),
                "reject\\([^;]*\"([a-z_]+)\"\\);"));
        rules.addAll(literals(MAIN.resolve("signup").resolve("RegistrationGuard.java"), "refuse\\([^;]*?\"([a-z_]+)\","));
        rules.addAll(literals(MAIN.resolve("signup").resolve("RegistrationGuard.java"), "signupRejected\\(\"([a-z_]+)\"\\)"));
        values.put("rule", rules);
        return values;
    }

    private static Set<String> literals(Path file, String regex) throws IOException {
        Set<String> found = new HashSet<>();
        Matcher m = Pattern.compile(regex).matcher(Files.readString(file).replaceAll("\\s+", " "));
        while (m.find()) {
            found.add(m.group(1));
        }
        assertThat(found).as("%s in %s", regex, file).isNotEmpty();
        return found;
    }

    @Test
    @DisplayName("what the code publishes is read from it: the seven counters and the queue gauge")
    void publishedIsReadFromTheCode() throws IOException {
        assertThat(published()).contains("warden_auth_events_total", "warden_throttle_rejections_total",
                "warden_webhook_queue_depth").hasSize(8);
        assertThat(labelValues().get("rule")).contains("honeypot", "throttled", "email_domain_disposable");
        assertThat(labelValues().get("result")).contains("delivered", "dropped_queue_full", "dropped_after_retries");
        assertThat(labelValues().get("queue")).containsExactlyInAnyOrder("main", "throttle");
    }

    @Test
    @DisplayName("the dashboard parses, queries every published metric and only those, with label values the code sets")
    void dashboardQueriesPublishedMetrics() throws IOException {
        JsonNode dashboard = new ObjectMapper().readTree(Path.of("monitoring", "grafana", "warden-dashboard.json").toFile());
        assertThat(dashboard.path("panels").size()).isGreaterThanOrEqualTo(6);
        StringBuilder expressions = new StringBuilder();
        dashboard.path("panels").forEach(p -> p.path("targets").forEach(t -> expressions.append(t.path("expr").asText()).append('\n')));
        Set<String> used = queried(expressions.toString());
        assertThat(published()).containsAll(used);
        assertThat(used).as("a panel for every published metric").containsAll(published());
        assertLabelValuesExist(expressions.toString());
    }

    @Test
    @DisplayName("the alert rules query only published metrics, with label values the code sets")
    void alertRulesQueryPublishedMetrics() throws IOException {
        String rules = expressions(Files.readAllLines(Path.of("monitoring", "prometheus", "warden-alerts.yml")));
        Set<String> used = queried(rules);
        assertThat(used).isNotEmpty();
        assertThat(published()).containsAll(used);
        assertLabelValuesExist(rules);
    }

    /** The rules' expr: values, one-line or block (| and the lines indented below it). */
    static String expressions(List<String> lines) {
        StringBuilder out = new StringBuilder();
        for (int i = 0; i < lines.size(); i++) {
            Matcher expr = Pattern.compile("^(\\s*)expr:\\s*(.*)$").matcher(lines.get(i));
            if (!expr.matches()) {
                continue;
            }
            if (!expr.group(2).equals("|")) {
                out.append(expr.group(2)).append('\n');
                continue;
            }
            int indent = expr.group(1).length();
            while (i + 1 < lines.size() && (lines.get(i + 1).isBlank()
                    || lines.get(i + 1).length() - lines.get(i + 1).stripLeading().length() > indent)) {
                out.append(lines.get(++i).strip()).append('\n');
            }
        }
        return out.toString();
    }

    private static Set<String> queried(String text) {
        Set<String> names = new HashSet<>();
        Matcher m = QUERIED.matcher(text);
        while (m.find()) {
            names.add(m.group(1));
        }
        return names;
    }

    private static void assertLabelValuesExist(String text) throws IOException {
        Map<String, Set<String>> known = labelValues();
        Matcher m = MATCHER.matcher(text);
        int checked = 0;
        while (m.find()) {
            String label = m.group(1);
            if (label.equals("severity") || label.equals("job")) {
                continue;
            }
            assertThat(known).as("label %s is one warden sets", label).containsKey(label);
            for (String value : m.group(3).split("\\|")) {
                assertThat(known.get(label)).as("%s=\"%s\"", label, value).contains(value);
                checked++;
            }
        }
        assertThat(checked).as("label values checked").isPositive();
    }
}
