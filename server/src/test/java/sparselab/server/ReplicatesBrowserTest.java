package sparselab.server;

import io.javalin.Javalin;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.TestInstance;
import org.openqa.selenium.By;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.WebElement;
import sparselab.config.ConfigKeys;
import sparselab.log.RunEvent;
import sparselab.store.EventLog;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Replicates on the pages, in headless Chromium on runs written as events: a sweep of beta with 2 seeds per value
 * (the group page's points table, its sweep charts as mean lines with ±sd bands, the stroke share column), a ladder
 * with 2 seeds per step (its effects with intervals), and the compare page of the replicates (mean ± sd over seeds).
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ReplicatesBrowserTest {
    @RegisterExtension static final Chrome chrome = new Chrome();
    /** Per beta (0, 3), per seed (1, 2): the loss of epoch 1; epoch e has L / e. */
    static final double[][] L = {{4, 6}, {10, 14}};
    /** Per beta, per seed: the stroke share of the last snapshot (half of it at epoch 1). */
    static final double[][] STROKES = {{0.2, 0.4}, {0.6, 0.6}};
    static final int EPOCHS = 3;
    /** The ladder's epoch-1 losses per step (beta 0.1; beta 3; beta 3 and decay 0.003), per seed. */
    static final double[][] LADDER = {{4, 6}, {10, 14}, {60, 62}};

    Path dir;
    String db;
    EventLog log;
    Javalin app;
    WebDriver driver;
    String base;
    List<String> sweep = new ArrayList<>();   // beta 0 seed 1, beta 0 seed 2, beta 3 seed 1, beta 3 seed 2

    @BeforeAll
    void start() throws IOException {
        dir = Files.createTempDirectory("sparselab-replicates");
        db = TestLogs.newDb(dir, "replicates.db");
        log = EventLog.open(db);
        String[] betas = {"0", "3"};
        for (int b = 0; b < 2; b++) {
            for (int s = 0; s < 2; s++) {
                String id = Fixtures.queued(log, Map.of("data", "bars", "beta", betas[b], "seed", Integer.toString(1 + s), "epochs", "3"), "sweep", "seeds");
                sweep.add(written(id, L[b][s], STROKES[b][s]));
            }
        }
        log.append(sweep.get(1), new RunEvent.DivergenceFlag(2, "loss_rising", "loss rose 3 epochs in a row", null));
        // a ladder from (beta 0.1, no decay) to (beta 3, decay 0.003), two seeds per step
        List<List<String>> changed = List.of(List.of(), List.of("beta"), List.of("weightDecay"));
        for (int step = 0; step < 3; step++) {
            for (int s = 0; s < 2; s++) {
                Map<String, String> c = new HashMap<>(Map.of("data", "bars", "beta", step == 0 ? "0.1" : "3", "weightDecay", step == 2 ? "0.003" : "0",
                        "seed", Integer.toString(1 + s), "epochs", "3"));
                var ls = new RunEvent.LadderStep("rAAAAAAAAAA", "rBBBBBBBBBB", step, 3, changed.get(step), null);
                String id = log.create(new RunEvent.Created(ConfigKeys.build(c).toMap(), null, "f00d", Map.of(), "ladder", "lseeds", ls));
                written(id, LADDER[step][s], STROKES[Math.min(step, 1)][s]);
            }
        }
        app = Fixtures.pagesServer(log);
        base = "http://127.0.0.1:" + app.port();
        driver = chrome.driver();
    }

    /** Three epochs of loss l / e (held-out half of it), a snapshot and filter measures at epochs 1 and 3, finished. */
    private String written(String id, double l, double stroke) {
        log.append(id, new RunEvent.Started(4242, "test-host", 1, 0, "f00d", Map.of()));
        for (int e = 1; e <= EPOCHS; e++) {
            double[] rho = {0.05, 0.1, 0.15, 0.2};
            log.append(id, new RunEvent.EpochCompleted(e, l / e, 0.8 * l / e, 1.0 / e, 0.1, 0.1 + 0.01 * e, rho, 0.3 / e, 0.9,
                    0, 0.0, false, l / (2 * e), 0.5, 1000));
            if (e == 1 || e == EPOCHS) {
                Fixtures.snapshot(log, id, e, 4, 4);
                log.append(id, new RunEvent.FilterMeasures(e, 0.3, 0.0, 0.0, 0.51234, 0.6, e == EPOCHS ? stroke : stroke / 2));
            }
        }
        log.append(id, new RunEvent.Finished(EPOCHS, l / EPOCHS, l / (2 * EPOCHS)));
        return id;
    }

    @AfterAll
    void stop() {
        Fixtures.stopPages(app, log, dir);
    }

    private static double mean(double a, double b) { return (a + b) / 2; }

    private static double sd(double a, double b) { return Math.abs(a - b) / Math.sqrt(2); }

    private static double d(Object o) { return ((Number) o).doubleValue(); }

    @SuppressWarnings("unchecked")
    private List<Object> list(Object o) { return (List<Object>) o; }

    @Test
    void the_group_page_of_a_sweep_with_seeds_shows_points_bands_and_the_stroke_share() throws IOException {
        driver.get(base + "/group.html?name=seeds");
        chrome.waitFor(10).until(d -> d.findElements(By.cssSelector("#group tbody tr")).size() == 4);
        chrome.waitFor(10).until(d -> d.findElements(By.cssSelector("#points tbody tr")).size() == 2);

        // the stroke share column of the runs' table
        assertEquals(1, driver.findElements(By.cssSelector("#group thead th[data-measure='strokeShare']")).size());
        assertTrue(driver.findElement(By.cssSelector("#group thead th[data-measure='strokeShare']")).getAttribute("title").contains("pen strokes"));
        WebElement first = driver.findElement(By.cssSelector("#group tbody tr[data-run='" + sweep.get(0) + "']"));
        assertEquals("0.2", first.findElement(By.cssSelector("td[data-measure='strokeShare']")).getText());

        // the points table: mean ± sd over the 2 seeds of each beta
        assertTrue(driver.findElement(By.id("points-box")).isDisplayed());
        WebElement p0 = driver.findElement(By.cssSelector("#points tbody tr[data-point='beta=0']"));
        assertEquals("2/2", p0.findElements(By.cssSelector("td")).get(1).getText());
        WebElement loss = p0.findElement(By.cssSelector("td[data-figure='loss']"));
        assertEquals(mean(4, 6) / EPOCHS, Double.parseDouble(loss.getAttribute("data-mean")), 1e-9);
        assertEquals(sd(4, 6) / EPOCHS, Double.parseDouble(loss.getAttribute("data-sd")), 1e-9);
        assertEquals(12.706205 * sd(4, 6) / EPOCHS / Math.sqrt(2), Double.parseDouble(loss.getAttribute("data-half")), 1e-6);
        assertTrue(loss.getText().contains("±") && loss.getText().contains("95%"), loss.getText());
        WebElement stroke = p0.findElement(By.cssSelector("td[data-figure='strokeShare']"));
        assertEquals(0.3, Double.parseDouble(stroke.getAttribute("data-mean")), 1e-9);
        assertFalse(driver.findElement(By.id("effects-box")).isDisplayed(), "effects are a ladder's");

        // the sweep charts: against beta only (not the seed), one mean line with its band per chart
        chrome.waitFor(10).until(d -> (Boolean) chrome.js("return !!Chart.getChart(document.querySelector(\"#sweep-charts canvas[data-key='beta'][data-figure='loss']\"));"));
        assertEquals(0L, chrome.js("return document.querySelectorAll(\"#sweep-charts canvas[data-key='seed']\").length;"));
        Map<String, Object> chart = (Map<String, Object>) chrome.js("const c = Chart.getChart(document.querySelector(\"#sweep-charts canvas[data-key='beta'][data-figure='loss']\"));"
                + " const ds = c.data.datasets;"
                + " return { means: ds.filter(s => s.mean).map(s => s.data.map(p => p.y)),"
                + "   upper: ds.filter(s => s.bandEdge === 'upper').map(s => s.data.map(p => p.y)),"
                + "   lower: ds.filter(s => s.bandEdge === 'lower').map(s => s.data.map(p => p.y)),"
                + "   fill: ds.filter(s => s.bandEdge === 'lower').map(s => s.fill), all: ds.length };");
        List<Object> means = list(list(chart.get("means")).get(0));
        assertEquals(1, list(chart.get("means")).size());
        assertEquals(3L, chart.get("all"), "a mean line, an upper and a lower edge; no marker per seed");
        assertEquals(mean(4, 6) / EPOCHS, d(means.get(0)), 1e-9);
        assertEquals(mean(10, 14) / EPOCHS, d(means.get(1)), 1e-9);
        assertEquals((mean(4, 6) + sd(4, 6)) / EPOCHS, d(list(list(chart.get("upper")).get(0)).get(0)), 1e-9);
        assertEquals((mean(10, 14) - sd(10, 14)) / EPOCHS, d(list(list(chart.get("lower")).get(0)).get(1)), 1e-9);
        assertEquals("-1", String.valueOf(list(chart.get("fill")).get(0)), "the lower edge is filled up to the upper");
        assertEquals(1L, chrome.js("return document.querySelectorAll(\"#sweep-charts canvas[data-figure='strokeShare']\").length;"));
        chrome.screenshot("group-seeds.png");
        chrome.js("document.getElementById('sweep').scrollIntoView();");
        chrome.screenshot("group-seeds-charts.png");
    }

    /**
     * The terminal's `group` table writes every point's mean and sd as the page's points table does (mean +- sd for
     * mean ± sd): the same digits, also where a small sd would have read 2.309e-05 in the terminal and 0.0000231 on the
     * page.
     */
    @Test
    void the_group_command_writes_each_points_mean_and_sd_as_the_group_page_does() {
        driver.get(base + "/group.html?name=seeds");
        chrome.waitFor(10).until(d -> d.findElements(By.cssSelector("#points tbody tr")).size() == 2);
        java.io.StringWriter out = new java.io.StringWriter();
        picocli.CommandLine cl = sparselab.cli.ExitCodes.install(new picocli.CommandLine(new sparselab.groups.GroupCommand()));
        cl.setOut(new java.io.PrintWriter(out, true));
        assertEquals(0, cl.execute("--db", db, "seeds"));
        List<String> lines = out.toString().lines().toList();
        int at = lines.indexOf(lines.stream().filter(l -> l.startsWith("point ")).findFirst().orElseThrow(() -> new AssertionError(out)));
        String header = lines.get(at);
        // the page's figures and the terminal's column titles
        Map<String, String> columns = Map.of("loss", "loss", "heldout", "held-out", "meanActivation", "mean act.", "locality", "locality",
                "deadFraction", "dead", "saturatedFraction", "satur.", "lifetimeSparsity", "lifetime", "digitLikeness", "digit", "strokeShare", "strokes");
        int compared = 0;
        for (String point : List.of("beta=0", "beta=3")) {
            String line = lines.stream().skip(at).filter(l -> l.startsWith(point + " ")).findFirst().orElseThrow(() -> new AssertionError(out));
            for (WebElement td : driver.findElements(By.cssSelector("#points tbody tr[data-point='" + point + "'] td[data-figure]"))) {
                String title = columns.get(td.getAttribute("data-figure"));
                if (title == null || td.getText().isBlank()) continue;
                String page = td.getText().lines().findFirst().orElseThrow().replace(" ± ", " +- ");
                int end = header.indexOf(" " + title) + 1 + title.length();
                assertEquals(page, line.substring(end - 23, end).trim(), point + " " + title + "\n" + out);
                compared++;
            }
        }
        assertEquals(2 * columns.size(), compared, "every figure of both points compared");

        // and the runs' table: each run's figures as the page's run table writes them (the filter measures to 3 digits)
        String runsHeader = lines.stream().filter(l -> l.startsWith("run ")).findFirst().orElseThrow(() -> new AssertionError(out));
        List<String> heads = driver.findElements(By.cssSelector("#group thead th")).stream().map(WebElement::getText).toList();
        Map<String, String> runColumns = Map.of("loss", "loss", "held-out", "held-out", "mean act.", "mean act.", "locality", "locality",
                "dead", "dead", "saturated", "satur.", "lifetime sp.", "lifetime", "digit-like", "digit", "strokes", "strokes");
        int cells = 0;
        for (String id : sweep) {
            String line = lines.stream().filter(l -> l.startsWith(id + " ")).findFirst().orElseThrow(() -> new AssertionError(out));
            List<WebElement> tds = driver.findElements(By.cssSelector("#group tbody tr[data-run='" + id + "'] td"));
            for (int i = 0; i < heads.size(); i++) {
                String title = runColumns.get(heads.get(i));
                if (title == null) continue;
                int end = runsHeader.indexOf(" " + title + " ") + 1 + title.length();
                int width = List.of("loss", "held-out", "mean act.").contains(title) ? 10 : 9;
                String page = tds.get(i).getText().equals("—") ? "-" : tds.get(i).getText();
                assertEquals(page, line.substring(end - width, end).trim(), id + " " + title + "\n" + out);
                cells++;
            }
        }
        assertEquals(sweep.size() * runColumns.size(), cells, "every figure of every run compared");
    }

    /**
     * A sweep of beta and rho with three seeds as a real one reads: every figure differs a little from seed to seed, so
     * each cell of the over-seeds table is a mean of 4 digits, an sd of 3 and an interval ("0.05504 ± 0.000203").
     */
    private void realisticSweep(String group) {
        for (String beta : List.of("0.3", "3")) {
            for (String rho : List.of("0.01", "0.1")) {
                for (int seed = 1; seed <= 3; seed++) {
                    double j = 1 + 0.0037 * seed;
                    String id = Fixtures.queued(log, Map.of("data", "bars", "beta", beta, "rho", rho, "seed", Integer.toString(seed), "epochs", "1"),
                            "sweep", group);
                    log.append(id, new RunEvent.Started(4242, "test-host", 1, 0, "f00d", Map.of()));
                    log.append(id, new RunEvent.EpochCompleted(1, 0.05483 * j, 0.04917 * j, 0.00466 * j, 0.001, 0.01234 * j, new double[] {0.01, 0.02},
                            0.3, 0.9, 0, 0.0, false, 0.06127 * j, 0.5, 1000));
                    Fixtures.snapshot(log, id, 1, 4, 4);
                    log.append(id, new RunEvent.FilterMeasures(1, 0.3127 * j, 0.0625 * j, 0.003125 * j, 0.8123 * j, 0.4567 * j, 0.1875 * j));
                    log.append(id, new RunEvent.Finished(1, 0.05483 * j, 0.06127 * j));
                }
            }
        }
    }

    /**
     * The words with a hyphen in the headings of table {@code arguments[0]} that are drawn over two lines ("digit-" over
     * "likeness"): each such word's text as a range, whose boxes lie on more than one line.
     */
    private static final String SPLIT_AT_HYPHEN = "const split = [];"
            + " for (const th of document.querySelectorAll(arguments[0] + ' thead th')) {"
            + "   const walk = document.createTreeWalker(th, NodeFilter.SHOW_TEXT);"
            + "   for (let n = walk.nextNode(); n; n = walk.nextNode()) {"
            + "     for (const m of n.data.matchAll(/\\S*-\\S*/g)) {"
            + "       const r = document.createRange(); r.setStart(n, m.index); r.setEnd(n, m.index + m[0].length);"
            + "       if (new Set([...r.getClientRects()].map(c => Math.round(c.top))).size > 1) split.push(m[0]);"
            + "     }"
            + "   }"
            + " }"
            + " return split;";

    /**
     * The over-seeds table fits a 1400 px window, with realistic figures and with a ladder's points named by their
     * change, its headings wrapping between words only ("digit-likeness" whole); a phone's width scrolls it inside
     * its box, not the page.
     */
    @Test
    void the_over_seeds_table_fits_a_1400_px_window_without_scrolling_in_its_box() throws IOException {
        realisticSweep("seeds-1400");
        assertEquals(1400L, chrome.js("return window.outerWidth;"));
        String fit = "const w = document.getElementById('points').parentElement;"
                + " return { over: w.scrollWidth - w.clientWidth, page: document.documentElement.scrollWidth - document.documentElement.clientWidth,"
                + " widths: [...document.querySelectorAll('#points thead th')].map(th => th.textContent + ' ' + th.offsetWidth) };";
        for (String group : List.of("seeds-1400", "lseeds")) {
            driver.get(base + "/group.html?name=" + group);
            chrome.waitFor(10).until(d -> d.findElements(By.cssSelector("#points tbody tr")).size() >= 3);
            Map<String, Object> at = (Map<String, Object>) chrome.js(fit);
            chrome.js("document.getElementById('points-box').scrollIntoView();");
            chrome.screenshot("group-over-seeds-" + group + "-1400.png");
            assertTrue(d(at.get("over")) <= 0, group + ": the table scrolls inside its box by " + at.get("over") + " px; its columns: " + at.get("widths"));
            assertEquals(List.of(), chrome.js(SPLIT_AT_HYPHEN, "#points"), group + ": headings split at their hyphen");
        }
        phoneScrollsInItsBox(fit);
    }

    /**
     * A ladder of four steps with three seeds a step as a real one reads: every figure moves a little from step to step
     * (up, within the seed noise, down) and differs a little from seed to seed, so each effect is a change of 3 digits
     * and a half-width of 3 ("+0.00552 ± 0.000554"), and a step changes one key or two.
     */
    private void realisticLadder(String group) {
        List<List<String>> changed = List.of(List.of(), List.of("beta"), List.of("weightDecay", "rho"), List.of("hidden"));
        double[] moved = {1, 1.1, 1.102, 0.95};
        for (int step = 0; step < changed.size(); step++) {
            for (int seed = 1; seed <= 3; seed++) {
                double j = (1 + 0.0037 * seed) * moved[step];
                Map<String, String> c = new HashMap<>(Map.of("data", "bars", "beta", step == 0 ? "0.3" : "3", "weightDecay", step >= 2 ? "0.0001" : "0",
                        "rho", step >= 2 ? "0.05" : "0.01", "hidden", step >= 3 ? "196" : "64", "seed", Integer.toString(seed), "epochs", "1"));
                var ls = new RunEvent.LadderStep("rAAAAAAAAAA", "rBBBBBBBBBB", step, changed.size(), changed.get(step), null);
                String id = log.create(new RunEvent.Created(ConfigKeys.build(c).toMap(), null, "f00d", Map.of(), "ladder", group, ls));
                log.append(id, new RunEvent.Started(4242, "test-host", 1, 0, "f00d", Map.of()));
                log.append(id, new RunEvent.EpochCompleted(1, 0.05483 * j, 0.04917 * j, 0.00466 * j, 0.001, 0.01234 * j, new double[] {0.01, 0.02},
                        0.3, 0.9, 0, 0.0, false, 0.06127 * j, 0.5, 1000));
                Fixtures.snapshot(log, id, 1, 4, 4);
                log.append(id, new RunEvent.FilterMeasures(1, 0.3127 * j, 0.0625 * j, 0.003125 * j, 0.8123 * j, 0.4567 * j, 0.1875 * j));
                log.append(id, new RunEvent.Finished(1, 0.05483 * j, 0.06127 * j));
            }
        }
    }

    /**
     * The effects table of a realistic ladder fits a 1400 px window, its headings wrapping between words only; a
     * phone's width scrolls it inside its box, not the page.
     */
    @Test
    void the_effects_table_fits_a_1400_px_window_without_scrolling_in_its_box() throws IOException {
        realisticLadder("ladder-1400");
        assertEquals(1400L, chrome.js("return window.outerWidth;"));
        String fit = "const w = document.getElementById('effects').parentElement;"
                + " return { over: w.scrollWidth - w.clientWidth, page: document.documentElement.scrollWidth - document.documentElement.clientWidth,"
                + " widths: [...document.querySelectorAll('#effects thead th')].map(th => th.textContent + ' ' + th.offsetWidth) };";
        driver.get(base + "/group.html?name=ladder-1400");
        chrome.waitFor(10).until(d -> d.findElements(By.cssSelector("#effects tbody tr")).size() == 3);
        String cell = driver.findElement(By.cssSelector("#effects tbody tr[data-step='1'] td[data-figure='loss']")).getText();
        // larger than its interval: the words a screen reader says for the highlight follow the numbers
        assertTrue(cell.matches("\\+0\\.0055\\d\\W±\\W0\\.000\\d+\\s*, larger than the seed noise"), "a realistic cell: " + cell);
        Map<String, Object> at = (Map<String, Object>) chrome.js(fit);
        chrome.js("document.getElementById('effects-box').scrollIntoView();");
        chrome.screenshot("group-effects-1400.png");
        assertTrue(d(at.get("over")) <= 0, "the table scrolls inside its box by " + at.get("over") + " px; its columns: " + at.get("widths"));
        assertEquals(List.of(), chrome.js(SPLIT_AT_HYPHEN, "#effects"), "headings split at their hyphen");
        phoneScrollsInItsBox(fit);
    }

    /**
     * The per-run table of the same realistic ladder fits a 1400 px window too (found 2026-12-02 by a new user's
     * walkthrough: 1,498 px, the stroke share out of view), its headings and step changes wrapping between words.
     */
    @Test
    void the_per_run_table_of_a_ladder_with_seeds_fits_a_1400_px_window() throws IOException {
        realisticLadder("runs-1400");
        String fit = "const w = document.getElementById('group').parentElement;"
                + " return { over: w.scrollWidth - w.clientWidth, page: document.documentElement.scrollWidth - document.documentElement.clientWidth,"
                + " widths: [...document.querySelectorAll('#group thead th')].map(th => th.textContent + ' ' + th.offsetWidth) };";
        driver.get(base + "/group.html?name=runs-1400");
        chrome.waitFor(10).until(d -> d.findElements(By.cssSelector("#group tbody tr")).size() == 12);
        Map<String, Object> at = (Map<String, Object>) chrome.js(fit);
        chrome.screenshot("group-runs-1400.png");
        assertTrue(d(at.get("over")) <= 0, "the table scrolls inside its box by " + at.get("over") + " px; its columns: " + at.get("widths"));
        assertEquals(List.of(), chrome.js(SPLIT_AT_HYPHEN, "#group"), "headings split at their hyphen");
        assertTrue(driver.findElement(By.cssSelector("#group tbody tr td[data-measure='strokeShare']")).isDisplayed());
    }

    @Test
    void the_group_page_of_a_ladder_with_seeds_shows_each_steps_effect_with_its_interval() throws IOException {
        driver.get(base + "/group.html?name=lseeds");
        chrome.waitFor(10).until(d -> d.findElements(By.cssSelector("#effects tbody tr")).size() == 2);
        assertTrue(driver.findElement(By.id("effects-box")).isDisplayed());
        assertEquals(3, driver.findElements(By.cssSelector("#points tbody tr")).size());

        // step 1: +7/3 with a Welch interval wider than that (the seeds disagree too much)
        WebElement cell = driver.findElement(By.cssSelector("#effects tbody tr[data-step='1'] td[data-figure='loss']"));
        assertEquals((mean(10, 14) - mean(4, 6)) / EPOCHS, Double.parseDouble(cell.getAttribute("data-diff")), 1e-9);
        double va = Math.pow(sd(4, 6) / EPOCHS, 2) / 2, vb = Math.pow(sd(10, 14) / EPOCHS, 2) / 2;   // sd^2 / n per side
        double df = (va + vb) * (va + vb) / (va * va + vb * vb);
        assertEquals(1.47, df, 0.01, "a df between 1 and 2 reads as 1");
        assertEquals(12.706205 * Math.sqrt(va + vb), Double.parseDouble(cell.getAttribute("data-half")), 1e-6);
        assertFalse(cell.getAttribute("class").contains("changed"), "an interval that holds 0: not marked");
        // step 2: +49/3, larger than its interval: marked as larger than the seed noise
        WebElement big = driver.findElement(By.cssSelector("#effects tbody tr[data-step='2'] td[data-figure='loss']"));
        assertEquals((mean(60, 62) - mean(10, 14)) / EPOCHS, Double.parseDouble(big.getAttribute("data-diff")), 1e-9);
        assertTrue(Double.parseDouble(big.getAttribute("data-half")) < Double.parseDouble(big.getAttribute("data-diff")));
        assertTrue(big.getAttribute("class").contains("changed"), big.getAttribute("class"));
        assertTrue(big.getText().startsWith("+16.3 ±"), big.getText());

        chrome.waitFor(10).until(d -> (Boolean) chrome.js("return !!Chart.getChart(document.querySelector(\"#effects-charts canvas[data-figure='loss']\"));"));
        List<Object> errors = list(chrome.js("return Chart.getChart(document.querySelector(\"#effects-charts canvas[data-figure='loss']\")).data.datasets[0].errors;"));
        assertEquals(2, errors.size());
        assertEquals(Double.parseDouble(cell.getAttribute("data-half")), d(errors.get(0)), 1e-9);
        assertEquals(Double.parseDouble(big.getAttribute("data-half")), d(errors.get(1)), 1e-9);
        assertEquals(1L, chrome.js("return document.querySelectorAll(\"#effects-charts canvas[data-figure='strokeShare']\").length;"));
        assertEquals(0L, chrome.js("return document.querySelectorAll(\"#effects-charts canvas[data-figure='locality']\").length;"),
                "a figure no step moves has no chart");
        chrome.js("document.getElementById('effects-box').scrollIntoView();");
        chrome.screenshot("ladder-effects.png");
    }

    /**
     * A step whose seeds all agree, on both sides (two seeds of a stroke share, counted in 16ths, often do): both sds 0,
     * so no noise was measured, and the effect is not called larger than it (found 2026-12-02 by a new user's
     * walkthrough: every such step was highlighted as "larger than the seed noise").
     */
    @Test
    void an_effect_whose_seeds_all_agree_on_both_steps_says_seeds_alike_and_is_not_marked() {
        for (int step = 0; step < 2; step++) {
            for (int s = 0; s < 2; s++) {
                Map<String, String> c = new HashMap<>(Map.of("data", "bars", "beta", step == 0 ? "0" : "3", "seed", Integer.toString(1 + s), "epochs", "3"));
                var ls = new RunEvent.LadderStep("rAAAAAAAAAA", "rBBBBBBBBBB", step, 2, step == 0 ? List.of() : List.of("beta"), null);
                String id = log.create(new RunEvent.Created(ConfigKeys.build(c).toMap(), null, "f00d", Map.of(), "ladder", "lalike", ls));
                written(id, LADDER[step][s], step == 0 ? 0.25 : 0.5625);       // the seeds' losses differ, their stroke shares not
            }
        }
        driver.get(base + "/group.html?name=lalike");
        chrome.waitFor(10).until(d -> d.findElements(By.cssSelector("#effects tbody tr")).size() == 1);
        WebElement strokes = driver.findElement(By.cssSelector("#effects tbody tr[data-step='1'] td[data-figure='strokeShare']"));
        assertEquals(0.3125, Double.parseDouble(strokes.getAttribute("data-diff")), 1e-12);
        assertEquals(0.0, Double.parseDouble(strokes.getAttribute("data-half")));
        assertFalse(strokes.getAttribute("class").contains("changed"), "no noise measured: not marked");
        String text = strokes.getAttribute("textContent");
        assertTrue(text.startsWith("+0.313") && text.endsWith(" (seeds alike)") && !text.contains("±") && !text.contains("larger than"), text);
        assertTrue(strokes.getAttribute("title").contains("no measure of the seed noise"), strokes.getAttribute("title"));
        WebElement loss = driver.findElement(By.cssSelector("#effects tbody tr[data-step='1'] td[data-figure='loss']"));
        assertTrue(loss.getAttribute("textContent").contains("±") && !loss.getAttribute("textContent").contains("alike"), loss.getAttribute("textContent"));
    }

    @Test
    void the_compare_page_of_replicates_draws_a_mean_curve_and_band_per_configuration_and_keeps_the_flags() throws IOException {
        driver.get(base + "/compare.html?runs=" + String.join(",", sweep));
        chrome.waitFor(15).until(d -> (Boolean) chrome.js("return !!Chart.getChart(document.getElementById('chart-loss'));"));
        assertTrue(driver.findElement(By.id("by-seed")).isDisplayed());
        assertTrue(driver.findElement(By.id("by-seed")).isSelected(), "on by default with replicates");
        Map<String, Object> on = (Map<String, Object>) chrome.js("const ds = Chart.getChart(document.getElementById('chart-loss')).data.datasets;"
                + " return { means: ds.filter(s => s.mean).map(s => s.data.map(p => p.y)), labels: ds.filter(s => s.mean).map(s => s.label),"
                + "   bands: ds.filter(s => s.band).length, flags: ds.filter(s => s.label.endsWith(' flags')).map(s => s.data.map(p => p.x)),"
                + "   lines: ds.filter(s => !s.mean && !s.band && s.type !== 'scatter').length };");
        List<Object> means = list(on.get("means"));
        assertEquals(2, means.size(), "one mean curve per configuration");
        assertEquals(4L, ((Number) on.get("bands")).longValue(), "an upper and a lower edge per configuration");
        assertEquals(0L, ((Number) on.get("lines")).longValue(), "no line per run");
        assertEquals(mean(4, 6), d(list(means.get(0)).get(0)), 1e-9, "epoch 1 of beta 0");
        assertEquals(mean(10, 14) / 2, d(list(means.get(1)).get(1)), 1e-9, "epoch 2 of beta 3");
        assertTrue(list(on.get("labels")).get(0).toString().contains("beta=0") && list(on.get("labels")).get(0).toString().contains("2 seeds"),
                on.get("labels").toString());
        assertEquals(List.of(List.of(2L)), on.get("flags"), "the flagged run's triangle stays");
        assertEquals(2L, chrome.js("const c = Chart.getChart(document.getElementById('chart-m-strokeShare'));"
                + " return c ? c.data.datasets.filter(s => s.mean).length : -1;"), "the stroke share curves too");
        chrome.screenshot("compare-seeds.png");
        chrome.js("document.getElementById('charts').scrollIntoView();");
        chrome.screenshot("compare-seeds-curves.png");

        driver.findElement(By.id("by-seed")).click();
        chrome.waitFor(10).until(d -> ((Number) chrome.js("const c = Chart.getChart(document.getElementById('chart-loss'));"
                + " return c ? c.data.datasets.filter(s => !s.mean && !s.band && s.type !== 'scatter').length : -1;")).intValue() == 4);
        assertEquals(0L, chrome.js("return Chart.getChart(document.getElementById('chart-loss')).data.datasets.filter(s => s.band || s.mean).length;"));
        assertEquals(1L, chrome.js("return Chart.getChart(document.getElementById('chart-loss')).data.datasets.filter(s => s.label.endsWith(' flags')).length;"));
        // each run named by its seed too, in its line and its gallery: two runs of beta 0 were both "(beta 0)" (found
        // 2026-12-03 by a new user's walkthrough)
        assertEquals(List.of(sweep.get(0) + " (beta 0, seed 1)", sweep.get(1) + " (beta 0, seed 2)", sweep.get(2) + " (beta 3, seed 1)",
                sweep.get(3) + " (beta 3, seed 2)"), chrome.js("return Chart.getChart(document.getElementById('chart-loss')).data.datasets"
                + ".filter(s => !s.band && !s.mean && s.type !== 'scatter').map(s => s.label);"));
        chrome.waitFor(10).until(d -> d.findElements(By.cssSelector("#galleries .gallery > div.muted")).stream()
                .filter(c -> c.getText().startsWith(sweep.get(1) + " (beta 0, seed 2) — ")).count() == 1);
    }

    @Test
    void the_compare_page_without_replicates_offers_no_seed_toggle() {
        driver.get(base + "/compare.html?runs=" + sweep.get(0) + "," + sweep.get(2));
        chrome.waitFor(15).until(d -> (Boolean) chrome.js("return !!Chart.getChart(document.getElementById('chart-loss'));"));
        assertFalse(driver.findElement(By.id("by-seed")).isDisplayed());
        assertEquals(2L, chrome.js("return Chart.getChart(document.getElementById('chart-loss')).data.datasets.filter(s => !s.band && !s.mean && s.type !== 'scatter').length;"));
    }

    /** At a phone's 400 px the table of {@code fit} (a script answering {over, page}) scrolls inside its box, not the page. */
    @SuppressWarnings("unchecked")
    private void phoneScrollsInItsBox(String fit) {
        driver.manage().window().setSize(new org.openqa.selenium.Dimension(400, 900));
        try {
            chrome.waitFor(10).until(d -> ((Number) chrome.js("return window.innerWidth;")).intValue() <= 400);
            Map<String, Object> phone = (Map<String, Object>) chrome.js(fit);
            assertTrue(d(phone.get("over")) > 0, "a phone scrolls the table inside its box");
            assertEquals(0, ((Number) phone.get("page")).intValue(), "not the page");
        } finally {
            driver.manage().window().setSize(new org.openqa.selenium.Dimension(1400, 1100));
        }
    }
}
