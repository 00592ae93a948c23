package dev.kcwarden.metrics;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.kcwarden.guard.LimitKind;
import dev.kcwarden.password.BreachCheck;
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
 * The dashboard and the alert rules may only query what warden publishes: metric names and label values are read from
 * the main sources (WardenMetrics and its callers), not copied by hand, so a renamed metric or label value breaks this
 * test instead of silently emptying a panel or muting an alert.
 */
@DisplayName("monitoring/: the dashboard and the alert rules use only metrics and label values warden publishes")
class MonitoringFilesTest {

    private static final Path MAIN = Path.of("src", "main", "java", "dev", "kcwarden");
    /** A metric name in a PromQL expression (only expressions are searched, never annotation text). */
    private static final Pattern QUERIED = Pattern.compile("\\b(warden_[a-z_]+)\\b");

    private static final Pattern MATCHER =
            Pattern.compile("\\b([a-z_]+)\\s*(=~|!=|!~|=)\\s*\\\\?\"([^\"\\\\]*)\\\\?\"");

    /** Prometheus names of what WardenMetrics registers: counters get _total, the gauge does not. */
    static Set<String> published() throws IOException {
        String source = Files.readString(MAIN.resolve("metrics").resolve("WardenMetrics.java"));
        Set<String> names = new HashSet<>();
        Matcher counter = Pattern.compile("count(?:InRealm)?\\(\\s*\"(warden\\.[a-z.]+)\"")
                .matcher(source);
        while (counter.find()) {
            names.add(counter.group(1).replace('.', '_') + "_total");
        }
        Matcher gauge =
                Pattern.compile("Gauge\\.builder\\(\\s*\"(warden\\.[a-z.]+)\"").matcher(source);
        while (gauge.find()) {
            names.add(gauge.group(1).replace('.', '_'));
        }
        return names;
    }

    /**
     * Prometheus names of the counters WardenMetrics labels with the realm (countInRealm); the rest are server-wide.
     */
    static Set<String> realmScoped() throws IOException {
        String source = Files.readString(MAIN.resolve("metrics").resolve("WardenMetrics.java"));
        Set<String> names = new HashSet<>();
        Matcher counter =
                Pattern.compile("countInRealm\\(\\s*\"(warden\\.[a-z.]+)\"").matcher(source);
        while (counter.find()) {
            names.add(counter.group(1).replace('.', '_') + "_total");
        }
        return names;
    }

