package dev.kcwarden.session;

import com.fasterxml.jackson.annotation.JsonProperty;
import dev.kcwarden.AfterCompletion;
import org.keycloak.models.KeycloakSession;
import org.keycloak.representations.idm.ClientPolicyExecutorConfigurationRepresentation;
import org.keycloak.services.clientpolicy.ClientPolicyContext;
import org.keycloak.services.clientpolicy.ClientPolicyEvent;
import org.keycloak.services.clientpolicy.executor.ClientPolicyExecutorProvider;

/**
 * Leaves this profile's options for the listener during the request; Keycloak runs it before it checks the refresh
 * token.
 */
final class RefreshReuseExecutor implements ClientPolicyExecutorProvider<RefreshReuseExecutor.Configuration> {

    private final KeycloakSession session;
    private Configuration configuration = new Configuration();

    RefreshReuseExecutor(KeycloakSession session) {
        this.session = session;
    }

    public static class Configuration extends ClientPolicyExecutorConfigurationRepresentation {
        @JsonProperty(RefreshReuseExecutorFactory.SCOPE)
        protected String scope;

        @JsonProperty(RefreshReuseExecutorFactory.INCLUDE_OFFLINE)
        protected Boolean includeOffline;

        ReuseResponse toResponse() {
            return new ReuseResponse(
                    ReuseResponse.Scope.parse(scope),
                    includeOffline == null ? ReuseResponse.DEFAULT.includeOffline() : includeOffline);
        }
    }

    @Override
    public void setupConfiguration(Configuration config) {
        this.configuration = config == null ? new Configuration() : config;
    }

    @Override
    public Class<Configuration> getExecutorConfigurationClass() {
        return Configuration.class;
    }

    @Override
    public void executeOnEvent(ClientPolicyContext context) {
        if (context.getEvent() == ClientPolicyEvent.TOKEN_REFRESH) {
            ReuseResponse.setForCurrentRequest(configuration.toResponse());
            AfterCompletion.always(session, ReuseResponse::clearForCurrentRequest);
        }
    }

    @Override
    public String getProviderId() {
        return RefreshReuseExecutorFactory.PROVIDER_ID;
    }
}
