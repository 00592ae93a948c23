package dev.kcwarden.docs;

import static org.assertj.core.api.Assertions.assertThat;

import dev.kcwarden.KeycloakAdvisories;
import dev.kcwarden.KeycloakAdvisories.Advisory;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@DisplayName("The support matrix in docs/installation.md and README tells what the advisories table says")
class SupportMatrixDocTest {

    private static final Path INSTALLATION = Path.of("docs", "installation.md");
    private static final Pattern CVE = Pattern.compile("CVE-\\d{4}-\\d{4,}");
    private static final Pattern RELEASE = Pattern.compile("\\b\\d+\\.\\d+\\.\\d+\\b");
    /** The first cell of a matrix row that names exact releases: "26.7.5" or "26.7.0, 26.7.1". */
    private static final Pattern EXACT_RELEASES = Pattern.compile("\\d+\\.\\d+\\.\\d+(, \\d+\\.\\d+\\.\\d+)*");

    @Test
    @DisplayName("each matrix row for exact releases lists exactly the CVEs those releases carry")
    void matrixRowsMatchTheTable() throws IOException {
        List<List<String>> rows = tableRows(section("### Support matrix"));
        int checked = 0;
        for (List<String> row : rows) {
            if (!EXACT_RELEASES.matcher(row.get(0)).matches()) {
                continue;
            }
            Set<String> documented = ids(row.get(row.size() - 1));
            for (String release : row.get(0).split(", ")) {
                Set<String> carried = KeycloakAdvisories.affecting(release).stream()
                        .map(Advisory::id)
                        .collect(Collectors.toCollection(TreeSet::new));
                assertThat(documented).as("CVEs documented for %s", release).isEqualTo(carried);
                String status = row.get(1);
                if (KeycloakAdvisories.hasCritical(release)) {
                    assertThat(status)
                            .as("status of %s, which has a critical CVE", release)
                            .containsAnyOf("do not run", "not supported")
                            .doesNotContain("recommended");
                } else {
                    assertThat(status)
                            .as("status of %s", release)
                            .containsAnyOf("supported", "recommended")
                            .doesNotContain("not supported")
                            .doesNotContain("do not run");
                }
                if (carried.isEmpty()) {
                    assertThat(row.get(row.size() - 1)).isEqualTo("none known");
                }
                checked++;
            }
        }
        assertThat(checked).as("releases checked in the matrix").isGreaterThanOrEqualTo(6);
    }

    @Test
    @DisplayName("the recommended release in the matrix is the one the build runs, and it carries nothing known")
    void recommendedIsKeycloakVersion() throws IOException {
        String running = System.getProperty("keycloak.version");
        List<String> recommended = tableRows(section("### Support matrix")).stream()
                .filter(row -> row.get(1).startsWith("**recommended**"))
                .map(row -> row.get(0))
                .toList();

        assertThat(recommended).containsExactly(running);
        assertThat(KeycloakAdvisories.affecting(running)).isEmpty();
    }

    @Test
    @DisplayName("every advisory has one row with its severity and exactly its fixing releases, and no row is stale")
    void cveTableMatchesTheTable() throws IOException {
        Map<String, List<String>> documented = new LinkedHashMap<>();
        for (List<String> row : tableRows(section("### Published vulnerabilities and the releases that fix them"))) {
            assertThat(documented.put(row.get(0), row))
                    .as("one row for %s", row.get(0))
                    .isNull();
        }

        assertThat(documented.keySet())
                .containsExactlyInAnyOrderElementsOf(
                        KeycloakAdvisories.all().stream().map(Advisory::id).toList());
        for (Advisory advisory : KeycloakAdvisories.all()) {
            List<String> row = documented.get(advisory.id());
            assertThat(row.get(1))
                    .as("severity of %s", advisory.id())
                    .isEqualTo(advisory.severity().name().toLowerCase(java.util.Locale.ROOT) + " (" + advisory.rating()
                            + ")");
            assertThat(row.get(3))
                    .as("applies when, for %s", advisory.id())
                    .startsWith(advisory.appliesWhen() == null ? "always" : advisory.appliesWhen());
            if (advisory.introducedIn() != null && !advisory.introducedIn().endsWith(".0.0")) {
                assertThat(row.get(3))
                        .as("%s names the release that introduced it", advisory.id())
                        .contains(advisory.introducedIn());
            }
            Set<String> fixes = new TreeSet<>();
            RELEASE.matcher(row.get(row.size() - 1)).results().forEach(m -> fixes.add(m.group()));
            assertThat(fixes).as("fixed in, for %s", advisory.id()).isEqualTo(new TreeSet<>(advisory.fixedIn()));
        }
    }

