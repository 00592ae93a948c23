package dev.kcwarden.docs;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * docs/security-model.md is what a reviewer signs off: every test it cites as proof must exist (and be a test), and
 * its standards table must cover every threat the page discusses, each with tests and requirement ids.
 */
@DisplayName("docs/security-model.md names tests that exist and maps every threat")
class SecurityModelDocTest {

    private static final Path DOC = Path.of("docs", "security-model.md");
    private static final Path TESTS = Path.of("src", "test", "java");
    private static final Pattern CITED = Pattern.compile("`([A-Z][A-Za-z0-9]*)#([a-z][A-Za-z0-9]*)`");
    private static final Pattern ROW = Pattern.compile("^\\| ([A-Za-z][^|]*?) \\| ([^|]*) \\| ([^|]*) \\| ([^|]*) \\|$");
    private static final Pattern ASVS_ID = Pattern.compile("(\\d+)\\.(\\d+)\\.(\\d+)");
    /** The threats the page must cover (issue 17), as the table's first column names them. */
    private static final List<String> THREATS = List.of("credential stuffing", "password spraying", "targeted guessing",
            "OTP guessing", "lockout denial of service", "bot sign-up", "refresh-token theft", "log tampering",
            "secret leakage");
    /** ASVS 5.0 chapters the page may cite: V6, V7 and V16 as asked, V2 (anti-automation) and V10 (OAuth). */
    private static final Set<String> CHAPTERS = Set.of("2", "6", "7", "10", "16");

    @Test
    @DisplayName("every Class#method the page cites is a @Test method of that class under src/test/java")
    void citedTestsExist() throws IOException {
        String doc = Files.readString(DOC);
        Matcher cited = CITED.matcher(doc);
        List<String> missing = new ArrayList<>();
        int count = 0;
        while (cited.find()) {
            count++;
            if (!isTest(cited.group(1), cited.group(2))) {
                missing.add(cited.group(1) + "#" + cited.group(2));
            }
        }
        assertThat(count).as("tests cited by %s", DOC).isGreaterThan(30);
        assertThat(missing).as("cited in %s but not a test method in %s", DOC, TESTS).isEmpty();
    }

    @Test
    @DisplayName("the standards table has a row for each threat, with ASVS 5.0 ids of V6/V7/V16 (V2, V10 where needed) and tests")
    void everyThreatIsMapped() throws IOException {
        Map<String, String[]> rows = new LinkedHashMap<>();
        for (String line : Files.readAllLines(DOC)) {
            Matcher row = ROW.matcher(line);
            if (row.matches() && !row.group(1).strip().equals("threat")) { // the header row
                rows.put(row.group(1).strip(), new String[] {row.group(2), row.group(3), row.group(4)});
            }
        }
        assertThat(rows.keySet()).as("threat rows of the standards table").containsExactlyInAnyOrderElementsOf(THREATS);
        Set<String> chaptersUsed = new TreeSet<>();
        for (Map.Entry<String, String[]> row : rows.entrySet()) {
            Matcher id = ASVS_ID.matcher(row.getValue()[0]);
            int ids = 0;
            while (id.find()) {
                ids++;
                chaptersUsed.add(id.group(1));
                assertThat(CHAPTERS).as("ASVS chapter of %s in row %s", id.group(), row.getKey()).contains(id.group(1));
            }
            assertThat(ids).as("ASVS ids in row %s", row.getKey()).isPositive();
            assertThat(row.getValue()[1].strip()).as("NIST column of row %s (a dash if none fits)", row.getKey()).isNotEmpty();
            assertThat(CITED.matcher(row.getValue()[2]).find()).as("tests in row %s", row.getKey()).isTrue();
        }
        assertThat(chaptersUsed).as("chapters cited").contains("6", "7", "16");
        for (String threat : THREATS) {
            assertThat(Files.readString(DOC).toLowerCase()).as("a section on %s", threat)
                    .containsPattern("(?m)^## .*" + Pattern.quote(threat.split(" ")[0].toLowerCase()));
        }
    }

    private static boolean isTest(String className, String method) throws IOException {
        Optional<Path> source;
        try (Stream<Path> files = Files.walk(TESTS)) {
            source = files.filter(p -> p.getFileName().toString().equals(className + ".java")).findFirst();
        }
        if (source.isEmpty()) {
            return false;
        }
        List<String> lines = Files.readAllLines(source.get());
        Pattern declaration = Pattern.compile("\\bvoid " + Pattern.quote(method) + "\\s*\\(");
        for (int i = 0; i < lines.size(); i++) {
            if (declaration.matcher(lines.get(i)).find()) {
                // The annotations are the lines right above it, up to a blank line or the end of the member before.
                for (int j = i - 1; j >= 0 && !lines.get(j).isBlank() && !lines.get(j).strip().endsWith("}"); j--) {
                    if (lines.get(j).strip().equals("@Test")) {
                        return true;
                    }
                }
            }
        }
        return false;
    }
}
