package sparselab.runs;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import sparselab.config.ConfigLoader;
import sparselab.config.RunConfig;
import sparselab.log.EpochMetrics;
import sparselab.log.RunEvent;
import sparselab.store.EventLog;
import sparselab.log.MeasuresRow;
import sparselab.log.SnapshotRow;
import sparselab.log.StoredEvent;

import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Runs trained in-process through {@link RunExecutor} on a temporary log. */
class RunExecutorTest {
    @TempDir Path dir;

    private static RunConfig cfg(String preset, String... sets) {
        return ConfigLoader.resolve(preset, null, List.of(sets));
    }

    /**
     * A run's epoch lines (a background trainer's log file, a foreground run's piped output) were printed when the
     * epoch was handed to the log writer, before its transaction: after a kill -9 the file's last line could name an
     * epoch that the log does not have. Each line is now printed once the epoch is in the log: every line read here
     * finds its epoch logged at that moment.
     */
    @Test
    void each_epoch_line_is_printed_once_its_epoch_is_in_the_log() throws Exception {
        EventLog log = EventLog.open(dir.resolve("lines.db"));
        String run = Runs.create(log, cfg(null, "data=bars", "limit=600", "hidden=12", "epochs=12", "batchSize=50", "snapshotEvery=1"), null, "test", null);
        List<String> early = new java.util.concurrent.CopyOnWriteArrayList<>();
        List<String> lines = new java.util.concurrent.CopyOnWriteArrayList<>();
        java.util.regex.Pattern epochLine = java.util.regex.Pattern.compile("run " + run + ": epoch (\\d+)/12 loss .*");
        java.io.Writer checking = new java.io.Writer() {
            private final StringBuilder line = new StringBuilder();

            @Override
            public void write(char[] buf, int off, int len) {
                for (int i = off; i < off + len; i++) {
                    if (buf[i] != '\n') {
                        line.append(buf[i]);
                        continue;
                    }
                    String l = line.toString();
                    line.setLength(0);
                    lines.add(l);
                    java.util.regex.Matcher m = epochLine.matcher(l);
                    if (m.matches() && log.run(run).orElseThrow().epochsDone() < Integer.parseInt(m.group(1))) early.add(l);
                }
            }

            @Override public void flush() {}
            @Override public void close() {}
        };
        RunExecutor.Outcome o = new RunExecutor(log, new RunExecutor.Lines(new java.io.PrintWriter(checking, true))).execute(run, false);
        assertEquals("finished", o.status(), o.message());
        assertEquals(12, lines.stream().filter(l -> epochLine.matcher(l).matches()).count(), lines.toString());
        assertEquals(List.of(), early, "lines printed before their epoch was in the log");
        log.close();
    }

    /**
     * A checkpoint event whose blob is not a checkpoint (found 2026-12-01 by a probe of tampering: `failed: bad magic`
     * with a 17-line stack trace): the run fails naming the checkpoint, no stack trace, nothing trained.
     */
    @Test
    void a_checkpoint_that_is_not_the_runs_fails_the_run_naming_it() throws Exception {
        EventLog log = EventLog.open(dir.resolve("ck.db"));
        RunConfig c = cfg(null, "data=bars", "limit=200", "hidden=4", "epochs=3");
        String run = Runs.create(log, c, null, "test", null);
        String fp = log.run(run).orElseThrow().dataFingerprint();
        sparselab.store.Lease lease = log.claim(run, new RunEvent.Started(1, "elsewhere", 2, 0, fp, java.util.Map.of()), r -> true).orElseThrow();
        sparselab.log.Blob other = sparselab.log.Blob.of("not a checkpoint".getBytes(java.nio.charset.StandardCharsets.UTF_8));
        lease.appendAll(List.of(new RunEvent.EpochCompleted(1, 2.5, 2.0, 0.4, 0.1, 0.2, new double[4], 0.1, 0.2, 0, 0, false, 2.1, 0.5, 100),
                new RunEvent.Checkpoint(1, other.hash(), other.bytes().length)), List.of(other));
        lease.append(new RunEvent.Cancelled(1));
        int events = log.events(run).size();
        RunExecutor.Outcome o = new RunExecutor(log, RunExecutor.Listener.NONE).execute(run, true);
        assertEquals("failed", o.status(), o.message());
        assertTrue(o.message().startsWith("the checkpoint of epoch 1 (blob " + other.hash() + ") is not this run's: "), o.message());
        assertEquals(events + 2, log.events(run).size(), "started and failed, no epoch");
        assertEquals(1, log.run(run).orElseThrow().epochsDone());
        log.close();
    }

