package dev.kcwarden.theme;

import static org.assertj.core.api.Assertions.assertThat;

import dev.kcwarden.testing.DemoRealm;
import dev.kcwarden.testing.FormPage;
import dev.kcwarden.testing.Http;
import dev.kcwarden.testing.LoopbackClient;
import dev.kcwarden.testing.Pkce;
import dev.kcwarden.testing.ThemeMessages;
import dev.kcwarden.testing.TokenEndpoint;
import dev.kcwarden.testing.Users;
import dev.kcwarden.testing.WardenServerConfig;
import java.net.URI;
import java.text.MessageFormat;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.keycloak.representations.idm.UserRepresentation;
import org.keycloak.testframework.annotations.InjectRealm;
import org.keycloak.testframework.annotations.KeycloakIntegrationTest;
import org.keycloak.testframework.realm.ManagedRealm;

/**
 * The password rules a person reads before typing a new password, as the server renders them (no JavaScript): taken
 * from the realm's password policy, on the registration page and on the update-password page.
 */
@KeycloakIntegrationTest(config = WardenServerConfig.class)
@DisplayName("The warden theme lists the realm's password rules before a new password is typed")
class PasswordRulesIT {

    private static final Pattern RULES = Pattern.compile(
            "(?s)<div id=\"warden-password-rules\" class=\"warden-password-rules\" data-for=\"([^\"]+)\">(.*?)</div>");
    private static final String PASSWORD = "Rules-test-passphrase-12";

    @InjectRealm(fromJson = DemoRealm.JSON, config = DemoRealm.Offline.class)
    ManagedRealm realm;

    private TokenEndpoint endpoints;

    @BeforeEach
    void endpoints() {
        endpoints = new TokenEndpoint(realm.getBaseUrl());
    }

    private String loginPageUrl(String locale) {
        return endpoints.authorizationUrl(DemoRealm.SPA, "http://127.0.0.1/callback", Pkce.newVerifier(), "s")
                + "&ui_locales=" + locale;
    }

    private static String rule(String locale, String key, Object... arguments) {
        return new MessageFormat(ThemeMessages.get(locale, key), Locale.forLanguageTag(locale)).format(arguments);
    }

    /** The rules block's field and its list items, as text. */
    private static Map.Entry<String, List<String>> rules(Http.Reply page) {
        Matcher block = RULES.matcher(page.body());
        assertThat(block.find())
                .as("password rules on the page:\n%s", page.body())
                .isTrue();
        List<String> items = Pattern.compile("(?s)<li>(.*?)</li>")
                .matcher(block.group(2))
                .results()
                .map(m -> FormPage.text(m.group(1)).strip())
                .toList();
        return Map.entry(block.group(1), items);
    }

    @Test
    @DisplayName("registration page, in English and French: length 12 to 128, not the username or email, screened "
            + "for breaches")
    void registrationPage() {
        for (String locale : List.of("en", "fr")) {
            LoopbackClient visitor = new LoopbackClient("127.0.4.1");
            Http.Reply login = visitor.get(loginPageUrl(locale), Map.of());
            String link = URI.create(realm.getBaseUrl())
                    .resolve(FormPage.link(login.body(), "registration"))
                    .toString();
            Http.Reply page = visitor.get(link, Map.of());
            assertThat(page.status()).isEqualTo(200);

            Map.Entry<String, List<String>> rules = rules(page);
            assertThat(rules.getKey()).as("the field the rules describe").isEqualTo("password");
            assertThat(rules.getValue())
                    .as("rules in %s", locale)
                    .containsExactly(
                            rule(locale, "wardenPasswordRuleLength", 12),
                            rule(locale, "wardenPasswordRuleMaxLength", 128),
                            rule(locale, "wardenPasswordRuleNotUsername"),
                            rule(locale, "wardenPasswordRuleNotEmail"),
                            rule(locale, "wardenPasswordRuleScreened"));
            assertThat(FormPage.text(page.body())).contains(ThemeMessages.get(locale, "wardenPasswordRulesTitle"));
        }
    }

    @Test
    @DisplayName("update-password page, with the shipped policy: length 12 to 128, not the username or email, "
            + "screened for breaches, for the new-password field")
    void updatePasswordPage() {
        assertThat(realm.admin().toRepresentation().getPasswordPolicy())
                .as("the shipped policy as every test imports it (offline)")
                .isEqualTo(DemoRealm.offlinePolicy(DemoRealm.shippedPasswordPolicy()));
        Http.Reply page = updatePasswordPage("rules-dora", "127.0.4.2");
        Map.Entry<String, List<String>> rules = rules(page);
        assertThat(rules.getKey()).isEqualTo("password-new");
        assertThat(rules.getValue())
                .containsExactly(
                        rule("en", "wardenPasswordRuleLength", 12),
                        rule("en", "wardenPasswordRuleMaxLength", 128),
                        rule("en", "wardenPasswordRuleNotUsername"),
                        rule("en", "wardenPasswordRuleNotEmail"),
                        rule("en", "wardenPasswordRuleScreened"));
    }

    @Test
    @DisplayName("update-password page: the rules follow a changed policy (digits, capitals, history; no breach "
            + "check, so no breach rule)")
    void updatePasswordPageFollowsThePolicy() {
        var rep = realm.admin().toRepresentation();
        String shipped = rep.getPasswordPolicy();
        rep.setPasswordPolicy("length(14) and digits(2) and upperCase(1) and passwordHistory(3)");
        realm.admin().update(rep);
        try {
            Map.Entry<String, List<String>> rules = rules(updatePasswordPage("rules-emil", "127.0.4.3"));
            assertThat(rules.getKey()).isEqualTo("password-new");
            assertThat(rules.getValue())
                    .containsExactly(
                            rule("en", "wardenPasswordRuleLength", 14),
                            rule("en", "wardenPasswordRuleUpperCase", 1),
                            rule("en", "wardenPasswordRuleDigits", 2),
                            rule("en", "wardenPasswordRuleHistory", 3));
        } finally {
            rep.setPasswordPolicy(shipped);
            realm.admin().update(rep);
        }
    }

    /** A new user who must update the password signs in from {@code address}; the page Keycloak then shows. */
    private Http.Reply updatePasswordPage(String username, String address) {
        UserRepresentation user = Users.withPassword(username, PASSWORD);
        user.setRequiredActions(List.of("UPDATE_PASSWORD"));
        Users.create(realm, user);
        LoopbackClient browser = new LoopbackClient(address);
        Http.Reply login = browser.get(loginPageUrl("en"), Map.of());
        Http.Reply signedIn = browser.postForm(
                FormPage.formAction(login.body(), "kc-form-login"),
                Map.of("username", username, "password", PASSWORD, "credentialId", ""));
        // Keycloak sends the browser on to the required action's own URL.
        assertThat(signedIn.status()).as(signedIn.body()).isEqualTo(302);
        Http.Reply page = browser.get(
                URI.create(realm.getBaseUrl())
                        .resolve(signedIn.header("Location"))
                        .toString(),
                Map.of());
        assertThat(page.status()).as(page.body()).isEqualTo(200);
        assertThat(page.body()).contains("id=\"kc-passwd-update-form\"");
        return page;
    }
}
