package sparselab.runs;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import sparselab.config.ConfigLoader;
import sparselab.config.RunConfig;
import sparselab.log.EpochMetrics;
import sparselab.store.EventLog;
import sparselab.log.RunEvent;
import sparselab.log.RunRow;
import sparselab.log.StoredEvent;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;

import static org.junit.jupiter.api.Assertions.*;

/** Real trainer processes on a real SQLite file: kill -9 and resume, and four trainers appending at once. */
class TrainerProcessTest {
    @TempDir Path dir;

    private static RunConfig barsConfig(int epochs, int batch) {
        return ConfigLoader.resolve(null, null, List.of("data=bars", "limit=4000", "hidden=16", "epochs=" + epochs,
                "batchSize=" + batch, "optimizer=adam", "learningRate=0.01", "beta=1", "rho=0.1", "dropout=0.1",
                "weightDecay=0.0001", "snapshotEvery=2"));
    }

    private static void await(Process p, int seconds) throws InterruptedException {
        assertTrue(p.waitFor(seconds, TimeUnit.SECONDS), "trainer process did not end in " + seconds + " s");
    }

    private static List<Double> losses(EventLog log, String run) {
        return log.metrics(run).stream().map(EpochMetrics::loss).toList();
    }

    @Test
    void a_trainer_killed_mid_epoch_and_resumed_from_its_checkpoint_ends_with_the_numbers_of_an_uninterrupted_run() throws Exception {
        System.setProperty(RunExecutor.CHECKPOINT_PROPERTY, "0");      // the trainers checkpoint after every epoch
        try {
            EventLog log = EventLog.open(dir.resolve("kill.db"));
            RunConfig cfg = barsConfig(8, 1);
            String whole = Runs.create(log, cfg, null, "test", null);
            Process a = BackgroundTrainer.spawn(log.describe(), whole);
            await(a, 300);
            assertEquals(0, a.exitValue(), () -> read(dir.resolve("logs").resolve(whole + ".log")));
            assertEquals("finished", log.run(whole).orElseThrow().status());
            String out = read(dir.resolve("logs").resolve(whole + ".log"));   // the run's log file tells its progress
            assertTrue(out.contains("run " + whole + ": epoch 1/8 loss ") && out.contains("run " + whole + ": epoch 8/8 loss ")
                    && out.contains("run " + whole + " finished"), out);

            String killed = Runs.create(log, cfg, null, "test", null);   // the same configuration: its checkpoints share bytes with the first run's
            Process b = BackgroundTrainer.spawn(log.describe(), killed);
            long deadline = System.currentTimeMillis() + 300_000;
            while (log.run(killed).orElseThrow().epochsDone() < 3) {
                assertTrue(b.isAlive() && System.currentTimeMillis() < deadline, "trainer ended before it could be killed");
                Thread.sleep(20);
            }
            b.destroyForcibly();               // SIGKILL, somewhere inside epoch 4 or later
            await(b, 30);
            RunRow dead = log.run(killed).orElseThrow();
            assertEquals("running", dead.status());
            assertTrue(dead.epochsDone() < 8, "the run finished before the kill");
            assertNotNull(dead.lastCheckpointEpoch(), "a checkpoint was written before the kill");
            assertTrue(dead.lastCheckpointEpoch() >= 2, "checkpoint at epoch " + dead.lastCheckpointEpoch());
            List<StoredEvent> events = log.events(killed);
            assertEquals(dead.epochsDone(), events.stream().filter(e -> e.event() instanceof RunEvent.EpochCompleted).count());

            Process resumed = BackgroundTrainer.spawn(log.describe(), killed, true);
            await(resumed, 300);
            assertEquals(0, resumed.exitValue(), () -> read(dir.resolve("logs").resolve(killed + ".log")));
            assertEquals("finished", log.run(killed).orElseThrow().status());
            RunEvent.Started restart = log.events(killed).stream().map(StoredEvent::event)
                    .filter(e -> e instanceof RunEvent.Started).map(e -> (RunEvent.Started) e).reduce((x, y) -> y).orElseThrow();
            assertEquals(dead.lastCheckpointEpoch(), restart.fromEpoch(), "resumed from the checkpoint, not from scratch");

            List<Double> expected = losses(log, whole);
            List<Double> actual = losses(log, killed);
            assertEquals(8, actual.size());
            double last = expected.get(7);
            assertEquals(last, actual.get(7), Math.abs(last) * 1e-6, "final loss after kill and resume");
            assertEquals(expected, actual, "every epoch's loss is the uninterrupted run's");
            long epochsLogged = log.events(killed).stream().filter(e -> e.event() instanceof RunEvent.EpochCompleted).count();
            assertEquals(8, epochsLogged, "each epoch logged once, whole");
        } finally {
            System.clearProperty(RunExecutor.CHECKPOINT_PROPERTY);
        }
    }

