package dev.kcwarden.testing;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;

/**
 * Throw-away server certificates for tests of outbound https: made once per test run with the JDK's keytool under
 * target/, for made-up names under {@code .warden.test} that no resolver knows. Keycloak trusts it through
 * {@code --truststore-paths} (the PEM file); the test's local servers present it ({@link #serverContext()}).
 */
public final class LocalTls {

    public static final String RANGE_HOST = "range.warden.test";
    public static final String HOOK_HOST = "hook.warden.test";
    /** A name whose server presents a certificate Keycloak was never told to trust. */
    public static final String UNTRUSTED_HOST = "untrusted.warden.test";

    private static final Path DIR = Path.of("target", "egress-tls").toAbsolutePath();
    private static final Path KEYSTORE = DIR.resolve("server.p12");
    private static final Path UNTRUSTED_KEYSTORE = DIR.resolve("untrusted.p12");
    /** The certificate alone, as Keycloak's truststore-paths reads it. */
    public static final Path CERTIFICATE_PEM = DIR.resolve("server.pem");

    private static final String PASSWORD = "warden-test-only";

    private LocalTls() {}

    private static boolean made;

    /** Makes the keys and certificates once per test run (they are valid for 7 days; a run never reuses old ones). */
    public static synchronized void ensure() {
        if (made) {
            return;
        }
        try {
            Files.createDirectories(DIR);
            for (Path old : List.of(KEYSTORE, UNTRUSTED_KEYSTORE, CERTIFICATE_PEM)) {
                Files.deleteIfExists(old);
            }
            selfSigned(KEYSTORE, PASSWORD, RANGE_HOST, List.of(RANGE_HOST, HOOK_HOST), 7);
            exportCertificate(KEYSTORE, PASSWORD, CERTIFICATE_PEM);
            selfSigned(UNTRUSTED_KEYSTORE, PASSWORD, UNTRUSTED_HOST, List.of(UNTRUSTED_HOST), 7);
            made = true;
        } catch (IOException e) {
            throw new IllegalStateException("cannot make the test certificates under " + DIR, e);
        }
    }

    /**
     * Makes a PKCS12 store at {@code store} holding one EC P-256 key under the alias "server" with a self-signed
     * certificate for {@code commonName}, valid {@code days}, with {@code dnsNames} as its subject alternative names.
     */
    public static void selfSigned(Path store, String password, String commonName, List<String> dnsNames, int days)
            throws IOException {
        List<String> args = new ArrayList<>(List.of(
                "-genkeypair",
                "-alias",
                "server",
                "-keyalg",
                "EC",
                "-groupname",
                "secp256r1",
                "-validity",
                Integer.toString(days),
                "-dname",
                "CN=" + commonName));
        if (!dnsNames.isEmpty()) {
            args.addAll(List.of(
                    "-ext", "san=" + dnsNames.stream().map(n -> "dns:" + n).collect(Collectors.joining(","))));
        }
        args.addAll(List.of(
                "-storetype", "PKCS12", "-keystore", store.toString(), "-storepass", password, "-keypass", password));
        keytool(args.toArray(String[]::new));
    }

    /** Writes the certificate of {@link #selfSigned}'s key in {@code store} to {@code pem}. */
    public static void exportCertificate(Path store, String password, Path pem) throws IOException {
        keytool(
                "-exportcert",
                "-rfc",
                "-alias",
                "server",
                "-keystore",
                store.toString(),
                "-storepass",
                password,
                "-file",
                pem.toString());
    }

    /** What an https test server presents: a certificate Keycloak trusts through {@link #CERTIFICATE_PEM}. */
    public static SSLContext serverContext() {
        return context(KEYSTORE);
    }

    /** A certificate for {@link #UNTRUSTED_HOST} that is in no truststore. */
    public static SSLContext untrustedServerContext() {
        return context(UNTRUSTED_KEYSTORE);
    }

    private static SSLContext context(Path keystore) {
        ensure();
        try (InputStream in = Files.newInputStream(keystore)) {
            KeyStore store = KeyStore.getInstance("PKCS12");
            store.load(in, PASSWORD.toCharArray());
            KeyManagerFactory keys = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
            keys.init(store, PASSWORD.toCharArray());
            SSLContext context = SSLContext.getInstance("TLS");
            context.init(keys.getKeyManagers(), null, null);
            return context;
        } catch (Exception e) {
            throw new IllegalStateException("cannot load the test certificate " + keystore, e);
        }
    }

    private static void keytool(String... args) throws IOException {
        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "keytool").toString());
        command.addAll(List.of(args));
        Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
        try {
            String output = new String(process.getInputStream().readAllBytes());
            if (!process.waitFor(60, TimeUnit.SECONDS) || process.exitValue() != 0) {
                throw new IOException("keytool " + args[0] + " failed: " + output);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted", e);
        }
    }
}
