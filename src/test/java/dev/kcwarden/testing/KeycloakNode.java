package dev.kcwarden.testing;

import dev.kcwarden.quickstart.KeycloakDistribution;
import dev.kcwarden.quickstart.QuickstartException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * A Keycloak node that a test runs itself (not through the test framework), from its own copy of the distribution that
 * the build unpacks into {@code target/cluster} (system property {@code warden.cluster.dist}), with warden's jar and
 * the offline demo realm installed, and its console output in {@code console.log} in its home. Used by the cluster
 * tests and the audit chain's restart test.
 *
 * <p>A node still running when the test JVM exits (a failed or interrupted run) is killed by a shutdown hook, so no
 * test leaves a server holding its ports.
 */
public final class KeycloakNode {

    private static final Set<KeycloakNode> STARTED = ConcurrentHashMap.newKeySet();

    static {
        Runtime.getRuntime()
                .addShutdownHook(new Thread(() -> STARTED.forEach(KeycloakNode::kill), "keycloak-node-cleanup"));
    }

    private final String name;
    private final KeycloakDistribution keycloak;
    private volatile Process process;
    /** The server's processes seen so far: a Java process whose script died first is no descendant any more. */
    private final Set<ProcessHandle> seen = ConcurrentHashMap.newKeySet();

    private KeycloakNode(String name, Path home) {
        this.name = name;
        try {
            this.keycloak = KeycloakDistribution.at(home);
        } catch (QuickstartException e) {
            throw new IllegalStateException(e.getMessage(), e);
        }
    }

    /**
     * A fresh copy of the unpacked distribution in {@code target/cluster/<name>}, with the jar in {@code providers/}
     * and an offline copy of the demo realm in {@code data/import/}.
     */
    public static KeycloakNode prepare(String name) {
        Path dist = Path.of(System.getProperty("warden.cluster.dist"));
        Path home = dist.getParent().resolve(name);
        copyTree(dist, home);
        KeycloakNode node = new KeycloakNode(name, home);
        try {
            node.keycloak.install(
                    Path.of(System.getProperty("warden.jar")),
                    DemoRealm.offlineCopy(
                            Path.of("realm-export", "warden-realm.json"),
                            dist.getParent().resolve(name + "-realm")));
        } catch (QuickstartException e) {
            throw new IllegalStateException(e.getMessage(), e);
        }
        return node;
    }

