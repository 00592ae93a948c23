package dev.kcwarden.realm;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.json.JsonMapper;
import dev.kcwarden.signup.EmailDomainValidator;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.keycloak.provider.ConfiguredProvider;
import org.keycloak.provider.ProviderConfigProperty;
import org.keycloak.provider.ProviderFactory;

/**
 * The defaults often equal what the shipped realm sets, so a key the realm misspells (or still names the old way) would
 * pass every login test unnoticed; this reads the realm file and refuses any warden key no provider reads.
 */
@DisplayName("The shipped realm sets only options warden's providers read")
class RealmFileKeysTest {

    private static final Path SERVICES = Path.of("src", "main", "resources", "META-INF", "services");

    @Test
    @DisplayName(
            "every option of a warden authenticator config, a refresh-reuse executor (if any) and the email-domain "
                    + "validator is one the provider declares")
    void everyKeyIsRead() throws Exception {
        JsonNode realm = JsonMapper.builder()
                .build()
                .readTree(Path.of("realm-export", "warden-realm.json").toFile());
        Map<String, Set<String>> declared = declaredKeys();
        List<String> unknown = new ArrayList<>();
        int checked = 0;

        // one config may serve several executions (the login limits are shared): check it against each provider
        Map<String, java.util.Set<String>> providersOfConfig = new HashMap<>();
        for (JsonNode flow : realm.path("authenticationFlows")) {
            for (JsonNode execution : flow.path("authenticationExecutions")) {
                if (execution.hasNonNull("authenticatorConfig")) {
                    providersOfConfig
                            .computeIfAbsent(
                                    execution.get("authenticatorConfig").asText(), a -> new java.util.TreeSet<>())
                            .add(execution.path("authenticator").asText());
                }
            }
        }
        for (JsonNode config : realm.path("authenticatorConfig")) {
            for (String provider :
                    providersOfConfig.getOrDefault(config.path("alias").asText(), java.util.Set.of())) {
                if (provider.startsWith("warden-")) {
                    checked += check(provider, config.path("config"), declared, unknown);
                }
            }
        }
        for (JsonNode profile : realm.path("clientProfiles").path("profiles")) {
            for (JsonNode executor : profile.path("executors")) {
                String provider = executor.path("executor").asText();
                if (provider.startsWith("warden-")) {
                    checked += check(provider, executor.path("configuration"), declared, unknown);
                }
            }
        }
        JsonNode profile = JsonMapper.builder()
                .build()
                .readTree(realm.path("components")
                        .path("org.keycloak.userprofile.UserProfileProvider")
                        .get(0)
                        .path("config")
                        .path("kc.user.profile.config")
                        .get(0)
                        .asText());
        for (JsonNode attribute : profile.path("attributes")) {
            JsonNode validator = attribute.path("validations").path(EmailDomainValidator.PROVIDER_ID);
            if (!validator.isMissingNode()) {
                checked += check(EmailDomainValidator.PROVIDER_ID, validator, declared, unknown);
            }
        }

        assertThat(unknown).as("options no provider reads").isEmpty();
        assertThat(checked)
                .as("configs checked: the guards and the validator (and a warden executor, when a realm file has one)")
                .isGreaterThanOrEqualTo(6);
    }

    private static int check(
            String provider, JsonNode config, Map<String, Set<String>> declared, List<String> unknown) {
        Set<String> known = declared.get(provider);
        assertThat(known).as("a provider %s in the services files", provider).isNotNull();
        config.fieldNames().forEachRemaining(key -> {
            if (!known.contains(key)) {
                unknown.add(provider + ": " + key);
            }
        });
        return 1;
    }

    /** Provider id to declared option names, for every configurable provider the services files list. */
    private static Map<String, Set<String>> declaredKeys() throws IOException, ReflectiveOperationException {
        Map<String, Set<String>> declared = new HashMap<>();
        try (var files = Files.list(SERVICES)) {
            for (Path file : files.toList()) {
                for (String line : Files.readAllLines(file)) {
                    String name = line.strip();
                    if (name.isEmpty() || name.startsWith("#")) {
                        continue;
                    }
                    Object provider =
                            Class.forName(name).getDeclaredConstructor().newInstance();
                    if (provider instanceof ConfiguredProvider configured
                            && provider instanceof ProviderFactory<?> factory
                            && configured.getConfigProperties() != null) {
                        declared.put(
                                factory.getId(),
                                configured.getConfigProperties().stream()
                                        .map(ProviderConfigProperty::getName)
                                        .collect(Collectors.toSet()));
                    }
                }
            }
        }
        return declared;
    }

    @Test
    @DisplayName("the user profile keeps warden.seen (the new-device alert's first-login marker) admin-only, so a user "
            + "cannot delete it and silence the alert")
    void firstLoginMarkerIsAdminOnly() throws Exception {
        // the realm users import, and its copy for the production compose stack
        for (Path file : List.of(
                Path.of("realm-export", "warden-realm.json"), Path.of("deploy", "realm", "warden-realm.json"))) {
            JsonNode realm = JsonMapper.builder().build().readTree(file.toFile());
            String json = realm.path("components")
                    .path("org.keycloak.userprofile.UserProfileProvider")
                    .get(0)
                    .path("config")
                    .path("kc.user.profile.config")
                    .get(0)
                    .asText();
            var profile = org.keycloak.util.JsonSerialization.readValue(
                    json, org.keycloak.representations.userprofile.config.UPConfig.class);
            var seen = profile.getAttributes().stream()
                    .filter(a -> "warden.seen".equals(a.getName()))
                    .findFirst()
                    .orElseThrow(() -> new AssertionError("warden.seen is not declared in " + file));
            assertThat(seen.getPermissions().getEdit()).as("%s", file).containsExactly("admin");
            assertThat(seen.getPermissions().getView()).as("%s", file).containsExactly("admin");
            assertThat(seen.getRequired()).as("%s", file).isNull();
        }
    }
}
