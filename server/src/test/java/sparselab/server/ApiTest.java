package sparselab.server;

import com.fasterxml.jackson.databind.JsonNode;
import io.javalin.Javalin;
import io.javalin.testtools.HttpClient;
import io.javalin.testtools.JavalinTest;
import okhttp3.MediaType;
import okhttp3.RequestBody;
import okhttp3.Response;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import sparselab.launch.LaunchPool;
import sparselab.store.EventLog;
import sparselab.log.Json;
import sparselab.log.RunEvent;
import sparselab.log.StoredEvent;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import static sparselab.server.Fixtures.json;
import static sparselab.server.Fixtures.post;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The JSON API through real HTTP, on a real SQLite log filled with real events. */
class ApiTest {

    private static final MediaType JSON = MediaType.get("application/json");

    @TempDir Path dir;
    String db;
    EventLog log;
    FakeTrainers trainers;
    LaunchPool pool;

    @BeforeEach
    void open() {
        db = TestLogs.newDb(dir, "api.db");
        log = EventLog.open(db);
        trainers = new FakeTrainers();
        pool = new LaunchPool(log, trainers, 1);
    }

    @org.junit.jupiter.api.AfterEach
    void close() {
        log.close();                        // its pool's connections: the PostgreSQL suite shares one server
    }

    private Javalin app(Clock clock) {
        return new App(log, clock, pool, Fixtures.directCreator(log), Safety.hostsFor("127.0.0.1")).build();
    }

    private Javalin app() { return app(Clock.systemUTC()); }

    private int eventCount() { return Fixtures.eventCount(log); }

    // ---- runs

    @Test
    void lists_runs_newest_first_with_status_key_parameters_progress_and_figures() {
        String a = Fixtures.trained(log, Map.of("data", "bars", "beta", "3", "rho", "0.1", "hidden", "16", "epochs", "4"), 4, 16, 8, null);
        String b = Fixtures.queued(log, Map.of("data", "bars", "estimator", "ema-mean", "batchSize", "1"));
        JavalinTest.test(app(), (server, client) -> {
            Response r = client.get("/api/runs");
            assertEquals(200, r.code());
            JsonNode runs = json(r);
            assertEquals(2, runs.size());
            assertEquals(b, runs.get(0).get("runId").asText());
            assertEquals("queued", runs.get(0).get("status").asText());
            assertEquals("ema-mean", runs.get(0).get("estimator").asText());
            assertEquals("1", runs.get(0).get("batchSize").asText());
            JsonNode first = runs.get(1);
            assertEquals(a, first.get("runId").asText());
            assertEquals("finished", first.get("status").asText());
            assertEquals("3", first.get("beta").asText());
            assertEquals("0.1", first.get("rho").asText());
            assertEquals("16", first.get("hidden").asText());
            assertEquals("sigmoid", first.get("hiddenActivation").asText());
            assertEquals(4, first.get("epochsDone").asInt());
            assertEquals(4, first.get("epochsTotal").asInt());
            assertEquals(2.0, first.get("recon").asDouble(), 1e-9);
            assertEquals(2.25, first.get("heldout").asDouble(), 1e-9);
        });
    }

    @Test
    void the_runs_list_and_a_run_carry_the_newest_stroke_share_and_locality() {
        String a = Fixtures.queued(log, Map.of("data", "bars", "epochs", "4"));
        log.append(a, new RunEvent.Started(4242, "test-host", 1, 0, "f00d", Map.of()));
        log.append(a, new RunEvent.FilterMeasures(2, 0.5, 0.0, 0.0, 0.3, 0.2, 0.25));
        log.append(a, new RunEvent.FilterMeasures(4, 0.7, 0.0, 0.0, 0.3, 0.2, 0.75));
        String b = Fixtures.queued(log, Map.of("data", "bars"));
        JavalinTest.test(app(), (server, client) -> {
            JsonNode runs = json(client.get("/api/runs"));
            JsonNode first = runs.get(1), second = runs.get(0);
            assertEquals(a, first.get("runId").asText());
            assertEquals(0.75, first.get("strokeShare").asDouble(), 1e-12);       // the newest snapshot's, not the first's
            assertEquals(0.7, first.get("locality").asDouble(), 1e-12);
            assertEquals(4, first.get("measuresEpoch").asInt());
            assertEquals(b, second.get("runId").asText());
            assertTrue(second.get("strokeShare").isNull() && second.get("measuresEpoch").isNull());
            assertEquals(0.75, json(client.get("/api/runs/" + a)).get("summary").get("strokeShare").asDouble(), 1e-12);
            // the compare document's summaries carry them too
            JsonNode compared = json(client.get("/api/compare?runs=" + a + "," + b)).get("runs");
            assertEquals(0.75, compared.get(0).get("run").get("strokeShare").asDouble(), 1e-12);
            assertEquals(4, compared.get(0).get("run").get("measuresEpoch").asInt());
            assertTrue(compared.get(1).get("run").get("strokeShare").isNull(), "no measured snapshot: null");
        });
    }

    @Test
    void filters_runs_by_text_status_and_key_value() {
        String sparse = Fixtures.trained(log, Map.of("data", "bars", "beta", "3", "epochs", "2"), 2, 4, 4, null);
        String plain = Fixtures.queued(log, Map.of("data", "bars", "beta", "0"));
        log.append(plain, new RunEvent.Tagged(List.of("baseline")));
        JavalinTest.test(app(), (server, client) -> {
            assertEquals(List.of(plain), ids(json(client.get("/api/runs?q=beta%3D0"))));
            assertEquals(List.of(sparse), ids(json(client.get("/api/runs?status=finished"))));
            assertEquals(List.of(plain), ids(json(client.get("/api/runs?q=BASE"))));
            assertEquals(List.of(sparse), ids(json(client.get("/api/runs?q=" + sparse.substring(0, 6)))));
            // keys and values, not the JSON text of the configuration: its punctuation is in every run
            assertEquals(List.of(plain, sparse), ids(json(client.get("/api/runs?q=weightDecay"))));
            for (String punctuation : List.of("%22", "%7B", "%3A", "%2C", "%22%3A%22", "%5B")) {
                Response r = client.get("/api/runs?q=" + punctuation);
                assertEquals(200, r.code(), punctuation);
                assertEquals(List.of(), ids(json(r)), "q=" + punctuation);
            }
            // words apart: each must match
            assertEquals(List.of(plain), ids(json(client.get("/api/runs?q=bars%20baseline"))));
            assertEquals(List.of(), ids(json(client.get("/api/runs?q=baseline%20beta%3D3"))));
            assertEquals(List.of(sparse), ids(json(client.get("/api/runs?q=bars+beta+%3D+3"))));
            Response many = client.get("/api/runs?q=" + "a+".repeat(17));
            assertEquals(400, many.code());
            assertEquals("q: at most 16 terms (words apart, each of which a run must match; 17 given)", json(many).get("error").asText());
            // a control character (on PostgreSQL a NUL failed the query: 500); whitespace ones separate words
            Response nul = client.get("/api/runs?q=a%00b");
            assertEquals(400, nul.code());
            assertEquals("q: a control character (U+0000) at character 2; give words to match", json(nul).get("error").asText());
            assertEquals(400, client.get("/api/runs?q=%1B%5B2J").code(), "a terminal escape");
            assertEquals(List.of(plain), ids(json(client.get("/api/runs?q=bars%09baseline"))), "a tab separates words");
            Response bad = client.get("/api/runs?status=sleeping");
            assertEquals(400, bad.code());
            assertTrue(json(bad).get("error").asText().startsWith("status:"));
            // a key that is no configuration key matches nothing, and the answer says which (as runs -q does), in
            // UTF-8 percent-encoded: the words as typed, also where they are not ASCII
            Response typo = client.get("/api/runs?q=betta%3D3+b%C3%A9ta%3D0+beta%3D7");
            assertEquals(List.of(), ids(json(typo)));
            assertEquals("betta=3: unknown key (did you mean beta?); béta=0: unknown key (did you mean beta?)",
                    java.net.URLDecoder.decode(typo.header("X-Unknown-Keys"), java.nio.charset.StandardCharsets.UTF_8));
            assertEquals(null, client.get("/api/runs?q=beta%3D7").header("X-Unknown-Keys"), "a known key: no note");
            // a known key typed half-way (found 2026-12-02 by a new user's walkthrough: the page spoke of whole values)
            assertEquals("beta=: no value after '='", java.net.URLDecoder.decode(client.get("/api/runs?q=beta%3D").header("X-Unknown-Keys"),
                    java.nio.charset.StandardCharsets.UTF_8));
        });
    }

    private static List<String> ids(JsonNode runs) {
        return java.util.stream.StreamSupport.stream(runs.spliterator(), false).map(n -> n.get("runId").asText()).toList();
    }

