package dev.kcwarden.audit;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.node.TextNode;
import dev.kcwarden.WardenEvents;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import org.keycloak.events.Details;

/**
 * What may reach an audit line. Event details pass through an allow-list (anything else is dropped, so a detail
 * Keycloak adds tomorrow cannot leak a code or token); admin representations keep their shape but every field whose
 * name speaks of a secret, and every value that is a private key whatever its field's name, is replaced by
 * "[redacted]".
 */
final class Redaction {

    static final String REDACTED = "[redacted]";
    private static final int MAX_REPRESENTATION = 8 * 1024;
    private static final ObjectMapper JSON = new ObjectMapper();

    /** Event details that describe what happened without carrying a credential. */
    static final Set<String> ALLOWED_DETAILS = allowedDetails();

    private static Set<String> allowedDetails() {
        Set<String> allowed = new HashSet<>(WardenEvents.DETAILS);
        allowed.addAll(List.of(
                Details.AUTH_METHOD,
                Details.AUTH_TYPE,
                Details.GRANT_TYPE,
                Details.RESPONSE_TYPE,
                Details.RESPONSE_MODE,
                Details.SCOPE,
                Details.CONSENT,
                Details.REMEMBER_ME,
                Details.REDIRECT_URI,
                Details.IDENTITY_PROVIDER,
                Details.REASON,
                Details.CLIENT_AUTH_METHOD,
                Details.CUSTOM_REQUIRED_ACTION,
                Details.UPDATED_EMAIL,
                Details.PREVIOUS_EMAIL,
                Details.CREDENTIAL_TYPE,
                Details.NOT_BEFORE,
                Details.REVOKED_CLIENT,
                Details.TOKEN_ID,
                Details.REFRESH_TOKEN_ID,
                Details.REFRESH_TOKEN_TYPE,
                Details.REFRESH_TOKEN_SUB));
        return Set.copyOf(allowed);
    }

    /**
     * Words that make a field a secret, matched in its name lower-cased with separators removed, so that
     * {@code private.key}, {@code private_key} and {@code privateKey} are one name. Together they cover what an admin
     * sends through the admin API: client secrets (and the rotated one), SAML signing and encryption keys,
     * identity-provider client secrets, LDAP bind credentials, SMTP passwords and token secrets, key-provider private
     * keys and keystore passwords, authenticator configs (reCAPTCHA secret and API key), credential data.
     */
    static final List<String> SECRET_WORDS = List.of(
            "password",
            "secret",
            "token",
            "credential",
            "otp",
            "privatekey",
            "apikey",
            "passphrase",
            "code",
            "hash",
            "salt");

    /**
     * Public by nature, kept even under a secret word ({@code jwt.credential.certificate}), unless the value is a
     * private key.
     */
    static final List<String> PUBLIC_WORDS = List.of("certificate", "publickey", "jwksurl");

    /**
     * Endings that make a secret-sounding name describe a secret rather than hold one: {@code passwordPolicy},
     * {@code accessTokenLifespan}, {@code client.secret.creation.time}, {@code otpPolicyAlgorithm},
     * {@code pkce.code.challenge.method}, {@code resetCredentialsFlow}. Their values are not redacted (unless they look
     * like a private key): an auditor needs to see a weakened policy.
     */
    static final List<String> DESCRIPTIVE_ENDINGS = List.of(
            "policy",
            "lifespan",
            "time",
            "timeout",
            "expiration",
            "enabled",
            "type",
            "method",
            "algorithm",
            "alg",
            "flow",
            "digits",
            "period",
            "length",
            "required");

    /** Members that only a private or symmetric JWK has (RFC 7518 section 6). */
    private static final Set<String> PRIVATE_JWK_MEMBERS = Set.of("d", "p", "q", "dp", "dq", "qi", "k", "oth");

    private Redaction() {}

    static Map<String, String> details(Map<String, String> details) {
        Map<String, String> kept = new TreeMap<>();
        if (details != null) {
            details.forEach((k, v) -> {
                if (k != null && ALLOWED_DETAILS.contains(k) && v != null) {
                    kept.put(k, v.length() > 512 ? v.substring(0, 512) + "…" : v);
                }
            });
        }
        return kept;
    }

