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
import sparselab.launch.LaunchPool;
import sparselab.store.EventLog;
import sparselab.log.Json;
import sparselab.log.RunEvent;
import sparselab.runs.Groups;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Clock;
import java.util.List;
import java.util.Map;

import static sparselab.server.Fixtures.json;
import static sparselab.server.Fixtures.post;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Groups, the ladder and the filter measures through real HTTP, on a real log filled with real events. */
class GroupApiTest {

    @TempDir Path dir;
    EventLog log;

    @BeforeEach
    void open() {
        log = TestLogs.open(dir, "groups.db");
    }

    @org.junit.jupiter.api.AfterEach
    void close() {
        log.close();                        // its pool's connections: the PostgreSQL suite shares one server
    }

    private Javalin app() {
        return new App(log, Clock.systemUTC(), new LaunchPool(log, new FakeTrainers(), 1), Fixtures.directCreator(log),
                Safety.hostsFor("127.0.0.1")).build();
    }

    private int eventCount() { return Fixtures.eventCount(log); }

    @Test
    void queues_the_ladder_between_two_runs_and_shows_it_as_a_group_by_step() {
        String a = Fixtures.trained(log, Map.of("data", "bars", "beta", "0.1", "weightDecay", "0", "epochs", "2"), 2, 4, 4, null);
        String b = Fixtures.trained(log, Map.of("data", "bars", "beta", "3", "weightDecay", "0.003", "epochs", "2"), 2, 4, 4, null);
        JavalinTest.test(app(), (server, client) -> {
            Response r = post(client, "/api/ladder", "{\"a\": \"" + a + "\", \"b\": \"" + b + "\", \"order\": [\"beta\"], \"name\": \"a-to-b\"}");
            assertEquals(201, r.code());
            JsonNode res = json(r);
            assertEquals("a-to-b", res.get("group").asText());
            assertEquals(3, res.get("runIds").size());
            assertEquals("beta", res.get("steps").get(1).get("changedKeys").get(0).asText());
            assertEquals(List.of(res.get("runIds").get(0).asText(), res.get("runIds").get(1).asText(), res.get("runIds").get(2).asText()),
                    Groups.runIds(log, "a-to-b"));

            JsonNode g = json(client.get("/api/groups/a-to-b"));
            assertEquals("ladder", g.get("kind").asText());
            assertEquals(a, g.get("from").asText());
            assertEquals(b, g.get("to").asText());
            assertEquals(List.of("beta", "weightDecay"), strings(g.get("keys")));
            JsonNode rows = g.get("runs");
            assertEquals(3, rows.size());
            for (int i = 0; i < 3; i++) assertEquals(i, rows.get(i).get("step").asInt());
            assertEquals(0, rows.get(0).get("changes").size());
            JsonNode change = rows.get(1).get("changes").get(0);
            assertEquals("beta", change.get("key").asText());
            assertEquals("0.1", change.get("from").asText());
            assertEquals("3", change.get("to").asText());
            assertEquals("0", rows.get(1).get("values").get("weightDecay").asText());
            assertEquals("weightDecay", rows.get(2).get("changes").get(0).get("key").asText());
            assertEquals("queued", rows.get(2).get("run").get("status").asText());
            assertEquals(3, g.get("compare").size());

            Response again = post(client, "/api/ladder", "{\"a\": \"" + a + "\", \"b\": \"" + b + "\", \"name\": \"a-to-b\"}");
            assertEquals(400, again.code(), "a group name is not reused");
            assertTrue(json(again).get("fields").has("name"));

            // with seeds, as `ladder --seeds 3`: every step three times, with the step's seed and the next two
            Response seeded = post(client, "/api/ladder", "{\"a\": \"" + a + "\", \"b\": \"" + b + "\", \"name\": \"seeded\", \"seeds\": \"3\"}");
            assertEquals(201, seeded.code());
            JsonNode s = json(seeded);
            assertEquals(9, s.get("runIds").size());
            List<String> stepSeed = new java.util.ArrayList<>();
            s.get("steps").forEach(q -> stepSeed.add(q.get("step").asInt() + "/" + q.get("seed").asText()));
            assertEquals(List.of("0/1", "0/2", "0/3", "1/1", "1/2", "1/3", "2/1", "2/2", "2/3"), stepSeed);
            for (JsonNode q : s.get("steps")) {
                assertTrue(q.get("seed").isTextual(), q.toString());
                assertEquals(q.get("seed").asText(), log.run(q.get("runId").asText()).orElseThrow().configMap().get("seed"));
            }
            JsonNode sg = json(client.get("/api/groups/seeded"));
            assertEquals(3, sg.get("points").size(), "one point per step, of three seeds each");
            assertEquals(2, sg.get("effects").size());
        });
    }

