package dev.kcwarden;

import java.util.List;
import org.keycloak.authentication.ConfigurableAuthenticatorFactory;
import org.keycloak.models.AuthenticationExecutionModel.Requirement;
import org.keycloak.provider.ProviderConfigProperty;

/**
 * What the console shows of a warden step in an authentication flow (an authenticator or a form action): its id, name,
 * help, settings and the requirements it may be given. A subclass passes them in and creates its provider.
 */
public abstract class ConfigurableFactorySupport implements ConfigurableAuthenticatorFactory {

    /** A step that may be required, an alternative or disabled. */
    protected static final List<Requirement> ANY =
            List.of(Requirement.REQUIRED, Requirement.ALTERNATIVE, Requirement.DISABLED);

    private final String id;
    private final String displayType;
    private final String referenceCategory;
    private final String helpText;
    private final List<ProviderConfigProperty> properties;
    private final List<Requirement> requirements;

    protected ConfigurableFactorySupport(
            String id,
            String displayType,
            String referenceCategory,
            String helpText,
            List<ProviderConfigProperty> properties,
            List<Requirement> requirements) {
        this.id = id;
        this.displayType = displayType;
        this.referenceCategory = referenceCategory;
        this.helpText = helpText;
        this.properties = List.copyOf(properties);
        this.requirements = List.copyOf(requirements);
    }

    /** The provider id (ProviderFactory#getId of the subclass). */
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
    public Requirement[] getRequirementChoices() {
        return requirements.toArray(Requirement[]::new);
    }

    @Override
    public boolean isUserSetupAllowed() {
        return false;
    }
}