    /** The values each label can take, from the code that sets them. */
    static Map<String, Set<String>> labelValues() throws IOException {
        Map<String, Set<String>> values = new HashMap<>();
        values.put("limit", Arrays.stream(LimitKind.values()).map(LimitKind::id).collect(Collectors.toSet()));
        Set<String> outcomes =
                Arrays.stream(BreachCheck.values()).map(BreachCheck::id).collect(Collectors.toCollection(HashSet::new));
        outcomes.addAll(Set.of("success", "error"));
        values.put("outcome", outcomes);
        values.put(
                "type",
                Arrays.stream(org.keycloak.events.EventType.values())
                        .map(Enum::name)
                        .collect(Collectors.toSet()));
        values.put(
                "result",
                literals(
                        MAIN.resolve("audit").resolve("WebhookSender.java"),
                        "WardenMetrics\\.webhook\\(\"([a-z_]+)\""));
        values.put(
                "queue", literals(MAIN.resolve("audit").resolve("WebhookSender.java"), "[A-Z]+\\(\"([a-z]+)\"\\)[,;]"));
        Set<String> rules = new HashSet<>(literals(
                MAIN.resolve("signup").resolve("EmailDomainValidator.java"), "reject\\([^;]*\"([a-z_]+)\"\\);"));
        rules.addAll(
                literals(MAIN.resolve("signup").resolve("RegistrationGuard.java"), "refuse\\([^;]*?\"([a-z_]+)\","));
        rules.addAll(literals(
                MAIN.resolve("signup").resolve("RegistrationGuard.java"), "signupRejected\\([^;]*?\"([a-z_]+)\"\\)"));
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
    @DisplayName("what the code publishes is read from it: the nine counters and the queue gauge")
    void publishedIsReadFromTheCode() throws IOException {
        assertThat(published())
                .contains("warden_auth_events_total", "warden_throttle_rejections_total", "warden_webhook_queue_depth")
                .hasSize(10);
        assertThat(labelValues().get("rule")).contains("honeypot", "throttled", "email_domain_disposable");
        assertThat(labelValues().get("result")).contains("delivered", "dropped_queue_full", "dropped_after_retries");
        assertThat(realmScoped())
                .as("what happens in one realm carries its name")
                .containsExactlyInAnyOrder(
                        "warden_auth_events_total",
                        "warden_throttle_rejections_total",
                        "warden_signup_rejections_total",
                        "warden_would_throttle_total",
                        "warden_signup_would_reject_total",
                        "warden_breach_checks_total",
                        "warden_refresh_reuse_incidents_total");
        assertThat(published())
                .as("server-wide: one audit chain and one webhook queue for every realm")
                .containsAll(realmScoped())
                .contains("warden_audit_lines_total", "warden_webhook_deliveries_total", "warden_webhook_queue_depth");
        assertThat(labelValues().get("queue")).containsExactlyInAnyOrder("main", "throttle");
    }

    @Test
    @DisplayName("the dashboard parses, queries every published metric and only those, with label values the code sets")
    void dashboardQueriesPublishedMetrics() throws IOException {
        JsonNode dashboard = new ObjectMapper()
                .readTree(Path.of("monitoring", "grafana", "warden-dashboard.json")
                        .toFile());
        assertThat(dashboard.path("panels").size()).isGreaterThanOrEqualTo(6);
        StringBuilder expressions = new StringBuilder();
        dashboard
                .path("panels")
                .forEach(p -> p.path("targets")
                        .forEach(
                                t -> expressions.append(t.path("expr").asText()).append('\n')));
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

    @Test
    @DisplayName(
            "every alert rule on a realm-scoped metric keeps the realm in each aggregation and names it in its texts")
    void alertRulesFirePerRealm() throws IOException {
        Set<String> scoped = realmScoped();
        List<Rule> rules = rules(Files.readAllLines(Path.of("monitoring", "prometheus", "warden-alerts.yml")));
        assertThat(rules).hasSizeGreaterThanOrEqualTo(6);
        int perRealm = 0;
        for (Rule rule : rules) {
            Set<String> used = queried(rule.expr());
            assertThat(rule.expr())
                    .as("%s: an alert for every realm, not one", rule.name())
                    .doesNotContain("realm=", "realm!");
            if (used.stream().anyMatch(scoped::contains)) {
                perRealm++;
                assertThat(scoped)
                        .as("%s mixes realm-scoped and server-wide metrics", rule.name())
                        .containsAll(used);
                List<Aggregation> aggregations = aggregations(rule.expr());
                assertThat(aggregations).as("%s aggregates", rule.name()).isNotEmpty();
                for (Aggregation a : aggregations) {
                    assertThat(a.keepsRealm())
                            .as("%s: %s keeps realm (by (realm, ...))", rule.name(), a.text())
                            .isTrue();
                }
                assertThat(rule.summary()).as("%s summary", rule.name()).contains("{{ $labels.realm }}");
                assertThat(rule.description()).as("%s description", rule.name()).contains("{{ $labels.realm }}");
            } else {
                assertThat(rule.expr() + rule.summary() + rule.description())
                        .as("%s is server-wide", rule.name())
                        .doesNotContain("realm");
            }
        }
        assertThat(perRealm).as("rules on realm-scoped metrics").isGreaterThanOrEqualTo(5);
    }

    @Test
    @DisplayName("the dashboard has a realm selector (multi, All) and filters every realm-scoped query by it, and "
            + "only those")
    void dashboardFiltersByRealm() throws IOException {
        JsonNode dashboard = new ObjectMapper()
                .readTree(Path.of("monitoring", "grafana", "warden-dashboard.json")
                        .toFile());
        JsonNode variable = null;
        for (JsonNode v : dashboard.path("templating").path("list")) {
            if (v.path("name").asText().equals(WardenMetrics.REALM)) {
                variable = v;
            }
        }
        assertThat(variable).as("a templating variable named realm").isNotNull();
        assertThat(variable.path("type").asText()).isEqualTo("query");
        assertThat(variable.path("multi").asBoolean()).as("multi-select").isTrue();
        assertThat(variable.path("includeAll").asBoolean()).as("with All").isTrue();
        assertThat(variable.path("datasource").path("uid").asText()).isEqualTo("${datasource}");
        String query = variable.path("query").isTextual()
                ? variable.path("query").asText()
                : variable.path("query").path("query").asText();
        assertThat(query)
                .as("realm values come from warden's own series")
                .matches("label_values\\(.*warden_.*,\\s*realm\\)");

        Set<String> scoped = realmScoped();
        int filtered = 0;
        for (JsonNode panel : dashboard.path("panels")) {
            for (JsonNode target : panel.path("targets")) {
                String expr = target.path("expr").asText();
                for (Selector selector : selectors(expr)) {
                    if (scoped.contains(selector.metric())) {
                        assertThat(selector.matchers())
                                .as("panel '%s': %s", panel.path("title").asText(), expr)
                                .contains("realm=~\"$realm\"");
                        filtered++;
                    } else {
                        assertThat(selector.matchers())
                                .as(
                                        "panel '%s' (server-wide): %s",
                                        panel.path("title").asText(), expr)
                                .doesNotContain("realm");
                    }
                }
            }
        }
        assertThat(filtered).as("realm-scoped selectors in the dashboard").isPositive();
    }

    /** One alert rule: its name, expr and the two annotations. */
    record Rule(String name, String expr, String summary, String description) {}

    /** The alert rules of a rules file, each from its {@code - alert:} line to the next. */
    static List<Rule> rules(List<String> lines) {
        List<Rule> rules = new java.util.ArrayList<>();
        Pattern alert = Pattern.compile("^\\s*- alert:\\s*(\\S+)\\s*$");
        for (int i = 0; i < lines.size(); i++) {
            Matcher start = alert.matcher(lines.get(i));
            if (!start.matches()) {
                continue;
            }
            int end = i + 1;
            while (end < lines.size() && !alert.matcher(lines.get(end)).matches()) {
                end++;
            }
            List<String> block = lines.subList(i, end);
            rules.add(new Rule(
                    start.group(1),
                    expressions(block),
                    annotation(block, "summary"),
                    annotation(block, "description")));
        }
        return rules;
    }

    private static String annotation(List<String> block, String key) {
        Pattern line = Pattern.compile("^\\s*" + key + ":\\s*(.*)$");
        return block.stream()
                .map(line::matcher)
                .filter(Matcher::matches)
                .map(m -> m.group(1))
                .findFirst()
                .orElse("");
    }

    /** An aggregation ({@code sum by (realm) (...)}, or {@code sum(...) by (realm)}) and the labels it keeps. */
    record Aggregation(String text, String modifier, Set<String> labels) {
        boolean keepsRealm() {
            return modifier.equals("by")
                    ? labels.contains(WardenMetrics.REALM)
                    : modifier.equals("without") && !labels.contains(WardenMetrics.REALM);
        }
    }

    private static final Pattern AGGREGATION = Pattern.compile(
            "\\b(sum|min|max|avg|group|stddev|stdvar|count|count_values|bottomk|topk|quantile)\\s*(?:(by|"
                    + "without)\\s*\\(([^)]*)\\)\\s*)?\\(");
    private static final Pattern TRAILING_MODIFIER = Pattern.compile("^\\s*(by|without)\\s*\\(([^)]*)\\)");

    /** Every aggregation in a PromQL expression, with its grouping in front of or behind its argument. */
    static List<Aggregation> aggregations(String expr) {
        List<Aggregation> found = new java.util.ArrayList<>();
        Matcher m = AGGREGATION.matcher(expr);
        while (m.find()) {
            int close = closingParen(expr, m.end() - 1);
            String modifier = m.group(2) == null ? "" : m.group(2);
            String labels = m.group(3) == null ? "" : m.group(3);
            Matcher trailing = TRAILING_MODIFIER.matcher(expr.substring(close + 1));
            if (modifier.isEmpty() && trailing.find()) {
                modifier = trailing.group(1);
                labels = trailing.group(2);
            }
            Set<String> names = Arrays.stream(labels.split(","))
                    .map(String::strip)
                    .filter(l -> !l.isEmpty())
                    .collect(Collectors.toSet());
            found.add(new Aggregation(expr.substring(m.start(), close + 1), modifier, names));
        }
        return found;
    }

    private static int closingParen(String text, int open) {
        int depth = 0;
        for (int i = open; i < text.length(); i++) {
            if (text.charAt(i) == '(') {
                depth++;
            } else if (text.charAt(i) == ')' && --depth == 0) {
                return i;
            }
        }
        throw new AssertionError("unbalanced parentheses in " + text);
    }

    /** A metric in a PromQL expression and the text of its label matchers ({@code ""} when it has none). */
    record Selector(String metric, String matchers) {}

    static List<Selector> selectors(String expr) {
        List<Selector> found = new java.util.ArrayList<>();
        Matcher m = Pattern.compile("\\b(warden_[a-z_]+)\\b(\\{[^}]*\\})?").matcher(expr);
        while (m.find()) {
            found.add(new Selector(m.group(1), m.group(2) == null ? "" : m.group(2)));
        }
        return found;
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
            while (i + 1 < lines.size()
                    && (lines.get(i + 1).isBlank()
                            || lines.get(i + 1).length()
                                            - lines.get(i + 1).stripLeading().length()
                                    > indent)) {
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
            if (label.equals("severity") || label.equals("job") || label.equals(WardenMetrics.REALM)) {
                continue; // realm: checked by the tests below (a dashboard filters by its variable, a rule by nothing)
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
