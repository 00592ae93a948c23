package dev.kcwarden.audit;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.kcwarden.testing.Await;
import dev.kcwarden.testing.BrowserLogin;
import dev.kcwarden.testing.DemoRealm;
import dev.kcwarden.testing.Http;
import dev.kcwarden.testing.LoopbackClient;
import dev.kcwarden.testing.Metrics;
import dev.kcwarden.testing.Pkce;
import dev.kcwarden.testing.TokenEndpoint;
import dev.kcwarden.testing.VerifyAuditCommand;
import dev.kcwarden.testing.WardenServerConfig;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.keycloak.events.EventType;
import org.keycloak.representations.idm.ClientRepresentation;
import org.keycloak.representations.idm.CredentialRepresentation;
import org.keycloak.representations.idm.RealmEventsConfigRepresentation;
import org.keycloak.testframework.annotations.InjectRealm;
import org.keycloak.testframework.annotations.KeycloakIntegrationTest;
import org.keycloak.testframework.realm.ManagedRealm;

/**
 * A whole journey against the real server (sign up, login, refresh, logout, an admin changing a password and a client
 * secret), then the server's own log file: one well-formed audit line per event, nothing secret in any line of the
 * whole log, and a chain the verifier accepts (and rejects once edited).
 */
@KeycloakIntegrationTest(config = WardenServerConfig.class)
@DisplayName("Audit log: one JSON line per event, no secrets anywhere in the log, a verifiable chain")
class AuditLogIT {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String REDIRECT = "http://127.0.0.1/callback";

    @InjectRealm(fromJson = DemoRealm.JSON, config = DemoRealm.Offline.class)
    ManagedRealm realm;

    /** The demo realm a second time, under another name, so the metrics test sees which realm a count lands in. */
    @InjectRealm(ref = "second", fromJson = DemoRealm.JSON, config = DemoRealm.OfflineSecond.class)
    ManagedRealm secondRealm;