    @Test
    void shows_a_sweep_with_its_swept_keys_final_figures_last_snapshot_and_latest_measures() {
        String r1 = Fixtures.trained(log, Map.of("data", "bars", "beta", "0", "rho", "0.05", "epochs", "4"), 4, 4, 4, null, "sweep", "grid");
        String r2 = Fixtures.trained(log, Map.of("data", "bars", "beta", "3", "rho", "0.05", "epochs", "4"), 4, 4, 4, null, "sweep", "grid");
        String r3 = Fixtures.queued(log, Map.of("data", "bars", "beta", "3", "rho", "0.1", "epochs", "4"), "sweep", "grid");
        Fixtures.trained(log, Map.of("data", "bars"), 1, 4, 4, null, "cli", "other");
        JavalinTest.test(app(), (server, client) -> {
            Response r = client.get("/api/groups/grid");
            assertEquals(200, r.code());
            JsonNode g = json(r);
            assertEquals("sweep", g.get("kind").asText());
            assertEquals(List.of("beta", "rho"), strings(g.get("keys")));
            JsonNode rows = g.get("runs");
            assertEquals(List.of(r1, r2, r3), List.of(rows.get(0).get("run").get("runId").asText(), rows.get(1).get("run").get("runId").asText(),
                    rows.get(2).get("run").get("runId").asText()));
            assertTrue(rows.get(0).get("step").isNull());
            assertEquals("3", rows.get(1).get("values").get("beta").asText());
            assertEquals(4, rows.get(1).get("lastSnapshot").asInt());
            assertEquals(2.25, rows.get(1).get("run").get("heldout").asDouble(), 1e-9);
            JsonNode m = rows.get(1).get("measures");
            assertEquals(4, m.get("epoch").asInt());
            assertEquals(Fixtures.measures(4).locality(), m.get("locality").asDouble(), 1e-12);
            assertEquals(Fixtures.measures(4).digitLikeness(), m.get("digitLikeness").asDouble(), 1e-12);
            assertTrue(rows.get(2).get("measures").isNull());
            assertTrue(rows.get(2).get("lastSnapshot").isNull());
            assertEquals(0, g.get("points").size(), "no replicates, no points");
            assertEquals(0, g.get("effects").size());

            Response missing = client.get("/api/groups/nope");
            assertEquals(404, missing.code());
            assertTrue(json(missing).get("error").asText().contains("nope"));
        });
    }

    /** A finished run of one epoch with this final loss (held-out: half of it) and stroke share. */
    private void finished(String id, double loss, double strokeShare) {
        finished(id, loss, strokeShare, 0.0);
    }

    /** The same, with this fraction of dead units. */
    private void finished(String id, double loss, double strokeShare, double deadFraction) {
        log.append(id, new RunEvent.Started(1, "h", 1, 0, "f00d", Map.of()));
        log.append(id, new RunEvent.EpochCompleted(1, loss, loss, 0, 0, 0.1, new double[] {0.1}, 0, 0, 0, 0, false, loss / 2, 1, 1));
        log.append(id, new RunEvent.FilterMeasures(1, 0.3, deadFraction, 0.0, 0.5, 0.6, strokeShare));
        log.append(id, new RunEvent.Finished(1, loss, loss / 2));
    }

