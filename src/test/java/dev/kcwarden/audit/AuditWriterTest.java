package dev.kcwarden.audit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@DisplayName("Audit usernames: plain, hashed per realm, or omitted")
class AuditWriterTest {

    private static AuditWriter writer(AuditSettings.UsernameMode mode) {
        return new AuditWriter(new AuditSettings("k".repeat(32).getBytes(StandardCharsets.UTF_8), mode, "n1", null,
                AuditSettings.Chain.defaults()));
    }

    @Test
    void usernameModes() {
        assertThat(writer(AuditSettings.UsernameMode.PLAIN).username("r1", "Alice")).isEqualTo("Alice");
        assertThat(writer(AuditSettings.UsernameMode.OMITTED).username("r1", "Alice")).isNull();
        AuditWriter hashed = writer(AuditSettings.UsernameMode.HASHED);
        assertThat(hashed.username("r1", "Alice")).startsWith("hmac:").doesNotContain("lice")
                .isEqualTo(hashed.username("r1", "alice"))
                .isNotEqualTo(hashed.username("r2", "alice"));
    }

    @Test
    void badModeIsAClearError() {
        assertThatThrownBy(() -> AuditSettings.parseMode("sometimes")).hasMessageContaining("plain, hashed or omitted");
    }
}
