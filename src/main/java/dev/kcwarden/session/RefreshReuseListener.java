package dev.kcwarden.session;

import dev.kcwarden.AfterCompletion;
import dev.kcwarden.WardenEvents;
import dev.kcwarden.metrics.WardenMetrics;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import org.jboss.logging.Logger;
import org.keycloak.common.ClientConnection;
import org.keycloak.events.Details;
import org.keycloak.events.Errors;
import org.keycloak.events.Event;
import org.keycloak.events.EventBuilder;
import org.keycloak.events.EventListenerProvider;
import org.keycloak.events.EventType;
import org.keycloak.events.admin.AdminEvent;
import org.keycloak.models.ClientModel;
import org.keycloak.models.KeycloakSession;
import org.keycloak.models.KeycloakSessionFactory;
import org.keycloak.models.RealmModel;
import org.keycloak.models.UserModel;
import org.keycloak.models.UserSessionModel;
import org.keycloak.models.utils.KeycloakModelUtils;

/**
 * Keycloak detects a replayed refresh token itself ("Maximum allowed refresh token reuse exceeded", or "Stale token"
 * for an older one) and detaches only that client's session. This listener takes Keycloak's verdict and ends the whole
 * family: the user session (all its client sessions, the browser SSO session) or, if so configured, every session of
 * the user, online and offline. It works after Keycloak's transaction, in one of its own, and never throws into the
 * token request.
 */
final class RefreshReuseListener implements EventListenerProvider {

    private static final Logger LOG = Logger.getLogger(RefreshReuseListener.class);
    private static final String STALE = "Stale token";
    private static final Set<String> REUSE_REASONS = Set.of("Maximum allowed refresh token reuse exceeded", STALE);

    private final KeycloakSession session;
    private final KeycloakSessionFactory sessionFactory;
    private final Executor responder;

    RefreshReuseListener(KeycloakSession session, KeycloakSessionFactory sessionFactory, Executor responder) {
        this.session = session;
        this.sessionFactory = sessionFactory;
        this.responder = responder;
    }

    @Override
    public void onEvent(Event event) {
        if (event.getType() != EventType.REFRESH_TOKEN_ERROR
                || !Errors.INVALID_TOKEN.equals(event.getError())
                || event.getDetails() == null
                || !REUSE_REASONS.contains(event.getDetails().get(Details.REASON))
                || event.getSessionId() == null) {
            return;
        }
        ReuseResponse response = ReuseResponse.forCurrentRequest();
        Incident incident = new Incident(
                event.getRealmId(),
                event.getSessionId(),
                event.getClientId(),
                event.getDetails().get(Details.REFRESH_TOKEN_SUB),
                event.getDetails().get(Details.REASON),
                "Offline".equals(event.getDetails().get(Details.REFRESH_TOKEN_TYPE)),
                session.getContext().getConnection(),
                response);
        // Keycloak rolls the token request back after this error; the family ends either way.
        AfterCompletion.always(session, () -> {
            try {
                responder.execute(() -> respond(incident));
            } catch (RejectedExecutionException e) {
                LOG.errorf(
                        "realm %s: server shutting down; the sessions of a replayed refresh token (session %s) "
                                + "were not ended",
                        incident.realmId(), incident.sessionId());
            }
        });
    }

    private record Incident(
            String realmId,
            String sessionId,
            String clientId,
            String subject,
            String reason,
            boolean offlineToken,
            ClientConnection connection,
            ReuseResponse response) {}

    private void respond(Incident incident) {
        try {
            KeycloakModelUtils.runJobInTransaction(sessionFactory, s -> endFamily(s, incident));
        } catch (RuntimeException e) {
            // Never into the token request; the operator must see it, without token material.
            LOG.errorf(
                    "realm %s: could not end the sessions of a replayed refresh token (session %s): %s",
                    incident.realmId(), incident.sessionId(), e.toString());
        }
    }

