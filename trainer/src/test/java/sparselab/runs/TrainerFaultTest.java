package sparselab.runs;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;
import sparselab.cli.ExitCodes;
import sparselab.cli.SweepCommand;
import sparselab.cli.TrainCommand;
import sparselab.config.ConfigException;
import sparselab.config.ConfigKeys;
import sparselab.config.ConfigLoader;
import sparselab.config.LogEstimate;
import sparselab.config.RunConfig;
import sparselab.store.EventLog;
import sparselab.store.Logs;
import sparselab.config.Limits;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;

import static org.junit.jupiter.api.Assertions.*;

/** The trainer under abuse: an Error while logging, a sweep grid that overflows, a run that would fill the disk. */
class TrainerFaultTest {
    @TempDir Path dir;

    record Result(int code, String out, String err) {}

    private static Result run(Object command, String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        CommandLine cl = ExitCodes.install(new CommandLine(command));
        cl.setOut(new PrintWriter(out, true));
        cl.setErr(new PrintWriter(err, true));
        int code = cl.execute(args);
        return new Result(code, out.toString(), err.toString());
    }

    /** The command line in a process of its own, as a user's, with these JVM options: its exit code, standard output and error. */
    private static Result runProcess(List<String> jvm, String... args) throws Exception {
        List<String> options = new ArrayList<>(List.of("--add-modules", "jdk.incubator.vector"));
        options.addAll(jvm);
        sparselab.cli.Cli.Ran r = sparselab.cli.Cli.run(options, Map.of(), args);
        return new Result(r.code(), r.out(), r.err());
    }

    /**
     * `resume --background` of a run that cannot be resumed (finished; or running with its trainer alive here): refused
     * with exit 2 before a trainer is started, as in the foreground; it said "started" and exited 0, the refusal only
     * in the trainer's log file.
     */
    @Test
    void a_background_resume_of_a_run_that_cannot_be_resumed_is_refused_before_any_trainer_starts() throws Exception {
        Path file = dir.resolve("bg.db");
        String finished, running;
        try (EventLog log = EventLog.open(file)) {
            finished = Runs.create(log, ConfigLoader.resolve(null, null, List.of("data=bars", "hidden=2", "epochs=1")), null, "cli", null);
            sparselab.store.Lease lease = log.claim(finished, RunExecutor.startedEvent(log.require(finished).dataFingerprint(), null), r -> true).orElseThrow();
            lease.append(new sparselab.log.RunEvent.Finished(0, 1.0, null));
            running = Runs.create(log, ConfigLoader.resolve(null, null, List.of("data=bars", "hidden=2", "epochs=2")), null, "cli", null);
            log.claim(running, RunExecutor.startedEvent(log.require(running).dataFingerprint(), null), r -> true).orElseThrow();
        }
        Result done = run(new sparselab.cli.ResumeCommand(), finished, "--db", file.toString(), "--background");
        assertEquals(ExitCodes.REFUSED, done.code(), done.out() + done.err());
        assertTrue(done.err().contains("run " + finished + " is finished; only interrupted, failed or cancelled runs whose trainer is gone, and queued runs, can be resumed"), done.err());
        Result alive = run(new sparselab.cli.ResumeCommand(), running, "--db", file.toString(), "--background");
        assertEquals(ExitCodes.REFUSED, alive.code(), alive.out() + alive.err());
        assertTrue(alive.err().contains("run " + running + " is running"), alive.err());
        assertFalse(Files.exists(dir.resolve("logs")), "no trainer was started, so no output folder");
    }

    /**
     * `resume` of a run that reads as interrupted (its heartbeat lapsed) while its trainer is alive on this host (a
     * paused process; here this JVM): refused naming the trainer, as the dashboard's resume does, not with a rule
     * that the run seems to meet.
     */
    @Test
    void a_resume_next_to_a_paused_trainer_is_refused_naming_it() throws Exception {
        Path file = dir.resolve("paused.db");
        try (EventLog log = EventLog.open(file)) {
            String id = Runs.create(log, ConfigLoader.resolve(null, null, List.of("data=bars", "hidden=2", "epochs=3")), null, "cli", null);
            log.claim(id, RunExecutor.startedEvent(log.require(id).dataFingerprint(), null), r -> true).orElseThrow();
            Logs.rawExecute(file.toString(), "UPDATE runs SET heartbeat_at = '2000-01-01T00:00:00.000Z' WHERE run_id = '" + id + "'");
            assertEquals("interrupted", log.require(id).effectiveStatus(log.clock().instant()));
            RunExecutor.Outcome o = new RunExecutor(log, RunExecutor.Listener.NONE).execute(id, true);
            assertEquals("refused", o.status());
            assertEquals("run " + id + " looks interrupted, but its trainer (pid " + ProcessHandle.current().pid() + " on "
                    + log.require(id).host() + ") is still alive (paused?); stop it first, or let it continue", o.message());
        }
    }

