package sparselab.runs;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import sparselab.config.ConfigLoader;
import sparselab.config.RunConfig;
import sparselab.log.EpochMetrics;
import sparselab.log.RunEvent;
import sparselab.log.RunRow;
import sparselab.log.StoredEvent;
import sparselab.store.EventLog;
import sparselab.store.Logs;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.*;

/**
 * Real trainer and worker processes on one log (a SQLite file or a PostgreSQL server): a paused trainer that was taken
 * over writes nothing more, a killed worker's run is resumed by another with the same numbers, and four workers drain a
 * sweep. Liveness is shortened for tests (surefire: heartbeats every second, taken over after 6 s without one).
 */
class WorkersProcessTest {
    @TempDir Path dir;
    private final List<Process> started = new ArrayList<>();

    @org.junit.jupiter.api.BeforeEach
    void logsInTheTestFolder() {
        System.setProperty(BackgroundTrainer.LOGS_PROPERTY, dir.resolve("logs").toString());
    }

    @AfterEach
    void killLeftovers() {
        System.clearProperty(BackgroundTrainer.LOGS_PROPERTY);
        for (Process p : started) {
            signal(p, "CONT");
            p.destroyForcibly();
        }
    }

    private static RunConfig config(int epochs, int batch, int seed) {
        return config(epochs, batch, seed, 2000);
    }

    private static RunConfig config(int epochs, int batch, int seed, int samples) {
        return ConfigLoader.resolve(null, null, List.of("data=bars", "limit=" + samples, "hidden=16", "epochs=" + epochs,
                "batchSize=" + batch, "optimizer=sgd", "learningRate=0.05", "beta=0.5", "rho=0.1", "seed=" + seed,
                "snapshotEvery=4"));
    }

    private Process track(Process p) {
        started.add(p);
        return p;
    }

    /**
     * SIGSTOP, landing between the trainer's write transactions. A trainer stopped inside one holds what the write
     * locked: on SQLite the file's write lock, on PostgreSQL its run's row (until the server ends its idle session, a
     * minute later), and no process can take the run over meanwhile (the case this test is not about). So the stop is
     * waited for (kill returns before every thread has stopped), then checked: on SQLite by taking the write lock for a
     * moment, on PostgreSQL by finding no other session of the log's database inside a transaction; and repeated after a
     * SIGCONT when the trainer was inside one.
     */
    private static void stopBetweenWrites(Process trainer, String kind, String db) throws Exception {
        for (int attempt = 0; ; attempt++) {
            signal(trainer, "STOP");
            waitFor("every thread of the trainer to stop", 30, () -> stopped(trainer));
            String inside = insideAWrite(kind, db);
            if (inside == null) return;
            assertTrue(attempt < 50, "the trainer was inside a write at each of 50 stops: " + inside);
            signal(trainer, "CONT");
            Thread.sleep(200);
        }
    }

    /** Whether every thread of the process is stopped (state T in /proc; a thread ended meanwhile runs no more either). */
    private static boolean stopped(Process p) {
        try (java.util.stream.Stream<Path> tasks = Files.list(Path.of("/proc", Long.toString(p.pid()), "task"))) {
            return tasks.allMatch(t -> {
                try {
                    String stat = Files.readString(t.resolve("stat"));
                    return "TZX".indexOf(stat.charAt(stat.lastIndexOf(')') + 2)) >= 0;
                } catch (java.io.IOException gone) {
                    return true;
                }
            });
        } catch (java.io.IOException e) {
            throw new AssertionError("cannot read the trainer's threads: " + e);
        }
    }

    /** What shows a (stopped) process inside a write on the log, or null when none is. */
    private static String insideAWrite(String kind, String db) throws Exception {
        if (kind.equals("sqlite")) {
            try (java.sql.Connection c = java.sql.DriverManager.getConnection("jdbc:sqlite:" + db);
                 java.sql.Statement st = c.createStatement()) {
                st.execute("PRAGMA busy_timeout = 500");
                st.execute("BEGIN IMMEDIATE");
                st.execute("ROLLBACK");
                return null;
            } catch (java.sql.SQLException busy) {
                return busy.toString();
            }
        }
        // the test's own connections are idle between its reads; the worker is not started yet
        List<String> inside = Logs.rawQuery(db, "SELECT pid || ' ' || state || ': ' || query FROM pg_stat_activity "
                + "WHERE datname = current_database() AND pid <> pg_backend_pid() AND xact_start IS NOT NULL");
        return inside.isEmpty() ? null : inside.toString();
    }

