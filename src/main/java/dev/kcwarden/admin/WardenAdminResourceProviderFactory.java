package dev.kcwarden.admin;

import dev.kcwarden.KeycloakAdvisories;
import dev.kcwarden.WardenProviderFactory;
import org.jboss.logging.Logger;
import org.keycloak.common.Version;
import org.keycloak.models.KeycloakSession;
import org.keycloak.models.KeycloakSessionFactory;
import org.keycloak.services.resource.RealmResourceProvider;
import org.keycloak.services.resource.RealmResourceProviderFactory;

/**
 * Registers warden's admin REST resource under every realm: {@code /realms/{realm}/warden/...}.
 * Every endpoint there requires a bearer token of an administrator of that realm.
 *
 * <p>Always deployed with the jar, so it is also where each node says once, at start, when the Keycloak it runs
 * on has published vulnerabilities ({@link KeycloakAdvisories}).
 */
public final class WardenAdminResourceProviderFactory
        implements RealmResourceProviderFactory, WardenProviderFactory<RealmResourceProvider> {

    /** Path segment under {@code /realms/{realm}/} and provider id in the server info. */
    public static final String PROVIDER_ID = "warden";

    @Override
    public RealmResourceProvider create(KeycloakSession session) {
        return new WardenAdminResourceProvider(session);
    }

    private static final Logger LOG = Logger.getLogger("dev.kcwarden");

    @Override
    public void postInit(KeycloakSessionFactory factory) {
        KeycloakAdvisories.warning(Version.VERSION).ifPresent(warning -> LOG.warnf("keycloak-warden: %s", warning));
    }

    @Override
    public String getId() {
        return PROVIDER_ID;
    }
}