    /**
     * Bytes changed behind the log's back under a run's checkpoint and weights hashes: a resume fails naming the blob
     * in the log's own words (no exception class in the run's error), and an export of the damaged weights is a
     * failure (exit 1), not a refused input (exit 2).
     */
    @Test
    void a_resume_from_damaged_checkpoint_bytes_fails_naming_them_and_an_export_of_damaged_weights_exits_1() throws Exception {
        Path file = dir.resolve("damaged.db");
        sparselab.log.Blob weights = sparselab.log.Blob.of(new byte[] {1, 2, 3, 4, 5, 6, 7, 8});
        sparselab.log.Blob checkpoint = sparselab.log.Blob.of(new byte[] {9, 8, 7, 6});
        String id;
        try (EventLog log = EventLog.open(file)) {
            id = Runs.create(log, ConfigLoader.resolve(null, null, List.of("data=bars", "hidden=2", "epochs=3")), null, "cli", null);
            sparselab.store.Lease lease = log.claim(id, new sparselab.log.RunEvent.Started(1, "host", 2, 0, log.require(id).dataFingerprint(), Map.of()), r -> true).orElseThrow();
            lease.appendAll(List.of(new sparselab.log.RunEvent.EpochCompleted(1, 2.0, 1.8, 0.2, 0.0, 0.2, new double[] {0.1, 0.3}, 0.5, 1.5,
                            3, 0.01, false, 2.2, 0.5, 1000), new sparselab.log.RunEvent.WeightSnapshot(1, weights.hash(), 2, 1, 1, 1),
                    new sparselab.log.RunEvent.Checkpoint(1, checkpoint.hash(), 4)), List.of(weights, checkpoint));
            log.append(id, new sparselab.log.RunEvent.CancelRequested("test"));
            lease.append(new sparselab.log.RunEvent.Cancelled(1));
        }
        for (sparselab.log.Blob b : List.of(weights, checkpoint)) {      // the trigger refuses UPDATE: delete, insert other bytes
            Logs.rawExecute(file.toString(), "DELETE FROM blobs WHERE hash = '" + b.hash() + "'");
            Logs.rawExecute(file.toString(), "INSERT INTO blobs (hash, size, bytes) VALUES ('" + b.hash() + "', 4, X'09090909')");
        }
        try (EventLog log = EventLog.open(file)) {
            RunExecutor.Outcome o = new RunExecutor(log, RunExecutor.Listener.NONE).execute(id, true);
            assertEquals("failed", o.status(), o.message());
            assertTrue(o.message().startsWith("the stored bytes of blob " + checkpoint.hash() + " in " + file + " do not match their hash"), o.message());
            assertEquals(o.message(), log.require(id).error(), "the run's error in the log's words, no exception class");
        }
        Result export = run(new sparselab.cli.ExportCommand(), id, "--db", file.toString(), "--gallery", dir.resolve("g.png").toString());
        assertEquals(ExitCodes.FAILURE, export.code(), export.err());
        assertTrue(export.err().startsWith("error: the stored bytes of blob " + weights.hash()) && export.err().contains("verify"), export.err());
        assertFalse(Files.exists(dir.resolve("g.png")));
    }

    @Test
    void an_error_while_writing_one_epoch_stops_every_later_write_so_the_log_has_no_gap() {
        LogWriter writer = new LogWriter("r-test");
        List<Integer> written = new CopyOnWriteArrayList<>();
        writer.submit(() -> written.add(1));
        writer.submit(() -> { throw new OutOfMemoryError("Java heap space (while encoding epoch 2)"); });
        for (int epoch = 3; epoch <= 6; epoch++) {
            int e = epoch;
            try {
                writer.submit(() -> written.add(e));
            } catch (IllegalStateException refused) {
                break;                                      // the failure is already known: later epochs are not even queued
            }
        }
        IllegalStateException failure = assertThrows(IllegalStateException.class, () -> writer.drain(60_000));
        assertTrue(failure.getMessage().contains("OutOfMemoryError"), failure.getMessage());
        assertInstanceOf(OutOfMemoryError.class, failure.getCause());
        assertEquals(List.of(1), written, "epochs after the failed one were written: a gap in the log");
    }

