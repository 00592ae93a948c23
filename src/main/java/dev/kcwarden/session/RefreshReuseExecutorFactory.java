package dev.kcwarden.session;

import dev.kcwarden.WardenProviderFactory;
import java.util.List;
import org.keycloak.models.KeycloakSession;
import org.keycloak.provider.ProviderConfigProperty;
import org.keycloak.services.clientpolicy.executor.ClientPolicyExecutorProvider;
import org.keycloak.services.clientpolicy.executor.ClientPolicyExecutorProviderFactory;

/**
 * The console's home for the refresh-reuse response options: a client policy executor (Realm settings → Client policies
 * → Profiles). It refuses nothing itself; on each refresh it hands its options to {@link RefreshReuseListenerFactory}'s
 * listener, which acts when Keycloak reports a replayed refresh token.
 */
public final class RefreshReuseExecutorFactory
        implements ClientPolicyExecutorProviderFactory, WardenProviderFactory<ClientPolicyExecutorProvider> {

    public static final String PROVIDER_ID = "warden-refresh-token-reuse";
    public static final String SCOPE = "warden.scope";
    public static final String INCLUDE_OFFLINE = "warden.include-offline";

    private static final List<ProviderConfigProperty> PROPERTIES = List.of(
            new ProviderConfigProperty(
                    SCOPE,
                    "Sessions to end",
                    "What a replayed (already rotated) refresh token ends: 'session' (default) ends the user "
                            + "session the "
                            + "token belonged to, with the browser SSO session and every client's tokens in it; "
                            + "'user' ends "
                            + "every session of that user.",
                    ProviderConfigProperty.LIST_TYPE,
                    "session",
                    "session",
                    "user"),
            new ProviderConfigProperty(
                    INCLUDE_OFFLINE,
                    "Also end offline sessions",
                    "On (default): offline sessions go too: the offline twin of the session, or with 'user' all of the "
                            + "user's offline sessions. A replayed offline token always ends its own offline session.",
                    ProviderConfigProperty.BOOLEAN_TYPE,
                    true));

    @Override
    public ClientPolicyExecutorProvider<?> create(KeycloakSession session) {
        return new RefreshReuseExecutor(session);
    }

    @Override
    public String getId() {
        return PROVIDER_ID;
    }

    @Override
    public String getHelpText() {
        return "warden: when a refresh token that was already rotated is presented again (a stolen copy, RFC "
                + "9700 4.14.2), "
                + "end the whole token family instead of only the client session Keycloak detaches. Needs the "
                + "event listener "
                + "'warden-refresh-reuse' in Realm settings → Events.";
    }

    @Override
    public List<ProviderConfigProperty> getConfigProperties() {
        return PROPERTIES;
    }
}
