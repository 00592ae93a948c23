package dev.kcwarden.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.yaml.snakeyaml.Yaml;

/**
 * deploy/operator/keycloak.yaml, the Keycloak Operator example of docs/operations.md: it parses, runs what the project
 * ships, trusts proxy headers from the ingress controller only, and comes with a NetworkPolicy that lets nothing else
 * reach Keycloak's HTTP port.
 */
@DisplayName("The Keycloak Operator resource example")
class OperatorResourceTest {

    private static final int HTTP = 8080;
    private static final int MANAGEMENT = 9000;

    private static Map<String, Object> keycloak;
    private static Map<String, Object> networkPolicy;

    @BeforeAll
    @SuppressWarnings("unchecked")
    static void read() throws IOException {
        List<Map<String, Object>> documents = new ArrayList<>();
        new Yaml()
                .loadAll(Files.readString(Path.of("deploy", "operator", "keycloak.yaml")))
                .forEach(d -> documents.add((Map<String, Object>) d));
        assertThat(documents).extracting(d -> d.get("kind")).containsExactly("Keycloak", "NetworkPolicy");
        keycloak = documents.get(0);
        networkPolicy = documents.get(1);
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> map(Object o) {
        return (Map<String, Object>) o;
    }

    @SuppressWarnings("unchecked")
    private static List<Map<String, Object>> list(Object o) {
        return o == null ? List.of() : (List<Map<String, Object>>) o;
    }

    @Test
    @DisplayName("a Keycloak resource: warden's image, optimized, two instances, proxy and cache options, secrets "
            + "from Secrets")
    void resourceMatchesTheProject() {
        assertThat(keycloak).containsEntry("apiVersion", "k8s.keycloak.org/v2beta1");
        Map<String, Object> spec = map(keycloak.get("spec"));
        assertThat((String) spec.get("image")).endsWith("/keycloak-warden:" + System.getProperty("warden.version"));
        assertThat(spec).containsEntry("startOptimized", true);
        assertThat((Integer) spec.get("instances")).isGreaterThanOrEqualTo(2);
        assertThat(map(spec.get("proxy"))).containsEntry("headers", "xforwarded");
        Map<String, Object> db = map(spec.get("db"));
        assertThat(db)
                .containsEntry("vendor", "postgres")
                .containsKeys("usernameSecret", "passwordSecret")
                .doesNotContainKey("password");

        Map<String, Object> options = options(spec);
        assertThat(map(options.get("spi-cache-embedded--default--action-tokens-owners")))
                .containsEntry("value", "2");
        assertThat(map(options.get("spi-events-listener--warden-audit--chain-key")))
                .as("the chain key comes from a Secret")
                .containsKey("secret")
                .doesNotContainKey("value");
    }

    private static Map<String, Object> options(Map<String, Object> spec) {
        return list(spec.get("additionalOptions")).stream()
                .collect(Collectors.toMap(o -> (String) o.get("name"), o -> o));
    }

    @Test
    @DisplayName(
            "proxy headers are trusted from a narrow range (the ingress controller's pods), never from the pod network")
    void trustsOnlyTheIngressController() {
        Map<String, Object> trusted = map(options(map(keycloak.get("spec"))).get("proxy-trusted-addresses"));
        assertThat(trusted).containsKey("value");
        String[] ranges = String.valueOf(trusted.get("value")).split(",");
        assertThat(ranges).isNotEmpty().allSatisfy(range -> {
            String[] parts = range.trim().split("/");
            assertThat(parts).as("%s is address/prefix", range).hasSize(2);
            // a /16 or /8 is a whole pod or cluster network: any pod in it could claim any client address
            assertThat(Integer.parseInt(parts[1]))
                    .as("prefix length of %s", range)
                    .isGreaterThanOrEqualTo(24);
        });
    }

    @Test
    @DisplayName("a NetworkPolicy on warden's pods: HTTP only from the ingress controller, management only from "
            + "monitoring, nothing else open")
    void networkPolicyNarrowsWhoReachesKeycloak() {
        assertThat(map(map(keycloak.get("spec")).get("networkPolicy")))
                .as("the operator's own policy is off, since policies add up and it would reopen the ports")
                .containsEntry("enabled", false);
        assertThat(networkPolicy).containsEntry("apiVersion", "networking.k8s.io/v1");
        Map<String, Object> spec = map(networkPolicy.get("spec"));
        assertThat(map(map(spec.get("podSelector")).get("matchLabels")))
                .containsEntry("app", "keycloak")
                .containsEntry(
                        "app.kubernetes.io/instance",
                        map(keycloak.get("metadata")).get("name"));
        assertThat((List<String>) (List<?>) spec.get("policyTypes")).contains("Ingress");

        List<Map<String, Object>> rules = list(spec.get("ingress"));
        assertThat(rules).isNotEmpty().allSatisfy(rule -> {
            // a rule without "from" admits every source, one without "ports" every port
            assertThat(list(rule.get("from")))
                    .as("sources of %s", rule)
                    .isNotEmpty()
                    .allSatisfy(peer -> assertThat(peer)
                            .as("an address block admits anything routed from it")
                            .doesNotContainKey("ipBlock"));
            assertThat(list(rule.get("ports"))).as("ports of %s", rule).isNotEmpty();
        });
        for (Map<String, Object> rule : rules) {
            List<Integer> ports = list(rule.get("ports")).stream()
                    .map(p -> (Integer) p.get("port"))
                    .toList();
            List<Map<String, Object>> from = list(rule.get("from"));
            if (ports.contains(HTTP)) {
                assertThat(ports)
                        .as("the rule that opens the HTTP port opens nothing else")
                        .containsExactly(HTTP);
                assertThat(from).as("who reaches the HTTP port").singleElement().satisfies(peer -> {
                    assertThat(map(map(peer.get("namespaceSelector")).get("matchLabels")))
                            .containsEntry("kubernetes.io/metadata.name", "ingress-nginx");
                    assertThat(map(map(peer.get("podSelector")).get("matchLabels")))
                            .as("the controller's pods, not the whole namespace")
                            .containsEntry("app.kubernetes.io/component", "controller");
                });
            } else if (ports.contains(MANAGEMENT)) {
                assertThat(ports).containsExactly(MANAGEMENT);
                assertThat(from)
                        .singleElement()
                        .satisfies(peer -> assertThat(
                                        map(map(peer.get("namespaceSelector")).get("matchLabels")))
                                .containsEntry("kubernetes.io/metadata.name", "monitoring"));
            } else {
                assertThat(ports).as("the cluster ports").containsExactlyInAnyOrder(7800, 57800);
                assertThat(from)
                        .as("the cluster ports only between warden's own pods")
                        .singleElement()
                        .satisfies(peer -> assertThat(peer).containsOnlyKeys("podSelector"));
            }
        }
        assertThat(rules.stream().flatMap(r -> list(r.get("ports")).stream()).map(p -> (Integer) p.get("port")))
                .contains(HTTP, MANAGEMENT, 7800);
    }
}
