package dev.kcwarden.quickstart;

import java.util.List;
import java.util.Map;
import org.keycloak.admin.client.resource.AuthenticationManagementResource;
import org.keycloak.admin.client.resource.RealmResource;
import org.keycloak.representations.idm.AuthenticationExecutionInfoRepresentation;
import org.keycloak.representations.idm.AuthenticationFlowRepresentation;
import org.keycloak.representations.idm.RealmRepresentation;

/**
 * Guards the master realm's own logins (the admin console, and admin-cli's password grant that kcadm.sh uses) with
 * warden's authenticators, through the admin API as an operator would: two new flows, bound as the realm's browser and
 * direct grant flows. Keycloak's built-in flows stay as they are, so unbinding is one click. Idempotent: a second run
 * finds the flows and only binds them.
 */
public final class MasterRealmGuard {

    public static final String BROWSER = "warden master browser";
    public static final String DIRECT_GRANT = "warden master direct grant";

    private MasterRealmGuard() {}

    /** Creates the flows unless they exist and binds them to {@code realm} (the master realm). */
    public static void apply(RealmResource realm) {
        AuthenticationManagementResource flows = realm.flows();
        List<String> existing = flows.getFlows().stream()
                .map(AuthenticationFlowRepresentation::getAlias)
                .toList();
        if (!existing.contains(BROWSER)) {
            topLevel(flows, BROWSER, "Keycloak's browser flow with warden's guarded password and OTP forms");
            execution(flows, BROWSER, "auth-cookie", "ALTERNATIVE");
            subFlow(flows, BROWSER, "warden master forms", "ALTERNATIVE");
            execution(flows, "warden master forms", "warden-username-password-form", "REQUIRED");
            subFlow(flows, "warden master forms", "warden master browser otp", "CONDITIONAL");
            execution(flows, "warden master browser otp", "conditional-user-configured", "REQUIRED");
            execution(flows, "warden master browser otp", "warden-otp-form", "REQUIRED");
        }
        if (!existing.contains(DIRECT_GRANT)) {
            topLevel(
                    flows,
                    DIRECT_GRANT,
                    "Keycloak's direct grant with warden's guarded password and OTP checks (kcadm.sh)");
            execution(flows, DIRECT_GRANT, "warden-direct-grant-validate", "REQUIRED");
            subFlow(flows, DIRECT_GRANT, "warden master direct grant otp", "CONDITIONAL");
            execution(flows, "warden master direct grant otp", "conditional-user-configured", "REQUIRED");
            execution(flows, "warden master direct grant otp", "warden-direct-grant-validate-otp", "REQUIRED");
        }
        RealmRepresentation binding = new RealmRepresentation();
        binding.setBrowserFlow(BROWSER);
        binding.setDirectGrantFlow(DIRECT_GRANT);
        realm.update(binding);
    }

    private static void topLevel(AuthenticationManagementResource flows, String alias, String description) {
        AuthenticationFlowRepresentation flow = new AuthenticationFlowRepresentation();
        flow.setAlias(alias);
        flow.setDescription(description);
        flow.setProviderId("basic-flow");
        flow.setTopLevel(true);
        flow.setBuiltIn(false);
        flows.createFlow(flow).close();
    }

    private static void subFlow(
            AuthenticationManagementResource flows, String parent, String alias, String requirement) {
        flows.addExecutionFlow(parent, Map.of("alias", alias, "type", "basic-flow", "description", alias));
        require(flows, parent, alias, requirement);
    }

    private static void execution(
            AuthenticationManagementResource flows, String flowAlias, String provider, String requirement) {
        flows.addExecution(flowAlias, Map.of("provider", provider));
        require(flows, flowAlias, provider, requirement);
    }

    /** Sets the requirement of the execution (by provider id) or sub-flow (by alias) in {@code flowAlias}. */
    private static void require(
            AuthenticationManagementResource flows, String flowAlias, String what, String requirement) {
        for (AuthenticationExecutionInfoRepresentation execution : flows.getExecutions(flowAlias)) {
            if (execution.getLevel() == 0
                    && (what.equals(execution.getProviderId()) || what.equals(execution.getDisplayName()))) {
                execution.setRequirement(requirement);
                flows.updateExecutions(flowAlias, execution);
                return;
            }
        }
        throw new IllegalStateException(what + " was not added to " + flowAlias);
    }
}
