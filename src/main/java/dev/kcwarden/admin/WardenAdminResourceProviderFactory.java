package dev.kcwarden.admin;

import dev.kcwarden.KeycloakAdvisories;
import dev.kcwarden.WardenProviderFactory;
import org.jboss.logging.Logger;
import org.keycloak.common.Version;
import org.keycloak.models.KeycloakSession;
import org.keycloak.models.KeycloakSessionFactory;
import org.keycloak.services.resources.admin.ext.AdminRealmResourceProvider;
import org.keycloak.services.resources.admin.ext.AdminRealmResourceProviderFactory;

/**
 * Registers warden's admin REST resource in Keycloak's admin API: {@code /admin/realms/{realm}/warden/...}. Keycloak's
 * admin root authenticates the bearer token (of this realm's admins, or of a server admin in master) and hands over the
 * permission evaluator and the admin event builder, exactly as for its own endpoints; a proxy that shields
 * {@code /admin} shields this too.
 *
 * <p>Always deployed with the jar, so it is also where each node says once, at start, when the Keycloak it runs on has
 * published vulnerabilities ({@link KeycloakAdvisories}).
 */
public final class WardenAdminResourceProviderFactory
        implements AdminRealmResourceProviderFactory, WardenProviderFactory<AdminRealmResourceProvider> {

    /** Path segment under {@code /admin/realms/{realm}/} and provider id in the server info. */
    public static final String PROVIDER_ID = "warden";

    private static final Logger LOG = Logger.getLogger("dev.kcwarden");

    @Override
    public AdminRealmResourceProvider create(KeycloakSession session) {
        return new WardenAdminResourceProvider();
    }

    @Override
    public void postInit(KeycloakSessionFactory factory) {
        KeycloakAdvisories.warning(Version.VERSION).ifPresent(warning -> LOG.warnf("keycloak-warden: %s", warning));
    }

    @Override
    public String getId() {
        return PROVIDER_ID;
    }
}
