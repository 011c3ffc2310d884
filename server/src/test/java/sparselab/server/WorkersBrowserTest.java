package sparselab.server;

import io.javalin.Javalin;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.openqa.selenium.By;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.support.ui.WebDriverWait;
import sparselab.launch.LaunchPool;
import sparselab.log.RunEvent;
import sparselab.store.EventLog;
import sparselab.store.WorkerInfo;

import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.*;

/** The workers view and the worker of each run, in real headless Chromium. */
class WorkersBrowserTest {
    @TempDir Path dir;

    @Test
    void the_workers_view_lists_each_worker_alive_with_its_runs_and_the_run_page_names_its_worker() throws Exception {
        try (EventLog log = TestLogs.open(dir, "workers.db")) {
            String run = Fixtures.queued(log, Map.of("data", "bars"));
            var lease = log.claim(run, new RunEvent.Started(4242, "box-2", 1, 0, null, Map.of(), null, "gpu-box-2"), r -> true).orElseThrow();
            String own = Fixtures.queued(log, Map.of("data", "bars"));
            var ownLease = log.claim(own, new RunEvent.Started(77, "box-3", 1, 0, null, Map.of(), null, "box-3:77"), r -> true).orElseThrow();
            log.workerBeat(new WorkerInfo("old-box", "box-9", 7, 1, List.of(), null, null, false));
            log.workerStopped("old-box");
            // the worker and its trainers beat every second, as live ones do: the browser may take longer to start than
            // a heartbeat stays fresh in the tests (6 s; a CI run read the worker as silent)
            var beats = java.util.concurrent.Executors.newSingleThreadScheduledExecutor();
            beats.scheduleAtFixedRate(() -> {
                log.workerBeat(new WorkerInfo("gpu-box-2", "box-2", 4242, 2, List.of(run), null, null, false));
                lease.heartbeat();
                ownLease.heartbeat();
            }, 0, 1, java.util.concurrent.TimeUnit.SECONDS);
            LaunchPool pool = new LaunchPool(log, new FakeTrainers(), 1);
            Javalin app = new App(log, Clock.systemUTC(), pool, Fixtures.directCreator(log), Safety.hostsFor("127.0.0.1")).build()
                    .start("127.0.0.1", 0);
            WebDriver driver = Browser.start(dir.resolve("chrome-profile"));
            try {
                String base = "http://127.0.0.1:" + app.port();
                driver.get(base + "/workers.html");
                new WebDriverWait(driver, Duration.ofSeconds(15)).until(d -> d.findElements(By.cssSelector("#workers tbody tr")).size() == 3);
                var alive = driver.findElement(By.cssSelector("#workers tbody tr[data-worker='gpu-box-2']"));
                assertEquals("alive", alive.findElement(By.cssSelector("td.state")).getText());
                assertEquals("worker", alive.findElement(By.cssSelector("td.kind")).getText());
                // the trainer of its own that trains a run now is listed too, by the name the runs table gives it
                var trainer = driver.findElement(By.cssSelector("#workers tbody tr[data-worker='box-3:77']"));
                assertEquals("a trainer of its own", trainer.findElement(By.cssSelector("td.kind")).getText());
                assertEquals("alive", trainer.findElement(By.cssSelector("td.state")).getText());
                assertEquals(own, trainer.findElement(By.cssSelector("a")).getText());
                assertEquals(run, alive.findElement(By.cssSelector("a")).getText());
                assertTrue(alive.findElement(By.cssSelector("a")).getAttribute("href").endsWith("/run.html?id=" + run));
                var stopped = driver.findElement(By.cssSelector("#workers tbody tr[data-worker='old-box']"));
                assertEquals("stopped", stopped.findElement(By.cssSelector("td.state")).getText());
                Browser.screenshot(driver, "workers" + (TestLogs.postgresql() ? "-postgresql" : "") + ".png");
                // the API says which worker trains the run
                var detail = Fixtures.json(new okhttp3.OkHttpClient().newCall(new okhttp3.Request.Builder()
                        .url(base + "/api/runs/" + run).build()).execute());
                assertEquals("gpu-box-2", detail.get("worker").asText());
                assertEquals("gpu-box-2", detail.get("summary").get("worker").asText());
                // the run page says who trains it in its summary line, as the runs table does (found 2026-12-03 by a
                // walkthrough: only a `started` line of the timeline named it, and a long run's epochs push it out)
                driver.get(base + "/run.html?id=" + run);
                new WebDriverWait(driver, Duration.ofSeconds(15)).until(d -> d.findElement(By.id("summary")).getText().contains(" · worker "));
                assertTrue(driver.findElement(By.id("summary")).getText().contains(" · worker gpu-box-2 (trainer pid 4242)"),
                        driver.findElement(By.id("summary")).getText());
                driver.get(base + "/run.html?id=" + own);
                new WebDriverWait(driver, Duration.ofSeconds(15)).until(d -> d.findElement(By.id("summary")).getText().contains(" · trainer "));
                assertTrue(driver.findElement(By.id("summary")).getText().contains(" · trainer box-3:77 of its own"),
                        driver.findElement(By.id("summary")).getText());

                // the runs table names the worker as the workers view does, with the trainer's process beneath it;
                // a trainer of its own (the command line's) is its host:pid alone
                driver.get(base + "/index.html");
                By cell = By.cssSelector("#runs tr[data-run='" + run + "'] td.worker");
                By ownCell = By.cssSelector("#runs tr[data-run='" + own + "'] td.worker");
                new WebDriverWait(driver, Duration.ofSeconds(15)).until(d -> !d.findElements(cell).isEmpty() && !d.findElements(ownCell).isEmpty());
                var worker = driver.findElement(cell);
                assertEquals("gpu-box-2", worker.getAttribute("data-worker"));
                assertEquals("gpu-box-2\npid 4242", worker.getText());
                assertEquals("gpu-box-2: trainer process 4242 on box-2", worker.getAttribute("title"));
                var alone = driver.findElement(ownCell);
                assertEquals("box-3:77", alone.getText());
                // tags typed apart by commas, as the command line's `tag --add a,b` takes them, or by spaces (found
                // 2026-12-03 by a walkthrough: "a,b" was refused as one tag)
                driver.findElement(By.cssSelector("#runs tr[data-run='" + own + "'] button.tags-edit")).click();
                var prompt = new WebDriverWait(driver, Duration.ofSeconds(10)).until(org.openqa.selenium.support.ui.ExpectedConditions.alertIsPresent());
                assertTrue(prompt.getText().contains("separated by spaces or commas"), prompt.getText());
                prompt.sendKeys("baseline,beta0 keep");
                prompt.accept();
                new WebDriverWait(driver, Duration.ofSeconds(10)).until(d -> log.require(own).tagList().equals(List.of("baseline", "beta0", "keep")));
                assertTrue(alone.getAttribute("title").startsWith("trainer process 77 on box-3: a trainer of its own"), alone.getAttribute("title"));
                var api = Fixtures.json(new okhttp3.OkHttpClient().newCall(new okhttp3.Request.Builder().url(base + "/api/runs").build()).execute());
                var listed = java.util.stream.StreamSupport.stream(api.spliterator(), false).filter(r -> r.get("runId").asText().equals(run)).findFirst().orElseThrow();
                assertEquals(4242, listed.get("pid").asLong());
                assertEquals("box-2", listed.get("host").asText());
            } finally {
                beats.shutdownNow();
                beats.awaitTermination(10, java.util.concurrent.TimeUnit.SECONDS);
                driver.quit();
                app.stop();
            }
        }
    }

