package dev.kcwarden.testing;

import java.util.HashMap;
import java.util.Map;
import org.keycloak.representations.idm.AuthenticationExecutionInfoRepresentation;
import org.keycloak.representations.idm.AuthenticatorConfigRepresentation;
import org.keycloak.testframework.realm.ManagedRealm;

/** Changes a guarded execution's limits through the admin API, as an admin does in the console. */
public final class GuardLimits {

    public static final String BROWSER_FLOW = "warden browser forms";
    public static final String DIRECT_GRANT_FLOW = "warden direct grant";
    public static final String RESET_FLOW = "warden reset credentials";

    private GuardLimits() {}

    public static void set(ManagedRealm realm, String flowAlias, String providerId, Map<String, String> values) {
        AuthenticationExecutionInfoRepresentation execution = realm.admin().flows().getExecutions(flowAlias).stream()
                .filter(e -> providerId.equals(e.getProviderId()))
                .findFirst()
                .orElseThrow(() -> new AssertionError(providerId + " is not in flow " + flowAlias));
        String configId = execution.getAuthenticationConfig();
        AuthenticatorConfigRepresentation config = realm.admin().flows().getAuthenticatorConfig(configId);
        Map<String, String> merged = new HashMap<>(config.getConfig());
        merged.putAll(values);
        config.setConfig(merged);
        realm.admin().flows().updateAuthenticatorConfig(configId, config);
    }
}
