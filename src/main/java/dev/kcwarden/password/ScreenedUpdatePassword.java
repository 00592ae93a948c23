package dev.kcwarden.password;

import dev.kcwarden.Warden;
import java.util.Map;
import org.keycloak.authentication.RequiredActionContext;
import org.keycloak.authentication.RequiredActionProvider;
import org.keycloak.authentication.requiredactions.UpdatePassword;
import org.keycloak.forms.login.LoginFormsProvider;
import org.keycloak.models.KeycloakSession;
import org.keycloak.provider.ServerInfoAwareProviderFactory;

/**
 * Keycloak's own "Update Password" required action, unchanged, except that its page learns whether the realm screens
 * new passwords ({@link ScreenedRule}), so the warden theme lists that rule there too. The page serves the required
 * action, the last step of "forgot password" and the account console's password change.
 *
 * <p>It takes the built-in action's id ({@code UPDATE_PASSWORD}); Keycloak prefers a deployed factory over its internal
 * one with the same id and order, so realms need no change. Every page this action renders comes from the request's one
 * {@link LoginFormsProvider} ({@code context.form()} returns the session's instance), so marking that instance before
 * Keycloak's code runs covers the first page and every page shown again after an error.
 */
public final class ScreenedUpdatePassword extends UpdatePassword implements ServerInfoAwareProviderFactory {

    @Override
    public void requiredActionChallenge(RequiredActionContext context) {
        markPage(context);
        super.requiredActionChallenge(context);
    }

    @Override
    public void processAction(RequiredActionContext context) {
        markPage(context);
        super.processAction(context);
    }

    private static void markPage(RequiredActionContext context) {
        ScreenedRule.mark(context.getSession().getProvider(LoginFormsProvider.class), context.getRealm());
    }

    @Override
    public RequiredActionProvider create(KeycloakSession session) {
        return this; // holds no state
    }

    @Override
    public Map<String, String> getOperationalInfo() {
        return Warden.operationalInfo();
    }
}
