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
 * configuration, pid file, logs and temporary files under one directory of {@code target/}, {@code daemon off}, so
 * it dies with {@link #stop()} or, at the latest, with the test JVM (shutdown hook). Every server block proxies with
 * the shipped header rules, {@code deploy/nginx/keycloak-proxy.conf}, and answers with an {@code X-Upstream} header
 * that names the node which served the request, so a test can see where the balancer sent it.
 */
public final class Nginx {

    public static final Path BINARY = Path.of("/usr/sbin/nginx");
    private static final Path PROXY_RULES = Path.of("deploy", "nginx", "keycloak-proxy.conf");

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
     * Starts nginx in {@code dir}: for each entry of {@code servers}, a listener on 127.0.0.1:port that balances
     * round-robin over the listed backend ports of 127.0.0.1.
     */
    public static Nginx start(Path dir, Map<Integer, List<Integer>> servers) throws IOException, InterruptedException {
        if (!Files.isExecutable(BINARY)) {
            throw new IllegalStateException(BINARY + " is missing: install Debian's nginx package (apt-get install -y nginx; "
                    + ".ci/run does this)");
        }
        Files.createDirectories(dir.resolve("logs"));
        Files.createDirectories(dir.resolve("temp"));
        Files.copy(PROXY_RULES, dir.resolve("keycloak-proxy.conf"), StandardCopyOption.REPLACE_EXISTING);
        StringBuilder http = new StringBuilder();
        servers.forEach((port, backends) -> {
            http.append("    upstream backend_").append(port).append(" {\n");
            // one refused connection takes a node out of the rotation for 10 s; nginx then tries it again
            backends.forEach(b -> http.append("        server 127.0.0.1:").append(b).append(" max_fails=1 fail_timeout=10s;\n"));
            http.append("    }\n")
                    .append("    server {\n")
                    .append("        listen 127.0.0.1:").append(port).append(";\n")
                    .append("        location / {\n")
                    .append("            proxy_pass http://backend_").append(port).append(";\n")
                    .append("            include keycloak-proxy.conf;\n")
                    .append("            add_header X-Upstream $upstream_addr always;\n")
                    .append("        }\n")
                    .append("    }\n");
        });
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
        Process check = new ProcessBuilder(BINARY.toString(), "-t", "-p", dir.toAbsolutePath().toString(), "-c",
                config.toAbsolutePath().toString()).redirectErrorStream(true).redirectOutput(out.toFile()).start();
        if (!check.waitFor(30, TimeUnit.SECONDS) || check.exitValue() != 0) {
            throw new AssertionError("nginx -t refused " + config + ": " + Files.readString(out));
        }
        Process process = new ProcessBuilder(BINARY.toString(), "-p", dir.toAbsolutePath().toString(), "-c",
                config.toAbsolutePath().toString()).redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.appendTo(out.toFile()))
                .start();
        Nginx nginx = new Nginx(dir, process);
        Instant deadline = Instant.now().plusSeconds(10);
        for (int port : servers.keySet()) {
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