    @Test
    void a_sweep_of_16_keys_by_16_values_is_refused_with_exit_2_before_any_grid_is_built() {
        List<String> keys = List.of("holdout", "learningRate", "momentum", "seed", "weightDecay", "dropout", "beta", "rho",
                "rhoMomentum", "threshold", "eps", "hidden", "epochs", "batchSize", "limit", "snapshotEvery");
        List<Sweeps.Axis> axes = new ArrayList<>();
        List<String> args = new ArrayList<>(List.of("--db", dir.resolve("sweep.db").toString(), "--queue-only"));
        for (String k : keys) {
            assertTrue(ConfigKeys.exists(k), k);
            List<String> values = new ArrayList<>();
            for (int i = 1; i <= 16; i++) values.add(Integer.toString(i));
            axes.add(new Sweeps.Axis(k, values));
            args.addAll(List.of("--set", k + "=" + String.join(",", values)));
        }
        assertEquals(Long.MAX_VALUE, Sweeps.gridSize(axes));                 // 16^16 = 2^64: a long product wraps to 0
        ConfigException e = assertThrows(ConfigException.class, () -> Sweeps.grid(Map.of(), axes));
        assertEquals("set", e.errors().get(0).key());
        assertTrue(e.getMessage().contains("at most " + Sweeps.MAX_RUNS), e.getMessage());

        Result r = assertTimeoutPreemptively(Duration.ofSeconds(30), () -> run(new SweepCommand(), args.toArray(String[]::new)));
        assertEquals(ExitCodes.REFUSED, r.code(), r.err());
        assertTrue(r.err().contains("16 x 16 x 16"), r.err());
        assertFalse(Files.exists(dir.resolve("sweep.db")), "the log was opened for a refused sweep");
    }

    @Test
    void a_run_that_would_fill_the_disk_is_refused_with_exit_2_naming_the_limit_and_nothing_is_written() {
        Path db = dir.resolve("filler.db");
        Result r = assertTimeoutPreemptively(Duration.ofSeconds(60), () -> run(new TrainCommand(), "--db", db.toString(),
                "--set", "data=bars", "--set", "limit=2", "--set", "holdout=0", "--set", "hidden=5000", "--set", "epochs=1000000",
                "--set", "batchSize=1", "--set", "snapshotEvery=1"));
        assertEquals(ExitCodes.REFUSED, r.code(), r.err());
        assertTrue(r.err().contains("refused: the run would write about") && r.err().contains(Limits.RUN_BYTES) && !r.err().contains("maxRunBytes"), r.err());
        assertTrue(r.err().contains("TiB"), r.err());                        // about 2.4 TiB: 2.6 MB of weights at each of 1,000,001 snapshots
        assertFalse(Files.exists(db), "the log was created for a refused run");
    }

    @Test
    void a_holdout_that_leaves_one_sample_to_train_on_is_refused_with_exit_2_naming_it() {
        Path db = dir.resolve("one.db");
        Result r = assertTimeoutPreemptively(Duration.ofSeconds(60), () -> run(new TrainCommand(), "--db", db.toString(),
                "--set", "data=bars", "--set", "limit=2", "--set", "holdout=0.5"));
        assertEquals(ExitCodes.REFUSED, r.code(), r.err());
        assertTrue(r.err().contains("holdout") && r.err().contains("leaves 1 to train on"), r.err());
        assertFalse(Files.exists(db), "the log was created for a refused run");
    }

    /** Snapshots every epoch, checkpoints at the default interval, on both backends. */
    @ParameterizedTest
    @ValueSource(strings = {"sqlite", "postgresql"})
    void the_log_estimate_is_not_below_what_a_real_run_writes(String backend) throws Exception {
        RunConfig cfg = ConfigLoader.resolve(null, null, List.of("data=bars", "limit=500", "hidden=32", "epochs=40", "batchSize=50",
                "optimizer=adam", "learningRate=0.01", "snapshotEvery=1"));
        String db = Logs.newLog(backend, dir);
        long written = written(db, cfg);
        long estimate = LogEstimate.bytes(cfg, 64, LogEstimate.checkpointsHeld(backend.equals("postgresql"), 10, cfg.epochs()));
        System.out.printf("%s: log estimate %d bytes, written %d bytes%n", backend, estimate, written);
        assertTrue(estimate >= written, "estimate " + estimate + " < written " + written);
        assertTrue(estimate <= 3 * written, "estimate " + estimate + " is far above written " + written);
    }

