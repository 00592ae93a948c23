package dev.kcwarden.quickstart;

import dev.kcwarden.KeycloakAdvisories;
import dev.kcwarden.example.ResourceServer;
import dev.kcwarden.testing.Pkce;
import dev.kcwarden.testing.TokenEndpoint;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;

/**
 * What {@code ./mvnw -Prun} runs after Maven has built the jar and unpacked the Keycloak distribution: installs the
 * provider jar (with the theme inside) and the demo realm into that distribution, bootstraps a temporary admin, starts
 * Keycloak in dev mode on its embedded database (with health and metrics on the management port), serves the demo app
 * and the example API beside it, and prints where to go once the demo realm answers. Ctrl-C stops all three.
 *
 * <p>It lives with the test sources because it is build tooling, not part of the provider jar.
 */
public final class Quickstart {

    private static final Duration READY_TIMEOUT = Duration.ofMinutes(5);
    private static final String ADMIN_USER = "admin";
    private static final String ADMIN_FILE = "warden-quickstart-admin.properties";
    private static final String AUDIT_KEY = "auditChainKey";
    private static final String DEMO_REDIRECT = "http://localhost:" + DemoApp.DEFAULT_PORT + "/";
    /** Keycloak's management port in dev mode: /metrics and /health live there, not on the HTTP port. */
    static final int MANAGEMENT_PORT = 9000;
    /** Where the example API listens (one of the ports the journey test may use too, so never both at once). */
    static final int DEFAULT_API_PORT = 8680;

    private final KeycloakDistribution keycloak;
    /** The distribution's release, read once from its version.txt. */
    private final String keycloakVersion;

    private final Path providerJar;
    private final RealmFile realm;
    private final int port;
    /** examples/demo-spa, or null: then no demo app is served. */
    private final Path demoApp;

    private final int apiPort;

    Quickstart(KeycloakDistribution keycloak, Path providerJar, RealmFile realm, int port, Path demoApp, int apiPort) {
        this.keycloak = keycloak;
        this.keycloakVersion = keycloak.version();
        this.providerJar = providerJar;
        this.realm = realm;
        this.port = port;
        this.demoApp = demoApp;
        this.apiPort = apiPort;
    }

    public static void main(String[] args) {
        try {
            System.exit(fromArgs(args).run());
        } catch (QuickstartException e) {
            System.err.println("keycloak-warden: " + e.getMessage());
            System.exit(2);
        }
    }

    static Quickstart fromArgs(String[] args) throws QuickstartException {
        Map<String, String> options = parseOptions(args);
        Path home = Path.of(required(options, "keycloak-home"));
        Path jar = Path.of(required(options, "provider-jar"));
        Path realmFile = Path.of(required(options, "realm-file"));
        int port = parsePort(required(options, "http-port"));
        Path demoApp = options.containsKey("demo-app") ? Path.of(options.get("demo-app")) : null;
        int apiPort = options.containsKey("api-port") ? parsePort(options.get("api-port")) : DEFAULT_API_PORT;

        RealmFile realm = RealmFile.read(realmFile);
        KeycloakDistribution keycloak = KeycloakDistribution.at(home);
        if (!Files.isRegularFile(jar)) {
            throw new QuickstartException("provider jar " + jar + " not found; build it with ./mvnw package");
        }
        if (demoApp != null && !Files.isRegularFile(demoApp.resolve("index.html"))) {
            throw new QuickstartException(
                    "demo app folder " + demoApp + " has no index.html; run ./mvnw -Prun from the project folder");
        }
        return new Quickstart(keycloak, jar, realm, port, demoApp, apiPort);
    }

    static Map<String, String> parseOptions(String[] args) throws QuickstartException {
        Map<String, String> options = new HashMap<>();
        for (String arg : args) {
            int eq = arg.indexOf('=');
            if (!arg.startsWith("--") || eq < 3) {
                throw new QuickstartException("unexpected argument '" + arg + "'; expected --name=value");
            }
            options.put(arg.substring(2, eq), arg.substring(eq + 1));
        }
        return options;
    }

    static int parsePort(String value) throws QuickstartException {
        try {
            int port = Integer.parseInt(value.trim());
            if (port < 1 || port > 65535) {
                throw new NumberFormatException();
            }
            return port;
        } catch (NumberFormatException e) {
            throw new QuickstartException("HTTP port '" + value + "' is not a number from 1 to 65535");
        }
    }

    private static String required(Map<String, String> options, String name) throws QuickstartException {
        String value = options.get(name);
        if (value == null || value.isBlank()) {
            throw new QuickstartException("missing --" + name + "=...");
        }
        return value;
    }

