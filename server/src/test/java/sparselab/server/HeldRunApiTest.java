package sparselab.server;

import io.javalin.testtools.JavalinTest;
import okhttp3.Response;
import org.junit.jupiter.api.Test;
import sparselab.launch.LaunchPool;
import sparselab.log.RunEvent;
import sparselab.log.StoredEvent;
import sparselab.store.EventLog;
import sparselab.store.LocalPostgres;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.time.Clock;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static sparselab.server.Fixtures.json;

/**
 * A cancel request for a run whose trainer was stopped inside one of its writes, on PostgreSQL (always: this class
 * opens a log on the test server whichever backend the execution runs): the request gives up after the log's lock
 * wait and answers 503 with Retry-After, instead of waiting until the trainer wakes or dies; nothing is written, and
 * once the lock is free the same request goes through.
 */
class HeldRunApiTest {
    private static io.javalin.Javalin app(EventLog log) {
        return new App(log, Clock.systemUTC(), new LaunchPool(log, new FakeTrainers(), 0), Fixtures.directCreator(log),
                Safety.hostsFor("127.0.0.1")).build();
    }

    /** A new run, claimed by a trainer (lease 1). */
    private static sparselab.store.Lease claimed(EventLog log) {
        String run = Fixtures.queued(log, Map.of("data", "bars"));
        return log.claim(run, new RunEvent.Started(1, "h", 1, 0, null, Map.of()), r -> true).orElseThrow();
    }

    /** A connection inside a transaction that holds the run's row lock, as a writer stopped inside its append does. */
    private static Connection holding(String db, String run) throws java.sql.SQLException {
        Connection c = TestLogs.rawConnection(db);
        c.setAutoCommit(false);
        try (PreparedStatement st = c.prepareStatement("SELECT run_id FROM runs WHERE run_id = ? FOR UPDATE")) {
            st.setString(1, run);
            st.executeQuery().close();
        }
        return c;
    }

    @Test
    void a_cancel_of_a_run_held_by_a_stopped_trainer_answers_503_at_once_and_writes_nothing() throws Exception {
        String db = LocalPostgres.testDatabase();
        System.setProperty("sparselab.lockWaitMs", "1500");
        try (EventLog log = EventLog.open(db)) {
            String run = claimed(log).runId();
            var app = app(log);
            JavalinTest.test(app, (server, client) -> {
                try (Connection paused = holding(db, run)) {    // the trainer's append, stopped between its statements
                    long start = System.nanoTime();
                    Response r = client.post("/api/runs/" + run + "/cancel");
                    double seconds = (System.nanoTime() - start) / 1e9;
                    assertEquals(503, r.code());
                    assertEquals("10", r.header("Retry-After"));
                    String error = json(r).get("error").asText();
                    assertTrue(error.contains(run) && error.contains("try again"), error);
                    assertTrue(seconds >= 1.4 && seconds < 15, "gave up after the lock wait, not at once and not never: " + seconds + " s");
                    assertEquals(List.of("created", "started"), log.events(run).stream().map(StoredEvent::type).toList(), "nothing written");
                    paused.rollback();                            // the trainer dies
                }
                Response again = client.post("/api/runs/" + run + "/cancel");
                assertEquals(200, again.code());
                assertTrue(log.run(run).orElseThrow().cancelRequested());
            });
        } finally {
            System.clearProperty("sparselab.lockWaitMs");
        }
    }

    @Test
    void a_resume_waiting_for_a_held_run_does_not_hold_up_a_launch() throws Exception {
        String db = LocalPostgres.testDatabase();
        System.setProperty("sparselab.lockWaitMs", "3000");
        try (EventLog log = EventLog.open(db)) {
            sparselab.store.Lease lease = claimed(log);
            lease.append(new RunEvent.Failed(0, "test"));        // its trainer failed: the run may be resumed
            String run = lease.runId();
            var app = app(log);
            JavalinTest.test(app, (server, client) -> {
                try (Connection paused = holding(db, run)) {    // a stopped writer holds the run
                    java.util.concurrent.CompletableFuture<Integer> resume = java.util.concurrent.CompletableFuture.supplyAsync(
                            () -> client.post("/api/runs/" + run + "/resume").code());
                    Thread.sleep(500);                            // the resume is waiting for the run's lock
                    assertTrue(!resume.isDone(), "the resume waits for the held run");
                    long start = System.nanoTime();
                    Response launched = Fixtures.post(client, "/api/launch", "{\"config\": {\"data\": \"bars\"}}");
                    double seconds = (System.nanoTime() - start) / 1e9;
                    assertEquals(201, launched.code());
                    assertTrue(seconds < 2.0, "the launch went through while the resume waited: " + seconds + " s");
                    assertTrue(!resume.isDone(), "the resume still waits");
                    assertEquals(503, resume.get(30, java.util.concurrent.TimeUnit.SECONDS));
                    paused.rollback();
                }
                assertEquals(202, client.post("/api/runs/" + run + "/resume").code());
                assertEquals("requeued", log.events(run).get(log.events(run).size() - 1).type());
            });
        } finally {
            System.clearProperty("sparselab.lockWaitMs");
        }
    }
}
