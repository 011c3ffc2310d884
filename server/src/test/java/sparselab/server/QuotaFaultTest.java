package sparselab.server;

import com.fasterxml.jackson.databind.JsonNode;
import io.javalin.Javalin;
import io.javalin.testtools.JavalinTest;
import okhttp3.Response;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import sparselab.config.Limits;
import sparselab.launch.LaunchPool;
import sparselab.launch.RunCreator;
import sparselab.store.EventLog;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static sparselab.server.Fixtures.json;
import static sparselab.server.Fixtures.post;

/** The limits of a log and its dashboard through real HTTP on a real log: run size, log size, queue length, image size. */
class QuotaFaultTest {
    /** The launch that grew a log by 6.4 GB in a minute. */
    static final String DISK_FILLER = "{\"config\":{\"data\":\"bars\",\"limit\":\"2\",\"holdout\":\"0\",\"hidden\":\"5000\",\"epochs\":\"1000000\","
            + "\"batchSize\":\"1\",\"snapshotEvery\":\"1\"}}";

    @TempDir Path dir;
    EventLog log;
    LaunchPool pool;

    @BeforeEach
    void open() {
        log = EventLog.open(dir.resolve("quota.db"));
        pool = new LaunchPool(log, new FakeTrainers(), 1);
    }

    /** The production creator (bars data is generated, nothing to fetch) under {@code limits}. */
    private Javalin app(Limits limits) {
        return new App(log, Clock.systemUTC(), pool, RunCreator.inLog(log, dir, limits), Safety.hostsFor("127.0.0.1"), limits).build();
    }

    private int eventCount() { return Fixtures.eventCount(log); }

    @Test
    void a_launch_that_would_fill_the_disk_is_refused_naming_the_run_limit_and_starts_nothing() {
        JavalinTest.test(app(Limits.defaults()), (server, client) -> {
            Response r = post(client, "/api/launch", DISK_FILLER);
            assertEquals(400, r.code());
            JsonNode e = json(r);
            String msg = e.get("fields").get("maxRunBytes").asText();
            assertTrue(msg.contains(Limits.RUN_BYTES) && msg.contains("1.0 GiB") && msg.contains("hidden=5000"), msg);
            assertEquals(0, eventCount());
            assertTrue(pool.active().isEmpty());
            // an ordinary run still goes through
            assertEquals(201, post(client, "/api/launch", "{\"config\":{\"data\":\"bars\",\"hidden\":\"16\",\"epochs\":\"20\"}}").code());
        });
    }

    @Test
    void a_launch_that_would_take_the_log_over_its_limit_is_refused_naming_the_log_limit() throws Exception {
        long now = log.sizeBytes();
        Limits tight = new Limits(Limits.defaults().maxRunBytes(), now + 100_000, 100, 16_000_000);
        JavalinTest.test(app(tight), (server, client) -> {
            Response r = post(client, "/api/launch", "{\"config\":{\"data\":\"bars\",\"hidden\":\"64\",\"epochs\":\"100\",\"snapshotEvery\":\"1\"}}");
            assertEquals(400, r.code());
            String msg = json(r).get("fields").get("maxLogBytes").asText();
            assertTrue(msg.contains(Limits.LOG_BYTES), msg);
            assertEquals(0, eventCount());
        });
    }

    /** What a bars run of 64 units, {@code epochs} epochs and a snapshot each epoch is estimated to write. */
    private long estimate(int epochs) {
        var cfg = sparselab.config.ConfigLoader.resolve(null, null, List.of("data=bars", "hidden=64", "epochs=" + epochs, "snapshotEvery=1"));
        return sparselab.config.LogEstimate.bytes(cfg, 64, sparselab.config.LogEstimate.checkpointsHeld(log.shared(),
                sparselab.runs.RunExecutor.checkpointSeconds(), epochs));
    }