    private int run() throws QuickstartException {
        keycloak.install(providerJar, realm.path());
        ensurePortFree();
        String adminPassword = adminPassword();

        System.out.println("keycloak-warden: starting Keycloak " + keycloakVersion + " from " + keycloak.home()
                + " (first start builds for a while)");
        advisoryWarning().ifPresent(System.out::println);
        // The audit chain key goes through the environment, like the admin password; the log also goes to
        // data/log/keycloak.log so that verify-audit has a file to check.
        List<AutoCloseable> beside = startDemoAppAndApi();
        Process server = keycloak.startDev(
                serverOptions(port),
                ADMIN_USER,
                adminPassword,
                java.util.Map.of("KC_SPI_EVENTS_LISTENER__WARDEN_AUDIT__CHAIN_KEY", stored(AUDIT_KEY)),
                ProcessBuilder.Redirect.INHERIT);
        Runtime.getRuntime()
                .addShutdownHook(new Thread(
                        () -> {
                            KeycloakDistribution.stop(server);
                            beside.forEach(Quickstart::closeQuietly);
                        },
                        "warden-quickstart-stop"));

        if (!KeycloakDistribution.awaitOk(server, realmUrl() + "/.well-known/openid-configuration", READY_TIMEOUT)) {
            if (!server.isAlive()) {
                throw new QuickstartException("Keycloak exited with code " + server.exitValue() + " before the realm '"
                        + realm.name() + "' was ready; its log is above");
            }
            throw new QuickstartException("realm '" + realm.name() + "' did not answer within "
                    + READY_TIMEOUT.toMinutes() + " minutes; Keycloak's log is above");
        }
        guardMasterRealm(adminPassword);
        System.out.println(banner(adminPassword));
        try {
            return server.waitFor();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return 130;
        }
    }

    /**
     * What {@code kc.sh start-dev} gets: the HTTP port, the log also to a file (verify-audit needs one), and health and
     * metrics on the management port, so warden's counters show on /metrics without a setting to find first (user event
     * metrics too: Keycloak's own login and sign-up counts beside warden's).
     */
    static List<String> serverOptions(int port) {
        return List.of(
                "--http-port=" + port,
                "--log=console,file",
                "--health-enabled=true",
                "--metrics-enabled=true",
                "--event-metrics-user-enabled=true");
    }

    /**
     * The demo app on {@link DemoApp#DEFAULT_PORT} (the origin the realm's demo-spa client allows) and the example API,
     * which trusts the realm's tokens for demo-api and lets the demo app's origin call it. Started before Keycloak, so
     * a port in use stops the quickstart at once; the API fetches the realm's keys only when the first token arrives.
     */
    private List<AutoCloseable> startDemoAppAndApi() throws QuickstartException {
        if (demoApp == null) {
            return List.of();
        }
        ResourceServer api;
        try {
            api = new ResourceServer(ResourceServer.Settings.forRealm(realmUrl(), "demo-api", apiPort)
                            .withAllowedOrigins(java.util.Set.of(DemoApp.origin(DEMO_REDIRECT))))
                    .start();
        } catch (IOException e) {
            throw new QuickstartException("port " + apiPort + " for the example API is in use (" + e.getMessage()
                    + "); stop what holds it, or run ./mvnw -Prun -Dwarden.run.api-port=<free port>");
        }
        try {
            DemoApp app = new DemoApp(demoApp, DemoApp.DEFAULT_PORT, realmUrl(), "demo-spa", apiUrl()).start();
            return List.of(app, api);
        } catch (QuickstartException e) {
            api.close();
            throw e;
        }
    }

    private static void closeQuietly(AutoCloseable closeable) {
        try {
            closeable.close();
        } catch (Exception e) {
            // stopping anyway
        }
    }

    private String apiUrl() {
        return "http://127.0.0.1:" + apiPort;
    }

    /**
     * The admin console's own login (realm master) gets warden's guard too: an unguarded master realm would be the one
     * place left where passwords can be guessed without limit.
     */
    private void guardMasterRealm(String adminPassword) {
        try (org.keycloak.admin.client.Keycloak admin = org.keycloak.admin.client.Keycloak.getInstance(
                "http://localhost:" + port, "master", ADMIN_USER, adminPassword, "admin-cli")) {
            MasterRealmGuard.apply(admin.realm("master"));
            System.out.println(
                    "keycloak-warden: the master realm's logins (admin console, kcadm.sh) use warden's guarded flows '"
                            + MasterRealmGuard.BROWSER + "' and '" + MasterRealmGuard.DIRECT_GRANT + "'");
        } catch (RuntimeException e) {
            System.out.println(
                    "keycloak-warden: WARNING: could not bind warden's flows in the master realm (" + e.getMessage()
                            + "); its logins are not throttled. See docs/installation.md, 'Guard the master realm'.");
        }
    }

    private void ensurePortFree() throws QuickstartException {
        if (!KeycloakDistribution.isPortFree(port)) {
            throw new QuickstartException("port " + port + " is already in use; stop what holds it, or run "
                    + "./mvnw -Prun -Dwarden.run.http-port=<free port>");
        }
    }

    /**
     * Keycloak creates the temporary admin only on the first start of a fresh database, so the password is kept beside
     * that database (owner-readable only) and shown again on later runs.
     */
    private String adminPassword() throws QuickstartException {
        return stored("password");
    }