    @Test
    void every_weight_snapshot_has_filter_measures_in_the_same_transaction() throws Exception {
        EventLog log = EventLog.open(dir.resolve("m.db"));
        RunConfig c = cfg(null, "data=bars", "limit=600", "hidden=12", "epochs=5", "batchSize=20", "optimizer=adam",
                "learningRate=0.03", "beta=1", "rho=0.1", "snapshotEvery=log2");
        String run = Runs.create(log, c, null, "test", null);
        RunExecutor.Outcome o = new RunExecutor(log, RunExecutor.Listener.NONE).execute(run, false);
        assertEquals("finished", o.status(), o.message());

        List<Integer> snapshotEpochs = log.snapshots(run).stream().map(SnapshotRow::epoch).toList();
        assertEquals(List.of(0, 1, 2, 4, 5), snapshotEpochs);
        List<MeasuresRow> measures = log.measures(run);
        assertEquals(snapshotEpochs, measures.stream().map(MeasuresRow::epoch).toList());
        for (MeasuresRow m : measures) {
            assertNotNull(m.locality(), "epoch " + m.epoch());
            assertTrue(m.locality() > 0 && m.locality() <= 1, "locality " + m.locality() + " at epoch " + m.epoch());
            assertNotNull(m.deadFraction());
            assertNotNull(m.saturatedFraction());
            assertNotNull(m.lifetimeSparsity(), "bars has a held-out split");
            assertNull(m.digitLikeness(), "bars has no labels");
            assertNotNull(m.strokeShare(), "epoch " + m.epoch());
            assertTrue(m.strokeShare() >= 0 && m.strokeShare() <= 1, "stroke share " + m.strokeShare());
        }
        String csv = MetricsExport.measuresCsv(measures);
        assertEquals(1 + 5, csv.lines().count());
        assertTrue(csv.lines().skip(1).allMatch(l -> l.split(",", -1)[5].isEmpty()), "digit_likeness is an empty field:\n" + csv);
        java.io.StringWriter doc = new java.io.StringWriter();
        MetricsExport.writeJson(doc, log, log.run(run).orElseThrow());
        Object exported = sparselab.log.Json.read(doc.toString(), java.util.Map.class).get("measures");
        assertEquals(5, ((List<?>) exported).size());
        // each filter_measures event directly follows its weight_snapshot (one transaction appends both)
        List<StoredEvent> events = log.events(run);
        for (int i = 0; i < events.size(); i++) {
            if (events.get(i).type().equals("weight_snapshot")) assertEquals("filter_measures", events.get(i + 1).type());
        }
    }

    @Test
    void an_lbfgs_run_logs_one_epoch_per_iteration_with_falling_loss_and_measures_at_its_snapshots() {
        EventLog log = EventLog.open(dir.resolve("l.db"));
        RunConfig c = cfg("ufldl", "data=bars", "limit=800", "hidden=12", "epochs=6");
        String run = Runs.create(log, c, "ufldl", "test", null);
        RunExecutor.Outcome o = new RunExecutor(log, RunExecutor.Listener.NONE).execute(run, false);
        assertEquals("finished", o.status(), o.message());
        List<EpochMetrics> rows = log.metrics(run);
        assertEquals(6, rows.size());
        for (int i = 1; i < rows.size(); i++) assertTrue(rows.get(i).loss() <= rows.get(i - 1).loss(), "epoch " + (i + 1));
        assertEquals(List.of(0, 1, 2, 4, 6), log.measures(run).stream().map(MeasuresRow::epoch).toList());
    }