    @Test
    void shows_a_running_run_whose_heartbeats_stopped_as_interrupted_and_lets_it_resume() {
        String id = Fixtures.queued(log, Map.of("data", "bars"));
        log.append(id, new RunEvent.Started(77, "h", 1, 0, null, Map.of()));
        JavalinTest.test(app(Clock.offset(Clock.systemUTC(), Duration.ofMinutes(5))), (server, client) -> {
            assertEquals("interrupted", json(client.get("/api/runs")).get(0).get("status").asText());
            assertEquals(List.of(id), ids(json(client.get("/api/runs?status=interrupted"))));
            JsonNode one = json(client.get("/api/runs/" + id));
            assertTrue(one.get("actions").toString().contains("resume"));
            Response r = client.post("/api/runs/" + id + "/resume");
            assertEquals(202, r.code());
            assertEquals("queued", log.run(id).orElseThrow().status(), "queued again: the next claim resumes it from its checkpoint");
            assertEquals("requeued", log.events(id).get(log.events(id).size() - 1).type());
            pool.tick();
            assertEquals(List.of(id), trainers.runIds());
        });
    }

    @Test
    void a_worker_whose_heartbeat_lapsed_is_listed_with_no_runs() {
        log.workerBeat(new sparselab.store.WorkerInfo("box-1:5", "box-1", 5L, 2, List.of("r0123456789"), null, null, false));
        JavalinTest.test(app(), (server, client) -> {
            JsonNode w = json(client.get("/api/workers")).get(0);
            assertTrue(w.get("alive").asBoolean());
            assertEquals("worker", w.get("kind").asText());
            assertEquals("[\"r0123456789\"]", w.get("runs").toString());
        });
        // five minutes later (a kill -9: no more beats), the run it had is no longer its
        JavalinTest.test(app(Clock.offset(Clock.systemUTC(), Duration.ofMinutes(5))), (server, client) -> {
            JsonNode w = json(client.get("/api/workers")).get(0);
            assertFalse(w.get("alive").asBoolean());
            assertEquals("[]", w.get("runs").toString());
        });
    }

    /**
     * A trainer of its own (train, resume: no worker row) was in the runs table's worker column as host:pid but on no
     * row of /api/workers; it is listed there while its run trains, and gone once its heartbeat lapsed. A run a worker
     * trains is listed under that worker only.
     */
    @Test
    void a_trainer_of_its_own_is_listed_among_the_workers_while_its_run_trains() throws InterruptedException {
        String own = Fixtures.queued(log, Map.of("data", "bars"));
        log.claim(own, new RunEvent.Started(77, "box-3", 1, 0, null, Map.of(), null, "box-3:77"), r -> true).orElseThrow();
        Thread.sleep(30);           // started again (a resume by the same trainer name): its newest start is the one shown
        log.claim(own, new RunEvent.Started(77, "box-3", 1, 0, null, Map.of(), null, "box-3:77"), r -> true).orElseThrow();
        String byWorker = Fixtures.queued(log, Map.of("data", "bars"));
        log.claim(byWorker, new RunEvent.Started(42, "box-4", 1, 0, null, Map.of(), null, "lab-4"), r -> true).orElseThrow();
        log.workerBeat(new sparselab.store.WorkerInfo("lab-4", "box-4", 40L, 1, List.of(byWorker), null, null, false));
        // a trainer a dashboard's pool started, which goes on after that dashboard stopped: listed by its process
        String orphan = Fixtures.queued(log, Map.of("data", "bars"));
        log.claim(orphan, new RunEvent.Started(91, "box-5", 1, 0, null, Map.of(), null, "serve@box-5:9"), r -> true).orElseThrow();
        log.workerBeat(new sparselab.store.WorkerInfo("serve@box-5:9", "box-5", 9L, 1, List.of(orphan), null, null, false));
        log.workerStopped("serve@box-5:9");
        JavalinTest.test(app(), (server, client) -> {
            JsonNode all = json(client.get("/api/workers"));
            assertEquals(4, all.size(), all::toString);
            JsonNode gone = java.util.stream.StreamSupport.stream(all.spliterator(), false)
                    .filter(w -> w.get("name").asText().equals("box-5:91")).findFirst().orElseThrow(() -> new AssertionError(all.toString()));
            assertEquals("trainer", gone.get("kind").asText());
            assertEquals("[\"" + orphan + "\"]", gone.get("runs").toString());
            java.util.List<String> names = java.util.stream.StreamSupport.stream(all.spliterator(), false).map(w -> w.get("name").asText()).toList();
            assertEquals(1, names.stream().filter("lab-4"::equals).count(), "a worker's run is listed under that worker only: " + names);
            JsonNode t = java.util.stream.StreamSupport.stream(all.spliterator(), false)
                    .filter(w -> w.get("name").asText().equals("box-3:77")).findFirst().orElseThrow(() -> new AssertionError(all.toString()));
            assertEquals("box-3:77", t.get("name").asText());
            assertEquals("trainer", t.get("kind").asText());
            assertEquals("box-3", t.get("host").asText());
            assertEquals(77, t.get("pid").asLong());
            assertTrue(t.get("alive").asBoolean());
            assertEquals("[\"" + own + "\"]", t.get("runs").toString());
            // started when it started its run, as a worker's row says when the worker started (the cell was empty)
            List<String> starts = log.events(own).stream().filter(e -> e.type().equals("started")).map(sparselab.log.StoredEvent::at).toList();
            assertEquals(2, starts.size());
            assertNotEquals(starts.get(0), starts.get(1));
            assertEquals(starts.get(1), t.get("startedAt").asText(), "the newest start");
            assertFalse(gone.get("startedAt").isNull(), gone::toString);
        });
        JavalinTest.test(app(Clock.offset(Clock.systemUTC(), Duration.ofMinutes(5))), (server, client) -> {
            JsonNode all = json(client.get("/api/workers"));
            assertEquals(List.of("lab-4", "serve@box-5:9"), java.util.stream.StreamSupport.stream(all.spliterator(), false)
                    .map(w -> w.get("name").asText()).sorted().toList(), "the workers alone once no trainer beats");
        });
    }

    @Test
    void a_run_whose_trainer_on_this_host_has_ended_reads_as_interrupted_at_once_and_may_be_resumed() throws Exception {
        String id = Fixtures.queued(log, Map.of("data", "bars"));
        Process gone = new ProcessBuilder("true").start();          // a trainer killed a moment ago, on this host
        assertTrue(gone.waitFor(10, java.util.concurrent.TimeUnit.SECONDS));
        log.append(id, new RunEvent.Started(gone.pid(), sparselab.runs.Provenance.host(), 1, 0, null, Map.of()));
        // its last heartbeat is fresh: no need to wait for it to lapse
        JavalinTest.test(app(), (server, client) -> {
            assertEquals("interrupted", json(client.get("/api/runs/" + id)).get("summary").get("status").asText());
            assertEquals("interrupted", json(client.get("/api/runs")).get(0).get("status").asText());
            assertEquals(List.of(id), ids(json(client.get("/api/runs?status=interrupted"))), "the status filter says the same");
            assertEquals(List.of(), ids(json(client.get("/api/runs?status=running"))));
            assertTrue(json(client.get("/api/runs/" + id)).get("actions").toString().contains("resume"));
            assertEquals(202, client.post("/api/runs/" + id + "/resume").code());
            assertEquals("queued", log.run(id).orElseThrow().status());
        });
    }

    @Test
    void refuses_to_resume_a_run_whose_trainer_is_alive_on_this_host() {
        String id = Fixtures.queued(log, Map.of("data", "bars"));
        // this very process stands in for a paused trainer: alive, on this host, silent for minutes
        log.append(id, new RunEvent.Started(ProcessHandle.current().pid(), sparselab.runs.Provenance.host(), 1, 0, null, Map.of()));
        JavalinTest.test(app(Clock.offset(Clock.systemUTC(), Duration.ofMinutes(5))), (server, client) -> {
            JsonNode one = json(client.get("/api/runs/" + id));
            assertEquals("interrupted", one.get("summary").get("status").asText());
            // not offered: the page's button would only be answered 409 (it was offered)
            assertEquals("[\"cancel\",\"clone\",\"twin\"]", one.get("actions").toString());
            Response r = client.post("/api/runs/" + id + "/resume");
            assertEquals(409, r.code());
            JsonNode body = json(r);
            assertTrue(body.get("error").asText().contains("still alive"), body.toString());
            assertEquals("running", log.run(id).orElseThrow().status(), "nothing was written");
        });
    }

