package dev.kcwarden.testing;

import jakarta.ws.rs.core.Response;
import java.util.List;
import org.keycloak.admin.client.resource.RealmResource;
import org.keycloak.representations.idm.CredentialRepresentation;
import org.keycloak.representations.idm.UserRepresentation;
import org.keycloak.testframework.realm.ManagedRealm;
import org.keycloak.testframework.util.ApiUtil;

/** Users for tests, made through the admin REST API as an admin would. */
public final class Users {

    private Users() {}

    /** An enabled user {@code username} with email {@code username@example.com} and a permanent password. */
    public static UserRepresentation withPassword(String username, String password) {
        UserRepresentation user = new UserRepresentation();
        user.setUsername(username);
        user.setEmail(username + "@example.com");
        user.setEmailVerified(true);
        user.setFirstName("Test");
        user.setLastName(username);
        user.setEnabled(true);
        CredentialRepresentation credential = new CredentialRepresentation();
        credential.setType(CredentialRepresentation.PASSWORD);
        credential.setValue(password);
        credential.setTemporary(false);
        user.setCredentials(List.of(credential));
        return user;
    }

    /** Creates the user in the realm and returns its id; fails the test unless Keycloak answers 201. */
    public static String create(ManagedRealm realm, UserRepresentation user) {
        return create(realm.admin(), user);
    }

    /** The same in a realm the test does not manage (master, say); the test removes the user itself. */
    public static String create(RealmResource realm, UserRepresentation user) {
        try (Response created = realm.users().create(user)) {
            if (created.getStatus() != 201) {
                throw new AssertionError("creating " + user.getUsername() + " gave HTTP " + created.getStatus() + ": "
                        + created.readEntity(String.class));
            }
            return ApiUtil.getCreatedId(created);
        }
    }
}
