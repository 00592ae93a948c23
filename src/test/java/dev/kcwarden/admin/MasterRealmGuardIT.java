package dev.kcwarden.admin;

import static org.assertj.core.api.Assertions.assertThat;

import dev.kcwarden.quickstart.MasterRealmGuard;
import dev.kcwarden.testing.Http;
import dev.kcwarden.testing.LoopbackClient;
import dev.kcwarden.testing.Users;
import dev.kcwarden.testing.WardenServerConfig;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.keycloak.admin.client.Keycloak;
import org.keycloak.admin.client.resource.RealmResource;
import org.keycloak.representations.idm.RealmRepresentation;
import org.keycloak.testframework.annotations.InjectAdminClient;
import org.keycloak.testframework.annotations.InjectKeycloakUrls;
import org.keycloak.testframework.annotations.KeycloakIntegrationTest;
import org.keycloak.testframework.server.KeycloakUrls;

/** What the quickstart does to the master realm, on the real server: its logins are guarded too. */
@KeycloakIntegrationTest(config = WardenServerConfig.class)
@DisplayName("The quickstart guards the master realm's logins (admin console, kcadm.sh)")
class MasterRealmGuardIT {

    static final String PASSWORD = "Master-guard-passphrase-1";

    @InjectAdminClient
    Keycloak admin;

    @InjectKeycloakUrls
    KeycloakUrls urls;

    @AfterEach
    void restoreBuiltInFlows() {
        RealmRepresentation binding = new RealmRepresentation();
        binding.setBrowserFlow("browser");
        binding.setDirectGrantFlow("direct grant");
        admin.realm("master").update(binding);
    }

    private Http.Reply adminCliLogin(LoopbackClient from, String username, String password) {
        Map<String, String> form = new LinkedHashMap<>();
        form.put("grant_type", "password");
        form.put("client_id", "admin-cli");
        form.put("username", username);
        form.put("password", password);
        return from.postForm(urls.getBase() + "/realms/master/protocol/openid-connect/token", form);
    }

    @Test
    @DisplayName(
            "after the quickstart's binding, guessing an admin's password through admin-cli gets 429 at the 11th try")
    void masterRealmIsGuarded() {
        RealmResource master = admin.realm("master");
        String operator = "guard-operator";
        String id = Users.create(master, Users.withPassword(operator, PASSWORD));
        try {
            MasterRealmGuard.apply(master);
            MasterRealmGuard.apply(master); // a second quickstart start finds the flows
            assertThat(master.toRepresentation().getBrowserFlow()).isEqualTo(MasterRealmGuard.BROWSER);
            LoopbackClient attacker = new LoopbackClient("127.0.9.1");
            for (int i = 0; i < 10; i++) {
                assertThat(adminCliLogin(attacker, operator, "wrong-" + i).status())
                        .as("guess %d", i)
                        .isEqualTo(400);
            }
            Http.Reply refused = adminCliLogin(attacker, operator, PASSWORD);
            assertThat(refused.status()).as(refused.body()).isEqualTo(429);
            assertThat(refused.header("Retry-After")).matches("[1-9][0-9]*");
            assertThat(adminCliLogin(new LoopbackClient("127.0.9.2"), operator, PASSWORD)
                            .status())
                    .as("the operator from their own address")
                    .isEqualTo(200);
        } finally {
            master.users().get(id).remove();
        }
    }
}
