package sparselab.cli;

import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;
import sparselab.config.ConfigLoader;
import sparselab.config.RunConfig;
import sparselab.log.RunEvent;
import sparselab.log.RunRow;
import sparselab.log.StoredEvent;
import sparselab.runs.BackgroundTrainer;
import sparselab.runs.Runs;
import sparselab.store.EventLog;
import sparselab.store.Lease;
import sparselab.store.LocalPostgres;

import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

@Command(name = "bench-workers", mixinStandardHelpOptions = true, usageHelpWidth = 110,
        description = {"Many machines on one PostgreSQL log, measured on this one: worker processes (standing in for machines) "
                + "drain a sweep, 1 worker against N in the same run; appends per second of 4 concurrent writers on PostgreSQL "
                + "against SQLite; and how long after a kill -9 another worker takes a run over.",
                "Starts a throwaway PostgreSQL server from the installed binaries (initdb, pg_ctl) and removes it at the end; "
                        + "it takes no --db. Every run is checked: finished once, every epoch once and in order."})
public class BenchWorkersCommand implements Callable<Integer> {
    @Spec CommandSpec spec;
    @Option(names = "--runs", defaultValue = "16", description = "runs in the sweep (default: ${DEFAULT-VALUE})") int runs;
    @Option(names = "--workers", defaultValue = "4", description = "worker processes of the parallel drain (default: ${DEFAULT-VALUE})") int workers;
    @Option(names = "--epochs", defaultValue = "20", description = "epochs of each sweep run (default: ${DEFAULT-VALUE})") int epochs;
    @Option(names = "--appends", defaultValue = "500", description = "epochs each concurrent writer appends (default: ${DEFAULT-VALUE})") int appends;

    @Override
    public Integer call() throws Exception {
        range("--runs", runs, 1, 1000);
        range("--workers", workers, 1, 32);
        range("--epochs", epochs, 1, 10_000);
        range("--appends", appends, 1, 100_000);
        PrintWriter out = spec.commandLine().getOut();
        Path tmp = Files.createTempDirectory("sparselab-bench-workers");
        System.setProperty(BackgroundTrainer.LOGS_PROPERTY, tmp.resolve("logs").toString());
        // the workers are detached (setsid), so they outlive this JVM unless it stops them: on any end, SIGTERM too
        Thread cleanup = new Thread(() -> cleanUp(tmp), "bench-workers-cleanup");
        Runtime.getRuntime().addShutdownHook(cleanup);
        try (LocalPostgres pg = LocalPostgres.start()) {
            out.printf("PostgreSQL %s; %d cores here%n", "127.0.0.1:" + pg.port(), Runtime.getRuntime().availableProcessors());
            double one = drain(pg.newDatabase(), 1, out);
            double many = drain(pg.newDatabase(), workers, out);
            out.printf("sweep of %d runs: 1 worker %.1f s, %d workers %.1f s: %s%n", runs, one, workers, many,
                    one >= many ? String.format("%.2fx faster", one / many) : String.format("%.2fx slower", many / one));
            double pgRate = appendRate(pg.newDatabase());
            double sqliteRate = appendRate(tmp.resolve("append.db").toString());
            out.printf("appends, 4 concurrent writers, one epoch (H = 196) per transaction: PostgreSQL %.0f/s, SQLite %.0f/s (%.2fx)%n",
                    pgRate, sqliteRate, pgRate / sqliteRate);
            takeover(pg.newDatabase(), out);
        } finally {
            cleanUp(tmp);
            try {
                Runtime.getRuntime().removeShutdownHook(cleanup);
            } catch (IllegalStateException shuttingDown) {
                // the hook runs (or ran) anyway
            }
        }
        return ExitCodes.OK;
    }

    private static void range(String option, int value, int min, int max) {
        if (value < min || value > max) throw new ExitCodes.RefusedException(option + ": " + value + " is out of range [" + min + ", " + max + "]");
    }

    /** The worker processes this bench started, stopped at its end. */
    private final List<Process> children = new ArrayList<>();       // guarded by itself

    private boolean closing;                    // guarded by children: no worker starts once the clean-up has begun

    /** A worker, one of {@code atOnce} on this machine at once (they share the cores out: NativeEnv.prepare). */
    private Process spawn(String db, String name, double idleSeconds, int atOnce) {
        synchronized (children) {
            if (closing) throw new IllegalStateException("bench-workers is stopping");
            Process p = BackgroundTrainer.spawnWorker(db, name, idleSeconds, atOnce);
            children.add(p);
            return p;
        }
    }