    @Test
    @DisplayName(
            "a full journey leaves audit lines with the schema's fields, redacted admin representations, and no secret")
    void journey() throws Exception {
        // The realm saves refreshes too, so the refresh's line is in the journey and checked for secrets.
        saveTypes(withDefaults("REFRESH_TOKEN"));
        long logStart = Files.exists(WardenServerConfig.LOG_FILE) ? Files.size(WardenServerConfig.LOG_FILE) : 0;
        TokenEndpoint endpoints = new TokenEndpoint(realm.getBaseUrl());
        List<String> secrets = new ArrayList<>();
        String password = "Audit-journey-" + Pkce.randomToken(10);
        secrets.add(password);

        // sign up through the registration page, exchange the code
        LoopbackClient browser = new LoopbackClient("127.0.4.1");
        String verifier = Pkce.newVerifier();
        secrets.add(verifier);
        secrets.add(WardenServerConfig.AUDIT_CHAIN_KEY);
        secrets.add(WardenServerConfig.WEBHOOK_SECRET);
        Http.Reply registered = BrowserLogin.register(
                browser,
                endpoints,
                REDIRECT,
                verifier,
                BrowserLogin.registrationForm("audit-alice", "audit-alice@example.com", "Audit", "Alice", password));
        assertThat(registered.status()).as(registered.body()).isEqualTo(302);
        String code = BrowserLogin.query(registered.header("Location")).get("code");
        secrets.add(code);
        Map<String, Object> tokens =
                endpoints.exchangeCode(DemoRealm.SPA, code, REDIRECT, verifier).json();
        secrets.add((String) tokens.get("access_token"));
        secrets.add((String) tokens.get("refresh_token"));
        secrets.add((String) tokens.get("id_token"));

        // refresh, a failed and a good password login, logout
        Map<String, Object> refreshed = endpoints
                .refresh(DemoRealm.SPA, (String) tokens.get("refresh_token"))
                .json();
        secrets.add((String) refreshed.get("refresh_token"));
        secrets.add((String) refreshed.get("access_token"));
        if (refreshed.get("id_token") != null) {
            secrets.add((String) refreshed.get("id_token"));
        }
        String wrong = "Wrong-" + Pkce.randomToken(10);
        secrets.add(wrong);
        assertThat(endpoints.password(DemoRealm.CLI, "audit-alice", wrong).status())
                .isEqualTo(400);
        Map<String, Object> cli =
                endpoints.password(DemoRealm.CLI, "audit-alice", password).json();
        secrets.add((String) cli.get("access_token"));
        secrets.add((String) cli.get("refresh_token"));
        Http.Reply revoked = Http.postForm(
                endpoints.realmUrl() + "/protocol/openid-connect/revoke",
                Map.of("client_id", DemoRealm.SPA, "token", (String) refreshed.get("refresh_token")));
        assertThat(revoked.status()).isEqualTo(200);

        // an admin sets a new password and rotates a client secret
        String userId = realm.admin().users().search("audit-alice", true).get(0).getId();
        String adminPassword = "Admin-set-" + Pkce.randomToken(10);
        secrets.add(adminPassword);
        CredentialRepresentation credential = new CredentialRepresentation();
        credential.setType(CredentialRepresentation.PASSWORD);
        credential.setValue(adminPassword);
        credential.setTemporary(false);
        realm.admin().users().get(userId).resetPassword(credential);
        ClientRepresentation backend =
                realm.admin().clients().findByClientId(DemoRealm.BACKEND).get(0);
        secrets.add(
                realm.admin().clients().get(backend.getId()).generateNewSecret().getValue());
        backend.setDescription("touched by the audit test");
        backend.setSecret("Backend-secret-" + Pkce.randomToken(12));
        secrets.add(backend.getSecret());
        realm.admin().clients().get(backend.getId()).update(backend);

        // A last, harmless event after everything else: once its line is in the log, so is every line before it.
        String sentinel = "audit-sentinel-" + Pkce.randomToken(8);
        assertThat(endpoints.password(DemoRealm.CLI, sentinel, "x").status()).isEqualTo(400);
        List<String> newLog = awaitLogContaining(logStart, "\"username\":\"" + sentinel + "\"");
        List<JsonNode> audit = new ArrayList<>();
        for (String line : newLog) {
            int at = line.indexOf("{\"v\":");
            if (line.contains("[warden.audit]") && at >= 0) {
                audit.add(JSON.readTree(line.substring(at)));
            }
        }
        List<String> types = audit.stream()
                .filter(a -> "warden".equals(a.path("realm").asText()))
                .map(a -> a.path("type").asText())
                .toList();
        assertThat(types)
                .contains(
                        "REGISTER",
                        "CODE_TO_TOKEN",
                        "REFRESH_TOKEN",
                        "LOGIN_ERROR",
                        "LOGIN",
                        "REVOKE_GRANT",
                        "ADMIN_ACTION",
                        "ADMIN_UPDATE");

        JsonNode register = audit.stream()
                .filter(a -> a.path("type").asText().equals("REGISTER"))
                .findFirst()
                .orElseThrow();
        assertThat(register.path("v").asInt()).isEqualTo(1);
        assertThat(Instant.parse(register.path("time").asText()))
                .isBefore(Instant.now().plusSeconds(5));
        assertThat(register.path("outcome").asText()).isEqualTo("success");
        assertThat(register.path("client").asText()).isEqualTo(DemoRealm.SPA);
        assertThat(register.path("userId").asText()).isEqualTo(userId);
        assertThat(register.path("username").asText()).isEqualTo("audit-alice");
        assertThat(register.path("ip").asText()).isEqualTo("127.0.4.1");
        assertThat(register.path("details").path("warden_breach_check").asText())
                .isNotEmpty();
        assertThat(register.path("node").asText()).isNotEmpty();
        assertThat(register.path("seq").asLong()).isPositive();
        assertThat(register.path("mac").asText()).hasSizeGreaterThan(40);

        JsonNode failed = audit.stream()
                .filter(a -> a.path("type").asText().equals("LOGIN_ERROR"))
                .findFirst()
                .orElseThrow();
        assertThat(failed.path("outcome").asText()).isEqualTo("error");
        assertThat(failed.path("error").asText()).isEqualTo("invalid_user_credentials");

        JsonNode clientUpdate = audit.stream()
                .filter(a -> a.path("type").asText().equals("ADMIN_UPDATE")
                        && a.path("resourceType").asText().equals("CLIENT"))
                .findFirst()
                .orElseThrow();
        assertThat(clientUpdate.path("resourcePath").asText()).startsWith("clients/");
        assertThat(clientUpdate.path("admin").path("realm").asText()).isEqualTo("master");
        assertThat(clientUpdate.path("representation").path("secret").asText()).isEqualTo("[redacted]");

        // One line per event: each audit line holds one record, and the node's sequence has no gap and no repeat.
        for (String line : newLog) {
            if (line.contains("[warden.audit]")) {
                assertThat(line.split("\\{\"v\":", -1))
                        .as("records in one line: %s", line)
                        .hasSize(2);
            }
        }
        List<Long> seqs = audit.stream().map(a -> a.path("seq").asLong()).toList();
        assertThat(seqs).isSorted();
        for (int i = 1; i < seqs.size(); i++) {
            assertThat(seqs.get(i)).as("the line after seq %d", seqs.get(i - 1)).isEqualTo(seqs.get(i - 1) + 1);
        }
        assertThat(types.stream().filter("REGISTER"::equals))
                .as("one REGISTER event, one line")
                .hasSize(1);

        // Every secret, whole and in its secret parts, anywhere in the log: a JWT's payload or signature alone
        // would be a leak (its header names only the algorithm and key), and so would the code's first part (its
        // others are the session's and the client's ids, which the log names anyway).
        String wholeLog = Files.readString(WardenServerConfig.LOG_FILE, StandardCharsets.UTF_8);
        for (String secret : secrets) {
            List<String> pieces = new ArrayList<>(List.of(secret));
            String[] parts = secret.split("\\.");
            if (secret.startsWith("eyJ") && parts.length == 3) {
                pieces.add(parts[1]);
                pieces.add(parts[2]);
            } else if (secret.equals(code) && parts.length > 1) {
                pieces.add(parts[0]);
            }
            for (String piece : pieces) {
                assertThat(wholeLog)
                        .as("a secret (or part of one) of %d characters in the server log", piece.length())
                        .doesNotContain(piece);
            }
        }
    }

