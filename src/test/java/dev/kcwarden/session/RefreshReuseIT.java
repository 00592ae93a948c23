package dev.kcwarden.session;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import dev.kcwarden.testing.Await;
import dev.kcwarden.testing.Concurrently;
import dev.kcwarden.testing.DemoRealm;
import dev.kcwarden.testing.DemoRealmBrowserTest;
import dev.kcwarden.testing.Events;
import dev.kcwarden.testing.Http;
import dev.kcwarden.testing.Pkce;
import dev.kcwarden.testing.Users;
import dev.kcwarden.testing.WardenServerConfig;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.keycloak.representations.idm.ClientPoliciesRepresentation;
import org.keycloak.representations.idm.ClientPolicyConditionRepresentation;
import org.keycloak.representations.idm.ClientPolicyExecutorRepresentation;
import org.keycloak.representations.idm.ClientPolicyRepresentation;
import org.keycloak.representations.idm.ClientProfileRepresentation;
import org.keycloak.representations.idm.ClientProfilesRepresentation;
import org.keycloak.representations.idm.ClientRepresentation;
import org.keycloak.representations.idm.EventRepresentation;
import org.keycloak.testframework.annotations.KeycloakIntegrationTest;

/**
 * US5: rotation, and what a replayed refresh token ends. Stock Keycloak 26.7.0 detaches only the reusing client's
 * session; these tests look at what it leaves alive: the user session, the browser SSO session, another client's tokens
 * in the same session, the user's other and offline sessions.
 */
@KeycloakIntegrationTest(config = WardenServerConfig.class)
@DisplayName("A replayed refresh token ends the whole token family")
class RefreshReuseIT extends DemoRealmBrowserTest {

    static final String PASSWORD = "Reuse-test-passphrase-1";
    static final String SECOND_APP = "second-app";
    static final String PROFILE = "warden refresh reuse";

    private String apiSecret;

    @BeforeEach
    void clients() {
        if (realm.admin().clients().findByClientId(SECOND_APP).isEmpty()) {
            ClientRepresentation app = new ClientRepresentation();
            app.setClientId(SECOND_APP);
            app.setPublicClient(true);
            app.setStandardFlowEnabled(true);
            app.setDirectAccessGrantsEnabled(false);
            app.setRedirectUris(List.of("http://127.0.0.1/callback"));
            app.setAttributes(Map.of("pkce.code.challenge.method", "S256"));
            realm.admin().clients().create(app).close();
        }
        String apiId =
                realm.admin().clients().findByClientId(DemoRealm.API).get(0).getId();
        apiSecret = realm.admin().clients().get(apiId).getSecret().getValue();
        removeResponse();
    }

    /**
     * Signs in to demo-spa in the browser, then to second-app through the SSO session; returns both token responses.
     */
    private Map<String, Object>[] twoAppsInOneSession(String username) {
        String spaVerifier = Pkce.newVerifier();
        Map<String, String> spa = browser.signIn(
                driver,
                loginPage,
                endpoints,
                browser.authorizationUrl(endpoints, DemoRealm.SPA, spaVerifier, "a"),
                username,
                PASSWORD);
        Http.Reply spaTokens =
                endpoints.exchangeCode(DemoRealm.SPA, spa.get("code"), browser.redirectUri(), spaVerifier);
        assertThat(spaTokens.status()).as(spaTokens.body()).isEqualTo(200);

        String appVerifier = Pkce.newVerifier();
        Map<String, String> app = browser.authorizeSilently(
                        driver, browser.authorizationUrl(endpoints, SECOND_APP, appVerifier, "b"))
                .orElseThrow(() -> new AssertionError("the SSO session did not sign in second-app"));
        Http.Reply appTokens = endpoints.exchangeCode(SECOND_APP, app.get("code"), browser.redirectUri(), appVerifier);
        assertThat(appTokens.status()).as(appTokens.body()).isEqualTo(200);
        @SuppressWarnings("unchecked")
        Map<String, Object>[] both = new Map[] {spaTokens.json(), appTokens.json()};
        return both;
    }