    /** Kills the workers still running (the bench's logs are thrown away) and deletes the bench's temporary folder. */
    private void cleanUp(Path tmp) {
        synchronized (children) {
            closing = true;
            for (Process p : children) if (p.isAlive()) p.destroyForcibly();
            for (Process p : children) {
                try {
                    p.waitFor(10, TimeUnit.SECONDS);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
        }
        TempFolder.delete(tmp);
    }

    private RunConfig config(int seed) {
        return ConfigLoader.resolve(null, null, List.of("data=bars", "limit=2000", "hidden=32", "epochs=" + epochs,
                "batchSize=10", "seed=" + seed));
    }

    /** Queues the sweep, starts {@code n} workers that exit when idle, and returns the wall time until all exited. */
    private double drain(String db, int n, PrintWriter out) throws Exception {
        try (EventLog log = EventLog.open(db)) {
            List<RunConfig> configs = new ArrayList<>();
            for (int i = 0; i < runs; i++) configs.add(config(i + 1));
            List<String> ids = new ArrayList<>();
            for (Runs.Prepared p : Runs.prepare(configs, log.shared())) ids.add(Runs.append(log, p, null, "sweep", "bench-workers", null));
            long t0 = System.nanoTime();
            List<Process> procs = new ArrayList<>();
            for (int w = 0; w < n; w++) procs.add(spawn(db, "bench-w" + n + "-" + w, 3, n));
            for (Process p : procs) {
                if (!p.waitFor(3600, TimeUnit.SECONDS)) throw new IllegalStateException("a worker did not finish in an hour");
            }
            double seconds = (System.nanoTime() - t0) / 1e9 - 3;      // less the idle wait before the workers exit (all exit together)
            int errors = check(log, ids);
            out.printf("  %d worker(s): %d runs finished exactly once, every epoch once and in order, %d errors; %.1f s%n",
                    n, runs - errors, errors, seconds);
            return seconds;
        }
    }

    private int check(EventLog log, List<String> ids) {
        int errors = 0;
        for (String id : ids) {
            List<Integer> epochsSeen = log.events(id).stream().map(StoredEvent::event).filter(e -> e instanceof RunEvent.EpochCompleted)
                    .map(e -> ((RunEvent.EpochCompleted) e).epoch()).toList();
            long finished = log.events(id).stream().filter(e -> e.event() instanceof RunEvent.Finished).count();
            boolean inOrder = epochsSeen.size() == epochs;
            for (int i = 0; inOrder && i < epochsSeen.size(); i++) inOrder = epochsSeen.get(i) == i + 1;
            if (!inOrder || finished != 1 || !log.require(id).status().equals("finished")) errors++;
        }
        return errors;
    }

    /** Four threads, each holding the lease of its own run, append one epoch per transaction. */
    private double appendRate(String db) throws Exception {
        try (EventLog log = EventLog.open(db)) {
            ExecutorService pool = Executors.newFixedThreadPool(4);
            List<Lease> leases = new ArrayList<>();
            for (int i = 0; i < 4; i++) {
                String id = log.create(new RunEvent.Created(config(i).toMap(), null, "f00d", Map.of(), "bench", null));
                leases.add(log.claim(id, new RunEvent.Started(1, "h", 1, 0, "f00d", Map.of()), r -> true).orElseThrow());
            }
            double[] rho = new double[196];
            java.util.Arrays.fill(rho, 0.1);
            long t0 = System.nanoTime();
            List<Future<?>> fs = new ArrayList<>();
            for (Lease lease : leases) {
                fs.add(pool.submit(() -> {
                    for (int e = 1; e <= appends; e++) {
                        lease.append(new RunEvent.EpochCompleted(e, 1.0 / e, 0.9 / e, 0.05, 0.01, 0.1, rho, 0.2, 1.5, 3, 0.01,
                                false, 0.95 / e, 0.2, 5000));
                    }
                    return null;
                }));
            }
            for (Future<?> f : fs) f.get();
            double rate = 4.0 * appends / ((System.nanoTime() - t0) / 1e9);
            pool.shutdown();
            return rate;
        }
    }

    /**
     * Epochs of the run the takeover part trains: far more than any machine trains before the kill (bars, batch 1: 400
     * epochs took 12 s on a fast machine, so these would take half an hour there); the run is cancelled once taken over.
     */
    static final int TAKEOVER_EPOCHS = 50_000;

    /**
     * A worker is killed (-9) mid-run, as soon as the run's first checkpoint is in the log and a second worker, waiting,
     * beats; the second takes the run over once its heartbeat lapses, and the run is then cancelled.
     */
    private void takeover(String db, PrintWriter out) throws Exception {
        try (EventLog log = EventLog.open(db)) {
            RunConfig cfg = ConfigLoader.resolve(null, null, List.of("data=bars", "limit=2000", "hidden=32", "epochs=" + TAKEOVER_EPOCHS,
                    "batchSize=1", "seed=5"));
            String id = Runs.append(log, Runs.prepare(List.of(cfg), log.shared()).get(0), null, "bench", null, null);
            Process first = spawn(db, "bench-first", 600, 2);
            long deadline = System.currentTimeMillis() + 300_000;
            RunRow r;
            while ((r = log.require(id)).lease() < 1) {
                stillPossible(r, first, "the first worker", "claimed it", deadline);
                Thread.sleep(50);
            }
            Process second = spawn(db, "bench-second", 3, 2);   // waits while a run trains anywhere
            while ((r = log.require(id)).lastCheckpointEpoch() == null
                    || sparselab.runs.WorkerLoop.alive(log).stream().noneMatch(w -> w.name().equals("bench-second"))) {
                stillPossible(r, first, "the first worker", "wrote its first checkpoint", deadline);
                if (!second.isAlive()) throw new IllegalStateException("the second worker exited (code " + second.exitValue() + ") before it beat");
                Thread.sleep(50);
            }
            first.destroyForcibly();
            long killed = System.nanoTime();
            int killedAt = log.require(id).epochsDone();
            while ((r = log.require(id)).lease() < 2) {
                String why = noTakeover(r);
                if (why != null) throw new IllegalStateException(why);
                if (!second.isAlive()) throw new IllegalStateException("the second worker exited (code " + second.exitValue() + ") before it took the run over");
                if (System.nanoTime() - killed > 300e9) throw new IllegalStateException("no takeover in 5 minutes after the kill");
                Thread.sleep(50);
            }
            double s = (System.nanoTime() - killed) / 1e9;
            out.printf("kill -9 of a worker at epoch %d, once its run's first checkpoint was in the log: run taken over by %s %.1f s later "
                            + "(heartbeat timeout %d s), from epoch %d; then cancelled%n",
                    killedAt, r.worker(), s, RunRow.HEARTBEAT_TIMEOUT.toSeconds(), ((RunEvent.Started) log.events(id).stream()
                            .map(StoredEvent::event).filter(e -> e instanceof RunEvent.Started).reduce((a, b) -> b).orElseThrow()).fromEpoch());
            log.append(id, new RunEvent.CancelRequested("bench"));
            second.waitFor(120, TimeUnit.SECONDS);
            second.destroyForcibly();
        }
    }

    /** Throws, at once and saying why, when the takeover part can no longer go on while it waits for {@code what}. */
    private static void stillPossible(RunRow r, Process worker, String who, String what, long deadline) {
        if (r.ended()) {
            throw new IllegalStateException("the run " + r.runId() + " ended (" + r.status() + ", " + r.epochsDone() + " of " + r.epochsTotal()
                    + " epochs) before " + who + " " + what + (r.error() == null ? "" : ": " + r.error()));
        }
        if (!worker.isAlive()) throw new IllegalStateException(who + " exited (code " + worker.exitValue() + ") before it " + what);
        if (System.currentTimeMillis() > deadline) throw new IllegalStateException(who + " had not " + what + " in 5 minutes");
    }

    /**
     * Why a takeover of the run, whose trainer was killed, can no longer come: it ended (finished, diverged, failed or
     * cancelled) with its first lease; null while it may still come (running with a lapsing heartbeat, or queued).
     */
    static String noTakeover(RunRow r) {
        if (r.lease() >= 2 || !r.ended()) return null;
        return "the run " + r.runId() + " ended (" + r.status() + ", " + r.epochsDone() + " of " + r.epochsTotal() + " epochs) before another "
                + "worker took it over: it ended in the worker before the kill, so there was nothing to take over"
                + (r.error() == null ? "" : " (" + r.error() + ")");
    }
}
