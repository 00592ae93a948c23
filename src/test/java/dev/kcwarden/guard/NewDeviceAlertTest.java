package dev.kcwarden.guard;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@DisplayName("New-device alert: what the mail templates get")
class NewDeviceAlertTest {

    @Test
    @DisplayName("CR, LF, tabs, NUL and bidi overrides in the User-Agent become single spaces")
    void controlCharactersBecomeSpaces() {
        assertThat(NewDeviceAlert.browser("Mozilla\r\nBcc: x@example.com\t\u0000\u202eFirefox"))
                .isEqualTo("Mozilla Bcc: Firefox")
                .doesNotContain("\r")
                .doesNotContain("\n");
    }

    @Test
    @DisplayName("words a mail program would show as a link or address are left out; versions and platforms stay")
    void linksLeftOut() {
        assertThat(NewDeviceAlert.browser("Mozilla/5.0 (X11; Linux x86_64) Chrome/126.0.6478.126 visit"
                        + " https://evil.example/login www.evil.example evil.example/reset help@evil.example"))
                .isEqualTo("Mozilla/5.0 (X11; Linux x86_64) Chrome/126.0.6478.126 visit");
        assertThat(NewDeviceAlert.browser("Googlebot/2.1; +http://www.google.com/bot.html)"))
                .isEqualTo("Googlebot/2.1;");
    }

    @Test
    @DisplayName("at most three mails an hour per account: the fourth new client of the hour sends none")
    void mailsCapped() {
        MemorySlotStore store = new MemorySlotStore(() -> 0L);
        for (int i = 0; i < NewDeviceAlert.MAILS_PER_HOUR; i++) {
            assertThat(NewDeviceAlert.mailAllowed(store, "realm", "alice")).isTrue();
        }
        assertThat(NewDeviceAlert.mailAllowed(store, "realm", "alice")).isFalse();
        assertThat(NewDeviceAlert.mailAllowed(store, "realm", "bob"))
                .as("another account")
                .isTrue();
        assertThat(NewDeviceAlert.mailAllowed(store, "other", "alice"))
                .as("another realm")
                .isTrue();
    }

    @Test
    @DisplayName("angle brackets in the User-Agent become spaces: no markup even in the text part")
    void markupIsBroken() {
        assertThat(NewDeviceAlert.browser("Mozilla <script>alert(1)</script>"))
                .isEqualTo("Mozilla script alert(1) /script")
                .doesNotContain("<")
                .doesNotContain(">");
    }

    @Test
    @DisplayName("a long User-Agent is cut to the maximum with an ellipsis")
    void longAgentIsCut() {
        String cut = NewDeviceAlert.browser("A".repeat(10_000));
        assertThat(cut).hasSize(NewDeviceAlert.MAX_AGENT).endsWith("\u2026");
    }

    @Test
    @DisplayName("no User-Agent, or only control characters: 'unknown'")
    void missingAgent() {
        assertThat(NewDeviceAlert.browser(null)).isEqualTo("unknown");
        assertThat(NewDeviceAlert.browser("\r\n\u0007 ")).isEqualTo("unknown");
    }

    @Test
    @DisplayName("the attributes are time, browser, address and account link, nothing else")
    void onlyFourAttributes() {
        Map<String, Object> attributes = NewDeviceAlert.attributes(
                0, "<b>x</b>", "203.0.113.9", NewDeviceAlert.accountUrl("https://id.example/", "my realm"));
        assertThat(attributes)
                .containsOnlyKeys("wardenTime", "wardenBrowser", "wardenAddress", "wardenAccountUrl")
                .containsEntry("wardenTime", "1970-01-01 00:00 UTC")
                .containsEntry("wardenAddress", "203.0.113.9")
                .containsEntry(
                        "wardenAccountUrl",
                        "https://id.example/realms/my%20realm/account/account-security/device-activity");
    }

    @Test
    @DisplayName("a failed mail is logged by its causes' classes, never their messages (which may quote the address)")
    void failureNamesClassesOnly() {
        Exception e = new IllegalStateException(
                "Failed to send", new IllegalArgumentException("550 no such user victim@example.com"));
        assertThat(NewDeviceAlert.causes(e))
                .isEqualTo("IllegalStateException < IllegalArgumentException")
                .doesNotContain("@");
    }

    @Test
    @DisplayName("warden/info names a user profile under which users could delete or edit warden.seen")
    void markerProblem() {
        org.keycloak.representations.userprofile.config.UPConfig profile =
                new org.keycloak.representations.userprofile.config.UPConfig();
        assertThat(NewDeviceAlert.markerProblem(null))
                .as("Keycloak's default profile")
                .isEmpty();
        assertThat(NewDeviceAlert.markerProblem(profile))
                .as("unmanaged attributes off")
                .isEmpty();
        for (var policy : List.of(
                org.keycloak.representations.userprofile.config.UPConfig.UnmanagedAttributePolicy.ADMIN_VIEW,
                org.keycloak.representations.userprofile.config.UPConfig.UnmanagedAttributePolicy.ADMIN_EDIT)) {
            profile.setUnmanagedAttributePolicy(policy);
            assertThat(NewDeviceAlert.markerProblem(profile)).as(policy.name()).isEmpty();
        }
        profile.setUnmanagedAttributePolicy(
                org.keycloak.representations.userprofile.config.UPConfig.UnmanagedAttributePolicy.ENABLED);
        assertThat(NewDeviceAlert.markerProblem(profile))
                .as("ENABLED, undeclared")
                .hasValueSatisfying(p -> assertThat(p).startsWith("warden.new-device-alert: unmanaged attributes"));
        var seen = new org.keycloak.representations.userprofile.config.UPAttribute(NewDeviceAlert.SEEN);
        seen.setPermissions(new org.keycloak.representations.userprofile.config.UPAttributePermissions(
                java.util.Set.of("admin"), java.util.Set.of("admin")));
        profile.addOrReplaceAttribute(seen);
        assertThat(NewDeviceAlert.markerProblem(profile))
                .as("declared admin-only")
                .isEmpty();
        seen.setPermissions(new org.keycloak.representations.userprofile.config.UPAttributePermissions(
                java.util.Set.of("admin", "user"), java.util.Set.of("admin", "user")));
        assertThat(NewDeviceAlert.markerProblem(profile))
                .as("declared, users edit it")
                .hasValueSatisfying(p -> assertThat(p).contains("lets users edit warden.seen"));
        seen.setPermissions(new org.keycloak.representations.userprofile.config.UPAttributePermissions(
                java.util.Set.of("admin"), java.util.Set.of("admin", "user")));
        assertThat(NewDeviceAlert.markerProblem(profile))
                .as("declared, users edit it but may not see it")
                .hasValueSatisfying(p -> assertThat(p).contains("lets users edit warden.seen"));
        seen.setPermissions(new org.keycloak.representations.userprofile.config.UPAttributePermissions(
                java.util.Set.of("admin", "user"), java.util.Set.of("admin")));
        assertThat(NewDeviceAlert.markerProblem(profile))
                .as("declared, users only see it")
                .isEmpty();
    }
}
