package dev.kcwarden.audit;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@DisplayName("Redaction: allow-listed details only, secret fields of representations redacted")
class RedactionTest {

    @Test
    void detailsAreAllowListed() {
        Map<String, String> kept = Redaction.details(Map.of("grant_type", "password", "code_id", "abc",
                "code", "SECRET-CODE", "token", "eyJ...", "password", "hunter2", "warden_limit", "user_ip"));
        assertThat(kept).containsOnlyKeys("grant_type", "warden_limit");
    }

    @Test
    void representationSecretsAreRedacted() {
        String rep = "{\"clientId\":\"app\",\"secret\":\"s3cr3t\",\"credentials\":[{\"type\":\"password\",\"value\":\"hunter2\"}],"
                + "\"attributes\":{\"client.secret.creation.time\":\"1\",\"note\":\"fine\"},\"nested\":{\"clientSecret\":\"x\"}}";
        String out = Redaction.representation(rep).toString();
        assertThat(out).doesNotContain("s3cr3t").doesNotContain("hunter2").contains("\"clientId\":\"app\"").contains("fine");
        assertThat(Redaction.representation("not json").asText()).startsWith("[omitted");
        assertThat(Redaction.representation(null)).isNull();
    }
}