    @Test
    void a_diverging_run_ends_with_a_diverged_event_not_a_crash() {
        try (EventLog log = EventLog.open(dir.resolve("diverge.db"))) {
            var cfg = sparselab.config.ConfigLoader.resolve(null, null, java.util.List.of("data=bars", "limit=500", "hidden=16",
                    "hiddenActivation=relu", "outputActivation=identity", "beta=0", "optimizer=sgd", "learningRate=50",
                    "batchSize=10", "epochs=20"));
            String run = Runs.create(log, cfg, null, "test", null);
            RunExecutor.Outcome o = new RunExecutor(log, RunExecutor.Listener.NONE).execute(run, false);
            assertEquals("diverged", o.status(), o.message());
            assertTrue(o.ok(), "a diverged run is an outcome, not a failure");
            var row = log.run(run).orElseThrow();
            assertEquals("diverged", row.status());
            assertNotNull(row.divergedEpoch());
            assertTrue(row.epochsDone() < 20, "training stopped at the divergence");
            var types = log.events(run).stream().map(e -> e.type()).toList();
            assertTrue(types.contains("diverged"), types.toString());
            assertFalse(types.contains("failed") || types.contains("finished"), types.toString());
            assertEquals(row.divergedEpoch(), log.snapshots(run).get(log.snapshots(run).size() - 1).epoch(),
                    "the weights at divergence are kept");
        }
    }

    @Test
    void a_run_that_diverges_to_nan_weights_has_every_filter_measure_null_at_that_snapshot() {
        try (EventLog log = EventLog.open(dir.resolve("nan.db"))) {
            // sigmoid hidden units cannot die, so the blow-up of W2 always reaches W1 as NaN (checked at batch 1, 10, 100
            // and 200); with relu, whether every unit died first and left W1 finite depended on the products' rounding
            RunConfig c = cfg(null, "data=bars", "hidden=8", "epochs=5", "learningRate=1000000",
                    "outputActivation=identity", "estimator=ema-threshold");
            String run = Runs.create(log, c, null, "test", null);
            assertEquals("diverged", new RunExecutor(log, RunExecutor.Listener.NONE).execute(run, false).status());
            int at = log.run(run).orElseThrow().divergedEpoch();
            SnapshotRow last = log.snapshots(run).get(log.snapshots(run).size() - 1);
            assertEquals(at, last.epoch());
            float[] w1 = sparselab.gallery.WeightImages.w1(log.blob(last.blob()).orElseThrow(), 8, last.event().visible());
            boolean nan = false;
            for (float v : w1) nan |= Float.isNaN(v);
            assertTrue(nan, "the snapshot at divergence holds NaN weights");
            // export's filters-csv gives such a filter no measures and no verdict, as strokes-csv and measures-csv
            java.io.StringWriter out = new java.io.StringWriter();
            picocli.CommandLine cl = sparselab.cli.ExitCodes.install(new picocli.CommandLine(new sparselab.cli.ExportCommand()));
            cl.setOut(new java.io.PrintWriter(out, true));
            assertEquals(0, cl.execute(run, "--db", dir.resolve("nan.db").toString(), "--format", "filters-csv", "--epoch", String.valueOf(at)));
            List<String> rows = out.toString().lines().skip(1).toList();
            assertEquals(8, rows.size(), out.toString());
            for (int j = 0; j < 8; j++) {
                boolean finite = true;
                for (int i = j * last.event().visible(); i < (j + 1) * last.event().visible(); i++) finite &= Float.isFinite(w1[i]);
                if (!finite) assertEquals(at + "," + j + ",,,,,,", rows.get(j));
                else assertFalse(rows.get(j).endsWith(","), rows.get(j));
            }
            MeasuresRow m = log.measures(run).stream().filter(r -> r.epoch() == at).findFirst().orElseThrow();
            assertEquals(java.util.Arrays.asList(null, null, null, null, null, null),
                    java.util.Arrays.asList(m.locality(), m.deadFraction(), m.saturatedFraction(), m.lifetimeSparsity(), m.digitLikeness(),
                            m.strokeShare()), "epoch " + at);
            assertNotNull(log.measures(run).get(0).deadFraction(), "the finite snapshot at epoch 0 is measured");
        }
    }