    /**
     * The same, but this process is a `sparselab worker` that trains its runs inside it: the run's heartbeat lapsed
     * while the worker lives on (its training thread ended without recording why). Other workers take such a run over;
     * the dashboard's Resume was refused as "still alive" (found in an earlier stop, fixed 2026-12-03).
     */
    @Test
    void resumes_a_run_whose_heartbeat_lapsed_inside_a_worker_that_lives_on() {
        String id = Fixtures.queued(log, Map.of("data", "bars"));
        long me = ProcessHandle.current().pid();
        String host = sparselab.runs.Provenance.host();
        log.claim(id, new RunEvent.Started(me, host, 1, 0, null, Map.of(), null, "w-stuck"), r -> true).orElseThrow();
        log.workerBeat(new sparselab.store.WorkerInfo("w-stuck", host, me, 1, List.of(), null, null, false));
        JavalinTest.test(app(Clock.offset(Clock.systemUTC(), Duration.ofMinutes(5))), (server, client) -> {
            JsonNode one = json(client.get("/api/runs/" + id));
            assertEquals("interrupted", one.get("summary").get("status").asText());
            assertTrue(one.get("actions").toString().contains("resume"), one.get("actions").toString());
            assertEquals(202, client.post("/api/runs/" + id + "/resume").code());
            assertEquals("queued", log.run(id).orElseThrow().status());
        });
    }

    @Test
    void pages_the_runs_newest_first_with_a_cursor() {
        List<String> ids = new java.util.ArrayList<>();
        for (int i = 0; i < 5; i++) ids.add(Fixtures.queued(log, Map.of("data", "bars")));
        JavalinTest.test(app(), (server, client) -> {
            Response first = client.get("/api/runs?limit=2");
            assertEquals(List.of(ids.get(4), ids.get(3)), ids(json(first)));
            String next = first.header("X-Next-Before");
            assertNotNull(next);
            Response second = client.get("/api/runs?limit=2&before=" + next);
            assertEquals(List.of(ids.get(2), ids.get(1)), ids(json(second)));
            Response last = client.get("/api/runs?limit=2&before=" + second.header("X-Next-Before"));
            assertEquals(List.of(ids.get(0)), ids(json(last)));
            assertNull(last.header("X-Next-Before"), "no page after the last");
            assertEquals(400, client.get("/api/runs?limit=0").code());
            assertEquals(400, client.get("/api/runs?before=x").code());
            assertEquals(List.of(ids.get(4), ids.get(3)), ids(json(client.get("/api/runs?limit=2&before="))), "an empty cursor: the first page");
            Response huge = client.get("/api/runs?limit=99999999999999");
            assertEquals(400, huge.code());
            assertTrue(json(huge).get("error").asText().contains("out of range"));
        });
    }

    @Test
    void answers_a_known_path_with_the_wrong_method_with_405() {
        JavalinTest.test(app(), (server, client) -> {
            Response r = client.request("/api/launch", b -> b.put(okhttp3.RequestBody.create("{}", null)));
            assertEquals(405, r.code());
            assertEquals("POST", r.header("Allow"), "RFC 9110: a 405 lists the methods the path answers");
            assertEquals("PUT: /api/launch answers POST only", json(r).get("error").asText());
            Response del = client.request("/api/runs", b -> b.delete());
            assertEquals(405, del.code());
            assertEquals("GET", del.header("Allow"), "HEAD is refused on the API, so not listed");
            assertEquals("DELETE: /api/runs answers GET only", json(del).get("error").asText());
            assertEquals(404, client.get("/api/nosuch").code());
        });
    }

    /**
     * A browser's address that is no page (found 2026-12-02 by a new user's walkthrough: `/nosuch.html` showed the
     * API's JSON) gets a page that says so, the address escaped, and links the dashboard's pages; an API path, or a
     * client that does not ask for HTML, gets the JSON refusal as before.
     */
    @Test
    void a_browser_asking_for_no_page_gets_a_page_that_links_the_pages_and_the_api_keeps_its_json() {
        JavalinTest.test(app(), (server, client) -> {
            Response page = client.request("/nosuch.html", b -> b.header("Accept", "text/html,application/xhtml+xml,*/*;q=0.8"));
            assertEquals(404, page.code());
            assertTrue(String.valueOf(page.header("Content-Type")).startsWith("text/html"), page.header("Content-Type"));
            String html = page.body().string();
            assertTrue(html.contains("No such page") && html.contains("<code>/nosuch.html</code>") && html.contains("href=\"/index.html\""), html);
            // no icon of its own, as every page: a browser asked for /favicon.ico and logged its 404 (found 2026-12-03)
            assertTrue(html.contains("<link rel=\"icon\" href=\"data:,\">"), html);
            Response odd = client.request("/%3Cscript%3Ealert(1)%3C%2Fscript%3E", b -> b.header("Accept", "text/html"));
            assertEquals(404, odd.code());
            String oddHtml = odd.body().string();
            assertFalse(oddHtml.contains("<script>"), oddHtml);
            String amp = client.request("/a&b.html", b -> b.header("Accept", "text/html")).body().string();
            assertTrue(amp.contains("<code>/a&amp;b.html</code>"), amp);
            assertEquals("Accept", page.header("Vary"));
            // the server hands the path on still percent-encoded; the page escapes whatever it is given
            String raw = App.notFoundPage("/<script>alert(\"x\")</script>");
            assertTrue(raw.contains("<code>/&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;</code>") && !raw.contains("<script>"), raw);
            Response api = client.request("/api/nosuch", b -> b.header("Accept", "text/html"));
            assertEquals(404, api.code());
            assertEquals("Endpoint GET /api/nosuch not found", json(api).get("error").asText());
            assertEquals("Endpoint GET /nosuch.html not found", json(client.get("/nosuch.html")).get("error").asText());
        });
    }

    /**
     * Javalin answered a HEAD of any GET route 200 with an empty body without running the route, a 404 or 400 of the
     * GET included: every API route refuses HEAD, 405 with Allow: GET, whatever the GET would answer; a HEAD of a path
     * that is no route is a 404, and of a page a HEAD as the web server answers it.
     */
    @Test
    void a_head_of_any_api_route_is_a_405_with_allow_get_and_never_a_200_where_the_get_fails() {
        String id = Fixtures.trained(log, Map.of("data", "bars", "epochs", "1"), 1, 4, 4, null);
        JavalinTest.test(app(), (server, client) -> {
            for (String path : List.of("/api/runs/rffffffffff", "/api/runs?limit=0", "/api/runs/rffffffffff/snapshots/1/grid.png",
                    "/api/runs", "/api/runs/" + id, "/api/runs/" + id + "/snapshots/1/grid.png", "/api/runs/" + id + "/snapshots/1/weights.bin",
                    "/api/runs/" + id + "/metrics.json", "/api/runs/" + id + "/flags", "/api/compare?runs=" + id, "/api/groups/nosuch",
                    "/api/keys", "/api/ignored?preset=nosuch", "/api/pool", "/api/workers", "/api/stream")) {
                Response head = client.request(path, b -> b.head());
                assertEquals(405, head.code(), path);
                assertEquals("GET", head.header("Allow"), path);
                assertEquals("nosniff", head.header("X-Content-Type-Options"), path);
                assertNull(head.header("ETag"), path);
            }
            assertEquals(404, client.request("/api/nonexistent", b -> b.head()).code(), "no route there");
            assertEquals(404, client.request("/api/runs/" + id + "/nonexistent", b -> b.head()).code(), "no route there");
            Response page = client.request("/run.html", b -> b.head());
            assertEquals(200, page.code(), "a page answers HEAD as the web server does");
            assertTrue(page.header("Content-Type").startsWith("text/html"), page.header("Content-Type"));
            // the GETs themselves are unchanged
            assertEquals(404, client.get("/api/runs/rffffffffff").code());
            assertEquals(400, client.get("/api/runs?limit=0").code());
            assertEquals(200, client.get("/api/runs/" + id + "/snapshots/1/grid.png").code());
        });
    }

    /**
     * A conditional request answered 304 without checking that the weights are still stored: after a snapshot's
     * blob is gone, If-None-Match ("*" or the tag the client holds) gets the 404 the plain GET gets, on each route of
     * the weights, a grid matched to the snapshot too; the snapshots whose blobs are there still answer 304.
     */
    @Test
    void a_conditional_request_for_weights_that_are_gone_is_the_404_of_the_get_not_a_304() throws Exception {
        String id = Fixtures.trained(log, Map.of("data", "bars", "epochs", "2"), 2, 4, 4, null);
        String base = "/api/runs/" + id + "/snapshots/";
        String gone = log.snapshots(id).stream().filter(s -> s.epoch() == 2).findFirst().orElseThrow().blob();
        List<String> paths = List.of(base + "2/grid.png", base + "2/filters/0.png", base + "2/weights.bin",
                base + "1/grid.png?matchTo=" + id + "&matchEpoch=2");
        Map<String, String> tags = new java.util.LinkedHashMap<>();
        JavalinTest.test(app(), (server, client) -> {
            for (String path : paths) {
                Response r = client.get(path);
                assertEquals(200, r.code(), path);
                tags.put(path, r.header("ETag"));
                assertEquals(304, client.get(path, b -> b.header("If-None-Match", "*")).code(), path);
            }
        });
        TestLogs.rawExecute(db, "DELETE FROM blobs WHERE hash = '" + gone + "'");
        JavalinTest.test(app(), (server, client) -> {        // a new dashboard: no matching of the weights kept
            for (String path : paths) {
                for (String held : List.of("*", tags.get(path))) {
                    Response r = client.get(path, b -> b.header("If-None-Match", held));
                    assertEquals(404, r.code(), path + " with If-None-Match: " + held);
                    assertTrue(json(r).get("error").asText().contains("are missing"), path);
                    assertNull(r.header("ETag"), path);
                }
                assertEquals(404, client.get(path).code(), path);
            }
            assertEquals(304, client.get(base + "1/grid.png", b -> b.header("If-None-Match", "*")).code(), "its blob is there");
        });
    }

