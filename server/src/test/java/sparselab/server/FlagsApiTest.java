package sparselab.server;

import com.fasterxml.jackson.databind.JsonNode;
import io.javalin.testtools.JavalinTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import sparselab.store.EventLog;
import sparselab.log.RunEvent;

import java.nio.file.Path;
import java.time.Clock;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
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
            var pool = new sparselab.launch.LaunchPool(log, new FakeTrainers(), 1);
            var app = new App(log, Clock.systemUTC(), pool, Fixtures.directCreator(log), Safety.hostsFor("127.0.0.1")).build();
            JavalinTest.test(app, (server, client) -> {
                JsonNode flags = Fixtures.json(client.get("/api/runs/" + run + "/flags"));
                assertEquals(2, flags.size());
                assertEquals("rho_hat_outside", flags.get(0).get("cause").asText());
                assertEquals(2, flags.get(0).get("epoch").asInt());
                assertEquals(3, flags.get(0).get("units").asInt());
                assertTrue(flags.get(1).get("units").isNull());
                assertEquals(0, Fixtures.json(client.get("/api/runs/" + quiet + "/flags")).size());
                assertEquals(404, client.get("/api/runs/rnope/flags").code());
            });
        }
    }
}
