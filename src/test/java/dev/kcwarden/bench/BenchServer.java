package dev.kcwarden.bench;

import dev.kcwarden.quickstart.KeycloakDistribution;
import dev.kcwarden.quickstart.QuickstartException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The benchmarks' Keycloak: production mode ({@code start}: theme and template caches on, as users run it) on the
 * embedded H2 file database, plain HTTP on loopback, and the JVM behind {@code kc.sh} for CPU time and jcmd.
 */
public final class BenchServer {

    private BenchServer() {}

    /**
     * Starts {@code kc.sh start --import-realm} on {@code port} (management on {@code managementPort}) and waits until
     * {@code readyUrl} answers; a server that does not come up is stopped and named with its log.
     */
    public static Process start(
            KeycloakDistribution keycloak,
            int port,
            int managementPort,
            String adminPassword,
            Map<String, String> environment,
            Path log,
            String readyUrl)
            throws QuickstartException {
        Process server = keycloak.launch(
                List.of(
                        "start",
                        "--import-realm",
                        "--db=dev-file",
                        "--http-enabled=true",
                        "--hostname-strict=false",
                        "--http-port=" + port,
                        "--http-management-port=" + managementPort),
                "bench-admin",
                adminPassword,
                environment,
                ProcessBuilder.Redirect.to(log.toFile()));
        if (!KeycloakDistribution.awaitOk(server, readyUrl, Duration.ofMinutes(4))) {
            KeycloakDistribution.stop(server);
            throw new IllegalStateException("Keycloak did not start; see " + log);
        }
        return server;
    }

    /** The Keycloak JVM that {@code kc.sh} started (its CPU time is the server's, without the script's). */
    public static ProcessHandle jvmOf(Process server) {
        return server.toHandle()
                .descendants()
                .filter(p -> p.info().command().map(c -> c.endsWith("java")).orElse(false))
                .findFirst()
                .orElse(server.toHandle());
    }

    /** Live heap in bytes after two full GCs, read with jcmd. */
    public static long liveHeap(ProcessHandle jvm) throws IOException, InterruptedException {
        jcmd(jvm, "GC.run");
        jcmd(jvm, "GC.run");
        String info = jcmd(jvm, "GC.heap_info");
        Matcher used = Pattern.compile("used (\\d+)K").matcher(info);
        if (!used.find()) {
            throw new IllegalStateException("no heap figure in jcmd's answer: " + info);
        }
        return Long.parseLong(used.group(1)) * 1024;
    }

    /** Runs the JDK's jcmd against {@code jvm}; returns what it printed. */
    public static String jcmd(ProcessHandle jvm, String... command) throws IOException, InterruptedException {
        List<String> args = new ArrayList<>();
        args.add(Path.of(System.getProperty("java.home"), "bin", "jcmd").toString());
        args.add(Long.toString(jvm.pid()));
        args.addAll(List.of(command));
        Process p = new ProcessBuilder(args).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        p.waitFor();
        return out;
    }

    /** The server JVM's CPU time so far, in nanoseconds. */
    public static long cpuNanos(ProcessHandle jvm) {
        return jvm.info()
                .totalCpuDuration()
                .orElseThrow(() -> new IllegalStateException("no CPU time for process " + jvm.pid()))
                .toNanos();
    }
}
