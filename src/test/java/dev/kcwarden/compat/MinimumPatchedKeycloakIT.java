package dev.kcwarden.compat;

import org.junit.jupiter.api.DisplayName;

/**
 * The oldest supported release ({@code warden.minimum.keycloak.version}, 26.7.2): the first 26.7 patch without
 * CVE-2026-18963. It still carries high-severity CVEs that later patches fix, so warden warns there too.
 */
@DisplayName(
        "The jar works on the oldest supported Keycloak (warden.minimum.keycloak.version), and warns about its CVEs")
class MinimumPatchedKeycloakIT extends DistributionSmokeChecks {

    MinimumPatchedKeycloakIT() {
        super("warden.minimum.keycloak.version", "warden.minimum.home");
    }
}
