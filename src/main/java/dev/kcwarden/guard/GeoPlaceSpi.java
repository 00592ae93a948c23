package dev.kcwarden.guard;

import org.keycloak.provider.Provider;
import org.keycloak.provider.ProviderFactory;
import org.keycloak.provider.Spi;

/**
 * warden's own SPI for the GeoIP file, so that its one server option has a home of its own:
 * {@code --spi-warden-geoip--csv--file=...} (the options of an SPI are read by its provider factory).
 */
public final class GeoPlaceSpi implements Spi {

    public static final String NAME = "warden-geoip";

    @Override
    public boolean isInternal() {
        return false;
    }

    @Override
    public String getName() {
        return NAME;
    }

    @Override
    public Class<? extends Provider> getProviderClass() {
        return GeoPlaceProvider.class;
    }

    @Override
    @SuppressWarnings("rawtypes")
    public Class<? extends ProviderFactory> getProviderFactoryClass() {
        return GeoPlaceProviderFactory.class;
    }
}
