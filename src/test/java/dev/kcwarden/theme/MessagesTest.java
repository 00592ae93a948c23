package dev.kcwarden.theme;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.text.MessageFormat;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.keycloak.util.JsonSerialization;

/**
 * warden's texts in every language it offers: the login theme's own bundle and the providers' bundle (the one Keycloak
 * adds to every theme). A key missing in one language would show the raw key, or English, to that user; a placeholder
 * lost in translation would drop the number of minutes from "try again in ...".
 */
@DisplayName("warden's messages exist in every language, with the same placeholders")
class MessagesTest {

    private static final Path THEME = Path.of("themes", "warden", "login");
    private static final List<Path> BUNDLES =
            List.of(THEME.resolve("messages"), Path.of("src", "main", "resources", "theme-resources", "messages"));
    private static final Pattern FILE = Pattern.compile("messages_([A-Za-z_]+)\\.properties");
    private static final Pattern ARGUMENT = Pattern.compile("\\{(\\d+)");
    private static final Pattern TEMPLATE_KEY = Pattern.compile("msg\\(\\s*\"(warden[A-Za-z0-9]*)\"");
    private static final Pattern JAVA_LITERAL = Pattern.compile("\"(warden[A-Z][A-Za-z0-9]*)\"");
    /** The email theme: its own bundle, in the languages its theme.properties lists. */
    private static final Path EMAIL = Path.of("themes", "warden", "email");
    /** warden-prefixed literals in the Java sources that are not message keys: a policy id and page attributes. */
    private static final Set<String> NOT_MESSAGES = Set.of(
            "wardenBreachedPassword",
            "wardenHoneypot",
            "wardenRetryAfter",
            "wardenPasswordScreened",
            "wardenPow",
            "wardenTime",
            "wardenBrowser",
            "wardenAddress",
            "wardenAccountUrl",
            "wardenPlace");

    @Test
    @DisplayName("the email theme: every key its templates use exists, in every language it offers")
    void emailThemeComplete() throws IOException {
        Properties theme = load(EMAIL.resolve("theme.properties"));
        Set<String> offered =
                new TreeSet<>(Arrays.asList(theme.getProperty("locales", "").split("\\s*,\\s*")));
        Map<String, Properties> languages = languages(EMAIL.resolve("messages"));
        assertThat(languages.keySet())
                .as("email theme languages")
                .isEqualTo(offered)
                .contains("en", "de");
        Set<String> used = new TreeSet<>();
        for (Path template : files(EMAIL, ".ftl")) {
            collect(TEMPLATE_KEY, Files.readString(template), used);
        }
        used.add("wardenNewDeviceSubject");
        assertThat(used).hasSizeGreaterThan(1);
        for (Map.Entry<String, Properties> language : languages.entrySet()) {
            assertThat(language.getValue().stringPropertyNames())
                    .as("email keys in %s", language.getKey())
                    .containsAll(used);
        }
    }

    @Test
    @DisplayName("every key of any language exists in every language, in both bundles")
    void everyKeyInEveryLanguage() throws IOException {
        for (Path bundle : BUNDLES) {
            Map<String, Properties> languages = languages(bundle);
            Set<String> allKeys = languages.values().stream()
                    .flatMap(p -> p.stringPropertyNames().stream())
                    .collect(Collectors.toCollection(TreeSet::new));
            for (Map.Entry<String, Properties> language : languages.entrySet()) {
                assertThat(language.getValue().stringPropertyNames())
                        .as("keys of %s, language %s", bundle, language.getKey())
                        .containsExactlyInAnyOrderElementsOf(allKeys);
                assertThat(language.getValue().values())
                        .as("texts of %s, language %s", bundle, language.getKey())
                        .allSatisfy(text -> assertThat(text.toString()).isNotBlank());
            }
        }
    }

    @Test
    @DisplayName("a message carries the same placeholders ({0}, {1}, ...) in every language")
    void placeholdersMatch() throws IOException {
        for (Path bundle : BUNDLES) {
            Map<String, Properties> languages = languages(bundle);
            Properties english = languages.get("en");
            for (String key : english.stringPropertyNames()) {
                Set<String> expected = arguments(english.getProperty(key));
                for (Map.Entry<String, Properties> language : languages.entrySet()) {
                    String text = language.getValue().getProperty(key);
                    if (text != null) { // a missing key is everyKeyInEveryLanguage's finding
                        assertThat(arguments(text))
                                .as("placeholders of %s in %s (%s)", key, language.getKey(), bundle)
                                .isEqualTo(expected);
                    }
                }
            }
        }
    }

