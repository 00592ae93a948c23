package dev.kcwarden.deploy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.kcwarden.testing.LocalTls;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.Key;
import java.security.KeyStore;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The nginx configuration that docker-compose.yml mounts, checked by Debian's nginx itself ({@code nginx -t}) with
 * every file where the container has it: nginx.conf and its includes side by side (/etc/nginx in the container, a
 * temporary directory here, passed as {@code -p} and {@code -c}), and a throw-away certificate in {@code tls/}, as
 * WARDEN_TLS_DIR provides it. Only the pid file's path is changed, so that the check also runs without root. The
 * upstream servers are addresses, so nothing needs a resolver. nginx is installed by .ci/run; without it the test is
 * skipped (LoadBalancedClusterIT needs it anyway).
 */
@DisplayName("nginx -t accepts the compose nginx configuration")
class NginxConfigTest {

    private static final Path NGINX = Path.of("/usr/sbin/nginx");
    private static final Path SHIPPED = Path.of("deploy", "nginx");

    @Test
    @DisplayName("nginx.conf, keycloak-public.conf and keycloak-proxy.conf as mounted, with a certificate in tls/")
    void nginxAcceptsTheShippedFiles(@TempDir Path dir) throws Exception {
        assumeTrue(Files.isExecutable(NGINX), "no " + NGINX + ": install Debian's nginx package (.ci/run does)");
        Path conf = dir.resolve("nginx.conf");
        try (Stream<Path> files = Files.list(SHIPPED)) {
            for (Path file : files.filter(f -> f.toString().endsWith(".conf")).toList()) {
                Files.copy(file, dir.resolve(file.getFileName().toString()));
            }
        }
        String shipped = Files.readString(conf);
        Matcher pid = Pattern.compile("(?m)^pid [^;]+;").matcher(shipped);
        assertThat(pid.find()).as("nginx.conf names its pid file").isTrue();
        Files.writeString(conf, pid.replaceFirst("pid " + dir.resolve("nginx.pid") + ";"));
        selfSignedCertificate(dir.resolve("tls"));

        Process check = new ProcessBuilder(
                        NGINX.toString(), "-t", "-q", "-p", dir.toString() + "/", "-c", conf.toString())
                .redirectErrorStream(true)
                .start();
        String output;
        try (InputStream out = check.getInputStream()) {
            output = new String(out.readAllBytes(), StandardCharsets.UTF_8);
        }
        assertThat(check.waitFor(30, TimeUnit.SECONDS)).isTrue();
        assertThat(check.exitValue()).as("nginx -t: %s", output).isZero();
        assertThat(output)
                .as("nginx -t warns about nothing")
                .doesNotContain("[warn]")
                .doesNotContain("[emerg]");
    }

    /** tls/tls.crt and tls/tls.key as PEM, made with the JDK's keytool (no openssl needed). */
    private static void selfSignedCertificate(Path tls) throws Exception {
        Files.createDirectories(tls);
        Path store = tls.resolve("server.p12");
        String password = "nginx-check-only";
        LocalTls.selfSigned(store, password, "localhost", List.of(), 1);
        LocalTls.exportCertificate(store, password, tls.resolve("tls.crt"));
        KeyStore keys = KeyStore.getInstance("PKCS12");
        try (InputStream in = Files.newInputStream(store)) {
            keys.load(in, password.toCharArray());
        }
        Key key = keys.getKey("server", password.toCharArray());
        Files.writeString(
                tls.resolve("tls.key"),
                "-----BEGIN PRIVATE KEY-----\n"
                        + Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII))
                                .encodeToString(key.getEncoded())
                        + "\n-----END PRIVATE KEY-----\n");
    }
}
