package dev.kcwarden.password;

import dev.kcwarden.Warden;
import dev.kcwarden.WardenProviderFactory;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import org.keycloak.models.KeycloakSession;
import org.keycloak.policy.PasswordPolicyProvider;
import org.keycloak.policy.PasswordPolicyProviderFactory;

/**
 * Password policy {@value #PROVIDER_ID}: refuses the most common passwords (offline list in the jar) and passwords a
 * k-anonymity range service knows from breaches. Applies wherever Keycloak checks its password policy: registration,
 * reset, account console, admin password changes.
 */
public final class BreachedPasswordPolicyFactory
        implements PasswordPolicyProviderFactory, WardenProviderFactory<PasswordPolicyProvider> {

    public static final String PROVIDER_ID = "wardenBreachedPassword";

    private final BreachCheck.Counts counts = new BreachCheck.Counts();
    private final AtomicLong lastWarning = new AtomicLong();

    @Override
    public PasswordPolicyProvider create(KeycloakSession session) {
        return new BreachedPasswordPolicy(session, counts, lastWarning);
    }

    @Override
    public String getId() {
        return PROVIDER_ID;
    }

    @Override
    public String getDisplayName() {
        return "Breached password (warden)";
    }

    @Override
    public String getConfigType() {
        return PasswordPolicyProvider.STRING_CONFIG_TYPE;
    }

    @Override
    public String getDefaultConfigValue() {
        return BreachSettings.DEFAULT_VALUE;
    }

    @Override
    public boolean isMultiplSupported() {
        return false;
    }

    @Override
    public Map<String, String> getOperationalInfo() {
        Map<String, String> info = new LinkedHashMap<>(Warden.operationalInfo());
        info.put("commonPasswords", Integer.toString(CommonPasswords.size()));
        info.putAll(counts.asInfo());
        return info;
    }
}