    /**
     * A snapshot row edited by hand (found 2026-12-01 by a probe of tampering): more hidden units than its weights hold
     * made grid.png and filters/N.png a bare 500 "internal error" and weights.bin was served; fewer units, or an image
     * shape other than its inputs, would be drawn as the row says. Each is now the 500 that names the snapshot and says
     * it was changed behind the log's back (as for a damaged blob); per-unit rates edited into what is not an array of
     * numbers were served as stored in metrics.json (invalid JSON, 200) and are now named too. Rebuilt, all answer 200.
     */
    @Test
    void a_snapshot_row_or_rates_edited_by_hand_are_named_never_served_as_they_say() throws Exception {
        String id = Fixtures.trained(log, Map.of("data", "bars", "epochs", "2"), 2, 4, 4, null);
        String base = "/api/runs/" + id + "/snapshots/2/";
        List<String> paths = List.of(base + "grid.png", base + "filters/0.png", base + "weights.bin", "/api/runs/" + id + "/snapshots/1/grid.png?matchTo=" + id + "&matchEpoch=2");
        for (String[] edit : new String[][] {{"\"hidden\":4", "\"hidden\":80"}, {"\"hidden\":4", "\"hidden\":2"},
                {"\"imageRows\":4", "\"imageRows\":2"}}) {
            log.rebuild();
            TestLogs.rawExecute(db, "UPDATE snapshots SET payload = REPLACE(payload, '" + edit[0] + "', '" + edit[1] + "') WHERE run_id = '" + id
                    + "' AND epoch = 2");
            assertTrue(log.snapshots(id).stream().anyMatch(s -> s.epoch() == 2 && s.payload().contains(edit[1])), "edited: " + edit[1]);
            JavalinTest.test(app(), (server, client) -> {
                for (String path : paths) {
                    Response r = client.get(path);
                    assertEquals(500, r.code(), edit[1] + " " + path);
                    String error = json(r).get("error").asText();
                    assertTrue(error.startsWith("the weight snapshot of run " + id + " at 2 says "), error);
                    assertTrue(error.contains("changed behind the log's back"), error);
                }
            });
        }
        log.rebuild();
        TestLogs.rawExecute(db, "UPDATE epoch_metrics SET rho_hat = 'nonsense' WHERE run_id = '" + id + "' AND epoch = 1");
        JavalinTest.test(app(), (server, client) -> {
            Response r = client.get("/api/runs/" + id + "/metrics.json");
            assertEquals(500, r.code());
            String error = json(r).get("error").asText();
            assertTrue(error.startsWith("the stored per-unit rates (epoch_metrics.rho_hat) of run " + id + " epoch 1 are not an array of numbers"), error);
        });
        log.rebuild();
        JavalinTest.test(app(), (server, client) -> {
            for (String path : paths) assertEquals(200, client.get(path).code(), path);
            Response m = client.get("/api/runs/" + id + "/metrics.json");
            assertEquals(200, m.code());
            assertEquals(2, json(m).get("epochs").size());
        });
    }

    @Test
    void the_web_csv_is_byte_identical_to_the_command_lines() throws Exception {
        String id = Fixtures.trained(log, Map.of("data", "bars", "epochs", "3"), 3, 4, 4, null);
        java.io.StringWriter cli = new java.io.StringWriter();
        picocli.CommandLine cl = sparselab.cli.ExitCodes.install(new picocli.CommandLine(new sparselab.cli.ExportCommand()));
        cl.setOut(new java.io.PrintWriter(cli));
        assertEquals(0, cl.execute(id, "--db", log.describe(), "--format", "csv"));
        JavalinTest.test(app(), (server, client) -> {
            assertEquals(cli.toString(), client.get("/api/runs/" + id + "/metrics.csv").body().string());
        });
    }

    @Test
    void answers_one_run_with_config_snapshots_and_actions() {
        String id = Fixtures.trained(log, Map.of("data", "bars", "beta", "0.5", "epochs", "5"), 5, 4, 4, null);
        JavalinTest.test(app(), (server, client) -> {
            JsonNode one = json(client.get("/api/runs/" + id));
            assertEquals(id, one.get("summary").get("runId").asText());
            assertEquals("0.5", one.get("config").get("beta").asText());
            assertEquals(sparselab.config.ConfigKeys.all().size(), one.get("config").size());
            assertEquals("[0,1,2,4,5]", one.get("snapshotEpochs").toString());
            assertEquals("[\"clone\",\"twin\"]", one.get("actions").toString());
        });
    }

    /** Run ids joined by another separator than a comma (noted 2026-12-02 by a new user's walkthrough: `runs=r1;r2`). */
    @Test
    void a_compare_of_ids_joined_by_another_separator_names_the_word_and_the_comma() {
        JavalinTest.test(app(), (server, client) -> {
            Response r = client.get("/api/compare?runs=ra5edc0ca95;r3939647b4e");
            assertEquals(400, r.code());
            assertEquals("runs: 1 distinct run id given ('ra5edc0ca95;r3939647b4e' is no run id); give 2 to 8 run ids separated by commas",
                    json(r).get("error").asText());
        });
    }

    @Test
    void answers_404_naming_the_run_for_unknown_ids_on_every_run_endpoint() {
        Fixtures.trained(log, Map.of("data", "bars", "epochs", "1"), 1, 4, 4, null);
        JavalinTest.test(app(), (server, client) -> {
            for (String path : List.of("/api/runs/rNope", "/api/runs/rNope/events", "/api/runs/rNope/metrics", "/api/runs/rNope/metrics.csv",
                    "/api/runs/rNope/metrics.json", "/api/runs/rNope/rhohat", "/api/runs/rNope/snapshots",
                    "/api/runs/rNope/snapshots/0/grid.png", "/api/runs/rNope/snapshots/0/filters/0.png", "/api/runs/rNope/snapshots/0/weights.bin",
                    "/api/compare?runs=rNope,rNada", "/api/diff?runs=rNope,rNada")) {
                Response r = client.get(path);
                assertEquals(404, r.code(), path);
                assertTrue(json(r).get("error").asText().contains("rNope"), path);
            }
            for (String path : List.of("/api/runs/rNope/cancel", "/api/runs/rNope/resume", "/api/runs/rNope/twin", "/api/runs/rNope/tags")) {
                Response r = post(client, path, path.endsWith("/tags") ? "{\"tags\": []}" : "{}");
                assertEquals(404, r.code(), path);
                assertTrue(json(r).get("error").asText().contains("rNope"), path);
            }
        });
    }

    @Test
    void lists_events_as_a_timeline_without_per_unit_rates() {
        String id = Fixtures.trained(log, Map.of("data", "bars", "epochs", "2"), 2, 6, 4, null);
        JavalinTest.test(app(), (server, client) -> {
            JsonNode events = json(client.get("/api/runs/" + id + "/events"));
            assertEquals("created", events.get(0).get("type").asText());
            assertEquals("finished", events.get(events.size() - 1).get("type").asText());
            JsonNode epoch = events.get(3);
            assertEquals("epoch_completed", epoch.get("type").asText());
            assertFalse(epoch.get("payload").has("rhoHat"));
            assertEquals(6, epoch.get("payload").get("units").asInt());

            // the newest events only, oldest of them first, with the run's total
            Response tail = client.get("/api/runs/" + id + "/events?limit=3");
            assertEquals(String.valueOf(events.size()), tail.header("X-Total-Events"));
            JsonNode t = json(tail);
            assertEquals(3, t.size());
            for (int i = 0; i < 3; i++) assertEquals(events.get(events.size() - 3 + i).get("seq").asLong(), t.get(i).get("seq").asLong());
            assertEquals("finished", t.get(2).get("type").asText());
            JsonNode older = json(client.get("/api/runs/" + id + "/events?limit=2&before=" + t.get(0).get("seq").asLong()));
            assertEquals(2, older.size());
            assertEquals(events.get(events.size() - 5).get("seq").asLong(), older.get(0).get("seq").asLong(), "the two before the page");
            assertEquals(events.get(events.size() - 4).get("seq").asLong(), older.get(1).get("seq").asLong());
            assertEquals(0, json(client.get("/api/runs/" + id + "/events?before=1")).size(), "nothing before the first");
            assertEquals(400, client.get("/api/runs/" + id + "/events?before=-1").code());
            assertEquals(400, client.get("/api/runs?before=&before=5").code(), "a repeated cursor, the first empty");
            for (String bad : List.of("0", "10001", "x", "%2B5", "%EF%BC%95", "5&limit=7")) {
                Response r = client.get("/api/runs/" + id + "/events?limit=" + bad);
                assertEquals(400, r.code(), bad);
                assertTrue(json(r).get("error").asText().contains("limit"), bad);
            }
        });
    }

