package dev.kcwarden.bench;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;

/**
 * The shipped realm file with every warden part taken out, under another name: Keycloak's built-in flows, no warden
 * event listeners, no warden password policy, no user-profile validators of warden's, no client policy, the default
 * theme. Everything else (clients, token lifespans, refresh rotation, stored events) stays as shipped, so a comparison
 * with the warden realm on one server measures warden alone.
 */
final class StockRealm {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final List<String> FLOW_BINDINGS = List.of(
            "browserFlow", "directGrantFlow", "registrationFlow", "resetCredentialsFlow", "firstBrokerLoginFlow");

    private StockRealm() {}

    /** Writes the stock copy of {@code wardenRealm} as {@code name}-realm.json into {@code dir}; returns its path. */
    static Path write(Path wardenRealm, String name, Path dir) throws IOException {
        ObjectNode realm = (ObjectNode) JSON.readTree(wardenRealm.toFile());
        strip(realm, name);
        Files.createDirectories(dir);
        Path out = dir.resolve(name + "-realm.json");
        JSON.writerWithDefaultPrettyPrinter().writeValue(out.toFile(), realm);
        return out;
    }

    static void strip(ObjectNode realm, String name) {
        realm.put("realm", name);
        realm.put("displayName", name);
        FLOW_BINDINGS.forEach(realm::remove);
        realm.remove(List.of("authenticationFlows", "authenticatorConfig", "clientPolicies", "clientProfiles"));
        realm.remove(List.of("components", "loginTheme", "emailTheme", "users"));
        ArrayNode listeners = realm.putArray("eventsListeners");
        listeners.add("jboss-logging");
        String policy = realm.path("passwordPolicy").asText("");
        realm.put("passwordPolicy", withoutWardenPolicies(policy));
        realm.remove("id");
    }

    /** The policy string without warden's terms, e.g. {@code length(12)} without warden's breached-password term. */
    static String withoutWardenPolicies(String policy) {
        StringBuilder kept = new StringBuilder();
        for (String term : policy.split(" and ")) {
            if (term.isBlank() || term.trim().toLowerCase(Locale.ROOT).startsWith("warden")) {
                continue;
            }
            if (kept.length() > 0) {
                kept.append(" and ");
            }
            kept.append(term.trim());
        }
        return kept.toString();
    }
}
