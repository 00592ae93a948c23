package dev.kcwarden.docs;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.keycloak.util.JsonSerialization;

@DisplayName("docs/configuration.md tells the truth about the demo realm")
class ConfigurationDocTest {

    /** A table row of the form | `setting` | `value` | why |. */
    private static final Pattern ROW = Pattern.compile("^\\| `([A-Za-z.]+)` \\| `([^`]*)` \\|");

    @Test
    @DisplayName("every documented realm setting has the documented value in realm-export/warden-realm.json")
    void realmTableMatchesRealmFile() throws IOException {
        JsonNode realm = JsonSerialization.mapper.readTree(Path.of("realm-export", "warden-realm.json").toFile());
        List<String[]> rows = realmRows();

        assertThat(rows).as("rows of the demo realm table").hasSizeGreaterThan(20);
        for (String[] row : rows) {
            JsonNode value = realm;
            for (String part : row[0].split("\\.")) {
                value = value.path(part);
            }
            assertThat(value.isMissingNode()).as("%s is in the realm file", row[0]).isFalse();
            assertThat(value.asText()).as(row[0]).isEqualTo(row[1]);
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
