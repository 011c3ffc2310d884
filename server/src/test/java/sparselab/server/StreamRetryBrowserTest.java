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
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A page's live stream refused by a server whose stream slots are all taken. The page's part alone (its retry against
 * the server's Retry-After), which neither backend changes: the module's PostgreSQL run leaves this class out (its
 * 30 s wait would run a second time); the server's refusal itself is LiveAndMatchApiTest's.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class StreamRetryBrowserTest {
    @RegisterExtension static final Chrome chrome = new Chrome();

    Path dir;
    EventLog log;
    WebDriver driver;

    @BeforeAll
    void start() throws IOException {
        dir = Files.createTempDirectory("sparselab-stream-retry");
        log = TestLogs.open(dir, "retry.db");
        Fixtures.trained(log, Map.of("data", "bars", "epochs", "2"), 2, 4, 8, null);
        driver = chrome.driver();
    }

    @AfterAll
    void stop() {
        Fixtures.stopPages(null, log, dir);
    }

    /**
     * A page whose stream was refused (every slot taken: 503 with Retry-After: 30) polls, and opens the stream again
     * once those 30 s have passed (it waited 60 s, twice what the server asks: found 2026-12-01 by a probe of the live
     * stream). A second server with one slot, held by a plain HTTP client until the page has fallen back to polling.
     */
    @Test
    void a_page_refused_a_stream_polls_and_opens_it_again_after_the_servers_retry_after() throws Exception {
        Javalin small = new App(log, java.time.Clock.systemUTC(), new sparselab.launch.LaunchPool(log, new FakeTrainers(), 1),
                Fixtures.directCreator(log), Safety.hostsFor("127.0.0.1")).maxStreams(1).build().start("127.0.0.1", 0);
        java.net.http.HttpClient http = java.net.http.HttpClient.newHttpClient();
        try {
            String smallBase = "http://127.0.0.1:" + small.port();
            java.net.http.HttpResponse<java.io.InputStream> held = http.send(java.net.http.HttpRequest.newBuilder(
                    java.net.URI.create(smallBase + "/api/stream")).header("Accept", "text/event-stream").build(),
                    java.net.http.HttpResponse.BodyHandlers.ofInputStream());
            assertEquals(200, held.statusCode(), "the one slot is taken");
            java.net.http.HttpResponse<String> refused = http.send(java.net.http.HttpRequest.newBuilder(
                    java.net.URI.create(smallBase + "/api/stream")).header("Accept", "text/event-stream").build(),
                    java.net.http.HttpResponse.BodyHandlers.ofString());
            assertEquals(503, refused.statusCode());
            assertEquals("30", refused.headers().firstValue("Retry-After").orElse(""));
            driver.get(smallBase + "/index.html");
            chrome.waitFor(30).until(d -> "poll".equals(chrome.js("return document.documentElement.dataset.live;")));
            long refusedAt = System.nanoTime();
            held.body().close();                      // the slot frees (the server notices the closed stream at its next ping)
            chrome.waitFor(50).until(d -> "stream".equals(chrome.js("return document.documentElement.dataset.live;")));
            double seconds = (System.nanoTime() - refusedAt) / 1e9;
            assertTrue(seconds < 45, "the stream was opened again after " + seconds + " s, not after the server's 30 s");
        } finally {
            small.stop();
        }
    }

}