    @Test
    void a_background_run_s_epoch_lines_keep_every_digit_and_write_tiny_or_huge_figures_in_e_notation() {
        assertEquals("12.107", RunExecutor.Lines.figure(12.107));
        assertEquals("0.05", RunExecutor.Lines.figure(0.05));
        assertEquals("4.48532088644342E-39", RunExecutor.Lines.figure(4.48532088644342E-39));
        assertEquals("1.0E12", RunExecutor.Lines.figure(1e12));
        assertEquals("0", RunExecutor.Lines.figure(0.0));
        assertEquals("NaN", RunExecutor.Lines.figure(Double.NaN));
    }

    @Test
    void a_run_that_finishes_with_divergence_flags_says_so_in_its_outcome() {
        try (EventLog log = EventLog.open(dir.resolve("flags.db"))) {
            var c = sparselab.config.ConfigLoader.resolve(null, null, java.util.List.of("data=bars", "hidden=16", "epochs=5",
                    "optimizer=sgd", "learningRate=10000", "seed=1"));
            String run = Runs.create(log, c, null, "test", null);
            RunExecutor.Outcome o = new RunExecutor(log, RunExecutor.Listener.NONE).execute(run, false);
            assertEquals("finished", o.status(), o.message());
            assertTrue(o.message().startsWith("5 epochs; divergence flags: ") && o.message().contains("rho_hat_at_bound in "), o.message());
        }
        try (EventLog log = EventLog.open(dir.resolve("calm.db"))) {
            var c = sparselab.config.ConfigLoader.resolve(null, null, java.util.List.of("data=bars", "hidden=16", "epochs=3", "seed=1"));
            String run = Runs.create(log, c, null, "test", null);
            assertEquals("3 epochs", new RunExecutor(log, RunExecutor.Listener.NONE).execute(run, false).message());
        }
    }

    @Test
    void a_run_of_one_epoch_or_one_iteration_says_so_in_the_singular() {
        try (EventLog log = EventLog.open(dir.resolve("one.db"))) {
            var c = sparselab.config.ConfigLoader.resolve(null, null, java.util.List.of("data=bars", "hidden=16", "epochs=1", "seed=1"));
            String run = Runs.create(log, c, null, "test", null);
            assertEquals("1 epoch", new RunExecutor(log, RunExecutor.Listener.NONE).execute(run, false).message(), "one epoch, not 1 epochs");
            var lbfgs = sparselab.config.ConfigLoader.resolve("ufldl", null, java.util.List.of("data=bars", "limit=400", "hidden=8", "epochs=1"));
            String one = Runs.create(log, lbfgs, null, "test", null);
            assertEquals("1 iteration", new RunExecutor(log, RunExecutor.Listener.NONE).execute(one, false).message());
        }
    }

    @Test
    void the_flag_note_counts_an_l_bfgs_run_s_flags_in_iterations() {
        var flagged = new java.util.TreeMap<>(java.util.Map.of("loss_rising", 1, "sp_growing", 3));
        assertEquals("; divergence flags since iteration 5: loss_rising in 1 iteration, sp_growing in 3 iterations "
                + "(the run page and GET /api/runs/ID/flags give each flag's figures and how many units it concerns)", RunExecutor.flagNote(flagged, 4, "iteration"));
        assertEquals("; divergence flags: loss_rising in 1 epoch, sp_growing in 3 epochs "
                + "(the run page and GET /api/runs/ID/flags give each flag's figures and how many units it concerns)", RunExecutor.flagNote(flagged, 0, "epoch"));
    }
}
