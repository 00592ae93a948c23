package dev.kcwarden.guard;

import dev.kcwarden.AfterCompletion;
import dev.kcwarden.WardenEvents;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import org.jboss.logging.Logger;
import org.keycloak.email.EmailException;
import org.keycloak.email.EmailTemplateProvider;
import org.keycloak.events.EventBuilder;
import org.keycloak.models.KeycloakSession;
import org.keycloak.models.RealmModel;
import org.keycloak.models.UserModel;
import org.keycloak.representations.userprofile.config.UPAttribute;
import org.keycloak.representations.userprofile.config.UPAttributePermissions;
import org.keycloak.representations.userprofile.config.UPConfig;

/**
 * The mail after a login from a browser or (direct grant) an address the account had not used before: when, which
 * browser, from which address, and where to end sessions. Never for the first login warden sees for an account (it
 * marks the account with {@link #SEEN}), never for a known client. The mail is sent after the transaction commits, so a
 * failed login never mails, and a mail that cannot be sent never fails the login. It carries no token, code, cookie or
 * password: only the attributes {@link #attributes} builds.
 */
final class NewDeviceAlert {

    private static final Logger LOG = Logger.getLogger(NewDeviceAlert.class);

    /** User attribute: when warden first saw a completed login of this account (epoch seconds). */
    static final String SEEN = "warden.seen";
    /** The email theme's template (html/ and text/) and the subject's message key. */
    static final String TEMPLATE = "warden-new-device.ftl";

    static final String SUBJECT = "wardenNewDeviceSubject";
    /** New-device mails one account gets at most per hour, however many new clients log in to it. */
    static final int MAILS_PER_HOUR = 3;

    /** How much of the User-Agent the mail shows. */
    static final int MAX_AGENT = 120;

    private static final DateTimeFormatter TIME =
            DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm 'UTC'").withZone(ZoneOffset.UTC);

    private NewDeviceAlert() {}

    /**
     * A login completed. {@code knownBefore}: this client was known to the account before this login. Marks the LOGIN
     * event ({@code event}, may be null) with {@link WardenEvents#NEW_DEVICE} and queues the mail when the client is
     * new to an account that logged in before.
     */
    static void loginCompleted(
            KeycloakSession session,
            RealmModel realm,
            UserModel user,
            boolean knownBefore,
            String address,
            EventBuilder event,
            long nowSeconds) {
        if (user.getFirstAttribute(SEEN) == null) {
            user.setSingleAttribute(SEEN, String.valueOf(nowSeconds));
            return; // the first login ever: every device is new, nothing to tell
        }
        if (knownBefore) {
            return;
        }
        if (event != null) {
            event.detail(WardenEvents.NEW_DEVICE, "true");
        }
        String email = user.getEmail();
        if (email == null || email.isBlank() || !user.isEmailVerified()) {
            return; // an address nobody proved is theirs: the alert would mail whoever typed it in at sign-up
        }
        if (!mailAllowed(new SingleUseObjectSlotStore(session), realm.getId(), user.getId())) {
            LOG.debugf("new-device alert for user %s not sent: %d already this hour", user.getId(), MAILS_PER_HOUR);
            return; // the event still says warden_new_device
        }
        Map<String, Object> attributes = attributes(
                nowSeconds,
                session.getContext().getRequestHeaders().getHeaderString("User-Agent"),
                address,
                accountUrl(session.getContext().getUri().getBaseUri().toString(), realm.getName()));
        attributes.put("wardenPlace", GeoPlaces.placeFor(session, address)); // "" without a GeoIP file
        String realmId = realm.getId();
        String userId = user.getId();
        AfterCompletion.onCommit(session, () -> send(session, realmId, userId, attributes));
    }

    /**
     * Whether this account may get another mail this hour: one of {@link #MAILS_PER_HOUR} places in the shared store,
     * each held for an hour, so a flood of logins from new clients (or an attacker who knows the password) sends at
     * most that many mails.
     */
    static boolean mailAllowed(SlotStore store, String realmId, String userId) {
        String key = CounterKeys.PREFIX + "alert:" + CounterKeys.hash(realmId + '\n' + userId) + '#';
        for (int place = 0; place < MAILS_PER_HOUR; place++) {
            if (store.claim(key + place, 3600)) {
                return true;
            }
        }
        return false;
    }

    /**
     * A self-registered account ({@code user} null when the form created none): its sign-up is its first login, so the
     * next login from another device mails. The registering browser gets no device cookie, so its own next password
     * login mails once too, and then it is known.
     */
    static void registered(UserModel user, long nowSeconds) {
        if (user != null && user.getFirstAttribute(SEEN) == null) {
            user.setSingleAttribute(SEEN, String.valueOf(nowSeconds));
        }
    }