    @Test
    void serves_metrics_as_json_csv_and_a_full_json_download() {
        String id = Fixtures.trained(log, Map.of("data", "bars", "epochs", "3"), 3, 4, 4, null);
        JavalinTest.test(app(), (server, client) -> {
            JsonNode m = json(client.get("/api/runs/" + id + "/metrics"));
            assertEquals(3, m.size());
            assertEquals(5.0, m.get(1).get("loss").asDouble(), 1e-12);
            assertFalse(m.get(0).has("rhoHat"));
            Response csv = client.get("/api/runs/" + id + "/metrics.csv");
            assertTrue(csv.header("Content-Type").startsWith("text/csv"));
            assertTrue(csv.header("Content-Disposition").contains(id + "-metrics.csv"));
            List<String> lines = csv.body().string().lines().toList();
            assertEquals(4, lines.size());
            assertTrue(lines.get(0).startsWith("epoch,loss,recon,heldout"));
            assertTrue(lines.get(2).startsWith("2,5.0,4.0,4.5,"));
            JsonNode full = json(client.get("/api/runs/" + id + "/metrics.json"));
            assertEquals(3, full.get("epochs").size(), "the same document as the command line's export --format json");
            assertEquals(4, full.get("epochs").get(0).get("rhoHat").size());
            assertEquals(id, full.get("run").asText());
        });
    }

    @Test
    void the_json_export_streams_every_epoch_s_rates_across_its_reads() {
        int epochs = 2 * sparselab.runs.MetricsExport.EPOCHS_AT_ONCE + 50;      // three reads of rates
        String id = Fixtures.trained(log, Map.of("data", "bars", "epochs", Integer.toString(epochs)), epochs, 8, 4, null);
        Map<Integer, double[]> stored = log.rhoHat(id, log.epochs(id));
        JavalinTest.test(app(), (server, client) -> {
            Response r = client.get("/api/runs/" + id + "/metrics.json");
            assertEquals(200, r.code());
            assertTrue(r.header("Content-Type").startsWith("application/json"), r.header("Content-Type"));
            JsonNode full = new com.fasterxml.jackson.databind.ObjectMapper().readTree(r.body().string());
            assertEquals(epochs, full.get("epochs").size());
            for (int e = 1; e <= epochs; e++) {
                JsonNode row = full.get("epochs").get(e - 1);
                assertEquals(e, row.get("epoch").asInt());
                assertEquals(10.0 / e, row.get("loss").asDouble(), 1e-12);
                double[] rates = new double[row.get("rhoHat").size()];
                for (int j = 0; j < rates.length; j++) rates[j] = row.get("rhoHat").get(j).asDouble();
                assertArrayEquals(stored.get(e), rates, "epoch " + e);
            }
            assertEquals("bars", full.get("config").get("data").asText());
        });
    }

    @Test
    void serves_rho_hat_spread_over_at_most_the_requested_rows_with_the_last_epoch() {
        String id = Fixtures.trained(log, Map.of("data", "bars", "epochs", "50"), 50, 8, 4, null);
        JavalinTest.test(app(), (server, client) -> {
            JsonNode map = json(client.get("/api/runs/" + id + "/rhohat?rows=10"));
            assertEquals(10, map.get("epochs").size());
            assertEquals(1, map.get("epochs").get(0).asInt());
            assertEquals(50, map.get("epochs").get(9).asInt());
            assertEquals(8, map.get("units").asInt());
            assertEquals(8, map.get("rows").get(0).size());
            assertEquals(400, client.get("/api/runs/" + id + "/rhohat?rows=ten").code());
            assertTrue(json(client.get("/api/runs/" + id + "/rhohat?rows=1")).get("error").asText().startsWith("rows:"));
        });
    }

    // ---- compare and diff

    @Test
    void compares_runs_with_curves_rho_divergence_and_a_diff_with_differing_keys_first() {
        String sparse = Fixtures.trained(log, Map.of("data", "bars", "beta", "3", "rho", "0.1", "epochs", "6"), 6, 4, 4, 4);
        String plain = Fixtures.trained(log, Map.of("data", "bars", "beta", "0", "rho", "0.1", "epochs", "6"), 6, 4, 4, null);
        JavalinTest.test(app(), (server, client) -> {
            JsonNode c = json(client.get("/api/compare?runs=" + sparse + "," + plain));
            JsonNode s = c.get("runs").get(0);
            assertEquals(sparse, s.get("run").get("runId").asText());
            assertEquals("diverged", s.get("run").get("status").asText());
            assertEquals("[1,2,3,4]", s.get("epoch").toString());
            assertTrue(s.get("loss").get(3).isNull(), "an infinite loss is sent as null");
            assertEquals("[4]", s.get("divergedEpochs").toString());
            assertEquals(0.1, s.get("rho").asDouble(), 1e-12);
            assertEquals("[0,1,2]", s.get("snapshotEpochs").toString(), "no snapshot after the divergence");
            // the weight decay, a term of the loss the compare page draws, epoch by epoch as the run's figures have it
            JsonNode metrics = json(client.get("/api/runs/" + plain + "/metrics"));
            JsonNode p = c.get("runs").get(1);
            assertEquals(metrics.size(), p.get("decay").size());
            for (int i = 0; i < metrics.size(); i++) {
                assertEquals(metrics.get(i).get("decay"), p.get("decay").get(i), "epoch " + metrics.get(i).get("epoch"));
            }
            assertTrue(metrics.get(0).get("decay").isNumber(), metrics.get(0).toString());
            assertEquals(6, c.get("runs").get(1).get("meanAbsSp").size());
            JsonNode diff = c.get("diff");
            assertEquals(1, diff.get("differing").asInt());
            assertEquals("beta", diff.get("rows").get(0).get("key").asText());
            assertTrue(diff.get("rows").get(0).get("differs").asBoolean());
            assertEquals("[\"3\",\"0\"]", diff.get("rows").get(0).get("values").toString());
            assertFalse(diff.get("rows").get(1).get("differs").asBoolean());
            assertEquals(sparselab.config.ConfigKeys.all().size(), diff.get("rows").size());

            JsonNode d = json(client.get("/api/diff?runs=" + plain + "," + sparse));
            assertEquals("[\"0\",\"3\"]", d.get("rows").get(0).get("values").toString());
        });
    }

    @Test
    void refuses_a_comparison_of_fewer_than_two_or_more_than_eight_runs() {
        JavalinTest.test(app(), (server, client) -> {
            for (String q : List.of("", "?runs=", "?runs=rA", "?runs=rA,rA", "?runs=r1,r2,r3,r4,r5,r6,r7,r8,r9", "?runs=rA&runs=rB")) {
                Response r = client.get("/api/compare" + q);
                assertEquals(400, r.code(), q);
                assertTrue(json(r).get("error").asText().startsWith("runs:"), q);
            }
            assertEquals(400, client.get("/api/diff?runs=rA").code());
        });
    }

    // ---- gallery

    @Test
    void renders_weight_grids_and_single_filters_as_png_with_etag_and_cache_headers() {
        String id = Fixtures.trained(log, Map.of("data", "bars", "epochs", "2"), 2, 16, 8, null);
        JavalinTest.test(app(), (server, client) -> {
            JsonNode snaps = json(client.get("/api/runs/" + id + "/snapshots"));
            assertEquals(3, snaps.size());
            assertEquals(8, snaps.get(0).get("imageRows").asInt());
            Response grid = client.get("/api/runs/" + id + "/snapshots/1/grid.png?scale=2");
            assertEquals(200, grid.code());
            assertEquals("image/png", grid.header("Content-Type"));
            byte[] png = grid.body().bytes();
            java.awt.image.BufferedImage img = javax.imageio.ImageIO.read(new java.io.ByteArrayInputStream(png));
            assertEquals(4 * (8 * 2 + 1) + 1, img.getWidth(), "16 filters tile as 4 x 4 of 8x8 pixels at scale 2 with borders");
            String etag = grid.header("ETag");
            assertNotNull(etag);
            assertTrue(grid.header("Cache-Control").contains("max-age"));
            Response again = client.get("/api/runs/" + id + "/snapshots/1/grid.png?scale=2", b -> b.header("If-None-Match", etag));
            assertEquals(304, again.code());
            // a list of tags, a weak tag and "*" name it too (RFC 9110); another tag does not
            for (String named : List.of("\"x\", " + etag, "W/" + etag, "*", "\"x\",W/" + etag)) {
                assertEquals(304, client.get("/api/runs/" + id + "/snapshots/1/grid.png?scale=2", b -> b.header("If-None-Match", named)).code(), named);
            }
            assertEquals(200, client.get("/api/runs/" + id + "/snapshots/1/grid.png?scale=2", b -> b.header("If-None-Match", "\"x\", W/\"y\"")).code());
            Response other = client.get("/api/runs/" + id + "/snapshots/2/grid.png?scale=2");
            assertFalse(etag.equals(other.header("ETag")), "another epoch is another image");

            Response one = client.get("/api/runs/" + id + "/snapshots/1/filters/3.png?scale=10");
            java.awt.image.BufferedImage f = javax.imageio.ImageIO.read(one.body().byteStream());
            assertEquals(80, f.getWidth());
            Response w = client.get("/api/runs/" + id + "/snapshots/1/weights.bin");
            assertEquals(4 * (2 * 16 * 64 + 16 + 64), w.body().bytes().length);

            Response missing = client.get("/api/runs/" + id + "/snapshots/3/grid.png");
            assertEquals(404, missing.code());
            assertEquals("run '" + id + "' has no weight snapshot at epoch 3", json(missing).get("error").asText());
            assertEquals(404, client.get("/api/runs/" + id + "/snapshots/1/filters/16.png").code());
            Response badEpoch = client.get("/api/runs/" + id + "/snapshots/one/grid.png");
            assertEquals(400, badEpoch.code());
            assertTrue(json(badEpoch).get("error").asText().startsWith("epoch:"));
            assertEquals(400, client.get("/api/runs/" + id + "/snapshots/1/grid.png?scale=99").code());
        });
    }

