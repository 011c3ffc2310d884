package sparselab.server;

import io.javalin.Javalin;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.TestInstance;
import org.openqa.selenium.By;
import org.openqa.selenium.Keys;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.WebElement;
import sparselab.log.Blob;
import sparselab.log.RunEvent;
import sparselab.store.EventLog;
import sparselab.store.Lease;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The pages in headless Chromium on runs written as events (no trainer): the compare page's charts, diff,
 * galleries and epoch control, the run page, the runs table's filter and the launch form's field errors.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class PagesBrowserTest {
    @RegisterExtension static final Chrome chrome = new Chrome();
    Path dir;
    EventLog log;
    Javalin app;
    WebDriver driver;
    String base;
    String sparse;
    String plain;

    @BeforeAll
    void start() throws IOException {
        dir = Files.createTempDirectory("sparselab-pages");
        log = TestLogs.open(dir, "pages.db");
        sparse = Fixtures.trained(log, Map.of("data", "bars", "beta", "3", "rho", "0.1", "epochs", "8"), 8, 16, 8, 6);
        plain = Fixtures.trained(log, Map.of("data", "bars", "beta", "0", "rho", "0.1", "epochs", "8"), 8, 16, 8, null);
        app = Fixtures.pagesServer(log);
        base = "http://127.0.0.1:" + app.port();
        driver = chrome.driver();
    }

    @AfterAll
    void stop() {
        Fixtures.stopPages(app, log, dir);
    }

    @Test
    void an_element_the_page_redrew_between_a_find_and_a_read_is_found_again() {
        // the live pages redraw rows between a test's find and its read; the driver's elements look again
        driver.get("data:text/html,<table><tbody id=t><tr><td class=c title=one>1</td></tr><tr><td class=c>2</td></tr></tbody></table>");
        WebElement cell = driver.findElement(By.cssSelector("td.c"));
        List<WebElement> cells = driver.findElements(By.cssSelector("td.c"));
        WebElement inRow = driver.findElement(By.id("t")).findElement(By.cssSelector("tr:last-child td"));
        chrome.js("document.getElementById('t').innerHTML = '<tr><td class=c title=two>3</td></tr><tr><td class=c>4</td></tr>';");
        assertEquals("two", cell.getAttribute("title"));
        assertEquals("3", cell.getText());
        assertEquals("4", cells.get(1).getText());
        assertEquals("4", inRow.getText());
        assertEquals("4", chrome.js("return arguments[0].textContent;", inRow), "a script gets the element found again");
        chrome.js("document.getElementById('t').innerHTML = '';");
        assertThrows(org.openqa.selenium.NoSuchElementException.class, cell::getText, "gone for good: no element, not a stale one");
    }

    @Test
    void the_run_page_says_what_a_queued_or_unknown_run_has_not_and_compare_offers_a_ladder_for_two_runs_only() throws Exception {
        // a log without runs: the runs page says how to start one (it said "0 runs" under the headings)
        EventLog empty = TestLogs.open(dir, "empty.db");
        Javalin emptyServer = Fixtures.pagesServer(empty);
        try {
            driver.get("http://127.0.0.1:" + emptyServer.port() + "/index.html");
            chrome.waitFor(10).until(d -> d.findElement(By.id("count")).getText().startsWith("no runs"));
            assertEquals("no runs in this log yet: \"Launch a run\" queues one, as do ./sparselab train and ./sparselab sweep in a terminal",
                    driver.findElement(By.id("count")).getText());
        } finally {
            emptyServer.stop();
            empty.close();
        }
        // a log of its own: the other tests count this class's runs
        EventLog own = TestLogs.open(dir, "states.db");
        String queued = Fixtures.queued(own, Map.of("data", "bars"));
        String a = Fixtures.trained(own, Map.of("data", "bars", "beta", "3", "epochs", "2"), 2, 16, 8, null);
        String b = Fixtures.trained(own, Map.of("data", "bars", "beta", "0", "epochs", "2"), 2, 16, 8, null);
        String inGroup = Fixtures.queued(own, Map.of("data", "bars", "beta", "1", "hidden", "9"), "sweep", "g");
        String twin = Fixtures.queued(own, Map.of("data", "bars", "beta", "0", "hidden", "9"), "sweep", "g");
        Javalin server = Fixtures.pagesServer(own);
        String base = "http://127.0.0.1:" + server.port();
        try {
            states(base, queued, a, b);
            // an interrupted run: its timeline's first line says why it reads so (its newest event is only its start)
            Process gone = new ProcessBuilder("true").start();          // a trainer killed a moment ago, on this host
            assertTrue(gone.waitFor(10, java.util.concurrent.TimeUnit.SECONDS));
            String cut = Fixtures.queued(own, Map.of("data", "bars", "beta", "2"));
            own.append(cut, new RunEvent.Started(gone.pid(), sparselab.runs.Provenance.host(), 1, 0, null, Map.of()));
            driver.get(base + "/run.html?id=" + cut);
            By first = By.cssSelector("#timeline li:first-child");
            chrome.waitFor(10).until(d -> !d.findElements(By.cssSelector("#timeline li[data-type='interrupted']")).isEmpty());
            String line = driver.findElement(first).getText();
            assertTrue(line.startsWith("now interrupted: its trainer (pid " + gone.pid() + " on " + sparselab.runs.Provenance.host()
                    + ") stopped or was killed; its last heartbeat "), line);
            assertTrue(line.endsWith("(nothing is written when a trainer ends that way). Resume continues from the start (no checkpoint yet: "
                    + "the epochs logged are trained again, not logged again)"), line);
            driver.get(base + "/run.html?id=" + a);                     // a finished run has no such line
            chrome.waitFor(10).until(d -> !d.findElements(By.cssSelector("#timeline li")).isEmpty());
            assertTrue(driver.findElements(By.cssSelector("#timeline li[data-type='interrupted']")).isEmpty());
            // a run whose units are all dead at its newest measured snapshot: no stroke share of filters nobody uses
            String dead = Fixtures.trained(own, Map.of("data", "bars", "beta", "3", "epochs", "2", "seed", "9"), 2, 16, 8, null);
            own.append(dead, new RunEvent.FilterMeasures(2, 0.5, 1.0, 0.0, 0.0, 0.1, 0.375));
            driver.get(base + "/index.html");
            By deadCell = By.cssSelector("#runs tbody tr[data-run='" + dead + "'] td[data-figure='strokeShare']");
            chrome.waitFor(10).until(d -> !d.findElements(deadCell).isEmpty());
            assertEquals("all dead", driver.findElement(deadCell).getText());
            assertTrue(driver.findElement(deadCell).getAttribute("title").contains("stroke share 0.375"), driver.findElement(deadCell).getAttribute("title"));
            By aliveCell = By.cssSelector("#runs tbody tr[data-run='" + a + "'] td[data-figure='strokeShare']");
            assertTrue(!"all dead".equals(driver.findElement(aliveCell).getText()));
            // and so does its measures table on the compare page
            driver.get(base + "/compare.html?runs=" + dead + "," + a);
            By deadMeasure = By.cssSelector("#galleries table.measures[data-run='" + dead + "'] tr[data-measure='strokeShare'] td:last-child");
            chrome.waitFor(10).until(d -> "all dead".equals(d.findElement(deadMeasure).getText()));
            assertTrue(driver.findElement(deadMeasure).getAttribute("title").startsWith("stroke share 0.375 of filters no unit uses"),
                    driver.findElement(deadMeasure).getAttribute("title"));
            assertEquals("1", driver.findElement(By.cssSelector("#galleries table.measures[data-run='" + dead + "'] tr[data-measure='deadFraction'] td:last-child")).getText());
            // runs without a snapshot: the slider says so and does not move
            driver.get(base + "/compare.html?runs=" + queued + "," + twin);
            chrome.waitFor(10).until(d -> d.findElement(By.id("epoch-label")).getText().equals("no weight snapshot yet"));
            assertTrue(!driver.findElement(By.id("epoch")).isEnabled());
            // and their curves, none with a value yet, are lines that say so, not empty charts
            chrome.waitFor(10).until(d -> !d.findElements(By.cssSelector("#constant li[data-figure='loss']")).isEmpty());
            assertEquals(0L, chrome.js("return document.querySelectorAll('#charts canvas').length;"));
            assertEquals("loss (recon + decay + penalty): " + queued + " no epochs yet, " + twin + " no epochs yet",
                    driver.findElement(By.cssSelector("#constant li[data-figure='loss']")).getText());
            // a twin's page names its sparse run and compares with it; the sparse run's page compares with its twin
            driver.get(base + "/run.html?id=" + twin);
            chrome.waitFor(10).until(d -> d.findElement(By.id("sparse-of")).isDisplayed());
            // read in one step: the page redraws the links while the queued twin is followed live
            assertEquals(base + "/run.html?id=" + inGroup, chrome.js("return document.querySelector('#sparse-links a').href;"));
            assertEquals(base + "/compare.html?runs=" + inGroup + "," + twin, driver.findElement(By.id("compare-sparse")).getAttribute("href"));
            assertTrue(!driver.findElement(By.id("twin")).isDisplayed(), "a run with beta = 0 has no button to queue its twin");
            driver.get(base + "/run.html?id=" + inGroup);
            chrome.waitFor(10).until(d -> d.findElement(By.id("compare-twin")).isDisplayed());
            assertEquals(base + "/compare.html?runs=" + inGroup + "," + twin, driver.findElement(By.id("compare-twin")).getAttribute("href"));
            assertEquals(base + "/group.html?name=g", driver.findElement(By.id("group-link")).getAttribute("href"));
            // a run outside any group shows the group its twin was queued in, named after it
            String alone = Fixtures.queued(own, Map.of("data", "bars", "beta", "2", "hidden", "7"));
            String aloneTwin = Fixtures.queued(own, Map.of("data", "bars", "beta", "0", "hidden", "7"), "twin", alone);
            driver.get(base + "/run.html?id=" + alone);
            chrome.waitFor(10).until(d -> !d.findElements(By.id("group-link")).isEmpty());
            assertEquals(base + "/group.html?name=" + alone, driver.findElement(By.id("group-link")).getAttribute("href"));
            assertTrue(driver.findElement(By.id("summary")).getText().endsWith("group " + alone + " (with its twin)"),
                    driver.findElement(By.id("summary")).getText());
            assertEquals(base + "/compare.html?runs=" + alone + "," + aloneTwin, driver.findElement(By.id("compare-twin")).getAttribute("href"));
            // and so does its row in the runs table (a run in no group, and no group named after it, shows none)
            driver.get(base + "/index.html");
            By aloneGroup = By.cssSelector("#runs tbody tr[data-run='" + alone + "'] a.group-link");
            chrome.waitFor(10).until(d -> !d.findElements(aloneGroup).isEmpty());
            assertEquals(base + "/group.html?name=" + alone, driver.findElement(aloneGroup).getAttribute("href"));
            assertEquals(alone + " (with its twin)", driver.findElement(By.cssSelector("#runs tbody tr[data-run='" + alone + "'] td:nth-child(4)")).getText());
            assertTrue(driver.findElements(By.cssSelector("#runs tbody tr[data-run='" + a + "'] a.group-link")).isEmpty(), "run a is in no group");
            // a long run's timeline shows its newest events and says how many older ones it leaves out
            String longRun = Fixtures.trained(own, Map.of("data", "bars", "epochs", "400", "optimizer", "lbfgs", "batchSize", "0"), 400, 4, 4, null);
            int total = own.events(longRun).size();
            driver.get(base + "/run.html?id=" + longRun);
            chrome.waitFor(10).until(d -> !d.findElements(By.id("timeline-older")).isEmpty());
            assertTrue(driver.findElement(By.id("timeline-older")).getText().startsWith(String.format("%,d older events not shown", total - 100)),
                    driver.findElement(By.id("timeline-older")).getText());
            // an L-BFGS run's steps are iterations, in the timeline and the snapshot choice as in its summary
            assertTrue(driver.findElement(By.cssSelector("#timeline li")).getText().contains("finished after iteration 400"),
                    driver.findElement(By.cssSelector("#timeline li")).getText());
            assertEquals("iteration 400", chrome.js("const s = document.getElementById('snapshot'); return s.options[s.selectedIndex].text;"));
            startedLines(own, base, a);
        } finally {
            server.stop();
            own.close();
        }
    }

    /**
     * Each start in the timeline names the worker as /api/workers does, the trainer process, the step it starts from in
     * the run's own word and the lease: a dashboard pool's start, a takeover by a named worker after a checkpoint, a
     * trainer of its own (its host:pid is its name), and a start logged before workers were named and leases existed.
     */
    private void startedLines(EventLog own, String base, String unnamed) {
        String run = Fixtures.queued(own, Map.of("data", "bars", "epochs", "5", "optimizer", "lbfgs", "batchSize", "0"));
        Lease pool = own.claim(run, new RunEvent.Started(5678, "test-host", 2, 0, "f00d", Map.of(), null, "serve@test-host:1234"), r -> true).orElseThrow();
        pool.append(new RunEvent.EpochCompleted(1, 10.0, 8.0, 1.0, 0.1, 0.11, new double[] {0.1, 0.2}, 0.3, 0.9, 3L, 0.01, false, 9.0, 0.5, 1000));
        Blob state = Blob.of(new byte[] {1, 2, 3});
        pool.append(new RunEvent.Checkpoint(1, state.hash(), 3), state);
        own.claim(run, new RunEvent.Started(91, "lab-host", 1, 0, "f00d", Map.of(), null, "lab-2"), r -> true).orElseThrow();
        own.claim(run, new RunEvent.Started(77, "cli-host", 4, 0, "f00d", Map.of(), null, "cli-host:77"), r -> true).orElseThrow();
        driver.get(base + "/run.html?id=" + run);
        By started = By.cssSelector("#timeline li[data-type='started']");
        chrome.waitFor(10).until(d -> d.findElements(started).size() == 3);
        // the page of a running run is live and redraws itself: read its lines in one script
        @SuppressWarnings("unchecked")
        List<String> lines = (List<String>) chrome.js("return [...document.querySelectorAll(\"#timeline li[data-type='started']\")]"
                + ".map(li => li.innerText.replace(/^\\S+ \\S+ UTC /, ''));");
        assertEquals(List.of(
                "started by cli-host:77, a trainer of its own (4 threads), resuming after iteration 1, lease 3",
                "started by lab-2 (trainer pid 91 on lab-host, 1 thread), resuming after iteration 1, lease 2",
                "started by serve@test-host:1234 (trainer pid 5678 on test-host, 2 threads), from iteration 0, lease 1"), lines, "newest first");
        // a minibatch run's start written before workers and leases: its trainer process and its epoch
        driver.get(base + "/run.html?id=" + unnamed);
        chrome.waitFor(10).until(d -> !d.findElements(started).isEmpty());
        assertTrue(driver.findElement(started).getText().endsWith(" started by trainer pid 4242 on test-host (1 thread), from epoch 0"),
                driver.findElement(started).getText());
    }

    private void states(String base, String queued, String a, String b) {
        driver.get(base + "/run.html?id=" + queued);
        chrome.waitFor(10).until(d -> d.findElement(By.id("run-id")).getText().equals(queued));
        // the page shows its parts as each answers (the run's row first): wait for the epochs' and snapshots' parts
        chrome.waitFor(10).until(d -> d.findElement(By.id("no-epochs")).isDisplayed() && d.findElement(By.id("no-snapshot")).isDisplayed());
        assertTrue(!driver.findElement(By.id("curves-box")).isDisplayed() && !driver.findElement(By.id("gallery-box")).isDisplayed(),
                "no empty chart, no broken image");
        driver.get(base + "/run.html?id=r0000000000");
        chrome.waitFor(10).until(d -> d.findElement(By.id("error")).getText().contains("not found"));
        assertTrue(!driver.findElement(By.id("body")).isDisplayed() && !driver.findElement(By.id("csv")).isDisplayed(),
                "an unknown run shows its error alone");
        assertTrue(!driver.findElement(By.id("actions")).isDisplayed(), "no buttons for a run that is not there (four were shown disabled)");
        driver.get(base + "/compare.html?runs=" + a + "," + b + "," + queued);
        chrome.waitFor(10).until(d -> !d.findElements(By.cssSelector("#diff tbody tr")).isEmpty());
        assertTrue(!driver.findElement(By.id("ladder-box")).isDisplayed(), "the ladder goes from one run to one other");
        driver.get(base + "/compare.html?runs=" + a + "," + b);
        chrome.waitFor(10).until(d -> d.findElement(By.id("ladder-box")).isDisplayed());
    }

    @Test
    void draws_the_curves_the_diff_and_the_galleries_and_moves_them_with_one_epoch_control() {
        driver.get(base + "/compare.html?runs=" + sparse + "," + plain);
        chrome.waitFor(15).until(d -> (Boolean) chrome.js("const i = [...document.querySelectorAll('img.gallery-img')];"
                + " return i.length === 2 && i.every(x => x.complete && x.naturalWidth > 0);"));
        Number loss = (Number) chrome.js("return Chart.getChart(document.getElementById('chart-loss')).data.datasets.filter(s => s.data.length > 0).length;");
        assertEquals(3, loss.intValue(), "two curves and the divergence mark");
        assertEquals(chrome.js("const d = Chart.getChart(document.getElementById('chart-loss')).data.datasets;"
                        + " return d[0].borderColor;"),
                chrome.js("const d = Chart.getChart(document.getElementById('chart-loss')).data.datasets;"
                        + " return d.find(x => x.label === '" + sparse + " diverged').borderColor;"),
                "the divergence mark in its run's colour (the sparse run's curve is the first)");
        WebElement beta = driver.findElement(By.cssSelector("#diff tbody tr[data-key='beta']"));
        assertTrue(beta.getAttribute("class").contains("differs"));
        assertEquals(1, driver.findElements(By.cssSelector("#diff tbody tr")).size(), "only beta differs");
        @SuppressWarnings("unchecked")
        List<String> before = (List<String>) chrome.js("return [...document.querySelectorAll('img.gallery-img')].map(i => i.src);");
        assertTrue(before.get(0).contains("/snapshots/4/"), "the sparse run's last snapshot before it diverged: " + before.get(0));
        assertTrue(before.get(1).contains("/snapshots/8/"), before.get(1));
        driver.findElement(By.id("epoch")).sendKeys(Keys.HOME);
        chrome.waitFor(10).until(d -> (Boolean) chrome.js("return [...document.querySelectorAll('img.gallery-img')]"
                + ".every(i => i.src.includes('/snapshots/0/') && i.complete && i.naturalWidth > 0);"));
        @SuppressWarnings("unchecked")
        List<String> after = (List<String>) chrome.js("return [...document.querySelectorAll('img.gallery-img')].map(i => i.src);");
        assertNotEquals(before, after);
        chrome.waitFor(10).until(d -> d.findElements(By.cssSelector("#heatmaps canvas")).size() == 2);
        assertEquals("logarithmic", chrome.js("return Chart.getChart(document.getElementById('chart-recon')).options.scales.y.type;"));
        chrome.js("document.getElementById('logscale').click();");
        assertEquals("linear", chrome.js("return Chart.getChart(document.getElementById('chart-recon')).options.scales.y.type;"));
    }

    @Test
    void every_page_on_a_phone_is_laid_out_at_its_width_and_scrolls_nothing_but_its_tables_sideways() {
        // a phone lays a page without a viewport tag out 980 px wide and shrinks it; headless Chromium keeps a window
        // at least 500 px wide, so the phone is emulated
        var cdp = (org.openqa.selenium.chromium.HasCdp) ((org.openqa.selenium.WrapsDriver) driver).getWrappedDriver();
        cdp.executeCdpCommand("Emulation.setDeviceMetricsOverride", Map.of("width", 400, "height", 800, "deviceScaleFactor", 1, "mobile", true));
        try {
            Map<String, String> pages = new java.util.LinkedHashMap<>();
            pages.put("/index.html", "return document.querySelectorAll('#runs tbody tr').length > 0;");
            pages.put("/run.html?id=" + plain, "const i = document.getElementById('grid'); return i.complete && i.naturalWidth > 0;");
            pages.put("/compare.html?runs=" + sparse + "," + plain,
                    "return document.querySelectorAll('img.gallery-img').length === 2 && document.querySelectorAll('#charts canvas').length > 0;");
            pages.put("/launch.html", "return document.querySelectorAll('#fields label').length > 10;");
            pages.put("/workers.html", "return document.readyState === 'complete';");
            for (var page : pages.entrySet()) {
                driver.get(base + page.getKey());
                chrome.waitFor(15).until(d -> (Boolean) chrome.js(page.getValue()));
                assertEquals(400L, chrome.js("return innerWidth;"), page.getKey() + " laid out at the phone's width");
                Number scroll = (Number) chrome.js("return document.documentElement.scrollWidth - innerWidth;");
                assertTrue(scroll.intValue() <= 0, page.getKey() + ": " + scroll + " px too wide, widest: "
                        + chrome.js("return [...document.querySelectorAll('main *')].filter(e => e.getBoundingClientRect().right > innerWidth + 1"
                        + " && !e.closest('.table-wrap')).slice(0, 5).map(e => e.tagName + '#' + e.id + '.' + e.className).join(', ');"));
            }
        } finally {
            cdp.executeCdpCommand("Emulation.clearDeviceMetricsOverride", Map.of());
        }
    }

    @Test
    void shows_a_run_with_its_configuration_timeline_and_weights() {
        driver.get(base + "/run.html?id=" + plain);
        chrome.waitFor(10).until(d -> d.findElements(By.cssSelector("#timeline li[data-type='finished']")).size() == 1);
        chrome.waitFor(10).until(d -> (Boolean) chrome.js("const i = document.getElementById('grid'); return i.complete && i.naturalWidth > 0;"));
        assertTrue(driver.findElement(By.id("config")).getText().contains("estimator"));
        String summary = driver.findElement(By.id("summary")).getText();        // the data set by name, its fingerprint as such
        assertTrue(summary.startsWith("8/8 epochs · ") && summary.contains(" · data bars"), summary);
        assertEquals("epoch", chrome.js("return Chart.getChart(document.getElementById('curves')).options.scales.x.title.text;"));
        assertTrue(driver.findElement(By.id("cancel")).getAttribute("disabled") != null);
        assertTrue(driver.findElement(By.id("clone")).getAttribute("href").endsWith("/launch.html?from=" + plain));
        driver.findElement(By.id("grid")).click();                          // a filter enlarged; Esc closes it
        chrome.waitFor(10).until(d -> d.findElements(By.cssSelector(".overlay img")).size() == 1);
        driver.findElement(By.tagName("body")).sendKeys(org.openqa.selenium.Keys.ESCAPE);
        chrome.waitFor(5).until(d -> d.findElements(By.cssSelector(".overlay")).isEmpty());
        assertEquals(List.of(), Browser.cspViolations(driver), "the page keeps to its content security policy");
        // the policy holds: an inline style attribute, as injected markup would carry, is refused and reported
        chrome.js("document.body.insertAdjacentHTML('beforeend', '<p id=\"injected\" style=\"color: rgb(255, 0, 0)\">x</p>');");
        assertTrue(!Browser.cspViolations(driver).isEmpty(), "the inline style is reported as a violation");
        assertTrue(!"rgb(255, 0, 0)".equals(driver.findElement(By.id("injected")).getCssValue("color")), "and not applied");
    }

    @Test
    void the_run_page_and_the_compare_tooltips_show_a_divergence_flags_cause_epoch_and_readable_detail() {
        // a log of its own: the other tests count this class's runs and flags
        EventLog own = TestLogs.open(dir, "flags.db");
        String flagged = Fixtures.trained(own, Map.of("data", "bars", "beta", "3", "epochs", "3"), 3, 16, 8, null);
        String other = Fixtures.trained(own, Map.of("data", "bars", "beta", "0", "epochs", "3"), 3, 16, 8, null);
        own.append(flagged, new RunEvent.DivergenceFlag(2, "rho_hat_outside",
                "rho_hat of 3 unit(s) left (0, 1) (over the epoch's batches: min 0.00000000000000000001764, max 1.002)", 3));
        Javalin server = Fixtures.pagesServer(own);
        String base = "http://127.0.0.1:" + server.port();
        try {
            driver.get(base + "/run.html?id=" + flagged);
            By flag = By.cssSelector("#timeline li[data-type='divergence_flag']");
            chrome.waitFor(10).until(d -> !d.findElements(flag).isEmpty());
            String line = driver.findElement(flag).getText();
            assertTrue(line.endsWith("divergence flag rho_hat_outside at epoch 2: rho_hat of 3 unit(s) left (0, 1) (over the epoch's batches: min 1.764e-20, max 1.002)"), line);
            // the compare page marks the flag on its curves; its tooltip says the same, as readably
            driver.get(base + "/compare.html?runs=" + flagged + "," + other);
            chrome.waitFor(10).until(d -> (Boolean) chrome.js("const c = Chart.getChart(document.getElementById('chart-loss'));"
                    + " return !!c && c.data.datasets.some(s => s.label.endsWith(' flags'));"));
            assertEquals("rho_hat_outside: rho_hat of 3 unit(s) left (0, 1) (over the epoch's batches: min 1.764e-20, max 1.002)",
                    chrome.js("const c = Chart.getChart(document.getElementById('chart-loss'));"
                            + " const s = c.data.datasets.find(x => x.label.endsWith(' flags'));"
                            + " return c.options.plugins.tooltip.callbacks.label({ raw: s.data[0], dataset: s });"));
        } finally {
            server.stop();
            own.close();
        }
    }

    @Test
    void the_launch_form_falls_back_to_the_defaults_for_an_unknown_run_or_preset_and_still_queues() {
        // a log of its own: the other tests count this class's runs
        EventLog own = TestLogs.open(dir, "launch.db");
        Javalin server = Fixtures.pagesServer(own);
        String base = "http://127.0.0.1:" + server.port();
        try {
            driver.get(base + "/launch.html?from=r0000000000");
            chrome.waitFor(10).until(d -> !d.findElement(By.id("form-error")).getText().isBlank());
            assertEquals("run 'r0000000000' not found; starting from the defaults", driver.findElement(By.id("form-error")).getText());
            chrome.waitFor(10).until(d -> !d.findElement(By.id("key-beta")).getAttribute("placeholder").isBlank());
            assertEquals("", driver.findElement(By.id("key-beta")).getAttribute("value"), "the defaults, as placeholders");
            // the form is the page's: "Queue run" posts the launch and opens the new run, not a native GET to itself
            driver.findElement(By.id("key-data")).sendKeys("bars");
            driver.findElement(By.id("key-epochs")).sendKeys("2");
            driver.findElement(By.id("submit")).click();
            chrome.waitFor(10).until(d -> d.getCurrentUrl().contains("/run.html?id="));
            assertEquals(1, own.runs().size(), "the launch queued its run");
            assertTrue(own.runs().get(0).config().contains("bars"), own.runs().get(0).config());

            driver.get(base + "/launch.html?preset=nope");
            chrome.waitFor(10).until(d -> !d.findElement(By.id("form-error")).getText().isBlank());
            String said = driver.findElement(By.id("form-error")).getText();
            assertTrue(said.startsWith("'nope' is not a preset (the presets: ") && said.contains("ufldl") && said.endsWith("; starting from the defaults"), said);
            assertEquals("", chrome.js("return document.getElementById('preset').value;"));
            driver.get(base + "/launch.html?preset=ufldl");
            chrome.waitFor(10).until(d -> "ufldl".equals(chrome.js("return document.getElementById('preset').value;")));
            assertEquals("", driver.findElement(By.id("form-error")).getText(), "a known preset needs no word");
        } finally {
            server.stop();
            own.close();
        }
    }

    @Test
    void the_runs_pages_status_filter_is_kept_in_the_address_and_its_empty_answer_names_no_key_value_rule_or_an_unknown_key() {
        // the class's runs: the sparse one diverged, the plain one finished, none was cancelled
        driver.get(base + "/index.html?status=cancelled");
        chrome.waitFor(10).until(d -> !d.findElement(By.id("count")).getText().isBlank());
        assertEquals("cancelled", chrome.js("return document.getElementById('status').value;"), "the status from the address");
        assertEquals("no cancelled run", driver.findElement(By.id("count")).getText(), "no key=value rule for a filter without one");
        assertTrue(driver.findElements(By.cssSelector("#runs tbody tr")).isEmpty());
        new org.openqa.selenium.support.ui.Select(driver.findElement(By.id("status"))).selectByVisibleText("diverged");
        chrome.waitFor(10).until(d -> d.findElements(By.cssSelector("#runs tbody tr")).size() == 1);
        assertEquals(sparse, driver.findElement(By.cssSelector("#runs tbody tr")).getAttribute("data-run"));
        assertTrue(driver.getCurrentUrl().endsWith("?status=diverged"), "the address keeps the status: " + driver.getCurrentUrl());
        driver.navigate().refresh();
        chrome.waitFor(10).until(d -> d.findElement(By.id("count")).getText().equals("1 run"));
        assertEquals("diverged", chrome.js("return document.getElementById('status').value;"), "and a reload keeps it");
        assertEquals(sparse, driver.findElement(By.cssSelector("#runs tbody tr")).getAttribute("data-run"));
        // a text without key=value that matches nothing: no rule of key=value either; with one, the rule
        driver.findElement(By.id("filter")).sendKeys("nothing-like-this");
        chrome.waitFor(10).until(d -> d.findElement(By.id("count")).getText().equals("no diverged run matches this filter"));
        assertTrue(driver.getCurrentUrl().contains("q=nothing-like-this") && driver.getCurrentUrl().contains("status=diverged"), driver.getCurrentUrl());
        driver.get(base + "/index.html?q=beta%3D3.5");
        chrome.waitFor(10).until(d -> d.findElement(By.id("count")).getText()
                .equals("no run matches this filter (key=value matches a whole value: beta=0.3 does not find 0.35)"));
        assertEquals("", chrome.js("return document.getElementById('status').value;"));
        // a key that is no configuration key (a typo): named, as runs -q names it, not the rule of whole values
        driver.get(base + "/index.html?q=betta%3D3");
        chrome.waitFor(10).until(d -> !d.findElement(By.id("count")).getText().isBlank());
        assertEquals("no run matches this filter: betta=3: unknown key (did you mean beta?)", driver.findElement(By.id("count")).getText());
    }

    @Test
    void compare_of_two_runs_of_one_configuration_counts_their_seeds_says_no_key_differs_and_offers_no_ladder() {
        // a log of its own: the other tests count this class's runs
        EventLog own = TestLogs.open(dir, "same.db");
        Map<String, String> config = Map.of("data", "bars", "beta", "3", "epochs", "3", "seed", "1");
        String a = Fixtures.trained(own, config, 3, 16, 8, null);
        String b = Fixtures.trained(own, config, 3, 16, 8, null);
        String c = Fixtures.trained(own, Map.of("data", "bars", "beta", "3", "epochs", "3", "seed", "2"), 3, 16, 8, null);
        Javalin server = Fixtures.pagesServer(own);
        String base = "http://127.0.0.1:" + server.port();
        String labels = "const c = Chart.getChart(document.getElementById('chart-loss'));"
                + " return c ? c.data.datasets.filter(s => s.mean).map(s => s.label) : null;";
        try {
            driver.get(base + "/compare.html?runs=" + a + "," + b);
            chrome.waitFor(10).until(d -> chrome.js(labels) != null);
            assertEquals(List.of("all runs (2 runs, 1 seed)"), chrome.js(labels), "both runs use seed 1");
            assertEquals("1 configuration of 2 runs", driver.findElement(By.id("by-seed-note")).getText());
            assertEquals(List.of("no key differs: the runs have the same configuration"),
                    driver.findElements(By.cssSelector("#diff tbody tr")).stream().map(WebElement::getText).toList());
            assertTrue(!driver.findElement(By.id("ladder-box")).isDisplayed(), "the ladder API refuses identical configurations");
            // replicates of two seeds: counted as seeds, the seed row in the diff, and a ladder (over the seed) offered
            driver.get(base + "/compare.html?runs=" + a + "," + c);
            chrome.waitFor(10).until(d -> chrome.js(labels) != null);
            assertEquals(List.of("all runs (2 seeds)"), chrome.js(labels));
            assertEquals(List.of("seed"), driver.findElements(By.cssSelector("#diff tbody tr")).stream().map(r -> r.getAttribute("data-key")).toList());
            assertTrue(driver.findElement(By.id("ladder-box")).isDisplayed());
            // three runs, two seeds: both counts
            driver.get(base + "/compare.html?runs=" + a + "," + b + "," + c);
            chrome.waitFor(10).until(d -> chrome.js(labels) != null);
            assertEquals(List.of("all runs (3 runs, 2 seeds)"), chrome.js(labels));
            assertEquals("1 configuration of 3 runs", driver.findElement(By.id("by-seed-note")).getText());
        } finally {
            server.stop();
            own.close();
        }
    }

    @Test
    void filters_the_runs_table_and_shows_field_errors_in_the_launch_form() {
        driver.get(base + "/index.html");
        chrome.waitFor(10).until(d -> d.findElements(By.cssSelector("#runs tbody tr")).size() == 2);
        assertEquals(2, driver.findElements(By.cssSelector("#runs tbody td[data-figure='strokeShare']")).size(), "a strokes column");
        // every cell under its heading: as many cells as headings, the stroke share under "strokes"
        assertEquals(List.of(true, "strokes"), chrome.js("const h = [...document.querySelectorAll('#runs thead th')].map(x => x.textContent);"
                + " const r = document.querySelector('#runs tbody tr'); const cells = [...r.children];"
                + " return [h.length === cells.length, h[cells.indexOf(r.querySelector(\"td[data-figure='strokeShare']\"))]];"));
        driver.findElement(By.id("filter")).sendKeys("beta=0");
        chrome.waitFor(10).until(d -> d.findElements(By.cssSelector("#runs tbody tr")).size() == 1);
        assertEquals(plain, driver.findElement(By.cssSelector("#runs tbody tr")).getAttribute("data-run"));
        assertTrue(driver.getCurrentUrl().contains("q=beta%3D0"), "the address keeps the filter: " + driver.getCurrentUrl());
        driver.findElement(By.id("filter")).sendKeys(".0");               // beta=0.0: the number 0, as --set reads it
        chrome.waitFor(10).until(d -> driver.getCurrentUrl().contains("q=beta%3D0.0"));
        chrome.waitFor(10).until(d -> d.findElements(By.cssSelector("#runs tbody tr")).size() == 1);
        assertEquals(plain, driver.findElement(By.cssSelector("#runs tbody tr")).getAttribute("data-run"));
        driver.findElement(By.id("filter")).sendKeys("1");                // beta=0.01: no run
        chrome.waitFor(10).until(d -> d.findElements(By.cssSelector("#runs tbody tr")).isEmpty());
        chrome.waitFor(10).until(d -> d.findElement(By.id("count")).getText().startsWith("no run matches this filter"));

        driver.get(base + "/launch.html?from=" + sparse);
        chrome.waitFor(10).until(d -> "3".equals(d.findElement(By.id("key-beta")).getAttribute("value")));
        WebElement lr = driver.findElement(By.id("key-learningRate"));
        lr.clear();
        lr.sendKeys("-1");
        driver.findElement(By.id("submit")).click();
        chrome.waitFor(10).until(d -> !d.findElement(By.id("err-learningRate")).getText().isBlank());
        assertTrue(lr.getAttribute("class").contains("invalid"));
        assertEquals(2, log.runs().size(), "the refused launch queued nothing");
        // a decimal comma is refused as typed (a number field sent '0,3' as '03': beta 3 queued without a word), and
        // letters are not dropped for the preset's value
        WebElement beta = driver.findElement(By.id("key-beta"));
        beta.clear();
        beta.sendKeys("0,3");
        driver.findElement(By.id("submit")).click();
        chrome.waitFor(10).until(d -> !d.findElement(By.id("err-beta")).getText().isBlank());
        assertTrue(driver.findElement(By.id("err-beta")).getText().startsWith("'0,3' is not a number (a decimal takes a point: 0.3"),
                driver.findElement(By.id("err-beta")).getText());
        assertEquals(2, log.runs().size(), "the refused launch queued nothing");
        beta.clear();
        beta.sendKeys("abc");
        driver.findElement(By.id("submit")).click();
        chrome.waitFor(10).until(d -> d.findElement(By.id("err-beta")).getText().startsWith("'abc'"));
        beta.clear();
        beta.sendKeys("1e999");
        driver.findElement(By.id("submit")).click();
        chrome.waitFor(10).until(d -> d.findElement(By.id("err-beta")).getText().equals("'1e999' is not a finite number"));
        String said = driver.findElement(By.id("form-error")).getText();
        assertTrue(said.contains("beta: '1e999' is not a finite number"), said);
        assertEquals(2, log.runs().size(), "the refused launch queued nothing");

        // ten fields wrong at once, and a group name that is refused: each is marked (found 2026-12-02 by a new user's
        // walkthrough: the message ended "and 2 more" and those two fields, and the group, were not marked)
        List<String> wrong = List.of("beta", "rho", "learningRate", "hidden", "epochs", "batchSize", "weightDecay", "dropout", "limit", "lrDecay");
        chrome.js("for (const k of arguments[0]) { const i = document.getElementById('k-' + k) || document.querySelector(`[name='${k}']`); i.value = 'x'; }", wrong);
        driver.findElement(By.id("group")).sendKeys("a group with spaces");
        driver.findElement(By.id("submit")).click();
        chrome.waitFor(10).until(d -> d.findElement(By.id("form-error")).getText().contains("more"));
        @SuppressWarnings("unchecked")
        List<String> marked = (List<String>) chrome.js("return [...document.querySelectorAll('[aria-invalid=true]')].map(i => i.id || i.name);");
        assertEquals(11, marked.size(), "each wrong field and the group marked: " + marked);
        assertTrue(marked.contains("group"), marked.toString());
        for (String k : wrong) assertFalse(driver.findElement(By.id("err-" + k)).getText().isBlank(), k);
        assertEquals(2, log.runs().size(), "the refused launch queued nothing");
    }
}
