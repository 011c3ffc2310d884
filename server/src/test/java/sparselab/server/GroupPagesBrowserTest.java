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
import sparselab.store.EventLog;
import sparselab.log.RunEvent;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The group page of a ladder written as events (no trainer): its table and thumbnails; the compare page's filter
 * measures beside the galleries and as curves, and its ladder button.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class GroupPagesBrowserTest {
    @RegisterExtension static final Chrome chrome = new Chrome();

    Path dir;
    EventLog log;
    Javalin app;
    WebDriver driver;
    String base;
    List<String> ladder;

    @BeforeAll
    void start() throws IOException {
        dir = Files.createTempDirectory("sparselab-groups");
        log = TestLogs.open(dir, "groups.db");
        // the ladder from A (beta 0.1, no decay) to B (beta 3, decay 0.003), as `sparselab ladder A B` records it
        List<Map<String, String>> configs = List.of(
                Map.of("data", "bars", "beta", "0.1", "weightDecay", "0", "epochs", "4"),
                Map.of("data", "bars", "beta", "3", "weightDecay", "0", "epochs", "4"),
                Map.of("data", "bars", "beta", "3", "weightDecay", "0.003", "epochs", "4"));
        List<List<String>> changed = List.of(List.of(), List.of("beta"), List.of("weightDecay"));
        ladder = new java.util.ArrayList<>();
        for (int i = 0; i < 3; i++) {
            var step = new RunEvent.LadderStep("rAAAAAAAAAA", "rBBBBBBBBBB", i, 3, changed.get(i), null);
            String id = log.create(new RunEvent.Created(ConfigKeys.build(configs.get(i)).toMap(), null, "f00d", Map.of(), "ladder", "ladder-test", step));
            ladder.add(Fixtures.train(log, id, 4, 16, 8, null, true));
        }
        app = Fixtures.pagesServer(log);
        base = "http://127.0.0.1:" + app.port();
        driver = chrome.driver();
    }

    @AfterAll
    void stop() {
        Fixtures.stopPages(app, log, dir);
    }

    @Test
    void the_group_page_without_a_name_says_how_to_name_one() {
        driver.get(base + "/group.html");
        chrome.waitFor(10).until(d -> !d.findElement(By.id("error")).getText().isEmpty());
        String error = driver.findElement(By.id("error")).getText();
        assertTrue(error.contains("group.html?name=NAME") && !error.contains("Endpoint"), error);
    }

    @Test
    void an_unknown_group_shows_its_error_alone() {
        driver.get(base + "/group.html?name=nope");
        chrome.waitFor(10).until(d -> !d.findElement(By.id("error")).getText().isEmpty());
        assertEquals("group 'nope' not found", driver.findElement(By.id("error")).getText());
        assertTrue(!driver.findElement(By.id("last-step")).isDisplayed(), "no note on the final figures of no runs");
        assertTrue(driver.findElements(By.tagName("h2")).stream().noneMatch(WebElement::isDisplayed), "no Weights heading over nothing");
    }

    @Test
    void a_sweep_leaves_a_run_whose_units_are_all_dead_out_of_the_stroke_share_chart_and_says_so() {
        double[][] m = {{0.1, 0.1, 0.2}, {1, 0.2, 0.3}, {3, 1.0, 0.375}};      // beta, dead fraction, stroke share
        List<String> ids = new java.util.ArrayList<>();
        for (double[] r : m) {
            String id = Fixtures.train(log, Fixtures.queued(log, Map.of("data", "bars", "beta", String.valueOf(r[0]), "epochs", "4"), "sweep", "dead-sweep"),
                    4, 16, 8, null, false);
            log.append(id, new RunEvent.FilterMeasures(4, 0.3, r[1], 0.0, 0.5, 0.2, r[2]));
            ids.add(id);
        }
        driver.get(base + "/group.html?name=dead-sweep");
        By chart = By.cssSelector("#sweep-charts canvas[data-key='beta'][data-figure='strokeShare']");
        chrome.waitFor(15).until(d -> !d.findElements(chart).isEmpty());
        assertEquals(List.of(0.2, 0.3), chrome.js("return Chart.getChart(arguments[0]).data.datasets.flatMap(s => s.data.map(p => p.y));",
                driver.findElement(chart)), "the all-dead run's stroke share of 0.375 is not drawn");
        assertEquals("stroke share: " + ids.get(2) + " all dead at its last snapshot (epoch 4), not drawn",
                driver.findElement(By.cssSelector("#sweep-constant li[data-figure='strokeShare-dead']")).getText());
    }

    @Test
    void the_over_seeds_table_writes_an_sd_in_the_style_of_its_mean() {
        double[] locality = {0.0547, 0.05497};                 // mean 0.05484, sd 0.000191
        for (int seed = 0; seed < 2; seed++) {
            String id = Fixtures.train(log, Fixtures.queued(log, Map.of("data", "bars", "epochs", "4", "seed", String.valueOf(seed + 1)), "sweep", "seeds-format"),
                    4, 16, 8, null, false);
            log.append(id, new RunEvent.FilterMeasures(4, locality[seed], 0.1, 0.0, 0.5, 0.2, 0.3));
        }
        driver.get(base + "/group.html?name=seeds-format");
        By cell = By.cssSelector("#points tbody td[data-figure='locality']");
        chrome.waitFor(15).until(d -> !d.findElements(cell).isEmpty());
        String text = driver.findElement(cell).getText();
        assertTrue(text.matches("(?s)0\\.0548\\d ± 0\\.000191\\n95%: 0\\.05\\d* – 0\\.05\\d*"), "the sd written as its mean is, no exponent beside a decimal: " + text);
    }

    @Test
    void shows_a_ladder_as_one_table_with_its_changes_figures_measures_and_thumbnails() throws IOException {
        driver.get(base + "/index.html");
        By link = By.cssSelector("#runs a.group-link[href$='name=ladder-test']");
        chrome.waitFor(10).until(d -> d.findElements(link).size() == 3);
        // found and clicked in one step: the live table may redraw its rows between a find and a click
        chrome.js("document.querySelector(\"#runs a.group-link[href$='name=ladder-test']\").click();");
        chrome.waitFor(10).until(d -> d.getCurrentUrl().endsWith("/group.html?name=ladder-test"));

        chrome.waitFor(10).until(d -> d.findElements(By.cssSelector("#group tbody tr")).size() == 3);
        chrome.waitFor(15).until(d -> (Boolean) chrome.js("const i = [...document.querySelectorAll('#strip img.thumb-img')];"
                + " return i.length === 3 && i.every(x => x.complete && x.naturalWidth > 0);"));
        List<WebElement> rows = driver.findElements(By.cssSelector("#group tbody tr"));
        for (int i = 0; i < 3; i++) {
            assertEquals(ladder.get(i), rows.get(i).getAttribute("data-run"));
            assertEquals(String.valueOf(i), rows.get(i).getAttribute("data-step"));
        }
        assertTrue(rows.get(1).getText().contains("beta: 0.1 → 3"), rows.get(1).getText());
        assertTrue(rows.get(2).getText().contains("weightDecay: 0 → 0.003"), rows.get(2).getText());
        assertEquals("0.4", rows.get(2).findElement(By.cssSelector("td[data-measure='locality']")).getText(), "the latest snapshot's locality");
        @SuppressWarnings("unchecked")
        List<String> captions = (List<String>) chrome.js("return [...document.querySelectorAll('#strip figcaption')].map(f => f.textContent);");
        assertEquals(3, captions.size());
        captions.forEach(c -> assertTrue(c.endsWith("· epoch 4"), "minibatch runs: the step's word is epoch: " + c));
        assertEquals("epoch", driver.findElement(By.id("last-step")).getText(), "minibatch runs: final figures are each run's last epoch");
        assertEquals("Ladder", driver.findElement(By.id("kind")).getText());
        assertTrue(driver.findElement(By.id("compare")).getAttribute("href").endsWith("/compare.html?runs=" + String.join(",", ladder)));
        chrome.screenshot("group.png");
        // a thumbnail drawn larger than its pixels keeps them square; one drawn smaller (a phone's width) is smoothed
        assertEquals("pixelated", chrome.js("return getComputedStyle(document.querySelector('#strip img.thumb-img')).imageRendering;"));
        chrome.js("const i = document.querySelector('#strip img.thumb-img'); i.style.maxWidth = (i.naturalWidth / 2) + 'px'; i.dispatchEvent(new Event('load'));");
        assertEquals("auto", chrome.js("return getComputedStyle(document.querySelector('#strip img.thumb-img')).imageRendering;"));
    }

    /**
     * A step that left the asked order says why under the table, once per step, and to a screen reader in its cell (found
     * 2026-12-02 by a new user's walkthrough: the reason was in a tooltip alone, behind a "*" that nothing explained).
     */
    @Test
    void a_ladder_step_that_left_the_asked_order_says_why_under_the_table() {
        String note = "merged: sparsity=kl alone is refused, and no single other key makes it valid first";
        List<List<String>> changed = List.of(List.of(), List.of("beta", "sparsity"));
        for (int i = 0; i < 2; i++) {
            for (int seed = 1; seed <= 2; seed++) {
                var step = new RunEvent.LadderStep("rAAAAAAAAAA", "rBBBBBBBBBB", i, 2, changed.get(i), i == 1 ? note : null);
                log.create(new RunEvent.Created(ConfigKeys.build(Map.of("data", "bars", "beta", i == 0 ? "0" : "3", "seed", Integer.toString(seed)))
                        .toMap(), null, "f00d", Map.of(), "ladder", "ladder-noted", step));
            }
        }
        driver.get(base + "/group.html?name=ladder-noted");
        chrome.waitFor(10).until(d -> d.findElements(By.cssSelector("#group tbody tr")).size() == 4);
        WebElement notes = driver.findElement(By.id("notes"));
        assertTrue(notes.isDisplayed());
        List<WebElement> items = notes.findElements(By.tagName("li"));
        assertEquals(1, items.size(), "once per step, not per seed");
        assertEquals("* step 1: " + note, items.get(0).getText());
        WebElement change = driver.findElements(By.cssSelector("#group tbody tr[data-step='1'] td.change")).get(0);
        assertTrue(change.getAttribute("textContent").endsWith("* (" + note + ")"), change.getAttribute("textContent"));

        driver.get(base + "/group.html?name=ladder-test");
        chrome.waitFor(10).until(d -> d.findElements(By.cssSelector("#group tbody tr")).size() == 3);
        assertFalse(driver.findElement(By.id("notes")).isDisplayed(), "a ladder in the asked order has no notes");
    }

    /** A sweep whose runs are all queued says its figures are not measured yet (it said "not measured in these runs"). */
    @Test
    void a_queued_sweep_says_its_figures_are_not_measured_yet() {
        for (String beta : List.of("0", "3")) Fixtures.queued(log, Map.of("data", "bars", "beta", beta), "sweep", "sweep-queued");
        driver.get(base + "/group.html?name=sweep-queued");
        By loss = By.cssSelector("#sweep-constant li[data-figure='loss']");
        chrome.waitFor(10).until(d -> !d.findElements(loss).isEmpty());
        assertEquals("final loss: not measured yet (runs queued or running)", driver.findElement(loss).getText());
        assertEquals("stroke share: not measured yet (runs queued or running)",
                driver.findElement(By.cssSelector("#sweep-constant li[data-figure='strokeShare']")).getText());
    }

    @Test
    void a_group_of_l_bfgs_runs_says_iteration_and_a_group_of_both_kinds_says_both() {
        Map<String, String> lbfgs = Map.of("data", "bars", "optimizer", "lbfgs", "batchSize", "0", "epochs", "4");
        Fixtures.trained(log, lbfgs, 4, 16, 8, null, "sweep", "lbfgs-only");
        Fixtures.trained(log, Map.of("data", "bars", "optimizer", "lbfgs", "batchSize", "0", "epochs", "4", "beta", "0"), 4, 16, 8, null, "sweep", "lbfgs-only");
        Fixtures.trained(log, lbfgs, 4, 16, 8, null, "sweep", "both-kinds");
        Fixtures.trained(log, Map.of("data", "bars", "epochs", "4"), 4, 16, 8, null, "sweep", "both-kinds");
        for (String[] g : new String[][] {{"lbfgs-only", "iteration"}, {"both-kinds", "epoch/iteration"}}) {
            driver.get(base + "/group.html?name=" + g[0]);
            chrome.waitFor(10).until(d -> d.findElements(By.cssSelector("#strip figcaption")).size() == 2);
            assertEquals(g[1], driver.findElement(By.id("last-step")).getText(), g[0]);
            String note = driver.findElement(By.id("last-step")).findElement(By.xpath("..")).getText();
            assertTrue(note.startsWith("Final figures are each run's last " + g[1] + ";"), note);
        }
        // each thumbnail says its own run's word, also in a group of both kinds
        @SuppressWarnings("unchecked")
        List<String> captions = (List<String>) chrome.js("return [...document.querySelectorAll('#strip figcaption')].map(f => f.textContent);");
        assertTrue(captions.get(0).endsWith("· iteration 4") && captions.get(1).endsWith("· epoch 4"), captions.toString());
    }

    @Test
    void a_run_that_ended_without_a_snapshot_says_no_snapshot_and_one_that_may_still_get_one_says_yet() {
        String cancelled = Fixtures.queued(log, Map.of("data", "bars", "epochs", "4", "beta", "0.1"), "sweep", "no-snapshots");
        log.append(cancelled, new RunEvent.CancelRequested("test"));
        log.append(cancelled, new RunEvent.Cancelled(0));
        String failed = Fixtures.queued(log, Map.of("data", "bars", "epochs", "4", "beta", "0.3"), "sweep", "no-snapshots");
        log.append(failed, new RunEvent.Started(4242, "test-host", 1, 0, "f00d", Map.of()));
        log.append(failed, new RunEvent.Failed(0, "out of memory"));
        String waiting = Fixtures.queued(log, Map.of("data", "bars", "epochs", "4", "beta", "3"), "sweep", "no-snapshots");
        driver.get(base + "/group.html?name=no-snapshots");
        chrome.waitFor(10).until(d -> d.findElements(By.cssSelector("#strip figure .thumb-empty")).size() == 3);
        String empty = "return document.querySelector(arguments[0]).querySelector('.thumb-empty').textContent;";
        assertEquals("no snapshot", chrome.js(empty, "#strip figure[data-run='" + cancelled + "']"), "a cancelled run gets none");
        assertEquals("no snapshot", chrome.js(empty, "#strip figure[data-run='" + failed + "']"), "a failed run gets none");
        // queued (or taken by the tests' pool, which trains nothing): its snapshot may still come
        assertEquals("no snapshot yet", chrome.js(empty, "#strip figure[data-run='" + waiting + "']"));
        log.append(waiting, new RunEvent.CancelRequested("test"));
        log.append(waiting, new RunEvent.Cancelled(0));
    }

    @Test
    void the_compare_page_shows_filter_measures_beside_the_galleries_and_as_curves_and_queues_a_ladder() {
        String a = ladder.get(0);
        String b = ladder.get(2);
        driver.get(base + "/compare.html?runs=" + a + "," + b);
        chrome.waitFor(15).until(d -> (Boolean) chrome.js("const i = [...document.querySelectorAll('img.gallery-img')];"
                + " return i.length === 2 && i.every(x => x.complete && x.naturalWidth > 0);"));
        for (String m : List.of("locality", "deadFraction", "saturatedFraction", "lifetimeSparsity", "digitLikeness")) {
            Number lines = (Number) chrome.js("const c = Chart.getChart(document.getElementById('chart-m-" + m + "'));"
                    + " return c ? c.data.datasets.filter(s => s.data.length === 4).length : -1;");
            assertEquals(2, lines.intValue(), m + ": one curve per run over the 4 snapshots (0, 1, 2, 4)");
        }
        // these runs' measures were written without a stroke share: one line saying so, not an empty chart
        assertTrue(driver.findElement(By.cssSelector("#constant-measures li[data-figure='m-strokeShare']")).getText().contains("not measured"));
        assertTrue(driver.findElements(By.id("chart-m-strokeShare")).isEmpty());
        WebElement table = driver.findElement(By.cssSelector(".galleries table.measures[data-run='" + a + "']"));
        assertEquals("stroke share", table.findElement(By.cssSelector("tr[data-measure='strokeShare'] th")).getText());
        assertEquals("4", table.getAttribute("data-epoch"), "the measures of the shown snapshot");
        assertEquals("0.4", table.findElement(By.cssSelector("tr[data-measure='locality'] td.num")).getText());

        assertTrue(driver.findElement(By.id("ladder")).isDisplayed());
        // seeds as typed: a refusal names them and queues nothing (the web could not start a ladder with seeds before)
        int before = log.runs().size();
        driver.findElement(By.id("ladder-seeds")).sendKeys("0");
        driver.findElement(By.id("ladder")).click();
        chrome.waitFor(10).until(d -> !d.findElement(By.id("ladder-error")).getText().isBlank());
        assertTrue(driver.findElement(By.id("ladder-error")).getText().contains("seeds: 0 is out of range: 1 to 100"),
                driver.findElement(By.id("ladder-error")).getText());
        assertEquals(before, log.runs().size(), "nothing queued");
        driver.findElement(By.id("ladder-seeds")).clear();
        driver.findElement(By.id("ladder-seeds")).sendKeys("2");
        driver.findElement(By.id("ladder")).click();
        chrome.waitFor(10).until(d -> d.getCurrentUrl().contains("/group.html?name=ladder-"));
        chrome.waitFor(10).until(d -> d.findElements(By.cssSelector("#group tbody tr")).size() == 6);
        assertFalse(driver.findElement(By.id("error")).getText().contains("not found"));
        // each step twice, with the step's seed and the next, and the page's tables of replicates
        @SuppressWarnings("unchecked")
        List<String> stepsAndSeeds = (List<String>) chrome.js("return [...document.querySelectorAll('#group tbody tr')].map(r => r.dataset.step + '/' + r.querySelector(\"td[data-key='seed']\").textContent);");
        assertEquals(List.of("0/1", "0/2", "1/1", "1/2", "2/1", "2/2"), stepsAndSeeds);
        chrome.waitFor(10).until(d -> d.findElement(By.id("points-box")).isDisplayed());
    }
}
