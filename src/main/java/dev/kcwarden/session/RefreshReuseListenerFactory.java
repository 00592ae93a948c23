package dev.kcwarden.session;

import dev.kcwarden.WardenProviderFactory;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import org.keycloak.events.EventListenerProvider;
import org.keycloak.events.EventListenerProviderFactory;
import org.keycloak.models.KeycloakSession;
import org.keycloak.models.KeycloakSessionFactory;

/**
 * Event listener {@value #PROVIDER_ID}: answers Keycloak's "refresh token replayed" event by ending the token family.
 */
public final class RefreshReuseListenerFactory
        implements EventListenerProviderFactory, WardenProviderFactory<EventListenerProvider> {

    public static final String PROVIDER_ID = "warden-refresh-reuse";

    private KeycloakSessionFactory sessionFactory;
    /**
     * Ends families on a thread of its own: the error event reaches the listener while the token request's own
     * transaction still holds the rows of the replayed session, so ending it from that thread waited on a lock the
     * request held (an offline replay hung 10 s, then the lock timeout rolled the revocation back).
     */
    private ExecutorService responder;

    @Override
    public EventListenerProvider create(KeycloakSession session) {
        return new RefreshReuseListener(session, sessionFactory, responder);
    }

    @Override
    public String getId() {
        return PROVIDER_ID;
    }

    @Override
    public void postInit(KeycloakSessionFactory factory) {
        this.sessionFactory = factory;
        this.responder = Executors.newSingleThreadExecutor(task -> {
            Thread thread = new Thread(task, "warden-refresh-reuse");
            thread.setDaemon(true);
            return thread;
        });
    }

    @Override
    public void close() {
        if (responder != null) {
            responder.shutdown();
        }
    }
}
