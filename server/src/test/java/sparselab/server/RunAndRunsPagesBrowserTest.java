package sparselab.server;

import io.javalin.Javalin;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.openqa.selenium.By;
import org.openqa.selenium.WebDriver;
import sparselab.log.RunEvent;
import sparselab.store.EventLog;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The run page and the runs page as a new user met them, in headless Chromium at 1400 px: a run whose units are all
 * dead, a one-epoch run of beta 0 (one point, a penalty of 0), a run that is not there, the times of the timeline; on
 * the runs page a status that empties a matching text, a selection the filter hides, a status that is none, and the
 * width of the table and of its filter box.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class RunAndRunsPagesBrowserTest {
    @RegisterExtension static final Chrome chrome = new Chrome();
    /** A worker's name as long as a host's can be: the runs table and the timeline must still fit. */
    static final String WORKER = "serve@build-agent-17.lab.example.org:4242";
    Path dir;
    EventLog log;
    Javalin app;
    WebDriver driver;
    String base;
    String oneEpoch;
    String diverged;
    String dead;

    @BeforeAll
    void start() throws IOException {
        dir = Files.createTempDirectory("sparselab-run-pages");
        log = TestLogs.open(dir, "run-pages.db");
        diverged = Fixtures.trained(log, Map.of("data", "bars", "beta", "3", "epochs", "4"), 4, 16, 8, 2);
        dead = Fixtures.trained(log, Map.of("data", "bars", "beta", "3", "epochs", "2", "seed", "9"), 2, 16, 8, null);
        log.append(dead, new RunEvent.FilterMeasures(2, 0.5, 1.0, 0.0, 0.0, 0.1, 0.375));
        log.append(dead, new RunEvent.DivergenceFlag(1, "rho_hat_outside", "rho_hat of 16 unit(s) left (0, 1), the least 0.0000001", 16));
        // one epoch of beta 0: its penalty is 0; started by a pool of a long name, tagged with long tags
        oneEpoch = Fixtures.queued(log, Map.of("data", "bars", "beta", "0", "epochs", "1"));
        log.append(oneEpoch, new RunEvent.Started(4242, "build-agent-17.lab.example.org", 1, 0, "f00d", Map.of(), null, WORKER));
        log.append(oneEpoch, new RunEvent.EpochCompleted(1, 2.5, 2.0, 0.0, 0.5, 0.2, new double[] {0.1, 0.3}, 0.3, 0.9, 0L, 0.0, false, 2.7, 0.5, 1000));
        log.append(oneEpoch, new RunEvent.Tagged(List.of("baseline-for-the-ablation", "dense-reference", "keep")));
        log.append(oneEpoch, new RunEvent.Finished(1, 2.5, 2.7));
        app = Fixtures.pagesServer(log);
        base = "http://127.0.0.1:" + app.port();
        driver = chrome.driver();
    }

    @AfterAll
    void stop() {
        Fixtures.stopPages(app, log, dir);
    }

    /** A test's own work on a log and a dashboard of its own: the log, and the dashboard's address. */
    interface OwnPages {
        void on(EventLog log, String base) throws Exception;
    }

    /**
     * {@code work} on a log and a dashboard of their own, stopped and deleted after it: this class's runs table holds
     * the shared log's runs, which its tests count.
     */
    private void withOwnPages(String name, OwnPages work) throws Exception {
        Path own = Files.createTempDirectory("sparselab-" + name);
        EventLog ownLog = null;
        Javalin ownApp = null;
        try {
            ownLog = TestLogs.open(own, name + ".db");
            ownApp = Fixtures.pagesServer(ownLog);
            work.on(ownLog, "http://127.0.0.1:" + ownApp.port());
        } finally {
            Fixtures.stopPages(ownApp, ownLog, own);
        }
    }

    /** The page's requests to the API so far (resource timing: each answered request, whatever its status). */
    @SuppressWarnings("unchecked")
    private List<String> apiRequests() {
        return (List<String>) chrome.js("return performance.getEntriesByType('resource').map(e => new URL(e.name).pathname)"
                + ".filter(p => p.startsWith('/api/'));");
    }

    /**
     * The run page answers first: its heading, summary and configuration are drawn from the run's own answer, not after
     * its timeline, snapshots, measures, curves and flags have all come (found 2026-12-03 by a new user's walkthrough:
     * "Run " and nothing else for about a second on a loaded machine). With the curves' request refused by the browser,
     * the run is still named and summed up, beside the error.
     */
    @Test
    void the_run_page_draws_the_run_s_own_answer_before_the_rest_has_come() {
        var cdp = (org.openqa.selenium.chromium.HasCdp) ((org.openqa.selenium.WrapsDriver) driver).getWrappedDriver();
        try {
            cdp.executeCdpCommand("Network.enable", Map.of());
            cdp.executeCdpCommand("Network.setBlockedURLs", Map.of("urls", List.of("*/api/runs/" + dead + "/curves*")));
            driver.get(base + "/run.html?id=" + dead);
            chrome.waitFor(10).until(d -> !d.findElement(By.id("error")).getText().isBlank());
            assertEquals(dead, driver.findElement(By.id("run-id")).getText());
            String summary = driver.findElement(By.id("summary")).getText();
            assertTrue(summary.startsWith("2/2 epochs · origin "), summary);
            assertEquals("finished", driver.findElement(By.id("run-status")).getText());
            assertTrue(apiRequests().contains("/api/runs/" + dead + "/events"), "the rest was asked for: " + apiRequests());
        } finally {
            cdp.executeCdpCommand("Network.setBlockedURLs", Map.of("urls", List.of()));
            cdp.executeCdpCommand("Network.disable", Map.of());
        }
    }

    /**
     * The timeline's epoch line gives the mean activation to 4 significant digits, as the runs, group and compare pages
     * and `runs` do (found 2026-12-03 by a new user's walkthrough: 0.107 on the timeline, 0.1065 everywhere else).
     */
    @Test
    void the_timeline_writes_the_mean_activation_as_the_other_pages_do() throws Exception {
        withOwnPages("timeline", (ownLog, ownBase) -> {
            String run = Fixtures.queued(ownLog, Map.of("data", "bars", "beta", "3", "epochs", "2"));
            ownLog.append(run, new RunEvent.Started(4242, "box", 1, 0, "f00d", Map.of(), null, "worker-1"));
            ownLog.append(run, new RunEvent.EpochCompleted(1, 2.5, 2.0, 0.25, 0.25, 0.106543, new double[] {0.1, 0.3}, 0.3, 0.9, 0L, 0.0, false, 2.7, 0.5, 1000));
            driver.get(ownBase + "/run.html?id=" + run);
            By line = By.cssSelector("#timeline li[data-type='epoch_completed']");
            chrome.waitFor(10).until(d -> !d.findElements(line).isEmpty());
            String text = driver.findElement(line).getText();
            assertTrue(text.contains("mean activation 0.1065,") || text.endsWith("mean activation 0.1065"), text);
            driver.get(ownBase + "/index.html");
            By cell = By.cssSelector("#runs tr[data-run='" + run + "'] td");
            chrome.waitFor(10).until(d -> !d.findElements(cell).isEmpty());
            assertTrue(driver.findElements(cell).stream().anyMatch(td -> td.getText().equals("0.1065")), "the runs table says the same");
        });
    }

    /**
     * A cancel that the run's end overtook is said on its page (found 2026-12-03 by a walkthrough: a short run finished
     * before its trainer's next heartbeat read the request, and the page said nothing after "Cancel requested").
     */
    @Test
    void a_cancel_overtaken_by_the_run_s_end_is_said_on_its_page() throws Exception {
        withOwnPages("overtaken", (ownLog, ownBase) -> {
            String run = Fixtures.queued(ownLog, Map.of("data", "bars", "beta", "3", "epochs", "1"));
            String plain = Fixtures.trained(ownLog, Map.of("data", "bars", "beta", "3", "epochs", "1", "seed", "5"), 1, 16, 8, null);
            ownLog.append(run, new RunEvent.Started(4242, "box", 1, 0, "f00d", Map.of(), null, "worker-1"));
            ownLog.append(run, new RunEvent.CancelRequested("web"));
            ownLog.append(run, new RunEvent.EpochCompleted(1, 2.5, 2.0, 0.25, 0.25, 0.1, new double[] {0.1, 0.3}, 0.3, 0.9, 0L, 0.0, false, 2.7, 0.5, 1000));
            ownLog.append(run, new RunEvent.Finished(1, 2.5, 2.7));
            driver.get(ownBase + "/run.html?id=" + run);
            By notice = By.cssSelector("#notice [data-notice='cancel-overtaken']");
            chrome.waitFor(10).until(d -> !d.findElements(notice).isEmpty());
            assertEquals("A cancel was requested, but the run finished before its trainer read it (it reads a request at its next heartbeat, "
                    + "within about 5 s).", driver.findElement(notice).getText());
            driver.get(ownBase + "/run.html?id=" + plain);
            chrome.waitFor(10).until(d -> d.findElements(By.cssSelector("#timeline li[data-type='finished']")).size() == 1);
            assertTrue(driver.findElements(notice).isEmpty(), "a run finished without a request says nothing of one");
        });
    }

    /**
     * A queued run that a worker refused says so next to its status, why on hover, and its page says why (left over from
     * the probe of many machines, 2026-12-04: the reason was in its timeline alone).
     */
    @Test
    void a_refused_queued_run_says_so_on_the_runs_page_and_its_own() throws Exception {
        withOwnPages("refused", (ownLog, ownBase) -> {
            String run = Fixtures.queued(ownLog, Map.of("data", "bars", "beta", "3", "epochs", "2"));
            String waiting = Fixtures.queued(ownLog, Map.of("data", "bars", "beta", "3", "epochs", "2", "seed", "5"));
            ownLog.append(run, new RunEvent.Refused("box-9:1", "box-9", "the data set 'bars' on this machine has another fingerprint"));
            String why = "refused by worker box-9:1 (host box-9): the data set 'bars' on this machine has another fingerprint";
            driver.get(ownBase + "/index.html");
            By held = By.cssSelector("#runs tr[data-run='" + run + "'] .held");
            chrome.waitFor(10).until(d -> !d.findElements(held).isEmpty());
            assertEquals("refused", driver.findElement(held).getText());
            assertEquals(why, driver.findElement(held).getAttribute("title"));
            assertTrue(driver.findElements(By.cssSelector("#runs tr[data-run='" + waiting + "'] .held")).isEmpty(), "a run no worker refused");
            driver.get(ownBase + "/run.html?id=" + run);
            chrome.waitFor(10).until(d -> d.findElement(By.id("summary")).getText().contains("error: " + why));
            // the comparison's runs say it as the lists do
            String compare = java.net.http.HttpClient.newHttpClient().send(java.net.http.HttpRequest.newBuilder(
                    java.net.URI.create(ownBase + "/api/compare?runs=" + run + "," + waiting)).build(),
                    java.net.http.HttpResponse.BodyHandlers.ofString()).body();
            assertTrue(compare.contains("\"error\":\"" + why + "\""), compare);
        });
    }

    /** The runs page marks a run that raised divergence flags by their count, linking its page (found 2026-12-03 by a walkthrough). */
    @Test
    void the_runs_page_marks_a_run_with_divergence_flags() {
        driver.get(base + "/index.html");
        By mark = By.cssSelector("#runs tr[data-run='" + dead + "'] a.flag-count");
        chrome.waitFor(10).until(d -> !d.findElements(mark).isEmpty());
        assertEquals("⚑ 1", driver.findElement(mark).getText());
        assertTrue(driver.findElement(mark).getAttribute("href").endsWith("/run.html?id=" + dead + "#timeline"));
        assertEquals("1 divergence flag", driver.findElement(mark).getAttribute("aria-label"));
        assertTrue(driver.findElements(By.cssSelector("#runs tr[data-run='" + oneEpoch + "'] a.flag-count")).isEmpty(), "a run without flags is not marked");
    }

    @Test
    void the_timeline_of_a_run_whose_units_are_all_dead_says_all_dead_instead_of_a_stroke_share() {
        driver.get(base + "/run.html?id=" + dead);
        By measured = By.cssSelector("#timeline li[data-type='filter_measures']");
        chrome.waitFor(10).until(d -> !d.findElements(measured).isEmpty());
        String line = driver.findElement(measured).getText();
        assertTrue(line.contains("filter measures at epoch 2: all dead") && line.contains("dead 1,"), line);
        assertFalse(line.contains("stroke share"), "no share of filters no unit uses: " + line);
        assertTrue(driver.findElement(measured).getAttribute("title").startsWith("stroke share 0.375 of filters no unit uses"),
                driver.findElement(measured).getAttribute("title"));
    }

    @Test
    void a_one_epoch_run_draws_its_point_and_keeps_a_zero_penalty_on_a_linear_scale() {
        driver.get(base + "/run.html?id=" + oneEpoch);
        String chart = "const c = Chart.getChart(document.getElementById('curves'));";
        chrome.waitFor(10).until(d -> (Boolean) chrome.js(chart + " return !!c;"));
        assertEquals("logarithmic", chrome.js(chart + " return c.options.scales.y.type;"));
        // one epoch: each series one point, drawn as a point (a line of one point is nothing)
        Number radius = (Number) chrome.js(chart + " return c.getDatasetMeta(0).data[0].options.radius;");
        assertTrue(radius.doubleValue() >= 2, "the single loss point has a radius: " + radius);
        // the penalty of beta 0 is 0: a log scale cannot draw it, and says so
        assertEquals(List.of("loss", "reconstruction", "held-out", "weight decay"), chrome.js(chart + " return c.data.datasets.map(s => s.label);"));
        assertEquals("penalty: 0 throughout (not drawn on a log scale)", driver.findElement(By.id("curves-zero")).getText());
        // a linear scale draws it, at 0
        driver.findElement(By.id("run-logscale")).click();
        chrome.waitFor(10).until(d -> "linear".equals(chrome.js(chart + " return c.options.scales.y.type;")));
        assertEquals(List.of("loss", "reconstruction", "held-out", "penalty", "weight decay"), chrome.js(chart + " return c.data.datasets.map(s => s.label);"));
        assertEquals(0L, chrome.js(chart + " return c.data.datasets[3].data[0].y;"));
        assertFalse(driver.findElement(By.id("curves-zero")).isDisplayed(), "nothing left out on a linear scale");
    }

    @Test
    void the_run_page_draws_the_runs_divergence_flags_on_its_loss_curve_as_the_compare_page_does() {
        driver.get(base + "/run.html?id=" + dead);
        String chart = "const c = Chart.getChart(document.getElementById('curves'));";
        chrome.waitFor(10).until(d -> (Boolean) chrome.js(chart + " return !!c;"));
        // a triangle in the loss curve's colour at the flagged epoch, at the loss there (10 / epoch 1)
        @SuppressWarnings("unchecked")
        Map<String, Object> flags = (Map<String, Object>) chrome.js(chart + " const s = c.data.datasets.find(d => d.label === 'divergence flags');"
                + " return s ? { style: s.pointStyle, fill: s.backgroundColor, line: c.data.datasets[0].borderColor, x: s.data.map(p => p.x), y: s.data.map(p => p.y) } : null;");
        assertTrue(flags != null, "a 'divergence flags' series on the curves");
        assertEquals("triangle", flags.get("style"));
        assertEquals(flags.get("line"), flags.get("fill"), "the loss curve's colour");
        assertEquals(List.of(1L), flags.get("x"));
        assertEquals(List.of(10L), flags.get("y"));
        // its tooltip says the cause and the detail in the pages' number style, as the compare page's does
        Object tip = chrome.js(chart + " const i = c.data.datasets.findIndex(d => d.label === 'divergence flags');"
                + " c.tooltip.setActiveElements([{ datasetIndex: i, index: 0 }], { x: 0, y: 0 }); c.update();"
                + " return c.tooltip.body.map(b => b.lines.join(' ')).join(' | ');");
        assertEquals("rho_hat_outside: rho_hat of 16 unit(s) left (0, 1), the least 1e-7", tip);
    }

    /**
     * A run with more flags and snapshots than an answer holds (a condition that comes and goes; {@code snapshotEvery=1}
     * on a long run): the run page's legend says how many flags are marked of how many, its snapshot list says it lists
     * an even spread of them, and the compare page's filmstrip shows at most 60 frames and says of how many. On a log of
     * its own (this class's runs table holds its three runs).
     */
    @Test
    void a_run_with_more_flags_and_snapshots_than_an_answer_holds_says_so_on_its_pages() throws Exception {
        withOwnPages("flags-page", (flagsLog, at) -> {
            String flapping = Fixtures.trained(flagsLog, Map.of("data", "bars", "epochs", "2"), 2, 16, 8, null);
            String other = Fixtures.trained(flagsLog, Map.of("data", "bars", "epochs", "2", "seed", "4"), 2, 16, 8, null);
            List<RunEvent> many = new java.util.ArrayList<>();
            for (int i = 0; i < sparselab.runs.FlagRoutes.MAX + 2; i++) many.add(new RunEvent.DivergenceFlag(1 + i % 2, "loss_rising", "again", null));
            // the snapshots in the same write, all of one set of weights (a write of its own each took 10 s on PostgreSQL)
            sparselab.log.Blob weights = Fixtures.weights(16, 64);
            for (int e = 10; e < 10 + sparselab.runs.Curves.POINTS + 100; e++) many.add(new RunEvent.WeightSnapshot(e, weights.hash(), 64, 16, 8, 8));
            flagsLog.appendAll(flapping, many, List.of(weights));
            int snapshots = flagsLog.snapshots(flapping).size();
            driver.get(at + "/run.html?id=" + flapping);
            String chart = "const c = Chart.getChart(document.getElementById('curves'));";
            chrome.waitFor(20).until(d -> (Boolean) chrome.js(chart + " return !!c;"));
            @SuppressWarnings("unchecked")
            List<Object> flags = (List<Object>) chrome.js(chart + " const s = c.data.datasets.find(d => d.label.startsWith('divergence flags'));"
                    + " return s ? [s.label, s.data.length] : null;");
            assertEquals(List.of("divergence flags (the first 10,000 of 10,002)", 10_000L), flags);
            chrome.waitFor(10).until(d -> d.findElement(By.id("snapshots-listed")).isDisplayed());
            assertEquals(String.format("2,000 of %,d snapshots listed, evenly spaced, the first and the newest included", snapshots),
                    driver.findElement(By.id("snapshots-listed")).getText());
            assertEquals(2000L, chrome.js("return document.querySelectorAll('#snapshot option').length;"));
            assertEquals(String.valueOf(9 + sparselab.runs.Curves.POINTS + 100), chrome.js("return document.getElementById('snapshot').value;"), "the newest shown");

            // the compare page's filmstrip of a unit
            driver.get(at + "/compare.html?runs=" + flapping + "," + other);
            chrome.waitFor(20).until(d -> (Boolean) chrome.js("const i = document.querySelectorAll('img.gallery-img');"
                    + " return i.length === 2 && [...i].every(x => x.complete && x.naturalWidth > 0);"));
            chrome.js("const img = document.querySelectorAll('img.gallery-img')[0];"
                    + " const cols = 4, tw = 8 * 2 + 1;"
                    + " const r = img.getBoundingClientRect(), k = r.width / img.naturalWidth;"
                    + " const x = r.left + (1 + tw / 2) * k, y = r.top + (1 + tw / 2) * k;"
                    + " img.dispatchEvent(new MouseEvent('click', { clientX: x, clientY: y, detail: 1, bubbles: true }));");
            By strip = By.cssSelector(".filmstrip[data-run='" + flapping + "'] figure");
            chrome.waitFor(20).until(d -> !d.findElements(strip).isEmpty());
            assertEquals(60, driver.findElements(strip).size());
            String caption = (String) chrome.js("return document.querySelector(\".filmstrip[data-run='" + flapping + "']\").previousElementSibling.textContent;");
            assertEquals(String.format("%s unit 0 at 60 of its %,d snapshots, evenly spaced, by epoch", flapping, snapshots), caption);
        });
    }

    @Test
    void the_run_page_draws_the_weight_decay_term_that_makes_up_the_rest_of_the_loss() {
        driver.get(base + "/run.html?id=" + oneEpoch);
        String chart = "const c = Chart.getChart(document.getElementById('curves'));";
        chrome.waitFor(10).until(d -> (Boolean) chrome.js(chart + " return !!c;"));
        // loss 2.5 = reconstruction 2.0 + penalty 0 + weight decay 0.5: "loss and its terms" draws every term, so the
        // gap between the loss and its other terms is not left unexplained (a ufldl run's decay is over a third of its loss)
        Object decay = chrome.js(chart + " const d = c.data.datasets.find(s => s.label === 'weight decay'); return d ? d.data[0].y : null;");
        assertEquals(0.5, decay instanceof Number n ? n.doubleValue() : decay, "the weight decay curve of " + oneEpoch);
    }

    @Test
    void a_run_that_is_not_there_is_asked_for_once_and_shows_no_downloads() throws InterruptedException {
        driver.get(base + "/run.html?id=rffffffffff");
        chrome.waitFor(10).until(d -> d.findElement(By.id("error")).getText().contains("not found"));
        Thread.sleep(500);          // any further request the page makes at once has been answered by now
        assertEquals(List.of("/api/runs/rffffffffff"), apiRequests(), "the run alone: nothing more once it is known missing");
        assertFalse(driver.findElement(By.id("downloads")).isDisplayed(), "no downloads label without its links");
        // no id at all: nothing asked, no inert links
        driver.get(base + "/run.html");
        // said as none given, not as "'' is not a run id" (found 2026-12-03 by a walkthrough)
        chrome.waitFor(10).until(d -> d.findElement(By.id("error")).getText().equals("no run given (run.html?id=RUN); open a run from the runs table"));
        assertEquals(List.of(), apiRequests());
        assertFalse(driver.findElement(By.id("downloads")).isDisplayed(), "no metrics CSV / JSON / weights links");
    }

    @Test
    void the_timeline_writes_times_in_utc_as_the_workers_page_does_and_wraps_long_lines() {
        driver.get(base + "/run.html?id=" + oneEpoch);
        chrome.waitFor(10).until(d -> d.findElements(By.cssSelector("#timeline li[data-type='finished']")).size() == 1);
        @SuppressWarnings("unchecked")
        List<String> times = (List<String>) chrome.js("return [...document.querySelectorAll('#timeline li > span.muted:first-child')].map(s => s.textContent);");
        assertFalse(times.isEmpty());
        for (String t : times) assertTrue(t.matches("\\d{4}-\\d\\d-\\d\\d \\d\\d:\\d\\d:\\d\\d UTC"), t);
        // the start names the long worker: its line wraps inside the timeline instead of running past its right edge
        String started = driver.findElement(By.cssSelector("#timeline li[data-type='started']")).getText();
        assertTrue(started.contains(WORKER), started);
        assertEquals(List.of(), chrome.js("return [...document.querySelectorAll('#timeline li')].filter(li => li.scrollWidth > li.clientWidth)"
                + ".map(li => li.textContent);"), "every line fits its width");
        Number over = (Number) chrome.js("const t = document.getElementById('timeline'); return t.scrollWidth - t.clientWidth;");
        assertEquals(0, over.intValue(), "no line runs past the timeline's right edge");
    }

    @Test
    void a_status_that_empties_a_matching_text_says_so_without_the_key_value_rule() {
        // beta=0 matches the one-epoch run, which finished: the status empties the list, not the text
        driver.get(base + "/index.html?q=beta%3D0&status=diverged");
        chrome.waitFor(10).until(d -> !d.findElement(By.id("count")).getText().isBlank());
        assertEquals("no diverged run matches this filter (runs of another status do)", driver.findElement(By.id("count")).getText());
        // a text that matches nothing of any status still gets the rule
        driver.get(base + "/index.html?q=beta%3D0.05&status=diverged");
        chrome.waitFor(10).until(d -> !d.findElement(By.id("count")).getText().isBlank());
        assertEquals("no diverged run matches this filter (key=value matches a whole value: beta=0.3 does not find 0.35)",
                driver.findElement(By.id("count")).getText());
    }

    @Test
    void compare_selected_says_how_many_of_the_selected_runs_the_filter_hides() {
        driver.get(base + "/index.html");
        chrome.waitFor(10).until(d -> d.findElements(By.cssSelector("#runs tbody tr")).size() == 3);
        for (String run : List.of(oneEpoch, diverged, dead)) {
            driver.findElement(By.cssSelector("#runs tbody tr[data-run='" + run + "'] input[type=checkbox]")).click();
        }
        assertEquals("Compare selected (3)", driver.findElement(By.id("compare")).getText());
        driver.findElement(By.id("filter")).sendKeys("beta=3");
        chrome.waitFor(10).until(d -> d.findElements(By.cssSelector("#runs tbody tr")).size() == 2);
        chrome.waitFor(10).until(d -> d.findElement(By.id("compare")).getText().equals("Compare selected (3, 1 hidden by the filter)"));
        assertTrue(driver.findElement(By.id("compare")).getAttribute("title").contains(oneEpoch), driver.findElement(By.id("compare")).getAttribute("title"));
        // the filter cleared: every selected run is shown again
        driver.findElement(By.id("filter")).clear();
        chrome.js("document.getElementById('filter').dispatchEvent(new Event('input'));");
        chrome.waitFor(10).until(d -> d.findElements(By.cssSelector("#runs tbody tr")).size() == 3);
        chrome.waitFor(10).until(d -> d.findElement(By.id("compare")).getText().equals("Compare selected (3)"));
    }

    @Test
    void a_status_that_is_none_is_named_not_silently_ignored() {
        driver.get(base + "/index.html?status=bogus");
        chrome.waitFor(10).until(d -> d.findElements(By.cssSelector("#runs tbody tr")).size() == 3);
        assertEquals("'bogus' is not a status (queued, running, finished, diverged, failed, cancelled, interrupted): runs of any status are shown",
                driver.findElement(By.id("error")).getText());
        // choosing a status puts the message away
        new org.openqa.selenium.support.ui.Select(driver.findElement(By.id("status"))).selectByVisibleText("diverged");
        chrome.waitFor(10).until(d -> d.findElements(By.cssSelector("#runs tbody tr")).size() == 1);
        assertEquals("", driver.findElement(By.id("error")).getText());
    }

    @Test
    void the_runs_table_and_its_filter_box_fit_a_1400_px_window() throws IOException {
        driver.get(base + "/index.html");
        chrome.waitFor(10).until(d -> d.findElements(By.cssSelector("#runs tbody tr")).size() == 3);
        assertEquals(1400L, chrome.js("return window.outerWidth;"));
        Number over = (Number) chrome.js("const w = document.querySelector('.table-wrap'); return w.scrollWidth - w.clientWidth;");
        assertEquals(0, over.intValue(), "the table fits: its tags and worker columns are not cut off");
        Number right = (Number) chrome.js("return document.querySelector('#runs th:last-child').getBoundingClientRect().right - document.documentElement.clientWidth;");
        assertTrue(right.doubleValue() <= 0, "the worker column inside the window: " + right);
        // the placeholder fits its box with a tenth to spare: the system font of another machine may be wider than this one's
        Number room = (Number) chrome.js("const f = document.getElementById('filter'); const s = getComputedStyle(f);"
                + " const c = document.createElement('canvas').getContext('2d'); c.font = s.font;"
                + " return (f.clientWidth - parseFloat(s.paddingLeft) - parseFloat(s.paddingRight)) / c.measureText(f.placeholder).width;");
        assertTrue(room.doubleValue() >= 1.1, "the box's room for its placeholder, in widths of it: " + room);
        chrome.screenshot("runs-page-1400.png");
    }
}
