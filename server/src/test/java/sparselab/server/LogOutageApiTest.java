package sparselab.server;

import io.javalin.testtools.JavalinTest;
import org.junit.jupiter.api.Test;
import sparselab.launch.LaunchPool;
import sparselab.store.EventLog;
import sparselab.store.LocalPostgres;

import java.time.Clock;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The dashboard while its PostgreSQL server is down (always on PostgreSQL: this class starts a server of its own and
 * stops it): the API answers 503 with Retry-After, not 500, and answers again once a server is back.
 */
class LogOutageApiTest {
    @Test
    void with_the_log_s_server_down_the_api_answers_503_with_retry_after_not_500() throws Exception {
        LocalPostgres server = LocalPostgres.start();
        String db = server.newDatabase();
        try (EventLog log = EventLog.open(db)) {
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
}
