package dev.kcwarden.admin;

import org.keycloak.models.KeycloakSession;
import org.keycloak.services.resource.RealmResourceProvider;

final class WardenAdminResourceProvider implements RealmResourceProvider {

    private final KeycloakSession session;

    WardenAdminResourceProvider(KeycloakSession session) {
        this.session = session;
    }

    @Override
    public Object getResource() {
        return new WardenAdminResource(session);
    }

    @Override
    public void close() {
        // request-scoped, nothing held
    }
}