    private static void signal(Process p, String sig) {
        try {
            new ProcessBuilder("kill", "-" + sig, Long.toString(p.pid())).start().waitFor(10, TimeUnit.SECONDS);
        } catch (Exception e) {
            throw new AssertionError("kill -" + sig + " failed: " + e);
        }
    }

    private static void waitFor(String what, long seconds, java.util.function.BooleanSupplier ok) throws InterruptedException {
        waitFor(what, seconds, ok, () -> "");
    }

    /** {@link #waitFor}; a timeout's message adds {@code more} (what the processes logged). */
    private static void waitFor(String what, long seconds, java.util.function.BooleanSupplier ok,
                                java.util.function.Supplier<String> more) throws InterruptedException {
        long deadline = System.currentTimeMillis() + seconds * 1000;
        while (!ok.getAsBoolean()) {
            if (System.currentTimeMillis() >= deadline) fail("timed out after " + seconds + " s waiting for " + what + "; " + more.get());
            Thread.sleep(100);
        }
    }

    private static List<Integer> loggedEpochs(EventLog log, String run) {
        return log.events(run).stream().filter(e -> e.event() instanceof RunEvent.EpochCompleted)
                .map(e -> ((RunEvent.EpochCompleted) e.event()).epoch()).toList();
    }

    private static List<Integer> oneTo(int n) {
        List<Integer> out = new ArrayList<>();
        for (int i = 1; i <= n; i++) out.add(i);
        return out;
    }

    private static long ends(EventLog log, String run) {
        return log.events(run).stream().map(StoredEvent::event).filter(e -> e instanceof RunEvent.Finished
                || e instanceof RunEvent.Failed || e instanceof RunEvent.Cancelled || e instanceof RunEvent.Diverged).count();
    }

    private String read(String name) {
        Path p = dir.resolve("logs").resolve(name + ".log");
        try {
            return Files.exists(p) ? Files.readString(p) : "";
        } catch (Exception e) {
            return e.toString();
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"sqlite", "postgresql"})
    void a_paused_trainer_taken_over_by_a_worker_writes_no_epoch_twice(String kind) throws Exception {
        String db = kind.equals("sqlite") ? dir.resolve("pause.db").toString() : Logs.newLog(kind, dir);
        System.setProperty(RunExecutor.CHECKPOINT_PROPERTY, "0");
        try (EventLog log = EventLog.open(db)) {
            int epochs = 30;
            // long epochs, so that the pause lands between the log's short write transactions: a trainer stopped inside
            // one holds SQLite's write lock, and then no process can take the run over until it wakes or dies
            String run = Runs.create(log, config(epochs, 1, 1, 8000), null, "test", null);
            Process trainer = track(BackgroundTrainer.spawn(db, run));
            waitFor("three epochs", 300, () -> log.run(run).orElseThrow().epochsDone() >= 3);
            stopBetweenWrites(trainer, kind, db);         // a laptop lid, a long GC: alive but silent
            waitFor("the heartbeat to lapse", 60,
                    () -> log.run(run).orElseThrow().effectiveStatus(Instant.now()).equals("interrupted"));
            RunRow paused = log.run(run).orElseThrow();
            assertFalse(RunExecutor.mayResume(paused, Instant.now(), log.workers()), "a resume next to a live trainer on this host is refused");
            Process worker = track(BackgroundTrainer.spawnWorker(db, "w-" + kind, 4));
            waitFor("the worker's takeover", 120, () -> log.run(run).orElseThrow().lease() >= 2,
                    () -> "worker " + (worker.isAlive() ? "alive" : "exited " + worker.exitValue()) + ", its log:\n" + read("w-" + kind)
                            + "\nthe paused trainer's log:\n" + read(run));
            signal(trainer, "CONT");                      // the first trainer wakes up and tries to go on
            assertTrue(trainer.waitFor(120, TimeUnit.SECONDS), "the superseded trainer stops");
            assertTrue(worker.waitFor(600, TimeUnit.SECONDS), "the worker finishes the run and exits when idle");
            RunRow end = log.run(run).orElseThrow();
            assertEquals("finished", end.status(), () -> read(run) + read("w-" + kind));
            assertEquals(oneTo(epochs), loggedEpochs(log, run), "every epoch once, in order");
            assertEquals(1, ends(log, run), "one end event");
            List<Long> seqs = log.events(run).stream().map(StoredEvent::seq).toList();
            for (int i = 0; i < seqs.size(); i++) assertEquals(i + 1, seqs.get(i));
            assertTrue(read(run).contains("lease"), "the first trainer says it lost its lease:\n" + read(run));
        } finally {
            System.clearProperty(RunExecutor.CHECKPOINT_PROPERTY);
        }
    }