    @Test
    void a_point_s_mean_stroke_share_leaves_out_a_run_whose_units_are_all_dead() {
        for (int s = 0; s < 3; s++) {
            String id = Fixtures.queued(log, Map.of("data", "bars", "beta", "3", "seed", Integer.toString(1 + s)), "sweep", "dead");
            finished(id, 1 + s, new double[] {0.375, 0.5, 0.7}[s], s == 0 ? 1.0 : 0.0);
        }
        JavalinTest.test(app(), (server, client) -> {
            JsonNode figures = json(client.get("/api/groups/dead")).get("points").get(0).get("figures");
            JsonNode stroke = figures.get("strokeShare");
            assertEquals(2, stroke.get("n").asInt(), "the all-dead run's share of filters no unit uses is not counted");
            assertEquals(0.6, stroke.get("mean").asDouble(), 1e-12);
            JsonNode dead = figures.get("deadFraction");
            assertEquals(3, dead.get("n").asInt(), "its dead fraction is");
            assertEquals(1.0 / 3, dead.get("mean").asDouble(), 1e-12);
            assertEquals(3, figures.get("loss").get("n").asInt());
        });
    }

    @Test
    void a_sweep_with_seeds_has_points_with_mean_sd_and_t_interval_over_its_finished_runs() {
        double[][] losses = {{1, 3}, {10, 12}};
        double[][] strokes = {{0.1, 0.3}, {0.5, 0.5}};
        String[] betas = {"0", "3"};
        for (int p = 0; p < 2; p++) {
            for (int s = 0; s < 2; s++) {
                String id = Fixtures.queued(log, Map.of("data", "bars", "beta", betas[p], "seed", Integer.toString(1 + s)), "sweep", "reps");
                finished(id, losses[p][s], strokes[p][s]);
            }
        }
        String queued = Fixtures.queued(log, Map.of("data", "bars", "beta", "3", "seed", "3"), "sweep", "reps");
        JavalinTest.test(app(), (server, client) -> {
            JsonNode g = json(client.get("/api/groups/reps"));
            assertEquals(java.util.Set.of("beta", "seed"), java.util.Set.copyOf(strings(g.get("keys"))));
            JsonNode points = g.get("points");
            assertEquals(2, points.size());
            JsonNode p0 = points.get(0);
            assertEquals("beta=0", p0.get("label").asText());
            assertEquals("0", p0.get("values").get("beta").asText());
            assertTrue(!p0.get("values").has("seed"), "a point is the swept values without the seed");
            assertEquals(2, p0.get("n").asInt());
            JsonNode loss = p0.get("figures").get("loss");
            assertEquals(2.0, loss.get("mean").asDouble(), 1e-12);
            assertEquals(Math.sqrt(2), loss.get("sd").asDouble(), 1e-12);
            assertEquals(12.706205, loss.get("half").asDouble(), 1e-6, "t(1) sd / sqrt 2");
            assertEquals(1.0, p0.get("figures").get("heldout").get("mean").asDouble(), 1e-12);
            JsonNode stroke = p0.get("figures").get("strokeShare");
            assertEquals(0.2, stroke.get("mean").asDouble(), 1e-12);
            assertEquals(Math.sqrt(0.02), stroke.get("sd").asDouble(), 1e-12);
            JsonNode p1 = points.get(1);
            assertEquals(3, p1.get("runIds").size(), "the queued replicate belongs to the point");
            assertTrue(strings(p1.get("runIds")).contains(queued));
            assertEquals(2, p1.get("n").asInt(), "but only finished runs are counted");
            assertEquals(11.0, p1.get("figures").get("loss").get("mean").asDouble(), 1e-12);
            assertEquals(0.0, p1.get("figures").get("strokeShare").get("sd").asDouble(), 1e-12);
            assertEquals(0, g.get("effects").size(), "effects are a ladder's");
        });
    }

