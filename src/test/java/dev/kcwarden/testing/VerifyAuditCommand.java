package dev.kcwarden.testing;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * {@code java -jar keycloak-warden.jar verify-audit FILE --key-file KEY}, run as a user runs it; returns the exit code.
 */
public final class VerifyAuditCommand {

    private VerifyAuditCommand() {}

    public static int run(Path file, Path keyFile) throws IOException, InterruptedException {
        Process process = new ProcessBuilder(
                        Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                        "-jar",
                        System.getProperty("warden.jar"),
                        "verify-audit",
                        file.toString(),
                        "--key-file",
                        keyFile.toString())
                .redirectErrorStream(true)
                .start();
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        int exit = process.waitFor();
        System.out.println("verify-audit: " + output.strip());
        return exit;
    }

    /** The same on {@code lines} with the chain key {@code key}, through temporary files that are deleted after. */
    public static int run(List<String> lines, String key) throws IOException, InterruptedException {
        Path file = Files.createTempFile("warden-audit", ".log");
        Path keyFile = Files.createTempFile("warden-audit", ".key");
        try {
            Files.write(file, lines);
            Files.writeString(keyFile, key);
            return run(file, keyFile);
        } finally {
            Files.deleteIfExists(file);
            Files.deleteIfExists(keyFile);
        }
    }
}
