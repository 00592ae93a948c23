package dev.kcwarden.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.yaml.snakeyaml.Yaml;

/**
 * No container engine runs on the build machines, so docker-compose.yml and the Dockerfile are checked statically
 * against the project (besides {@code docker-compose config} in .ci/run): the Keycloak they run is the pom's
 * {@code keycloak.version}, every host path they mount exists, every variable they read is in .env.example with a
 * placeholder value, and the ports they publish are the ones docs/operations.md lists.
 */
@DisplayName("docker-compose.yml and the Dockerfile match the project")
class ComposeFileTest {

    private static final Pattern VARIABLE = Pattern.compile("\\$\\{([A-Za-z_][A-Za-z0-9_]*)[^}]*}");
    private static final Pattern FROM = Pattern.compile("(?m)^FROM\\s+(\\S+)");

    private static String compose;
    private static Map<String, Object> services;

    @BeforeAll
    @SuppressWarnings("unchecked")
    static void read() throws IOException {
        compose = Files.readString(Path.of("docker-compose.yml"));
        Map<String, Object> root = new Yaml().load(compose);
        services = (Map<String, Object>) root.get("services");
    }

    private static String keycloakVersion() {
        String version = System.getProperty("keycloak.version");
        assertThat(version).as("surefire passes the pom's keycloak.version").isNotBlank();
        return version;
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> service(String name) {
        Map<String, Object> service = (Map<String, Object>) services.get(name);
        assertThat(service).as("service %s in docker-compose.yml", name).isNotNull();
        return service;
    }

    @Test
    @DisplayName("the Dockerfile builds on the official image at keycloak.version, and compose names the image after it")
    void imageIsThePinnedKeycloak() throws IOException {
        String dockerfile = Files.readString(Path.of("Dockerfile"));
        List<String> bases = new ArrayList<>();
        Matcher m = FROM.matcher(dockerfile);
        while (m.find()) {
            bases.add(m.group(1));
        }
        assertThat(bases).as("every FROM of the Dockerfile").isNotEmpty()
                .allSatisfy(base -> assertThat(base).isEqualTo("quay.io/keycloak/keycloak:" + keycloakVersion()));
        for (String node : List.of("keycloak-1", "keycloak-2")) {
            assertThat(service(node).get("image")).as("%s's image", node).isEqualTo("keycloak-warden:" + keycloakVersion());
            assertThat(service(node)).containsKey("build");
        }
    }

    @Test
    @DisplayName("the Dockerfile copies the jar the build writes, and .dockerignore lets exactly that in")
    void dockerfileCopiesTheBuiltJar() throws IOException {
        String pom = Files.readString(Path.of("pom.xml"));
        Matcher finalName = Pattern.compile("<finalName>([^<]+)</finalName>").matcher(pom);
        assertThat(finalName.find()).isTrue();
        String jar = "target/" + finalName.group(1) + ".jar";
        assertThat(Files.readString(Path.of("Dockerfile"))).contains("COPY --chown=keycloak:keycloak " + jar + " /opt/keycloak/providers/")
                .contains("RUN /opt/keycloak/bin/kc.sh build").contains("KC_HEALTH_ENABLED=true").contains("KC_METRICS_ENABLED=true")
                .contains("KC_DB=postgres").contains("\"start\", \"--optimized\"");
        assertThat(Files.readAllLines(Path.of(".dockerignore")).stream().filter(l -> !l.isBlank() && !l.startsWith("#")))
                .containsExactly("*", "!" + jar);
    }

    @Test
    @DisplayName("every host path that compose mounts exists in the repository")
    void mountedPathsExist() {
        Set<String> mounted = new LinkedHashSet<>();
        services.forEach((name, definition) -> volumesOf(definition).stream()
                .filter(v -> v.startsWith("./") || v.startsWith("/"))
                .forEach(v -> mounted.add(v.split(":")[0])));
        assertThat(mounted).as("bind mounts").isNotEmpty().allSatisfy(path -> {
            assertThat(path).as("a bind mount inside the repository").startsWith("./");
            assertThat(Path.of(path)).as("mounted by docker-compose.yml").exists();
        });
        assertThat(mounted).contains("./realm-export/warden-realm.json", "./deploy/nginx/keycloak-proxy.conf",
                "./monitoring/prometheus/warden-alerts.yml", "./monitoring/grafana/warden-dashboard.json");
    }

    @SuppressWarnings("unchecked")
    private static List<String> volumesOf(Object service) {
        Object volumes = ((Map<String, Object>) service).get("volumes");
        return volumes == null ? List.of() : ((List<Object>) volumes).stream().map(String::valueOf).toList();
    }

    private static final Pattern SECRET_NAME = Pattern.compile("PASSWORD|SECRET|(^|_)KEY($|_)|(^|_)TOKEN($|_)");

    @Test
    @DisplayName("every ${VAR} of compose is in .env.example, whose secrets are empty; every secret compose sets is a required ${VAR:?...}")
    void variablesAreInTheExample() throws IOException {
        Set<String> used = new TreeSet<>();
        Matcher m = VARIABLE.matcher(compose);
        while (m.find()) {
            used.add(m.group(1));
        }
        Map<String, String> example = new LinkedHashMap<>();
        for (String line : Files.readAllLines(Path.of(".env.example"))) {
            if (!line.isBlank() && !line.startsWith("#")) {
                int eq = line.indexOf('=');
                example.put(line.substring(0, eq), line.substring(eq + 1));
            }
        }
        assertThat(used).as("variables docker-compose.yml reads").isNotEmpty();
        assertThat(example.keySet()).as(".env.example").containsAll(used);
        example.forEach((name, value) -> {
            if (SECRET_NAME.matcher(name).find()) {
                assertThat(value).as("%s in .env.example is empty, so compose refuses to start until it is set", name).isEmpty();
            }
        });
        // a secret written into compose itself (a literal instead of a required variable) is refused too
        Matcher setting = Pattern.compile("(?m)^\\s+([A-Z0-9_]+):\\s*(.*)$").matcher(compose);
        while (setting.find()) {
            if (SECRET_NAME.matcher(setting.group(1)).find()) {
                assertThat(setting.group(2)).as("%s in docker-compose.yml", setting.group(1)).matches("\\$\\{[A-Z0-9_]+:\\?.+\\}");
            }
        }
        assertThat(Files.readString(Path.of(".gitignore"))).as("a filled-in .env is never committed").containsPattern("(?m)^\\.env$");
    }

    @Test
    @DisplayName("the ports compose publishes are the ones docs/operations.md lists, and only nginx reaches Keycloak")
    @SuppressWarnings("unchecked")
    void portsMatchTheDocs() throws IOException {
        Map<String, String> published = new LinkedHashMap<>();
        services.forEach((name, definition) -> {
            Object ports = ((Map<String, Object>) definition).get("ports");
            if (ports != null) {
                for (Object port : (List<Object>) ports) {
                    published.put(String.valueOf(port).split(":")[0], name);
                }
            }
        });
        assertThat(published).containsEntry("8080", "nginx").doesNotContainValue("keycloak-1").doesNotContainValue("keycloak-2");
        String docs = Files.readString(Path.of("docs", "operations.md"));
        Matcher row = Pattern.compile("(?m)^\\s*\\| `(\\d+)` \\| `([a-z0-9-]+)` \\|").matcher(docs);
        Map<String, String> documented = new LinkedHashMap<>();
        while (row.find()) {
            documented.put(row.group(1), row.group(2));
        }
        assertThat(documented).as("the published-ports table of docs/operations.md").isEqualTo(published);
    }

    @Test
    @DisplayName("nginx overwrites X-Forwarded-For, and the nodes trust only nginx's address")
    @SuppressWarnings("unchecked")
    void proxyCannotBeForged() throws IOException {
        String rules = Files.readString(Path.of("deploy", "nginx", "keycloak-proxy.conf"));
        assertThat(rules).containsPattern("(?m)^proxy_set_header X-Forwarded-For\\s+\\$remote_addr;")
                .doesNotContain("$proxy_add_x_forwarded_for;\n");
        assertThat(Files.readString(Path.of("deploy", "nginx", "nginx.conf"))).contains("include /etc/nginx/keycloak-proxy.conf;");
        Map<String, Object> nginx = service("nginx");
        Map<String, Object> networks = (Map<String, Object>) nginx.get("networks");
        String address = String.valueOf(((Map<String, Object>) networks.get("warden")).get("ipv4_address"));
        for (String node : List.of("keycloak-1", "keycloak-2")) {
            Map<String, Object> env = (Map<String, Object>) service(node).get("environment");
            assertThat(env).as("%s's environment", node).containsEntry("KC_PROXY_HEADERS", "xforwarded")
                    .containsEntry("KC_PROXY_TRUSTED_ADDRESSES", address + "/32");
        }
    }

    @Test
    @DisplayName("two nodes of one cluster, the realm imported by one, each with its own audit state volume")
    @SuppressWarnings("unchecked")
    void twoNodesImportOnce() {
        Map<String, Object> one = service("keycloak-1");
        Map<String, Object> two = service("keycloak-2");
        assertThat((List<String>) one.get("command")).containsExactly("start", "--optimized", "--import-realm");
        assertThat((List<String>) two.get("command")).containsExactly("start", "--optimized");
        assertThat(volumesOf(two)).noneMatch(v -> v.contains("data/import"));
        assertThat(volumesOf(one)).filteredOn(v -> v.endsWith(":/opt/keycloak/data/warden")).singleElement().asString().startsWith("keycloak-1-");
        assertThat(volumesOf(two)).filteredOn(v -> v.endsWith(":/opt/keycloak/data/warden")).singleElement().asString().startsWith("keycloak-2-");
        for (Map<String, Object> node : List.of(one, two)) {
            assertThat((Map<String, Object>) node.get("environment")).containsEntry("KC_SPI_CACHE_EMBEDDED__DEFAULT__ACTION_TOKENS_OWNERS", "2");
        }
        assertThat((List<String>) service("prometheus").get("profiles")).containsExactly("monitoring");
        assertThat((List<String>) service("grafana").get("profiles")).containsExactly("monitoring");
    }
}