    @Test
    @DisplayName("rotation, then a replay: the user session, the browser SSO session and every client's tokens end")
    void replayEndsTheFamily() {
        String alice = "reuse-alice";
        String userId = Users.create(realm, Users.withPassword(alice, PASSWORD));
        Map<String, Object>[] tokens = twoAppsInOneSession(alice);
        String r1 = (String) tokens[0].get("refresh_token");
        String appRefresh = (String) tokens[1].get("refresh_token");
        assertThat(realm.admin().users().get(userId).getUserSessions()).hasSize(1);

        Http.Reply rotated = endpoints.refresh(DemoRealm.SPA, r1);
        assertThat(rotated.status()).as(rotated.body()).isEqualTo(200);
        String r2 = (String) rotated.json().get("refresh_token");
        String a2 = (String) rotated.json().get("access_token");
        assertThat(r2).as("rotation: a new refresh token").isNotEqualTo(r1);
        assertThat(endpoints.introspect(DemoRealm.API, apiSecret, a2)).containsEntry("active", true);

        Http.Reply replay = endpoints.refresh(DemoRealm.SPA, r1);
        assertThat(replay.status()).isEqualTo(400);
        assertThat(replay.json()).containsEntry("error", "invalid_grant");

        // the family ends on the listener's own thread; its incident event commits with the removals
        awaitTrue(() -> !incidents(userId).isEmpty(), "the incident event");
        awaitTrue(() -> realm.admin().users().get(userId).getUserSessions().isEmpty(), "the user session ended");
        assertInvalidGrant(endpoints.refresh(DemoRealm.SPA, r2));
        assertInvalidGrant(endpoints.refresh(SECOND_APP, appRefresh));
        assertThat(endpoints.introspect(DemoRealm.API, apiSecret, a2)).containsEntry("active", false);
        assertThat(browser.authorizeSilently(
                        driver, browser.authorizationUrl(endpoints, DemoRealm.SPA, Pkce.newVerifier(), "c")))
                .as("the browser must sign in again")
                .isEmpty();
        loginPage.assertCurrent();

        EventRepresentation incident = incidents(userId).get(0);
        assertThat(incident.getType()).isEqualTo("LOGOUT_ERROR");
        assertThat(incident.getError()).isEqualTo("warden_refresh_token_reuse");
        assertThat(incident.getClientId()).isEqualTo(DemoRealm.SPA);
        assertThat(incident.getSessionId()).isNotBlank();
        assertThat(incident.getIpAddress()).isNotBlank();
        assertThat(incident.getDetails())
                .containsEntry("warden_sessions_ended", "1")
                .containsEntry("warden_scope", "session")
                .containsEntry("keycloak_reason", "Maximum allowed refresh token reuse exceeded");
    }

    @Test
    @DisplayName("default scope: the user's other sessions (another device) and separate offline sessions stay")
    void otherSessionsStayByDefault() {
        Devices user = threeSessions("reuse-bob");
        String userId = user.userId();

        replay(user.laptop());

        // the family ends on the listener's own thread; its incident event commits with the removals
        awaitTrue(() -> !incidents(userId).isEmpty(), "the incident event");
        awaitTrue(() -> realm.admin().users().get(userId).getUserSessions().size() == 1, "one session left");
        assertThat(endpoints.refresh(DemoRealm.CLI, user.phone()).status()).isEqualTo(200);
        assertThat(endpoints.refresh(DemoRealm.CLI, user.offline()).status()).isEqualTo(200);
    }

    @Test
    @DisplayName("scope 'user' with offline sessions: every session of the user ends, offline ones too")
    void userScopeEndsEverything() {
        setResponse("user", true);
        Devices user = threeSessions("reuse-carol");
        String userId = user.userId();

        replay(user.laptop());

        // the family ends on the listener's own thread; its incident event commits with the removals
        awaitTrue(() -> !incidents(userId).isEmpty(), "the incident event");
        awaitTrue(() -> realm.admin().users().get(userId).getUserSessions().isEmpty(), "no session left");
        assertInvalidGrant(endpoints.refresh(DemoRealm.CLI, user.phone()));
        assertInvalidGrant(endpoints.refresh(DemoRealm.CLI, user.offline()));
        assertThat(incidents(userId).get(0).getDetails()).containsEntry("warden_scope", "user");
    }

