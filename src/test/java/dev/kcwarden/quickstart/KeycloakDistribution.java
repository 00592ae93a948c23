package dev.kcwarden.quickstart;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * An unpacked Keycloak distribution that warden is installed into and started from, the way an operator does it: jar
 * into {@code providers/}, realm file into {@code data/import/}, {@code kc.sh start-dev}. Used by the quickstart and by
 * the smoke test on the oldest supported Keycloak.
 */
public final class KeycloakDistribution {

    private final Path home;

    private KeycloakDistribution(Path home) {
        this.home = home;
    }

    /** The distribution unpacked at {@code home}; refuses a folder without {@code bin/kc.sh}. */
    public static KeycloakDistribution at(Path home) throws QuickstartException {
        KeycloakDistribution distribution = new KeycloakDistribution(home);
        if (!Files.isRegularFile(distribution.launcher())) {
            throw new QuickstartException(
                    "Keycloak distribution missing: " + distribution.launcher() + " not found; run "
                            + "./mvnw clean -Prun to unpack org.keycloak:keycloak-quarkus-dist again (fetched "
                            + "once, then offline)");
        }
        return distribution;
    }

    public Path home() {
        return home;
    }

    /**
     * The release this distribution is, from the {@code version.txt} every Keycloak zip carries ({@code Keycloak -
     * Version 26.7.5}); {@code "unknown"} when the file is missing or says something else.
     */
    public String version() {
        try {
            String text = Files.readString(home.resolve("version.txt")).strip();
            int at = text.lastIndexOf(' ');
            String version = text.substring(at + 1);
            return text.startsWith("Keycloak") && !version.isEmpty() ? version : "unknown";
        } catch (IOException | RuntimeException e) {
            return "unknown";
        }
    }

    /** Copies the provider jar to {@code providers/} and the realm file to {@code data/import/}. */
    public void install(Path providerJar, Path realmFile) throws QuickstartException {
        try {
            Path providers = Files.createDirectories(home.resolve("providers"));
            Files.copy(providerJar, providers.resolve("keycloak-warden.jar"), StandardCopyOption.REPLACE_EXISTING);
            Path imports = Files.createDirectories(home.resolve("data").resolve("import"));
            Files.copy(realmFile, imports.resolve(realmFile.getFileName()), StandardCopyOption.REPLACE_EXISTING);
        } catch (IOException e) {
            throw new QuickstartException("cannot install into " + home + ": " + e.getMessage());
        }
    }

    /**
     * Starts {@code kc.sh start-dev --import-realm} with the given extra options and a bootstrap admin. The admin
     * credentials go through the environment, never the command line.
     */
    public Process startDev(
            List<String> options, String adminUser, String adminPassword, ProcessBuilder.Redirect output)
            throws QuickstartException {
        return startDev(options, adminUser, adminPassword, java.util.Map.of(), output);
    }

    /** The same, with more environment variables (secret options stay off the command line). */
    public Process startDev(
            List<String> options,
            String adminUser,
            String adminPassword,
            java.util.Map<String, String> environment,
            ProcessBuilder.Redirect output)
            throws QuickstartException {
        List<String> command = new ArrayList<>();
        command.add("start-dev");
        command.add("--import-realm");
        command.addAll(options);
        return launch(command, adminUser, adminPassword, environment, output);
    }

    /**
     * Runs {@code kc.sh} with {@code arguments} (a command such as {@code start} or {@code build} and its options); a
     * non-null {@code adminUser} becomes the bootstrap admin, passed through the environment.
     */
    public Process launch(
            List<String> arguments, String adminUser, String adminPassword, ProcessBuilder.Redirect output)
            throws QuickstartException {
        return launch(arguments, adminUser, adminPassword, java.util.Map.of(), output);
    }

    /** The same, with more environment variables. */
    public Process launch(
            List<String> arguments,
            String adminUser,
            String adminPassword,
            java.util.Map<String, String> environment,
            ProcessBuilder.Redirect output)
            throws QuickstartException {
        List<String> command = new ArrayList<>();
        command.add(launcher().toString());
        command.addAll(arguments);
        ProcessBuilder builder = new ProcessBuilder(command)
                .directory(home.toFile())
                .redirectErrorStream(true)
                .redirectOutput(output);
        builder.environment().putAll(environment);
        if (adminUser != null) {
            builder.environment().put("KC_BOOTSTRAP_ADMIN_USERNAME", adminUser);
            builder.environment().put("KC_BOOTSTRAP_ADMIN_PASSWORD", adminPassword);
        }
        try {
            return builder.start();
        } catch (IOException e) {
            throw new QuickstartException("cannot start " + launcher() + ": " + e.getMessage());
        }
    }

    /** Polls {@code url} once a second until it answers 200, the process dies, or {@code timeout} passes. */
    public static boolean awaitOk(Process keycloak, String url, Duration timeout) {
        HttpClient http =
                HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
        HttpRequest request = HttpRequest.newBuilder(URI.create(url))
                .timeout(Duration.ofSeconds(5))
                .GET()
                .build();
        Instant deadline = Instant.now().plus(timeout);
        try {
            while (keycloak.isAlive() && Instant.now().isBefore(deadline)) {
                try {
                    if (http.send(request, HttpResponse.BodyHandlers.discarding())
                                    .statusCode()
                            == 200) {
                        return true;
                    }
                } catch (IOException e) {
                    // not listening yet
                }
                Thread.sleep(1000);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        return false;
    }

    /**
     * Asks Keycloak to shut down (SIGTERM), waits up to 30 s, then kills it; the Java process that {@code kc.sh}
     * started is stopped the same way, so no server outlives its script and holds the ports.
     */
    public static void stop(Process keycloak) {
        List<ProcessHandle> children = keycloak.descendants().toList();
        stopOne(keycloak.toHandle());
        children.forEach(KeycloakDistribution::stopOne);
    }

    private static void stopOne(ProcessHandle process) {
        if (!process.isAlive()) {
            return;
        }
        process.destroy();
        try {
            process.onExit().get(30, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            process.destroyForcibly();
        } catch (java.util.concurrent.ExecutionException | java.util.concurrent.TimeoutException e) {
            process.destroyForcibly();
            try {
                process.onExit().get(10, TimeUnit.SECONDS);
            } catch (Exception ignored) {
                // gone or unkillable: the next start's port check says so
            }
        }
    }

    /** Whether nothing listens on {@code port} of the loopback address (a bind there succeeds). */
    public static boolean isPortFree(int port) {
        try (java.net.ServerSocket probe =
                new java.net.ServerSocket(port, 1, java.net.InetAddress.getLoopbackAddress())) {
            probe.setReuseAddress(true);
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    /** Refuses to start a server on a port that another process (a server not yet stopped) still holds. */
    public static void requireFreePorts(int... ports) throws QuickstartException {
        for (int port : ports) {
            if (!isPortFree(port)) {
                throw new QuickstartException("port " + port + " on 127.0.0.1 is in use; stop what holds it first");
            }
        }
    }

    private Path launcher() {
        boolean windows =
                System.getProperty("os.name", "").toLowerCase(Locale.ROOT).startsWith("windows");
        return home.resolve("bin").resolve(windows ? "kc.bat" : "kc.sh");
    }

    /** Deletes a directory tree if it exists (a test's or benchmark's own data, never a user's). */
    public static void deleteTree(Path dir) throws IOException {
        if (!Files.exists(dir)) {
            return;
        }
        try (Stream<Path> paths = Files.walk(dir)) {
            for (Path p : paths.sorted(Comparator.reverseOrder()).toList()) {
                Files.delete(p);
            }
        }
    }
}
