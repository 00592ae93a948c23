package dev.kcwarden.signup;

import dev.kcwarden.ConfigurableFactorySupport;
import dev.kcwarden.WardenProviderFactory;
import dev.kcwarden.guard.GuardedFlow;
import java.util.ArrayList;
import java.util.List;
import org.keycloak.authentication.FormAction;
import org.keycloak.authentication.FormActionFactory;
import org.keycloak.models.AuthenticationExecutionModel.Requirement;
import org.keycloak.models.KeycloakSession;
import org.keycloak.provider.ProviderConfigProperty;

/**
 * Registration form action {@value #PROVIDER_ID}: per-IP sign-up throttling, a honeypot field, and a password that
 * equals the email refused when the realm's policy has notEmail.
 */
public final class RegistrationGuardFactory extends ConfigurableFactorySupport
        implements FormActionFactory, WardenProviderFactory<FormAction> {

    public static final String PROVIDER_ID = GuardedFlow.SIGNUP_PROVIDER_ID;
    public static final String HONEYPOT = "warden.honeypot";

    public RegistrationGuardFactory() {
        super(
                PROVIDER_ID,
                "Warden: registration guard (throttle, honeypot)",
                null,
                "Counts submitted registration forms per client IP and answers HTTP 429 with Retry-After over "
                        + "the limit; "
                        + "refuses forms that fill the hidden honeypot field; with the realm's 'Not email' "
                        + "password policy, "
                        + "refuses a password equal to the email (Keycloak checks that rule at registration "
                        + "against the "
                        + "username only). Put it first in the registration form.",
                properties(),
                List.of(Requirement.REQUIRED, Requirement.DISABLED));
    }

    private static List<ProviderConfigProperty> properties() {
        List<ProviderConfigProperty> list = new ArrayList<>(GuardedFlow.SIGNUP.properties());
        list.add(new ProviderConfigProperty(
                HONEYPOT,
                "Honeypot field",
                "On (default): the registration page carries a field people never see; a form that fills it is refused "
                        + "without saying why. Needs the warden login theme (or the same field in yours).",
                ProviderConfigProperty.BOOLEAN_TYPE,
                "true"));
        return list;
    }

    @Override
    public FormAction create(KeycloakSession session) {
        return new RegistrationGuard(session);
    }
}