    @Test
    @DisplayName("a replayed offline token ends its offline session, with include-offline on or off, while the user "
            + "is online too")
    void replayedOfflineToken() {
        for (boolean includeOffline : new boolean[] {true, false}) {
            setResponse("session", includeOffline);
            String username = "reuse-offline-" + includeOffline;
            String userId = Users.create(realm, Users.withPassword(username, PASSWORD));
            String online = refreshToken(endpoints.password(DemoRealm.CLI, username, PASSWORD));
            String o1 = refreshToken(passwordWithScope(username, "offline_access"));
            String o2 = refreshToken(endpoints.refresh(DemoRealm.CLI, o1));
            long before = System.nanoTime();
            assertInvalidGrant(endpoints.refresh(DemoRealm.CLI, o1));
            // the token request must not wait for the revocation (it once waited 10 s on a lock it held itself)
            assertThat(Duration.ofNanos(System.nanoTime() - before))
                    .as("the replay's answer")
                    .isLessThan(Duration.ofSeconds(5));
            awaitTrue(() -> !incidents(userId).isEmpty(), "an incident event");
            awaitTrue(
                    () -> realm.admin()
                            .users()
                            .get(userId)
                            .getOfflineSessions(realm.admin()
                                    .clients()
                                    .findByClientId(DemoRealm.CLI)
                                    .get(0)
                                    .getId())
                            .isEmpty(),
                    "the offline session ended in the store");
            assertInvalidGrant(endpoints.refresh(DemoRealm.CLI, o2));
            assertThat(incidents(userId).get(0).getDetails())
                    .as("include-offline %s", includeOffline)
                    .containsEntry("warden_offline_sessions_ended", "1");
            // scope 'session': the user's separate online session, from another sign-in, is not the replayed family
            assertThat(endpoints.refresh(DemoRealm.CLI, online).status())
                    .as("the online session, include-offline %s", includeOffline)
                    .isEqualTo(200);
        }
    }

    @Test
    @DisplayName("an admin's not-before revocation ('Stale token') is not treated as a replay: no incident, sessions "
            + "left to Keycloak")
    void notBeforeRevocationIsNotAReplay() throws Exception {
        String gus = "reuse-gus";
        String userId = Users.create(realm, Users.withPassword(gus, PASSWORD));
        String laptop = refreshToken(endpoints.password(DemoRealm.CLI, gus, PASSWORD));
        Thread.sleep(1100); // not-before has whole-second resolution
        org.keycloak.representations.idm.RealmRepresentation rep = realm.admin().toRepresentation();
        rep.setNotBefore((int) (System.currentTimeMillis() / 1000));
        realm.admin().update(rep);
        try {
            Http.Reply stale = endpoints.refresh(DemoRealm.CLI, laptop);
            assertInvalidGrant(stale);
            assertThat(stale.json()).containsEntry("error_description", "Stale token");
            // A control: a real replay, after the stale refusal, through the same listener. Once its incident is
            // visible, the earlier refusal has long been through the listener too.
            rep.setNotBefore(0);
            realm.admin().update(rep);
            String controlId = Users.create(realm, Users.withPassword("reuse-gus-control", PASSWORD));
            replay(refreshToken(endpoints.password(DemoRealm.CLI, "reuse-gus-control", PASSWORD)));
            awaitTrue(() -> !incidents(controlId).isEmpty(), "the control replay's incident");
            assertThat(incidents(userId)).as("the stale token's refusal").isEmpty();
            assertThat(realm.admin().users().get(userId).getUserSessions()).hasSize(1);
        } finally {
            rep.setNotBefore(0);
            realm.admin().update(rep);
        }
    }

    @Test
    @DisplayName("the benign race: two tabs refresh with the same token at once; at most one wins, and a loss ends "
            + "the family")
    void twoTabsRace() throws Exception {
        String erin = "reuse-erin";
        String userId = Users.create(realm, Users.withPassword(erin, PASSWORD));
        String token = refreshToken(endpoints.password(DemoRealm.CLI, erin, PASSWORD));
        List<Http.Reply> replies = Concurrently.atOnce(2, i -> () -> endpoints.refresh(DemoRealm.CLI, token));
        List<Integer> statuses = replies.stream().map(Http.Reply::status).toList();
        System.out.println("two tabs refreshing at once: " + statuses);
        assertThat(statuses)
                .as("each tab gets a token or invalid_grant, nothing else")
                .allMatch(s -> s == 200 || s == 400);
        assertThat(statuses).as("never two winners").filteredOn(s -> s == 200).hasSizeLessThanOrEqualTo(1);
        assertThat(statuses)
                .as("one refresh token used twice: at least one loses")
                .contains(400);
        for (Http.Reply reply : replies) {
            if (reply.status() == 400) {
                assertThat(reply.json()).containsEntry("error", "invalid_grant");
            }
        }
        // the family ends on the listener's own thread; its incident event commits with the removals
        awaitTrue(() -> !incidents(userId).isEmpty(), "the incident event");
        awaitTrue(() -> realm.admin().users().get(userId).getUserSessions().isEmpty(), "the family ended");
        for (Http.Reply reply : replies) {
            if (reply.status() == 200) {
                assertInvalidGrant(
                        endpoints.refresh(DemoRealm.CLI, (String) reply.json().get("refresh_token")));
            }
        }
    }

    /** A user signed in on a laptop and a phone (two sessions) and with a separate offline token. */
    private record Devices(String userId, String laptop, String phone, String offline) {}

