package dev.kcwarden.testing;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.keycloak.testframework.annotations.InjectRealm;
import org.keycloak.testframework.realm.ManagedRealm;
import org.keycloak.testframework.ui.annotations.InjectPage;
import org.keycloak.testframework.ui.annotations.InjectWebDriver;
import org.keycloak.testframework.ui.page.LoginPage;
import org.keycloak.testframework.ui.webdriver.ManagedWebDriver;

/**
 * Base of the ITs that drive the demo realm through a browser. The test framework injects fields declared here too; the
 * subclass carries {@code @KeycloakIntegrationTest(config = WardenServerConfig.class)}.
 */
public abstract class DemoRealmBrowserTest {

    @InjectRealm(fromJson = DemoRealm.JSON, config = DemoRealm.Offline.class)
    protected ManagedRealm realm;

    @InjectWebDriver
    protected ManagedWebDriver driver;

    @InjectPage
    protected LoginPage loginPage;

    protected BrowserLogin browser;
    protected TokenEndpoint endpoints;

    @BeforeEach
    void openBrowserLogin() {
        browser = new BrowserLogin();
        endpoints = new TokenEndpoint(realm.getBaseUrl());
    }

    @AfterEach
    void closeBrowserLogin() {
        browser.close();
    }
}