    /**
     * Why users could delete or change {@link #SEEN} under this user profile ({@code profile} null: Keycloak's
     * default), and so make their next login count as the first one, without a mail; empty when they cannot: the
     * attribute is declared and users may not edit it, or it is undeclared and unmanaged attributes are not
     * {@code ENABLED} for users.
     */
    static Optional<String> markerProblem(UPConfig profile) {
        UPAttribute seen = profile == null || profile.getAttributes() == null
                ? null
                : profile.getAttributes().stream()
                        .filter(attribute -> SEEN.equals(attribute.getName()))
                        .findFirst()
                        .orElse(null);
        if (seen != null) {
            UPAttributePermissions permissions = seen.getPermissions();
            boolean userEdits = permissions != null
                    && permissions.getEdit() != null
                    && permissions.getEdit().contains("user");
            return userEdits
                    ? Optional.of(GuardConfig.NEW_DEVICE_ALERT + ": the user profile lets users edit " + SEEN
                            + ", so a user can silence the alert; let only admins edit it")
                    : Optional.empty();
        }
        boolean unmanaged =
                profile != null && profile.getUnmanagedAttributePolicy() == UPConfig.UnmanagedAttributePolicy.ENABLED;
        return unmanaged
                ? Optional.of(GuardConfig.NEW_DEVICE_ALERT + ": unmanaged attributes are ENABLED and " + SEEN
                        + " is not in the user profile, so a user can delete it and silence the alert; declare it "
                        + "with view and edit for admins only")
                : Optional.empty();
    }

    private static void send(KeycloakSession session, String realmId, String userId, Map<String, Object> attributes) {
        try {
            RealmModel realm = session.realms().getRealm(realmId);
            UserModel user = realm == null ? null : session.users().getUserById(realm, userId);
            if (user == null) {
                return;
            }
            session.getProvider(EmailTemplateProvider.class)
                    .setRealm(realm)
                    .setUser(user)
                    .send(SUBJECT, TEMPLATE, attributes);
        } catch (EmailException | RuntimeException e) {
            // No address, no attributes: the user id is enough to find the account.
            LOG.warnf(
                    "new-device alert for user %s not sent: %s",
                    userId, e.getClass().getSimpleName());
        }
    }

    /** The classes of {@code e} and its causes, e.g. {@code EmailException < TemplateException}. */
    static String causes(Throwable e) {
        StringBuilder text = new StringBuilder();
        int depth = 0;
        for (Throwable t = e; t != null && depth < 5; t = t.getCause(), depth++) {
            text.append(depth == 0 ? "" : " < ").append(t.getClass().getSimpleName());
        }
        return text.toString();
    }

    /** What the templates get: nothing but these four values. */
    static Map<String, Object> attributes(long nowSeconds, String userAgent, String address, String accountUrl) {
        Map<String, Object> attributes = new LinkedHashMap<>();
        attributes.put("wardenTime", TIME.format(Instant.ofEpochSecond(nowSeconds)));
        attributes.put("wardenBrowser", browser(userAgent));
        attributes.put("wardenAddress", address == null ? "" : shorten(address, 64));
        attributes.put("wardenAccountUrl", accountUrl);
        return attributes;
    }

    /**
     * The User-Agent as the mail shows it: control and format characters (CR, LF, bidi overrides) become spaces, runs
     * of spaces one space, and it is cut to {@link #MAX_AGENT} characters. HTML in it is escaped by the html template's
     * output format; the text template is plain text.
     */
    static String browser(String userAgent) {
        if (userAgent == null || userAgent.isBlank()) {
            return "unknown";
        }
        String text = withoutLinks(GeoPlaces.clean(userAgent, MAX_AGENT));
        return text.isEmpty() ? "unknown" : shorten(text, MAX_AGENT);
    }

    /**
     * The words of a User-Agent that a mail program could show as a link or an address (with "://", "www.", "@" or a
     * dot followed by letters, like "evil.example") left out: the mail must not carry a link its sender chose. Version
     * numbers ("Chrome/126.0.6478.126") and platform names stay.
     */
    static String withoutLinks(String text) {
        StringBuilder kept = new StringBuilder(text.length());
        for (String word : text.split(" ")) {
            String lower = word.toLowerCase(Locale.ROOT);
            boolean link = lower.contains("://")
                    || lower.contains("www.")
                    || lower.contains("@")
                    || lower.matches(".*[a-z0-9-]\\.[a-z]{2,}.*");
            if (!link && !word.isEmpty()) {
                if (kept.length() > 0) {
                    kept.append(' ');
                }
                kept.append(word);
            }
        }
        return kept.toString();
    }

    private static String shorten(String text, int max) {
        return text.length() <= max ? text : text.substring(0, max - 1) + "\u2026";
    }

    /** The account console's page that lists the signed-in devices and ends their sessions. */
    static String accountUrl(String baseUri, String realmName) {
        String base = baseUri.endsWith("/") ? baseUri : baseUri + "/";
        return base + "realms/"
                + URLEncoder.encode(realmName, StandardCharsets.UTF_8).replace("+", "%20")
                + "/account/account-security/device-activity";
    }
}
