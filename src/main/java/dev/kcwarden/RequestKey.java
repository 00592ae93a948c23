package dev.kcwarden;

import java.util.Optional;
import java.util.Set;
import org.keycloak.events.EventBuilder;
import org.keycloak.models.KeycloakSession;

/**
 * A value one warden provider leaves for another within the same request, under a typed key on the request's
 * {@link KeycloakSession}. Every such hand-over is listed here, so no provider reads a string attribute that another
 * one may or may not set.
 */
public final class RequestKey<T> {

    /** The registration's event builder, set by the registration guard: the breach policy adds its outcome to it. */
    public static final RequestKey<EventBuilder> REGISTRATION_EVENT =
            new RequestKey<>("warden.registration.event", EventBuilder.class);

    /**
     * Why the registration guard refused this form ({@code throttled}, {@code honeypot}): the breach policy then makes
     * no range query for it.
     */
    public static final RequestKey<String> REGISTRATION_REFUSED =
            new RequestKey<>("warden.registration.refused", String.class);

    /**
     * The email-domain rule that, in monitor mode, would have refused this request's email: Keycloak validates the
     * profile more than once per sign-up (the form, then the new user), and each would-be refusal counts once.
     */
    public static final RequestKey<String> EMAIL_WOULD_REJECT =
            new RequestKey<>("warden.email.would-reject", String.class);

    /** The slot-store keys this request already wrote: Keycloak's transaction takes one write per key. */
    @SuppressWarnings({"unchecked", "rawtypes"})
    public static final RequestKey<Set<String>> WRITTEN_SLOT_KEYS =
            new RequestKey<>("warden.guard.written", (Class) Set.class);

    private final String name;
    private final Class<T> type;

    private RequestKey(String name, Class<T> type) {
        this.name = name;
        this.type = type;
    }

    public void set(KeycloakSession session, T value) {
        session.setAttribute(name, value);
    }

    public Optional<T> get(KeycloakSession session) {
        return Optional.ofNullable(session.getAttribute(name, type));
    }
}
