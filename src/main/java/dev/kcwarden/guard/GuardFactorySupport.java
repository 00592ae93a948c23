package dev.kcwarden.guard;

import dev.kcwarden.WardenProviderFactory;
import java.util.List;
import org.keycloak.authentication.Authenticator;
import org.keycloak.authentication.AuthenticatorFactory;
import org.keycloak.models.AuthenticationExecutionModel;
import org.keycloak.provider.ProviderConfigProperty;

/**
 * What warden's guarded authenticators have in common: they are configurable with the limits
 * of one {@link GuardedFlow}, required, alternative or disabled, stateless, and report the
 * version. A subclass names itself and creates its authenticator.
 */
abstract class GuardFactorySupport implements AuthenticatorFactory, WardenProviderFactory<Authenticator> {

    private static final AuthenticationExecutionModel.Requirement[] REQUIREMENTS = {
        AuthenticationExecutionModel.Requirement.REQUIRED,
        AuthenticationExecutionModel.Requirement.ALTERNATIVE,
        AuthenticationExecutionModel.Requirement.DISABLED
    };

    private final String id;
    private final String displayType;
    private final String referenceCategory;
    private final String helpText;
    private final List<ProviderConfigProperty> properties;

    GuardFactorySupport(String id, String displayType, String referenceCategory, String helpText, GuardedFlow flow) {
        this.id = id;
        this.displayType = displayType;
        this.referenceCategory = referenceCategory;
        this.helpText = helpText;
        this.properties = flow.properties();
    }

    @Override
    public String getId() {
        return id;
    }

    @Override
    public String getDisplayType() {
        return displayType;
    }

    @Override
    public String getReferenceCategory() {
        return referenceCategory;
    }

    @Override
    public String getHelpText() {
        return helpText;
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
}