    /** The representation with secret-named fields redacted, as a JSON tree; null when absent or unreadable. */
    static JsonNode representation(String json) {
        if (json == null || json.isBlank()) {
            return null;
        }
        try {
            JsonNode tree = JSON.readTree(json);
            redact(tree);
            String text = JSON.writeValueAsString(tree);
            return text.length() > MAX_REPRESENTATION
                    ? TextNode.valueOf("[omitted: " + text.length() + " characters]")
                    : tree;
        } catch (Exception e) {
            return TextNode.valueOf("[omitted: not JSON]");
        }
    }

    private static void redact(JsonNode node) {
        if (node instanceof ObjectNode object) {
            List<String> names = new ArrayList<>();
            object.fieldNames().forEachRemaining(names::add);
            for (String name : names) {
                JsonNode value = object.get(name);
                if (holdsSecret(name, value) || (name.equals("value") && object.has("type")) || isPrivateKey(value)) {
                    object.put(name, REDACTED);
                } else {
                    redact(value);
                }
            }
        } else if (node instanceof ArrayNode array) {
            for (int i = 0; i < array.size(); i++) {
                if (isPrivateKey(array.get(i))) {
                    array.set(i, TextNode.valueOf(REDACTED));
                } else {
                    redact(array.get(i));
                }
            }
        }
    }

    /**
     * A field whose name says secret and whose value could be one (text, or a list or map of them; not a number or
     * flag).
     */
    private static boolean holdsSecret(String name, JsonNode value) {
        if (value == null || value.isNull() || value.isNumber() || value.isBoolean()) {
            return false;
        }
        String normalized = normalize(name);
        return secretName(name)
                && PUBLIC_WORDS.stream().noneMatch(normalized::contains)
                && DESCRIPTIVE_ENDINGS.stream().noneMatch(normalized::endsWith);
    }

    static boolean secretName(String name) {
        String normalized = normalize(name);
        return SECRET_WORDS.stream().anyMatch(normalized::contains);
    }

    private static String normalize(String name) {
        return name.toLowerCase(Locale.ROOT).replaceAll("[^a-z0-9]", "");
    }

    /**
     * A private key whatever the field is called: a PEM private key, base64 DER of a PKCS#8, PKCS#1 or SEC1 private key
     * (as Keycloak's key providers store them), or a JWK or JWK set with private members, as an object or as JSON text.
     */
    static boolean isPrivateKey(JsonNode value) {
        if (value instanceof ObjectNode object) {
            return (object.has("kty") && PRIVATE_JWK_MEMBERS.stream().anyMatch(object::has))
                    || (object.get("keys") instanceof ArrayNode keys
                            && keys.valueStream().anyMatch(Redaction::isPrivateKey));
        }
        if (!value.isTextual()) {
            return false;
        }
        String text = value.asText();
        if (text.contains("PRIVATE KEY")) {
            return true;
        }
        String trimmed = text.strip();
        if (trimmed.startsWith("{") && trimmed.contains("kty")) {
            try {
                return isPrivateKey(JSON.readTree(trimmed));
            } catch (Exception e) {
                // not JSON after all: a JWK-looking text that cannot be read is kept out anyway
                return true;
            }
        }
        return isDerPrivateKey(trimmed);
    }

    /**
     * Base64 DER whose outer SEQUENCE starts with a version INTEGER 0 or 1: PKCS#8 PrivateKeyInfo, PKCS#1
     * RSAPrivateKey, SEC1 ECPrivateKey. A certificate or a public key (SubjectPublicKeyInfo) starts with a SEQUENCE.
     */
    private static boolean isDerPrivateKey(String text) {
        if (text.length() < 40 || text.charAt(0) != 'M') {
            return false;
        }
        String head = text.substring(0, Math.min(text.length(), 96)).replaceAll("\\s", "");
        byte[] der;
        try {
            der = Base64.getDecoder().decode(head.substring(0, head.length() - head.length() % 4));
        } catch (IllegalArgumentException e) {
            return false;
        }
        if (der.length < 6 || der[0] != 0x30) {
            return false;
        }
        int at = 1;
        int lengthByte = der[at++] & 0xff;
        if (lengthByte > 0x80) {
            at += lengthByte - 0x80;
        }
        return at + 2 < der.length && der[at] == 0x02 && der[at + 1] == 0x01 && (der[at + 2] == 0 || der[at + 2] == 1);
    }
}
