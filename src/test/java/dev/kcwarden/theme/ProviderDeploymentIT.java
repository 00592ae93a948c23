package dev.kcwarden.theme;

import static org.assertj.core.api.Assertions.assertThat;

import dev.kcwarden.testing.DemoRealm;
import dev.kcwarden.testing.DemoRealmBrowserTest;
import dev.kcwarden.testing.Http;
import dev.kcwarden.testing.Pkce;
import dev.kcwarden.testing.ThemeMessages;
import dev.kcwarden.testing.WardenServerConfig;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.keycloak.admin.client.Keycloak;
import org.keycloak.representations.info.ProviderRepresentation;
import org.keycloak.representations.info.ServerInfoRepresentation;
import org.keycloak.representations.info.ThemeInfoRepresentation;
import org.keycloak.testframework.annotations.InjectAdminClient;
import org.keycloak.testframework.annotations.InjectKeycloakUrls;
import org.keycloak.testframework.annotations.KeycloakIntegrationTest;
import org.keycloak.testframework.server.KeycloakUrls;
import org.openqa.selenium.By;

@KeycloakIntegrationTest(config = WardenServerConfig.class)
/**
 * What one provider archive in providers/ gives Keycloak, as the test framework deploys this build (its packing of
 * target/classes). The built jar itself, installed by hand, is covered by NewestPatchKeycloakIT and the other smoke
 * checks in dev.kcwarden.compat.
 */
@DisplayName("This build as one provider archive in providers/ gives Keycloak warden's providers and login theme")
class ProviderDeploymentIT extends DemoRealmBrowserTest {

    private static final Pattern WARDEN_CSS = Pattern.compile("href=\"([^\"]*/login/warden/css/warden\\.css)\"");

    @InjectAdminClient
    Keycloak admin;

    @InjectKeycloakUrls
    KeycloakUrls urls;

    @Test
    @DisplayName("the server's provider info lists warden with the version of this build")
    void providerInfoReportsVersion() {
        ServerInfoRepresentation info = admin.serverInfo().getInfo();

        ProviderRepresentation warden = info.getProviders()
                .get("admin-realm-restapi-extension")
                .getProviders()
                .get("warden");

        assertThat(warden)
                .as("warden provider in admin-realm-restapi-extension")
                .isNotNull();
        assertThat(warden.getOperationalInfo())
                .containsEntry("version", System.getProperty("warden.version"))
                .containsEntry("builtForKeycloak", System.getProperty("keycloak.version"));
    }

    @Test
    @DisplayName("the server lists 'warden' among its login themes")
    void loginThemeIsListed() {
        List<ThemeInfoRepresentation> loginThemes =
                admin.serverInfo().getInfo().getThemes().get("login");

        assertThat(loginThemes).extracting(ThemeInfoRepresentation::getName).contains("warden");
    }

    @Test
    @DisplayName("the demo realm's login page is rendered by the warden theme, stylesheet and footer included")
    void loginPageUsesWardenTheme() {
        driver.open(authorizationUrl());
        loginPage.assertCurrent();

        assertThat(driver.findElement(By.id("warden-footer")).getText())
                .isEqualTo(ThemeMessages.get("en", "wardenFooterHint"));

        Matcher css = WARDEN_CSS.matcher(driver.page().getPageSource());
        assertThat(css.find()).as("login page links the warden stylesheet").isTrue();
        Http.Reply stylesheet = Http.get(urls.getBase() + css.group(1), Map.of());
        assertThat(stylesheet.status()).isEqualTo(200);
        assertThat(stylesheet.header("content-type")).startsWith("text/css");
        assertThat(stylesheet.body()).contains(".warden-footer");
    }

    @Test
    @DisplayName("the warden theme's messages are localized: German footer with ui_locales=de")
    void footerIsLocalized() {
        driver.open(authorizationUrl() + "&ui_locales=de");
        loginPage.assertCurrent();

        assertThat(driver.findElement(By.id("warden-footer")).getText())
                .isEqualTo(ThemeMessages.get("de", "wardenFooterHint"));
    }

    private String authorizationUrl() {
        return browser.authorizationUrl(endpoints, DemoRealm.SPA, Pkce.newVerifier(), Pkce.randomToken(8));
    }
}
