package dev.kcwarden.session;

import dev.kcwarden.WardenProviderFactory;
import org.keycloak.events.EventListenerProvider;
import org.keycloak.events.EventListenerProviderFactory;
import org.keycloak.models.KeycloakSession;
import org.keycloak.models.KeycloakSessionFactory;

/** Event listener {@value #PROVIDER_ID}: answers Keycloak's "refresh token replayed" event by ending the token family. */
public final class RefreshReuseListenerFactory implements EventListenerProviderFactory, WardenProviderFactory<EventListenerProvider> {

    public static final String PROVIDER_ID = "warden-refresh-reuse";

    private KeycloakSessionFactory sessionFactory;

    @Override
    public EventListenerProvider create(KeycloakSession session) {
        return new RefreshReuseListener(session, sessionFactory);
    }

    @Override
    public String getId() {
        return PROVIDER_ID;
    }

    @Override
    public void postInit(KeycloakSessionFactory factory) {
        this.sessionFactory = factory;
    }
}
