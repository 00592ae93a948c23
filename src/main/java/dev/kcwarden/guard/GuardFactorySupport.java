package dev.kcwarden.guard;

import dev.kcwarden.ConfigurableFactorySupport;
import dev.kcwarden.WardenProviderFactory;
import org.keycloak.authentication.Authenticator;
import org.keycloak.authentication.AuthenticatorFactory;

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
}
