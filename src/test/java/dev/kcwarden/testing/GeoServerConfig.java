package dev.kcwarden.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.keycloak.testframework.server.KeycloakServerConfig;
import org.keycloak.testframework.server.KeycloakServerConfigBuilder;

/**
 * The shared configuration plus a GeoIP file ({@code --spi-warden-geoip--csv--file}): a small DB-IP city CSV, written
 * before the server starts, that names made-up places for a few loopback addresses, and carries one bad row (the server
 * logs it and starts anyway). A test class that names this config costs one server restart.
 */
public final class GeoServerConfig implements KeycloakServerConfig {

    public static final Path FILE =
            Path.of("target", "geoip", "test-dbip-city-lite.csv").toAbsolutePath();

    /** The address the test's client uses by default, and the place the file gives it. */
    public static final String PLACED_ADDRESS = "127.0.0.1";

    public static final String PLACE = "Wardenstadt, Testland-Nord, DE";
    /** An address whose names carry markup and control characters, and what the mail must show instead. */
    public static final String MARKUP_ADDRESS = "127.0.9.52";

    public static final String MARKUP_PLACE = "b Evil City /b Bcc: x@example.com, NL";
    /** An address in a range the file leaves unknown (DB-IP's ZZ). */
    public static final String UNKNOWN_ADDRESS = "127.0.9.53";

    /** A line of the file the loader refuses; the server log names it. */
    public static final int BAD_LINE = 2;

    static final String CONTENT = "127.0.0.1,127.0.0.1,EU,DE,Testland-Nord,Wardenstadt,53.55,9.99\n"
            + "127.0.0.0,127.0.0.9,EU,DE,Overlapping,Nowhere\n"
            + "127.0.9.52,127.0.9.52,EU,NL,,\"<b>Evil\u202e City</b>\r\tBcc: x@example.com\"\n"
            + "127.0.9.53,127.0.9.53,ZZ,ZZ,,\n";

    @Override
    public KeycloakServerConfigBuilder configure(KeycloakServerConfigBuilder config) {
        try {
            Files.createDirectories(FILE.getParent());
            Files.writeString(FILE, CONTENT, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return new WardenServerConfig().configure(config).option("spi-warden-geoip--csv--file", FILE.toString());
    }
}
