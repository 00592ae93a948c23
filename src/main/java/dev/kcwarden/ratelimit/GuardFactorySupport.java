package dev.kcwarden.ratelimit;

import dev.kcwarden.Warden;
import java.util.List;
import java.util.Map;
import org.keycloak.Config;
import org.keycloak.authentication.AuthenticatorFactory;
import org.keycloak.models.AuthenticationExecutionModel;
import org.keycloak.models.KeycloakSessionFactory;
import org.keycloak.provider.ProviderConfigProperty;
import org.keycloak.provider.ServerInfoAwareProviderFactory;

/**
 * What warden's guarded authenticators have in common: they are configurable with the limits
 * of one {@link GuardConfig} list, required or disabled, stateless, and report the version.
 */
abstract class GuardFactorySupport implements AuthenticatorFactory, ServerInfoAwareProviderFactory {

    private static final AuthenticationExecutionModel.Requirement[] REQUIREMENTS = {
        AuthenticationExecutionModel.Requirement.REQUIRED,
        AuthenticationExecutionModel.Requirement.ALTERNATIVE,
        AuthenticationExecutionModel.Requirement.DISABLED
    };

    private final List<ProviderConfigProperty> properties;

    GuardFactorySupport(List<LimitSetting> settings) {
        this.properties = GuardConfig.properties(settings);
    }

    @Override
    public List<ProviderConfigProperty> getConfigProperties() {
        return properties;
    }

    @Override
    public boolean isConfigurable() {
        return true;
    }

    @Override
    public AuthenticationExecutionModel.Requirement[] getRequirementChoices() {
        return REQUIREMENTS.clone();
    }

    @Override
    public boolean isUserSetupAllowed() {
        return false;
    }

    @Override
    public Map<String, String> getOperationalInfo() {
        return Warden.operationalInfo();
    }

    @Override
    public void init(Config.Scope config) {
        // configured per realm, nothing server-wide
    }

    @Override
    public void postInit(KeycloakSessionFactory factory) {
        // nothing to wire
    }

    @Override
    public void close() {
        // holds nothing
    }
}
