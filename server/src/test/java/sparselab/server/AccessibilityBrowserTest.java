package sparselab.server;

import com.fasterxml.jackson.databind.JsonNode;
import io.javalin.Javalin;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.openqa.selenium.By;
import org.openqa.selenium.Keys;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.WebElement;
import sparselab.log.RunEvent;
import sparselab.store.EventLog;
import sparselab.store.WorkerInfo;

import java.io.IOException;
import java.math.BigDecimal;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The pages as a keyboard-only and screen-reader user meets them, in headless Chromium, read through the browser's
 * accessibility tree (the name and role a screen reader announces): every control, image and chart named, a title
 * that says which page and run; what a mouse opens, the keyboard opens too, and a dialog keeps and gives back focus.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class AccessibilityBrowserTest {
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
        dir = Files.createTempDirectory("sparselab-a11y");
        log = TestLogs.open(dir, "a11y.db");
        sparse = Fixtures.trained(log, Map.of("data", "bars", "beta", "3", "rho", "0.1", "epochs", "4"), 4, 16, 8, null, "cli", null);
        plain = Fixtures.trained(log, Map.of("data", "bars", "beta", "0", "rho", "0.1", "epochs", "4"), 4, 16, 8, null, "cli", null);
        // a sweep of three keys whose runs end apart: charts against each key and parallel coordinates
        String[][] points = {{"0.1", "0.05", "2"}, {"1", "0.1", "3"}, {"3", "0.2", "4"}};
        for (String[] p : points) {
            Fixtures.trained(log, Map.of("data", "bars", "beta", p[0], "rho", p[1], "epochs", p[2]), Integer.parseInt(p[2]), 16, 8, null, "sweep", "a11y-sweep");
        }
        log.workerBeat(new WorkerInfo("lab-1", "box-1", 4242, 1, List.of(), null, null, false));
        app = Fixtures.pagesServer(log);
        base = "http://127.0.0.1:" + app.port();
        driver = chrome.driver();
    }

    @AfterAll
    void stop() {
        Fixtures.stopPages(app, log, dir);
    }

    @Test
    void a_focused_control_in_a_live_table_keeps_the_focus_when_the_stream_draws_its_row_again() {
        String id = Fixtures.queued(log, Map.of("data", "bars", "epochs", "5"), "sweep", "a11y-live");
        log.append(id, new RunEvent.Started(4242, "test-host", 1, 0, "f00d", Map.of()));
        try {
            // the runs page: its row is drawn again at each epoch, the whole table when a run is added
            driver.get(base + "/index.html");
            String box = "#runs tbody tr[data-run='" + id + "'] input[type=checkbox]";
            chrome.waitFor(15).until(d -> !d.findElements(By.cssSelector(box)).isEmpty()
                    && "stream".equals(chrome.js("return document.documentElement.dataset.live;")));
            chrome.js("document.querySelector(arguments[0]).focus();", box);
            epoch(id, 1);
            chrome.waitFor(15).until(d -> Boolean.TRUE.equals(chrome.js("return document.querySelector(arguments[0]).textContent.includes('1/5');",
                    "#runs tbody tr[data-run='" + id + "']")));
            assertEquals(Boolean.TRUE, chrome.js("return document.activeElement.matches(arguments[0]);", box), "the run's checkbox keeps the focus");
            String added = Fixtures.queued(log, Map.of("data", "bars", "epochs", "5"));
            chrome.waitFor(15).until(d -> !d.findElements(By.cssSelector("#runs tbody tr[data-run='" + added + "']")).isEmpty());
            assertEquals(Boolean.TRUE, chrome.js("return document.activeElement.matches(arguments[0]);", box), "and when the table is drawn again");
            log.append(added, new RunEvent.Cancelled(0));

            // the group page: its table is drawn again at each epoch
            driver.get(base + "/group.html?name=a11y-live");
            String link = "#group tbody tr[data-run='" + id + "'] a";
            chrome.waitFor(15).until(d -> !d.findElements(By.cssSelector(link)).isEmpty()
                    && "stream".equals(chrome.js("return document.documentElement.dataset.live;")));
            chrome.js("document.querySelector(arguments[0]).focus();", link);
            epoch(id, 2);
            chrome.waitFor(15).until(d -> Boolean.TRUE.equals(chrome.js("return document.querySelector(arguments[0]).textContent.includes('2/5');",
                    "#group tbody tr[data-run='" + id + "']")));
            assertEquals(Boolean.TRUE, chrome.js("return document.activeElement.matches(arguments[0]);", link), "the run's link keeps the focus");
        } finally {
            log.append(id, new RunEvent.Cancelled(2));
        }
    }

    @Test
    void a_notice_is_said_once_not_at_every_epoch_and_the_launch_form_ties_each_refusal_to_its_field() {
        // the run page's notice is a polite live region: drawn again only when its words change, not at each event
        String id = Fixtures.queued(log, Map.of("data", "bars", "epochs", "5"));
        log.append(id, new RunEvent.Started(4242, "test-host", 1, 0, "f00d", Map.of()));
        log.append(id, new RunEvent.CancelRequested("test"));
        try {
            driver.get(base + "/run.html?id=" + id);
            chrome.waitFor(15).until(d -> d.findElement(By.id("notice")).getText().startsWith("Cancel requested")
                    && "stream".equals(chrome.js("return document.documentElement.dataset.live;")));
            assertEquals("polite", driver.findElement(By.id("notice")).getAttribute("aria-live"));
            assertEquals("polite", driver.findElement(By.id("error")).getAttribute("aria-live"));
            chrome.js("window.noticeWrites = 0; new MutationObserver(m => { window.noticeWrites += m.length; })"
                    + ".observe(document.getElementById('notice'), { childList: true, subtree: true, characterData: true });");
            for (int e = 1; e <= 2; e++) {
                epoch(id, e);
                String done = e + "/5";
                chrome.waitFor(15).until(d -> d.findElement(By.id("summary")).getText().startsWith(done));
            }
            assertEquals(0L, chrome.js("return window.noticeWrites;"), "the notice, unchanged, was not written (and said) again at each epoch");
            assertTrue(driver.findElement(By.id("notice")).getText().startsWith("Cancel requested"));
        } finally {
            log.append(id, new RunEvent.Cancelled(2));
        }

        // the launch form: a refused field is marked invalid and described by its hint, refusal included; the form's
        // error is an alert
        driver.get(base + "/launch.html");
        chrome.waitFor(10).until(d -> !d.findElements(By.id("key-rho")).isEmpty());
        WebElement rho = driver.findElement(By.id("key-rho"));
        assertEquals(null, rho.getAttribute("aria-invalid"));
        rho.sendKeys("2");
        driver.findElement(By.id("submit")).click();
        chrome.waitFor(10).until(d -> !d.findElement(By.id("err-rho")).getText().isBlank());
        assertEquals("true", rho.getAttribute("aria-invalid"));
        String described = (String) chrome.js("return arguments[0].getAttribute('aria-describedby').split(' ')"
                + ".map(id => document.getElementById(id).textContent).join(' ');", rho);
        assertTrue(described.startsWith("target activation rate") && described.contains(driver.findElement(By.id("err-rho")).getText()), described);
        assertEquals("alert", driver.findElement(By.id("form-error")).getAriaRole());
    }

    /** Epoch {@code e} of a running run, and a heartbeat (alive: the tests' takeover timeout is a few seconds). */
    private void epoch(String id, int e) {
        log.append(id, new RunEvent.EpochCompleted(e, 2.5 / e, 2.0 / e, 0.4, 0.1, 0.2, new double[16], 0.1, 0.2, 0, 0, false, 2.1 / e, 0.5, 100));
        log.append(id, new RunEvent.Heartbeat(e, 0));
    }

    /** Each page, the wait for it to be drawn, and a word its title must hold besides "sparselab". */
    record Page(String path, String ready, String titleHolds) {}

    @Test
    void every_control_image_and_chart_of_every_page_has_a_name_and_the_title_says_which_page_it_is() {
        List<Page> pages = List.of(
                new Page("/index.html", "return document.querySelectorAll('#runs tbody tr').length >= 5;", "runs"),
                new Page("/run.html?id=" + sparse, "return !!Chart.getChart(document.getElementById('curves')) && document.getElementById('grid').complete"
                        + " && document.getElementById('grid').naturalWidth > 0;", "run " + sparse),
                new Page("/compare.html?runs=" + sparse + "," + plain, "return document.querySelectorAll('#heatmaps canvas').length === 2"
                        + " && document.querySelectorAll('#charts canvas').length > 0 && document.querySelectorAll('#measure-charts canvas').length > 0"
                        + " && [...document.querySelectorAll('#galleries img')].every(i => i.complete && i.naturalWidth > 0);",
                        "compare " + sparse + " vs " + plain),
                new Page("/group.html?name=a11y-sweep", "return document.querySelectorAll('#sweep-charts canvas').length > 0"
                        + " && !document.getElementById('parallel-box').hidden && document.querySelectorAll('#strip img').length === 3;", "a11y-sweep"),
                new Page("/launch.html", "return !!document.getElementById('key-beta');", "launch"),
                new Page("/workers.html", "return document.querySelectorAll('#workers tbody tr').length === 1;", "workers"));
        List<String> unnamed = new ArrayList<>();
        for (Page page : pages) {
            driver.get(base + page.path());
            chrome.waitFor(15).until(d -> Boolean.TRUE.equals(chrome.js(page.ready())));
            assertEquals("en", driver.findElement(By.tagName("html")).getAttribute("lang"), page.path());
            assertTrue(driver.getTitle().startsWith("sparselab — ") && driver.getTitle().contains(page.titleHolds()),
                    page.path() + ": the title names the page: " + driver.getTitle());
            int seen = 0;
            // a tabindex of -1 (the main content, which the skip link focuses) is no stop of Tab, nor a control
            for (WebElement e : driver.findElements(By.cssSelector("input, select, textarea, button, img, canvas, [role=button], [tabindex]:not([tabindex='-1'])"))) {
                if (!e.isDisplayed()) continue;
                seen++;
                String name = e.getAccessibleName();
                String what = page.path() + " " + e.getTagName() + "#" + e.getAttribute("id") + "." + e.getAttribute("class");
                if (name == null || name.isBlank()) unnamed.add(what);
                if (e.getTagName().equals("canvas") && !"image".equals(e.getAriaRole()) && !"img".equals(e.getAriaRole())) {
                    unnamed.add(what + " (role " + e.getAriaRole() + ", not an image)");
                }
            }
            assertTrue(seen > 0 || page.path().startsWith("/workers"), page.path() + ": controls found");
        }
        assertEquals(List.of(), unnamed, "controls, images and charts a screen reader cannot name");
        // named by what they show: a chart by its title and series, the weights by run and epoch
        driver.get(base + "/run.html?id=" + sparse);
        chrome.waitFor(15).until(d -> Boolean.TRUE.equals(chrome.js(pages.get(1).ready())));
        assertEquals("chart of loss and its terms — loss; reconstruction; held-out; penalty; weight decay", driver.findElement(By.id("curves")).getAccessibleName());
        assertEquals("weights of " + sparse + " at epoch 4: its 16 filters of 8×8 pixels, gray = 0", driver.findElement(By.id("grid")).getAccessibleName());
        assertEquals("snapshot", driver.findElement(By.id("snapshot")).getAccessibleName());
    }

    @Test
    void a_disabled_link_is_neither_reached_by_tab_nor_followed_but_still_shown_disabled() {
        String only = Fixtures.trained(log, Map.of("data", "bars", "beta", "3", "epochs", "2"), 2, 16, 8, null, "sweep", "a11y-one");
        driver.get(base + "/group.html?name=a11y-one");
        By runLink = By.cssSelector("#group tbody tr[data-run='" + only + "'] a");
        chrome.waitFor(15).until(d -> d.findElement(By.id("count")).getText().equals("1 run") && !d.findElements(runLink).isEmpty());
        WebElement compare = driver.findElement(By.id("compare"));
        assertEquals(null, compare.getAttribute("href"), "no address to follow");
        assertEquals("true", compare.getAttribute("aria-disabled"), "said as disabled");
        assertEquals("0.45", compare.getCssValue("opacity"), "drawn as disabled");
        chrome.js("arguments[0].focus();", compare);
        assertEquals(Boolean.FALSE, chrome.js("return document.activeElement === arguments[0];", compare), "it takes no focus");
        chrome.js("[...document.querySelectorAll('header a')].pop().focus();");
        press(Keys.TAB);
        assertTrue(focused(runLink), "Tab from the header goes past it to the run's link");
    }

    @Test
    void the_keyboard_picks_a_filter_on_the_compare_page_and_the_arrows_step_the_filters() {
        driver.get(base + "/compare.html?runs=" + sparse + "," + plain);
        chrome.waitFor(15).until(d -> Boolean.TRUE.equals(chrome.js(
                "const i = [...document.querySelectorAll('#galleries img')]; return i.length === 2 && i.every(i => i.complete && i.naturalWidth > 0);")));
        By first = By.cssSelector("#galleries button[data-run='" + sparse + "']");
        chrome.js("document.getElementById('by-match').focus();");
        assertTrue(tabTo(first, 3), "Tab reaches the first run's gallery");
        assertTrue(focusedName().startsWith("weights of "), focusedName());
        press(Keys.ENTER);
        By hl = By.cssSelector("#galleries .hl[data-run='" + sparse + "']");
        chrome.waitFor(10).until(d -> !d.findElements(hl).isEmpty()
                && d.findElement(By.id("unit-title")).getText().startsWith("Matched units: " + sparse + " unit 0"));
        assertEquals("0", driver.findElement(hl).getAttribute("data-unit"));
        press(Keys.ARROW_RIGHT);
        chrome.waitFor(10).until(d -> "1".equals(d.findElement(hl).getAttribute("data-unit")));
        press(Keys.ARROW_DOWN);     // 16 units: a grid of 4 columns
        chrome.waitFor(10).until(d -> "5".equals(d.findElement(hl).getAttribute("data-unit")));
        assertTrue(driver.findElement(By.id("unit-title")).getText().startsWith("Matched units: " + sparse + " unit 5"),
                driver.findElement(By.id("unit-title")).getText());
        assertTrue(focused(first), "the focus stays on the gallery");
    }

    @Test
    void every_page_starts_with_a_skip_link_to_its_main_content_and_names_its_header_links_marking_the_page() {
        // each page, and the header link that is that page (none: a run, comparison or group is no link of the header)
        Map<String, String> current = new java.util.LinkedHashMap<>();
        current.put("/index.html", "/index.html");
        current.put("/run.html?id=" + sparse, null);
        current.put("/compare.html?runs=" + sparse + "," + plain, null);
        current.put("/group.html?name=a11y-sweep", null);
        current.put("/launch.html", "/launch.html");
        current.put("/workers.html", "/workers.html");
        for (Map.Entry<String, String> page : current.entrySet()) {
            String path = page.getKey();
            driver.get(base + path);
            chrome.waitFor(10).until(d -> "complete".equals(chrome.js("return document.readyState;")));
            WebElement nav = driver.findElement(By.cssSelector("header nav"));
            assertEquals("pages", nav.getAccessibleName(), path);
            assertEquals(3, nav.findElements(By.cssSelector("a")).size(), path + ": the header's links are in its nav");
            assertEquals(page.getValue() == null ? List.of() : List.of(page.getValue()),
                    chrome.js("return [...document.querySelectorAll('[aria-current=page]')].map(a => a.getAttribute('href'));"), path + ": the current page");
            press(Keys.TAB);
            assertEquals("Skip to content", focusedName(), path + ": the first stop of Tab");
            assertTrue(driver.switchTo().activeElement().isDisplayed(), path + ": seen once focused");
            press(Keys.ENTER);
            chrome.waitFor(5).until(d -> Boolean.TRUE.equals(chrome.js("return document.activeElement === document.querySelector('main#main');")));
        }
    }

    @Test
    void key_value_tables_head_each_row_with_its_key() {
        driver.get(base + "/run.html?id=" + sparse);
        chrome.waitFor(15).until(d -> !d.findElements(By.cssSelector("#config tr[data-key='beta']")).isEmpty()
                && !d.findElements(By.cssSelector("#measures table.measures tr")).isEmpty());
        assertEquals(List.of("beta", "row"), chrome.js("const h = document.querySelector(\"#config tr[data-key='beta'] > :first-child\");"
                + " return [h.textContent, h.tagName === 'TH' ? h.scope : 'a ' + h.tagName];"));
        assertEquals(List.of(), chrome.js("return [...document.querySelectorAll('#config tr, #measures table.measures tr')]"
                + ".filter(r => !r.firstElementChild.matches('th[scope=row]')).map(r => r.textContent);"), "rows without a header");
        driver.get(base + "/compare.html?runs=" + sparse + "," + plain);
        chrome.waitFor(15).until(d -> !d.findElements(By.cssSelector("#diff tbody tr[data-key='beta']")).isEmpty()
                && !d.findElements(By.cssSelector("#galleries table.measures tr")).isEmpty());
        assertEquals(List.of(), chrome.js("return [...document.querySelectorAll('#diff tbody tr, #same tbody tr, #galleries table.measures tr')]"
                + ".filter(r => !r.firstElementChild.matches('th[scope=row]')).map(r => r.textContent);"), "rows without a header");
    }

    @Test
    void the_effects_table_says_in_words_which_steps_are_larger_than_the_seed_noise() {
        // a ladder of two steps, two seeds each: step 0 ends at losses 2.5 and 2 (4 and 5 epochs), step 1 at 10 and 10
        int[][] epochs = {{4, 5}, {1, 1}};
        for (int step = 0; step < 2; step++) {
            for (int s = 0; s < 2; s++) {
                var ls = new RunEvent.LadderStep("rAAAAAAAAAA", "rBBBBBBBBBB", step, 2, step == 0 ? List.of() : List.of("beta"), null);
                Map<String, String> c = Map.of("data", "bars", "beta", step == 0 ? "0.1" : "3", "seed", Integer.toString(1 + s), "epochs", "5");
                String id = log.create(new RunEvent.Created(sparselab.config.ConfigKeys.build(c).toMap(), null, "f00d", Map.of(), "ladder", "a11y-ladder", ls));
                Fixtures.train(log, id, epochs[step][s], 16, 8, null, false);
            }
        }
        driver.get(base + "/group.html?name=a11y-ladder");
        By loss = By.cssSelector("#effects tbody tr[data-step='1'] td[data-figure='loss']");
        chrome.waitFor(15).until(d -> !d.findElements(loss).isEmpty());
        assertTrue(driver.findElement(loss).getAttribute("class").contains("changed"), "+7.75 ± 3.2: larger than the seed noise");
        assertTrue(driver.findElement(loss).getAttribute("textContent").endsWith(", larger than the seed noise"), driver.findElement(loss).getAttribute("textContent"));
        assertEquals(List.of(), chrome.js("return [...document.querySelectorAll('#effects tbody td[data-figure]')]"
                + ".filter(td => td.classList.contains('changed') !== td.textContent.includes('larger than the seed noise')).map(td => td.dataset.figure);"),
                "every highlighted cell, and none other, says so in words");
        assertEquals(1L, chrome.js("return document.querySelector(arguments[0] + ' .visually-hidden').getBoundingClientRect().width;",
                "#effects tbody tr[data-step='1'] td[data-figure='loss']"), "said, not shown");
    }

    @Test
    void each_charts_numbers_open_from_the_keyboard_as_a_table_of_the_figures_the_server_serves() throws IOException {
        // the run page: Tab goes from the log scale toggle to the numbers under the curves; Enter opens a table of every epoch
        driver.get(base + "/run.html?id=" + sparse);
        String curves = "loss and its terms";
        chrome.waitFor(15).until(d -> !d.findElements(numbersOf(curves)).isEmpty());
        assertEquals(0L, chrome.js("return document.querySelectorAll('table.numbers').length;"), "closed, no table is built");
        chrome.js("document.getElementById('run-logscale').focus();");
        assertTrue(tabTo(numbersOf(curves), 2), "Tab reaches the curves' numbers");
        assertEquals("Numbers of loss and its terms", focusedName());
        press(Keys.ENTER);
        chrome.waitFor(5).until(d -> numbers(curves) != null);
        assertEquals(curvesRows(sparse, 1), numbers(curves));
        assertEquals("loss and its terms (value)", chrome.js("return document.querySelector('table.numbers caption').textContent;"));
        assertEquals(List.of(), chrome.js("return [...document.querySelectorAll('table.numbers tr')].filter(r => !r.firstElementChild"
                + ".matches(r.parentElement.tagName === 'THEAD' ? 'th[scope=col]' : 'th[scope=row]')).map(r => r.textContent);"), "rows without a header");
        press(Keys.ENTER);
        chrome.waitFor(5).until(d -> numbers(curves) == null);
        assertEquals(0L, chrome.js("return document.querySelectorAll('table.numbers').length;"), "closed, its table is not kept up to date");

        // a long run: every 3rd of its 1,001 epochs from the first, and the last, as the caption says
        String longer = Fixtures.trained(log, Map.of("data", "bars", "epochs", "1001"), 1001, 4, 4, null);
        driver.get(base + "/run.html?id=" + longer);
        chrome.waitFor(15).until(d -> !d.findElements(numbersOf(curves)).isEmpty());
        open(curves);
        assertEquals(curvesRows(longer, 3), numbers(curves));
        assertEquals("loss and its terms (value): every 3rd of 1,001 rows, and the last",
                chrome.js("return document.querySelector('table.numbers caption').textContent;"));

        // the compare page: a row per epoch, a column per run named as in the legend, the compare API's figures
        driver.get(base + "/compare.html?runs=" + sparse + "," + plain);
        String loss = "loss (recon + decay + penalty)";
        chrome.waitFor(15).until(d -> !d.findElements(numbersOf(loss)).isEmpty());
        open(loss);
        JsonNode runs = get("/api/compare?runs=" + sparse + "," + plain).get("runs");
        List<String> head = new ArrayList<>(List.of("epoch"));
        TreeMap<Integer, List<String>> byEpoch = new TreeMap<>();
        for (int i = 0; i < runs.size(); i++) {
            JsonNode s = runs.get(i);
            head.add(s.get("run").get("runId").asText() + " (beta " + s.get("run").get("beta").asText() + ")");
            for (int j = 0; j < s.get("epoch").size(); j++) {
                List<String> row = byEpoch.computeIfAbsent(s.get("epoch").get(j).asInt(), e -> new ArrayList<>(List.of(e.toString(), "", "")));
                row.set(1 + i, fig(s.get("loss").get(j)));
            }
        }
        List<List<String>> expected = new ArrayList<>(List.of(head));
        expected.addAll(byEpoch.values());
        assertEquals(expected, numbers(loss));
        chrome.screenshot("compare-numbers" + (TestLogs.postgresql() ? "-postgresql" : "") + ".png");

        // the group page: a chart against a swept key, a row per value of the key, a column per line (the other keys' values)
        driver.get(base + "/group.html?name=a11y-sweep");
        String sweep = "final loss against beta";
        chrome.waitFor(15).until(d -> !d.findElements(numbersOf(sweep)).isEmpty());
        open(sweep);
        JsonNode g = get("/api/groups/a11y-sweep");
        List<String> others = new ArrayList<>();
        g.get("keys").forEach(k -> { if (!k.asText().equals("beta")) others.add(k.asText()); });
        Map<String, Map<BigDecimal, String>> lines = new LinkedHashMap<>();
        TreeMap<BigDecimal, List<String>> byBeta = new TreeMap<>();
        for (JsonNode r : g.get("runs")) {
            JsonNode values = r.get("values");
            String line = String.join(", ", others.stream().map(k -> k + "=" + values.get(k).asText()).toList());
            BigDecimal beta = new BigDecimal(values.get("beta").asText());
            lines.computeIfAbsent(line, l -> new LinkedHashMap<>()).put(beta, fig(r.get("run").get("loss")));
            byBeta.put(beta, new ArrayList<>(List.of(beta.stripTrailingZeros().toPlainString())));
        }
        List<List<String>> swept = new ArrayList<>();
        List<String> sweptHead = new ArrayList<>(List.of("beta"));
        sweptHead.addAll(lines.keySet());
        swept.add(sweptHead);
        byBeta.forEach((beta, row) -> {
            lines.values().forEach(line -> row.add(line.getOrDefault(beta, "")));
            swept.add(row);
        });
        assertEquals(3, lines.size(), "a line per run: its other keys differ");
        assertEquals(swept, numbers(sweep));
        chrome.screenshot("group-numbers" + (TestLogs.postgresql() ? "-postgresql" : "") + ".png");
    }

    @Test
    void a_charts_numbers_stay_open_and_keep_the_focus_when_the_stream_draws_the_chart_again() {
        String done = Fixtures.trained(log, Map.of("data", "bars", "beta", "1", "epochs", "5"), 5, 16, 8, null, "sweep", "a11y-numbers");
        String id = Fixtures.queued(log, Map.of("data", "bars", "beta", "3", "epochs", "5"), "sweep", "a11y-numbers");
        log.append(id, new RunEvent.Started(4242, "test-host", 1, 0, "f00d", Map.of()));
        epoch(id, 1);
        try {
            // the run page updates its chart in place: the table is drawn again in its open numbers
            driver.get(base + "/run.html?id=" + id);
            String curves = "loss and its terms";
            streaming(numbersOf(curves));
            open(curves);
            epoch(id, 2);
            chrome.waitFor(15).until(d -> lastRow(curves).equals(List.of("2", "1.25", "1", "1.05", "0.4", "0.1")));
            keptOpenAndFocused(curves, false);

            // the compare page draws its charts anew (and their numbers) at each event
            driver.get(base + "/compare.html?runs=" + id + "," + done);
            String loss = "loss (recon + decay + penalty)";
            streaming(numbersOf(loss));
            // once its stream is open, the page reads everything again and draws its charts anew: opened after that
            chrome.waitFor(15).until(d -> chrome.js("return document.documentElement.dataset.refreshed;") != null);
            open(loss);
            epoch(id, 3);
            chrome.waitFor(15).until(d -> numbers(loss) != null && numbers(loss).get(3).get(1).equals("0.8333"));
            keptOpenAndFocused(loss, true);

            // the group page draws its sweep charts anew when a run's figures change
            driver.get(base + "/group.html?name=a11y-numbers");
            String sweep = "final loss against beta";
            streaming(numbersOf(sweep));
            open(sweep);
            assertEquals(List.of(List.of("beta", "all runs"), List.of("1", "2"), List.of("3", "0.8333")), numbers(sweep));
            epoch(id, 4);
            chrome.waitFor(15).until(d -> lastRow(sweep).equals(List.of("3", "0.625")));
            keptOpenAndFocused(sweep, true);
        } finally {
            log.append(id, new RunEvent.Cancelled(4));
        }
    }

    @Test
    void a_charts_numbers_are_in_the_order_of_its_x_axis_where_its_series_have_different_xs() {
        // the compare page: one run's snapshots at epochs 0, 1, 2, 4, the other's at 0, 1, 2, 3
        String three = Fixtures.trained(log, Map.of("data", "bars", "beta", "1", "epochs", "3"), 3, 16, 8, null, "cli", null);
        driver.get(base + "/compare.html?runs=" + sparse + "," + three);
        chrome.waitFor(15).until(d -> !d.findElements(numbersOf("locality")).isEmpty());
        open("locality");
        assertEquals(List.of("epoch", "0", "1", "2", "3", "4"), firstColumn("locality"));

        // the group page: a line per run, the swept key's values in the runs' order 0.1, 3, 1
        String[][] points = {{"0.1", "0.05", "2"}, {"3", "0.05", "3"}, {"1", "0.1", "4"}};
        for (String[] p : points) {
            Fixtures.trained(log, Map.of("data", "bars", "beta", p[0], "rho", p[1], "epochs", p[2]), Integer.parseInt(p[2]), 16, 8, null, "sweep", "a11y-order");
        }
        driver.get(base + "/group.html?name=a11y-order");
        String sweep = "final loss against beta";
        chrome.waitFor(15).until(d -> !d.findElements(numbersOf(sweep)).isEmpty());
        open(sweep);
        assertEquals(List.of("beta", "0.1", "1", "3"), firstColumn(sweep));
    }

    @Test
    void a_charts_numbers_say_every_point_it_draws_at_one_x() {
        // two flags of two causes at one epoch: two triangles on the chart, both in its numbers
        String flagged = Fixtures.trained(log, Map.of("data", "bars", "beta", "0.3", "epochs", "4"), 4, 16, 8, null, "cli", null);
        log.append(flagged, new RunEvent.DivergenceFlag(2, "sp_growing", "mean |sp| grew 3 epochs in a row", null));
        log.append(flagged, new RunEvent.DivergenceFlag(2, "penalty_growing", "penalty grew 3 epochs in a row", null));
        driver.get(base + "/compare.html?runs=" + sparse + "," + flagged);
        String loss = "loss (recon + decay + penalty)";
        chrome.waitFor(15).until(d -> !d.findElements(numbersOf(loss)).isEmpty());
        open(loss);
        List<List<String>> rows = numbers(loss);
        int flags = rows.get(0).indexOf(flagged + " flags");
        assertEquals("5 (sp_growing: mean |sp| grew 3 epochs in a row); 5 (penalty_growing: penalty grew 3 epochs in a row)",
                rows.get(2).get(flags), "epoch 2: " + rows.get(2));
    }

    /** The first cell of each row of the open numbers of the chart titled {@code chart}: its x heading, then its xs. */
    private List<String> firstColumn(String chart) {
        return numbers(chart).stream().map(r -> r.get(0)).toList();
    }

    @Test
    void a_charts_numbers_keep_their_scroll_and_focus_when_the_stream_draws_the_chart_anew() {
        String done = Fixtures.trained(log, Map.of("data", "bars", "beta", "1", "epochs", "40"), 40, 16, 8, null, "cli", null);
        String id = Fixtures.queued(log, Map.of("data", "bars", "beta", "3", "epochs", "60"));
        log.append(id, new RunEvent.Started(4242, "test-host", 1, 0, "f00d", Map.of()));
        for (int e = 1; e <= 40; e++) epoch(id, e);
        try {
            // the compare page draws its charts anew at each event: the keyboard scrolled the box of a long table down
            driver.get(base + "/compare.html?runs=" + id + "," + done);
            String loss = "loss (recon + decay + penalty)";
            streaming(numbersOf(loss));
            chrome.waitFor(15).until(d -> chrome.js("return document.documentElement.dataset.refreshed;") != null);
            open(loss);
            String wrap = "const d = [...document.querySelectorAll('details[data-chart]')].find(d => d.dataset.chart === arguments[0]);"
                    + " const w = d.querySelector('.numbers-wrap');";
            chrome.js(wrap + " w.focus(); w.scrollTop = 300;", loss);
            epoch(id, 41);
            chrome.waitFor(15).until(d -> lastRow(loss).get(0).equals("41"));
            assertEquals(List.of(true, 300L), chrome.js(wrap + " return [document.activeElement === w, Math.round(w.scrollTop)];", loss),
                    "its box keeps the focus and the rows in view");
        } finally {
            log.append(id, new RunEvent.Cancelled(41));
        }
    }

    /** The summary of the numbers under the chart titled {@code chart}. */
    private static By numbersOf(String chart) {
        return By.cssSelector("details[data-chart='" + chart + "'] > summary");
    }

    /** The numbers of the chart titled {@code chart}, opened from the keyboard (its summary focused, Enter), and their table drawn. */
    private void open(String chart) {
        chrome.js("arguments[0].focus(); arguments[0].parentElement.dataset.opened = 'by the test';", driver.findElement(numbersOf(chart)));
        press(Keys.ENTER);
        chrome.waitFor(5).until(d -> numbers(chart) != null);
    }

    /** The open numbers of the chart titled {@code chart}, each row's cells as text, its header row first; null when closed. */
    @SuppressWarnings("unchecked")
    private List<List<String>> numbers(String chart) {
        return (List<List<String>>) chrome.js("const d = [...document.querySelectorAll('details[data-chart]')].find(d => d.dataset.chart === arguments[0]);"
                + " const t = d && d.open && d.querySelector('table.numbers');"
                + " return t ? [...t.rows].map(r => [...r.cells].map(c => c.textContent)) : null;", chart);
    }

    private List<String> lastRow(String chart) {
        List<List<String>> rows = numbers(chart);
        return rows == null ? List.of() : rows.get(rows.size() - 1);
    }

    /** Waits for the page's live stream and for {@code ready}. */
    private void streaming(By ready) {
        chrome.waitFor(15).until(d -> !d.findElements(ready).isEmpty() && "stream".equals(chrome.js("return document.documentElement.dataset.live;")));
    }

    /**
     * The numbers of the chart titled {@code chart} are open and their summary has the focus; {@code anew}: in a
     * disclosure drawn anew since they were opened (the one opened was marked), not the one the keyboard opened.
     */
    private void keptOpenAndFocused(String chart, boolean anew) {
        assertEquals(List.of("SUMMARY", chart, true, anew),
                chrome.js("const s = document.activeElement, d = s.parentElement;"
                        + " return [s.tagName, d.dataset.chart, d.open && s.isConnected, !d.dataset.opened];", chart), chart);
    }

    /** Presses Tab from the focused element until {@code target} has the focus; false when it did not within {@code most} presses. */
    private boolean tabTo(By target, int most) {
        for (int i = 0; i < most; i++) {
            press(Keys.TAB);
            if (focused(target)) return true;
        }
        return false;
    }

    /**
     * A key pressed on the focused element. The live tables draw their rows again (the focus moved to the new row's
     * control): a key that found the old one gone was not sent, and is sent again to the new one.
     */
    private void press(CharSequence key) {
        for (int tried = 1; ; tried++) {
            try {
                driver.switchTo().activeElement().sendKeys(key);
                return;
            } catch (org.openqa.selenium.StaleElementReferenceException e) {
                if (tried == 3) throw e;
            }
        }
    }

    private boolean focused(By target) {
        return Boolean.TRUE.equals(chrome.js("return document.activeElement === arguments[0];", driver.findElement(target)));
    }

    private String focusedName() {
        return driver.switchTo().activeElement().getAccessibleName();
    }

    private JsonNode get(String path) throws IOException {
        try (okhttp3.Response r = new okhttp3.OkHttpClient().newCall(new okhttp3.Request.Builder().url(base + path).build()).execute()) {
            return Fixtures.json(r);
        }
    }

    /** A figure as the pages' fmt writes it ({@link sparselab.cli.Figures#f} writes it so), "" where there is none. */
    private static String fig(JsonNode v) {
        return v == null || !v.isNumber() ? "" : sparselab.cli.Figures.f(v.asDouble());
    }

    /** The rows of a run's curves, as its metrics API serves them: a header, then every {@code every}-th epoch from the first, and the last. */
    private List<List<String>> curvesRows(String run, int every) throws IOException {
        JsonNode metrics = get("/api/runs/" + run + "/metrics");
        List<List<String>> rows = new ArrayList<>(List.of(List.of("epoch", "loss", "reconstruction", "held-out", "penalty", "weight decay")));
        for (int j = 0; j < metrics.size(); j++) {
            if (j % every != 0 && j != metrics.size() - 1) continue;
            JsonNode m = metrics.get(j);
            rows.add(List.of(m.get("epoch").asText(), fig(m.get("loss")), fig(m.get("recon")), fig(m.get("heldout")), fig(m.get("penalty")), fig(m.get("decay"))));
        }
        return rows;
    }

    @Test
    void the_keyboard_edits_a_runs_tags_and_opens_the_weights_in_a_dialog_that_keeps_and_gives_back_focus() {
        // the runs page: the tags cell is a button in the Tab order after the run's link, Enter edits
        driver.get(base + "/index.html");
        String link = "#runs tbody tr[data-run='" + plain + "'] td:nth-child(2) a";
        By tags = By.cssSelector("#runs tbody tr[data-run='" + plain + "'] td.tags button");
        chrome.waitFor(10).until(d -> !d.findElements(tags).isEmpty());
        // found and focused in one step: the page draws its table again once its stream opens (an element found
        // before that is gone), and keeps the focus through such redraws
        chrome.js("document.querySelector(arguments[0]).focus();", link);
        assertTrue(tabTo(tags, 3), "Tab reaches the tags of the run");
        assertEquals("edit the tags of " + plain + ": none yet", focusedName());
        press(Keys.ENTER);
        chrome.waitFor(5).until(d -> { try { d.switchTo().alert(); return true; } catch (org.openqa.selenium.NoAlertPresentException e) { return false; } });
        driver.switchTo().alert().sendKeys("by-keyboard");
        driver.switchTo().alert().accept();
        chrome.waitFor(10).until(d -> d.findElement(tags).getText().equals("by-keyboard"));

        // the group page: a thumbnail is a button; Enter opens its full size as a named modal dialog with the focus in it
        driver.get(base + "/group.html?name=a11y-sweep");
        By thumb = By.cssSelector("#strip figure:first-child button");
        chrome.waitFor(10).until(d -> !d.findElements(thumb).isEmpty());
        chrome.js("document.getElementById('compare').focus();");
        assertTrue(tabTo(thumb, 10), "Tab reaches the first thumbnail");
        press(Keys.ENTER);
        By dialog = By.cssSelector("[role=dialog]");
        chrome.waitFor(5).until(d -> !d.findElements(dialog).isEmpty());
        assertEquals("true", driver.findElement(dialog).getAttribute("aria-modal"));
        assertTrue(driver.findElement(dialog).getAccessibleName().startsWith("weights of "), driver.findElement(dialog).getAccessibleName());
        assertEquals("Close", focusedName(), "the focus moves into the dialog");
        for (int i = 0; i < 4; i++) {                    // Tab goes round the dialog's link and Close, never behind it
            press(Keys.TAB);
            assertEquals(Boolean.TRUE, chrome.js("return !!document.activeElement.closest('[role=dialog]');"), "Tab " + (i + 1) + " stays in the dialog");
        }
        press(Keys.ESCAPE);
        chrome.waitFor(5).until(d -> d.findElements(dialog).isEmpty());
        assertTrue(focused(thumb), "the focus is back on the thumbnail that opened it");
        press(Keys.SPACE);     // Space opens it too; Close closes it
        chrome.waitFor(5).until(d -> !d.findElements(dialog).isEmpty());
        press(Keys.ENTER);
        chrome.waitFor(5).until(d -> d.findElements(dialog).isEmpty());
        assertTrue(focused(thumb));

        // the run page: the weights are a button; from the keyboard it enlarges unit 0, and the arrows step the units
        driver.get(base + "/run.html?id=" + sparse);
        By grid = By.id("grid-open");
        chrome.waitFor(10).until(d -> Boolean.TRUE.equals(chrome.js("const i = document.getElementById('grid'); return i.complete && i.naturalWidth > 0;")));
        chrome.js("document.getElementById('run-logscale').focus();");
        assertTrue(tabTo(grid, 10), "Tab reaches the weights");
        press(Keys.ENTER);
        chrome.waitFor(5).until(d -> !d.findElements(dialog).isEmpty());
        By unit = By.cssSelector("[role=dialog] img");
        assertTrue(driver.findElement(unit).getAttribute("src").contains("/filters/0.png"), driver.findElement(unit).getAttribute("src"));
        press(Keys.ARROW_RIGHT);
        press(Keys.ARROW_RIGHT);
        assertEquals("filter of unit 2 at epoch 4", driver.findElement(unit).getAccessibleName());
        press(Keys.ESCAPE);
        chrome.waitFor(5).until(d -> d.findElements(dialog).isEmpty());
        assertTrue(focused(grid), "the focus is back on the weights");
    }
}
