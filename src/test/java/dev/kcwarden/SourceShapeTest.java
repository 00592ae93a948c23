package dev.kcwarden;

import static org.assertj.core.api.Assertions.assertThat;

import dev.kcwarden.audit.RedactionAccess;
import java.io.IOException;
import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * Each rule of the code base has one home, and this test keeps it there: event names in {@link WardenEvents},
 * hand-overs between providers in {@link RequestKey}, after-commit work in {@link AfterCompletion}.
 */
@DisplayName("Main code keeps each shared rule in one place")
class SourceShapeTest {

    private static final Path MAIN = Path.of("src", "main", "java");

    @Test
    @DisplayName("every event detail warden writes is a WardenEvents constant, and the audit allow-list has them all")
    void eventDetailsHaveOneHome() throws Exception {
        // Every detail name is WardenEvents.X or Keycloak's Details.X; anything else (a literal, a private constant) is
        // refused.
        List<String> otherDetails =
                matches(Pattern.compile("\\.detail\\((?!WardenEvents\\.[A-Z_]+,|Details\\.[A-Z_]+,)"));
        assertThat(otherDetails)
                .as("event details not named by WardenEvents or Keycloak's Details")
                .isEmpty();

        Set<String> errors = Set.of(
                WardenEvents.THROTTLED,
                WardenEvents.SIGNUP_REJECTED,
                WardenEvents.REFRESH_TOKEN_REUSE,
                WardenEvents.POW_REFUSED);
        List<String> unlisted = new ArrayList<>();
        for (Field field : WardenEvents.class.getFields()) {
            if (Modifier.isStatic(field.getModifiers()) && field.getType() == String.class) {
                String name = (String) field.get(null);
                if (!errors.contains(name) && !WardenEvents.DETAILS.contains(name)) {
                    unlisted.add(field.getName());
                }
            }
        }
        assertThat(unlisted)
                .as("WardenEvents constants that are neither an error nor in DETAILS (the audit drops them)")
                .isEmpty();
        assertThat(allowedDetails()).as("the audit log's allow-list").containsAll(WardenEvents.DETAILS);
    }

    @Test
    @DisplayName(
            "providers hand values over only through RequestKey, and after-commit work only through AfterCompletion")
    void handOversHaveOneHome() throws IOException {
        assertThat(matches(Pattern.compile("\\b(get|set|remove)Attribute\\(")))
                .as("session attributes outside RequestKey (form.setAttribute for templates aside)")
                .allMatch(hit -> hit.startsWith(Path.of("dev", "kcwarden", "RequestKey.java") + ":")
                        || hit.matches(".*\\b(form|onPage\\([^)]*\\)|provider)\\s*\\.setAttribute\\(.*")
                        || hit.contains("LoginFormsProvider"));
        assertThat(matches(Pattern.compile("KeycloakTransaction|enlistAfterCompletion|enlistPrepare|\\.enlist\\(")))
                .as("transactions enlisted outside AfterCompletion")
                .allMatch(hit -> hit.startsWith(Path.of("dev", "kcwarden", "AfterCompletion.java") + ":"));
    }

    @Test
    @DisplayName("no class name is written out in full inside code: imports say where a class comes from")
    void noInlineQualifiedNames() throws IOException {
        Pattern qualified = Pattern.compile("(?<![\\w.@#{\"])[a-z][a-z0-9_]*(\\.[a-z_][a-z0-9_]*)+\\.[A-Z]\\w*");
        List<String> hits = new ArrayList<>();
        for (Path file : mainFiles()) {
            List<String> lines = Files.readAllLines(file);
            for (int i = 0; i < lines.size(); i++) {
                String code = codeOf(lines.get(i));
                if (!code.startsWith("import ")
                        && !code.startsWith("package ")
                        && qualified.matcher(code).find()) {
                    hits.add(MAIN.relativize(file) + ":" + (i + 1));
                }
            }
        }
        assertThat(hits).isEmpty();
    }