    @Test
    void a_missing_snapshot_of_an_l_bfgs_run_is_named_by_its_iteration() {
        // each L-BFGS iteration is logged as one epoch: the run's pages say iteration, and so do the API's 404s
        String lbfgs = Fixtures.trained(log, Map.of("data", "bars", "optimizer", "lbfgs", "batchSize", "0", "epochs", "2"), 2, 16, 8, null);
        String sgd = Fixtures.trained(log, Map.of("data", "bars", "epochs", "2"), 2, 16, 8, null);
        JavalinTest.test(app(), (server, client) -> {
            for (String path : List.of("grid.png", "filters/0.png", "weights.bin", "match/" + sgd + "/1")) {
                Response r = client.get("/api/runs/" + lbfgs + "/snapshots/3/" + path);
                assertEquals(404, r.code(), path);
                assertEquals("run '" + lbfgs + "' has no weight snapshot at iteration 3", json(r).get("error").asText(), path);
            }
            Response other = client.get("/api/runs/" + sgd + "/snapshots/1/match/" + lbfgs + "/3");
            assertEquals(404, other.code());
            assertEquals("run '" + lbfgs + "' has no weight snapshot at iteration 3", json(other).get("error").asText());
            Response matchTo = client.get("/api/runs/" + sgd + "/snapshots/1/grid.png?matchTo=" + lbfgs + "&matchEpoch=3");
            assertEquals(404, matchTo.code());
            assertEquals("matchTo: run '" + lbfgs + "' has no weight snapshot at iteration 3", json(matchTo).get("error").asText());
            // the download is named by the run's word for a step too
            assertEquals("attachment; filename=\"" + lbfgs + "-iteration1-weights.bin\"",
                    client.get("/api/runs/" + lbfgs + "/snapshots/1/weights.bin").header("Content-Disposition"));
            assertEquals("attachment; filename=\"" + sgd + "-epoch1-weights.bin\"",
                    client.get("/api/runs/" + sgd + "/snapshots/1/weights.bin").header("Content-Disposition"));
        });
    }

    @Test
    void draws_each_filter_scaled_on_its_own_with_gray_for_zero() {
        float[] w1 = {0f, 1f, -1f, 0.5f, 0f, 10f, -10f, 5f};
        java.awt.image.BufferedImage img = readPng(sparselab.gallery.WeightImages.single(w1, 1, 2, 2, 1));
        assertEquals(128, img.getRGB(0, 0) & 0xff, "0 is mid-gray");
        assertEquals(255, img.getRGB(1, 0) & 0xff, "the filter's largest weight is white");
        assertEquals(0, img.getRGB(0, 1) & 0xff, "its most negative is black");
        assertEquals(img.getRGB(1, 1), readPng(sparselab.gallery.WeightImages.single(w1, 0, 2, 2, 1)).getRGB(1, 1),
                "a filter ten times larger looks the same");
    }

