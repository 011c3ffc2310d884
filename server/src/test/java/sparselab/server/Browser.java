package sparselab.server;

import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.TakesScreenshot;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.support.ui.WebDriverWait;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;

import static org.junit.jupiter.api.Assertions.fail;

/** Debian's headless Chromium driven through its chromedriver; absent, the test fails naming what to install. */
final class Browser {
    static final Path CHROMEDRIVER = Path.of("/usr/bin/chromedriver");
    static final Path CHROMIUM = Path.of("/usr/bin/chromium");
    /** Where the browser tests leave a picture of every page they check. */
    static final Path SCREENSHOTS = Path.of("target", "screenshots");

    private Browser() {}

    static WebDriver start(Path profile) throws IOException {
        if (!Files.isExecutable(CHROMEDRIVER) || !Files.isExecutable(CHROMIUM)) {
            fail("the browser tests need " + CHROMIUM + " and " + CHROMEDRIVER + "; install them with: apt-get install -y chromium chromium-driver");
        }
        ChromeDriverService service = new ChromeDriverService.Builder().usingDriverExecutable(CHROMEDRIVER.toFile()).usingAnyFreePort().build();
        ChromeOptions options = new ChromeOptions();
        options.setBinary(CHROMIUM.toFile());
        options.addArguments("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--disable-background-networking",
                "--disable-component-update", "--disable-sync", "--no-first-run", "--window-size=1400,1100",
                "--user-data-dir=" + Files.createDirectories(profile));
        // the console, to catch content-security-policy violations (screenshot)
        org.openqa.selenium.logging.LoggingPreferences logs = new org.openqa.selenium.logging.LoggingPreferences();
        logs.enable(org.openqa.selenium.logging.LogType.BROWSER, java.util.logging.Level.ALL);
        options.setCapability("goog:loggingPrefs", logs);
        return new ChromeDriver(service, options);
    }

    /** The console messages since the last call that report a content-security-policy violation. */
    static java.util.List<String> cspViolations(WebDriver driver) {
        return driver.manage().logs().get(org.openqa.selenium.logging.LogType.BROWSER).getAll().stream()
                .map(org.openqa.selenium.logging.LogEntry::getMessage).filter(m -> m.contains("Content Security Policy")).toList();
    }

    /** Fails when the console reports a content-security-policy violation since the last look ({@code where}: the page). */
    static void keptToThePolicy(WebDriver driver, String where) {
        java.util.List<String> violations = cspViolations(driver);
        if (!violations.isEmpty()) fail(where + ": the page broke the content security policy: " + violations);
    }

    /**
     * Saves what the browser shows as target/screenshots/NAME, and fails when the page broke the dashboard's content
     * security policy since the last look (a blocked inline style or script shows only in the console).
     */
    static void screenshot(WebDriver driver, String name) throws IOException {
        keptToThePolicy(driver, name);
        Files.createDirectories(SCREENSHOTS);
        Files.copy(((TakesScreenshot) driver).getScreenshotAs(OutputType.FILE).toPath(), SCREENSHOTS.resolve(name),
                StandardCopyOption.REPLACE_EXISTING);
    }

    /** Runs a script in the page and returns its value. */
    static Object js(WebDriver driver, String script, Object... args) {
        return ((JavascriptExecutor) driver).executeScript(script, args);
    }

    /** A wait of at most {@code seconds} on the page. */
    static WebDriverWait waitFor(WebDriver driver, int seconds) {
        return new WebDriverWait(driver, Duration.ofSeconds(seconds));
    }
}
