package dev.kcwarden.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.yaml.snakeyaml.Yaml;

/** deploy/operator/keycloak.yaml, the Keycloak Operator example of docs/operations.md, parses and runs what the project ships. */
@DisplayName("The Keycloak Operator resource example")
class OperatorResourceTest {

    @Test
    @DisplayName("a Keycloak resource: the image at keycloak.version, optimized, two instances, proxy and cache options, secrets from Secrets")
    @SuppressWarnings("unchecked")
    void resourceMatchesTheProject() throws IOException {
        Map<String, Object> resource = new Yaml().load(Files.readString(Path.of("deploy", "operator", "keycloak.yaml")));
        assertThat(resource).containsEntry("apiVersion", "k8s.keycloak.org/v2beta1").containsEntry("kind", "Keycloak");
        Map<String, Object> spec = (Map<String, Object>) resource.get("spec");
        assertThat((String) spec.get("image")).endsWith("/keycloak-warden:" + System.getProperty("keycloak.version"));
        assertThat(spec).containsEntry("startOptimized", true);
        assertThat((Integer) spec.get("instances")).isGreaterThanOrEqualTo(2);
        assertThat((Map<String, Object>) spec.get("proxy")).containsEntry("headers", "xforwarded");
        Map<String, Object> db = (Map<String, Object>) spec.get("db");
        assertThat(db).containsEntry("vendor", "postgres").containsKeys("usernameSecret", "passwordSecret").doesNotContainKey("password");

        Map<String, Map<String, Object>> options = ((List<Map<String, Object>>) spec.get("additionalOptions")).stream()
                .collect(Collectors.toMap(o -> (String) o.get("name"), o -> o));
        assertThat(options.get("spi-cache-embedded--default--action-tokens-owners")).containsEntry("value", "2");
        assertThat(options.get("proxy-trusted-addresses")).containsKey("value");
        assertThat(options.get("spi-events-listener--warden-audit--chain-key")).as("the chain key comes from a Secret")
                .containsKey("secret").doesNotContainKey("value");
    }
}
