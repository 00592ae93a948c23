package dev.kcwarden.guard;

import dev.kcwarden.RequestKey;
import java.util.HashSet;
import java.util.Map;
import java.util.OptionalLong;
import java.util.Set;
import org.keycloak.models.KeycloakSession;
import org.keycloak.models.SingleUseObjectProvider;

/**
 * Slots kept in Keycloak's single-use-object store: the cache Keycloak itself uses for one-time codes, shared by every
 * node of a cluster (and by external Infinispan setups). Entries carry lifespans, so the store forgets old attempts on
 * its own.
 */
final class SingleUseObjectSlotStore implements SlotStore {

    private static final String VALUE = "n";

    /** Session attribute: the keys this request's transaction already writes. */
    private final KeycloakSession session;

    private final SingleUseObjectProvider store;

    SingleUseObjectSlotStore(KeycloakSession session) {
        this.session = session;
        this.store = session.singleUseObjects();
    }

    @Override
    public boolean claim(String key, int lifespanSeconds) {
        return store.putIfAbsent(key, lifespanSeconds);
    }

    @Override
    public boolean exists(String key) {
        return store.contains(key);
    }

    @Override
    public void delete(String key) {
        store.remove(key);
    }

    @Override
    public void write(String key, int lifespanSeconds, long value) {
        // Written when the request's transaction commits (Keycloak's put is transactional), and Keycloak's
        // transaction takes one write per key: when two checks of one request (the direct grant's password
        // and code) write the same hint or marker, the first write stands.
        Set<String> written = RequestKey.WRITTEN_SLOT_KEYS.get(session).orElse(null);
        if (written == null) {
            written = new HashSet<>();
            RequestKey.WRITTEN_SLOT_KEYS.set(session, written);
        }
        if (!written.add(key)) {
            return;
        }
        store.put(key, lifespanSeconds, Map.of(VALUE, Long.toString(value)));
    }

    @Override
    public OptionalLong read(String key) {
        String value = value(key);
        if (value == null) {
            return OptionalLong.empty();
        }
        try {
            return OptionalLong.of(Long.parseLong(value));
        } catch (NumberFormatException e) {
            return OptionalLong.empty();
        }
    }

    @Override
    public long read(String key, long absent) {
        String value = value(key);
        if (value == null) {
            return absent;
        }
        try {
            return Long.parseLong(value);
        } catch (NumberFormatException e) {
            return absent;
        }
    }

    private String value(String key) {
        Map<String, String> notes = store.get(key);
        return notes == null ? null : notes.get(VALUE);
    }
}
