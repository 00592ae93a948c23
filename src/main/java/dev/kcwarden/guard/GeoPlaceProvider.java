package dev.kcwarden.guard;

import org.keycloak.provider.Provider;

/** The approximate place of a client address for the new-device mail; {@code ""} when there is none. */
public interface GeoPlaceProvider extends Provider {

    /** "City, Region, Country" (or less), already cleaned for the mail; {@code ""} when the address has no place. */
    String place(String address);

    @Override
    default void close() {
        // holds nothing per session
    }
}
