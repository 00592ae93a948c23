package dev.kcwarden.docs;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.kcwarden.guard.GuardedDirectGrantFactory;
import dev.kcwarden.guard.GuardedDirectGrantOtpFactory;
import dev.kcwarden.guard.GuardedIdpPasswordFormFactory;
import dev.kcwarden.guard.GuardedOtpFormFactory;
import dev.kcwarden.guard.GuardedPasswordFormFactory;
import dev.kcwarden.guard.GuardedPasswordOnlyFormFactory;
import dev.kcwarden.guard.GuardedResetChooseUserFactory;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.keycloak.authentication.ConfigurableAuthenticatorFactory;
import org.keycloak.provider.ProviderConfigProperty;
import org.keycloak.util.JsonSerialization;

@DisplayName("docs/configuration.md tells the truth about the demo realm and the login guard")
class ConfigurationDocTest {

    /** A table row of the form | `setting` | `value` | why |. */
    private static final Pattern ROW = Pattern.compile("^\\| `([A-Za-z.]+)` \\| `([^`]*)` \\|");

    @Test
    @DisplayName("every documented realm setting has the documented value in realm-export/warden-realm.json")
    void realmTableMatchesRealmFile() throws IOException {
        JsonNode realm = JsonSerialization.mapper.readTree(
                Path.of("realm-export", "warden-realm.json").toFile());
        List<String[]> rows = realmRows();

        assertThat(rows).as("rows of the demo realm table").hasSizeGreaterThan(20);
        for (String[] row : rows) {
            JsonNode value = realm;
            for (String part : row[0].split("\\.")) {
                value = value.path(part);
            }
            assertThat(value.isMissingNode())
                    .as("%s is in the realm file", row[0])
                    .isFalse();
            assertThat(value.asText()).as(row[0]).isEqualTo(row[1]);
        }
    }

    /** A row of the login guard table: | `property` | `default` | console label | what counts |. */
    private static final Pattern PROPERTY_ROW =
            Pattern.compile("^\\| `(warden\\.[a-z0-9.-]+)` \\| `([^`]*)` \\| ([^|]+) \\|");

    @Test
    @DisplayName("every login guard property is documented with its default and console label, and nothing else is")
    void loginGuardTableMatchesProviders() throws IOException {
        Map<String, ProviderConfigProperty> properties = new LinkedHashMap<>();
        for (ConfigurableAuthenticatorFactory factory : List.of(
                new GuardedPasswordFormFactory(),
                new GuardedDirectGrantFactory(),
                new GuardedResetChooseUserFactory(),
                new GuardedPasswordOnlyFormFactory(),
                new GuardedIdpPasswordFormFactory(),
                new GuardedOtpFormFactory(),
                new GuardedDirectGrantOtpFactory())) {
            factory.getConfigProperties().forEach(p -> properties.put(p.getName(), p));
        }
        Map<String, String[]> documented = new LinkedHashMap<>();
        List<String> lines = Files.readAllLines(Path.of("docs", "configuration.md"));
        int start = lines.indexOf("## Login guard (US2)");
        assertThat(start).as("login guard section").isPositive();
        for (String line : lines.subList(start, lines.size())) {
            if (line.startsWith("## ") && !line.equals(lines.get(start))) {
                break;
            }
            Matcher m = PROPERTY_ROW.matcher(line);
            if (m.find()) {
                documented.put(m.group(1), new String[] {m.group(2), m.group(3).trim()});
            }
        }
        assertThat(documented.keySet()).containsExactlyInAnyOrderElementsOf(properties.keySet());
        properties.forEach((name, property) -> {
            assertThat(documented.get(name)[0])
                    .as("default of %s", name)
                    .isEqualTo(String.valueOf(property.getDefaultValue()));
            assertThat(documented.get(name)[1]).as("label of %s", name).isEqualTo(property.getLabel());
            assertThat(property.getHelpText()).as("help of %s", name).isNotBlank();
        });
    }