    /** A random secret kept in the quickstart's properties file (created with all of them on first use). */
    private String stored(String key) throws QuickstartException {
        Path file = keycloak.home().resolve("data").resolve(ADMIN_FILE);
        Properties properties = new Properties();
        try {
            if (Files.isRegularFile(file)) {
                try (InputStream in = Files.newInputStream(file)) {
                    properties.load(in);
                }
                String stored = properties.getProperty(key);
                if (stored != null && !stored.isBlank()) {
                    return stored;
                }
            }
            properties.setProperty("username", ADMIN_USER);
            properties.putIfAbsent("password", randomAlphanumeric(24));
            properties.putIfAbsent(AUDIT_KEY, randomAlphanumeric(32));
            Files.deleteIfExists(file);
            Files.createFile(file);
            restrictToOwner(file);
            try (OutputStream out = Files.newOutputStream(file)) {
                properties.store(
                        out,
                        "Temporary admin and audit chain key of the keycloak-warden quickstart (dev database only)");
            }
            return properties.getProperty(key);
        } catch (IOException e) {
            throw new QuickstartException("cannot keep the quickstart secrets in " + file + ": " + e.getMessage());
        }
    }

    private static void restrictToOwner(Path file) throws IOException {
        try {
            Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-------"));
        } catch (UnsupportedOperationException e) {
            // Not a POSIX file system (Windows): the file stays under target/, readable by the user only by default.
        }
    }

    String banner(String adminPassword) {
        String base = "http://localhost:" + port;
        String verifier = Pkce.newVerifier();
        TokenEndpoint endpoints = new TokenEndpoint(realmUrl());
        String login = endpoints.authorizationUrl("demo-spa", DEMO_REDIRECT, verifier, Pkce.randomToken(12));
        StringBuilder out = new StringBuilder();
        String rule = "=".repeat(78);
        out.append('\n').append(rule).append('\n');
        out.append(" keycloak-warden is running: Keycloak ")
                .append(keycloakVersion)
                .append(" with realm '")
                .append(realm.name())
                .append("'\n\n");
        if (demoApp != null) {
            out.append(" Demo app         ")
                    .append(DEMO_REDIRECT)
                    .append("   (sign up or sign in, see the token claims, call the API, refresh, sign out)\n");
            out.append(" Example API      ")
                    .append(apiUrl())
                    .append("/api/hello")
                    .append("   (accepts the realm's access tokens for demo-api)\n");
        }
        out.append(" Metrics          http://localhost:")
                .append(MANAGEMENT_PORT)
                .append("/metrics")
                .append("   (warden_* and Keycloak's counters; health: http://localhost:")
                .append(MANAGEMENT_PORT)
                .append("/health/ready)\n\n");
        out.append(" Admin console    ")
                .append(base)
                .append("/admin/master/console/#/")
                .append(realm.name())
                .append('\n');
        out.append("   temporary admin  ")
                .append(ADMIN_USER)
                .append(" / ")
                .append(adminPassword)
                .append("   (dev database only)\n");
        out.append(" Account console  ").append(realmUrl()).append("/account\n");
        realm.demoLogin()
                .ifPresent(user -> out.append("   demo user        ")
                        .append(user[0])
                        .append(" / ")
                        .append(user[1])
                        .append("   (quickstart only)\n"));
        out.append(" Log in to demo-spa (authorization code + PKCE):\n   ")
                .append(login)
                .append('\n');
        out.append("   after login the browser lands on ")
                .append(DEMO_REDIRECT)
                .append("?...&code=CODE; exchange it within 60 s:\n");
        out.append("   curl -s ")
                .append(endpoints.tokenUrl())
                .append(" -d grant_type=authorization_code")
                .append(" -d client_id=demo-spa -d redirect_uri=")
                .append(DEMO_REDIRECT)
                .append(" -d code_verifier=")
                .append(verifier)
                .append(" -d code=CODE\n\n");
        out.append(" Stop with Ctrl-C.\n");
        advisoryWarning().ifPresent(warning -> out.append('\n').append(warning).append('\n'));
        out.append(rule).append('\n');
        return out.toString();
    }

    /**
     * Said before the start and again in the banner when someone runs {@code -Dkeycloak.version=} an older release: the
     * quickstart still starts it (to reproduce a problem, say), but never silently.
     */
    private Optional<String> advisoryWarning() {
        return KeycloakAdvisories.warning(keycloakVersion)
                .map(warning ->
                        " WARNING: " + warning + "\n   Do not expose this server. Run the default: ./mvnw -Prun "
                                + "(keycloak.version in pom.xml).");
    }

    private String realmUrl() {
        return "http://localhost:" + port + "/realms/" + URLEncoder.encode(realm.name(), StandardCharsets.UTF_8);
    }

    /** Letters and digits only, so the password never starts with '-' or needs quoting in a shell. */
    private static String randomAlphanumeric(int length) {
        String alphabet = "ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz23456789";
        SecureRandom random = new SecureRandom();
        StringBuilder out = new StringBuilder(length);
        for (int i = 0; i < length; i++) {
            out.append(alphabet.charAt(random.nextInt(alphabet.length())));
        }
        return out.toString();
    }
}
