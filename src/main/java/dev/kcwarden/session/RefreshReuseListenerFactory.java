package dev.kcwarden.session;

import dev.kcwarden.Warden;
import java.util.Map;
import org.keycloak.Config;
import org.keycloak.events.EventListenerProvider;
import org.keycloak.events.EventListenerProviderFactory;
import org.keycloak.models.KeycloakSession;
import org.keycloak.models.KeycloakSessionFactory;
import org.keycloak.provider.ServerInfoAwareProviderFactory;

/** Event listener {@value #PROVIDER_ID}: answers Keycloak's "refresh token replayed" event by ending the token family. */
public final class RefreshReuseListenerFactory implements EventListenerProviderFactory, ServerInfoAwareProviderFactory {

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
    public Map<String, String> getOperationalInfo() {
        return Warden.operationalInfo();
    }

    @Override
    public void init(Config.Scope config) {
        // enabled per realm in Realm settings → Events → Event listeners
    }

    @Override
    public void postInit(KeycloakSessionFactory factory) {
        this.sessionFactory = factory;
    }

    @Override
    public void close() {
        // holds nothing
    }
}