    @Test
    void the_workers_view_says_when_the_server_does_not_answer_and_puts_it_away_when_it_does() throws Exception {
        try (EventLog log = TestLogs.open(dir, "workers-down.db")) {
            log.workerBeat(new WorkerInfo("gpu-box-2", "box-2", 4242, 2, List.of(), null, null, false));
            LaunchPool pool = new LaunchPool(log, new FakeTrainers(), 1);
            Javalin app = new App(log, Clock.systemUTC(), pool, Fixtures.directCreator(log), Safety.hostsFor("127.0.0.1")).build()
                    .start("127.0.0.1", 0);
            int port = app.port();
            WebDriver driver = Browser.start(dir.resolve("chrome-profile"));
            try {
                driver.get("http://127.0.0.1:" + port + "/workers.html");
                var wait = new WebDriverWait(driver, Duration.ofSeconds(15));
                wait.until(d -> d.findElements(By.cssSelector("#workers tbody tr")).size() == 1);
                assertFalse(driver.findElement(By.id("error")).isDisplayed(), "nothing to say while the server answers");
                // the server goes away: the next poll (every 3 s) fails, and the page says so, keeping the last table
                app.stop();
                wait.until(d -> d.findElement(By.id("error")).isDisplayed());
                assertTrue(driver.findElement(By.id("error")).getText().startsWith("the workers could not be read: "),
                        driver.findElement(By.id("error")).getText());
                assertEquals(1, driver.findElements(By.cssSelector("#workers tbody tr")).size());
                // back on the same port: the line is put away at the next answer
                app = new App(log, Clock.systemUTC(), pool, Fixtures.directCreator(log), Safety.hostsFor("127.0.0.1")).build()
                        .start("127.0.0.1", port);
                wait.until(d -> !d.findElement(By.id("error")).isDisplayed());
            } finally {
                driver.quit();
                app.stop();
                pool.close();
            }
        }
    }
}
