package dev.kcwarden.password;

import dev.kcwarden.WardenMessages;
import org.keycloak.forms.login.LoginFormsProvider;
import org.keycloak.models.RealmModel;

/**
 * The "not common or breached" line of the password rules the warden theme lists above a new-password field. Keycloak's
 * {@code passwordPolicies} template bean knows only Keycloak's own rules, so the pages that ask for a new password
 * learn from the page attribute {@value #ATTRIBUTE} that the realm's policy holds
 * {@value BreachedPasswordPolicyFactory#PROVIDER_ID}. Set by the registration guard (sign-up) and by
 * {@link ScreenedUpdatePassword} (update-password: required action, reset, account console's "change password").
 */
public final class ScreenedRule {

    private ScreenedRule() {}

    /** Whether new passwords in {@code realm} go through the breached-password check. */
    public static boolean applies(RealmModel realm) {
        return realm != null
                && realm.getPasswordPolicy() != null
                && realm.getPasswordPolicy().getPolicies().contains(BreachedPasswordPolicyFactory.PROVIDER_ID);
    }

    /** Tells the page about the check when the realm's policy has it. */
    public static void mark(LoginFormsProvider form, RealmModel realm) {
        if (form != null && applies(realm)) {
            form.setAttribute(WardenMessages.PASSWORD_SCREENED_ATTRIBUTE, Boolean.TRUE);
        }
    }
}