    @Test
    @DisplayName("a refresh gets a line only once the realm saves REFRESH_TOKEN; a failed refresh always gets one")
    void refreshLineFollowsTheRealmsSavedTypes() throws Exception {
        TokenEndpoint endpoints = new TokenEndpoint(realm.getBaseUrl());
        String first = (String) endpoints
                .password(DemoRealm.CLI, DemoRealm.DEMO_USER, DemoRealm.DEMO_PASSWORD)
                .json()
                .get("refresh_token");
        long start = Files.size(WardenServerConfig.LOG_FILE);
        String second = (String) endpoints.refresh(DemoRealm.CLI, first).json().get("refresh_token");
        assertThat(endpoints.refresh(DemoRealm.CLI, "not-a-refresh-token").status())
                .isEqualTo(400);
        List<String> lines = awaitLog(start, "REFRESH_TOKEN_ERROR");
        assertThat(lines)
                .as("Keycloak's default saved types leave out REFRESH_TOKEN")
                .noneMatch(l -> l.contains("[warden.audit]") && l.contains("\"type\":\"REFRESH_TOKEN\","));

        saveTypes(withDefaults("REFRESH_TOKEN"));
        long listed = Files.size(WardenServerConfig.LOG_FILE);
        assertThat(endpoints.refresh(DemoRealm.CLI, second).status()).isEqualTo(200);
        assertThat(awaitLog(listed, "REFRESH_TOKEN"))
                .anyMatch(l -> l.contains("[warden.audit]") && l.contains("\"type\":\"REFRESH_TOKEN\","));
    }

    @Test
    @DisplayName("a realm admin who saves only LOGIN_ERROR cannot take successful logins out of the audit log")
    void realmListCannotHideLogins() throws Exception {
        saveTypes(List.of("LOGIN_ERROR"));
        long start = Files.size(WardenServerConfig.LOG_FILE);
        assertThat(new TokenEndpoint(realm.getBaseUrl())
                        .password(DemoRealm.CLI, DemoRealm.DEMO_USER, DemoRealm.DEMO_PASSWORD)
                        .status())
                .isEqualTo(200);
        assertThat(awaitLog(start, "LOGIN"))
                .anyMatch(l -> l.contains("[warden.audit]")
                        && l.contains("\"type\":\"LOGIN\",")
                        && l.contains("\"username\":\"" + DemoRealm.DEMO_USER + "\""));
    }

    /** Keycloak's default saved event types plus {@code more}, as an admin lists them in the console. */
    private static List<String> withDefaults(String... more) {
        List<String> types = new ArrayList<>(Arrays.stream(EventType.values())
                .filter(EventType::isSaveByDefault)
                .map(EventType::name)
                .toList());
        types.addAll(List.of(more));
        return types;
    }

    private void saveTypes(List<String> types) {
        RealmEventsConfigRepresentation events = realm.admin().getRealmEventsConfig();
        events.setEnabledEventTypes(types);
        realm.admin().updateRealmEventsConfig(events);
    }

