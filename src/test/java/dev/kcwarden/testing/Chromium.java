package dev.kcwarden.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.openqa.selenium.Dimension;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.StaleElementReferenceException;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.support.ui.WebDriverWait;

/**
 * A real, headless Debian Chromium driven through Selenium's ChromeDriver, for the tests that must see what a person's
 * browser does (JavaScript, CORS, cookies, screen readers' live regions), which HtmlUnit does not show faithfully. Each
 * instance has a fresh profile in a temporary directory, deleted on {@link #close()}.
 *
 * <p>Chromium's own background traffic (component updates, sync, safe browsing lists) is switched off: the build
 * machines have no internet, and a test must not reach it anyway. The binaries come from Debian's {@code chromium} and
 * {@code chromium-driver} packages ({@code .ci/run} installs them); the environment variables {@code WARDEN_CHROMIUM}
 * and {@code WARDEN_CHROMEDRIVER} point elsewhere. Selenium Manager is never asked (it would download a browser).
 */
public final class Chromium implements AutoCloseable {

    public static final Path BINARY = Path.of(System.getenv().getOrDefault("WARDEN_CHROMIUM", "/usr/bin/chromium"));
    public static final Path DRIVER =
            Path.of(System.getenv().getOrDefault("WARDEN_CHROMEDRIVER", "/usr/bin/chromedriver"));

    /** Wide enough for keycloak.v2's two-column layout; tall enough that a registration form fits in one shot. */
    private static final Dimension WINDOW = new Dimension(1280, 1000);

    private final Path profile;
    private final ChromeDriverService service;
    private final ChromeDriver driver;
    private final Path screenshots;
    private int shots;

    private Chromium(Path screenshots, String language) {
        for (Path binary : new Path[] {BINARY, DRIVER}) {
            if (!Files.isExecutable(binary)) {
                throw new IllegalStateException(binary + " not found: install Debian's browser and its driver with "
                        + "'apt-get install -y chromium chromium-driver' (or set WARDEN_CHROMIUM / "
                        + "WARDEN_CHROMEDRIVER)");
            }
        }
        try {
            this.profile = Files.createTempDirectory("warden-chromium-");
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create a Chromium profile directory", e);
        }
        this.screenshots = screenshots;
        ChromeOptions options = new ChromeOptions();
        options.setBinary(BINARY.toFile());
        options.addArguments(
                "--headless=new",
                "--no-sandbox",
                "--disable-gpu",
                "--disable-dev-shm-usage",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
                "--disable-default-apps",
                "--disable-extensions",
                "--no-first-run",
                "--no-default-browser-check",
                "--disable-features=Translate,OptimizationHints,MediaRouter",
                "--safebrowsing-disable-auto-update",
                "--metrics-recording-only",
                "--password-store=basic",
                "--lang=" + language,
                "--user-data-dir=" + profile);
        options.setExperimentalOption(
                "prefs",
                Map.of(
                        "intl.accept_languages",
                        language,
                        "credentials_enable_service",
                        false,
                        "profile.password_manager_enabled",
                        false));
        this.service = new ChromeDriverService.Builder()
                .usingDriverExecutable(DRIVER.toFile())
                .usingAnyFreePort()
                .withSilent(true)
                .build();
        ChromeDriver started;
        try {
            started = new ChromeDriver(service, options);
        } catch (RuntimeException e) {
            service.stop();
            deleteProfile();
            throw e;
        }
        this.driver = started;
        driver.manage().window().setSize(WINDOW);
        driver.manage().timeouts().pageLoadTimeout(Duration.ofSeconds(30));
    }

    /** A fresh browser in English whose screenshots go to {@code screenshots} (created if missing). */
    public static Chromium start(Path screenshots) {
        return new Chromium(screenshots, "en-US");
    }

    /** The same with another preferred language (Accept-Language), e.g. {@code "de"}. */
    public static Chromium start(Path screenshots, String language) {
        return new Chromium(screenshots, language);
    }

    public ChromeDriver driver() {
        return driver;
    }

    /**
     * A wait on this browser that polls every 100 ms. An element that goes stale while it is read (the page navigated
     * between finding and reading it) counts as "not yet", like one not found yet.
     */
    public WebDriverWait await(Duration timeout) {
        WebDriverWait wait = new WebDriverWait(driver, timeout);
        wait.pollingEvery(Duration.ofMillis(100));
        wait.ignoring(StaleElementReferenceException.class);
        return wait;
    }

    /**
     * Saves the visible page as {@code NN-name.png} (numbered in the order taken, so the files read as the journey) and
     * returns the file.
     */
    public Path screenshot(String name) {
        try {
            Files.createDirectories(screenshots);
            Path file = screenshots.resolve(String.format("%02d-%s.png", ++shots, name));
            Files.write(file, fullPage());
            return file;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot save a screenshot under " + screenshots, e);
        }
    }

    /**
     * The whole page, not only the window: the window grows to the page's height for the shot and shrinks back (a
     * registration form with its errors is taller than the window, and a cut screenshot would hide its end; a capture
     * beyond the window would leave the theme's background, sized to the window, short of the page).
     */
    private byte[] fullPage() {
        Number height =
                (Number) driver.executeScript("return Math.max(document.documentElement.scrollHeight, document.body ? "
                        + "document.body.scrollHeight : 0);");
        Number inner = (Number) driver.executeScript("return window.innerHeight;");
        if (height == null || inner == null || height.intValue() <= inner.intValue()) {
            return driver.getScreenshotAs(OutputType.BYTES);
        }
        Dimension before = driver.manage().window().getSize();
        int chrome = before.getHeight() - inner.intValue();
        driver.manage().window().setSize(new Dimension(before.getWidth(), height.intValue() + chrome));
        try {
            return driver.getScreenshotAs(OutputType.BYTES);
        } finally {
            driver.manage().window().setSize(before);
        }
    }

    @Override
    public void close() {
        try {
            driver.quit();
        } finally {
            service.stop();
            deleteProfile();
        }
    }

    private void deleteProfile() {
        try {
            dev.kcwarden.quickstart.KeycloakDistribution.deleteTree(profile);
        } catch (IOException e) {
            // a file Chromium still held; the directory is under the system temp directory
        }
    }
}