    @Test
    void a_worker_with_two_slots_shares_the_cores_out_among_them_where_the_user_left_the_threads_to_it() throws Exception {
        String db = dir.resolve("slots.db").toString();
        List<String> runs = new ArrayList<>();
        try (EventLog log = EventLog.open(db)) {
            for (int seed = 1; seed <= 2; seed++) runs.add(Runs.create(log, config(2, 20, seed, 300), null, "test", null));
            List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString()));
            cmd.addAll(NativeEnv.VECTOR_MODULE);
            cmd.addAll(NativeEnv.openblasFlags());
            cmd.addAll(List.of("-cp", System.getProperty("java.class.path"), Worker.class.getName(), "--db", db, "--worker", "slots",
                    "--slots", "2", "--exit-when-idle", "3"));
            ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(dir.resolve("slots.out").toFile());
            // every core, chosen and marked as the launcher does where the user set no count
            int cores = Runtime.getRuntime().availableProcessors();
            pb.environment().put("OMP_NUM_THREADS", Integer.toString(cores));
            pb.environment().put(NativeEnv.THREADS_DEFAULTED, "1");
            Process worker = track(pb.start());
            assertTrue(worker.waitFor(300, TimeUnit.SECONDS), "the worker trains both runs and exits when idle");
            java.util.function.Supplier<String> output = () -> {
                try {
                    return Files.readString(dir.resolve("slots.out"));
                } catch (java.io.IOException e) {
                    return "no output: " + e;
                }
            };
            for (String run : runs) {
                assertEquals("finished", log.run(run).orElseThrow().status(), output);
                RunEvent.Started s = log.events(run).stream().map(StoredEvent::event).filter(e -> e instanceof RunEvent.Started)
                        .map(e -> (RunEvent.Started) e).findFirst().orElseThrow();
                assertEquals(NativeEnv.threadsEach(cores, 2), s.threads(), "each slot's products on its share of " + cores + " cores");
            }
        }
    }

    /**
     * A password written into the --db URL reaches the background trainer through its environment (PGPASSWORD), never
     * its command line: the trainer opens the log as a role that needs the password and trains the run. The shared
     * test server trusts local connections for its superuser only; the password role must give its password.
     */
    @Test
    void a_password_in_the_url_reaches_the_background_trainer_through_its_environment_only() throws Exception {
        String url = sparselab.store.LocalPostgres.testDatabase().replace("postgres@",
                sparselab.store.LocalPostgres.PASSWORD_ROLE + ":" + sparselab.store.LocalPostgres.PASSWORD + "@");
        try (EventLog log = EventLog.open(url)) {
            assertEquals(java.util.Map.of("PGPASSWORD", sparselab.store.LocalPostgres.PASSWORD), log.childEnvironment());
            String run = Runs.create(log, config(2, 50, 3), null, "test", null);
            Process trainer = track(BackgroundTrainer.spawn(log, run, false));
            // the whole command line, as other users of the machine see it (ProcessHandle.Info clips long ones)
            String commandLine = new String(Files.readAllBytes(Path.of("/proc", Long.toString(trainer.pid()), "cmdline"))).replace('\0', ' ');
            assertTrue(commandLine.contains("--run " + run), commandLine);
            assertFalse(commandLine.contains(sparselab.store.LocalPostgres.PASSWORD), "no password on the command line");
            assertTrue(trainer.waitFor(300, TimeUnit.SECONDS));
            assertEquals("finished", log.run(run).orElseThrow().status(), () -> read(run));
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"sqlite", "postgresql"})
    void a_killed_workers_run_is_resumed_by_another_with_the_numbers_of_an_uninterrupted_run(String kind) throws Exception {
        String db = kind.equals("sqlite") ? dir.resolve("kill.db").toString() : Logs.newLog(kind, dir);
        System.setProperty(RunExecutor.CHECKPOINT_PROPERTY, "0");
        try (EventLog log = EventLog.open(db)) {
            int epochs = 12;
            String whole = Runs.create(log, config(epochs, 1, 7), null, "test", null);
            // the reference in a trainer process too: the same native environment (thread counts) as the workers'
            Process ref = track(BackgroundTrainer.spawn(db, whole));
            assertTrue(ref.waitFor(300, TimeUnit.SECONDS));
            assertEquals("finished", log.run(whole).orElseThrow().status());
            String run = Runs.create(log, config(epochs, 1, 7), null, "test", null);
            Process first = track(BackgroundTrainer.spawnWorker(db, "first-" + kind, 60));
            waitFor("three epochs and a checkpoint", 300, () -> {
                RunRow r = log.run(run).orElseThrow();
                return r.epochsDone() >= 3 && r.lastCheckpointEpoch() != null;
            });
            first.destroyForcibly();                       // kill -9: no goodbye
            long killedAt = System.currentTimeMillis();
            assertTrue(first.waitFor(30, TimeUnit.SECONDS));
            Process second = track(BackgroundTrainer.spawnWorker(db, "second-" + kind, 4));
            waitFor("the takeover", 120, () -> log.run(run).orElseThrow().lease() >= 2);
            double seconds = (System.currentTimeMillis() - killedAt) / 1000.0;
            assertTrue(seconds <= RunRow.HEARTBEAT_TIMEOUT.toSeconds() + 10,
                    "taken over " + seconds + " s after the kill; allowed: heartbeat timeout + 10 s");
            assertTrue(second.waitFor(600, TimeUnit.SECONDS));
            assertEquals("finished", log.run(run).orElseThrow().status(), () -> read("second-" + kind));
            RunEvent.Started takeover = (RunEvent.Started) log.events(run).stream().map(StoredEvent::event)
                    .filter(e -> e instanceof RunEvent.Started).reduce((a, b) -> b).orElseThrow();
            assertEquals("second-" + kind, takeover.worker());
            assertTrue(takeover.fromEpoch() >= 2, "resumed from the checkpoint in the log, not from scratch");
            assertEquals(oneTo(epochs), loggedEpochs(log, run));
            assertEquals(log.metrics(whole).stream().map(EpochMetrics::loss).toList(),
                    log.metrics(run).stream().map(EpochMetrics::loss).toList(), "every loss equals the uninterrupted run's");
        } finally {
            System.clearProperty(RunExecutor.CHECKPOINT_PROPERTY);
        }
    }

    @Test
    void four_workers_drain_a_sixteen_run_sweep_on_postgresql_each_run_once() throws Exception {
        String db = Logs.newLog("postgresql", dir);
        try (EventLog log = EventLog.open(db)) {
            List<String> runs = new ArrayList<>();
            List<RunConfig> configs = new ArrayList<>();
            for (int i = 0; i < 16; i++) {
                configs.add(ConfigLoader.resolve(null, null, List.of("data=bars", "limit=500", "hidden=8", "epochs=4",
                        "batchSize=10", "seed=" + (i + 1))));
            }
            for (Runs.Prepared p : Runs.prepare(configs, log.shared())) runs.add(Runs.append(log, p, null, "sweep", "sweep-w4", null));
            List<Process> workers = new ArrayList<>();
            for (int w = 0; w < 4; w++) workers.add(track(BackgroundTrainer.spawnWorker(db, "w" + w, 5)));
            for (Process p : workers) assertTrue(p.waitFor(600, TimeUnit.SECONDS), "worker exits when the queue is empty");
            Set<String> by = new HashSet<>();
            for (String run : runs) {
                assertEquals("finished", log.run(run).orElseThrow().status());
                assertEquals(oneTo(4), loggedEpochs(log, run), "every epoch once, in order");
                assertEquals(1, ends(log, run));
                log.events(run).stream().map(StoredEvent::event).filter(e -> e instanceof RunEvent.Started)
                        .forEach(e -> by.add(((RunEvent.Started) e).worker()));
            }
            assertTrue(by.size() >= 2, "the runs were shared among the workers: " + by);
            for (int w = 0; w < 4; w++) {
                String out = read("w" + w);
                assertFalse(out.contains("Exception") || out.contains(" ERROR "), out);
            }
        }
    }
}
