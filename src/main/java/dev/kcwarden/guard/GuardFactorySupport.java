package dev.kcwarden.guard;

import dev.kcwarden.ConfigurableFactorySupport;
import dev.kcwarden.WardenProviderFactory;
import java.util.ArrayList;
import java.util.List;
import org.keycloak.authentication.Authenticator;
import org.keycloak.authentication.AuthenticatorFactory;
import org.keycloak.provider.ProviderConfigProperty;

/**
 * What warden's guarded authenticators have in common: they are configurable with the limits of one
 * {@link GuardedFlow}, required, alternative or disabled, stateless, and report the version. A subclass names itself
 * and creates its authenticator.
 */
abstract class GuardFactorySupport extends ConfigurableFactorySupport
        implements AuthenticatorFactory, WardenProviderFactory<Authenticator> {

    GuardFactorySupport(String id, String displayType, String referenceCategory, String helpText, GuardedFlow flow) {
        super(id, displayType, referenceCategory, helpText, flow.properties(), ANY);
    }

    /** A browser password form: the flow's limits plus the proof-of-work step-up's settings. */
    GuardFactorySupport(
            String id, String displayType, String referenceCategory, String helpText, GuardedFlow flow, boolean pow) {
        super(id, displayType, referenceCategory, helpText, withStepUp(flow, pow), ANY);
    }

    private static List<ProviderConfigProperty> withStepUp(GuardedFlow flow, boolean pow) {
        List<ProviderConfigProperty> properties = new ArrayList<>(flow.properties());
        if (pow) {
            properties.addAll(GuardConfig.stepUpProperties());
        }
        return properties;
    }
}