    /**
     * An L-BFGS run (checkpoints of 100 bytes a parameter) that replaces its checkpoint after every one of 60 epochs: the
     * file holds two at once (the new one and the one it replaces), not one, and no more than two.
     */
    @Test
    void a_run_that_replaces_its_checkpoint_every_epoch_stays_within_the_estimate() throws Exception {
        RunConfig cfg = ConfigLoader.resolve(null, null, List.of("data=bars", "limit=500", "hidden=32", "epochs=60", "batchSize=0",
                "optimizer=lbfgs", "snapshotEvery=60"));
        System.setProperty(RunExecutor.CHECKPOINT_PROPERTY, "0");
        long written;
        try {
            written = written(Logs.newLog("sqlite", dir), cfg);
        } finally {
            System.clearProperty(RunExecutor.CHECKPOINT_PROPERTY);
        }
        long estimate = LogEstimate.bytes(cfg, 64, LogEstimate.checkpointsHeld(false, 0, cfg.epochs()));
        long checkpoint = 100L * (2 * 32 * 64 + 32 + 64);
        System.out.printf("sqlite, a checkpoint every epoch: log estimate %d bytes, written %d bytes%n", estimate, written);
        assertTrue(estimate >= written, "estimate " + estimate + " < written " + written);
        assertTrue(written > estimate - checkpoint, "the replaced checkpoint's bytes were not held: written " + written);
    }

    /** A bars run whose estimate (about 9 MB: a 516 KB snapshot each epoch, 3 MB checkpoints) dwarfs a created event's pages. */
    private static final List<String> WIDE = List.of("data=bars", "limit=200", "hidden=1000", "epochs=8", "snapshotEvery=1");

    /**
     * Two `sparselab resume`s of two cancelled runs at once, each on a log of its own (two processes), where the log's
     * limit has room for one of them: both pass the command's early check before either claims, then both claim at
     * once. The claim checks the room again in its transaction, after the other's claim: one trains, one is refused.
     */
    @ParameterizedTest
    @ValueSource(strings = {"sqlite", "postgresql"})
    void two_resumes_at_once_from_two_writers_never_take_the_log_over_its_limit_together(String backend) throws Exception {
        String db = Logs.newLog(backend, dir);
        List<String> runs = new ArrayList<>();
        Limits limits;
        try (EventLog log = EventLog.open(db)) {
            for (int seed = 1; seed <= 2; seed++) {
                String id = Runs.create(log, ConfigLoader.resolve(null, null, concat(WIDE, "seed=" + seed)), null, "cli", null);
                log.append(id, new sparselab.log.RunEvent.CancelRequested("test"));
                log.append(id, new sparselab.log.RunEvent.Cancelled(0));
                runs.add(id);
            }
            long each = Runs.prepare(List.of(ConfigLoader.resolve(null, null, WIDE)), log.shared()).get(0).estimatedBytes();
            limits = new Limits(Limits.defaults().maxRunBytes(), log.sizeBytes() + each * 3 / 2, 100, 16_000_000);
        }
        java.util.concurrent.CyclicBarrier checked = new java.util.concurrent.CyclicBarrier(2);
        java.util.concurrent.ExecutorService pool = java.util.concurrent.Executors.newFixedThreadPool(2);
        List<java.util.concurrent.Future<String>> tries = new ArrayList<>();
        for (String id : runs) {
            tries.add(pool.submit(() -> {
                try (EventLog own = EventLog.open(db)) {            // a writer of its own, as another process's
                    Runs.checkResumeRoom(own, own.run(id).orElseThrow(), limits);   // `resume`'s early check: both fit alone
                    checked.await(30, java.util.concurrent.TimeUnit.SECONDS);
                    java.time.Instant now = own.clock().instant();
                    return Runs.claimResumed(own, id, RunExecutor.startedEvent("fp", null), r -> RunExecutor.mayResume(r, now, List.of()), limits)
                            .map(l -> "claimed").orElse("not claimable");
                } catch (ConfigException e) {
                    return "refused: " + e.getMessage();
                }
            }));
        }
        List<String> outcomes = new ArrayList<>();
        for (var t : tries) outcomes.add(t.get(60, java.util.concurrent.TimeUnit.SECONDS));
        pool.shutdown();
        assertEquals(1, outcomes.stream().filter("claimed"::equals).count(), outcomes.toString());
        String refused = outcomes.stream().filter(o -> o.startsWith("refused")).findFirst().orElseThrow(() -> new AssertionError(outcomes));
        assertTrue(refused.contains("maxLogBytes") && refused.contains("queued or running in it may add"), refused);
        String loser = runs.get(outcomes.indexOf(refused));
        try (EventLog log = EventLog.open(db)) {
            assertEquals("cancelled", log.run(loser).orElseThrow().status(), "the refused claim wrote nothing");
            // a foreground `resume` of it now: refused by its trainer's claim, exit 2 on the command line
            RunExecutor.Outcome o = new RunExecutor(log, RunExecutor.Listener.NONE).withLimits(limits).execute(loser, true);
            assertEquals("refused", o.status(), o.message());
            assertTrue(o.message().contains("maxLogBytes"), o.message());
            assertEquals("cancelled", log.run(loser).orElseThrow().status());
        }
    }