    @Test
    @DisplayName(
            "every text survives MessageFormat, the way Keycloak formats it: valid patterns, no swallowed apostrophe")
    void textsAreValidMessageFormats() throws IOException {
        for (Path bundle : BUNDLES) {
            for (Map.Entry<String, Properties> language : languages(bundle).entrySet()) {
                Locale locale = Locale.forLanguageTag(language.getKey().replace('_', '-'));
                for (String key : language.getValue().stringPropertyNames()) {
                    String text = language.getValue().getProperty(key);
                    String where = key + " in " + language.getKey() + " (" + bundle + ")";
                    // A single ASCII apostrophe starts a quoted section in MessageFormat: "can't" would print "cant".
                    assertThat(text.replace("''", ""))
                            .as(where + ": write '' or a typographic apostrophe")
                            .doesNotContain("'");
                    String formatted = new MessageFormat(text, locale).format(new Object[] {3, 3});
                    assertThat(formatted).as(where).isNotBlank();
                }
            }
        }
    }

    @Test
    @DisplayName("the theme offers exactly the languages its files exist in, and the demo realm offers them all")
    void localesMatchTheFiles() throws IOException {
        Properties theme = load(THEME.resolve("theme.properties"));
        Set<String> offered =
                new TreeSet<>(Arrays.asList(theme.getProperty("locales", "").split("\\s*,\\s*")));
        assertThat(offered).as("theme.properties locales").contains("en", "de", "fr");
        for (Path bundle : BUNDLES) {
            assertThat(languages(bundle).keySet()).as("languages of %s", bundle).isEqualTo(offered);
        }
        var realm = JsonSerialization.mapper.readTree(
                Path.of("realm-export", "warden-realm.json").toFile());
        assertThat(realm.path("internationalizationEnabled").asBoolean())
                .as("realm internationalizationEnabled")
                .isTrue();
        Set<String> realmLocales = new TreeSet<>();
        realm.path("supportedLocales").forEach(node -> realmLocales.add(node.asText()));
        assertThat(realmLocales).as("demo realm supportedLocales").isEqualTo(offered);
    }

    @Test
    @DisplayName("every warden key the templates and the Java sources use exists in English")
    void usedKeysExist() throws IOException {
        Set<String> known = new TreeSet<>();
        for (Path bundle : BUNDLES) {
            known.addAll(languages(bundle).get("en").stringPropertyNames());
        }
        known.addAll(languages(EMAIL.resolve("messages")).get("en").stringPropertyNames());
        Set<String> used = new TreeSet<>();
        for (Path template : files(THEME, ".ftl")) {
            collect(TEMPLATE_KEY, Files.readString(template), used);
        }
        assertThat(used).as("keys the templates use").isNotEmpty();
        for (Path source : files(Path.of("src", "main", "java"), ".java")) {
            collect(JAVA_LITERAL, Files.readString(source), used);
        }
        used.removeAll(NOT_MESSAGES);
        assertThat(known).as("English keys").containsAll(used);
    }

    private static void collect(Pattern pattern, String text, Set<String> into) {
        Matcher m = pattern.matcher(text);
        while (m.find()) {
            into.add(m.group(1));
        }
    }

    private static Set<String> arguments(String text) {
        Set<String> found = new TreeSet<>();
        collect(ARGUMENT, text, found);
        return found;
    }

    private static Map<String, Properties> languages(Path bundle) throws IOException {
        Map<String, Properties> languages = new TreeMap<>();
        for (Path file : files(bundle, ".properties")) {
            Matcher m = FILE.matcher(file.getFileName().toString());
            if (m.matches()) {
                languages.put(m.group(1), load(file));
            }
        }
        assertThat(languages).as("message files in %s", bundle).containsKey("en");
        return languages;
    }

    private static List<Path> files(Path dir, String suffix) throws IOException {
        try (Stream<Path> walk = Files.walk(dir)) {
            return new ArrayList<>(walk.filter(p -> p.getFileName().toString().endsWith(suffix))
                    .sorted()
                    .toList());
        }
    }

    private static Properties load(Path file) throws IOException {
        Properties properties = new Properties();
        try (Reader in = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
            properties.load(in);
        }
        return properties;
    }
}
