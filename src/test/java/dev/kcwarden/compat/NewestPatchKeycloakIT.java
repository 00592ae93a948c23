package dev.kcwarden.compat;

import dev.kcwarden.testing.KeycloakNode;
import java.nio.file.Path;
import org.junit.jupiter.api.DisplayName;

/**
 * The smoke checks on the patched release the suite runs ({@code keycloak.version}), with the built jar itself
 * installed in providers/ the way docs/installation.md says. The rest of the suite deploys this project's classes
 * through the test framework; this class proves that the jar users download carries the same behaviour. It works on a
 * copy of the distribution the cluster tests unpack, so theirs stays untouched.
 */
@DisplayName("The built jar, installed as docs/installation.md says, works on the patched Keycloak the suite runs "
        + "(keycloak.version)")
class NewestPatchKeycloakIT extends DistributionSmokeChecks {

    NewestPatchKeycloakIT() {
        super(System.getProperty("keycloak.version"), copyOfPatchedDistribution());
    }

    private static Path copyOfPatchedDistribution() {
        Path copy = Path.of("target", "compat", "keycloak-newest").toAbsolutePath();
        KeycloakNode.copyTree(Path.of(System.getProperty("warden.cluster.dist")), copy);
        return copy;
    }
}