    @Test
    void a_ladder_with_seeds_has_per_step_effects_with_welch_intervals() {
        double[][] losses = {{2, 4}, {7, 9}, {8, 8}};
        List<List<String>> changed = List.of(List.of(), List.of("beta"), List.of("weightDecay"));
        List<Map<String, String>> configs = List.of(Map.of("beta", "0.1", "weightDecay", "0"), Map.of("beta", "3", "weightDecay", "0"),
                Map.of("beta", "3", "weightDecay", "0.003"));
        for (int i = 0; i < 3; i++) {
            for (int s = 0; s < 2; s++) {
                Map<String, String> c = new java.util.HashMap<>(configs.get(i));
                c.put("data", "bars");
                c.put("seed", Integer.toString(1 + s));
                var step = new RunEvent.LadderStep("rAAAAAAAAAA", "rBBBBBBBBBB", i, 3, changed.get(i), null);
                String id = log.create(new RunEvent.Created(sparselab.config.ConfigKeys.build(c).toMap(), null, "f00d", Map.of(), "ladder", "lad", step));
                finished(id, losses[i][s], 0.5);
            }
        }
        JavalinTest.test(app(), (server, client) -> {
            JsonNode g = json(client.get("/api/groups/lad"));
            assertEquals("ladder", g.get("kind").asText());
            JsonNode points = g.get("points");
            assertEquals(3, points.size());
            for (int i = 0; i < 3; i++) {
                assertEquals(i, points.get(i).get("step").asInt());
                assertEquals("step " + i, points.get(i).get("label").asText());
                assertEquals(2, points.get(i).get("n").asInt());
            }
            JsonNode effects = g.get("effects");
            assertEquals(2, effects.size());
            JsonNode e1 = effects.get(0);
            assertEquals(1, e1.get("step").asInt());
            assertEquals(0, e1.get("fromStep").asInt());
            JsonNode d1 = e1.get("figures").get("loss");
            assertEquals(5.0, d1.get("diff").asDouble(), 1e-12, "mean 8 after mean 3");
            assertEquals(2.0, d1.get("df").asDouble(), 1e-12, "Welch: se^2 = 1 + 1, df = 4 / (1 + 1)");
            assertEquals(4.302653 * Math.sqrt(2), d1.get("half").asDouble(), 1e-6);
            JsonNode d2 = effects.get(1).get("figures").get("loss");
            assertEquals(0.0, d2.get("diff").asDouble(), 1e-12);
            assertEquals(1.0, d2.get("df").asDouble(), 1e-12, "one side without spread: df = n - 1 of the other");
            assertEquals(12.706205, d2.get("half").asDouble(), 1e-6);
            JsonNode s2 = effects.get(1).get("figures").get("strokeShare");
            assertEquals(0.0, s2.get("diff").asDouble(), 1e-12);
            assertEquals(0.0, s2.get("half").asDouble(), 0.0, "no spread anywhere: a zero-width interval");
        });
    }