    @Test
    void runs_already_queued_count_against_the_log_limit() throws Exception {
        long each = estimate(100);
        Limits room = new Limits(Limits.defaults().maxRunBytes(), log.sizeBytes() + each * 3 / 2, 100, 16_000_000);
        String body = "{\"config\":{\"data\":\"bars\",\"hidden\":\"64\",\"epochs\":\"100\",\"snapshotEvery\":\"1\"}}";
        JavalinTest.test(app(room), (server, client) -> {
            Response first = post(client, "/api/launch", body);
            JsonNode made = json(first);
            assertEquals(201, first.code(), made.toString());
            String id = made.get("runId").asText();
            int before = eventCount();
            Response second = post(client, "/api/launch", body);
            assertEquals(400, second.code(), "the first run's estimate is taken while it is queued");
            String msg = json(second).get("fields").get("maxLogBytes").asText();
            assertTrue(msg.contains("queued or running in it may add"), msg);
            assertEquals(before, eventCount());
            assertEquals(200, post(client, "/api/runs/" + id + "/cancel", "").code());
            assertEquals(201, post(client, "/api/launch", body).code(), "a cancelled run writes no more: its room is free");
        });
    }

    @Test
    void a_resume_whose_remaining_epochs_would_take_the_log_over_its_limit_is_refused_and_writes_nothing() throws Exception {
        String id = Fixtures.queued(log, Map.of("data", "bars", "hidden", "64", "epochs", "1000", "snapshotEvery", "1"));
        log.append(id, new sparselab.log.RunEvent.CancelRequested("test"));
        log.append(id, new sparselab.log.RunEvent.Cancelled(0));
        Limits tight = new Limits(Limits.defaults().maxRunBytes(), log.sizeBytes() + estimate(1000) / 2, 100, 16_000_000);
        int before = eventCount();
        JavalinTest.test(app(tight), (server, client) -> {
            Response r = post(client, "/api/runs/" + id + "/resume", "");
            assertEquals(400, r.code());
            String msg = json(r).get("fields").get("maxLogBytes").asText();
            assertTrue(msg.contains("run " + id + " (its remaining epochs)") && msg.contains(Limits.LOG_BYTES), msg);
            assertEquals(before, eventCount());
        });
        JavalinTest.test(app(Limits.defaults()), (server, client) ->
                assertEquals(202, post(client, "/api/runs/" + id + "/resume", "").code(), "within the limits it is queued again"));
    }

    @Test
    void resumes_of_different_runs_sent_at_once_never_take_the_log_over_its_limit_together() throws Exception {
        List<String> runs = new ArrayList<>();
        for (int i = 0; i < 8; i++) {
            String id = Fixtures.queued(log, Map.of("data", "bars", "hidden", "64", "epochs", "1000", "snapshotEvery", "1", "seed", "" + (i + 1)));
            log.append(id, new sparselab.log.RunEvent.CancelRequested("test"));
            log.append(id, new sparselab.log.RunEvent.Cancelled(0));
            runs.add(id);
        }
        // room for two of them: each resume alone fits, and every one checked before the others' requeues landed did
        Limits two = new Limits(Limits.defaults().maxRunBytes(), log.sizeBytes() + estimate(1000) * 5 / 2, 100, 16_000_000);
        JavalinTest.test(app(two), (server, client) -> {
            java.util.concurrent.atomic.AtomicInteger next = new java.util.concurrent.atomic.AtomicInteger();
            Map<Integer, Integer> codes = atOnce(8, () -> {
                Response r = client.post("/api/runs/" + runs.get(next.getAndIncrement()) + "/resume");
                if (r.code() == 400) {
                    String msg = json(r).get("fields").get("maxLogBytes").asText();
                    assertTrue(msg.contains("queued or running in it may add"), msg);
                }
                return r.code();
            });
            assertEquals(Map.of(202, 2, 400, 6), codes);
            assertEquals(2, runs.stream().filter(id -> log.require(id).status().equals("queued")).count());
        });
    }

    @Test
    void a_log_at_its_limit_changes_no_tags_and_the_same_tags_again_write_nothing() throws Exception {
        String id = Fixtures.queued(log, Map.of("data", "bars"));
        log.append(id, new sparselab.log.RunEvent.Tagged(List.of("kept")));
        Limits full = new Limits(Limits.defaults().maxRunBytes(), log.sizeBytes(), 100, 16_000_000);
        int before = eventCount();
        JavalinTest.test(app(full), (server, client) -> {
            Response same = post(client, "/api/runs/" + id + "/tags", "{\"tags\": [\"kept\"]}");
            assertEquals(200, same.code());
            Response changed = post(client, "/api/runs/" + id + "/tags", "{\"tags\": [\"new\"]}");
            assertEquals(400, changed.code());
            String msg = json(changed).get("fields").get("maxLogBytes").asText();
            assertTrue(msg.contains(Limits.LOG_BYTES), msg);
        });
        assertEquals(before, eventCount(), "nothing written");
        assertEquals(List.of("kept"), log.run(id).orElseThrow().tagList());
    }

