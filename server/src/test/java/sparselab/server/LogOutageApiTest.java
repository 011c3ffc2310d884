package sparselab.server;

import io.javalin.testtools.JavalinTest;
import org.junit.jupiter.api.Test;
import sparselab.launch.LaunchPool;
import sparselab.store.EventLog;
import sparselab.store.LocalPostgres;

import java.time.Clock;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The dashboard while its PostgreSQL server is down (always on PostgreSQL: this class starts a server of its own and
 * stops it): the API answers 503 with Retry-After, not 500, and answers again once a server is back.
 */
class LogOutageApiTest {
    /** The pool's wait for a connection in these tests (15 s by default): each outage they stage waits it once or twice. */
    private static final int POOL_WAIT_MS = 4_000;

    @Test
    void with_the_log_s_server_down_the_api_answers_503_with_retry_after_not_500() throws Exception {
        LocalPostgres server = LocalPostgres.start();
        String db = server.newDatabase();
        try (EventLog log = LocalPostgres.openWithPoolWait(db, POOL_WAIT_MS)) {
            String run = Fixtures.queued(log, Map.of("data", "bars"));
            LaunchPool pool = new LaunchPool(log, new FakeTrainers(), 0);
            var app = new App(log, Clock.systemUTC(), pool, Fixtures.directCreator(log), Safety.hostsFor("127.0.0.1")).build();
            JavalinTest.test(app, (s, client) -> {
                assertEquals(200, client.get("/api/runs").code());
                server.close();                                   // the server goes away under the dashboard
                java.net.http.HttpClient http = java.net.http.HttpClient.newHttpClient();
                String base = "http://127.0.0.1:" + s.port();
                for (String path : new String[] {"/api/runs", "/api/runs/" + run, "/api/runs/" + run + "/metrics"}) {
                    long start = System.nanoTime();
                    var r = http.send(java.net.http.HttpRequest.newBuilder(java.net.URI.create(base + path))
                            .timeout(java.time.Duration.ofSeconds(60)).build(), java.net.http.HttpResponse.BodyHandlers.ofString());
                    double seconds = (System.nanoTime() - start) / 1e9;
                    assertEquals(503, r.statusCode(), path + ": " + r.body());
                    assertEquals("10", r.headers().firstValue("Retry-After").orElse(""), path);
                    String error = sparselab.log.Json.MAPPER.readTree(r.body()).get("error").asText();
                    assertTrue(error.contains("cannot be reached") && !error.contains("statement"), error);
                    // the first waits for the pool; the next are answered at once for a few seconds
                    if (!path.equals("/api/runs")) assertTrue(seconds < 2, path + " took " + seconds + " s");
                }
            });
        } finally {
            server.close();
        }
    }

    /**
     * The server back after an outage (found 2026-12-02 by a walkthrough of the many-machines set-up: the first request
     * after PostgreSQL was back still got the 503, since only a request started a probe): the dashboard probes on its
     * own while the log cannot be reached, and the next request is answered.
     */
    @Test
    void once_the_server_is_back_the_next_request_is_answered_without_one_more_503() throws Exception {
        LocalPostgres server = LocalPostgres.start();
        String db = server.newDatabase();
        try (EventLog log = LocalPostgres.openWithPoolWait(db, POOL_WAIT_MS)) {
            LaunchPool pool = new LaunchPool(log, new FakeTrainers(), 0);
            App dashboard = new App(log, Clock.systemUTC(), pool, Fixtures.directCreator(log), Safety.hostsFor("127.0.0.1"));
            JavalinTest.test(dashboard.build(), (s, client) -> {
                assertEquals(200, client.get("/api/runs").code());
                server.pause();
                assertEquals(503, client.get("/api/runs").code());
                assertTrue(dashboard.logDown());
                server.restart();
                long deadline = System.currentTimeMillis() + 30_000;
                while (dashboard.logDown() && System.currentTimeMillis() < deadline) Thread.sleep(100);     // no request meanwhile
                assertFalse(dashboard.logDown(), "a probe of its own found the server back");
                assertEquals(200, client.get("/api/runs").code());
                // down again, then the dashboard stops while the log stays open: its probe ends with it (a review's note)
                server.pause();
                assertEquals(503, client.get("/api/runs").code());
            });
            long deadline = System.currentTimeMillis() + 30_000;
            while (probeThreads() > 0 && System.currentTimeMillis() < deadline) Thread.sleep(100);
            assertEquals(0, probeThreads(), "no probe left running after the dashboard stopped");
        } finally {
            server.close();
        }
    }

