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
import sparselab.store.EventLog;
import sparselab.log.RunEvent;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The compare page answers first, in headless Chromium on runs written as events: the diff and the galleries above the
 * curves, loss-like curves on a log scale, a figure constant in every run as one line, one colour scale for the heat
 * maps, and a filter's matched unit highlighted in the other run's gallery.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ComparePageBrowserTest {
    @RegisterExtension static final Chrome chrome = new Chrome();
    static final int HIDDEN = 16;
    static final int SIDE = 8;
    /** Run B's unit v has run A's filter PERM[v] (up to a scale), so A's unit i is matched to B's unit v with PERM[v] == i. */
    static final int[] PERM = {5, 3, 14, 0, 9, 12, 1, 7, 15, 2, 11, 6, 13, 4, 10, 8};

    Path dir;
    EventLog log;
    Javalin app;
    WebDriver driver;
    String base;
    String a;
    String b;

    @BeforeAll
    void start() throws IOException {
        dir = Files.createTempDirectory("sparselab-compare");
        log = TestLogs.open(dir, "compare.db");
        float[][] filters = randomFilters(7);
        a = written(log, Map.of("data", "bars", "beta", "3", "rho", "0.1", "epochs", "6"), 6, filters, null);
        b = written(log, Map.of("data", "bars", "beta", "0", "rho", "0.1", "epochs", "6"), 6, filters, PERM, 8);
        app = Fixtures.pagesServer(log);
        base = "http://127.0.0.1:" + app.port();
        driver = chrome.driver();
    }

    @AfterAll
    void stop() {
        Fixtures.stopPages(app, log, dir);
    }

    static float[][] randomFilters(long seed) {
        Random r = new Random(seed);
        float[][] f = new float[HIDDEN][SIDE * SIDE];
        for (float[] row : f) for (int i = 0; i < row.length; i++) row[i] = (float) r.nextGaussian();
        return f;
    }

    /**
     * A finished run of {@code epochs} epochs whose snapshots hold {@code filters} (unit v: filters[perm[v]], slightly
     * changing with the epoch), whose limiter clipped nothing, and whose unit j has rate 0.02 + 0.05 j.
     */
    static String written(EventLog log, Map<String, String> overrides, int epochs, float[][] filters, int[] perm) {
        return written(log, overrides, epochs, filters, perm, HIDDEN);
    }

    /** As above, with units from {@code active} on silent (rate 0.01), so the runs' largest rates differ. */
    static String written(EventLog log, Map<String, String> overrides, int epochs, float[][] filters, int[] perm, int active) {
        String id = Fixtures.queued(log, overrides);
        log.append(id, new RunEvent.Started(4242, "test-host", 1, 0, "f00d", Map.of()));
        snapshot(log, id, 0, filters, perm);
        for (int e = 1; e <= epochs; e++) {
            double[] rho = new double[HIDDEN];
            for (int j = 0; j < HIDDEN; j++) rho[j] = j >= active ? 0.01 : Math.min(0.99, 0.02 + 0.05 * j + 0.01 * e);
            log.append(id, new RunEvent.EpochCompleted(e, 300.0 / (e * e), 250.0 / (e * e), 1.0 / e, 0.1, 0.2 + 0.01 * e, rho, 0.3 / e, 0.9,
                    0, 0.0, false, 260.0 / (e * e), 0.5, 1000));
            if (Integer.bitCount(e) == 1 || e == epochs) snapshot(log, id, e, filters, perm);
        }
        log.append(id, new RunEvent.Finished(epochs, 300.0 / (epochs * epochs), 260.0 / (epochs * epochs)));
        return id;
    }

    static void snapshot(EventLog log, String id, int epoch, float[][] filters, int[] perm) {
        int d = SIDE * SIDE;
        ByteBuffer buf = ByteBuffer.allocate(4 * (2 * HIDDEN * d + HIDDEN + d)).order(ByteOrder.LITTLE_ENDIAN);
        for (int u = 0; u < HIDDEN; u++) {
            float[] f = filters[perm == null ? u : perm[u]];
            for (int i = 0; i < d; i++) buf.putFloat(f[i] * (1 + 0.1f * epoch) + 0.01f * epoch * (i % 3));
        }
        for (int u = 0; u < HIDDEN; u++) buf.putFloat(0f);
        for (int i = 0; i < d * HIDDEN; i++) buf.putFloat(0.01f);
        for (int i = 0; i < d; i++) buf.putFloat(0f);
        Blob blob = Blob.of(buf.array());
        log.append(id, new RunEvent.WeightSnapshot(epoch, blob.hash(), d, HIDDEN, SIDE, SIDE), blob);
    }

    private void open() {
        driver.get(base + "/compare.html?runs=" + a + "," + b);
        chrome.waitFor(15).until(d -> (Boolean) chrome.js("const i = [...document.querySelectorAll('img.gallery-img')];"
                + " return i.length === 2 && i.every(x => x.complete && x.naturalWidth > 0)"
                + " && document.querySelectorAll('#charts canvas').length > 0 && document.querySelectorAll('#heatmaps canvas').length === 2;"));
    }

    private double top(String selector) {
        return ((Number) chrome.js("return document.querySelector(arguments[0]).getBoundingClientRect().top + scrollY;", selector)).doubleValue();
    }

    @Test
    void a_run_still_training_is_first_shown_beside_the_others_at_the_epoch_it_reached_and_a_mismatch_is_said() {
        String shorter = Fixtures.queued(log, Map.of("data", "bars", "beta", "0", "rho", "0.1", "epochs", "8"));
        log.append(shorter, new RunEvent.Started(4242, "test-host", 1, 0, "f00d", Map.of()));
        snapshot(log, shorter, 0, randomFilters(7), PERM);
        for (int e = 1; e <= 4; e++) {                        // 4 of its 8 epochs so far: still training
            log.append(shorter, new RunEvent.EpochCompleted(e, 300.0 / (e * e), 250.0 / (e * e), 0.0, 0.1, 0.2, new double[HIDDEN], 0.3 / e,
                    0.9, 0, 0.0, false, 260.0 / (e * e), 0.5, 1000));
            if (Integer.bitCount(e) == 1) snapshot(log, shorter, e, randomFilters(7), PERM);
        }
        driver.get(base + "/compare.html?runs=" + a + "," + shorter);
        String epochs = "return [...document.querySelectorAll('img.gallery-img')].map(i => i.dataset.epoch).join(',');";
        chrome.waitFor(15).until(d -> "4,4".equals(chrome.js(epochs)));    // a finished 6 epochs, the other is at 4: both at 4
        assertEquals("4 (nearest snapshot of each run)", driver.findElement(By.id("epoch-label")).getText());
        driver.findElement(By.id("epoch")).sendKeys(org.openqa.selenium.Keys.END);
        chrome.waitFor(10).until(d -> "6,4".equals(chrome.js(epochs)));
        var label = driver.findElement(By.id("epoch-label"));
        assertEquals("6: the runs are shown at different epochs (" + a + " 6, " + shorter + " 4)", label.getText());
        assertTrue(label.getAttribute("class").contains("warn"));
        // its penalty is 0 throughout, which a log scale cannot draw: said in a line
        assertEquals("sparsity penalty: 0 throughout in " + shorter + " (not drawn on a log scale)",
                driver.findElement(By.cssSelector("#constant li[data-figure='penalty-zero']")).getText());
    }

    @Test
    void the_diff_and_the_galleries_come_before_the_first_chart() {
        open();
        double firstChart = top("#charts .chart, #measure-charts .chart");
        assertTrue(top("#diff") < firstChart, "diff above the first chart");
        assertTrue(top("#diff tbody tr[data-key='beta']") < firstChart);
        assertTrue(top("img.gallery-img") < firstChart, "galleries above the first chart");
        assertTrue(top("#heatmaps") > firstChart, "the heat maps follow the curves");
        // a gallery drawn larger than its pixels keeps them square; one drawn smaller (a large grid) is smoothed
        assertEquals(List.of("pixelated", "pixelated"), chrome.js("return [...document.querySelectorAll('img.gallery-img')]"
                + ".map(i => i.naturalWidth > i.clientWidth ? 'smaller: ' + getComputedStyle(i).imageRendering : getComputedStyle(i).imageRendering);"));
        chrome.js("const i = document.querySelector('img.gallery-img'); i.style.maxWidth = (i.naturalWidth / 2) + 'px'; i.dispatchEvent(new Event('load'));");
        assertEquals("auto", chrome.js("return getComputedStyle(document.querySelector('img.gallery-img')).imageRendering;"), "a gallery drawn smaller than its pixels is smoothed");
        driver.navigate().refresh();
        open();
        driver.manage().window().setSize(new org.openqa.selenium.Dimension(1280, 800));
        try {
            driver.navigate().refresh();
            open();
            Number scroll = (Number) chrome.js("return document.documentElement.scrollWidth - innerWidth;");
            assertTrue(scroll.intValue() <= 0, "no horizontal page overflow at 1280 x 800: " + scroll + " px too wide");
        } finally {
            driver.manage().window().setSize(new org.openqa.selenium.Dimension(1400, 1100));
        }
    }

    @Test
    void a_phone_wide_window_scrolls_no_part_of_the_page_sideways() {
        // headless Chromium keeps a window at least 500 px wide: the viewport is narrowed by emulation instead
        var cdp = (org.openqa.selenium.chromium.HasCdp) ((org.openqa.selenium.WrapsDriver) driver).getWrappedDriver();
        cdp.executeCdpCommand("Emulation.setDeviceMetricsOverride", Map.of("width", 400, "height", 800, "deviceScaleFactor", 1, "mobile", false));
        try {
            open();
            assertEquals(400L, chrome.js("return innerWidth;"));
            Number scroll = (Number) chrome.js("return document.documentElement.scrollWidth - innerWidth;");
            assertTrue(scroll.intValue() <= 0, "no horizontal page overflow at 400 px: " + scroll + " px too wide, widest: "
                    + chrome.js("return [...document.querySelectorAll('main *')].filter(e => e.getBoundingClientRect().right > innerWidth + 1"
                    + " && !e.closest('.table-wrap')).slice(0, 5).map(e => e.tagName + '#' + e.id + '.' + e.className).join(', ');"));
        } finally {
            cdp.executeCdpCommand("Emulation.clearDeviceMetricsOverride", Map.of());
        }
    }

    @Test
    void loss_like_charts_start_on_a_log_scale_and_the_toggle_makes_them_linear() {
        open();
        for (String c : List.of("chart-loss", "chart-recon", "chart-heldout")) {
            assertEquals("logarithmic", chrome.js("return Chart.getChart(document.getElementById(arguments[0])).options.scales.y.type;", c), c);
        }
        assertEquals("linear", chrome.js("return Chart.getChart(document.getElementById('chart-meanActivation')).options.scales.y.type;"));
        String yTitle = "const y = Chart.getChart(document.getElementById(arguments[0])).options.scales.y; return y.title.display ? y.title.text : '';";
        assertEquals("value of the objective", chrome.js(yTitle, "chart-loss"));   // every curve's y axis names its unit
        assertEquals("per sample", chrome.js(yTitle, "chart-recon"));
        assertEquals("per held-out sample", chrome.js(yTitle, "chart-heldout"));
        assertEquals("rate, 0 to 1", chrome.js(yTitle, "chart-meanActivation"));
        assertEquals("epoch", chrome.js("return Chart.getChart(document.getElementById('chart-loss')).options.scales.x.title.text;"));
        chrome.js("document.getElementById('logscale').click();");
        assertEquals("linear", chrome.js("return Chart.getChart(document.getElementById('chart-loss')).options.scales.y.type;"));
        assertEquals("value of the objective", chrome.js(yTitle, "chart-loss"));   // and keeps it on the other scale
        @SuppressWarnings("unchecked")
        List<List<Object>> dashes = (List<List<Object>>) chrome.js("return Chart.getChart(document.getElementById('chart-loss')).data.datasets.map(d => d.borderDash || []);");
        assertTrue(!dashes.get(0).equals(dashes.get(1)), "the two runs' lines have different dash patterns: " + dashes);
    }

    @Test
    void a_figure_constant_in_every_run_is_one_line_of_text_not_a_chart() {
        open();
        assertTrue(driver.findElements(By.id("chart-clippedFraction")).isEmpty(), "no chart of a flat zero");
        String line = driver.findElement(By.cssSelector("#constant li[data-figure='clippedFraction']")).getText();
        assertEquals("limiter clipped fraction: 0 in all runs", line);
        assertTrue(driver.findElements(By.id("chart-loss")).size() == 1, "a moving figure keeps its chart");
    }

    @Test
    void the_heat_maps_share_one_colour_scale_centred_on_rho_and_sort_by_rate() {
        open();
        @SuppressWarnings("unchecked")
        List<String> scales = (List<String>) chrome.js("return [...document.querySelectorAll('#heatmaps canvas')].map(c => c.dataset.min + '/' + c.dataset.max + '/' + c.dataset.centre);");
        assertEquals(2, scales.size());
        assertEquals(scales.get(0), scales.get(1), "one scale for both runs");
        assertEquals("0/1/0.1", scales.get(0));
        assertEquals("0.1", driver.findElement(By.id("heat-bar")).getAttribute("data-centre"), "one colour bar, centred on rho");
        assertEquals(1, driver.findElements(By.cssSelector("#heat-bar")).size());
        // unit 5 has the same rate in both runs (B's largest rate is far below A's): the same colour in both maps
        @SuppressWarnings("unchecked")
        List<Object> unit5 = (List<Object>) chrome.js("return [...document.querySelectorAll('#heatmaps canvas')].map(c =>"
                + " [...c.getContext('2d').getImageData(5, c.height - 1, 1, 1).data].join(','));");
        assertEquals(unit5.get(0), unit5.get(1), "one value, one colour");
        // unit 15 is the most active: sorted, it is drawn in the first column
        Number before = (Number) chrome.js("const c = document.querySelector('#heatmaps canvas'); return c.getContext('2d').getImageData(0, c.height - 1, 1, 1).data[1];");
        chrome.js("document.getElementById('sort-units').click();");
        chrome.waitFor(5).until(d -> "rate".equals(chrome.js("return document.querySelector('#heatmaps canvas').dataset.order;")));
        Number after = (Number) chrome.js("const c = document.querySelector('#heatmaps canvas'); return c.getContext('2d').getImageData(0, c.height - 1, 1, 1).data[1];");
        assertTrue(after.intValue() < before.intValue(), "the first column turns from a silent unit (pale) to the most active (red): green " + before + " -> " + after);
    }

    @Test
    void a_beta_0_run_gets_no_target_rho_on_the_mean_activation_chart_nor_on_its_heat_map_and_the_page_says_why() {
        open();
        // A (beta 3) trains towards rho 0.1; B (beta 0) has rho 0.1 too, of no effect: only A's thin line is drawn
        String chart = "const c = Chart.getChart(document.getElementById('chart-meanActivation'));";
        assertEquals(List.of(a + " rho"), chrome.js(chart + " return c.data.datasets.map(s => s.label).filter(l => l.endsWith(' rho'));"));
        assertEquals("mean activation (thin: target rho; none for beta = 0, where rho has no effect)", chrome.js(chart + " return c.options.plugins.title.text;"));
        @SuppressWarnings("unchecked")
        List<String> maps = (List<String>) chrome.js("return [...document.querySelectorAll('#heatmaps figcaption')].map(f => f.textContent);");
        assertTrue(maps.get(0).startsWith(a + " (target rho 0.1): "), maps.toString());
        assertTrue(maps.get(1).startsWith(b + " (beta 0: rho 0.1 has no effect): "), maps.toString());
        assertEquals("· white = target rho 0.1 (beta = 0 runs have none: rho has no effect there): blue below, red above",
                driver.findElement(By.id("heat-centre")).getText());
        // the matched units' rates: the thin line of A alone
        clickTile(0, 2);
        chrome.waitFor(10).until(d -> driver.findElement(By.id("unit-panel")).isDisplayed());
        String units = "const u = Chart.getChart(document.getElementById('chart-unit-rho'));";
        chrome.waitFor(10).until(d -> (Boolean) chrome.js(units + " return !!u && u.data.datasets.length >= 2;"));
        assertEquals(List.of(a + " rho"), chrome.js(units + " return u.data.datasets.map(s => s.label).filter(l => l.endsWith(' rho'));"));
        assertTrue(((String) chrome.js(units + " return u.options.plugins.title.text;")).endsWith("(thin: target rho; none for beta = 0, where rho has no effect)"));
    }

    @Test
    void clicking_a_filter_highlights_its_matched_unit_in_the_other_gallery_with_curves_and_filmstrips() throws IOException {
        open();
        int unit = 2;
        clickTile(0, unit);
        int expected = indexOf(PERM, unit);
        chrome.waitFor(10).until(d -> d.findElements(By.cssSelector(".hl[data-run='" + b + "']")).size() == 1);
        assertEquals(String.valueOf(unit), driver.findElement(By.cssSelector(".hl[data-run='" + a + "']")).getAttribute("data-unit"));
        assertEquals(String.valueOf(expected), driver.findElement(By.cssSelector(".hl[data-run='" + b + "']")).getAttribute("data-unit"),
                "B's unit with A's filter " + unit);
        assertEquals(String.valueOf(expected), driver.findElement(By.cssSelector(".hl[data-run='" + b + "']")).getAttribute("data-position"));
        assertTrue(driver.findElement(By.id("unit-panel")).isDisplayed());
        assertEquals(2L, chrome.js("return Chart.getChart(document.getElementById('chart-unit-rho')).data.datasets.filter(d => !d.label.endsWith('rho')).length;"));
        chrome.waitFor(10).until(d -> (Boolean) chrome.js("const f = [...document.querySelectorAll('.filmstrip img')];"
                + " return f.length === 2 * 5 && f.every(i => i.complete && i.naturalWidth > 0);"));
        assertEquals(String.valueOf(expected), driver.findElement(By.cssSelector(".filmstrip[data-run='" + b + "']")).getAttribute("data-unit"));

        // ordered by match: B's tile i shows the unit matched to A's unit i, so the highlight sits on the same tile
        chrome.js("document.getElementById('by-match').click();");
        chrome.waitFor(10).until(d -> (Boolean) chrome.js("const i = document.querySelector('img.gallery-img[data-run=\"" + b + "\"]');"
                + " return i.src.includes('matchTo=') && i.complete && i.naturalWidth > 0;"));
        chrome.waitFor(10).until(d -> String.valueOf(unit).equals(d.findElement(By.cssSelector(".hl[data-run='" + b + "']")).getAttribute("data-position")));
        assertEquals(String.valueOf(expected), driver.findElement(By.cssSelector(".hl[data-run='" + b + "']")).getAttribute("data-unit"));
        // a click on B's tile 7 (its unit PERM^-1(7)) highlights A's unit 7
        clickTile(1, 7);
        chrome.waitFor(10).until(d -> "7".equals(d.findElement(By.cssSelector(".hl[data-run='" + a + "']")).getAttribute("data-unit")));
        assertEquals(String.valueOf(indexOf(PERM, 7)), driver.findElement(By.cssSelector(".hl[data-run='" + b + "']")).getAttribute("data-unit"));
        chrome.screenshot("compare-matched-units.png");
    }

    @Test
    void the_epoch_slider_steps_from_snapshot_to_snapshot_and_an_l_bfgs_page_says_iteration() {
        // two finished L-BFGS runs of 8 iterations, snapshots at 0, 1, 2, 4 and 8
        String sparse = Fixtures.train(log, Fixtures.queued(log, Map.of("data", "bars", "optimizer", "lbfgs", "batchSize", "0",
                "epochs", "8", "beta", "3")), 8, HIDDEN, SIDE, null, true);
        String plain = Fixtures.train(log, Fixtures.queued(log, Map.of("data", "bars", "optimizer", "lbfgs", "batchSize", "0",
                "epochs", "8", "beta", "0")), 8, HIDDEN, SIDE, null, true);
        driver.get(base + "/compare.html?runs=" + sparse + "," + plain);
        String epochs = "return [...document.querySelectorAll('img.gallery-img')].map(i => i.dataset.epoch).join(',');";
        String loaded = "return [...document.querySelectorAll('img.gallery-img')].every(i => i.complete && i.naturalWidth > 0);";
        chrome.waitFor(15).until(d -> "8,8".equals(chrome.js(epochs)) && (Boolean) chrome.js(loaded));
        assertEquals("4", chrome.js("return document.getElementById('epoch').max;"), "one slider stop per snapshot: 0, 1, 2, 4, 8");
        assertEquals("4", chrome.js("return document.getElementById('epoch').value;"), "first at the last snapshot");
        // once drawn, no box says it is loading
        assertEquals(List.of("ready", "ready"), chrome.js("return [...document.querySelectorAll('#galleries .tile-box')].map(b => b.dataset.state);"));
        assertEquals(0L, chrome.js("return [...document.querySelectorAll('#galleries .tile-status')].filter(s => !s.hidden).length;"));

        WebElement slider = driver.findElement(By.id("epoch"));
        slider.sendKeys(Keys.HOME);
        chrome.waitFor(10).until(d -> "0,0".equals(chrome.js(epochs)));
        // the text a box shows between the new image's request and its load
        chrome.js("window.seen = []; new MutationObserver(() => window.seen.push(...[...document.querySelectorAll('#galleries .tile-status')]"
                + ".filter(s => !s.hidden).map(s => s.textContent))).observe(document.getElementById('galleries'), { subtree: true, childList: true, characterData: true, attributes: true });");
        for (String next : List.of("1", "2", "4", "8")) {      // each right arrow: the next snapshot (a linear slider went 1, 2, 3, 4)
            slider.sendKeys(Keys.ARROW_RIGHT);
            chrome.waitFor(10).until(d -> (next + "," + next).equals(chrome.js(epochs)));
            assertEquals(next + " (nearest snapshot of each run)", driver.findElement(By.id("epoch-label")).getText());
        }
        assertTrue(((List<?>) chrome.js("return window.seen;")).contains("loading weights…"), "a box said it loads: " + chrome.js("return window.seen;"));
        slider.sendKeys(Keys.ARROW_LEFT);
        chrome.waitFor(10).until(d -> "4,4".equals(chrome.js(epochs)) && (Boolean) chrome.js(loaded));
        assertEquals("3", chrome.js("return document.getElementById('epoch').value;"));

        // every run is L-BFGS: the slider, the captions, the measures tables and the heat maps say iteration, as the x axis
        assertEquals("L-BFGS iteration", chrome.js("return Chart.getChart(document.getElementById('chart-loss')).options.scales.x.title.text;"));
        assertEquals("L-BFGS iteration", driver.findElement(By.cssSelector("label[for='epoch']")).getText());
        @SuppressWarnings("unchecked")
        List<String> captions = (List<String>) chrome.js("return [...document.querySelectorAll('#galleries .gallery > div.muted')].map(d => d.textContent);");
        assertEquals(2, captions.size());
        for (String c : captions) assertTrue(c.endsWith(" — iteration 4"), c);
        assertEquals(List.of("filter measures of the snapshot at iteration 4", "filter measures of the snapshot at iteration 4"),
                chrome.js("return [...document.querySelectorAll('#galleries table.measures')].map(t => t.title);"));
        assertEquals("(rows: iterations, first at the top; columns: hidden units)", driver.findElement(By.id("heat-rows")).getText());
        chrome.waitFor(10).until(d -> d.findElements(By.cssSelector("#heatmaps figcaption")).size() == 2);
        for (WebElement f : driver.findElements(By.cssSelector("#heatmaps figcaption"))) assertTrue(f.getText().contains(": iterations 1–8, "), f.getText());
        // the unit panel: its curve's x axis and the filmstrip's frames
        clickTile(0, 2);
        chrome.waitFor(10).until(d -> d.findElements(By.cssSelector(".filmstrip figure")).size() == 2 * 5);
        assertEquals("L-BFGS iteration", chrome.js("return Chart.getChart(document.getElementById('chart-unit-rho')).options.scales.x.title.text;"));
        assertEquals("unit 2 at iteration 8", driver.findElement(By.cssSelector(".filmstrip[data-run='" + sparse + "'] figure:last-child")).getAttribute("title"));
        assertEquals("unit 2 at iteration 8", driver.findElement(By.cssSelector(".filmstrip[data-run='" + sparse + "'] figure:last-child img")).getAttribute("alt"));

        // an image that cannot be drawn says so
        chrome.js("document.querySelector('img.gallery-img').src = '/api/runs/" + sparse + "/snapshots/999/grid.png';");
        chrome.waitFor(10).until(d -> "failed".equals(chrome.js("return document.querySelector('#galleries .tile-box').dataset.state;")));
        assertEquals("weights could not be drawn", driver.findElement(By.cssSelector("#galleries .tile-status")).getText());

        // a page of an L-BFGS run and an SGD run says both, and each gallery its own run's word
        driver.get(base + "/compare.html?runs=" + sparse + "," + a);
        chrome.waitFor(15).until(d -> "8,6".equals(chrome.js(epochs)));
        assertEquals("epoch (L-BFGS runs: iteration)", driver.findElement(By.cssSelector("label[for='epoch']")).getText());
        assertEquals("epoch (L-BFGS runs: iteration)", chrome.js("return Chart.getChart(document.getElementById('chart-loss')).options.scales.x.title.text;"));
        assertEquals("8: the runs are shown at different epochs or iterations (" + sparse + " 8, " + a + " 6)", driver.findElement(By.id("epoch-label")).getText());
        @SuppressWarnings("unchecked")
        List<String> mixed = (List<String>) chrome.js("return [...document.querySelectorAll('#galleries .gallery > div.muted')].map(d => d.textContent);");
        assertEquals(2, mixed.size());
        assertTrue(mixed.get(0).endsWith(" — iteration 8") && mixed.get(1).endsWith(" — epoch 6"), mixed.toString());
        assertEquals("(rows: epochs or iterations, first at the top; columns: hidden units)", driver.findElement(By.id("heat-rows")).getText());
        // each heat map is one run's: its caption says that run's word, not "epochs or iterations"
        chrome.waitFor(10).until(d -> d.findElements(By.cssSelector("#heatmaps figcaption")).size() == 2);
        @SuppressWarnings("unchecked")
        List<String> maps = (List<String>) chrome.js("return [...document.querySelectorAll('#heatmaps figcaption')].map(f => f.textContent);");
        assertTrue(maps.get(0).startsWith(sparse + " ") && maps.get(0).contains(": iterations 1–8, "), maps.toString());
        assertTrue(maps.get(1).startsWith(a + " ") && maps.get(1).contains(": epochs 1–6, "), maps.toString());
    }

    @Test
    void a_run_whose_units_are_all_dead_is_left_out_of_the_stroke_share_chart_and_each_runs_flags_have_its_colour() {
        String alive = written(log, Map.of("data", "bars", "beta", "1", "rho", "0.1", "epochs", "6"), 6, randomFilters(3), null);
        String dead = written(log, Map.of("data", "bars", "beta", "2", "rho", "0.1", "epochs", "6"), 6, randomFilters(4), null);
        double[][] m = {{1, 0.1, 0.0, 0.5, 0.2}, {2, 0.1, 0.05, 0.8, 0.25}, {4, 0.1, 0.1, 1.0, 0.375}, {6, 0.1, 0.15, 1.0, 0.375}};
        for (double[] r : m) {     // epoch, alive's dead fraction and stroke share, dead's dead fraction and stroke share
            log.append(alive, new RunEvent.FilterMeasures((int) r[0], 0.3, r[1], 0.0, 0.5, 0.2, r[2]));
            log.append(dead, new RunEvent.FilterMeasures((int) r[0], 0.3, r[3], 0.0, 0.5, 0.2, r[4]));
        }
        log.append(alive, new RunEvent.DivergenceFlag(2, "rho_hat_outside", "rho_hat of 1 unit(s) left (0, 1)", 1));
        log.append(dead, new RunEvent.DivergenceFlag(3, "rho_hat_outside", "rho_hat of 2 unit(s) left (0, 1)", 2));
        driver.get(base + "/compare.html?runs=" + alive + "," + dead);
        chrome.waitFor(15).until(d -> (Boolean) chrome.js("return !!Chart.getChart(document.getElementById('chart-m-strokeShare'))"
                + " && !!Chart.getChart(document.getElementById('chart-loss'));"));
        // the dead run's stroke share of 0.375 at epochs 4 and 6 is a share of filters no unit uses: not drawn, and said
        @SuppressWarnings("unchecked")
        List<Object> deadYs = (List<Object>) chrome.js("return Chart.getChart(document.getElementById('chart-m-strokeShare')).data.datasets"
                + ".find(s => s.label.startsWith(arguments[0])).data.map(p => p.y);", dead);
        assertEquals(java.util.Arrays.asList(0.2, 0.25, null, null), deadYs);
        assertEquals("stroke share: " + dead + " all dead at epochs 4–6, not drawn",
                driver.findElement(By.cssSelector("#constant-measures li[data-figure='m-strokeShare-dead']")).getText());

        // each run's flags in the colour of its own line, as triangles, and the legend says the same
        @SuppressWarnings("unchecked")
        List<Map<String, Object>> flags = (List<Map<String, Object>>) chrome.js("const c = Chart.getChart(document.getElementById('chart-loss'));"
                + " return c.data.datasets.filter(s => s.label.endsWith(' flags')).map(s => ({ label: s.label, style: s.pointStyle, fill: s.backgroundColor,"
                + "   line: c.data.datasets.find(x => x.label.startsWith(s.label.split(' ')[0] + ' (')).borderColor,"
                + "   legend: c.legend.legendItems.find(i => i.text === s.label).fillStyle }));");
        assertEquals(2, flags.size(), flags.toString());
        for (Map<String, Object> f : flags) {
            assertEquals("triangle", f.get("style"), f.toString());
            assertEquals(f.get("line"), f.get("fill"), "a run's flags in its line's colour: " + f);
            assertEquals(f.get("line"), f.get("legend"), "and so is its legend entry: " + f);
        }
        assertTrue(!flags.get(0).get("fill").equals(flags.get(1).get("fill")), "two runs, two colours: " + flags);

        // a stroke share constant where it is drawn, in a run that is all dead at its other snapshots: that run is named
        // with its proviso, not folded into "0 in all runs" beside its own "all dead" line
        String flat = written(log, Map.of("data", "bars", "beta", "1.5", "rho", "0.1", "epochs", "6"), 6, randomFilters(5), null);
        String gone = written(log, Map.of("data", "bars", "beta", "2.5", "rho", "0.1", "epochs", "6"), 6, randomFilters(6), null);
        for (int e : new int[] {0, 2, 4}) {
            log.append(flat, new RunEvent.FilterMeasures(e, 0.3, 0.1, 0.0, 0.5, 0.2, 0.0));
            log.append(gone, new RunEvent.FilterMeasures(e, 0.3, e == 0 ? 0.1 : 1.0, 0.0, 0.5, 0.2, 0.0));
        }
        driver.get(base + "/compare.html?runs=" + flat + "," + gone);
        chrome.waitFor(15).until(d -> !d.findElements(By.cssSelector("#constant-measures li[data-figure='m-strokeShare']")).isEmpty());
        assertEquals("stroke share: 0 in " + flat + ", " + gone + " at its other snapshots",
                driver.findElement(By.cssSelector("#constant-measures li[data-figure='m-strokeShare']")).getText());
        assertEquals("stroke share: " + gone + " all dead at epochs 2–4, not drawn",
                driver.findElement(By.cssSelector("#constant-measures li[data-figure='m-strokeShare-dead']")).getText());
    }

    @Test
    void a_queued_run_says_it_has_no_epochs_and_no_filter_measures_and_is_not_counted_as_constant() {
        String queued = Fixtures.queued(log, Map.of("data", "bars", "beta", "5", "rho", "0.1", "epochs", "6"));
        driver.get(base + "/compare.html?runs=" + a + "," + queued);
        By clipped = By.cssSelector("#constant li[data-figure='clippedFraction']");
        chrome.waitFor(15).until(d -> !d.findElements(clipped).isEmpty());
        assertEquals("limiter clipped fraction: 0 in " + a + "; " + queued + ": no epochs yet", driver.findElement(clipped).getText());
        By none = By.cssSelector("#galleries .no-measures[data-run='" + queued + "']");
        chrome.waitFor(10).until(d -> !d.findElements(none).isEmpty() && d.findElement(none).isDisplayed());
        assertEquals("no filter measures yet", driver.findElement(none).getText());
        assertTrue(!driver.findElement(By.cssSelector("#galleries table.measures[data-run='" + queued + "']")).isDisplayed(),
                "no table of six names and no values");
    }

    @Test
    void a_run_whose_loss_is_nan_at_every_epoch_is_named_on_the_compare_and_run_pages_not_silently_left_out() {
        // the blog's beta = 3 divergence: rho_hat past 1, the penalty the log of a negative number, the weights finite
        String nan = Fixtures.queued(log, Map.of("data", "bars", "beta", "3", "rho", "0.1", "epochs", "3"));
        log.append(nan, new RunEvent.Started(4242, "test-host", 1, 0, "f00d", Map.of()));
        for (int e = 1; e <= 3; e++) {
            log.append(nan, new RunEvent.EpochCompleted(e, Double.NaN, 200.0 / e, Double.NaN, 0.1, 0.2, new double[HIDDEN], 0.3,
                    0.9, 0, 0.0, false, 210.0 / e, 0.5, 1000));
        }
        log.append(nan, new RunEvent.Finished(3, Double.NaN, 70.0));
        driver.get(base + "/compare.html?runs=" + a + "," + nan);
        By loss = By.cssSelector("#constant li[data-figure='loss-none']");
        chrome.waitFor(15).until(d -> !d.findElements(loss).isEmpty());
        assertEquals("loss (recon + decay + penalty): " + nan + " not finite (NaN or infinite) at every epoch (not drawn)",
                driver.findElement(loss).getText());
        assertEquals("sparsity penalty: " + nan + " not finite (NaN or infinite) at every epoch (not drawn)",
                driver.findElement(By.cssSelector("#constant li[data-figure='penalty-none']")).getText());
        // the run's own page says it too, on its log scale and its linear one
        driver.get(base + "/run.html?id=" + nan);
        By runLoss = By.cssSelector("#curves-zero li[data-figure='loss']");
        chrome.waitFor(10).until(d -> !d.findElements(runLoss).isEmpty());
        assertEquals("loss: not finite (NaN or infinite) at every epoch (not drawn)", driver.findElement(runLoss).getText());
        driver.findElement(By.id("run-logscale")).click();
        chrome.waitFor(10).until(d -> "linear".equals(chrome.js("return Chart.getChart(document.getElementById('curves')).options.scales.y.type;")));
        assertEquals("penalty: not finite (NaN or infinite) at every epoch (not drawn)",
                driver.findElement(By.cssSelector("#curves-zero li[data-figure='penalty']")).getText());
        // and the runs table says its loss is not finite, where an empty cell read as "no epoch yet"
        String waiting = Fixtures.queued(log, Map.of("data", "bars", "beta", "3", "rho", "0.1", "epochs", "3"));
        driver.get(base + "/index.html");
        By cell = By.cssSelector("#runs tbody tr[data-run='" + nan + "'] td[data-figure='loss']");
        chrome.waitFor(10).until(d -> !d.findElements(cell).isEmpty());
        assertEquals("not finite", driver.findElement(cell).getText());
        assertEquals("NaN or infinite at its last epoch", driver.findElement(cell).getAttribute("title"));
        chrome.waitFor(10).until(d -> !d.findElements(By.cssSelector("#runs tbody tr[data-run='" + waiting + "']")).isEmpty());
        assertEquals("", driver.findElement(By.cssSelector("#runs tbody tr[data-run='" + waiting + "'] td[data-figure='loss']")).getText(),
                "no epoch yet: empty");
    }

    @Test
    void an_unknown_run_or_a_repeated_one_shows_its_error_alone() {
        driver.get(base + "/compare.html?runs=" + a + ",rffffffffff");
        chrome.waitFor(10).until(d -> !d.findElement(By.id("error")).getText().isEmpty());
        assertEquals("run 'rffffffffff' not found", driver.findElement(By.id("error")).getText());
        assertTrue(!driver.findElement(By.id("same")).isDisplayed() && !driver.findElement(By.id("epoch")).isDisplayed(), "no empty section under the error");
        assertTrue(driver.findElements(By.tagName("h2")).stream().noneMatch(WebElement::isDisplayed), "no heading over nothing");
        driver.get(base + "/compare.html?runs=" + a + "," + a);
        chrome.waitFor(10).until(d -> !d.findElement(By.id("error")).getText().isEmpty());
        assertEquals("runs: 1 distinct run id given; give 2 to 8 run ids separated by commas", driver.findElement(By.id("error")).getText());
        assertTrue(driver.findElements(By.tagName("h2")).stream().noneMatch(WebElement::isDisplayed), "no heading over nothing");
    }

    /**
     * Clicks the middle of tile {@code tile} of gallery {@code gallery} (0 = A), as a pointer does: one click (detail 1;
     * a gallery takes a click of detail 0 as the keyboard's, which picks the filter followed).
     */
    private void clickTile(int gallery, int tile) {
        chrome.js("const img = document.querySelectorAll('img.gallery-img')[arguments[0]];"
                + " const cols = Math.ceil(Math.sqrt(" + HIDDEN + ")), tw = " + SIDE + " * 2 + 1;"
                + " const r = img.getBoundingClientRect(), k = r.width / img.naturalWidth;"
                + " const x = r.left + (1 + (arguments[1] % cols) * tw + tw / 2) * k, y = r.top + (1 + Math.floor(arguments[1] / cols) * tw + tw / 2) * k;"
                + " img.dispatchEvent(new MouseEvent('click', { clientX: x, clientY: y, detail: 1, bubbles: true }));", gallery, tile);
    }

    private static int indexOf(int[] a, int v) {
        for (int i = 0; i < a.length; i++) if (a[i] == v) return i;
        throw new IllegalArgumentException(v + " not in the permutation");
    }
}
