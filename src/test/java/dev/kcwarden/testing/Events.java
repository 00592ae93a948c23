package dev.kcwarden.testing;

import java.util.List;
import org.keycloak.representations.idm.EventRepresentation;
import org.keycloak.testframework.realm.ManagedRealm;

/** The realm's stored user events, newest first, asked for by what a test knows instead of by position. */
public final class Events {

    private final ManagedRealm realm;
    private final List<String> types;
    private String client;
    private String user;
    private String ip;
    private int max = 100;

    private Events(ManagedRealm realm, List<String> types) {
        this.realm = realm;
        this.types = types;
    }

    /** Events of these types (LOGIN_ERROR, REGISTER, ...). */
    public static Events of(ManagedRealm realm, String... types) {
        return new Events(realm, List.of(types));
    }

    public Events client(String clientId) {
        this.client = clientId;
        return this;
    }

    public Events user(String userId) {
        this.user = userId;
        return this;
    }

    public Events ip(String address) {
        this.ip = address;
        return this;
    }

    public Events max(int count) {
        this.max = count;
        return this;
    }

    public List<EventRepresentation> list() {
        return realm.admin().getEvents(types, client, user, null, null, ip, 0, max);
    }

    /** The newest matching event; fails when there is none. */
    public EventRepresentation newest() {
        List<EventRepresentation> events = list();
        if (events.isEmpty()) {
            throw new AssertionError("no stored " + types + " event" + (user == null ? "" : " of user " + user));
        }
        return events.get(0);
    }
}
