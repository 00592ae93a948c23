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
        assertThat(out).as("nested").contains("\"nested\":{\"clientSecret\":\"[redacted]\"}");
        assertThat(Redaction.representation("not json").asText()).startsWith("[omitted");
        String saml = "{\"attributes\":{\"saml.signing.private.key\":\"MIIEvQ-signing\",\"saml_encryption_private_key\":\"MIIEvQ-enc\","
                + "\"privateKey\":\"MIIEvQ-camel\",\"saml.signing.certificate\":\"MIIC-public\"}}";
        String samlOut = Redaction.representation(saml).toString();
        assertThat(samlOut).as("private keys however the name is separated").doesNotContain("MIIEvQ");
        assertThat(samlOut).as("a certificate is public").contains("MIIC-public");
        assertThat(Redaction.representation(null)).isNull();
    }
}