    @Test
    void refuses_a_ladder_of_an_unknown_run_or_a_malformed_request_and_writes_nothing() {
        String a = Fixtures.queued(log, Map.of("data", "bars", "beta", "0.1"));
        String b = Fixtures.queued(log, Map.of("data", "bars", "beta", "3"));
        String same = Fixtures.queued(log, Map.of("data", "bars", "beta", "0.1"));
        int before = eventCount();
        JavalinTest.test(app(), (server, client) -> {
            Response unknown = post(client, "/api/ladder", "{\"a\": \"" + a + "\", \"b\": \"rNope\"}");
            assertEquals(404, unknown.code());
            assertTrue(json(unknown).get("error").asText().contains("rNope"));
            Map<String, String> bad = Map.of(
                    "not json", "body",
                    "[1, 2]", "body",
                    "{\"a\": \"" + a + "\"}", "b",
                    "{\"a\": 5, \"b\": \"" + b + "\"}", "a",
                    "{\"a\": \"" + a + "\", \"b\": \"" + a + "\"}", "b",
                    "{\"a\": \"" + a + "\", \"b\": \"" + b + "\", \"order\": [\"betta\"]}", "order",
                    "{\"a\": \"" + a + "\", \"b\": \"" + b + "\", \"order\": 7}", "order",
                    "{\"a\": \"" + a + "\", \"b\": \"" + b + "\", \"steps\": 2}", "steps",
                    "{\"a\": \"" + a + "\", \"b\": \"" + same + "\"}", "runs",
                    "{\"a\": \"" + a + "\", \"b\": \"" + b + "\", \"name\": \"no spaces\"}", "name");
            for (var e : bad.entrySet()) {
                Response r = post(client, "/api/ladder", e.getKey());
                assertEquals(400, r.code(), e.getKey());
                assertTrue(json(r).get("fields").has(e.getValue()), e.getKey() + " names " + e.getValue());
            }
            // seeds that are no whole number from 1 to 100, each quoted (1e999999999 not written out in its billion digits)
            for (String[] seeds : new String[][] {{"0", "0 is out of range: 1 to 100"}, {"101", "101 is out of range: 1 to 100"},
                    {"1e999999999", "1E+999999999 is out of range: 1 to 100"}, {"2.5", "expected a whole number of replicates, 1 to 100, not 2.5"},
                    {"\"two\"", "expected a whole number of replicates, 1 to 100, not \"two\""}, {"[2]", "not [2]"},
                    {"\"1234567890\"", "1234567890 is out of range: 1 to 100"}, {"\"2.5\"", "not \"2.5\""}}) {
                Response r = post(client, "/api/ladder", "{\"a\": \"" + a + "\", \"b\": \"" + b + "\", \"seeds\": " + seeds[0] + "}");
                assertEquals(400, r.code(), seeds[0]);
                String said = json(r).get("fields").get("seeds").asText();
                assertTrue(said.endsWith(seeds[1]), seeds[0] + ": " + said);
            }
            // a run id that is no string is refused saying what was sent, as a launch's fields are
            Response number = post(client, "/api/ladder", "{\"a\": 5, \"b\": [\"" + b + "\"]}");
            assertEquals("a: expected a run id as a string, not the number 5; b: expected a run id as a string, not a list",
                    json(number).get("error").asText());
            // what was sent is quoted clipped, whatever its size: an object in the order, a key as long as a book
            String huge = "x".repeat(100_000);
            for (String body : List.of("{\"a\": \"" + a + "\", \"b\": \"" + b + "\", \"order\": [{\"k\": \"" + huge + "\"}]}",
                    "{\"a\": \"" + a + "\", \"b\": \"" + b + "\", \"order\": [\"" + huge + "\"]}")) {
                Response r = post(client, "/api/ladder", body);
                assertEquals(400, r.code());
                String answer = r.body().string();
                assertTrue(answer.length() < 1000, () -> answer.length() + " characters: " + answer.substring(0, 300));
            }
            Response launch = post(client, "/api/launch", "{\"config\": {\"" + huge + "\": []}}");
            assertEquals(400, launch.code());
            String answer = launch.body().string();
            assertTrue(answer.length() < 1000, () -> answer.length() + " characters: " + answer.substring(0, 300));
        });
        assertEquals(before, eventCount(), "nothing appended");
    }

    @Test
    void serves_a_runs_filter_measures_oldest_first_with_non_finite_values_as_null() {
        String id = Fixtures.queued(log, Map.of("data", "bars"));
        log.append(id, new RunEvent.Started(1, "h", 1, 0, null, Map.of()));
        log.append(id, new RunEvent.FilterMeasures(2, 0.5, 0.1, 0.0, Double.NaN, null));
        log.append(id, new RunEvent.FilterMeasures(0, 0.1, 0.0, 0.0, 0.2, 0.05));
        JavalinTest.test(app(), (server, client) -> {
            JsonNode m = json(client.get("/api/runs/" + id + "/measures"));
            assertEquals(2, m.size());
            assertEquals(0, m.get(0).get("epoch").asInt());
            assertEquals(0.1, m.get(0).get("locality").asDouble(), 1e-12);
            assertEquals(2, m.get(1).get("epoch").asInt());
            assertEquals(0.5, m.get(1).get("locality").asDouble(), 1e-12);
            assertTrue(m.get(1).get("lifetimeSparsity").isNull());
            assertTrue(m.get(1).get("digitLikeness").isNull());
            assertEquals(404, client.get("/api/runs/rNope/measures").code());
        });
    }

    private static List<String> strings(JsonNode array) {
        return java.util.stream.StreamSupport.stream(array.spliterator(), false).map(JsonNode::asText).toList();
    }
}
