package sparselab.server;

import org.openqa.selenium.By;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.NoSuchElementException;
import org.openqa.selenium.StaleElementReferenceException;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.WrapsDriver;
import org.openqa.selenium.WrapsElement;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.TakesScreenshot;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.support.ui.WebDriverWait;

import java.io.IOException;
import java.lang.reflect.InvocationHandler;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.Proxy;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;
import java.util.function.Supplier;
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
        return relocating(new ChromeDriver(service, options));
    }

    /**
     * The driver, with elements that find themselves again when the page redrew them. The dashboard's pages redraw
     * live (the runs table at every event of its stream), so an element found a moment ago may be gone when a test
     * reads it: each element remembers how it was found and, on a stale reference, is found again the same way and
     * asked again (a few times at most). An element from {@code findElements} is found again by its place in the
     * list. Scripts get the element itself ({@link WrapsElement}).
     */
    static WebDriver relocating(WebDriver real) {
        return (WebDriver) Proxy.newProxyInstance(Browser.class.getClassLoader(),
                new Class<?>[] {WebDriver.class, JavascriptExecutor.class, TakesScreenshot.class, WrapsDriver.class},
                (proxy, method, args) -> switch (method.getName()) {
                    case "getWrappedDriver" -> real;
                    case "findElement" -> element(() -> real.findElement((By) args[0]));
                    case "findElements" -> elements(real::findElements, (By) args[0]);
                    default -> call(real, method, args);
                });
    }

    private static final int TRIES = 5;

    private static WebElement element(Supplier<WebElement> find) {
        return element(find, find.get());       // found now: a missing element fails here, as Selenium's own does
    }

    private static WebElement element(Supplier<WebElement> find, WebElement first) {
        return (WebElement) Proxy.newProxyInstance(Browser.class.getClassLoader(), new Class<?>[] {WebElement.class, WrapsElement.class},
                new Relocating(find, first));
    }

    private static List<WebElement> elements(Function<By, List<WebElement>> findAll, By by) {
        List<WebElement> found = findAll.apply(by);
        List<WebElement> relocating = new ArrayList<>();
        for (int i = 0; i < found.size(); i++) {
            int at = i;
            relocating.add(element(() -> {
                List<WebElement> again = findAll.apply(by);
                if (at >= again.size()) throw new NoSuchElementException("element " + at + " of " + by + " is gone (" + again.size() + " now)");
                return again.get(at);
            }, found.get(i)));
        }
        return relocating;
    }

    /** One element: asked as found, and found again (by {@code find}) when the page replaced it. */
    private static final class Relocating implements InvocationHandler {
        private final Supplier<WebElement> find;
        private WebElement current;

        Relocating(Supplier<WebElement> find, WebElement first) {
            this.find = find;
            this.current = first;
        }

        private interface Ask<T> { T of(WebElement e); }

        private <T> T retrying(Ask<T> ask) {
            for (int tried = 1; ; tried++) {
                try {
                    return ask.of(current);
                } catch (StaleElementReferenceException e) {
                    if (tried == TRIES) throw e;
                    current = find.get();
                }
            }
        }

        @Override
        public Object invoke(Object proxy, Method method, Object[] args) {
            return switch (method.getName()) {
                case "getWrappedElement" -> current;
                case "findElement" -> element(() -> retrying(e -> e.findElement((By) args[0])));
                case "findElements" -> elements(by -> retrying(e -> e.findElements(by)), (By) args[0]);
                default -> retrying(e -> call(e, method, args));
            };
        }
    }

    /** The method on the real object, its own exception thrown as it is (a driver's are all unchecked). */
    private static Object call(Object target, Method method, Object[] args) {
        try {
            return method.invoke(target, args);
        } catch (InvocationTargetException e) {
            if (e.getCause() instanceof RuntimeException r) throw r;
            if (e.getCause() instanceof Error r) throw r;
            throw new IllegalStateException(e.getCause());
        } catch (IllegalAccessException e) {
            throw new IllegalStateException(e);
        }
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
        WebDriverWait wait = new WebDriverWait(driver, Duration.ofSeconds(seconds));
        wait.ignoring(StaleElementReferenceException.class);     // a row redrawn between a find and a read: look again
        return wait;
    }
}
