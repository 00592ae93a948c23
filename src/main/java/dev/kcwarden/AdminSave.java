package dev.kcwarden;

import java.util.Locale;
import java.util.regex.Pattern;
import org.keycloak.http.HttpRequest;
import org.keycloak.models.KeycloakSession;

/**
 * Tells an admin saving a setting apart from Keycloak reading a stored one. Keycloak runs the same check in both
 * places: a password policy's {@code parseConfig} when an admin saves the realm and whenever the realm is loaded into
 * the cache, a user-profile validator's {@code validateConfig} on save and whenever the profile is rebuilt. A check
 * that fails on load makes the whole realm (or its user profile) fail with HTTP 500, so a rule that a stored value may
 * break (a value accepted by an older release, a file deleted since) is enforced on save only; on load the setting is
 * kept and its use is refused with a warning.
 */
public final class AdminSave {

    /**
     * {@code PUT /admin/realms/{realm}} (realm settings, the password policy) and {@code POST /admin/realms} (a new
     * realm).
     */
    private static final Pattern REALM = Pattern.compile(".*/admin/realms(/[^/]+)?/?");
    /**
     * The user-profile configuration, wherever an admin saves it: {@code PUT /admin/realms/{realm}/users/profile}, the
     * profile's component ({@code POST/PUT /admin/realms/{realm}/components[/{id}]}), and a new realm that carries one
     * ({@code POST /admin/realms}).
     */
    private static final Pattern USER_PROFILE =
            Pattern.compile(".*/admin/realms(/[^/]+/(users/profile|components(/[^/]+)?))?/?");

    private AdminSave() {}

    /** True while the current request is an admin saving realm settings or creating a realm. */
    public static boolean ofRealm(KeycloakSession session) {
        return is(session, REALM, "PUT", "POST");
    }

    /** True while the current request is an admin saving the user-profile configuration. */
    public static boolean ofUserProfile(KeycloakSession session) {
        return is(session, USER_PROFILE, "PUT", "POST");
    }

    private static boolean is(KeycloakSession session, Pattern path, String... methods) {
        try {
            HttpRequest request = session == null ? null : session.getContext().getHttpRequest();
            if (request == null || request.getUri() == null) {
                return false;
            }
            String method = request.getHttpMethod() == null
                    ? ""
                    : request.getHttpMethod().toUpperCase(Locale.ROOT);
            for (String m : methods) {
                if (m.equals(method)) {
                    return path.matcher(request.getUri().getPath()).matches();
                }
            }
            return false;
        } catch (RuntimeException noRequest) {
            return false; // start-up import, background task: a stored value, never an admin's save
        }
    }
}
