package sparselab.server;

import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.support.ui.WebDriverWait;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;

/**
 * One headless Chromium for a browser test class, registered as a static field with {@code @RegisterExtension}:
 * started before the class's own {@code @BeforeAll} (in a profile folder of its own), its console read after every
 * test, which fails when the page left open broke the content security policy, and quit after the class. The page
 * helpers are {@link Browser}'s, on this driver.
 */
final class Chrome implements BeforeAllCallback, AfterEachCallback, AfterAllCallback {
    private WebDriver driver;
    private Path profile;

    @Override
    public void beforeAll(ExtensionContext context) throws IOException {
        profile = Files.createTempDirectory("sparselab-chrome");
        driver = Browser.start(profile.resolve("profile"));
    }

    @Override
    public void afterEach(ExtensionContext context) {
        if (driver != null) Browser.keptToThePolicy(driver, "after the test");
    }

    @Override
    public void afterAll(ExtensionContext context) throws IOException {
        try {
            if (driver != null) driver.quit();
        } finally {
            driver = null;
            if (profile != null) {
                try (var files = Files.walk(profile)) {
                    files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
                }
            }
        }
    }

    /** The driver (started for the class). */
    WebDriver driver() { return driver; }

    /** Runs a script in the page and returns its value. */
    Object js(String script, Object... args) { return Browser.js(driver, script, args); }

    /** A wait of at most {@code seconds} on the page. */
    WebDriverWait waitFor(int seconds) { return Browser.waitFor(driver, seconds); }

    /** {@link Browser#screenshot}: the page as target/screenshots/NAME, after checking the console. */
    void screenshot(String name) throws IOException { Browser.screenshot(driver, name); }
}
