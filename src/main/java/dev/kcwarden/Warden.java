package dev.kcwarden;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.Map;
import java.util.Properties;

/**
 * Facts about this build of keycloak-warden, read once from the filtered {@code warden-build.properties}. Every warden
 * provider factory reports {@link #operationalInfo()} so that admins see the deployed version in the admin console
 * (master realm, Provider info).
 */
public final class Warden {

    /** Name under which the extension reports itself. */
    public static final String NAME = "keycloak-warden";

    private static final String BUILD_INFO = "warden-build.properties";
    private static final Properties BUILD = load();

    /** The extension version, e.g. {@code 0.1.0}. */
    public static final String VERSION = BUILD.getProperty("version", "unknown");

    /** The Keycloak release this build targets: {@code keycloak.version}, the distribution the test suite runs. */
    public static final String BUILT_FOR_KEYCLOAK = BUILD.getProperty("keycloak.version", "unknown");

    private Warden() {}

    /**
     * What {@code ServerInfoAwareProviderFactory#getOperationalInfo()} returns for every warden provider. Keycloak 26.7
     * shows provider info to admins of any realm, so the advisories of the running Keycloak are not here: they go to
     * the start-up log and to {@code /warden/info} for those who may manage the realm.
     */
    public static Map<String, String> operationalInfo() {
        return Map.of("version", VERSION, "builtForKeycloak", BUILT_FOR_KEYCLOAK);
    }

    private static Properties load() {
        Properties properties = new Properties();
        try (InputStream in = Warden.class.getResourceAsStream(BUILD_INFO)) {
            if (in == null) {
                // A jar built without resources is broken; fail loudly at deployment, not later in a request.
                throw new IllegalStateException(BUILD_INFO + " is missing from the keycloak-warden jar");
            }
            properties.load(in);
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot read " + BUILD_INFO, e);
        }
        return properties;
    }
}