    private static void endFamily(KeycloakSession s, Incident incident) {
        RealmModel realm = s.realms().getRealm(incident.realmId());
        if (realm == null || !realm.isRevokeRefreshToken()) {
            return; // without rotation Keycloak's verdict is not about a replayed rotated token
        }
        s.getContext().setRealm(realm);
        UserSessionModel online = s.sessions().getUserSession(realm, incident.sessionId());
        UserSessionModel offline = s.sessions().getOfflineUserSession(realm, incident.sessionId());
        UserModel user = online != null
                ? online.getUser()
                : offline != null
                        ? offline.getUser()
                        : incident.subject() == null ? null : s.users().getUserById(realm, incident.subject());

        if (STALE.equals(incident.reason())
                && revokedByNotBefore(s, realm, incident, online != null ? online : offline, user)) {
            return; // an admin's not-before revocation, not a replay
        }
        List<UserSessionModel> onlineToEnd = new ArrayList<>();
        List<UserSessionModel> offlineToEnd = new ArrayList<>();
        if (incident.response().scope() == ReuseResponse.Scope.USER && user != null) {
            s.sessions().getUserSessionsStream(realm, user).forEach(onlineToEnd::add);
            if (incident.response().includeOffline()) {
                s.sessions().getOfflineUserSessionsStream(realm, user).forEach(offlineToEnd::add);
            }
        } else {
            if (online != null) {
                onlineToEnd.add(online);
            }
        }
        // The replayed token's own offline session always goes; the offline twin of an online session only when asked.
        if (offline != null
                && !offlineToEnd.contains(offline)
                && (incident.offlineToken() || incident.response().includeOffline())) {
            offlineToEnd.add(offline);
        }
        onlineToEnd.forEach(us -> s.sessions().removeUserSession(realm, us));
        offlineToEnd.forEach(us -> s.sessions().removeOfflineUserSession(realm, us));

        String scope = incident.response().scope().name().toLowerCase(Locale.ROOT);
        EventBuilder event = new EventBuilder(realm, s, incident.connection())
                .event(EventType.LOGOUT)
                .session(incident.sessionId())
                .detail(Details.REASON, "refresh_token_reuse")
                .detail(WardenEvents.KEYCLOAK_REASON, incident.reason())
                .detail(WardenEvents.SCOPE, scope)
                .detail(WardenEvents.SESSIONS_ENDED, Integer.toString(onlineToEnd.size()))
                .detail(WardenEvents.OFFLINE_SESSIONS_ENDED, Integer.toString(offlineToEnd.size()));
        if (incident.clientId() != null) {
            event.client(incident.clientId());
        }
        if (user != null) {
            event.user(user);
        }
        event.error(WardenEvents.REFRESH_TOKEN_REUSE);
        WardenMetrics.refreshReuse(realm, scope);
        LOG.infof(
                "realm %s: refresh token of session %s replayed (client %s); ended %d sessions and %d offline "
                        + "sessions (%s)",
                realm.getName(),
                incident.sessionId(),
                incident.clientId(),
                onlineToEnd.size(),
                offlineToEnd.size(),
                incident.response().scope());
    }

    /**
     * Keycloak also answers "Stale token" when a realm, client or user not-before revocation (newer than the session)
     * outdates the token; that is an admin's decision, not a theft, and gets no family response.
     */
    private static boolean revokedByNotBefore(
            KeycloakSession s, RealmModel realm, Incident incident, UserSessionModel userSession, UserModel user) {
        int notBefore = realm.getNotBefore();
        ClientModel client = incident.clientId() == null ? null : realm.getClientByClientId(incident.clientId());
        if (client != null) {
            notBefore = Math.max(notBefore, client.getNotBefore());
        }
        if (user != null) {
            notBefore = Math.max(notBefore, s.users().getNotBeforeOfUser(realm, user));
        }
        return notBefore > 0 && (userSession == null || notBefore >= userSession.getStarted());
    }

    @Override
    public void onEvent(AdminEvent event, boolean includeRepresentation) {
        // admin events are not about tokens
    }

    @Override
    public void close() {
        // holds nothing
    }
}
