package dev.kcwarden.guard;

import dev.kcwarden.Hmac;
import jakarta.ws.rs.core.Cookie;
import jakarta.ws.rs.core.NewCookie;
import java.nio.charset.StandardCharsets;
import java.security.Key;
import java.security.MessageDigest;
import java.util.Arrays;
import java.util.Base64;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;
import javax.crypto.SecretKey;
import org.keycloak.crypto.Algorithm;
import org.keycloak.crypto.KeyUse;
import org.keycloak.crypto.KeyWrapper;
import org.keycloak.models.KeycloakSession;
import org.keycloak.models.RealmModel;
import org.keycloak.models.UserModel;

/**
 * The browser that logged in to an account before: a signed, HttpOnly cookie that names the account (its id and hashes
 * of its username and email), the account's password as it was then (a {@link LoginGuard#credentialStamp stamp}, so a
 * password change forgets every device), and when the claim ends. It is signed with the realm's own HMAC key, so a
 * rotation of the realm keys forgets every device too. A stranger cannot make one for somebody else's account, and one
 * made for the stranger's own account tells nothing about other names.
 */
final class KnownDevice {

    static final String COOKIE = "WARDEN_KNOWN_DEVICE";
    private static final Base64.Encoder B64 = Base64.getUrlEncoder().withoutPadding();
    private static final Base64.Decoder B64D = Base64.getUrlDecoder();
    private static final int MAX_COOKIE = 400;

    /**
     * What a valid cookie says: the account, the names (as {@link #nameTag}) and the password stamp it was issued for.
     */
    record Claim(String userId, Set<String> nameTags, long credentialStamp) {

        /**
         * Whether the cookie was issued for this account while it had the password it has now ({@code stamp}, the
         * account's {@link LoginGuard#credentialStamp}).
         */
        boolean names(UserModel user, long stamp) {
            return userId.equals(user.getId()) && credentialStamp == stamp;
        }
    }

    private KnownDevice() {}

    /**
     * A short tag of a name as Keycloak looks it up (truncated SHA-256 with the realm id), so the cookie does not carry
     * the username in clear; it is a hash, not a secret: whoever guesses the name can compute it.
     */
    static String nameTag(String realmId, String lookupName) {
        return CounterKeys.hash("device\n" + realmId + '\n' + CounterKeys.nameOf(lookupName))
                .substring(0, 12);
    }

    /** The claim of this request's cookie, if it carries one that the realm signed and that has not ended. */
    static Optional<Claim> read(KeycloakSession session, RealmModel realm, long nowSeconds) {
        Cookie cookie = session.getContext().getRequestHeaders().getCookies().get(COOKIE);
        if (cookie == null || cookie.getValue() == null || cookie.getValue().length() > MAX_COOKIE) {
            return Optional.empty();
        }
        String[] parts = cookie.getValue().split("\\.", -1);
        if (parts.length != 5) {
            return Optional.empty();
        }
        String body = parts[0] + '.' + parts[1] + '.' + parts[2] + '.' + parts[3];
        byte[] mac;
        long expires;
        long credentialStamp;
        String userId;
        try {
            mac = B64D.decode(parts[4]);
            credentialStamp = Long.parseLong(parts[2], 36);
            expires = Long.parseLong(parts[3]);
            userId = new String(B64D.decode(parts[0]), StandardCharsets.UTF_8);
        } catch (IllegalArgumentException e) {
            return Optional.empty();
        }
        if (expires <= nowSeconds) {
            return Optional.empty();
        }
        boolean signed =
                keys(session, realm).stream().anyMatch(key -> MessageDigest.isEqual(sign(key, realm, body), mac));
        return signed
                ? Optional.of(new Claim(userId, Set.copyOf(Arrays.asList(parts[1].split("~"))), credentialStamp))
                : Optional.empty();
    }

    /**
     * Sets the cookie for {@code user}, whose password has {@code stamp}, on this response; no cookie when the realm
     * has no HMAC key.
     */
    static void issue(
            KeycloakSession session, RealmModel realm, UserModel user, long stamp, int days, long nowSeconds) {
        KeyWrapper active = session.keys().getActiveKey(realm, KeyUse.SIG, Algorithm.HS512);
        if (active == null || active.getSecretKey() == null) {
            return;
        }
        String tags = LoginGuard.names(user).stream()
                .map(name -> nameTag(realm.getId(), name))
                .distinct()
                .collect(Collectors.joining("~"));
        long maxAge = days * 86_400L;
        String body = B64.encodeToString(user.getId().getBytes(StandardCharsets.UTF_8))
                + '.'
                + tags
                + '.'
                + Long.toString(stamp, 36)
                + '.'
                + (nowSeconds + maxAge);
        String value = body + '.' + B64.encodeToString(sign(active.getSecretKey(), realm, body));
        boolean https = "https"
                .equalsIgnoreCase(session.getContext().getUri().getBaseUri().getScheme());
        session.getContext()
                .getHttpResponse()
                .setCookieIfAbsent(new NewCookie.Builder(COOKIE)
                        .value(value)
                        .path("/realms/" + realm.getName() + "/")
                        .maxAge((int) maxAge)
                        .httpOnly(true)
                        .secure(https)
                        .sameSite(NewCookie.SameSite.LAX)
                        .build());
    }

    private static List<SecretKey> keys(KeycloakSession session, RealmModel realm) {
        return session.keys()
                .getKeysStream(realm, KeyUse.SIG, Algorithm.HS512)
                .map(KeyWrapper::getSecretKey)
                .filter(Objects::nonNull)
                .map(SecretKey.class::cast)
                .toList();
    }

    private static byte[] sign(Key key, RealmModel realm, String body) {
        return Hmac.sha256(
                key.getEncoded(), ("warden-device\n" + realm.getId() + '\n' + body).getBytes(StandardCharsets.UTF_8));
    }
}