    @Test
    @DisplayName(
            "every file the README's \"Where each behaviour lives\" table names exists, and every package is in it")
    void behaviourTableNamesRealFiles() throws IOException {
        String readme = Files.readString(Path.of("README.md"));
        int start = readme.indexOf("### Where each behaviour lives");
        assertThat(start).as("the table's heading").isNotNegative();
        String table = readme.substring(start, readme.indexOf("\n## ", start));
        Matcher named = Pattern.compile("`([\\w/*]+\\.java)`").matcher(table);
        List<String> missing = new ArrayList<>();
        Set<String> packages = new TreeSet<>();
        int files = 0;
        while (named.find()) {
            String name = named.group(1);
            Path dir = MAIN.resolve("dev/kcwarden").resolve(name).getParent();
            String glob = Path.of(name).getFileName().toString();
            try (var matches = Files.newDirectoryStream(dir, glob)) {
                if (!matches.iterator().hasNext()) {
                    missing.add(name);
                }
            } catch (IOException e) {
                missing.add(name);
            }
            packages.add(name.contains("/") ? name.substring(0, name.indexOf('/')) : "");
            files++;
        }
        assertThat(missing).as("files the table names that do not exist").isEmpty();
        assertThat(files).isGreaterThan(20);
        Set<String> all = new TreeSet<>();
        try (Stream<Path> dirs = Files.list(MAIN.resolve("dev/kcwarden"))) {
            dirs.filter(Files::isDirectory).forEach(d -> all.add(d.getFileName().toString()));
        }
        all.add("");
        assertThat(packages).as("packages the table reaches").containsAll(all);
    }

    @Test
    @DisplayName("no Java line is over 120 columns (the formatter check leaves long string literals alone)")
    void linesFitIn120Columns() throws IOException {
        List<String> longLines = new ArrayList<>();
        for (Path root : List.of(MAIN, Path.of("src", "test", "java"), Path.of("examples"))) {
            try (Stream<Path> files = Files.walk(root)) {
                for (Path file :
                        files.filter(f -> f.toString().endsWith(".java")).toList()) {
                    List<String> lines = Files.readAllLines(file);
                    for (int i = 0; i < lines.size(); i++) {
                        if (lines.get(i).length() > 120) {
                            longLines.add(file + ":" + (i + 1));
                        }
                    }
                }
            }
        }
        assertThat(longLines)
                .as("lines over 120 columns: split the literal, then ./mvnw spotless:apply")
                .isEmpty();
    }

    @Test
    @DisplayName("every META-INF/services line names a class that exists and implements its SPI")
    void serviceFilesNameRealProviders() throws Exception {
        List<String> wrong = new ArrayList<>();
        try (Stream<Path> files = Files.list(Path.of("src", "main", "resources", "META-INF", "services"))) {
            for (Path file : files.sorted().toList()) {
                Class<?> spi = Class.forName(file.getFileName().toString());
                for (String line : Files.readAllLines(file)) {
                    String name = line.strip();
                    if (name.isEmpty() || name.startsWith("#")) {
                        continue;
                    }
                    try {
                        if (!spi.isAssignableFrom(Class.forName(name))) {
                            wrong.add(file.getFileName() + ": " + name + " does not implement it");
                        }
                    } catch (ClassNotFoundException e) {
                        wrong.add(file.getFileName() + ": " + name + " does not exist");
                    }
                }
            }
        }
        assertThat(wrong).isEmpty();
    }

    private static Set<String> allowedDetails() {
        return RedactionAccess.allowedDetails();
    }

    /** The line without comments and string literals; empty for a comment line. */
    private static String codeOf(String line) {
        String stripped = line.strip();
        if (stripped.startsWith("*") || stripped.startsWith("/*") || stripped.startsWith("//")) {
            return "";
        }
        String noStrings = stripped.replaceAll("\"(\\\\.|[^\"\\\\])*\"", "\"\"");
        int comment = noStrings.indexOf("//");
        return comment < 0 ? noStrings : noStrings.substring(0, comment);
    }

    private static List<String> matches(Pattern pattern) throws IOException {
        List<String> hits = new ArrayList<>();
        for (Path file : mainFiles()) {
            List<String> lines = Files.readAllLines(file);
            for (int i = 0; i < lines.size(); i++) {
                if (pattern.matcher(lines.get(i)).find()) {
                    hits.add(MAIN.relativize(file) + ":" + (i + 1) + " "
                            + lines.get(i).strip());
                }
            }
        }
        return hits;
    }

    private static List<Path> mainFiles() throws IOException {
        try (Stream<Path> files = Files.walk(MAIN)) {
            return files.filter(f -> f.toString().endsWith(".java")).sorted().toList();
        }
    }
}
