package dev.kcwarden.admin;

import dev.kcwarden.WardenProviderFactory;
import org.keycloak.models.KeycloakSession;
import org.keycloak.services.resource.RealmResourceProvider;
import org.keycloak.services.resource.RealmResourceProviderFactory;

/**
 * Registers warden's admin REST resource under every realm: {@code /realms/{realm}/warden/...}.
 * Every endpoint there requires a bearer token of an administrator of that realm.
 */
public final class WardenAdminResourceProviderFactory
        implements RealmResourceProviderFactory, WardenProviderFactory<RealmResourceProvider> {

    /** Path segment under {@code /realms/{realm}/} and provider id in the server info. */
    public static final String PROVIDER_ID = "warden";

    @Override
    public RealmResourceProvider create(KeycloakSession session) {
        return new WardenAdminResourceProvider(session);
    }

    @Override
    public String getId() {
        return PROVIDER_ID;
    }
}
