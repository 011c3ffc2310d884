package sparselab.server;

import io.javalin.Javalin;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.openqa.selenium.WebDriver;
import sparselab.store.EventLog;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * In headless Chromium, the compare page and the run page of a run longer than a curve may be (2,000 epochs) say over
 * their curves that every k-th epoch is drawn and the downloads hold every one, and draw no more points than that;
 * the pages of short runs say nothing of it.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ThinnedCurvesBrowserTest {
    @RegisterExtension static final Chrome chrome = new Chrome();
    Path dir;
    EventLog log;
    Javalin app;
    WebDriver driver;
    String base;
    String longer;
    String shorter;
    String tiny;
    String tiny2;

    @BeforeAll
    void start() throws IOException {
        dir = Files.createTempDirectory("sparselab-thinned");
        log = TestLogs.open(dir, "thinned.db");
        longer = ThinnedCurvesFaultTest.longRun(log, 4_001, 1, 1_001);
        shorter = ThinnedCurvesFaultTest.longRun(log, 3_000, 2, 0);
        tiny = ThinnedCurvesFaultTest.longRun(log, 5, 3, 0);
        tiny2 = ThinnedCurvesFaultTest.longRun(log, 7, 4, 0);
        app = Fixtures.pagesServer(log);
        base = "http://127.0.0.1:" + app.port();
        driver = chrome.driver();
    }

    @AfterAll
    void stop() {
        Fixtures.stopPages(app, log, dir);
    }

    /** The points of the loss chart's line of each run (Chart.js's own data), after the page drew it. */
    private long lossPoints(int dataset) {
        return ((Number) chrome.js("return Chart.getChart(document.getElementById(arguments[0])).data.datasets[arguments[1]].data.length;",
                "chart-loss", dataset)).longValue();
    }

    @Test
    void the_compare_page_says_its_curves_are_thinned_and_draws_every_kth_epoch() {
        driver.get(base + "/compare.html?runs=" + longer + "," + shorter);
        chrome.waitFor(20).until(d -> (Boolean) chrome.js("return !!document.getElementById('chart-loss') && !document.getElementById('thinned').hidden;"));
        String note = (String) chrome.js("return document.getElementById('thinned').textContent;");
        // two configurations (their epochs differ): each thinned by its own stride
        assertEquals("every 3rd of 4,001 epochs drawn for " + longer + ", every 2nd of 3,000 for " + shorter + " (and each thinned run's "
                + "first, last and flagged ones, at most 2,000 points a curve); the downloads hold every epoch", note);
        assertTrue(lossPoints(0) <= 2_000 && lossPoints(1) <= 2_000, lossPoints(0) + " and " + lossPoints(1) + " points");
        assertEquals(4_001 / 3 + 3, lossPoints(0), "every 3rd epoch, the first, the last and the flagged one");
        assertEquals(3_000 / 2 + 1, lossPoints(1), "every 2nd epoch and the first (the last is a multiple of 2)");
        // above the curves, under the section's heading
        assertTrue((Boolean) chrome.js("const n = document.getElementById('thinned'), c = document.getElementById('charts');"
                + " return !!(n.compareDocumentPosition(c) & Node.DOCUMENT_POSITION_FOLLOWING);"));
    }

    @Test
    void a_short_run_compared_with_a_long_one_is_drawn_whole_and_the_page_says_which_run_is_thinned() {
        driver.get(base + "/compare.html?runs=" + longer + "," + tiny);
        chrome.waitFor(20).until(d -> (Boolean) chrome.js("return !!document.getElementById('chart-loss') && !document.getElementById('thinned').hidden;"));
        assertEquals("every 3rd of 4,001 epochs drawn for " + longer + ", every epoch for " + tiny + " (and each thinned run's first, last and "
                + "flagged ones, at most 2,000 points a curve); the downloads hold every epoch",
                chrome.js("return document.getElementById('thinned').textContent;"));
        assertEquals(4_001 / 3 + 3, lossPoints(0));
        assertEquals(5, lossPoints(1), "every epoch of the short run, not its first and last alone");
    }

    @Test
    void the_run_page_of_a_long_run_says_so_too_and_a_short_runs_pages_say_nothing() {
        driver.get(base + "/run.html?id=" + longer);
        chrome.waitFor(20).until(d -> (Boolean) chrome.js("return !document.getElementById('thinned').hidden;"));
        assertEquals("every 3rd of 4,001 epochs drawn (and its first, last and flagged ones, at most 2,000 points a curve); "
                + "the downloads hold every epoch", chrome.js("return document.getElementById('thinned').textContent;"));
        driver.get(base + "/run.html?id=" + tiny);
        chrome.waitFor(20).until(d -> (Boolean) chrome.js("return !document.getElementById('curves-box').hidden;"));
        assertEquals(Boolean.TRUE, chrome.js("return document.getElementById('thinned').hidden;"));
        driver.get(base + "/compare.html?runs=" + tiny + "," + tiny2);
        chrome.waitFor(20).until(d -> (Boolean) chrome.js("return !!document.getElementById('chart-loss');"));
        assertEquals(Boolean.TRUE, chrome.js("return document.getElementById('thinned').hidden;"), "runs of up to 2,000 epochs: every epoch drawn, nothing said");
    }
}