    @Test
    @DisplayName("README's matrix names the release the build runs and the oldest one the jar works on")
    void readmeMatrix() throws IOException {
        String readme = Files.readString(Path.of("README.md"));
        String running = System.getProperty("keycloak.version");

        // The oldest patch of the running line without a critical advisory: 26.7.2 for the 26.7 line.
        KeycloakAdvisories.Version line =
                KeycloakAdvisories.Version.parse(running).orElseThrow();
        String minimum = KeycloakAdvisories.all().stream()
                .filter(a -> a.severity() == KeycloakAdvisories.Severity.CRITICAL)
                .flatMap(a -> a.fixedIn().stream())
                .filter(f -> f.startsWith(line.major() + "." + line.minor() + "."))
                .max(java.util.Comparator.comparing(
                        f -> KeycloakAdvisories.Version.parse(f).orElseThrow()))
                .orElseThrow();

        assertThat(minimum).isEqualTo(System.getProperty("warden.minimum.keycloak.version"));
        assertThat(KeycloakAdvisories.hasCritical(minimum)).isFalse();
        assertThat(readme)
                .contains("| " + running + " | recommended")
                .contains("| " + System.getProperty("warden.compat.keycloak.version") + " | works, not supported")
                .contains(minimum + " or later")
                .contains("docs/installation.md#support-matrix");
    }

    @Test
    @DisplayName("every target/keycloak-<version> path in README and docs is one the build really unpacks")
    void pathsUseTheBuiltVersions() throws IOException {
        Set<String> unpacked = Set.of(
                System.getProperty("keycloak.version"),
                System.getProperty("warden.compat.keycloak.version"),
                System.getProperty("warden.minimum.keycloak.version"));
        Pattern path = Pattern.compile("target/(?:[a-z]+/)?keycloak-(\\d+\\.\\d+\\.\\d+)\\b");
        Pattern override = Pattern.compile("-Dkeycloak\\.version=(\\d+\\.\\d+\\.\\d+)");
        List<Path> files = new ArrayList<>(List.of(Path.of("README.md")));
        try (Stream<Path> docs = Files.list(Path.of("docs"))) {
            docs.filter(p -> p.toString().endsWith(".md")).forEach(files::add);
        }
        int found = 0;
        for (Path file : files) {
            for (String text : Files.readAllLines(file)) {
                // A line that runs another release on purpose (-Dkeycloak.version=X) may name X's folder.
                Set<String> allowed = new java.util.HashSet<>(unpacked);
                override.matcher(text).results().forEach(r -> allowed.add(r.group(1)));
                Matcher m = path.matcher(text);
                while (m.find()) {
                    assertThat(allowed).as("%s names %s", file, m.group()).contains(m.group(1));
                    found++;
                }
            }
        }
        assertThat(found).as("paths checked").isGreaterThan(3);
    }

    private static Set<String> ids(String cell) {
        Set<String> ids = new TreeSet<>();
        CVE.matcher(cell).results().forEach(m -> ids.add(m.group()));
        return ids;
    }

    /** The lines of the section that starts with {@code heading}, up to the next heading of any level. */
    private static List<String> section(String heading) throws IOException {
        List<String> lines = Files.readAllLines(INSTALLATION);
        int start = lines.indexOf(heading);
        assertThat(start).as("%s in %s", heading, INSTALLATION).isNotNegative();
        List<String> out = new ArrayList<>();
        for (String line : lines.subList(start + 1, lines.size())) {
            if (line.startsWith("#")) {
                break;
            }
            out.add(line);
        }
        return out;
    }

    /** Body rows of the first Markdown table in {@code lines}, cells trimmed; header and rule skipped. */
    private static List<List<String>> tableRows(List<String> lines) {
        List<List<String>> rows = new ArrayList<>();
        boolean inTable = false;
        int seen = 0;
        for (String line : lines) {
            if (!line.startsWith("|")) {
                if (inTable) {
                    break;
                }
                continue;
            }
            inTable = true;
            if (seen++ < 2) {
                continue;
            }
            String inner = line.substring(1, line.lastIndexOf('|'));
            rows.add(Stream.of(inner.split("\\|", -1)).map(String::strip).toList());
        }
        assertThat(rows).as("table rows").isNotEmpty();
        return rows;
    }
}
