package dev.kcwarden.guard;

import org.keycloak.authentication.Authenticator;
import org.keycloak.models.KeycloakSession;
import org.keycloak.models.credential.OTPCredentialModel;

/** Direct grant: the one-time-code check of the token endpoint behind warden's login limits. */
public final class GuardedDirectGrantOtpFactory extends GuardFactorySupport {

    public static final String PROVIDER_ID = "warden-direct-grant-validate-otp";

    public GuardedDirectGrantOtpFactory() {
        super(
                PROVIDER_ID,
                "Warden: validate OTP (direct grant, throttled)",
                OTPCredentialModel.TYPE,
                "Replaces 'OTP' in a direct grant flow: wrong codes in the otp or totp parameter are counted "
                        + "per client IP, "
                        + "per username and IP and per account like wrong passwords, and over a limit the token "
                        + "endpoint answers "
                        + "HTTP 429 with Retry-After and a JSON error before any code is checked.",
                GuardedFlow.LOGIN);
    }

    @Override
    public Authenticator create(KeycloakSession session) {
        return new GuardedDirectGrantOtp();
    }
}
