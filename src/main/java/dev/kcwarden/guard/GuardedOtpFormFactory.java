package dev.kcwarden.guard;

import org.keycloak.authentication.Authenticator;
import org.keycloak.models.KeycloakSession;
import org.keycloak.models.credential.OTPCredentialModel;

/** Browser flow: Keycloak's one-time-code form behind warden's login limits. */
public final class GuardedOtpFormFactory extends GuardFactorySupport {

    public static final String PROVIDER_ID = "warden-otp-form";

    public GuardedOtpFormFactory() {
        super(
                PROVIDER_ID,
                "Warden: OTP form (throttled)",
                OTPCredentialModel.TYPE,
                "Keycloak's one-time-code form, guarded by warden: wrong codes are counted per client IP, per "
                        + "username and IP "
                        + "and per account like wrong passwords, and over a limit the form answers HTTP 429 "
                        + "with Retry-After "
                        + "before any code is checked. Use it in place of 'OTP Form'.",
                GuardedFlow.LOGIN);
    }

    @Override
    public Authenticator create(KeycloakSession session) {
        return new GuardedOtpForm();
    }

    @Override
    public boolean isUserSetupAllowed() {
        return true; // like Keycloak's OTP form: a required OTP step asks the user to set one up
    }
}