    /** Runs created at once by two writers (`train` in two processes) where the log has room for three of them. */
    @ParameterizedTest
    @ValueSource(strings = {"sqlite", "postgresql"})
    void runs_created_at_once_by_two_writers_never_take_the_log_over_its_limit_together(String backend) throws Exception {
        String db = Logs.newLog(backend, dir);
        Limits limits;
        List<Runs.Prepared> prepared;
        try (EventLog log = EventLog.open(db)) {
            prepared = Runs.prepare(List.of(ConfigLoader.resolve(null, null, WIDE)), log.shared());
            limits = new Limits(Limits.defaults().maxRunBytes(), log.sizeBytes() + prepared.get(0).estimatedBytes() * 7 / 2, 100, 16_000_000);
        }
        try (EventLog a = EventLog.open(db); EventLog b = EventLog.open(db)) {
            java.util.concurrent.CyclicBarrier start = new java.util.concurrent.CyclicBarrier(8);
            java.util.concurrent.ExecutorService pool = java.util.concurrent.Executors.newFixedThreadPool(8);
            List<java.util.concurrent.Future<Boolean>> tries = new ArrayList<>();
            for (int i = 0; i < 8; i++) {
                EventLog own = i % 2 == 0 ? a : b;
                tries.add(pool.submit(() -> {
                    start.await(30, java.util.concurrent.TimeUnit.SECONDS);
                    try {
                        Runs.createAll(own, prepared, List.of(Runs.created(prepared.get(0), null, "cli", null, null)), limits);
                        return true;
                    } catch (ConfigException e) {
                        assertTrue(e.getMessage().contains("maxLogBytes"), e.getMessage());
                        return false;
                    }
                }));
            }
            int created = 0;
            for (var t : tries) if (t.get(60, java.util.concurrent.TimeUnit.SECONDS)) created++;
            pool.shutdown();
            assertEquals(3, created);
            assertEquals(3, a.unfinished(100).size());
        }
    }

    /** Two sweeps named alike at once (two processes): each name checked free before either wrote, one group made. */
    @ParameterizedTest
    @ValueSource(strings = {"sqlite", "postgresql"})
    void two_sweeps_named_alike_at_once_never_share_a_group(String backend) throws Exception {
        String db = Logs.newLog(backend, dir);
        try (EventLog a = EventLog.open(db); EventLog b = EventLog.open(db)) {
            List<Runs.Prepared> prepared = Runs.prepare(List.of(ConfigLoader.resolve(null, null, WIDE)), a.shared());
            String first = Groups.newName(a, "alike", "sweep"), second = Groups.newName(b, "alike", "sweep");   // both free
            List<String> made = Runs.createAll(a, prepared, List.of(Runs.created(prepared.get(0), null, "sweep", first, null)),
                    Limits.defaults(), first);
            ConfigException refused = assertThrows(ConfigException.class, () -> Runs.createAll(b, prepared,
                    List.of(Runs.created(prepared.get(0), null, "sweep", second, null)), Limits.defaults(), second));
            assertTrue(refused.getMessage().contains("name") && refused.getMessage().contains("'alike' exists already"), refused.getMessage());
            assertEquals(made, Groups.runIds(b, "alike"), "the first sweep's runs alone, nothing of the second");
            // a run added to a group that exists (not as a new group's) is not refused
            Runs.createAll(b, prepared, List.of(Runs.created(prepared.get(0), null, "cli", "alike", null)), Limits.defaults());
            assertEquals(2, Groups.runIds(a, "alike").size());
        }
    }

    private static List<String> concat(List<String> a, String b) {
        List<String> out = new ArrayList<>(a);
        out.add(b);
        return out;
    }

