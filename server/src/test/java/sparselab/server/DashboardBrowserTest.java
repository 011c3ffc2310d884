package sparselab.server;

import io.javalin.Javalin;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;
import org.openqa.selenium.By;
import org.openqa.selenium.Keys;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.support.ui.WebDriverWait;
import sparselab.launch.LaunchPool;
import sparselab.launch.RunCreator;
import sparselab.store.EventLog;
import sparselab.log.Json;
import sparselab.runs.BackgroundTrainer;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * The pages in a real headless Chromium against a real dashboard whose pool starts real trainer processes.
 * Chromium and its driver are required (Debian: {@code apt-get install chromium chromium-driver}); without them
 * these tests fail, they do not skip.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class DashboardBrowserTest {
    @RegisterExtension static final Chrome chrome = new Chrome();
    private static final Duration TRAINING = Duration.ofMinutes(4);
    private static final String TINY = "\"data\": \"bars\", \"hidden\": 16, \"epochs\": %d, \"limit\": 500";

    Path dir;
    EventLog log;
    LaunchPool pool;
    Javalin app;
    WebDriver driver;
    String base;

    @BeforeAll
    void start() throws IOException {
        dir = Files.createTempDirectory("sparselab-browser");
        System.setProperty(BackgroundTrainer.LOGS_PROPERTY, dir.resolve("logs").toString());   // the trainers' output
        log = TestLogs.open(dir, "browser.db");
        pool = new LaunchPool(log, (id, resume, name) -> BackgroundTrainer.spawn(log, id, resume, name), 1).start(300);
        app = new App(log, Clock.systemUTC(), pool, RunCreator.inLog(log),
                Safety.hostsFor("127.0.0.1")).build().start("127.0.0.1", 0);
        base = "http://127.0.0.1:" + app.port();
        driver = chrome.driver();
    }

    @AfterAll
    void stop() {
        System.clearProperty(BackgroundTrainer.LOGS_PROPERTY);
        if (pool != null) pool.close();
        Fixtures.stopPages(app, log, dir);
    }

    private WebDriverWait waitFor(Duration d) { return new WebDriverWait(driver, d); }

    private String launchByApi(String body) throws IOException, InterruptedException {
        HttpResponse<String> r = HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create(base + "/api/launch"))
                .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(body)).build(),
                HttpResponse.BodyHandlers.ofString());
        assertEquals(201, r.statusCode(), r.body());
        return Json.MAPPER.readTree(r.body()).get("runId").asText();
    }

    private String post(String path) throws IOException, InterruptedException {
        HttpResponse<String> r = HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create(base + path))
                .POST(HttpRequest.BodyPublishers.noBody()).build(), HttpResponse.BodyHandlers.ofString());
        assertEquals(201, r.statusCode(), r.body());
        return Json.MAPPER.readTree(r.body()).get("runId").asText();
    }

    private void awaitEnded(String runId) throws InterruptedException {
        long end = System.nanoTime() + TRAINING.toNanos();
        while (System.nanoTime() < end) {
            var row = log.run(runId).orElseThrow();
            if (row.ended()) {
                assertEquals("finished", row.status(), "run " + runId + " ended " + row.status() + ": " + row.error());
                return;
            }
            Thread.sleep(300);
        }
        fail("run " + runId + " did not finish within " + TRAINING + "; trainer output is in " + dir.resolve("logs"));
    }

    @Test
    @Order(1)
    void launches_a_run_from_the_form_and_sees_it_finish_on_the_runs_page() throws IOException {
        driver.get(base + "/launch.html");
        waitFor(Duration.ofSeconds(10)).until(d -> !d.findElements(By.id("key-data")).isEmpty());
        new org.openqa.selenium.support.ui.Select(driver.findElement(By.id("key-data"))).selectByValue("bars");
        for (var kv : List.of(List.of("hidden", "16"), List.of("epochs", "3"), List.of("limit", "500"))) {
            WebElement input = driver.findElement(By.id("key-" + kv.get(0)));
            input.clear();
            input.sendKeys(kv.get(1));
        }
        // a refused value first: the error shows next to its field and nothing is queued
        WebElement rho = driver.findElement(By.id("key-rho"));
        rho.clear();
        rho.sendKeys("2");
        driver.findElement(By.id("submit")).click();
        waitFor(Duration.ofSeconds(10)).until(d -> !d.findElement(By.id("err-rho")).getText().isBlank());
        assertTrue(driver.findElement(By.id("err-rho")).getText().contains("out of range"));
        assertTrue(log.runs().isEmpty());

        rho.clear();
        rho.sendKeys("0.1");
        driver.findElement(By.id("submit")).click();
        waitFor(Duration.ofSeconds(10)).until(d -> d.getCurrentUrl().contains("/run.html?id="));
        assertEquals(1, log.runs().size());
        String id = log.runs().get(0).runId();
        assertTrue(driver.getCurrentUrl().endsWith("/run.html?id=" + id), "a launch opens the new run's page: " + driver.getCurrentUrl());
        driver.get(base + "/index.html");
        // rows are redrawn as the run changes, so read the table in one script rather than through element references
        String row = "const r = document.querySelector(\"tr[data-run='\" + arguments[0] + \"']\"); ";
        waitFor(TRAINING).until(d -> "finished".equals(chrome.js(row + "return r && r.dataset.status;", id)));
        String text = (String) chrome.js(row + "return r.innerText;", id);
        assertTrue(text.contains("3/3"), text);
        // the worker column names the dashboard's pool as the workers view lists it; the trainer's own pid beneath it
        long trainer = log.run(id).orElseThrow().pid();
        assertEquals(pool.name(), log.run(id).orElseThrow().worker());
        assertTrue(log.workers().stream().anyMatch(w -> w.name().equals(pool.name())), "the pool is in the workers view");
        assertEquals(pool.name(), chrome.js(row + "return r.querySelector('td.worker').dataset.worker;", id));
        assertEquals(pool.name() + ": trainer process " + trainer + " on " + sparselab.runs.Provenance.host(),
                chrome.js(row + "return r.querySelector('td.worker').title;", id));
        assertEquals("pid " + trainer, chrome.js(row + "return r.querySelector('td.worker .trainer').textContent;", id));
        assertNotEquals(ProcessHandle.current().pid(), trainer, "the trainer is a process of its own");
        chrome.screenshot("runs.png");

        driver.get(base + "/run.html?id=" + id);
        waitFor(Duration.ofSeconds(10)).until(d -> d.findElements(By.cssSelector("#timeline li[data-type='finished']")).size() == 1);
        waitFor(Duration.ofSeconds(10)).until(d -> (Boolean) chrome.js("const i = document.getElementById('grid'); return i.complete && i.naturalWidth > 0;"));
        chrome.screenshot("run.png");
    }

    @Test
    @Order(2)
    void compares_a_sparse_run_with_its_non_sparse_twin() throws Exception {
        String sparse = launchByApi("{\"preset\": \"ufldl\", \"config\": {" + TINY.formatted(8) + "}}");
        String twin = post("/api/runs/" + sparse + "/twin");
        awaitEnded(sparse);
        awaitEnded(twin);

        driver.get(base + "/compare.html?runs=" + sparse + "," + twin);
        waitFor(Duration.ofSeconds(15)).until(d -> (Boolean) chrome.js(
                "return [...document.querySelectorAll('img.gallery-img')].length === 2"
                        + " && [...document.querySelectorAll('img.gallery-img')].every(i => i.complete && i.naturalWidth > 0);"));
        for (String chart : List.of("loss", "recon", "heldout", "penalty", "decay", "meanActivation", "meanAbsSp")) {
            Number drawn = (Number) chrome.js("const c = Chart.getChart(document.getElementById(arguments[0]));"
                    + " return c ? c.data.datasets.filter(s => s.data.length > 0).length : -1;", "chart-" + chart);
            assertTrue(drawn.intValue() >= 2, chart + " has " + drawn + " drawn data sets");
        }
        // the limiter is off in both runs: its clipped fraction is one line of text, not a chart of zeros
        assertEquals("limiter clipped fraction: 0 in all runs",
                driver.findElement(By.cssSelector("#constant li[data-figure='clippedFraction']")).getText());
        WebElement beta = driver.findElement(By.cssSelector("#diff tbody tr[data-key='beta']"));
        assertTrue(beta.getAttribute("class").contains("differs"));
        assertTrue(beta.getText().contains("3") && beta.getText().contains("0"), beta.getText());
        waitFor(Duration.ofSeconds(10)).until(d -> d.findElements(By.cssSelector("#heatmaps canvas")).size() == 2);
        chrome.screenshot("compare.png");

        @SuppressWarnings("unchecked")
        List<String> before = (List<String>) chrome.js("return [...document.querySelectorAll('img.gallery-img')].map(i => i.src);");
        assertTrue(before.get(0).contains("/snapshots/8/"), before.get(0));
        driver.findElement(By.id("epoch")).sendKeys(Keys.HOME);
        waitFor(Duration.ofSeconds(10)).until(d -> (Boolean) chrome.js(
                "return [...document.querySelectorAll('img.gallery-img')].every(i => i.src.includes('/snapshots/0/') && i.complete && i.naturalWidth > 0);"));
        @SuppressWarnings("unchecked")
        List<String> after = (List<String>) chrome.js("return [...document.querySelectorAll('img.gallery-img')].map(i => i.src);");
        for (int i = 0; i < 2; i++) assertNotEquals(before.get(i), after.get(i));
        assertEquals("0 (nearest snapshot of each run)", driver.findElement(By.id("epoch-label")).getText());
    }
}