    /** A copy of this node's home (built, providers included) as another node that imports no realm. */
    public KeycloakNode copyAs(String otherName) {
        Path home = keycloak.home().resolveSibling(otherName);
        copyTree(keycloak.home(), home);
        try {
            KeycloakDistribution.deleteTree(home.resolve("data").resolve("import"));
            Files.deleteIfExists(home.resolve("console.log"));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return new KeycloakNode(otherName, home);
    }

    public String name() {
        return name;
    }

    public Path home() {
        return keycloak.home();
    }

    /** Everything the node wrote to stdout and stderr, over all its starts. */
    public Path log() {
        return keycloak.home().resolve("console.log");
    }

    /**
     * {@code kc.sh build} with {@code options}: production mode's build step, once, before {@code start --optimized}.
     */
    public void build(List<String> options) throws InterruptedException {
        List<String> command = new java.util.ArrayList<>(List.of("build"));
        command.addAll(options);
        Path buildLog = keycloak.home().resolve("build.log");
        Process build = launch(command, null, null, Map.of(), ProcessBuilder.Redirect.to(buildLog.toFile()));
        if (!build.waitFor(5, TimeUnit.MINUTES) || build.exitValue() != 0) {
            build.destroyForcibly();
            throw new AssertionError("kc.sh build " + options + " failed for " + name + ", see " + buildLog);
        }
    }

    /**
     * Runs {@code kc.sh} with {@code arguments} ({@code start ...} or {@code start-dev ...}), output appended to
     * {@link #log()}; a non-null {@code adminUser} becomes the bootstrap admin, through the environment.
     */
    public void start(List<String> arguments, String adminUser, String adminPassword, Map<String, String> environment) {
        if (isRunning()) {
            throw new IllegalStateException(name + " is already running");
        }
        seen.clear();
        process = launch(
                arguments, adminUser, adminPassword, environment, ProcessBuilder.Redirect.appendTo(log().toFile()));
        STARTED.add(this);
    }

    private Process launch(
            List<String> arguments,
            String adminUser,
            String adminPassword,
            Map<String, String> environment,
            ProcessBuilder.Redirect output) {
        try {
            return keycloak.launch(arguments, adminUser, adminPassword, environment, output);
        } catch (QuickstartException e) {
            throw new IllegalStateException(e.getMessage(), e);
        }
    }

    /** Waits until {@code url} answers 200; fails with the log's location when the node dies or takes too long. */
    public void awaitOk(String url, Duration timeout) {
        boolean ok = KeycloakDistribution.awaitOk(process, url, timeout);
        remember();
        if (!ok) {
            throw new AssertionError(name + " did not answer 200 on " + url + " within " + timeout + ", see " + log());
        }
    }

    /** Waits until the node's log holds a line that contains every one of {@code texts}. */
    public void awaitLogLine(Duration timeout, String... texts) throws IOException, InterruptedException {
        Instant deadline = Instant.now().plus(timeout);
        while (Instant.now().isBefore(deadline)) {
            try (Stream<String> lines = Files.lines(log(), java.nio.charset.StandardCharsets.ISO_8859_1)) {
                if (lines.anyMatch(l -> Stream.of(texts).allMatch(l::contains))) {
                    return;
                }
            }
            Thread.sleep(250);
        }
        throw new AssertionError(
                name + " logged no line with " + List.of(texts) + " within " + timeout + ", see " + log());
    }

    public boolean isRunning() {
        Process p = process;
        return p != null
                && (p.isAlive()
                        || p.descendants().anyMatch(ProcessHandle::isAlive)
                        || seen.stream().anyMatch(ProcessHandle::isAlive));
    }

    /**
     * The Java process that serves: {@code kc.sh} starts it as its child (and forwards signals to it), so killing the
     * script alone would leave the server running.
     */
    public ProcessHandle java() {
        Process p = process;
        if (p == null) {
            throw new IllegalStateException(name + " was never started");
        }
        remember();
        Optional<ProcessHandle> child = p.descendants()
                .filter(h -> h.info()
                        .command()
                        .map(c -> c.endsWith("/java") || c.endsWith("java"))
                        .orElse(false))
                .findFirst();
        return child.orElse(p.toHandle());
    }

    /**
     * SIGTERM, as a service manager or Ctrl-C stops Keycloak (its shutdown hooks run); waits up to 60 s. Returns
     * whether it stopped by itself; if not, it is killed.
     */
    public boolean stop() {
        Process p = process;
        if (p == null) {
            return true;
        }
        List<ProcessHandle> all = processes(p);
        all.forEach(ProcessHandle::destroy);
        boolean clean = awaitExit(all, Duration.ofSeconds(60));
        if (!clean) {
            kill();
        }
        STARTED.remove(this);
        return clean;
    }

    /** SIGKILL to the server's Java process and its script: no shutdown hook runs, as on a power cut. */
    public void kill() {
        Process p = process;
        if (p == null) {
            return;
        }
        List<ProcessHandle> all = processes(p);
        all.forEach(ProcessHandle::destroyForcibly);
        awaitExit(all, Duration.ofSeconds(30));
        STARTED.remove(this);
    }

    private void remember() {
        Process p = process;
        if (p != null) {
            p.descendants().forEach(seen::add);
        }
    }

    /** The script, its descendants now, and every process of it seen before (orphans included). */
    private List<ProcessHandle> processes(Process p) {
        remember();
        return Stream.concat(Stream.concat(p.descendants(), seen.stream()), Stream.of(p.toHandle()))
                .distinct()
                .filter(ProcessHandle::isAlive)
                .toList();
    }

    private static boolean awaitExit(List<ProcessHandle> processes, Duration timeout) {
        Instant deadline = Instant.now().plus(timeout);
        for (ProcessHandle h : processes) {
            try {
                long left =
                        Math.max(1, Duration.between(Instant.now(), deadline).toMillis());
                h.onExit().get(left, TimeUnit.MILLISECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return false;
            } catch (java.util.concurrent.ExecutionException | java.util.concurrent.TimeoutException e) {
                return false;
            }
        }
        return true;
    }

    /** Copies a directory tree over a fresh target (the target is deleted first). */
    public static void copyTree(Path from, Path to) {
        try {
            KeycloakDistribution.deleteTree(to);
            try (Stream<Path> paths = Files.walk(from)) {
                for (Path source : paths.toList()) {
                    Path target = to.resolve(from.relativize(source).toString());
                    if (Files.isDirectory(source)) {
                        Files.createDirectories(target);
                    } else {
                        Files.copy(source, target, StandardCopyOption.COPY_ATTRIBUTES);
                    }
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot copy " + from + " to " + to, e);
        }
    }
}