    /** Any property row: | `name` | `default` | label | meaning |. */
    private static final Pattern ANY_PROPERTY_ROW = Pattern.compile("^\\| `([\\w.-]+)` \\| `([^`]*)` \\| ([^|]+) \\|");

    @Test
    @DisplayName(
            "every property of the sign-up, refresh-reuse and GeoIP providers has a row with its default and label")
    void otherProvidersAreDocumented() throws IOException {
        Map<String, String[]> rows = new LinkedHashMap<>();
        for (String line : Files.readAllLines(Path.of("docs", "configuration.md"))) {
            Matcher m = ANY_PROPERTY_ROW.matcher(line);
            if (m.find()) {
                rows.putIfAbsent(
                        m.group(1), new String[] {m.group(2), m.group(3).trim()});
            }
        }
        List<ProviderConfigProperty> properties = new java.util.ArrayList<>();
        properties.addAll(new dev.kcwarden.signup.RegistrationGuardFactory().getConfigProperties());
        properties.addAll(new dev.kcwarden.signup.EmailDomainValidator().getConfigProperties());
        properties.addAll(new dev.kcwarden.session.RefreshReuseExecutorFactory().getConfigProperties());
        properties.addAll(new dev.kcwarden.guard.GeoPlaceProviderFactory().getConfigMetadata());
        for (ProviderConfigProperty property : properties) {
            String name = property.getName();
            assertThat(rows).as("a row for %s", name).containsKey(name);
            String expectedDefault =
                    property.getDefaultValue() == null ? "" : String.valueOf(property.getDefaultValue());
            assertThat(rows.get(name)[0]).as("default of %s", name).isEqualTo(expectedDefault);
            assertThat(rows.get(name)[1]).as("label of %s", name).isEqualTo(property.getLabel());
            assertThat(property.getHelpText()).as("help of %s", name).isNotBlank();
        }
    }

    @Test
    @DisplayName("every chain option of the warden-audit listener has a row with its default, label and a help text")
    void auditChainOptionsAreDocumented() throws IOException {
        Map<String, String[]> rows = new LinkedHashMap<>();
        for (String line : Files.readAllLines(Path.of("docs", "configuration.md"))) {
            Matcher m = ANY_PROPERTY_ROW.matcher(line);
            if (m.find()) {
                rows.putIfAbsent(
                        m.group(1), new String[] {m.group(2), m.group(3).trim()});
            }
        }
        List<String> chainOptions = List.of("chain-key", "username", "node", "checkpoint-interval", "state-file");
        List<ProviderConfigProperty> properties = new dev.kcwarden.audit.AuditListenerFactory()
                .getConfigMetadata().stream()
                        .filter(p -> chainOptions.contains(p.getName()))
                        .toList();
        assertThat(properties)
                .extracting(ProviderConfigProperty::getName)
                .containsExactlyInAnyOrderElementsOf(chainOptions);
        for (ProviderConfigProperty property : properties) {
            String name = property.getName();
            assertThat(rows).as("a row for %s", name).containsKey(name);
            String expectedDefault =
                    property.getDefaultValue() == null ? "" : String.valueOf(property.getDefaultValue());
            assertThat(rows.get(name)[0]).as("default of %s", name).isEqualTo(expectedDefault);
            assertThat(rows.get(name)[1]).as("label of %s", name).isEqualTo(property.getLabel());
            assertThat(property.getHelpText()).as("help of %s", name).isNotBlank();
        }
    }

    private static List<String[]> realmRows() throws IOException {
        List<String> lines = Files.readAllLines(Path.of("docs", "configuration.md"));
        int start = lines.indexOf("## The demo realm (`realm-export/warden-realm.json`)");
        int end = lines.indexOf("### Clients");
        assertThat(start).as("demo realm section").isPositive();
        assertThat(end).as("clients section").isGreaterThan(start);
        List<String[]> rows = new ArrayList<>();
        for (String line : lines.subList(start, end)) {
            Matcher m = ROW.matcher(line);
            if (m.find()) {
                rows.add(new String[] {m.group(1), m.group(2)});
            }
        }
        return rows;
    }
}