    /** Back to the shipped realm's events settings: no list, so Keycloak's default types. */
    @AfterEach
    void defaultSavedTypes() {
        saveTypes(List.of());
    }

    @Test
    @DisplayName("the server's audit chain verifies, and the verifier from the jar reports an edited copy (exit 1)")
    void chainVerifies() throws Exception {
        new TokenEndpoint(realm.getBaseUrl()).password(DemoRealm.CLI, DemoRealm.DEMO_USER, "not-the-password");
        List<String> lines = awaitLog(0, "LOGIN_ERROR");
        byte[] key = WardenServerConfig.AUDIT_CHAIN_KEY.getBytes(StandardCharsets.UTF_8);
        VerifyAudit.Result result = VerifyAudit.verify(lines, key);
        assertThat(result.intact())
                .as("%s at line %d", result.problem(), result.badLine())
                .isTrue();
        assertThat(result.lines()).isPositive();

        Path keyFile = Files.createTempFile("warden-audit", ".key");
        Files.writeString(keyFile, WardenServerConfig.AUDIT_CHAIN_KEY);
        Path copy = Files.createTempFile("warden-audit", ".log");
        Files.write(copy, lines);
        // the server still runs, so its last run has no end line yet: INCOMPLETE (exit 3), nothing TAMPERED
        assertThat(result.verdict()).isEqualTo(VerifyAudit.Verdict.INCOMPLETE);
        assertThat(VerifyAuditCommand.run(copy, keyFile)).isEqualTo(3);

        List<String> edited = new ArrayList<>(lines);
        for (int i = 0; i < edited.size(); i++) {
            if (edited.get(i).contains("[warden.audit]") && edited.get(i).contains("\"outcome\":\"error\"")) {
                edited.set(i, edited.get(i).replace("\"outcome\":\"error\"", "\"outcome\":\"success\""));
                break;
            }
        }
        Files.write(copy, edited);
        assertThat(VerifyAuditCommand.run(copy, keyFile)).isEqualTo(1);
    }

    @Test
    @DisplayName(
            "/metrics: warden's counters move under the realm's name, not under another realm, with bounded labels")
    void metricsMovePerRealm() throws Exception {
        Map<String, Double> before = Metrics.scrape();
        // The same address in both realms: eleven wrong passwords in the demo realm (ten failures, then its
        // per-username+IP limit of 10 refuses one), three in the second realm (failures, nothing refused).
        LoopbackClient from = new LoopbackClient("127.0.4.9");
        TokenEndpoint demo = new TokenEndpoint(realm.getBaseUrl());
        for (int i = 0; i <= 10; i++) {
            from.postForm(
                    demo.tokenUrl(), TokenEndpoint.passwordForm(DemoRealm.CLI, DemoRealm.DEMO_USER, "wrong-" + i));
        }
        TokenEndpoint second = new TokenEndpoint(secondRealm.getBaseUrl());
        for (int i = 0; i < 3; i++) {
            from.postForm(
                    second.tokenUrl(), TokenEndpoint.passwordForm(DemoRealm.CLI, DemoRealm.DEMO_USER, "wrong-" + i));
        }
        Map<String, Double> after = Metrics.scrape();

        assertThat(delta(before, after, failures(DemoRealm.NAME)))
                .as("failures in the demo realm")
                .isEqualTo(10);
        assertThat(delta(before, after, failures(DemoRealm.OfflineSecond.NAME)))
                .as("failures in the second realm")
                .isEqualTo(3);
        assertThat(delta(before, after, throttled(DemoRealm.NAME)))
                .as("refused in the demo realm")
                .isEqualTo(1);
        assertThat(delta(before, after, throttled(DemoRealm.OfflineSecond.NAME)))
                .as("refused in the second realm")
                .isZero();
        assertThat(after.get("warden_audit_lines_total"))
                .as("server-wide, no realm label")
                .isGreaterThan(before.getOrDefault("warden_audit_lines_total", 0.0));

        // The label is the realm's NAME, as in Keycloak's keycloak_user_events_total{realm}; never its id.
        List<String> wardenSamples =
                after.keySet().stream().filter(k -> k.startsWith("warden_")).toList();
        assertThat(wardenSamples).isNotEmpty().noneMatch(k -> k.contains(DemoRealm.OfflineSecond.ID));
        for (String sample : wardenSamples) {
            String metric = sample.contains("{") ? sample.substring(0, sample.indexOf('{')) : sample;
            if (REALM_SCOPED.contains(metric)) {
                assertThat(sample).as("a realm-scoped sample").contains("realm=\"");
            } else {
                assertThat(sample).as("a server-wide sample").doesNotContain("realm=");
            }
        }

        // Bounded labels: every label of every warden_ sample takes a value from a fixed set, never a name, address or
        // id.
        java.util.Set<String> eventTypes = java.util.Arrays.stream(org.keycloak.events.EventType.values())
                .map(Enum::name)
                .collect(java.util.stream.Collectors.toSet());
        java.util.Set<String> errors = new java.util.HashSet<>(List.of("none"));
        for (java.lang.reflect.Field f : org.keycloak.events.Errors.class.getFields()) {
            if (f.getType() == String.class) {
                errors.add((String) f.get(null));
            }
        }
        java.util.Set<String> limits = java.util.Arrays.stream(dev.kcwarden.guard.LimitKind.values())
                .map(dev.kcwarden.guard.LimitKind::id)
                .collect(java.util.stream.Collectors.toSet());
        java.util.regex.Pattern label = java.util.regex.Pattern.compile("([a-z_]+)=\"([^\"]*)\"");
        for (String sample : wardenSamples) {
            java.util.regex.Matcher m = label.matcher(sample);
            while (m.find()) {
                String name = m.group(1);
                String value = m.group(2);
                switch (name) {
                    case "type" -> assertThat(eventTypes).as(sample).contains(value);
                    // warden's own event errors by name: a "warden_" prefix alone would let an address or a name
                    // through
                    case "error" ->
                        assertThat(errors.contains(value) || WARDEN_ERRORS.contains(value))
                                .as(sample)
                                .isTrue();
                    case "limit" -> assertThat(limits).as(sample).contains(value);
                    case "outcome" ->
                        assertThat(value)
                                .as(sample)
                                .isIn(
                                        "success",
                                        "error",
                                        "passed",
                                        "common",
                                        "breached",
                                        "unavailable_open",
                                        "unavailable_closed");
                    case "rule", "scope", "result" ->
                        assertThat(value).as(sample).matches("[a-z_]{1,40}");
                    case "queue" -> assertThat(value).as(sample).isIn("main", "throttle");
                    // realm names are chosen by admins (a bounded set); realms of earlier test classes stay on /metrics
                    case "realm" -> assertThat(value).as(sample).isNotEqualTo(DemoRealm.OfflineSecond.ID);
                    default -> throw new AssertionError("a label warden does not document: " + sample);
                }
            }
        }
    }

