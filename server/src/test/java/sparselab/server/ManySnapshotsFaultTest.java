package sparselab.server;

import com.fasterxml.jackson.databind.JsonNode;
import io.javalin.testtools.JavalinTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import sparselab.log.Blob;
import sparselab.log.Json;
import sparselab.log.RunEvent;
import sparselab.runs.Curves;
import sparselab.store.EventLog;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.*;

/**
 * A run with far more weight snapshots than a page can list ({@code snapshotEvery=1} on a long run: the default
 * limits let a small model write hundreds of thousands). Before: {@code /snapshots} and {@code /measures} answered
 * every one (14 and 18 MB for 100,000), the run's detail and the compare answer listed every epoch, and each weight
 * image read every snapshot row of the run to find its own (230 ms a tile). Now the lists hold at most
 * {@link Curves#POINTS}, evenly spaced with the first and the newest, the total in a header, and an image reads its own
 * row. On SQLite and PostgreSQL.
 */
class ManySnapshotsFaultTest {
    @TempDir Path dir;

    @Test
    void a_run_with_thousands_of_snapshots_lists_an_even_spread_of_them_with_the_total_and_draws_any_one() {
        try (EventLog log = TestLogs.open(dir, "many-snapshots.db")) {
            String run = Fixtures.trained(log, Map.of("data", "bars", "epochs", "3"), 3, 4, 8, null, "cli", "many");
            String other = Fixtures.trained(log, Map.of("data", "bars", "epochs", "3", "seed", "5"), 3, 4, 8, null, "cli", "many");
            int d = 64, h = 4, n = 2 * Curves.POINTS + 500;
            Blob blob = Fixtures.weights(h, d);
            List<RunEvent> events = new ArrayList<>();
            for (int e = 10; e < 10 + n; e++) {
                events.add(new RunEvent.WeightSnapshot(e, blob.hash(), d, h, 8, 8));
                events.add(Fixtures.measures(e));
            }
            log.appendAll(run, events, List.of(blob));
            List<Integer> all = log.snapshots(run).stream().map(s -> s.epoch()).toList();
            int newest = all.get(all.size() - 1);
            var app = Fixtures.app(log);
            JavalinTest.test(app, (server, client) -> {
                List<Integer> listed;
                try (var r = client.get("/api/runs/" + run + "/snapshots")) {
                    assertEquals(200, r.code());
                    assertEquals(Integer.toString(all.size()), r.header("X-Total-Snapshots"));
                    JsonNode page = Json.MAPPER.readTree(r.body().string());
                    listed = new ArrayList<>();
                    page.forEach(s -> listed.add(s.get("epoch").asInt()));
                }
                assertEquals(Curves.POINTS, listed.size(), "at most POINTS listed");
                assertEquals(all.get(0), listed.get(0), "the first");
                assertEquals(newest, listed.get(listed.size() - 1), "the newest");
                assertTrue(all.containsAll(listed));
                for (int i = 1; i < listed.size(); i++) {
                    int gap = all.indexOf(listed.get(i)) - all.indexOf(listed.get(i - 1));
                    assertTrue(gap >= 1 && gap <= 3, "evenly spaced: " + gap + " snapshots apart at " + listed.get(i));
                }
                try (var r = client.get("/api/runs/" + run + "/measures")) {
                    JsonNode page = Json.MAPPER.readTree(r.body().string());
                    assertEquals(Integer.toString(log.measures(run).size()), r.header("X-Total-Measures"));
                    List<Integer> measured = new ArrayList<>();
                    page.forEach(m -> measured.add(m.get("epoch").asInt()));
                    assertEquals(listed, measured, "the measures of the snapshots listed, each one's own");
                }
                // the run's detail and the compare answer list the same snapshots
                JsonNode detail = Fixtures.json(client.get("/api/runs/" + run));
                List<Integer> inDetail = new ArrayList<>();
                detail.get("snapshotEpochs").forEach(e -> inDetail.add(e.asInt()));
                assertEquals(listed, inDetail);
                JsonNode compare = Fixtures.json(client.get("/api/compare?runs=" + run + "," + other));
                List<Integer> inCompare = new ArrayList<>();
                compare.get("runs").get(0).get("snapshotEpochs").forEach(e -> inCompare.add(e.asInt()));
                assertEquals(listed, inCompare);
                assertEquals(all.size(), compare.get("runs").get(0).get("run").get("snapshots").asInt(), "the summary counts them all");
                // a snapshot the lists leave out is still drawn
                int left = all.stream().filter(e -> !listed.contains(e)).findFirst().orElseThrow();
                try (var png = client.get("/api/runs/" + run + "/snapshots/" + left + "/grid.png")) {
                    assertEquals(200, png.code());
                    assertEquals("image/png", png.header("Content-Type"));
                }
                // the group's table: each run's newest snapshot and its measures
                JsonNode group = Fixtures.json(client.get("/api/groups/many"));
                JsonNode row = null;
                for (JsonNode r : group.get("runs")) if (r.get("run").get("runId").asText().equals(run)) row = r;
                assertNotNull(row);
                assertEquals(newest, row.get("lastSnapshot").asInt());
                assertEquals(newest, row.get("measures").get("epoch").asInt());
            });
        }
    }
}