    @Test
    void four_trainers_append_to_one_log_while_another_process_reads_it() throws Exception {
        EventLog log = EventLog.open(dir.resolve("shared.db"));
        int epochs = 12;
        List<String> runs = new ArrayList<>();
        for (int i = 0; i < 4; i++) runs.add(Runs.create(log, barsConfig(epochs, 50).with("seed", Integer.toString(i + 1)), null, "test", null));

        // the reader is another process, as the dashboard is: it reads the runs, their metrics and events in a loop
        Path stopFile = dir.resolve("stop-reading");
        Path readerOut = dir.resolve("reader.log");
        Process reader = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp", System.getProperty("java.class.path"), LogReaderMain.class.getName(), log.describe(), stopFile.toString())
                .redirectErrorStream(true).redirectOutput(readerOut.toFile()).start();
        // the trainers start once the reader reads (a JVM starting on a loaded machine can take longer than the training)
        long deadline = System.nanoTime() + 120_000_000_000L;
        while (!(Files.exists(readerOut) && read(readerOut).contains("ready"))) {
            assertTrue(reader.isAlive(), () -> "the reader ended early: " + read(readerOut));
            assertTrue(System.nanoTime() < deadline, "the reader did not start reading within 120 s");
            Thread.sleep(50);
        }
        List<Process> procs = new ArrayList<>();
        for (String r : runs) procs.add(BackgroundTrainer.spawn(log.describe(), r));
        for (Process p : procs) await(p, 600);
        Files.writeString(stopFile, "stop");
        await(reader, 60);
        String readerLog = read(readerOut);
        assertEquals(0, reader.exitValue(), readerLog);
        long reads = Long.parseLong(readerLog.lines().filter(l -> l.startsWith("reads ")).findFirst()
                .orElseThrow(() -> new AssertionError(readerLog)).substring(6).trim());
        assertTrue(reads > 10, "the reader read while the trainers wrote: " + reads);
        for (int i = 0; i < 4; i++) {
            String run = runs.get(i);
            String out = read(dir.resolve("logs").resolve(run + ".log"));
            assertEquals(0, procs.get(i).exitValue(), out);
            assertFalse(out.contains("SQLITE_BUSY") || out.toLowerCase().contains("locked"), out);
            assertEquals("finished", log.run(run).orElseThrow().status());
            List<Integer> order = log.events(run).stream().filter(e -> e.event() instanceof RunEvent.EpochCompleted)
                    .map(e -> ((RunEvent.EpochCompleted) e.event()).epoch()).toList();
            List<Integer> expected = new ArrayList<>();
            for (int e = 1; e <= epochs; e++) expected.add(e);
            assertEquals(expected, order, "every epoch of run " + run + ", in order");
            List<Long> seqs = log.events(run).stream().map(StoredEvent::seq).toList();
            for (int k = 0; k < seqs.size(); k++) assertEquals(k + 1, seqs.get(k));
        }
    }

    @Test
    void a_background_l_bfgs_run_s_log_file_counts_iterations() throws Exception {
        // each full-batch L-BFGS iteration is logged as one epoch; its logs/RUN.log names it as the dashboard does
        try (EventLog log = EventLog.open(dir.resolve("lbfgs.db"))) {
            String run = Runs.create(log, ConfigLoader.resolve(null, null, List.of("data=bars", "limit=400", "hidden=6", "epochs=4",
                    "optimizer=lbfgs", "batchSize=0")), null, "test", null);
            Process p = BackgroundTrainer.spawn(log.describe(), run);
            await(p, 300);
            String out = read(dir.resolve("logs").resolve(run + ".log"));
            assertEquals(0, p.exitValue(), out);
            assertTrue(out.contains("run " + run + " started from iteration 0 (lease 1)"), out);
            assertTrue(out.contains("run " + run + ": starting at iteration 1 of 4 (full batch)"), out);
            assertTrue(out.contains("run " + run + ": iteration 1/4 loss ") && out.contains("run " + run + ": iteration 4/4 loss "), out);
            assertTrue(out.contains("run " + run + " finished: 4 iterations"), out);
            assertFalse(out.contains("epoch"), out);
            // the trainer process multiplies on the OpenBLAS its parent does (the tests load the build's, as the
            // launcher does: docs/performance.md), and its started event says which
            var started = (sparselab.log.RunEvent.Started) log.events(run).stream().filter(e -> e.type().equals("started")).findFirst().orElseThrow().event();
            String parents = NativeEnv.openblasConfig();
            assertEquals(parents, started.provenance().get("openblas"), started.provenance().toString());
            // as the loaded library files say it themselves: the version the build unpacked, not nd4j-native's 0.3.19
            assertEquals("OpenBLAS " + NativeEnv.productsVersion().split("-")[0], parents);
        }
    }

    private static String read(Path p) {
        try {
            return Files.exists(p) ? Files.readString(p) : "(no output file " + p + ")";
        } catch (Exception e) {
            return e.toString();
        }
    }
}