    /** What a run of {@code cfg} adds to a new log: its size after the run less its size before. */
    private static long written(String db, RunConfig cfg) {
        long before;
        try (EventLog log = EventLog.open(db)) {
            before = log.sizeBytes();
            String id = Runs.create(log, cfg, null, "test", null);
            RunExecutor.Outcome o = new RunExecutor(log, RunExecutor.Listener.NONE).execute(id, false);
            assertEquals("finished", o.status(), o.message());
        }
        try (EventLog log = EventLog.open(db)) {        // closed and opened: SQLite's write-ahead log is in the file
            return log.sizeBytes() - before;
        }
    }

    /**
     * A log that fills up while a run trains (found 2026-12-01 by a probe of a full disk: the trainer printed a stack trace
     * and "writing to the event log failed: TransactionException: Failed to commit transaction", and a resume on the full
     * log "error: TransactionException: ..."). SQLite's page limit stands in for the full disk (SQLITE_FULL, as a full
     * disk gives). Now the run fails naming the full log and what it keeps, without a stack trace, exit 1; the log holds
     * whole epochs, each once; a resume while it is full names it too, and once there is room the resume finishes the run.
     */
    @Test
    void a_run_whose_log_fills_up_fails_naming_the_full_log_and_resumes_once_there_is_room() throws Exception {
        Path file = dir.resolve("full.db");
        try (EventLog log = EventLog.open(file)) {
            assertTrue(log.runs().isEmpty());
        }
        long pages = Files.size(file) / 4096;                   // closed: the write-ahead log is in the file
        // each in a process of its own, as a user's: a failure the full log had no room to record leaves the run
        // running, and it reads as interrupted, resumable, once its trainer has ended (here it did not: this process)
        List<String> full = List.of("-D" + EventLog.SQLITE_MAX_PAGES_PROPERTY + "=" + (pages + 100));
        Result train = runProcess(full, "train", "--db", file.toString(), "--set", "data=bars", "--set", "hidden=16", "--set", "epochs=40",
                "--set", "snapshotEvery=1");
        // its id is the line of its own on standard output (the tests' logging writes there too)
        String runId = train.out().lines().filter(l -> l.matches("r[0-9a-f]{10}")).findFirst().orElseThrow(() -> new AssertionError(train.out()));
        Result again = runProcess(full, "resume", runId, "--db", file.toString());
        Result another = runProcess(full, "train", "--db", file.toString(), "--set", "data=bars", "--set", "hidden=16", "--set", "epochs=40");
        assertEquals(ExitCodes.FAILURE, train.code(), train.err());
        assertTrue(train.err().contains("run " + runId + " failed: the log " + file + " is full (database or disk is full): nothing more of run "
                + runId + " was written, it keeps its "), train.err());
        assertTrue(train.err().contains("; free space on the log's disk, then resume it"), train.err());
        assertFalse(train.err().contains("Exception") || train.err().contains("\tat "), "no stack trace in the trainer's log: " + train.err());
        assertEquals(ExitCodes.FAILURE, again.code(), again.err());
        assertTrue(again.err().contains("run " + runId + " failed: the log " + file + " is full"), again.err());
        assertEquals(ExitCodes.FAILURE, another.code(), another.err());         // a new run: refused at its creation or its first epoch
        assertTrue(another.err().contains("the log " + file + " is full (database or disk is full)"), another.err());
        assertFalse(another.err().contains("Exception"), another.err());
        int kept;
        try (EventLog log = EventLog.open(file)) {
            sparselab.log.RunRow r = log.require(runId);
            kept = r.epochsDone();
            assertTrue(kept >= 1 && kept < 40, "whole epochs up to the full log: " + kept);
            assertTrue(List.of("failed", "interrupted").contains(r.effectiveStatus(java.time.Instant.now())),
                    r.status() + " (running with its trainer gone reads as interrupted)");
            assertTrue(log.verify().clean(), log.verify().toString());
        }
        Result resumed = run(new sparselab.cli.ResumeCommand(), runId, "--db", file.toString());
        assertEquals(ExitCodes.OK, resumed.code(), resumed.err());
        try (EventLog log = EventLog.open(file)) {
            assertEquals("finished", log.require(runId).status());
            assertEquals(java.util.stream.IntStream.rangeClosed(1, 40).boxed().toList(),
                    log.metrics(runId).stream().map(sparselab.log.EpochMetrics::epoch).toList(), "every epoch once, in order");
            assertTrue(log.verify().clean(), log.verify().toString());
        }
    }
}