    private Devices threeSessions(String username) {
        String userId = Users.create(realm, Users.withPassword(username, PASSWORD));
        return new Devices(
                userId,
                refreshToken(endpoints.password(DemoRealm.CLI, username, PASSWORD)),
                refreshToken(endpoints.password(DemoRealm.CLI, username, PASSWORD)),
                refreshToken(passwordWithScope(username, "offline_access")));
    }

    private void replay(String refreshToken) {
        String next = refreshToken(endpoints.refresh(DemoRealm.CLI, refreshToken));
        assertThat(next).isNotEqualTo(refreshToken);
        assertInvalidGrant(endpoints.refresh(DemoRealm.CLI, refreshToken));
    }

    private Http.Reply passwordWithScope(String username, String scope) {
        return Http.postForm(
                endpoints.tokenUrl(),
                Map.of(
                        "grant_type",
                        "password",
                        "client_id",
                        DemoRealm.CLI,
                        "username",
                        username,
                        "password",
                        PASSWORD,
                        "scope",
                        "openid " + scope));
    }

    private static String refreshToken(Http.Reply reply) {
        assertThat(reply.status()).as(reply.body()).isEqualTo(200);
        return (String) reply.json().get("refresh_token");
    }

    private static void assertInvalidGrant(Http.Reply reply) {
        assertThat(reply.status()).as(reply.body()).isEqualTo(400);
        assertThat(reply.json()).containsEntry("error", "invalid_grant");
    }

    private List<EventRepresentation> incidents(String userId) {
        return Events.of(realm, "LOGOUT_ERROR").user(userId).max(10).list().stream()
                .filter(e -> "warden_refresh_token_reuse".equals(e.getError()))
                .toList();
    }

    /**
     * The executor's options, as an admin sets them: a client profile holding the executor and a policy (condition any
     * client) that applies it. The shipped realm has neither; the listener then uses the defaults.
     */
    private void setResponse(String scope, boolean includeOffline) {
        removeResponse();
        ClientPolicyExecutorRepresentation executor = new ClientPolicyExecutorRepresentation();
        executor.setExecutorProviderId(RefreshReuseExecutorFactory.PROVIDER_ID);
        executor.setConfiguration(JsonNodeFactory.instance
                .objectNode()
                .put(RefreshReuseExecutorFactory.SCOPE, scope)
                .put(RefreshReuseExecutorFactory.INCLUDE_OFFLINE, includeOffline));
        ClientProfileRepresentation profile = new ClientProfileRepresentation();
        profile.setName(PROFILE);
        profile.setExecutors(List.of(executor));
        ClientProfilesRepresentation profiles =
                realm.admin().clientPoliciesProfilesResource().getProfiles(false);
        profiles.setProfiles(new ArrayList<>(profiles.getProfiles()));
        profiles.getProfiles().add(profile);
        realm.admin().clientPoliciesProfilesResource().updateProfiles(profiles);

        ClientPolicyConditionRepresentation anyClient = new ClientPolicyConditionRepresentation();
        anyClient.setConditionProviderId("any-client");
        anyClient.setConfiguration(JsonNodeFactory.instance.objectNode());
        ClientPolicyRepresentation policy = new ClientPolicyRepresentation();
        policy.setName(PROFILE);
        policy.setEnabled(true);
        policy.setConditions(List.of(anyClient));
        policy.setProfiles(List.of(PROFILE));
        ClientPoliciesRepresentation policies =
                realm.admin().clientPoliciesPoliciesResource().getPolicies(false);
        policies.setPolicies(new ArrayList<>(policies.getPolicies()));
        policies.getPolicies().add(policy);
        realm.admin().clientPoliciesPoliciesResource().updatePolicies(policies);
    }

    /** Back to the shipped realm: no policy and no profile of warden's, so the listener's defaults apply. */
    private void removeResponse() {
        ClientPoliciesRepresentation policies =
                realm.admin().clientPoliciesPoliciesResource().getPolicies(false);
        policies.setPolicies(new ArrayList<>(policies.getPolicies().stream()
                .filter(p -> !PROFILE.equals(p.getName()))
                .toList()));
        realm.admin().clientPoliciesPoliciesResource().updatePolicies(policies);
        ClientProfilesRepresentation profiles =
                realm.admin().clientPoliciesProfilesResource().getProfiles(false);
        profiles.setProfiles(new ArrayList<>(profiles.getProfiles().stream()
                .filter(p -> !PROFILE.equals(p.getName()))
                .toList()));
        realm.admin().clientPoliciesProfilesResource().updateProfiles(profiles);
    }

    private static void awaitTrue(BooleanSupplier condition, String what) {
        Await.until(what, Duration.ofSeconds(10), condition::getAsBoolean, Boolean::booleanValue);
    }
}