    /** Every event error warden records; each is a label value of warden_auth_events_total{error}. */
    private static final java.util.Set<String> WARDEN_ERRORS =
            java.util.Set.of("warden_throttled", "warden_refresh_token_reuse", "warden_signup_rejected");

    /** warden's metrics that count something in one realm, so carry {@code realm}; the others are server-wide. */
    private static final java.util.Set<String> REALM_SCOPED = java.util.Set.of(
            "warden_auth_events_total",
            "warden_throttle_rejections_total",
            "warden_signup_rejections_total",
            "warden_breach_checks_total",
            "warden_refresh_reuse_incidents_total");

    private static String failures(String realmName) {
        return "warden_auth_events_total{error=\"invalid_user_credentials\",outcome=\"error\",realm=\"" + realmName
                + "\",type=\"LOGIN_ERROR\"}";
    }

    private static String throttled(String realmName) {
        return "warden_throttle_rejections_total{limit=\"user_ip\",realm=\"" + realmName + "\"}";
    }

    private static double delta(Map<String, Double> before, Map<String, Double> after, String sample) {
        return after.getOrDefault(sample, 0.0) - before.getOrDefault(sample, 0.0);
    }
    /**
     * The log from byte offset {@code from}, once it holds an audit line of {@code type} (the file handler may lag a
     * little).
     */
    private static List<String> awaitLog(long from, String type) throws Exception {
        return awaitLogContaining(from, "\"type\":\"" + type + "\"");
    }

    /** The log's lines from byte {@code from} on, once they contain {@code marker} (fails after 10 s). */
    private static List<String> awaitLogContaining(long from, String marker) {
        return Await.until(
                        "a log line with " + marker,
                        Duration.ofSeconds(10),
                        () -> logFrom(from),
                        t -> t.contains(marker))
                .lines()
                .toList();
    }

    private static String logFrom(long from) {
        try {
            byte[] all = Files.readAllBytes(WardenServerConfig.LOG_FILE);
            int start = (int) Math.min(from, all.length);
            return new String(all, start, all.length - start, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