    private static java.awt.image.BufferedImage readPng(byte[] png) {
        try {
            return javax.imageio.ImageIO.read(new java.io.ByteArrayInputStream(png));
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    // ---- actions

    @Test
    void sets_tags_with_a_tagged_event_and_refuses_bad_tags() {
        String id = Fixtures.queued(log, Map.of("data", "bars"));
        JavalinTest.test(app(), (server, client) -> {
            Response r = post(client, "/api/runs/" + id + "/tags", "{\"tags\": [\"baseline\", \"mnist-1\", \"baseline\"]}");
            assertEquals(200, r.code());
            assertEquals("[\"baseline\",\"mnist-1\"]", json(r).get("tags").toString());
            assertEquals(List.of("baseline", "mnist-1"), log.run(id).orElseThrow().tagList());
            assertEquals("tagged", log.events(id).get(1).type());
            int before = eventCount();
            Response again = post(client, "/api/runs/" + id + "/tags", "{\"tags\": [\"baseline\", \"mnist-1\"]}");
            assertEquals(200, again.code());
            assertEquals(before, eventCount(), "the same tags again write nothing");
            // a control character is refused, not trimmed away ("a\u0000" was stored as "a"; found 2026-12-03 by a probe of the API)
            for (String ctl : List.of("a\\u0000", "a\\t", "\\u0007b")) {
                Response refused = post(client, "/api/runs/" + id + "/tags", "{\"tags\": [\"" + ctl + "\"]}");
                assertEquals(400, refused.code(), ctl);
                assertTrue(json(refused).get("error").asText().contains("is not a tag"), ctl);
            }
            assertEquals(List.of("baseline", "mnist-1"), log.run(id).orElseThrow().tagList());
            Response spaced = post(client, "/api/runs/" + id + "/tags", "{\"tags\": [\" baseline \", \"mnist-1\"]}");
            assertEquals("[\"baseline\",\"mnist-1\"]", json(spaced).get("tags").toString(), "spaces around a tag are left out");
            for (String bad : List.of("{\"tags\": \"x\"}", "{\"tags\": [\"has space\"]}", "{\"tags\": [3]}", "not json", "{}",
                    "{\"tags\": [\"a\"]} trailing", "{\"tags\": [\"a\"], \"extra\": 1}", "{\"tags\": [\"a\"], \"tags\": [\"b\"]}")) {
                Response refused = post(client, "/api/runs/" + id + "/tags", bad);
                assertEquals(400, refused.code(), bad);
                assertTrue(json(refused).get("error").asText().matches("^(tags|body|extra):.*"), bad);
            }
            // a tag that is not a JSON string is refused as such: [1] is the number 1, not a tag "1" of bad characters
            Map<String, String> kinds = Map.of("[1]", "the number 1", "[true]", "the boolean true", "[null]", "null", "[[\"a\"]]", "a list",
                    "[1e300]", "the number 1e300", "[" + "9".repeat(100) + "]", "the number " + "9".repeat(60) + "... (100 characters)");
            for (Map.Entry<String, String> k : kinds.entrySet()) {
                Response refused = post(client, "/api/runs/" + id + "/tags", "{\"tags\": [\"ok\", " + k.getKey().substring(1) + "}");
                assertEquals(400, refused.code(), k.getKey());
                assertEquals("tags: each tag is a JSON string; got " + k.getValue(), json(refused).get("error").asText(), k.getKey());
            }
            // the body's tags that are no list are refused naming the field in fields too, saying what was sent
            Map<String, String> notLists = Map.of("{\"tags\": \"x\"}", "expected a list of strings, not the string \"x\"",
                    "{\"tags\": {\"a\": 1}}", "expected a list of strings, not an object", "{\"tags\": null}", "expected a list of strings, not null",
                    "{}", "missing; send {\"tags\": [\"name\", ...]}");
            for (Map.Entry<String, String> k : notLists.entrySet()) {
                JsonNode refused = json(post(client, "/api/runs/" + id + "/tags", k.getKey()));
                assertEquals("tags: " + k.getValue(), refused.get("error").asText(), k.getKey());
                assertEquals(k.getValue(), refused.get("fields").get("tags").asText(), k.getKey());
            }
            assertEquals(before, eventCount());
            // a new tag starting with '-' is refused (since 2026-12-04); one the run had from before stays in a list
            // sent back whole, as the runs page sends it
            Response dash = post(client, "/api/runs/" + id + "/tags", "{\"tags\": [\"baseline\", \"-x\"]}");
            assertEquals(400, dash.code());
            String dashError = json(dash).get("error").asText();
            assertTrue(dashError.contains("'-x' is not a tag") && dashError.contains("not starting with -"), dashError);
            assertEquals(before, eventCount(), "refused: nothing written");
            log.append(id, new sparselab.log.RunEvent.Tagged(List.of("-old", "baseline")));
            Response kept = post(client, "/api/runs/" + id + "/tags", "{\"tags\": [\"-old\", \"baseline\", \"mnist-1\"]}");
            assertEquals(200, kept.code(), kept.body().string());
            assertEquals(List.of("-old", "baseline", "mnist-1"), log.run(id).orElseThrow().tagList());
        });
    }

    @Test
    void cancels_a_queued_run_at_once_and_asks_a_running_run_to_stop() {
        String queued = Fixtures.queued(log, Map.of("data", "bars"));
        String running = Fixtures.queued(log, Map.of("data", "bars"));
        log.append(running, new RunEvent.Started(1, "h", 1, 0, null, Map.of()));
        String finished = Fixtures.trained(log, Map.of("data", "bars", "epochs", "1"), 1, 4, 4, null);
        JavalinTest.test(app(), (server, client) -> {
            Response q = client.post("/api/runs/" + queued + "/cancel");
            assertEquals("cancelled", json(q).get("status").asText());
            assertEquals(List.of("created", "cancel_requested", "cancelled"), log.events(queued).stream().map(StoredEvent::type).toList());

            Response r = client.post("/api/runs/" + running + "/cancel");
            assertEquals("running", json(r).get("status").asText());
            assertEquals(List.of("created", "started", "cancel_requested"), log.events(running).stream().map(StoredEvent::type).toList());
            assertTrue(log.run(running).orElseThrow().cancelRequested());

            Response f = client.post("/api/runs/" + finished + "/cancel");
            assertEquals(409, f.code());
            assertTrue(json(f).get("error").asText().contains("finished"));
            assertEquals(409, client.post("/api/runs/" + finished + "/resume").code());
        });
    }

    @Test
    void queues_a_non_sparse_twin_with_beta_zero_in_the_same_group() {
        String id = Fixtures.trained(log, Map.of("data", "bars", "beta", "3", "rho", "0.1", "epochs", "1"), 1, 4, 4, null);
        JavalinTest.test(app(), (server, client) -> {
            Response r = client.post("/api/runs/" + id + "/twin");
            assertEquals(201, r.code());
            String twin = json(r).get("runId").asText();
            var row = log.run(twin).orElseThrow();
            assertEquals("queued", row.status());
            assertEquals("0", row.configMap().get("beta"));
            assertEquals("0.1", row.configMap().get("rho"));
            assertEquals("twin", row.origin());
            assertEquals(id, row.runGroup());
            // the group filed under the run's id holds the run and its twin, the run first
            JsonNode group = json(client.get("/api/groups/" + id));
            List<String> members = java.util.stream.StreamSupport.stream(group.get("runs").spliterator(), false)
                    .map(n -> n.get("run").get("runId").asText()).toList();
            assertEquals(List.of(id, twin), members, group.toString());
            // a run with beta = 0 is its own twin; a run with a twin has one: both refused, nothing queued
            int before = log.runs().size();
            Response again = client.post("/api/runs/" + id + "/twin");
            assertEquals(409, again.code());
            assertTrue(json(again).get("error").asText().contains(twin), "names the twin there is");
            assertFalse(json(client.get("/api/runs/" + id)).get("actions").toString().contains("twin"));
            Response own = client.post("/api/runs/" + twin + "/twin");
            assertEquals(409, own.code());
            assertTrue(json(own).get("error").asText().contains("beta = 0"));
            assertEquals(before, log.runs().size());
        });
    }

    // ---- launch

    @Test
    void lists_every_configuration_key_with_its_default_and_doc_and_the_presets() {
        JavalinTest.test(app(), (server, client) -> {
            JsonNode keys = json(client.get("/api/keys"));
            assertEquals(sparselab.config.ConfigKeys.all().size(), keys.size());
            assertEquals("data", keys.get(0).get("name").asText());
            assertEquals("mnist", keys.get(0).get("default").asText());
            assertFalse(keys.get(0).get("doc").asText().isBlank());
            JsonNode presets = json(client.get("/api/presets"));
            assertEquals("3", presets.get("ufldl").get("beta").asText());
            assertEquals("0", presets.get("plain").get("beta").asText());
            // the keys a preset and values make of no effect, as the run page shows them
            JsonNode lbfgs = json(client.get("/api/ignored?preset=ufldl"));
            assertTrue(lbfgs.get("learningRate").asText().contains("L-BFGS"), lbfgs.toString());
            // a preset read as a launch reads it: in any case, spaces around it trimmed
            assertEquals(lbfgs, json(client.get("/api/ignored?preset=%20UFLDL%20")));
            JsonNode adam = json(client.get("/api/ignored?preset=ufldl&optimizer=adam"));
            assertFalse(adam.has("learningRate"), adam.toString());
            assertTrue(json(client.get("/api/ignored?beta=0")).has("rho"));
            assertEquals(200, client.get("/api/ignored?preset=ufldl&hidden=many").code(), "values are the launch's to refuse");
            Response preset = client.get("/api/ignored?preset=nosuch");
            assertEquals(400, preset.code(), "an unknown preset is not taken for none");
            assertTrue(json(preset).get("fields").has("preset"));
            Response key = client.get("/api/ignored?bta=3");
            assertEquals(400, key.code(), "a misspelt key is named, not dropped");
            assertTrue(json(key).get("fields").get("bta").asText().contains("beta"));
        });
    }

    @Test
    void queues_a_valid_launch_from_a_preset_with_changes_and_wakes_the_pool() {
        JavalinTest.test(app(), (server, client) -> {
            // a preset in any case, as the command line reads it, recorded by its own name
            Response r = post(client, "/api/launch", "{\"preset\": \"UFLDL\", \"config\": {\"data\": \"bars\", \"hidden\": 16, \"epochs\": \"3\", \"limit\": 500, \"shuffle\": false, \"eps\": 0.001}}");
            assertEquals(201, r.code());
            String id = json(r).get("runId").asText();
            var row = log.run(id).orElseThrow();
            assertEquals("queued", row.status());
            assertEquals("web", row.origin());
            assertEquals("ufldl", row.preset());
            Map<String, String> c = row.configMap();
            assertEquals("3", c.get("beta"));
            assertEquals("16", c.get("hidden"));
            assertEquals("false", c.get("shuffle"));
            assertEquals("0.001", c.get("eps"));
            pool.tick();
            assertEquals(List.of(id), trainers.runIds());
            JsonNode state = json(client.get("/api/pool"));
            assertEquals(1, state.get("workers").asInt());
            assertEquals(id, state.get("active").get(0).asText(), "the pool reports the trainer it started");
        });
    }

    @Test
    void a_launch_reads_json_numbers_as_a_config_file_does_and_quotes_them_as_they_were_sent() throws Exception {
        String config = "{\"data\": \"bars\", \"hidden\": 2.0, \"epochs\": 1, \"limit\": 1e2, \"eps\": 1e-3, \"beta\": 2.5E-1}";
        Path file = dir.resolve("same.json");
        java.nio.file.Files.writeString(file, config);
        JavalinTest.test(app(), (server, client) -> {
            Response r = post(client, "/api/launch", "{\"config\": " + config + "}");
            assertEquals(201, r.code(), r.peekBody(4000).string());
            Map<String, String> c = log.run(json(r).get("runId").asText()).orElseThrow().configMap();
            assertEquals("2", c.get("hidden"), "a whole number written as a float is the integer it equals");
            assertEquals("100", c.get("limit"));
            assertEquals(sparselab.config.ConfigLoader.resolve(null, file, List.of()).toMap(), c, "the same values as the same object in --config");
            int before = eventCount();
            // a refusal quotes the number as it was sent, never Java's 100.0 or 1.0E-7, nor 1e300's 301 digits
            Map<String, String> refusals = Map.of(
                    "{\"data\": \"bars\", \"hidden\": 2.5}", "hidden: '2.5' is not an integer",
                    "{\"data\": \"bars\", \"hidden\": 1e-7}", "hidden: '1e-7' is not an integer",
                    "{\"data\": \"bars\", \"eps\": 1e300}", "eps: 1e300 is out of range (0, 1)",
                    "{\"data\": \"bars\", \"eps\": -1e-300}", "eps: -1e-300 is out of range (0, 1)",
                    // beyond a double: read as written, not as 0 or Infinity
                    "{\"data\": \"bars\", \"rho\": 1e-400}", "rho: 1e-400 is too small: it would be read as 0 (the smallest size, but 0, a number here can have is 4.9e-324)",
                    // beta 1e-400 was queued as beta 0, a run without the sparse term (found 2026-12-03 by a probe of the API)
                    "{\"data\": \"bars\", \"beta\": 1e-400}", "beta: 1e-400 is too small: it would be read as 0 (the smallest size, but 0, a number here can have is 4.9e-324)",
                    "{\"data\": \"bars\", \"hidden\": 1e400}", "hidden: 1e400 is out of range: an integer, 1 to 100,000");
            for (Map.Entry<String, String> e : refusals.entrySet()) {
                Response refused = post(client, "/api/launch", "{\"config\": " + e.getKey() + "}");
                JsonNode answer = json(refused);
                assertEquals(400, refused.code(), answer.toString());
                assertEquals(e.getValue(), answer.get("error").asText(), e.getKey());
                String field = e.getValue().substring(0, e.getValue().indexOf(':'));
                assertEquals(e.getValue().substring(field.length() + 2), answer.get("fields").get(field).asText());
                assertFalse(answer.toString().contains("0".repeat(61)), answer.toString());
            }
            assertEquals(before, eventCount(), "nothing written for the refusals");
        });
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
            "bad JSON                  | body              | {\"config\": {",
            "empty body                | body              | ''",
            "array body                | body              | [1, 2]",
            "unknown top-level field   | colour            | {\"colour\": \"red\"}",
            "unknown key               | learnignRate      | {\"config\": {\"learnignRate\": 0.1}}",
            "rho above 1               | rho               | {\"config\": {\"rho\": 2}}",
            "rho zero                  | rho               | {\"config\": {\"rho\": 0}}",
            "negative learning rate    | learningRate      | {\"config\": {\"learningRate\": -0.1}}",
            "negative beta             | beta              | {\"config\": {\"beta\": -1}}",
            "text for an integer       | hidden            | {\"config\": {\"hidden\": \"many\"}}",
            "fraction for an integer   | epochs            | {\"config\": {\"epochs\": 2.5}}",
            "list for a number         | hidden            | {\"config\": {\"hidden\": [1, 2]}}",
            "null value                | beta              | {\"config\": {\"beta\": null}}",
            "unknown preset            | preset            | {\"preset\": \"nosuch\"}",
            "preset not a string       | preset            | {\"preset\": 3}",
            "config not an object      | config            | {\"config\": \"beta=0\"}",
            "unknown estimator         | estimator         | {\"config\": {\"estimator\": \"median\"}}",
            "mean estimator with relu  | estimator         | {\"config\": {\"hiddenActivation\": \"relu\", \"estimator\": \"batch-mean\"}}",
            "dropout of 1              | dropout           | {\"config\": {\"dropout\": 1}}",
            "not a boolean             | shuffle           | {\"config\": {\"shuffle\": \"maybe\"}}",
            "zero epochs               | epochs            | {\"config\": {\"epochs\": 0}}",
            "a client file path        | data              | {\"config\": {\"data\": \"idx:/etc/passwd\"}}",
            "a file path in capitals   | data              | {\"config\": {\"data\": \"IDX:/etc/passwd\"}}",
            "a file path, mixed case   | data              | {\"config\": {\"data\": \" Idx:/etc/passwd\"}}",
            "NaN for a number          | body              | {\"config\": {\"beta\": NaN}}",
            "text after the object     | body              | {\"config\": {\"data\": \"bars\"}} trailing",
            "a second object           | body              | {\"config\": {\"data\": \"bars\"}}{\"a\": 1}",
            "a key given twice         | body              | {\"config\": {\"data\": \"bars\", \"hidden\": 4, \"hidden\": 5}}",
            "a field given twice       | body              | {\"preset\": \"plain\", \"preset\": \"original\"}",
            "a group with a slash      | group             | {\"config\": {\"data\": \"bars\"}, \"group\": \"a/b\"}",
            "a group with a newline    | group             | {\"config\": {\"data\": \"bars\"}, \"group\": \"a\\nb\"}",
    })
    void refuses_a_malformed_launch_naming_the_field_and_writes_nothing(String why, String field, String body) {
        JavalinTest.test(app(), (server, client) -> {
            int before = eventCount();
            Response r = post(client, "/api/launch", body);
            JsonNode answer = json(r);
            assertEquals(400, r.code(), why + ": " + answer);
            assertTrue(answer.get("fields").has(field), why + ": " + answer);
            assertTrue(answer.get("error").asText().contains(field), why + ": " + answer);
            assertFalse(answer.toString().contains("at sparselab."), "no stack trace");
            assertFalse(answer.toString().contains("JsonReadFeature") || answer.toString().contains("StreamReadConstraints"),
                    "no names of the JSON library's settings: " + answer);
            assertEquals(before, eventCount(), "a refused launch appends nothing");
            assertEquals(0, log.runs().size());
        });
    }

    // ---- safety

    @Test
    void refuses_requests_whose_host_is_not_allowed() {
        JavalinTest.test(app(), (server, client) -> {
            String port = ":" + server.port();
            for (String path : List.of("/api/runs", "/index.html", "/api/keys")) {
                Response r = client.get(path, b -> b.header("Host", "evil.example" + port));
                assertEquals(403, r.code(), path);
                assertTrue(r.body().string().contains("evil.example"), path);
            }
            int before = eventCount();
            Response launch = client.request("/api/launch", b -> b.header("Host", "attacker.test").post(
                    RequestBody.Companion.create("{\"config\": {\"data\": \"bars\"}}", JSON)));
            assertEquals(403, launch.code());
            assertEquals(before, eventCount());
            assertEquals(200, client.get("/api/runs", b -> b.header("Host", "127.0.0.1" + port)).code());
            assertEquals(200, client.get("/api/runs", b -> b.header("Host", "localhost" + port)).code());
        });
    }

    @Test
    void refuses_state_changing_requests_from_another_origin_and_writes_nothing() {
        String id = Fixtures.queued(log, Map.of("data", "bars"));
        JavalinTest.test(app(), (server, client) -> {
            String body = "{\"config\": {\"data\": \"bars\"}}";
            int before = eventCount();
            for (String origin : List.of("http://evil.example", "http://localhost:1", "null", "file://")) {
                Response r = client.request("/api/launch", b -> b.header("Origin", origin).post(RequestBody.Companion.create(body, JSON)));
                assertEquals(403, r.code(), origin);
                assertTrue(json(r).get("error").asText().contains("Origin"), origin);
            }
            Response cancel = client.request("/api/runs/" + id + "/cancel", b -> b.header("Origin", "http://evil.example").post(RequestBody.Companion.create("", JSON)));
            assertEquals(403, cancel.code());
            Response site = client.request("/api/launch", b -> b.header("Sec-Fetch-Site", "cross-site").post(RequestBody.Companion.create(body, JSON)));
            assertEquals(403, site.code());
            Response referer = client.request("/api/launch", b -> b.header("Referer", "http://evil.example/").post(RequestBody.Companion.create(body, JSON)));
            assertEquals(403, referer.code());
            assertTrue(json(referer).get("error").asText().contains("Referer"));
            Response refCancel = client.request("/api/runs/" + id + "/cancel", b -> b.header("Referer", "http://evil.example/").post(RequestBody.Companion.create("", JSON)));
            assertEquals(403, refCancel.code());
            assertEquals(before, eventCount());

            Response own = client.request("/api/launch", b -> b.header("Host", "localhost:" + server.port()).header("Origin", "http://localhost:" + server.port()).post(RequestBody.Companion.create(body, JSON)));
            assertEquals(201, own.code(), own.body().string());
            Response script = post(client, "/api/launch", body);
            assertEquals(201, script.code(), "a script without an Origin header may launch");
            Response ownPage = client.request("/api/launch", b -> b.header("Host", "localhost:" + server.port())
                    .header("Referer", "http://localhost:" + server.port() + "/launch.html").post(RequestBody.Companion.create(body, JSON)));
            assertEquals(201, ownPage.code(), "a Referer of its own pages is fine");
        });
    }

    @Test
    void answers_an_unexpected_error_with_a_500_and_no_stack_trace() {
        Javalin app = app();
        app.get("/api/boom", ctx -> { throw new IllegalStateException("secret internals"); });
        JavalinTest.test(app, (server, client) -> {
            Response r = client.get("/api/boom");
            assertEquals(500, r.code());
            String body = r.body().string();
            assertFalse(body.contains("secret internals"));
            assertFalse(body.contains("IllegalStateException"));
            assertEquals("internal error; see the server log", Json.MAPPER.readTree(body).get("error").asText());
        });
    }

    @Test
    void serves_the_pages_and_chart_js_from_the_classpath() {
        JavalinTest.test(app(), (server, client) -> {
            for (String page : List.of("/index.html", "/compare.html", "/run.html", "/launch.html", "/js/compare.js", "/style.css")) {
                assertEquals(200, client.get(page).code(), page);
            }
            assertTrue(client.get("/").body().string().contains("<h1>Runs</h1>"));
            Response chart = client.get("/webjars/chart.js/4.4.1/dist/chart.umd.js");
            assertEquals(200, chart.code());
            assertTrue(chart.body().string().contains("Chart"));
            assertEquals(404, client.get("/../../etc/passwd").code());
        });
    }
}
