package dev.kcwarden.compat;

import org.junit.jupiter.api.DisplayName;

/**
 * The oldest Keycloak the jar works on ({@code warden.compat.keycloak.version}, 26.5.6). It is not a supported release:
 * no 26.5.x release fixes CVE-2026-18963, so the test prints a warning with its CVEs on every run.
 */
@DisplayName("The jar works on the oldest Keycloak it loads on (warden.compat.keycloak.version, not supported), and "
        + "warns about its CVEs")
class OldestWorkingKeycloakIT extends DistributionSmokeChecks {

    OldestWorkingKeycloakIT() {
        super("warden.compat.keycloak.version", "warden.compat.home");
    }
}
