package dev.kcwarden.testing;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.keycloak.testframework.realm.RealmBuilder;
import org.keycloak.testframework.realm.RealmConfig;
import org.keycloak.util.JsonSerialization;

/** Names and values of the shipped demo realm (realm-export/warden-realm.json) that the tests rely on. */
public final class DemoRealm {

    /**
     * Classpath location of realm-export/warden-realm.json, for {@code @InjectRealm(fromJson = DemoRealm.JSON, config =
     * DemoRealm.Offline.class)}: always with {@link Offline}, so no test reaches the internet.
     */
    public static final String JSON = "/realm-export/warden-realm.json";

    private static final Pattern BREACH_POLICY = Pattern.compile("wardenBreachedPassword\\(([^)]*)\\)");

    /**
     * The shipped realm as the tests import it: everything as users get it, except that the breached-password check
     * stays on this machine ({@code remote=off}: the built-in list of common passwords only) instead of asking the
     * public range API. Tests that need the range API point the policy at a local {@link RangeStub}.
     */
    public static final class Offline implements RealmConfig {
        @Override
        public RealmBuilder configure(RealmBuilder realm) {
            return realm.passwordPolicy(offlinePolicy(realm.build().getPasswordPolicy()));
        }
    }

    /**
     * The demo realm a second time, offline like {@link Offline}, under another name and with an id unlike that name
     * (the demo realm's id is its name): for a test that needs two realms, for example to see which realm a metric
     * counts in: {@code @InjectRealm(ref = "second", fromJson = DemoRealm.JSON, config =
     * DemoRealm.OfflineSecond.class)}.
     */
    public static final class OfflineSecond implements RealmConfig {
        public static final String NAME = "warden-second";
        public static final String ID = "a3f1c0de-second-realm-id";

        @Override
        public RealmBuilder configure(RealmBuilder realm) {
            return new Offline().configure(realm).name(NAME).id(ID);
        }
    }

    /** {@code policy} with the breached-password check's {@code url} replaced by {@code remote=off}. */
    public static String offlinePolicy(String policy) {
        Matcher m = BREACH_POLICY.matcher(policy == null ? "" : policy);
        if (!m.find()) {
            throw new IllegalStateException(
                    "the demo realm's password policy has no wardenBreachedPassword(...): " + policy);
        }
        String kept = Arrays.stream(m.group(1).split(";"))
                .map(String::strip)
                .filter(option -> !option.startsWith("url=") && !option.startsWith("remote="))
                .collect(Collectors.joining(";"));
        return policy.substring(0, m.start()) + "wardenBreachedPassword(" + kept + ";remote=off)"
                + policy.substring(m.end());
    }

    /** The password policy exactly as realm-export/warden-realm.json ships it (with the public range URL). */
    public static String shippedPasswordPolicy() {
        try (var in = DemoRealm.class.getResourceAsStream(JSON)) {
            if (in == null) {
                throw new IllegalStateException(
                        JSON + " is not on the test classpath (the build copies realm-export/)");
            }
            return JsonSerialization.mapper.readTree(in).path("passwordPolicy").asText();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + JSON, e);
        }
    }

    /**
     * A copy of {@code realmFile} in {@code dir} with {@link #offlinePolicy}, for the servers the test framework does
     * not manage (the cluster's nodes, the release smoke tests, the benchmark).
     */
    public static Path offlineCopy(Path realmFile, Path dir) {
        try {
            ObjectNode realm = (ObjectNode) JsonSerialization.mapper.readTree(realmFile.toFile());
            realm.put(
                    "passwordPolicy", offlinePolicy(realm.path("passwordPolicy").asText(null)));
            Path copy = Files.createDirectories(dir).resolve(realmFile.getFileName());
            JsonSerialization.mapper.writerWithDefaultPrettyPrinter().writeValue(copy.toFile(), realm);
            return copy;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write an offline copy of " + realmFile, e);
        }
    }

    public static final String NAME = "warden";
    public static final String SPA = "demo-spa";
    public static final String CLI = "demo-cli";
    public static final String API = "demo-api";
    public static final String BACKEND = "demo-backend";

    public static final String DEMO_USER = "demo";
    public static final String DEMO_PASSWORD = "Warden-demo-2026";

    /** Access token lifetime the realm promises, in seconds. */
    public static final int ACCESS_TOKEN_SECONDS = 300;

    private DemoRealm() {}
}
