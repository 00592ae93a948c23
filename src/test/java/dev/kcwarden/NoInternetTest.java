package dev.kcwarden;

import static org.assertj.core.api.Assertions.assertThat;

import dev.kcwarden.testing.DemoRealm;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * No test may reach the internet. The shipped realm asks the public breached-password range API, so every server a test
 * starts must import the offline variant ({@link DemoRealm.Offline}, {@link DemoRealm#offlineCopy}); this reads the
 * test sources to make sure none forgets.
 */
@DisplayName("Tests never reach the internet: every realm a test imports checks breached passwords offline")
class NoInternetTest {

    private static final Path TESTS = Path.of("src", "test", "java");

    @Test
    @DisplayName("the offline variant of the shipped policy has remote=off and no URL")
    void offlinePolicy() throws IOException {
        String shipped = com.fasterxml.jackson.databind.json.JsonMapper.builder()
                .build()
                .readTree(Path.of("realm-export", "warden-realm.json").toFile())
                .path("passwordPolicy")
                .asText();
        assertThat(shipped)
                .as("the shipped realm keeps the public API for users")
                .contains("url=https://");
        String offline = DemoRealm.offlinePolicy(shipped);
        assertThat(offline)
                .contains("wardenBreachedPassword(min=1;timeout=2000;fail=open;remote=off)")
                .doesNotContain("url=")
                .startsWith("length(12) and maxLength(128)");
        assertThat(DemoRealm.offlinePolicy(offline)).as("idempotent").isEqualTo(offline);
    }

    @Test
    @DisplayName("every DemoRealm.Offline* config turns the shipped realm's breached-password check off the network")
    void everyOfflineConfigIsOffline() throws Exception {
        int checked = 0;
        for (Class<?> nested : DemoRealm.class.getDeclaredClasses()) {
            if (!nested.getSimpleName().startsWith("Offline")) {
                continue;
            }
            assertThat(org.keycloak.testframework.realm.RealmConfig.class)
                    .as(nested.getName())
                    .isAssignableFrom(nested);
            org.keycloak.representations.idm.RealmRepresentation shipped =
                    org.keycloak.util.JsonSerialization.readValue(
                            Files.readString(Path.of("realm-export", "warden-realm.json")),
                            org.keycloak.representations.idm.RealmRepresentation.class);
            org.keycloak.testframework.realm.RealmConfig config = (org.keycloak.testframework.realm.RealmConfig)
                    nested.getDeclaredConstructor().newInstance();
            String policy = config.configure(org.keycloak.testframework.realm.RealmBuilder.update(shipped))
                    .build()
                    .getPasswordPolicy();
            assertThat(policy).as(nested.getName()).contains("remote=off").doesNotContain("url=");
            checked++;
        }
        assertThat(checked).isGreaterThanOrEqualTo(2);
    }

    /** Files that name the realm file without starting a server on it. */
    private static final List<String> READ_ONLY = List.of(
            "DemoRealm.java",
            "RealmFileKeysTest.java",
            "StockRealmTest.java",
            "ConfigurationDocTest.java",
            "QuickstartTest.java",
            "DemoRealmIT.java",
            "MessagesTest.java",
            "ComposeFileTest.java");

    @Test
    @DisplayName(
            "every @InjectRealm of the demo realm uses DemoRealm.Offline, every other use of the file an offline copy,"
                    + " and every breached-password policy a test sets points at a local stub or is off")
    void everyImportIsOffline() throws IOException {
        List<String> offenders = new ArrayList<>();
        try (Stream<Path> files = Files.walk(TESTS)) {
            for (Path file : files.filter(f -> f.toString().endsWith(".java") && !f.endsWith("NoInternetTest.java"))
                    .toList()) {
                String source = Files.readString(file);
                String flat = source.replaceAll("\n\\s*\\*(?!/)", " ")
                        .replaceAll("\\s+", " ")
                        .replaceAll(" ?= ?", " = ");
                java.util.regex.Matcher inject = java.util.regex.Pattern.compile("@InjectRealm\\(([^)]*)\\)")
                        .matcher(flat);
                while (inject.find()) {
                    String arguments = inject.group(1);
                    if (arguments.contains("fromJson")
                            && !arguments.matches(".*config = DemoRealm\\.Offline\\w*\\.class.*")) {
                        offenders.add(file + ": @InjectRealm(" + arguments + ")");
                    }
                }
                if (!READ_ONLY.contains(file.getFileName().toString())) {
                    // code only, on one line: a use of the file must be the argument of offlineCopy(...)
                    // string literals first, so that a "/*" inside one (a URL pattern) opens no comment
                    String code = source.replaceAll("(?s)(\"(?:[^\"\\\\\\n]|\\\\.)*\")|/\\*.*?\\*/|//[^\\n]*", "$1 ")
                            .replaceAll("@DisplayName\\((?:[^)\"]|\"(?:[^\"\\\\]|\\\\.)*\")*\\)", " ")
                            .replaceAll("\\s+", " ");
                    java.util.regex.Matcher use = java.util.regex.Pattern.compile("warden-realm\\.json")
                            .matcher(code);
                    while (use.find()) {
                        String before = code.substring(Math.max(0, use.start() - 60), use.start());
                        if (!before.contains("offlineCopy(")) {
                            offenders.add(file + ": " + code.substring(Math.max(0, use.start() - 60), use.end()));
                        }
                    }
                }
                if (flat.contains("wardenBreachedPassword(")
                        && !file.endsWith("DemoRealm.java")
                        && !(flat.contains("RangeStub") || flat.contains("remote = off"))) {
                    offenders.add(
                            file + ": sets a breached-password policy with neither a local RangeStub nor remote=off");
                }
            }
        }
        assertThat(offenders).isEmpty();
    }
}
