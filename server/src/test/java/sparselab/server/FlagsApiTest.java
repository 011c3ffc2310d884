package sparselab.server;

import com.fasterxml.jackson.databind.JsonNode;
import io.javalin.testtools.JavalinTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import sparselab.store.EventLog;
import sparselab.log.RunEvent;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** {@code GET /api/runs/{id}/flags}: the divergence flags the compare page marks on its curves. */
class FlagsApiTest {
    @TempDir Path dir;

    @Test
    void lists_a_runs_divergence_flags_oldest_first_and_404s_an_unknown_run() {
        try (EventLog log = EventLog.open(dir.resolve("flags.db"))) {
            String run = Fixtures.trained(log, Map.of("data", "bars", "epochs", "3"), 3, 4, 8, null);
            String quiet = Fixtures.trained(log, Map.of("data", "bars", "epochs", "2"), 2, 4, 8, null);
            log.append(run, new RunEvent.DivergenceFlag(2, "rho_hat_outside", "rho_hat of 3 unit(s) left (0, 1)", 3));
            log.append(run, new RunEvent.DivergenceFlag(3, "loss_rising", "loss rose 3 epochs in a row", null));
            var app = Fixtures.app(log);
            JavalinTest.test(app, (server, client) -> {
                JsonNode flags = Fixtures.json(client.get("/api/runs/" + run + "/flags"));
                assertEquals(2, flags.size());
                assertEquals("rho_hat_outside", flags.get(0).get("cause").asText());
                assertEquals(2, flags.get(0).get("epoch").asInt());
                assertEquals(3, flags.get(0).get("units").asInt());
                assertTrue(flags.get(1).get("units").isNull());
                assertEquals(0, Fixtures.json(client.get("/api/runs/" + quiet + "/flags")).size());
                assertEquals(404, client.get("/api/runs/rnope/flags").code());
                // the runs list and a run's summary count them, so a list can mark a run that went wrong though it finished
                JsonNode listed = Fixtures.json(client.get("/api/runs"));            // a page: an array of summaries
                for (JsonNode r : listed) assertEquals(r.get("runId").asText().equals(run) ? 2 : 0, r.get("flags").asInt(), r.toString());
                assertEquals(2, Fixtures.json(client.get("/api/runs/" + run)).get("summary").get("flags").asInt());
            });
        }
    }

    /**
     * A condition that comes and goes raises a flag each time it starts: a long run may have hundreds of thousands, so
     * an answer holds at most {@link sparselab.runs.FlagRoutes#MAX}, and {@code limit} and {@code offset} page them,
     * with the run's total and the next page's offset in headers.
     */
    @Test
    void flags_come_a_bounded_page_at_a_time_with_the_total_and_the_next_offset_in_headers() {
        try (EventLog log = EventLog.open(dir.resolve("many.db"))) {
            String run = Fixtures.trained(log, Map.of("data", "bars", "epochs", "3"), 3, 4, 8, null);
            int n = sparselab.runs.FlagRoutes.MAX + 3;
            java.util.List<sparselab.log.RunEvent> many = new java.util.ArrayList<>();
            for (int i = 0; i < n; i++) many.add(new RunEvent.DivergenceFlag(1 + i % 3, "flap" + i, "on again", null));
            log.appendAll(run, many, List.of());
            var app = Fixtures.app(log);
            JavalinTest.test(app, (server, client) -> {
                try (var all = client.get("/api/runs/" + run + "/flags")) {
                    assertEquals(200, all.code());
                    assertEquals(Integer.toString(n), all.header("X-Total-Flags"));
                    assertEquals(Integer.toString(sparselab.runs.FlagRoutes.MAX), all.header("X-Next-Offset"));
                    JsonNode page = sparselab.log.Json.MAPPER.readTree(all.body().string());
                    assertEquals(sparselab.runs.FlagRoutes.MAX, page.size(), "at most MAX an answer");
                    assertEquals("flap0", page.get(0).get("cause").asText());
                }
                try (var rest = client.get("/api/runs/" + run + "/flags?offset=" + sparselab.runs.FlagRoutes.MAX)) {
                    JsonNode page = sparselab.log.Json.MAPPER.readTree(rest.body().string());
                    assertEquals(3, page.size());
                    assertEquals("flap" + sparselab.runs.FlagRoutes.MAX, page.get(0).get("cause").asText());
                    assertNull(rest.header("X-Next-Offset"), "the last page");
                }
                try (var two = client.get("/api/runs/" + run + "/flags?limit=2&offset=5")) {
                    JsonNode page = sparselab.log.Json.MAPPER.readTree(two.body().string());
                    assertEquals(List.of("flap5", "flap6"), List.of(page.get(0).get("cause").asText(), page.get(1).get("cause").asText()));
                    assertEquals("7", two.header("X-Next-Offset"));
                }
                for (String bad : List.of("limit=0", "limit=" + (sparselab.runs.FlagRoutes.MAX + 1), "offset=-1", "offset=x", "after=3")) {
                    try (var r = client.get("/api/runs/" + run + "/flags?" + bad)) {
                        assertEquals(400, r.code(), bad);
                        String body = r.body().string();
                        assertTrue(body.contains(bad.substring(0, bad.indexOf('='))), bad + ": " + body);
                    }
                }
            });
        }
    }
}
