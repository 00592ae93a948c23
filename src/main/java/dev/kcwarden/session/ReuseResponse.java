package dev.kcwarden.session;

import java.util.Locale;

/**
 * How far the response to a replayed refresh token reaches. Read from the realm's client policy executor
 * {@value RefreshReuseExecutorFactory#PROVIDER_ID} when one applies to the client, else the defaults: end the token's
 * whole user session, and its offline twin.
 */
public record ReuseResponse(Scope scope, boolean includeOffline) {

    public enum Scope {
        /** The user session the token belonged to, with every client session in it. */
        SESSION,
        /** Every session of the user. */
        USER;

        static Scope parse(String value) {
            return value != null && value.strip().toLowerCase(Locale.ROOT).equals("user") ? USER : SESSION;
        }
    }

    public static final ReuseResponse DEFAULT = new ReuseResponse(Scope.SESSION, true);

    /**
     * The executor's options for the token request this thread is serving. Keycloak hands error events to listeners in
     * a session of their own (same thread), so a session attribute would not reach the listener; the executor clears
     * this when the request's transaction ends.
     */
    private static final ThreadLocal<ReuseResponse> CURRENT_REQUEST = new ThreadLocal<>();

    static void setForCurrentRequest(ReuseResponse response) {
        CURRENT_REQUEST.set(response);
    }

    static void clearForCurrentRequest() {
        CURRENT_REQUEST.remove();
    }

    /** The options of the current request's executor, or the defaults when no client policy applies. */
    static ReuseResponse forCurrentRequest() {
        ReuseResponse response = CURRENT_REQUEST.get();
        return response == null ? DEFAULT : response;
    }
}
