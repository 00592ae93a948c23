package dev.kcwarden.testing;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * Debian's nginx ({@code /usr/sbin/nginx}) as a child process of the test, never the system service: its own
 * configuration, pid file, logs and temporary files under one directory of {@code target/}, {@code daemon off}, so it
 * dies with {@link #stop()} or, at the latest, with the test JVM (shutdown hook). The public listener runs the shipped
 * public rules, {@code deploy/nginx/keycloak-public.conf} (which paths reach Keycloak at all), in front of an upstream
 * named {@code keycloak} as in {@code deploy/nginx/nginx.conf}; the other listeners pass every path, as the compose
 * file's admin listener does. Every location proxies with the shipped header rules,
 * {@code deploy/nginx/keycloak-proxy.conf}, and every answer carries an {@code X-Upstream} header that names the node
 * which served it (empty, hence absent, when nginx answered itself), so a test can see where the balancer sent it.
 */
public final class Nginx {

    public static final Path BINARY = Path.of("/usr/sbin/nginx");
    private static final Path SHIPPED = Path.of("deploy", "nginx");

    private final Path dir;
    private final Process process;
    private final Thread killAtExit;

    private Nginx(Path dir, Process process) {
        this.dir = dir;
        this.process = process;
        this.killAtExit = new Thread(this::kill, "nginx-cleanup");
        Runtime.getRuntime().addShutdownHook(killAtExit);
    }

    /**
     * Starts nginx in {@code dir}: a public listener on 127.0.0.1:{@code publicPort} with the shipped public rules,
     * balancing round-robin over {@code publicBackends} (ports of 127.0.0.1), and for each entry of {@code openServers}
     * a listener on 127.0.0.1:port that passes every path (the admin listener's rules) to the listed backend ports.
     */
    public static Nginx start(
            Path dir, int publicPort, List<Integer> publicBackends, Map<Integer, List<Integer>> openServers)
            throws IOException, InterruptedException {
        if (!Files.isExecutable(BINARY)) {
            throw new IllegalStateException(BINARY
                    + " is missing: install Debian's nginx package (apt-get install -y nginx; " + ".ci/run does this)");
        }
        Files.createDirectories(dir.resolve("logs"));
        Files.createDirectories(dir.resolve("temp"));
        for (String shipped : List.of("keycloak-proxy.conf", "keycloak-public.conf")) {
            Files.copy(SHIPPED.resolve(shipped), dir.resolve(shipped), StandardCopyOption.REPLACE_EXISTING);
        }
        StringBuilder http = new StringBuilder();
        upstream(http, "keycloak", publicBackends);
        http.append("    server {\n")
                .append("        listen 127.0.0.1:")
                .append(publicPort)
                .append(";\n")
                .append("        add_header X-Upstream $upstream_addr always;\n")
                .append("        include keycloak-public.conf;\n")
                .append("    }\n");
        openServers.forEach((port, backends) -> {
            upstream(http, "backend_" + port, backends);
            http.append("    server {\n")
                    .append("        listen 127.0.0.1:")
                    .append(port)
                    .append(";\n")
                    .append("        add_header X-Upstream $upstream_addr always;\n")
                    .append("        location / {\n")
                    .append("            proxy_pass http://backend_")
                    .append(port)
                    .append(";\n")
                    .append("            include keycloak-proxy.conf;\n")
                    .append("        }\n")
                    .append("    }\n");
        });
        List<Integer> ports = new java.util.ArrayList<>(List.of(publicPort));
        ports.addAll(openServers.keySet());
        String t = dir.resolve("temp").toAbsolutePath().toString();
        String conf = "daemon off;\n"
                + "worker_processes 1;\n"
                + "pid " + dir.toAbsolutePath().resolve("nginx.pid") + ";\n"
                + "error_log " + dir.toAbsolutePath().resolve("logs/error.log") + " notice;\n"
                + "events { worker_connections 512; }\n"
                + "http {\n"
                + "    access_log " + dir.toAbsolutePath().resolve("logs/access.log")
                + " combined;\n"
                + "    client_body_temp_path " + t + "/body;\n"
                + "    proxy_temp_path " + t + "/proxy;\n"
                + "    fastcgi_temp_path " + t + "/fastcgi;\n"
                + "    uwsgi_temp_path " + t + "/uwsgi;\n"
                + "    scgi_temp_path " + t + "/scgi;\n"
                + http
                + "}\n";
        Path config = dir.resolve("nginx.conf");
        Files.writeString(config, conf);
        Path out = dir.resolve("logs/nginx.out");
        Process check = new ProcessBuilder(
                        BINARY.toString(),
                        "-t",
                        "-p",
                        dir.toAbsolutePath().toString(),
                        "-c",
                        config.toAbsolutePath().toString())
                .redirectErrorStream(true)
                .redirectOutput(out.toFile())
                .start();
        if (!check.waitFor(30, TimeUnit.SECONDS) || check.exitValue() != 0) {
            throw new AssertionError("nginx -t refused " + config + ": " + Files.readString(out));
        }
        Process process = new ProcessBuilder(
                        BINARY.toString(),
                        "-p",
                        dir.toAbsolutePath().toString(),
                        "-c",
                        config.toAbsolutePath().toString())
                .redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(out.toFile()))
                .start();
        Nginx nginx = new Nginx(dir, process);
        Instant deadline = Instant.now().plusSeconds(10);
        for (int port : ports) {
            while (!listening(port)) {
                if (!process.isAlive() || Instant.now().isAfter(deadline)) {
                    nginx.stop();
                    throw new AssertionError("nginx did not listen on 127.0.0.1:" + port + ", see " + out + " and "
                            + dir.resolve("logs/error.log"));
                }
                Thread.sleep(100);
            }
        }
        return nginx;
    }

    private static void upstream(StringBuilder http, String name, List<Integer> backends) {
        http.append("    upstream ").append(name).append(" {\n");
        // one refused connection takes a node out of the rotation for 10 s; nginx then tries it again
        backends.forEach(
                b -> http.append("        server 127.0.0.1:").append(b).append(" max_fails=1 fail_timeout=10s;\n"));
        http.append("    }\n");
    }

    private static boolean listening(int port) {
        try (Socket s = new Socket()) {
            s.connect(new InetSocketAddress("127.0.0.1", port), 500);
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    public Path accessLog() {
        return dir.resolve("logs/access.log");
    }

    /** Whether nginx's master or any of its workers still runs. */
    public boolean isRunning() {
        return process.isAlive() || process.toHandle().descendants().anyMatch(ProcessHandle::isAlive);
    }

    /** Fast shutdown (SIGTERM to the master, which ends its workers), then SIGKILL if it lingers. */
    public void stop() {
        process.toHandle().descendants().forEach(ProcessHandle::destroy);
        process.destroy();
        try {
            if (!process.waitFor(10, TimeUnit.SECONDS)) {
                kill();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            kill();
        }
        try {
            Runtime.getRuntime().removeShutdownHook(killAtExit);
        } catch (IllegalStateException e) {
            // already shutting down
        }
    }

    private void kill() {
        process.toHandle().descendants().forEach(ProcessHandle::destroyForcibly);
        process.destroyForcibly();
    }
}
