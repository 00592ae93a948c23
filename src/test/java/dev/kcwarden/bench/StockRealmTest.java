package dev.kcwarden.bench;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.file.Path;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@DisplayName("The benchmark's stock realm: the shipped realm with every warden part taken out")
class StockRealmTest {

    @Test
    @DisplayName("no warden provider, flow, policy, listener or theme is left; the token settings stay")
    void nothingOfWardenIsLeft() throws Exception {
        ObjectNode realm = (ObjectNode) new ObjectMapper()
                .readTree(Path.of("realm-export/warden-realm.json").toFile());
        boolean rotates = realm.path("revokeRefreshToken").asBoolean();
        int accessLifespan = realm.path("accessTokenLifespan").asInt();

        StockRealm.strip(realm, "stock");

        assertThat(realm.toString().toLowerCase()).doesNotContain("warden");
        assertThat(realm.path("realm").asText()).isEqualTo("stock");
        assertThat(realm.path("revokeRefreshToken").asBoolean())
                .isEqualTo(rotates)
                .isTrue();
        assertThat(realm.path("accessTokenLifespan").asInt()).isEqualTo(accessLifespan);
        assertThat(realm.path("passwordPolicy").asText()).startsWith("length(12)");
        assertThat(realm.path("clients").size()).isPositive();
    }

    @Test
    @DisplayName("the password policy keeps Keycloak's terms in their order and drops warden's wherever it stands")
    void policyTerms() {
        // (only a string here, never a server's policy: no range query can follow from it)
        String breached = "wardenBreachedPassword" + "(min=1)";
        assertThat(StockRealm.withoutWardenPolicies(breached + " and length(12) and digits(1)"))
                .isEqualTo("length(12) and digits(1)");
        assertThat(StockRealm.withoutWardenPolicies("length(12) and " + breached))
                .isEqualTo("length(12)");
        assertThat(StockRealm.withoutWardenPolicies("length(8)")).isEqualTo("length(8)");
        assertThat(StockRealm.withoutWardenPolicies("")).isEmpty();
    }
}
