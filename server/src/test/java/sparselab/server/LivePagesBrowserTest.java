package sparselab.server;

import io.javalin.Javalin;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.TestInstance;
import org.openqa.selenium.By;
import org.openqa.selenium.Dimension;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.support.ui.Select;
import sparselab.store.EventLog;
import sparselab.log.RunEvent;
import sparselab.log.RunRow;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The runs, run, launch and group pages in headless Chromium on runs written as events (no trainer): a running run's
 * row updated by server-sent events without a reload, the run page refusing a crafted id, its readable timeline, twin
 * link and ignored keys, the launch form's typed inputs, and a sweep's group page at 1280 x 800. Writes a screenshot
 * of every page to target/screenshots.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class LivePagesBrowserTest {
    @RegisterExtension static final Chrome chrome = new Chrome();

    Path dir;
    EventLog log;
    Javalin app;
    WebDriver driver;
    String base;
    String sparse;
    String twin;
    String lbfgs;

    @BeforeAll
    void start() throws IOException {
        dir = Files.createTempDirectory("sparselab-live");
        log = TestLogs.open(dir, "live.db");
        sparse = Fixtures.trained(log, Map.of("data", "bars", "beta", "3", "rho", "0.1", "epochs", "4"), 4, 16, 8, null);
        twin = Fixtures.trained(log, Map.of("data", "bars", "beta", "0", "rho", "0.1", "epochs", "4"), 4, 16, 8, null);
        lbfgs = Fixtures.queued(log, Map.of("data", "bars", "optimizer", "lbfgs", "batchSize", "0", "epochs", "4"));
        // a sweep of three keys, 2 x 2 x 2 (written alike: every run has the same figures)
        for (String beta : List.of("0", "3")) {
            for (String rho : List.of("0.05", "0.1")) {
                for (String decay : List.of("0", "0.003")) {
                    Fixtures.trained(log, Map.of("data", "bars", "beta", beta, "rho", rho, "weightDecay", decay, "epochs", "4", "limit", "100"), 4, 196, 28, null,
                            "sweep", "sweep-test");
                }
            }
        }
        app = Fixtures.pagesServer(log);
        base = "http://127.0.0.1:" + app.port();
        driver = chrome.driver();
    }

    @AfterAll
    void stop() {
        Fixtures.stopPages(app, log, dir);
    }

    private static final double[] RATES = new double[16];

    @Test
    void a_running_runs_row_updates_from_the_stream_without_a_reload() throws IOException {
        String id = Fixtures.queued(log, Map.of("data", "bars", "epochs", "5"));
        driver.get(base + "/index.html");
        chrome.waitFor(30).until(d -> d.findElements(By.cssSelector("#runs tbody tr[data-run='" + id + "']")).size() == 1);
        chrome.waitFor(30).until(d -> "stream".equals(chrome.js("return document.documentElement.dataset.live;")));
        chrome.js("window.notReloaded = true;");
        log.append(id, new RunEvent.Started(4242, "test-host", 1, 0, "f00d", Map.of()));
        log.append(id, new RunEvent.EpochCompleted(1, 2.5, 2.0, 0.4, 0.1, 0.2, RATES, 0.1, 0.2, 0, 0, false, 2.1, 0.5, 100));
        log.append(id, new RunEvent.EpochCompleted(2, 1.5, 1.2, 0.2, 0.1, 0.2, RATES, 0.1, 0.2, 0, 0, false, 1.3, 0.5, 100));
        log.append(id, new RunEvent.Heartbeat(2, 0));   // alive: the tests' takeover timeout is a few seconds
        // status and text read in one script: the stream replaces the row, so an element found first may be stale by the next call
        chrome.waitFor(30).until(d -> (Boolean) chrome.js("const r = document.querySelector(arguments[0]);"
                + " return !!r && r.dataset.status === 'running' && r.textContent.includes('2/5');", "#runs tbody tr[data-run='" + id + "']"));
        assertEquals(Boolean.TRUE, chrome.js("return window.notReloaded === true;"), "the page was not reloaded");
        assertEquals("stream", chrome.js("return document.documentElement.dataset.live;"), "updated by the stream, not by polling");
        chrome.screenshot("runs-live.png");
        log.append(id, new RunEvent.Cancelled(2));
    }

    /**
     * A page the browser keeps in its back-forward cache (up to six) kept its stream open, and the browser allows six
     * connections a host: after six live pages in one tab the seventh waited about a minute for a socket (found
     * 2026-12-02: a page test that took 70 s, 55 of them in one page load). Nine live pages one after another in one
     * tab, each loaded within 20 s (the browser's limit here; it was 5 minutes) and each streaming.
     */
    @Test
    void a_page_left_closes_its_stream_so_the_seventh_live_page_in_a_tab_does_not_wait_for_a_socket() {
        java.time.Duration limit = driver.manage().timeouts().getPageLoadTimeout();
        driver.manage().timeouts().pageLoadTimeout(java.time.Duration.ofSeconds(20));
        try {
            for (int i = 0; i < 9; i++) {
                String page = i % 2 == 0 ? "/index.html" : "/run.html?id=" + lbfgs;    // the L-BFGS run is queued: its page follows it
                driver.get(base + page);
                int n = i + 1;
                chrome.waitFor(10).withMessage(() -> "page " + n + " (" + page + "): " + chrome.js("return document.documentElement.dataset.live;"))
                        .until(d -> "stream".equals(chrome.js("return document.documentElement.dataset.live;")));
            }
        } finally {
            driver.manage().timeouts().pageLoadTimeout(limit);
        }
    }

    /**
     * A page's load (run, group, compare and runs pages) runs one at a time: the stream, polling and the page's own
     * buttons all ask for one, and two at once could end in either order, a late answer drawn over a newer one. The
     * pages' helper, in the browser: three calls while a slow first one runs are one more run, after it.
     */
    @Test
    void a_pages_loads_run_one_at_a_time_so_a_late_answer_is_never_drawn_over_a_newer_one() {
        driver.get(base + "/index.html");
        Object order = ((org.openqa.selenium.JavascriptExecutor) driver).executeAsyncScript(
                "const done = arguments[arguments.length - 1];"
                + "import('/js/api.js').then(async m => {"
                + "  const seen = []; let n = 0;"
                + "  const load = m.oneAtATime(async () => { const k = ++n; seen.push('start ' + k);"
                + "    await new Promise(r => setTimeout(r, k === 1 ? 400 : 10)); seen.push('end ' + k); return k; });"
                + "  const answers = await Promise.all([load(), load(), load(), load()]);"
                + "  seen.push('answers ' + answers.join(' '));"
                + "  await load(); seen.push('idle');"
                + "  done(seen.join(', '));"
                + "}).catch(e => done('error ' + e));");
        assertEquals("start 1, end 1, start 2, end 2, answers 1 2 2 2, start 3, end 3, idle", order);
    }

    /**
     * A page shown again by the back button, from the back-forward cache (its script's state kept), opens the stream
     * it closed when it was hidden.
     */
    @Test
    void a_page_shown_again_by_the_back_button_opens_its_stream_again() {
        driver.get(base + "/run.html?id=" + lbfgs);                 // queued: its page follows it
        chrome.waitFor(10).until(d -> "stream".equals(chrome.js("return document.documentElement.dataset.live;")));
        chrome.js("window.kept = true;");
        driver.get(base + "/index.html");
        chrome.waitFor(10).until(d -> "stream".equals(chrome.js("return document.documentElement.dataset.live;")));
        driver.navigate().back();
        assertTrue(driver.getCurrentUrl().endsWith("/run.html?id=" + lbfgs), driver.getCurrentUrl());
        assertEquals(Boolean.TRUE, chrome.js("return window.kept === true;"), "shown again from the back-forward cache");
        chrome.waitFor(10).withMessage(() -> "the page shown again: " + chrome.js("return document.documentElement.dataset.live;"))
                .until(d -> "stream".equals(chrome.js("return document.documentElement.dataset.live;")));
    }

    @Test
    void the_compare_page_follows_a_run_that_trains_without_a_reload() throws Exception {
        String id = Fixtures.queued(log, Map.of("data", "bars", "beta", "0", "rho", "0.1", "epochs", "6"));
        log.append(id, new RunEvent.Started(4242, "test-host", 1, 0, "f00d", Map.of()));
        Fixtures.snapshot(log, id, 0, 16, 8);
        log.append(id, new RunEvent.EpochCompleted(1, 2.5, 2.0, 0.4, 0.1, 0.2, RATES, 0.1, 0.2, 0, 0, false, 2.1, 0.5, 100));
        java.util.concurrent.atomic.AtomicInteger epoch = new java.util.concurrent.atomic.AtomicInteger(1);
        try (AutoCloseable alive = Fixtures.beating(log, id, epoch)) {
            driver.get(base + "/compare.html?runs=" + sparse + "," + id);
            String points = "const c = Chart.getChart(document.getElementById('chart-recon'));"
                    + " return c ? c.data.datasets.filter(d => d.label.startsWith(arguments[0])).map(d => d.data.length).join(',') : '';";
            chrome.waitFor(30).until(d -> "1".equals(chrome.js(points, id)));
            // room for every request the page makes (250 by default), so that no read of a list drops out before it is counted
            chrome.js("performance.setResourceTimingBufferSize(100000);");
            String epochs = "return [...document.querySelectorAll('img.gallery-img')].map(i => i.dataset.epoch).join(',');";
            chrome.waitFor(30).until(d -> "0,0".equals(chrome.js(epochs)));      // the training run reached snapshot 0 only
            chrome.js("window.notReloaded = true;");
            log.append(id, new RunEvent.EpochCompleted(2, 1.5, 1.2, 0.2, 0.1, 0.2, RATES, 0.1, 0.2, 0, 0, false, 1.3, 0.5, 100));
            Fixtures.snapshot(log, id, 2, 16, 8);
            epoch.set(2);
            chrome.waitFor(30).until(d -> "2".equals(chrome.js(points, id)));
            chrome.waitFor(30).until(d -> "2,2".equals(chrome.js(epochs)));      // both at the new common epoch
            assertEquals(Boolean.TRUE, chrome.js("return window.notReloaded === true;"), "the page was not reloaded");
            // each run's list of snapshots read once, for its shape, not again when the galleries are drawn again
            assertTrue((Long) chrome.js("return performance.getEntriesByType('resource').length;") < 100000, "no entry dropped");
            String lists = "return performance.getEntriesByType('resource').map(e => new URL(e.name).pathname)"
                    + ".filter(p => p.endsWith('/snapshots')).sort().join(' ');";
            assertEquals(java.util.stream.Stream.of(sparse, id).map(r -> "/api/runs/" + r + "/snapshots").sorted()
                    .collect(java.util.stream.Collectors.joining(" ")), chrome.js(lists));
        }
        log.append(id, new RunEvent.Cancelled(2));
    }

    @Test
    void the_run_page_refuses_a_crafted_id_and_enables_no_button() {
        String queued = Fixtures.queued(log, Map.of("data", "bars"));
        int before = Fixtures.eventCount(log);
        for (String crafted : List.of(queued + "/cancel%3F", "../../api/launch%3F", queued + "%2Fcancel")) {
            driver.get(base + "/run.html?id=" + crafted);
            chrome.waitFor(10).until(d -> d.findElement(By.id("error")).getText().contains("is not a run id"));
            for (String b : List.of("cancel", "resume", "twin")) {
                WebElement button = driver.findElement(By.id(b));
                assertTrue(button.getAttribute("disabled") != null, b + " is disabled for " + crafted);
                chrome.js("arguments[0].disabled = false; arguments[0].click();", button);
            }
        }
        try { Thread.sleep(500); } catch (InterruptedException e) { Thread.currentThread().interrupt(); }
        assertEquals(before, Fixtures.eventCount(log), "nothing was cancelled, launched or queued");
        assertEquals("queued", log.run(queued).orElseThrow().status());
        // the same run by its real id: cancel is offered and works
        driver.get(base + "/run.html?id=" + queued);
        chrome.waitFor(10).until(d -> d.findElement(By.id("cancel")).getAttribute("disabled") == null);
        driver.findElement(By.id("cancel")).click();
        chrome.waitFor(10).until(d -> "cancelled".equals(log.run(queued).orElseThrow().status()));
    }

    /** A cancel asked meanwhile (another tab, the command line): the page's own click gets the 409, says why and shows the run as it is. */
    @Test
    void the_run_page_s_cancel_of_a_run_whose_cancel_is_asked_already_says_so_and_shows_the_asked_cancel() {
        String id = Fixtures.queued(log, Map.of("data", "bars"));
        log.claim(id, new RunEvent.Started(ProcessHandle.current().pid(), sparselab.runs.Provenance.host(), 1, 0, null, Map.of()), r -> true).orElseThrow();
        driver.get(base + "/run.html?id=" + id);
        chrome.waitFor(10).until(d -> d.findElement(By.id("cancel")).getAttribute("disabled") == null);
        new sparselab.runs.RunActions(log, log.clock()).cancel(id, "cli", false);        // asked elsewhere
        // every text the error line shows (a live reload may clear it again later)
        chrome.js("window.shown = []; const e = document.getElementById('error');"
                + " new MutationObserver(() => window.shown.push(e.textContent)).observe(e, { childList: true, characterData: true, subtree: true });");
        chrome.js("const b = document.getElementById('cancel'); b.disabled = false; b.click();");    // the page had not seen it yet
        String said = "a cancel of run " + id + " is asked already; it ends after its current batch";
        chrome.waitFor(10).until(d -> (Boolean) chrome.js("return window.shown.includes(arguments[0]);", said));
        chrome.waitFor(10).until(d -> d.findElement(By.id("notice")).getText().startsWith("Cancel requested"));
        assertTrue(driver.findElement(By.id("cancel")).getAttribute("disabled") != null);
        assertEquals(1, log.events(id).stream().filter(e -> e.event() instanceof RunEvent.CancelRequested).count());
        log.append(id, new RunEvent.Cancelled(0));
    }

    /** Epoch {@code e} of a run whose loss is 10 / e, as its trainer logs it. */
    private static RunEvent.EpochCompleted epoch(int e) {
        return new RunEvent.EpochCompleted(e, 10.0 / e, 8.0 / e, 1.0 / e, 0.1, 0.1, new double[] {0.1, 0.3}, 0.3, 0.9, 0L, 0.0, false, 9.0 / e, 0.5, 1000);
    }

    /** A start by a trainer of this process (alive, so the run reads as running while its heartbeats are recent). */
    private static final RunEvent.Started START = new RunEvent.Started(ProcessHandle.current().pid(), sparselab.runs.Provenance.host(), 1, 0, null, Map.of());

    private static final String REPLAYING_FROM_10 = "Replaying: the trainer started from the checkpoint after epoch 10 and trains epochs 11–24 "
            + "again without logging them (training is deterministic); new epochs appear after epoch 24.";

    /** A run of 60 epochs taken over after epoch 24 with a checkpoint after epoch 10: the lease of the takeover. */
    private sparselab.store.Lease takenOverAfter24(String id) {
        sparselab.store.Lease first = log.claim(id, START, r -> true).orElseThrow();
        for (int e = 1; e <= 24; e++) {
            first.append(epoch(e));
            if (e == 10) {
                sparselab.log.Blob state = sparselab.log.Blob.of(new byte[] {1, 2, 3});
                first.append(new RunEvent.Checkpoint(10, state.hash(), 3), state);
            }
        }
        return log.claim(id, START, r -> true).orElseThrow();
    }

    /**
     * A resume or takeover trains the epochs after its checkpoint again without logging them, so the run's count stands
     * still meanwhile: the run page says why, in the run's step word, until an epoch after the logged ones is logged or
     * the run ends.
     */
    @Test
    void a_resumed_run_that_trains_logged_epochs_again_says_so_until_a_new_one_is_logged() {
        By replaying = By.cssSelector("#notice p[data-notice='replaying']");
        String id = Fixtures.queued(log, Map.of("data", "bars", "epochs", "60"));
        sparselab.store.Lease taken = takenOverAfter24(id);
        driver.get(base + "/run.html?id=" + id);
        chrome.waitFor(10).until(d -> !d.findElements(replaying).isEmpty());
        assertEquals(REPLAYING_FROM_10, driver.findElement(replaying).getText());
        assertTrue(driver.findElement(By.id("summary")).getText().startsWith("24/60 epochs"), driver.findElement(By.id("summary")).getText());
        taken.append(epoch(25));
        chrome.waitFor(10).until(d -> d.findElement(By.id("summary")).getText().startsWith("25/60"));
        assertTrue(driver.findElements(replaying).isEmpty(), "epoch 25 is new: nothing is replayed any more");
        assertFalse(driver.findElement(By.id("notice")).isDisplayed());

        // an L-BFGS run cancelled after iteration 3 without a checkpoint and resumed: it counts iterations, from the start
        String lbfgs = Fixtures.queued(log, Map.of("data", "bars", "optimizer", "lbfgs", "batchSize", "0", "epochs", "8"));
        sparselab.store.Lease cancelled = log.claim(lbfgs, START, r -> true).orElseThrow();
        for (int e = 1; e <= 3; e++) cancelled.append(epoch(e));
        cancelled.append(new RunEvent.Cancelled(3));
        log.append(lbfgs, new RunEvent.Requeued("web"));
        sparselab.store.Lease resumed = log.claim(lbfgs, START, r -> true).orElseThrow();
        driver.get(base + "/run.html?id=" + lbfgs);
        chrome.waitFor(10).until(d -> !d.findElements(replaying).isEmpty());
        assertEquals("Replaying: the trainer started from the start (no checkpoint) and trains iterations 1–3 again without logging them "
                + "(training is deterministic); new iterations appear after iteration 3.", driver.findElement(replaying).getText());
        resumed.append(new RunEvent.Cancelled(3));           // the run ends while it replays: nothing to say any more
        chrome.waitFor(10).until(d -> d.findElements(replaying).isEmpty());
        assertEquals("cancelled", driver.findElement(By.id("run-status")).getText());
    }

    /**
     * The replay line does not depend on the newest 100 events that the run page fetches for its timeline: a trainer
     * that replays for more than 8 minutes has logged more than 100 heartbeats since its start.
     */
    @Test
    void a_replay_whose_start_is_older_than_the_newest_100_events_says_so_too() {
        By replaying = By.cssSelector("#notice p[data-notice='replaying']");
        String id = Fixtures.queued(log, Map.of("data", "bars", "epochs", "60"));
        sparselab.store.Lease taken = takenOverAfter24(id);
        for (int i = 0; i < 110; i++) taken.append(new RunEvent.Heartbeat(11, i));
        assertTrue(log.eventsTail(id, Long.MAX_VALUE, 100).stream().noneMatch(e -> e.event() instanceof RunEvent.Started),
                "the start is not among the newest 100 events");
        driver.get(base + "/run.html?id=" + id);
        chrome.waitFor(10).until(d -> !d.findElements(replaying).isEmpty());
        assertEquals(REPLAYING_FROM_10, driver.findElement(replaying).getText());
        taken.append(epoch(25));
        chrome.waitFor(10).until(d -> d.findElement(By.id("summary")).getText().startsWith("25/60"));
        assertTrue(driver.findElements(replaying).isEmpty(), "epoch 25 is new: nothing is replayed any more");
        taken.append(new RunEvent.Cancelled(25));
    }

    /**
     * The runs table's progress of a run whose trainer replays says so, with a small marker and the run page's line as
     * its tooltip, until a new epoch is logged (the row updated by the stream).
     */
    @Test
    void the_runs_table_says_full_for_the_batch_of_a_full_batch_l_bfgs_run_and_the_filter_still_finds_it_by_batch_size_0() {
        driver.get(base + "/index.html");
        String batch = "const col = [...document.querySelectorAll('#runs thead th')].findIndex(th => th.textContent === 'batch');"
                + " const r = document.querySelector(arguments[0]); const td = r && r.children[col];"
                + " return td ? [td.textContent, td.title] : null;";
        chrome.waitFor(10).until(d -> chrome.js(batch, "#runs tbody tr[data-run='" + lbfgs + "']") != null);
        @SuppressWarnings("unchecked")
        List<String> full = (List<String>) chrome.js(batch, "#runs tbody tr[data-run='" + lbfgs + "']");
        assertEquals("full", full.get(0), "batchSize 0 is the whole training set, not a batch of 0");
        assertTrue(full.get(1).contains("whole training set") && full.get(1).contains("batchSize=0"), full.get(1));
        assertEquals(List.of("100", ""), chrome.js(batch, "#runs tbody tr[data-run='" + sparse + "']"), "a minibatch run's size as it is");
        // the filter by the configuration's value finds it, and only runs whose batch reads full (other tests add L-BFGS runs)
        driver.get(base + "/index.html?q=batchSize%3D0");
        chrome.waitFor(10).until(d -> chrome.js(batch, "#runs tbody tr[data-run='" + lbfgs + "']") != null);
        assertEquals(List.of("full"), chrome.js("const col = [...document.querySelectorAll('#runs thead th')].findIndex(th => th.textContent === 'batch');"
                + " return [...new Set([...document.querySelectorAll('#runs tbody tr')].map(r => r.children[col].textContent))];"));
    }

    @Test
    void the_runs_table_marks_the_progress_of_a_replaying_run_until_a_new_epoch_is_logged() throws IOException {
        String id = Fixtures.queued(log, Map.of("data", "bars", "epochs", "60"), "sweep", "replaying");
        sparselab.store.Lease taken = takenOverAfter24(id);
        driver.get(base + "/index.html");
        String cell = "const r = document.querySelector(arguments[0]); const td = r && r.querySelector('td.replaying');"
                + " return td ? [td.textContent, td.title] : r ? [r.textContent] : [];";
        String row = "#runs tbody tr[data-run='" + id + "']";
        chrome.waitFor(10).until(d -> ((List<?>) chrome.js(cell, row)).size() == 2);
        assertEquals(List.of("24/60replaying", REPLAYING_FROM_10), chrome.js(cell, row));
        chrome.js("document.querySelector(arguments[0]).scrollIntoView();", row);
        chrome.screenshot("runs-replaying.png");
        // the group page's run table says it the same way
        driver.get(base + "/group.html?name=replaying");
        String groupRow = "#group tbody tr[data-run='" + id + "']";
        chrome.waitFor(10).until(d -> ((List<?>) chrome.js(cell, groupRow)).size() == 2);
        assertEquals(List.of("24/60replaying", REPLAYING_FROM_10), chrome.js(cell, groupRow));
        chrome.waitFor(30).until(d -> "stream".equals(chrome.js("return document.documentElement.dataset.live;")));
        taken.append(epoch(25));
        chrome.waitFor(10).until(d -> ((List<?>) chrome.js(cell, groupRow)).size() == 1 && String.valueOf(((List<?>) chrome.js(cell, groupRow)).get(0)).contains("25/60"));
        driver.get(base + "/index.html");
        chrome.waitFor(10).until(d -> ((List<?>) chrome.js(cell, row)).size() == 1 && String.valueOf(((List<?>) chrome.js(cell, row)).get(0)).contains("25/60"));
        taken.append(new RunEvent.Cancelled(25));
    }

    /** The value and label of every tick of the y axis of the chart on canvas {@code canvas}, as Chart.js drew them. */
    @SuppressWarnings("unchecked")
    private List<List<Object>> yTicks(String canvas) {
        return (List<List<Object>>) chrome.js("return Chart.getChart(document.getElementById(arguments[0])).scales.y.ticks.map(t => [t.value, t.label]);", canvas);
    }

    /**
     * The log axes label only 1, 2 and 5 x 10^k, written short ("0.5", "10"; Chart.js's own: "10.00" among blanks), on
     * the run page (its toggle off and on again: the linear axis keeps Chart.js's labels) and the compare page.
     */
    @Test
    void log_axes_label_one_two_five_times_a_power_of_ten_without_trailing_zeros() {
        // the sparse run's loss, reconstruction, penalty and held-out error: 10 / e, 8 / e, 1 / e and 9 / e over 4 epochs;
        // its weight decay 0.1 throughout
        List<List<Object>> expected = List.of(List.of(0.1, "0.1"), List.of(0.2, "0.2"), List.of(0.5, "0.5"), List.of(1L, "1"), List.of(2L, "2"), List.of(5L, "5"), List.of(10L, "10"));
        driver.get(base + "/run.html?id=" + sparse);
        String chart = "const c = Chart.getChart(document.getElementById('curves')); ";
        chrome.waitFor(10).until(d -> (Boolean) chrome.js(chart + "return !!c && c.options.scales.y.type === 'logarithmic';"));
        assertEquals(expected, yTicks("curves"));
        driver.findElement(By.id("run-logscale")).click();
        chrome.waitFor(10).until(d -> "linear".equals(chrome.js(chart + "return c.options.scales.y.type;")));
        List<List<Object>> linear = yTicks("curves");
        assertTrue(linear.size() >= 4 && linear.stream().allMatch(t -> !t.get(1).toString().isEmpty()), "a linear axis labels each of its ticks: " + linear);
        driver.findElement(By.id("run-logscale")).click();
        chrome.waitFor(10).until(d -> "logarithmic".equals(chrome.js(chart + "return c.options.scales.y.type;")));
        assertEquals(expected, yTicks("curves"), "switched on again");

        driver.get(base + "/compare.html?runs=" + sparse + "," + twin);
        chrome.waitFor(15).until(d -> (Boolean) chrome.js("const c = Chart.getChart(document.getElementById('chart-loss'));"
                + " return !!c && c.options.scales.y.type === 'logarithmic';"));
        List<List<Object>> compare = yTicks("chart-loss");
        assertFalse(compare.size() < 2, compare.toString());
        for (List<Object> t : compare) {
            String label = t.get(1).toString();
            assertFalse(label.isEmpty() || label.matches(".*\\.\\d*0"), "a label, without trailing zeros: " + compare);
            double v = ((Number) t.get(0)).doubleValue();
            double m = v / Math.pow(10, Math.floor(Math.log10(v) + 1e-9));
            assertTrue(List.of(1.0, 2.0, 5.0).stream().anyMatch(x -> Math.abs(x - m) < 1e-6), "1, 2 or 5 x 10^k: " + compare);
        }
    }

    @Test
    void a_log_axis_over_less_than_a_decade_labels_a_few_round_values_that_do_not_overlap() {
        // three epochs whose figures stay between 4.55 and 7: less than a decade, no two ticks at 1, 2 or 5 x 10^k
        String narrow = Fixtures.queued(log, Map.of("data", "bars", "beta", "0", "epochs", "3"));
        log.append(narrow, new RunEvent.Started(4243, "localhost", 1, 0, "f00d", Map.of(), null, "localhost:4243"));
        double[][] figures = {{7.0, 6.8}, {5.0, 4.9}, {4.6, 4.55}};
        for (int e = 1; e <= 3; e++) {
            double loss = figures[e - 1][0];
            log.append(narrow, new RunEvent.EpochCompleted(e, loss, loss, 0.0, 0.0, 0.2, new double[] {0.1, 0.3}, 0.3, 0.9, 0L, 0.0, false,
                    figures[e - 1][1], 0.5, 1000));
        }
        log.append(narrow, new RunEvent.Finished(3, 4.6, 4.55));
        driver.get(base + "/run.html?id=" + narrow);
        String chart = "const c = Chart.getChart(document.getElementById('curves'));";
        chrome.waitFor(10).until(d -> (Boolean) chrome.js(chart + " return !!c && c.data.datasets.length >= 3;"));
        assertEquals("logarithmic", chrome.js(chart + " return c.options.scales.y.type;"));
        // each tick's value, label and height on the canvas (Chart.js's own ticks here were 4.5, 4.6, ..., 4.9, 5, 5.5, 6, 7:
        // the five lowest labels a few pixels apart, written over each other)
        @SuppressWarnings("unchecked")
        List<List<Object>> ticks = (List<List<Object>>) chrome.js(chart + " const y = c.scales.y;"
                + " return y.ticks.map(t => [t.value, t.label, y.getPixelForValue(t.value)]);");
        assertTrue(ticks.size() >= 2 && ticks.size() <= 5, "2 to 5 ticks: " + ticks);
        for (int i = 1; i < ticks.size(); i++) {
            double gap = Math.abs(((Number) ticks.get(i).get(2)).doubleValue() - ((Number) ticks.get(i - 1).get(2)).doubleValue());
            assertTrue(gap >= 14, "labels at least a line apart: " + ticks);
        }
        assertEquals(List.of("5", "6", "7"), ticks.stream().map(t -> t.get(1).toString()).toList());
    }

    @Test
    void the_weights_of_196_digit_filters_stay_inside_the_run_page_at_1024_px_and_the_compare_page_at_400_px_and_side_by_side_at_1400() {
        // the demo's shape: 196 filters of 28 x 28, a grid image wider than the run page's weights column at 1024 px
        String one = Fixtures.trained(log, Map.of("data", "bars", "beta", "3", "epochs", "2", "seed", "31"), 2, 196, 28, null);
        String other = Fixtures.trained(log, Map.of("data", "bars", "beta", "0", "epochs", "2", "seed", "31"), 2, 196, 28, null);
        var cdp = (org.openqa.selenium.chromium.HasCdp) ((org.openqa.selenium.WrapsDriver) driver).getWrappedDriver();
        String overflow = "return document.documentElement.scrollWidth - document.documentElement.clientWidth;";
        String loaded = "return [...document.querySelectorAll('.gallery img')].filter(i => i.complete && i.naturalWidth > 0).length;";
        try {
            cdp.executeCdpCommand("Emulation.setDeviceMetricsOverride", Map.of("width", 1024, "height", 768, "deviceScaleFactor", 1, "mobile", false));
            driver.get(base + "/run.html?id=" + one);
            chrome.waitFor(10).until(d -> ((Number) chrome.js(loaded)).intValue() == 1);
            assertEquals(0L, ((Number) chrome.js(overflow)).longValue(), "the run page at 1024 px scrolls nothing sideways");
            cdp.executeCdpCommand("Emulation.setDeviceMetricsOverride", Map.of("width", 400, "height", 800, "deviceScaleFactor", 1, "mobile", false));
            driver.get(base + "/compare.html?runs=" + one + "," + other);
            chrome.waitFor(15).until(d -> ((Number) chrome.js(loaded)).intValue() == 2);
            assertEquals(0L, ((Number) chrome.js(overflow)).longValue(), "the compare page at 400 px scrolls nothing sideways");
            // and at 1400 px the two galleries stand side by side, as the README's screenshot shows them (a percentage
            // width sized each to its image's whole width, and the second went under the first)
            cdp.executeCdpCommand("Emulation.setDeviceMetricsOverride", Map.of("width", 1400, "height", 1000, "deviceScaleFactor", 1, "mobile", false));
            driver.get(base + "/compare.html?runs=" + one + "," + other);
            chrome.waitFor(15).until(d -> ((Number) chrome.js(loaded)).intValue() == 2);
            assertEquals(Boolean.TRUE, chrome.js("const g = [...document.querySelectorAll('#galleries .gallery')];"
                    + " return g.length === 2 && g[0].getBoundingClientRect().top === g[1].getBoundingClientRect().top;"),
                    "side by side: " + chrome.js("return [...document.querySelectorAll('#galleries .gallery')].map(g => JSON.stringify(g.getBoundingClientRect())).join(' ');"));
            assertEquals(0L, ((Number) chrome.js(overflow)).longValue(), "the compare page at 1400 px scrolls nothing sideways");
        } finally {
            cdp.executeCdpCommand("Emulation.clearDeviceMetricsOverride", Map.of());
        }
    }

    @Test
    void the_run_page_shows_curves_a_readable_timeline_the_twin_link_and_ignored_keys() throws IOException {
        for (int i = 0; i < 5; i++) log.append(lbfgs, new RunEvent.Heartbeat(0, i));
        driver.get(base + "/run.html?id=" + lbfgs);
        chrome.waitFor(10).until(d -> d.findElements(By.cssSelector("#timeline li[data-type='heartbeat']")).size() == 1);
        // the page of a queued run is live and redraws itself: read it in single scripts, not through element references
        String row = "const r = document.querySelector(\"#config tr[data-key='\" + arguments[0] + \"']\"); ";
        assertTrue(((String) chrome.js("return document.querySelector(\"#timeline li[data-type='heartbeat']\").innerText;")).contains("5 heartbeats"));
        assertTrue((Boolean) chrome.js(row + "return r.classList.contains('ignored');", "learningRate"), "lbfgs ignores learningRate");
        String lr = (String) chrome.js(row + "return r.innerText;", "learningRate");
        assertTrue(lr.contains("line search"), lr);
        assertTrue((Boolean) chrome.js(row + "return r.classList.contains('ignored');", "momentum"));
        assertFalse((Boolean) chrome.js(row + "return r.classList.contains('ignored');", "beta"));

        driver.get(base + "/run.html?id=" + sparse);
        chrome.waitFor(10).until(d -> d.findElements(By.cssSelector("#timeline li[data-type='finished']")).size() == 1);
        chrome.waitFor(10).until(d -> (Boolean) chrome.js("const c = Chart.getChart(document.getElementById('curves')); return !!c && c.data.datasets.length >= 3;"));
        assertEquals("logarithmic", chrome.js("return Chart.getChart(document.getElementById('curves')).options.scales.y.type;"));
        for (WebElement li : driver.findElements(By.cssSelector("#timeline li"))) {
            assertFalse(li.getText().contains("{") || li.getText().contains("\""), "no raw JSON: " + li.getText());
        }
        WebElement link = driver.findElement(By.id("twin-link"));
        assertTrue(link.isDisplayed(), "the twin exists: a link, not a button");
        assertTrue(link.getAttribute("href").endsWith("/run.html?id=" + twin));
        assertFalse(driver.findElement(By.id("twin")).isDisplayed());
        chrome.screenshot("run-page.png");
    }

    @Test
    void the_launch_form_offers_selects_checkboxes_and_ranged_numbers_with_the_presets_values_as_placeholders() throws IOException {
        driver.get(base + "/launch.html");
        chrome.waitFor(10).until(d -> d.findElements(By.id("key-optimizer")).size() == 1);
        WebElement optimizer = driver.findElement(By.id("key-optimizer"));
        assertEquals("select", optimizer.getTagName());
        @SuppressWarnings("unchecked")
        List<String> options = (List<String>) chrome.js("return [...document.getElementById('key-optimizer').options].map(o => o.value).filter(Boolean);");
        assertEquals(List.of("sgd", "nesterov", "adam", "lbfgs"), options);
        assertEquals("select", driver.findElement(By.id("key-estimator")).getTagName());
        @SuppressWarnings("unchecked")
        List<String> schedules = (List<String>) chrome.js("return [...document.getElementById('key-lrSchedule').options].map(o => o.value).filter(Boolean);");
        assertEquals(List.of("constant", "exponential"), schedules, "lrSchedule is a choice like the optimizer");
        WebElement lrDecay = driver.findElement(By.id("key-lrDecay"));
        // numbers are text fields: the server reads what was typed (a number field sent '0,3' as '03'); their ranges
        // are in the hints below
        assertEquals("text", lrDecay.getAttribute("type"));
        assertEquals("select", driver.findElement(By.id("key-data")).getTagName());
        assertEquals("checkbox", driver.findElement(By.id("key-shuffle")).getAttribute("type"));
        WebElement hidden = driver.findElement(By.id("key-hidden"));
        assertEquals("text", hidden.getAttribute("type"));
        String rhoHint = (String) chrome.js("return document.getElementById('note-rho').parentElement.textContent;");
        assertTrue(rhoHint.contains("number in (0, 1)"), rhoHint);
        assertFalse(driver.findElement(By.id("launch")).getText().contains("idx:"), "the web refuses idx: data; the form does not offer it");
        assertEquals("196", hidden.getAttribute("placeholder"));
        // the hint states every bound the server checks, the upper one of hidden too
        String hint = (String) chrome.js("return document.getElementById('note-hidden').parentElement.textContent;");
        assertTrue(hint.contains("integer, 1 to 100,000"), hint);
        // an integer's bounds read as integers, in the words of docs/model.md's key table and of a refusal: not
        // 2.147483647e9, nor 1e6; the seed's 64-bit range, which a browser's numbers cannot hold, too
        String limit = (String) chrome.js("return document.getElementById('note-limit').parentElement.textContent;");
        assertTrue(limit.contains("integer >= 0;"), limit);
        String snapshots = (String) chrome.js("return document.getElementById('note-snapshotEvery').parentElement.textContent;");
        assertTrue(snapshots.contains("log2, or an integer, 1 to 1,000,000"), snapshots);
        String seed = (String) chrome.js("return document.getElementById('note-seed').parentElement.textContent;");
        assertTrue(seed.contains("integer, -9,223,372,036,854,775,808 to 9,223,372,036,854,775,807;"), seed);

        new Select(driver.findElement(By.id("preset"))).selectByValue("ufldl");
        assertEquals("3", driver.findElement(By.id("key-beta")).getAttribute("placeholder"), "the preset's value as placeholder");
        chrome.waitFor(10).until(d -> d.findElement(By.id("note-learningRate")).getText().contains("L-BFGS"));
        assertTrue(driver.findElement(By.id("note-beta")).getText().isEmpty(), "beta counts under ufldl");
        assertEquals("lbfgs (preset)", chrome.js("return document.getElementById('key-optimizer').options[0].textContent;"));
        chrome.screenshot("launch.png");
        WebElement epochs = driver.findElement(By.id("key-epochs"));
        epochs.sendKeys("7");
        new Select(driver.findElement(By.id("key-data"))).selectByValue("bars");
        int runs = log.runs().size();
        driver.findElement(By.id("submit")).click();
        chrome.waitFor(10).until(d -> log.runs().size() == runs + 1);
        RunRow made = log.runs().stream().filter(r -> "ufldl".equals(r.preset())).findFirst().orElseThrow();
        assertEquals("7", made.configMap().get("epochs"));
        assertEquals("3", made.configMap().get("beta"), "the preset's value where the field was left empty");
        assertEquals("bars", made.configMap().get("data"));
        assertEquals("ufldl", made.preset());
        log.append(made.runId(), new RunEvent.CancelRequested("test"));
        log.append(made.runId(), new RunEvent.Cancelled(0));
    }

    @Test
    void a_sweeps_group_page_fits_1280_by_800_with_readable_thumbnails_and_charts_against_each_key() throws IOException {
        driver.manage().window().setSize(new Dimension(1280, 800));
        try {
            driver.get(base + "/group.html?name=sweep-test");
            chrome.waitFor(15).until(d -> (Boolean) chrome.js("const i = [...document.querySelectorAll('#strip img.thumb-img')];"
                    + " return i.length === 8 && i.every(x => x.complete && x.naturalWidth > 0);"));
            assertEquals(1280L, chrome.js("return innerWidth;"));
            Number scroll = (Number) chrome.js("return document.documentElement.scrollWidth;");
            assertTrue(scroll.intValue() <= 1280, "no horizontal page overflow: scrollWidth " + scroll);
            // 196 filters of 28 x 28 at one screen pixel per weight or more
            Number width = (Number) chrome.js("return document.querySelector('#strip img.thumb-img').getBoundingClientRect().width;");
            Number natural = (Number) chrome.js("return document.querySelector('#strip img.thumb-img').naturalWidth;");
            assertTrue(width.doubleValue() >= natural.doubleValue() && width.doubleValue() >= 400, "thumbnail " + width + " px for " + natural + " px of weights");
            Number wrap = (Number) chrome.js("const w = document.getElementById('group-wrap'); return w.scrollWidth - w.clientWidth;");
            assertTrue(wrap.intValue() >= 0);
            assertEquals("sticky", chrome.js("return getComputedStyle(document.querySelector('#group tbody td')).position;"), "the run column stays put");
            // these runs were written with the same figures: each of the 3 final figures and 6 filter measures is one line
            // of text (the same in every run, or not measured), not 3 charts of flat lines (ReplicatesBrowserTest draws some)
            assertEquals(9L, chrome.js("return document.querySelectorAll('#sweep-constant li').length;"));
            assertEquals(0L, chrome.js("return document.querySelectorAll('#sweep-charts canvas').length;"));
            assertEquals(0L, chrome.js("return [...document.querySelectorAll('#sweep-constant li')].filter(li =>"
                    + " document.querySelector(`#sweep-charts canvas[data-figure='${li.dataset.figure}']`)).length;"), "no chart of a figure told as text");

            assertTrue(driver.findElement(By.id("parallel")).isDisplayed(), "parallel coordinates for 3 keys");
            assertEquals("12", driver.findElement(By.id("parallel")).getAttribute("data-axes"));
            chrome.screenshot("group-sweep.png");
            chrome.js("document.getElementById('sweep').scrollIntoView();");
            chrome.screenshot("group-sweep-charts.png");
            chrome.js("document.getElementById('parallel-box').scrollIntoView();");
            chrome.screenshot("group-sweep-parallel.png");
            driver.findElement(By.cssSelector("#strip img.thumb-img")).click();
            chrome.waitFor(10).until(d -> (Boolean) chrome.js("const i = document.querySelector('#full-size img'); return !!i && i.complete && i.naturalWidth > 0;"));
            assertTrue(driver.findElement(By.cssSelector("#full-size img")).getAttribute("src").contains("scale=3"));
            Number ratio = (Number) chrome.js("return document.querySelector('#full-size img').naturalWidth"
                    + " / document.querySelector('#strip img.thumb-img').getBoundingClientRect().width;");
            assertTrue(ratio.doubleValue() >= 1.9, "full size is larger than the thumbnail: x" + ratio);
        } finally {
            driver.manage().window().setSize(new Dimension(1400, 1100));
        }
    }

}