    @Test
    void a_run_stopped_before_its_first_checkpoint_is_resumed_from_the_start_as_on_the_command_line() throws Exception {
        String id = Fixtures.queued(log, Map.of("data", "bars", "epochs", "50"));
        log.append(id, new sparselab.log.RunEvent.Started(1, "h", 1, 0, null, Map.of()));
        for (int e = 1; e <= 3; e++) {
            log.append(id, new sparselab.log.RunEvent.EpochCompleted(e, 1.0 / e, 1.0, 0.0, 0.0, 0.1, new double[] {0.1}, 0.0, 0.0,
                    0, 0.0, false, null, 0.1, 100));
        }
        log.append(id, new sparselab.log.RunEvent.CancelRequested("test"));
        log.append(id, new sparselab.log.RunEvent.Cancelled(3));
        JavalinTest.test(app(Limits.defaults()), (server, client) -> {
            assertTrue(json(client.get("/api/runs/" + id)).get("actions").toString().contains("resume"));
            Response r = post(client, "/api/runs/" + id + "/resume", "");
            assertEquals(202, r.code());
            assertEquals("queued", log.run(id).orElseThrow().status());
            assertEquals(3, log.run(id).orElseThrow().epochsDone(), "its logged epochs stay; the trainer replays them without logging");
        });
    }

    @Test
    void the_queue_takes_at_most_max_queued_runs_even_from_concurrent_launches() throws Exception {
        Limits five = new Limits(Limits.defaults().maxRunBytes(), Limits.defaults().maxLogBytes(), 5, 16_000_000);
        Javalin app = new App(log, Clock.systemUTC(), pool, Fixtures.directCreator(log), Safety.hostsFor("127.0.0.1"), five).build();
        JavalinTest.test(app, (server, client) -> {
            ExecutorService clients = Executors.newFixedThreadPool(8);
            List<Future<Integer>> codes = new ArrayList<>();
            for (int i = 0; i < 24; i++) {
                codes.add(clients.submit(() -> post(client, "/api/launch", "{\"config\":{\"data\":\"bars\"}}").code()));
            }
            int created = 0, refused = 0;
            for (Future<Integer> f : codes) {
                int c = f.get();
                if (c == 201) created++;
                else if (c == 429) refused++;
            }
            clients.shutdown();
            assertEquals(5, created);
            assertEquals(19, refused);
            assertEquals(5, log.runs().size());
            Response r = post(client, "/api/launch", "{\"config\":{\"data\":\"bars\"}}");
            assertEquals(429, r.code());
            assertEquals("30", r.header("Retry-After"), "a full queue says when to ask again");
            String why = json(r).get("error").asText();
            assertTrue(why.startsWith("the queue holds 5 runs; at most 5 may wait (" + Limits.QUEUED_RUNS + ")"), why);
            String queued = log.runs().get(0).runId();
            assertEquals(429, client.post("/api/runs/" + queued + "/twin").code());     // the twin counts too
            assertEquals(200, client.post("/api/runs/" + queued + "/cancel").code());   // a cancelled run leaves the queue
            assertEquals(201, post(client, "/api/launch", "{\"config\":{\"data\":\"bars\"}}").code());
            Response resume = client.post("/api/runs/" + queued + "/resume");                // a resume counts too
            assertEquals(429, resume.code());
            assertTrue(json(resume).get("error").asText().contains(Limits.QUEUED_RUNS));
            assertEquals("cancelled", log.require(queued).status());
        });
    }

    @Test
    void cancels_and_resumes_sent_at_once_are_written_once() throws Exception {
        JavalinTest.test(app(Limits.defaults()), (server, client) -> {
            String run = json(post(client, "/api/launch", "{\"config\":{\"data\":\"bars\"}}")).get("runId").asText();
            assertEquals(Map.of(200, 1, 409, 19), atOnce(20, () -> client.post("/api/runs/" + run + "/cancel").code()));
            assertEquals(Map.of("created", 1, "cancel_requested", 1, "cancelled", 1), eventTypes(run));
            assertEquals(Map.of(202, 1, 409, 9), atOnce(10, () -> client.post("/api/runs/" + run + "/resume").code()));
            assertEquals(Map.of("created", 1, "cancel_requested", 1, "cancelled", 1, "requeued", 1), eventTypes(run));
            assertEquals("queued", log.require(run).status());
            assertTrue(log.verify().clean());
        });
    }

