package sparselab.server;

import io.javalin.Javalin;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.openqa.selenium.By;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.support.ui.WebDriverWait;
import sparselab.launch.LaunchPool;
import sparselab.store.EventLog;

import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.*;

/** The runs page reads the list a page at a time and loads older runs as its end scrolls into view. */
class RunsPagingBrowserTest {
    @TempDir Path dir;

    @Test
    void older_runs_load_when_the_end_of_the_table_scrolls_into_view() throws Exception {
        try (EventLog log = TestLogs.open(dir, "paging.db")) {
            List<String> ids = new ArrayList<>();
            for (int i = 0; i < 130; i++) ids.add(Fixtures.queued(log, Map.of("data", "bars")));
            Javalin app = new App(log, Clock.systemUTC(), new LaunchPool(log, new FakeTrainers(), 0), Fixtures.directCreator(log),
                    Safety.hostsFor("127.0.0.1")).build().start("127.0.0.1", 0);
            WebDriver driver = Browser.start(dir.resolve("chrome-profile"));
            try {
                driver.get("http://127.0.0.1:" + app.port() + "/index.html");
                WebDriverWait wait = new WebDriverWait(driver, Duration.ofSeconds(15));
                wait.until(d -> d.findElements(By.cssSelector("#runs tbody tr")).size() >= 100);
                List<String> shown = driver.findElements(By.cssSelector("#runs tbody tr")).stream().map(r -> r.getAttribute("data-run")).toList();
                assertEquals(ids.get(129), shown.get(0), "newest first");
                ((JavascriptExecutor) driver).executeScript("document.getElementById('more-box').scrollIntoView();");
                wait.until(d -> d.findElements(By.cssSelector("#runs tbody tr")).size() == 130);
                List<String> all = driver.findElements(By.cssSelector("#runs tbody tr")).stream().map(r -> r.getAttribute("data-run")).toList();
                assertEquals(ids.get(0), all.get(129), "the oldest run last, each run once");
                assertEquals(130, new java.util.HashSet<>(all).size());
                assertFalse(driver.findElement(By.id("more")).isDisplayed(), "nothing older left");
                Browser.screenshot(driver, "runs-paging" + (TestLogs.postgresql() ? "-postgresql" : "") + ".png");
            } finally {
                driver.quit();
                app.stop();
            }
        }
    }
}
