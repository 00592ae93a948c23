package dev.kcwarden.quickstart;

import com.fasterxml.jackson.core.JsonProcessingException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import org.keycloak.representations.idm.CredentialRepresentation;
import org.keycloak.representations.idm.RealmRepresentation;
import org.keycloak.representations.idm.UserRepresentation;
import org.keycloak.util.JsonSerialization;

/**
 * A realm export checked the way Keycloak's import reads it (same mapper, so an unknown field fails here as it would
 * fail there), with every problem reduced to one line a person can act on.
 */
final class RealmFile {

    private final Path path;
    private final RealmRepresentation realm;

    private RealmFile(Path path, RealmRepresentation realm) {
        this.path = path;
        this.realm = realm;
    }

    static RealmFile read(Path path) throws QuickstartException {
        RealmRepresentation realm;
        try (InputStream in = Files.newInputStream(path)) {
            realm = JsonSerialization.readValue(in, RealmRepresentation.class);
        } catch (NoSuchFileException e) {
            throw new QuickstartException("realm file " + path + " does not exist");
        } catch (JsonProcessingException e) {
            String where = e.getLocation() == null
                    ? ""
                    : " at line " + e.getLocation().getLineNr() + ", column "
                            + e.getLocation().getColumnNr();
            throw new QuickstartException("realm file " + path + " is not a valid realm export" + where + ": "
                    + firstLine(e.getOriginalMessage()));
        } catch (IOException e) {
            throw new QuickstartException("cannot read realm file " + path + ": " + e.getMessage());
        }
        if (realm == null) {
            throw new QuickstartException("realm file " + path + " is empty");
        }
        if (realm.getRealm() == null || realm.getRealm().isBlank()) {
            throw new QuickstartException("realm file " + path + " has no \"realm\" name");
        }
        return new RealmFile(path, realm);
    }

    Path path() {
        return path;
    }

    String name() {
        return realm.getRealm();
    }

    /** The first user with a non-temporary plain password in the file, for the quickstart banner. */
    Optional<String[]> demoLogin() {
        List<UserRepresentation> users = realm.getUsers() == null ? List.of() : realm.getUsers();
        for (UserRepresentation user : users) {
            List<CredentialRepresentation> credentials =
                    user.getCredentials() == null ? List.of() : user.getCredentials();
            for (CredentialRepresentation credential : credentials) {
                if (CredentialRepresentation.PASSWORD.equals(credential.getType())
                        && credential.getValue() != null
                        && !Boolean.TRUE.equals(credential.isTemporary())) {
                    return Optional.of(new String[] {user.getUsername(), credential.getValue()});
                }
            }
        }
        return Optional.empty();
    }

    private static String firstLine(String message) {
        if (message == null) {
            return "unreadable JSON";
        }
        int newline = message.indexOf('\n');
        return newline < 0 ? message : message.substring(0, newline);
    }
}
