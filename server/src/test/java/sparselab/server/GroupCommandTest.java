package sparselab.server;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;
import sparselab.cli.ExitCodes;
import sparselab.groups.GroupCommand;
import sparselab.store.EventLog;
import sparselab.log.RunEvent;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** {@code sparselab group}: replicates of a point (--seeds) are summarised as mean +- sd. */
class GroupCommandTest {
    @TempDir Path dir;

    private static void finished(EventLog log, String id, double loss) {
        log.append(id, new RunEvent.Started(1, "h", 1, 0, "f00d", Map.of()));
        log.append(id, new RunEvent.EpochCompleted(1, loss, loss, 0, 0, 0.1, new double[] {0.1}, 0, 0, 0, 0, false, loss / 2, 1, 1));
        log.append(id, new RunEvent.Finished(1, loss, loss / 2));
    }

    @Test
    void replicates_of_a_point_are_summarised_as_mean_and_sample_sd() {
        Path db = dir.resolve("g.db");
        try (EventLog log = EventLog.open(db)) {
            double[][] losses = {{1, 3}, {10, 10}, {0.0137, 0.01379}};
            String[] betas = {"0", "3", "1"};
            for (int p = 0; p < 3; p++) {
                for (int s = 0; s < 2; s++) {
                    String id = Fixtures.queued(log, Map.of("beta", betas[p], "seed", Integer.toString(1 + s)), "sweep", "reps");
                    finished(log, id, losses[p][s]);
                }
            }
            Fixtures.queued(log, Map.of("beta", "3", "seed", "3"), "sweep", "reps");   // still queued: not counted
        }
        StringWriter out = new StringWriter();
        CommandLine cl = ExitCodes.install(new CommandLine(new GroupCommand()));
        cl.setOut(new PrintWriter(out, true));
        assertEquals(0, cl.execute("--db", db.toString(), "reps"));
        String text = out.toString();
        String beta0 = text.lines().filter(l -> l.startsWith("beta=0 ")).findFirst().orElseThrow(() -> new AssertionError(text));
        assertTrue(beta0.matches("beta=0\\s+2\\s+2\\.000 \\+- 1\\.414\\s+1\\.000 \\+- 0\\.7071.*"), beta0);
        String beta3 = text.lines().filter(l -> l.startsWith("beta=3 ")).findFirst().orElseThrow(() -> new AssertionError(text));
        assertTrue(beta3.matches("beta=3\\s+2\\s+10\\.00 \\+- 0\\.000\\s+5\\.000 \\+- 0\\.000.*"), beta3);
        // the columns line up, also with figures as long as %.4g makes them ("0.01375 +- 6.364e-05")
        String header = text.lines().filter(l -> l.startsWith("point ")).findFirst().orElseThrow();
        String beta1 = text.lines().filter(l -> l.startsWith("beta=1 ")).findFirst().orElseThrow();
        assertTrue(beta1.contains("e-05"), beta1);
        for (String line : List.of(beta0, beta3, beta1)) assertEquals(header.length(), line.length(), header + "\n" + line);
    }
}
