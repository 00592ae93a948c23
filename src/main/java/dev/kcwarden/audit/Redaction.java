package dev.kcwarden.audit;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.node.TextNode;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * What may reach an audit line. Event details pass through an allow-list (anything else is dropped, so a
 * detail Keycloak adds tomorrow cannot leak a code or token); admin representations keep their shape but
 * every field whose name speaks of a secret is replaced by "[redacted]".
 */
final class Redaction {

    static final String REDACTED = "[redacted]";
    private static final int MAX_REPRESENTATION = 8 * 1024;
    private static final ObjectMapper JSON = new ObjectMapper();

    /** Event details that describe what happened without carrying a credential. */
    static final Set<String> ALLOWED_DETAILS = Set.of(
            "auth_method", "auth_type", "grant_type", "response_type", "response_mode", "scope", "consent",
            "remember_me", "redirect_uri", "identity_provider", "reason", "client_auth_method", "custom_required_action",
            "updated_email", "previous_email", "credential_type", "not_before", "revoked_client", "token_id",
            "refresh_token_id", "refresh_token_type", "refresh_token_sub", "keycloak_reason",
            "warden_limit", "retry_after", "warden_reason", "warden_breach_check", "warden_scope",
            "warden_sessions_ended", "warden_offline_sessions_ended");

    /** Matched against the field name in lower case with separators removed, so private.key, private_key and privateKey are one name. */
    private static final List<String> SECRET_WORDS = List.of("password", "secret", "token", "credential", "otp",
            "privatekey", "code", "hash", "salt");

    private Redaction() {
    }

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
            return text.length() > MAX_REPRESENTATION ? TextNode.valueOf("[omitted: " + text.length() + " characters]") : tree;
        } catch (Exception e) {
            return TextNode.valueOf("[omitted: not JSON]");
        }
    }

    private static void redact(JsonNode node) {
        if (node instanceof ObjectNode object) {
            List<String> names = new ArrayList<>();
            object.fieldNames().forEachRemaining(names::add);
            for (String name : names) {
                if (secretName(name) || (name.equals("value") && object.has("type"))) {
                    object.put(name, REDACTED);
                } else {
                    redact(object.get(name));
                }
            }
        } else if (node instanceof ArrayNode array) {
            array.forEach(Redaction::redact);
        }
    }

    static boolean secretName(String name) {
        String normalized = name.toLowerCase(Locale.ROOT).replaceAll("[._\\-\\s]", "");
        return SECRET_WORDS.stream().anyMatch(normalized::contains);
    }
}
