package dev.kcwarden.guard;

import dev.kcwarden.WardenProviderFactory;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.util.List;
import org.jboss.logging.Logger;
import org.keycloak.Config;
import org.keycloak.models.KeycloakSession;
import org.keycloak.provider.ProviderConfigProperty;
import org.keycloak.provider.ProviderConfigurationBuilder;

/**
 * Loads the server's GeoIP file once, in the background from start, and hands its places to every session. Off (no
 * places) when the {@link #FILE} option is unset, which is the default; a file that cannot be used logs one warning and
 * stays off.
 */
public final class GeoPlaceProviderFactory implements WardenProviderFactory<GeoPlaceProvider> {

    public static final String PROVIDER_ID = "csv";
    /** Server option {@code --spi-warden-geoip--csv--file}: the DB-IP CSV (or .csv.gz) file. */
    public static final String FILE = "file";

    private static final Logger LOG = Logger.getLogger(GeoPlaceProviderFactory.class);

    private volatile GeoPlaces places = GeoPlaces.NONE;

    @Override
    public void init(Config.Scope config) {
        String file = config.get(FILE);
        if (file == null || file.isBlank()) {
            return; // off by default
        }
        Path path;
        try {
            path = Path.of(file.strip());
        } catch (InvalidPathException e) {
            LOG.warnf("GeoIP file option %s is not a path: new-device mails show no place", FILE);
            return;
        }
        if (!path.isAbsolute()) {
            String home = System.getProperty("kc.home.dir");
            path = Path.of(home == null ? "." : home).resolve(path);
        }
        if (!Files.isRegularFile(path)) {
            LOG.warnf("GeoIP file %s is not a regular file: new-device mails show no place", path);
            return;
        }
        Path target = path;
        // A city-size file takes seconds to read: the server starts meanwhile, and mails show no place until then.
        Thread loader = new Thread(() -> places = GeoPlaces.load(target), "warden-geoip-load");
        loader.setDaemon(true);
        loader.start();
    }

    @Override
    public GeoPlaceProvider create(KeycloakSession session) {
        GeoPlaces loaded = places;
        return loaded::place;
    }

    @Override
    public String getId() {
        return PROVIDER_ID;
    }

    @Override
    public List<ProviderConfigProperty> getConfigMetadata() {
        return ProviderConfigurationBuilder.create()
                .property()
                .name(FILE)
                .label("GeoIP CSV file")
                .type(ProviderConfigProperty.STRING_TYPE)
                .helpText("Path of a GeoIP database in DB-IP's free CSV form (IP to City Lite or IP to Country Lite, "
                        + "plain or .csv.gz), read once in the background when the server starts; a relative "
                        + "path is taken from the Keycloak "
                        + "directory. New-device mails then name the client's approximate place. Unset (the "
                        + "default): no place. A file that cannot be read gives no place; bad rows are skipped; "
                        + "both are logged once.")
                .add()
                .build();
    }
}