    /**
     * Cancels of a running run all answered {@code 200 {"status":"running"}}, at once and one after another (one
     * cancel_requested was written): the first is the 200, every other a 409 that says the cancel is asked already,
     * until the run ends; its trainer gone, a cancel ends it at once.
     */
    @Test
    void cancels_of_a_running_run_sent_at_once_or_again_answer_one_200_and_409s_naming_the_asked_cancel() throws Exception {
        String run = Fixtures.queued(log, Map.of("data", "bars"));
        log.claim(run, new sparselab.log.RunEvent.Started(ProcessHandle.current().pid(), sparselab.runs.Provenance.host(), 1, 0,
                null, Map.of()), r -> true).orElseThrow();
        JavalinTest.test(app(Limits.defaults()), (server, client) -> {
            assertEquals(Map.of(200, 1, 409, 4), atOnce(5, () -> client.post("/api/runs/" + run + "/cancel").code()));
            assertEquals(Map.of("created", 1, "started", 1, "cancel_requested", 1), eventTypes(run));
            Response again = client.post("/api/runs/" + run + "/cancel");
            assertEquals(409, again.code());
            assertEquals("a cancel of run " + run + " is asked already; it ends after its current batch", json(again).get("error").asText());
            assertEquals(409, client.post("/api/runs/" + run + "/cancel").code());
            assertEquals(Map.of("created", 1, "started", 1, "cancel_requested", 1), eventTypes(run));
            assertEquals("running", log.require(run).status());
            assertTrue(log.require(run).cancelRequested());
        });
    }

    @Test
    void twins_asked_for_at_once_queue_one() throws Exception {
        JavalinTest.test(app(Limits.defaults()), (server, client) -> {
            String run = json(post(client, "/api/launch", "{\"config\":{\"data\":\"bars\",\"beta\":\"3\"}}")).get("runId").asText();
            assertEquals(Map.of(201, 1, 409, 9), atOnce(10, () -> client.post("/api/runs/" + run + "/twin").code()));
            assertEquals(2, log.runs().size());
        });
    }

    /** Sends {@code n} requests as nearly at once as threads allow; the count of each status code. */
    private static Map<Integer, Integer> atOnce(int n, java.util.concurrent.Callable<Integer> request) throws Exception {
        ExecutorService clients = Executors.newFixedThreadPool(n);
        java.util.concurrent.CountDownLatch go = new java.util.concurrent.CountDownLatch(1);
        List<Future<Integer>> codes = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            codes.add(clients.submit(() -> {
                go.await();
                return request.call();
            }));
        }
        go.countDown();
        Map<Integer, Integer> count = new java.util.TreeMap<>();
        for (Future<Integer> f : codes) count.merge(f.get(), 1, Integer::sum);
        clients.shutdown();
        return count;
    }

    private Map<String, Integer> eventTypes(String run) {
        Map<String, Integer> count = new java.util.TreeMap<>();
        for (var e : log.events(run)) count.merge(e.event().type(), 1, Integer::sum);
        return count;
    }

    @Test
    void a_weight_image_over_the_pixel_limit_is_refused_before_it_is_drawn() {
        String run = Fixtures.trained(log, Map.of("data", "bars", "hidden", "400", "epochs", "1"), 1, 400, 8, null);
        Limits megapixel = new Limits(Limits.defaults().maxRunBytes(), Limits.defaults().maxLogBytes(), 100, 1_000_000);
        JavalinTest.test(app(megapixel), (server, client) -> {
            Response big = client.get("/api/runs/" + run + "/snapshots/1/grid.png?scale=8");        // 1301 x 1301 pixels
            assertEquals(400, big.code());
            String msg = json(big).get("error").asText();
            assertTrue(msg.startsWith("scale:") && msg.contains("1,692,601 pixels") && msg.contains(Limits.IMAGE_PIXELS), msg);
            Response small = client.get("/api/runs/" + run + "/snapshots/1/grid.png?scale=2");      // 341 x 341
            assertEquals(200, small.code());
            assertEquals("image/png", small.header("Content-Type"));
            assertEquals(400, client.get("/api/runs/" + run + "/snapshots/1/grid.png?scale=9").code());
            assertEquals(400, client.get("/api/runs/" + run + "/snapshots/1/filters/0.png?scale=33").code());
        });
    }
}
