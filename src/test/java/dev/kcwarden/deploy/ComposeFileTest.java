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
    @DisplayName("the Dockerfile builds on the official image at keycloak.version, and compose names the image after "
            + "warden's version")
    void imageIsThePinnedKeycloak() throws IOException {
        String dockerfile = Files.readString(Path.of("Dockerfile"));
        List<String> bases = new ArrayList<>();
        Matcher m = FROM.matcher(dockerfile);
        while (m.find()) {
            bases.add(m.group(1));
        }
        assertThat(bases)
                .as("every FROM of the Dockerfile")
                .isNotEmpty()
                // a digest after the tag (docs/operations.md says how to read it) pins the content, not only the name
                .allSatisfy(base -> assertThat(base)
                        .matches(Pattern.quote("quay.io/keycloak/keycloak:" + keycloakVersion())
                                + "(@sha256:[0-9a-f]{64})?"));
        for (String node : List.of("keycloak-1", "keycloak-2")) {
            assertThat(service(node).get("image"))
                    .as("%s's image", node)
                    .isEqualTo("keycloak-warden:" + System.getProperty("warden.version"));
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
        assertThat(Files.readString(Path.of("Dockerfile")))
                .contains("COPY --chown=keycloak:keycloak " + jar + " /opt/keycloak/providers/")
                .contains("RUN /opt/keycloak/bin/kc.sh build")
                .contains("KC_HEALTH_ENABLED=true")
                .contains("KC_METRICS_ENABLED=true")
                .contains("KC_DB=postgres")
                .contains("\"start\", \"--optimized\"");
        assertThat(Files.readAllLines(Path.of(".dockerignore")).stream()
                        .filter(l -> !l.isBlank() && !l.startsWith("#")))
                .containsExactly("*", "!" + jar);
    }

    @Test
    @DisplayName("every host path that compose mounts exists in the repository; the one from a variable is the TLS "
            + "directory, outside git")
    void mountedPathsExist() throws IOException {
        Set<String> mounted = bindMounts();
        assertThat(mounted).as("bind mounts").isNotEmpty().allSatisfy(path -> {
            assertThat(path).as("a bind mount inside the repository").startsWith("./");
            assertThat(Path.of(path)).as("mounted by docker-compose.yml").exists();
        });
        assertThat(mounted)
                .contains(
                        "./deploy/realm/warden-realm.json",
                        "./deploy/nginx/keycloak-proxy.conf",
                        "./deploy/nginx/keycloak-public.conf",
                        "./monitoring/prometheus/warden-alerts.yml",
                        "./monitoring/grafana/warden-dashboard.json");
        List<String> fromVariables = services.values().stream()
                .flatMap(d -> volumesOf(d).stream())
                .filter(v -> v.startsWith("$"))
                .toList();
        assertThat(fromVariables)
                .as("mounts whose source is a variable")
                .containsExactly("${WARDEN_TLS_DIR:?set WARDEN_TLS_DIR in .env, the directory that holds tls.crt and "
                        + "tls.key}:/etc/nginx/tls:ro");
        String tlsDir = envExample().get("WARDEN_TLS_DIR");
        assertThat(tlsDir).as("WARDEN_TLS_DIR in .env.example").isEqualTo("./tls");
        assertThat(Files.readString(Path.of(".gitignore")))
                .as("the TLS key's directory is never committed")
                .containsPattern("(?m)^/tls/$");
    }

    /** Host paths of the bind mounts that name a file of the repository. */
    private static Set<String> bindMounts() {
        Set<String> mounted = new LinkedHashSet<>();
        services.forEach((name, definition) -> volumesOf(definition).stream()
                .filter(v -> v.startsWith("./") || v.startsWith("/"))
                .forEach(v -> mounted.add(v.split(":")[0])));
        return mounted;
    }

    private static Map<String, String> envExample() throws IOException {
        Map<String, String> example = new LinkedHashMap<>();
        for (String line : Files.readAllLines(Path.of(".env.example"))) {
            if (!line.isBlank() && !line.startsWith("#")) {
                int eq = line.indexOf('=');
                example.put(line.substring(0, eq), line.substring(eq + 1));
            }
        }
        return example;
    }

    @SuppressWarnings("unchecked")
    private static List<String> volumesOf(Object service) {
        Object volumes = ((Map<String, Object>) service).get("volumes");
        return volumes == null
                ? List.of()
                : ((List<Object>) volumes).stream().map(String::valueOf).toList();
    }

    private static final Pattern SECRET_NAME = Pattern.compile("PASSWORD|SECRET|(^|_)KEY($|_)|(^|_)TOKEN($|_)");

    @Test
    @DisplayName("every ${VAR} of compose is in .env.example, whose secrets are empty; every secret compose sets is "
            + "a required ${VAR:?...}")
    void variablesAreInTheExample() throws IOException {
        Set<String> used = new TreeSet<>();
        Matcher m = VARIABLE.matcher(compose);
        while (m.find()) {
            used.add(m.group(1));
        }
        Map<String, String> example = envExample();
        assertThat(used).as("variables docker-compose.yml reads").isNotEmpty();
        assertThat(example.keySet()).as(".env.example").containsAll(used);
        example.forEach((name, value) -> {
            if (SECRET_NAME.matcher(name).find()) {
                assertThat(value)
                        .as("%s in .env.example is empty, so compose refuses to start until it is set", name)
                        .isEmpty();
            }
        });
        // a secret written into compose itself (a literal instead of a required variable) is refused too
        Matcher setting = Pattern.compile("(?m)^\\s+([A-Z0-9_]+):\\s*(.*)$").matcher(compose);
        while (setting.find()) {
            if (SECRET_NAME.matcher(setting.group(1)).find()) {
                assertThat(setting.group(2))
                        .as("%s in docker-compose.yml", setting.group(1))
                        .matches("\\$\\{[A-Z0-9_]+:\\?.+\\}");
            }
        }
        assertThat(Files.readString(Path.of(".gitignore")))
                .as("a filled-in .env is never committed")
                .containsPattern("(?m)^\\.env$");
    }

    /** Every published port as "host address:host port" (address 0.0.0.0 when compose names none) to its service. */
    @SuppressWarnings("unchecked")
    private static Map<String, String> publishedPorts() {
        Map<String, String> published = new LinkedHashMap<>();
        services.forEach((name, definition) -> {
            Object ports = ((Map<String, Object>) definition).get("ports");
            if (ports != null) {
                for (Object port : (List<Object>) ports) {
                    String[] parts = String.valueOf(port).split(":");
                    assertThat(parts)
                            .as("port %s of %s: [address:]host:container", port, name)
                            .hasSizeBetween(2, 3);
                    published.put(parts.length == 3 ? parts[0] + ":" + parts[1] : "0.0.0.0:" + parts[0], name);
                }
            }
        });
        return published;
    }

    @Test
    @DisplayName("only nginx's 80 and 443 are public; the admin listener, Prometheus and Grafana are bound to the "
            + "host's 127.0.0.1")
    void onlyTheBalancerIsPublic() {
        assertThat(publishedPorts())
                .containsExactlyInAnyOrderEntriesOf(Map.of(
                        "0.0.0.0:80",
                        "nginx",
                        "0.0.0.0:443",
                        "nginx",
                        "127.0.0.1:9080",
                        "nginx",
                        "127.0.0.1:9090",
                        "prometheus",
                        "127.0.0.1:3000",
                        "grafana"));
    }

    @Test
    @DisplayName("the ports compose publishes are the ones docs/operations.md lists, and only nginx reaches Keycloak")
    void portsMatchTheDocs() throws IOException {
        Map<String, String> published = new LinkedHashMap<>();
        publishedPorts()
                .forEach((address, service) ->
                        published.put(address.startsWith("0.0.0.0:") ? address.substring(8) : address, service));
        assertThat(published)
                .containsEntry("443", "nginx")
                .doesNotContainValue("keycloak-1")
                .doesNotContainValue("keycloak-2");
        String docs = Files.readString(Path.of("docs", "operations.md"));
        Matcher row = Pattern.compile("(?m)^\\s*\\| `((?:127\\.0\\.0\\.1:)?\\d+)` \\| `([a-z0-9-]+)` \\|")
                .matcher(docs);
        Map<String, String> documented = new LinkedHashMap<>();
        while (row.find()) {
            documented.put(row.group(1), row.group(2));
        }
        assertThat(documented)
                .as("the published-ports table of docs/operations.md")
                .isEqualTo(published);
    }

    @Test
    @DisplayName("nginx overwrites X-Forwarded-For, and the nodes trust only nginx's address")
    @SuppressWarnings("unchecked")
    void proxyCannotBeForged() throws IOException {
        String rules = Files.readString(Path.of("deploy", "nginx", "keycloak-proxy.conf"));
        assertThat(rules)
                .containsPattern("(?m)^proxy_set_header X-Forwarded-For\\s+\\$remote_addr;")
                .containsPattern("(?m)^proxy_set_header X-Real-IP\\s+\\$remote_addr;")
                .containsPattern("(?m)^proxy_set_header X-Forwarded-Ssl\\s+\"\";")
                .containsPattern("(?m)^proxy_set_header Forwarded\\s+\"\";")
                .doesNotContainPattern("(?m)^[^#]*\\$proxy_add_x_forwarded_for");
        Matcher retry = Pattern.compile("(?m)^proxy_next_upstream\\s+([^;]+);").matcher(rules);
        assertThat(retry.find()).isTrue();
        assertThat(retry.group(1).trim())
                .as("only failed connections are retried: no timeout, never non_idempotent")
                .isEqualTo("error");
        String conf = Files.readString(Path.of("deploy", "nginx", "nginx.conf"));
        assertThat(conf).contains("include keycloak-public.conf;", "include keycloak-proxy.conf;");
        assertThat(Files.readString(Path.of("deploy", "nginx", "keycloak-public.conf")))
                .contains("include keycloak-proxy.conf;");
        String address = addressOf("nginx");
        for (String node : List.of("keycloak-1", "keycloak-2")) {
            Map<String, Object> env = (Map<String, Object>) service(node).get("environment");
            assertThat(env)
                    .as("%s's environment", node)
                    .containsEntry("KC_PROXY_HEADERS", "xforwarded")
                    .containsEntry("KC_PROXY_TRUSTED_ADDRESSES", address + "/32");
            // nginx reaches the nodes by their fixed addresses, never by a name it would resolve only once
            assertThat(conf).containsPattern("(?m)^\\s+server " + Pattern.quote(addressOf(node)) + ":8080 ");
        }
        assertThat(conf).doesNotContainPattern("(?m)^\\s+server [a-z]");
    }

    @SuppressWarnings("unchecked")
    private static String addressOf(String service) {
        Map<String, Object> networks = (Map<String, Object>) service(service).get("networks");
        return String.valueOf(((Map<String, Object>) networks.get("warden")).get("ipv4_address"));
    }

    @Test
    @DisplayName("TLS ends at nginx: 443 with the mounted certificate and HSTS, 80 only redirects, the public "
            + "listener proxies nothing of /admin/")
    void tlsAtTheBalancer() throws IOException {
        String conf = Files.readString(Path.of("deploy", "nginx", "nginx.conf"));
        List<String> servers = List.of(conf.split("(?m)^\\s+server \\{"));
        String https = servers.stream()
                .filter(b -> b.contains("listen 443 ssl;"))
                .findFirst()
                .orElseThrow();
        assertThat(https)
                .contains(
                        "ssl_certificate     tls/tls.crt;",
                        "ssl_certificate_key tls/tls.key;",
                        "include keycloak-public.conf;")
                .containsPattern("add_header Strict-Transport-Security \"max-age=\\d{8,}\" always;")
                .doesNotContain("proxy_pass");
        String plain = servers.stream()
                .filter(b -> b.contains("listen 80;"))
                .findFirst()
                .orElseThrow();
        assertThat(plain)
                .contains("return 301 https://$host$request_uri;")
                .doesNotContain("proxy_pass")
                .doesNotContain("include");
        String admin = servers.stream()
                .filter(b -> b.contains("listen 9080;"))
                .findFirst()
                .orElseThrow();
        assertThat(admin).contains("proxy_pass http://keycloak;");
        String publicRules = Files.readString(Path.of("deploy", "nginx", "keycloak-public.conf"));
        assertThat(publicRules).doesNotContain("location /admin").contains("location / {\n    return 404;\n}");
        Map<String, String> env = envExample();
        assertThat(env.get("KC_HOSTNAME")).as("the public URL").startsWith("https://");
        assertThat(env.get("KC_HOSTNAME_ADMIN"))
                .as("the admin URL is the loopback admin listener")
                .isEqualTo("http://127.0.0.1:9080");
        assertThat(Files.readString(Path.of(".dockerignore")))
                .as("the image never carries the key")
                .doesNotContain("tls");
    }

    /**
     * Files under the repository that git would see: everything but build output, git's own and ignored local files.
     */
    private static List<Path> repositoryFiles() throws IOException {
        try (java.util.stream.Stream<Path> all = Files.walk(Path.of("."))) {
            return all.filter(Files::isRegularFile)
                    .filter(p -> !p.startsWith("./target")
                            && !p.startsWith("./.git")
                            && !p.startsWith("./tls")
                            && !p.startsWith("./node_modules")
                            && !p.toString().contains("/node_modules/")
                            && !p.toString().equals("./.env"))
                    .toList();
        }
    }

    @Test
    @DisplayName("no private key is committed anywhere in the repository")
    void noPrivateKeyCommitted() throws IOException {
        for (Path file : repositoryFiles()) {
            byte[] bytes = Files.readAllBytes(file);
            String text = new String(bytes, java.nio.charset.StandardCharsets.ISO_8859_1);
            // a header followed by key material (tests that build a PEM at run time only carry the header)
            assertThat(text)
                    .as("%s", file)
                    .doesNotContainPattern("-----BEGIN ([A-Z]+ )?PRIVATE KEY-----\\s*[A-Za-z0-9+/]{40,}");
        }
    }

    @Test
    @DisplayName("the realm compose imports is the demo realm without its users, and no committed credential reaches "
            + "any file compose mounts")
    @SuppressWarnings("unchecked")
    void noCommittedCredentialReachesProduction() throws IOException {
        com.fasterxml.jackson.databind.ObjectMapper json = new com.fasterxml.jackson.databind.ObjectMapper();
        com.fasterxml.jackson.databind.node.ObjectNode demo = (com.fasterxml.jackson.databind.node.ObjectNode)
                json.readTree(Path.of("realm-export", "warden-realm.json").toFile());
        com.fasterxml.jackson.databind.JsonNode prod =
                json.readTree(Path.of("deploy", "realm", "warden-realm.json").toFile());

        // every credential the repository commits: the demo realm's user passwords, any secret in it, the CI dummies
        Set<String> committed = new TreeSet<>();
        demo.path("users")
                .forEach(u -> u.path("credentials")
                        .forEach(c -> committed.add(c.path("value").asText())));
        demo.findValues("secret").forEach(v -> committed.add(v.asText()));
        for (String line : Files.readAllLines(Path.of(".ci", "compose-check.env"))) {
            int eq = line.indexOf('=');
            if (!line.startsWith("#")
                    && eq > 0
                    && SECRET_NAME.matcher(line.substring(0, eq)).find()) {
                committed.add(line.substring(eq + 1));
            }
        }
        committed.removeIf(String::isBlank);
        assertThat(committed)
                .as("the demo user's password is among them")
                .contains(dev.kcwarden.testing.DemoRealm.DEMO_PASSWORD);

        com.fasterxml.jackson.databind.node.ObjectNode expected = demo.deepCopy();
        expected.remove("users");
        assertThat(prod)
                .as("deploy/realm/warden-realm.json is realm-export's realm minus its users: run scripts/prod-realm.sh")
                .isEqualTo(expected);
        assertThat(prod.findValues("credentials"))
                .as("credentials in the production realm")
                .isEmpty();
        assertThat(prod.has("users")).isFalse();

        assertThat(((List<String>) service("keycloak-1").get("volumes")))
                .as("keycloak-1 imports the production copy, not the demo realm")
                .noneMatch(v -> v.startsWith("./realm-export/"));
        for (String mount : bindMounts()) {
            List<Path> files;
            try (java.util.stream.Stream<Path> walk = Files.walk(Path.of(mount))) {
                files = walk.filter(Files::isRegularFile).toList();
            }
            for (Path file : files) {
                String text = Files.readString(file);
                assertThat(committed)
                        .as("committed credentials in %s, which compose mounts", file)
                        .noneMatch(text::contains);
            }
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
        assertThat(volumesOf(one))
                .filteredOn(v -> v.endsWith(":/opt/keycloak/data/warden"))
                .singleElement()
                .asString()
                .startsWith("keycloak-1-");
        assertThat(volumesOf(two))
                .filteredOn(v -> v.endsWith(":/opt/keycloak/data/warden"))
                .singleElement()
                .asString()
                .startsWith("keycloak-2-");
        for (Map<String, Object> node : List.of(one, two)) {
            assertThat((Map<String, Object>) node.get("environment"))
                    .containsEntry("KC_SPI_CACHE_EMBEDDED__DEFAULT__ACTION_TOKENS_OWNERS", "2");
        }
        assertThat((List<String>) service("prometheus").get("profiles")).containsExactly("monitoring");
        assertThat((List<String>) service("grafana").get("profiles")).containsExactly("monitoring");
    }
}