    private static long probeThreads() {
        return Thread.getAllStackTraces().keySet().stream().filter(t -> t.getName().equals("log-probe") && t.isAlive()).count();
    }

    @Test
    void the_first_request_that_finds_the_server_gone_waits_for_the_pool_once_with_the_database_s_clock() throws Exception {
        LocalPostgres server = LocalPostgres.start();
        String db = server.newDatabase();
        try (EventLog log = LocalPostgres.openWithPoolWait(db, POOL_WAIT_MS)) {
            LaunchPool pool = new LaunchPool(log, new FakeTrainers(), 0);
            // the clock serve gives the dashboard: the database's, whose reading measured it too (another wait for the pool)
            var app = new App(log, log.clock(), pool, Fixtures.directCreator(log), Safety.hostsFor("127.0.0.1")).build();
            JavalinTest.test(app, (s, client) -> {
                server.close();                                   // before the dashboard's first request
                Thread.sleep(1000);                               // the pool's connections are checked again before use
                java.net.http.HttpClient http = java.net.http.HttpClient.newHttpClient();
                long start = System.nanoTime();
                var r = http.send(java.net.http.HttpRequest.newBuilder(java.net.URI.create("http://127.0.0.1:" + s.port() + "/api/runs"))
                        .timeout(java.time.Duration.ofSeconds(60)).build(), java.net.http.HttpResponse.BodyHandlers.ofString());
                double seconds = (System.nanoTime() - start) / 1e9;
                assertEquals(503, r.statusCode(), r.body());
                assertTrue(seconds < 1.75 * POOL_WAIT_MS / 1000, "the pool's one wait (4 s), not two: " + seconds + " s");
            });
        } finally {
            server.close();
        }
    }

    /**
     * A copy of what the appender holds, taken under its lock (the appender's own, held while it appends): the feed's
     * thread may still log, interrupted in its wait for the pool, while the test reads (a ConcurrentModificationException).
     */
    private static java.util.List<ch.qos.logback.classic.spi.ILoggingEvent> logged(
            ch.qos.logback.core.read.ListAppender<ch.qos.logback.classic.spi.ILoggingEvent> lines) {
        synchronized (lines) {
            return new java.util.ArrayList<>(lines.list);
        }
    }

    @Test
    void the_live_feed_logs_an_outage_once_in_one_line_not_a_stack_per_poll() throws Exception {
        LocalPostgres server = LocalPostgres.start();
        String db = server.newDatabase();
        ch.qos.logback.classic.Logger logger = (ch.qos.logback.classic.Logger) org.slf4j.LoggerFactory.getLogger(sparselab.live.RunFeed.class);
        var lines = new ch.qos.logback.core.read.ListAppender<ch.qos.logback.classic.spi.ILoggingEvent>();
        lines.start();
        logger.addAppender(lines);
        ch.qos.logback.classic.Level level = logger.getLevel();
        logger.setLevel(ch.qos.logback.classic.Level.DEBUG);
        try (EventLog log = LocalPostgres.openWithPoolWait(db, POOL_WAIT_MS)) {
            Fixtures.queued(log, Map.of("data", "bars"));
            sparselab.live.RunFeed feed = new sparselab.live.RunFeed(log, Clock.systemUTC(), 4, 200);
            Runnable off = feed.subscribe(v -> true, new sparselab.live.RunFeed.Subscriber() {
                @Override public boolean send(sparselab.runs.RunView run) { return true; }
                @Override public boolean ping() { return true; }
            });
            Thread.sleep(1000);                                   // the feed has read the log
            server.close();
            // each read now waits for the pool (4 s) and fails: wait for at least two failed reads
            long deadline = System.nanoTime() + 60_000_000_000L;
            while (System.nanoTime() < deadline && logged(lines).stream().noneMatch(l -> l.getLevel() == ch.qos.logback.classic.Level.DEBUG)) {
                Thread.sleep(500);
            }
            off.run();
            feed.close();
            var all = logged(lines);
            var warnings = all.stream().filter(l -> l.getLevel() == ch.qos.logback.classic.Level.WARN).toList();
            assertTrue(all.stream().anyMatch(l -> l.getLevel() == ch.qos.logback.classic.Level.DEBUG), "a second failed read: " + all);
            assertEquals(1, warnings.size(), warnings.toString());
            assertEquals(null, warnings.get(0).getThrowableProxy(), "no stack trace");
            assertTrue(warnings.get(0).getFormattedMessage().contains("live feed failed ("), warnings.get(0).getFormattedMessage());
        } finally {
            logger.detachAppender(lines);
            logger.setLevel(level);
            server.close();
        }
    }
}
