package sparselab.cli;

import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;
import sparselab.config.ConfigLoader;
import sparselab.config.RunConfig;
import sparselab.data.Dataset;
import sparselab.log.RunEvent;
import sparselab.store.Lease;
import sparselab.store.EventLog;
import sparselab.runs.BackgroundTrainer;
import sparselab.runs.RunExecutor;
import sparselab.runs.Runs;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;

@Command(name = "train", mixinStandardHelpOptions = true,
        description = "Create a run and train it (foreground with a progress bar, or --background).")
public class TrainCommand implements Callable<Integer> {
    @Mixin DbOption db;
    @Spec CommandSpec spec;

    @Option(names = "--preset", completionCandidates = PresetNames.class, description = "a named recipe: ${COMPLETION-CANDIDATES}") String preset;
    @Option(names = "--config", paramLabel = "FILE.json", description = "JSON object of key: value") Path config;
    @Option(names = "--set", paramLabel = "key=value", description = "set one configuration key (repeatable)") List<String> sets = new ArrayList<>();
    @Option(names = "--background", description = "start a detached trainer and print the run id at once") boolean background;

    @Override
    public Integer call() {
        RunConfig cfg = ConfigLoader.resolve(preset, config, sets);
        ConfigLoader.repeats(sets, false).forEach(spec.commandLine().getErr()::println);
        // data checked before the log is even opened; in the foreground the run trains on the samples checked here
        Runs.PreparedWithData checked = Runs.prepareWithData(cfg, db.shared());
        Runs.Prepared prepared = checked.prepared();
        Runs.checkNewLog(db.db, List.of(prepared), sparselab.config.Limits.fromEnvironment());   // a refusal creates no log file
        EventLog log = db.open();
        RunEvent.Created created = Runs.created(prepared, ConfigLoader.preset(preset, config), "cli", null, null);
        if (background) {
            // checked against the log's limit in the transaction that creates it
            String runId = Runs.createAll(log, List.of(prepared), List.of(created)).get(0);
            coreTypeNote(spec);
            return run(spec, db.db, log, runId, true, false);
        }
        // in the foreground the run is created already claimed by this process, in one transaction: no worker or
        // dashboard pool sees it queued while its data loads
        Dataset data = checked.data();
        Lease lease = Runs.createClaimed(log, prepared, created, RunExecutor.startedEvent(data.fingerprint(), null),
                sparselab.config.Limits.fromEnvironment());
        coreTypeNote(spec);
        return foreground(spec, db.db, log, lease.runId(), exec -> exec.train(lease, data));
    }

    /**
     * The note on a weak OpenBLAS core type, once the run is created: every refusal (the configuration, the data, the
     * log's limit, the log itself) comes before it and says only what is wrong.
     */
    private static void coreTypeNote(CommandSpec spec) {
        sparselab.runs.NativeEnv.coreTypeNote().ifPresent(spec.commandLine().getErr()::println);
    }

    /** "run ID finished: 3 epochs" ("3 iterations" for L-BFGS); the status is said once, whether or not the message starts with it. */
    static String outcome(RunExecutor.Outcome o) {
        return "run " + o.runId() + " " + (o.message().startsWith(o.status()) ? o.message() : o.status() + ": " + o.message());
    }

    /**
     * Where a run was when it was queued for the workers: its last event's seq and its lease (a new run: 0, 0); what
     * comes after is this queueing's.
     */
    record Queued(long seq, long lease) {
        static final Queued NEW = new Queued(0, 0);
    }

    /** System property: how long {@code train --background} waits for a free worker to claim its run (seconds, default 10). */
    static final String WAIT_PROPERTY = "sparselab.workerWaitSeconds";

    /**
     * Waits for one of the free workers {@code idle} to claim the queued run: the line that says who started it, or
     * that it is still queued when the wait runs out; null when every one of them refused it (each refusal said on
     * the way, with its reason), so that a trainer is started here.
     */
    static String awaitWorkers(EventLog log, String runId, List<String> idle, java.io.PrintWriter err, Queued queued) {
        long deadline = System.nanoTime() + (long) (Double.parseDouble(System.getProperty(WAIT_PROPERTY, "10")) * 1e9);
        java.util.Map<String, String> refusals = new java.util.LinkedHashMap<>();
        while (true) {
            sparselab.log.RunRow r = log.run(runId).orElseThrow();
            if (!r.status().equals("queued")) {
                // a claim since it was queued takes a new lease; a run queued again keeps its last worker's name until then
                return "run " + runId + " " + (r.worker() != null && r.lease() > queued.lease() ? "started by " + r.worker() : "is " + r.status());
            }
            // only the refusals since it was queued (a run queued again may hold older ones), read from the newest back
            int since = (int) Math.min(1000, r.lastSeq() - queued.seq());
            for (sparselab.log.StoredEvent e : since <= 0 ? List.<sparselab.log.StoredEvent>of() : log.eventsTail(runId, Long.MAX_VALUE, since)) {
                if (e.seq() > queued.seq() && e.event() instanceof sparselab.log.RunEvent.Refused f && idle.contains(f.worker())) {
                    refusals.putIfAbsent(f.worker(), f.reason());
                }
            }
            if (refusals.keySet().containsAll(idle)) {
                StringBuilder said = new StringBuilder();
                refusals.forEach((w, why) -> said.append(said.length() == 0 ? "" : "; ").append(w).append(": ").append(why.replace('\n', ' ')));
                err.println("run " + runId + " refused by " + (idle.size() == 1 ? "the free worker" : "every free worker") + " (" + said + ")");
                return null;
            }
            if (System.nanoTime() > deadline) {
                return "run " + runId + " is still queued: no free worker has claimed it yet (they claim at their next poll; `runs` shows who trains it)";
            }
            try {
                Thread.sleep(200);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return "run " + runId + " is queued for the workers";
            }
        }
    }

    /**
     * Who took the run after every free worker refused it and a trainer (process {@code pid}) was started here: that
     * trainer, or a worker that freed up meanwhile and claimed it first (the trainer here then finds it taken and ends);
     * waits as {@link #awaitWorkers} does.
     */
    static String claimedAfterSpawn(EventLog log, String runId, long pid, String output, Queued queued) {
        long deadline = System.nanoTime() + (long) (Double.parseDouble(System.getProperty(WAIT_PROPERTY, "10")) * 1e9);
        while (true) {
            sparselab.log.RunRow r = log.run(runId).orElseThrow();
            if (!r.status().equals("queued")) {
                if (r.worker() != null && r.lease() > queued.lease() && !startedHere(r, pid)) {
                    return "run " + runId + " started by " + r.worker() + ", a worker that freed up meanwhile (the trainer started here "
                            + "finds the run taken and ends)";
                }
                return "run " + runId + ": started a trainer here instead (output in " + output + ")"
                        + (r.status().equals("running") ? "" : "; the run is " + r.status());
            }
            if (System.nanoTime() > deadline) {
                return "run " + runId + ": started a trainer here instead (output in " + output + "); it has not claimed the run yet "
                        + "(`runs` shows who trains it)";
            }
            try {
                Thread.sleep(200);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return "run " + runId + ": started a trainer here instead (output in " + output + ")";
            }
        }
    }

    /** Whether the run's trainer is the process {@code pid} started here: a trainer of its own claims as host:pid. */
    private static boolean startedHere(sparselab.log.RunRow r, long pid) {
        return (sparselab.runs.Provenance.host() + ":" + pid).equals(r.worker());
    }

    /**
     * The command that continues {@code runId} in the log {@code db} (as {@code --db} was given), for a shell:
     * {@code sparselab resume ID}, with {@code --db} unless it is the default, quoted where a shell would split it.
     */
    static String resumeCommand(String runId, String db) {
        String d = db == null || db.equals("sparselab.db") ? "" : " --db " + (db.matches("[A-Za-z0-9_./:@=+%,-]+") ? db : "'" + db.replace("'", "'\\''") + "'");
        return "./sparselab resume " + runId + d;
    }

    /**
     * {@link #resumeCommand} for the log {@code log} opened from {@code db}: a database server's URL as child processes
     * are given it, without a password (never printed: it comes from PGPASSWORD or ~/.pgpass), a file as it was given.
     */
    static String resumeCommand(String runId, String db, EventLog log) {
        return EventLog.isShared(db) ? resumeCommand(runId, log.locator()) : resumeCommand(runId, db);
    }

    /**
     * Trains {@code runId} in the foreground with a progress bar, or detached; prints the run id. A foreground run
     * stopped by Ctrl-C (or SIGTERM) says, on its way out, how to continue it.
     */
    static int run(CommandSpec spec, String db, EventLog log, String runId, boolean background, boolean resume) {
        return run(spec, db, log, runId, background, resume, Queued.NEW);
    }

    /** {@link #run(CommandSpec, String, EventLog, String, boolean, boolean)} of a run queued again at {@code queued}. */
    static int run(CommandSpec spec, String db, EventLog log, String runId, boolean background, boolean resume, Queued queued) {
        if (background) {
            // a trainer started here would race the idle workers and pools for the queued run, and lose to a worker
            // that polls (its JVM starts slower) or start next to a pool's trainer
            List<sparselab.store.WorkerInfo> idle = resume ? List.of() : sparselab.runs.WorkerLoop.freeServers(log);
            if (!idle.isEmpty()) {
                spec.commandLine().getErr().println("run " + runId + " queued for the workers: "
                        + String.join(", ", idle.stream().map(w -> w.name() + (sparselab.runs.WorkerLoop.isPool(w) ? " (a dashboard's pool)" : "")).toList())
                        + (idle.size() == 1 ? " has a free slot and starts" : " have free slots and start") + " queued runs within seconds (no trainer "
                        + "started here; `runs` shows who trains it)");
                spec.commandLine().getOut().println(runId);
                spec.commandLine().getOut().flush();
                String after = awaitWorkers(log, runId, idle.stream().map(sparselab.store.WorkerInfo::name).toList(), spec.commandLine().getErr(), queued);
                if (after != null) {
                    spec.commandLine().getErr().println(after);
                    return ExitCodes.OK;
                }
                // every free worker refused the run (its data differs there, say): trained here, as without workers
                Process here = BackgroundTrainer.spawn(log, runId, resume);
                spec.commandLine().getErr().println(claimedAfterSpawn(log, runId, here.pid(),
                        BackgroundTrainer.logs(log.locator()).resolve(runId + ".log").toString(), queued));
                return ExitCodes.OK;
            }
            BackgroundTrainer.spawn(log, runId, resume);
            spec.commandLine().getOut().println(runId);
            return ExitCodes.OK;
        }
        return foreground(spec, db, log, runId, exec -> exec.execute(runId, resume));
    }

    /** Trains run {@code runId} in this process with a progress bar ({@code train}: what the executor does with it). */
    static int foreground(CommandSpec spec, String db, EventLog log, String runId, java.util.function.Function<RunExecutor, RunExecutor.Outcome> train) {
        RunExecutor.Outcome o;
        java.io.PrintWriter err = spec.commandLine().getErr();
        java.util.concurrent.atomic.AtomicBoolean ended = new java.util.concurrent.atomic.AtomicBoolean();
        // the JVM ends without returning here: the run is left running in the log, and reads as interrupted at once
        // (its trainer on this host is gone), which resume takes
        Thread hint = new Thread(() -> {
            if (ended.get()) return;
            String steps = "epochs";
            try {
                java.util.Optional<sparselab.log.RunRow> row = log.run(runId);
                if (row.map(sparselab.log.RunRow::ended).orElse(false)) return;   // it finished as Ctrl-C came
                // an L-BFGS run logs iterations, and says so as its progress lines do
                steps = row.map(r -> sparselab.config.Choices.Optimizer.stepWord(r.configMap().get("optimizer")) + "s").orElse(steps);
            } catch (RuntimeException unreadable) {
                // the log cannot be read now: say how to go on all the same
            }
            err.println();
            err.println("stopped: run " + runId + " keeps the " + steps + " it logged; `" + resumeCommand(runId, db, log) + "`"
                    + (EventLog.isShared(db) ? " (its password from PGPASSWORD or ~/.pgpass)" : "") + " continues it from its "
                    + "last checkpoint, or from the start without one (" + steps + " already logged are trained again, not logged again)");
            err.flush();
        }, "train-stop");
        Runtime.getRuntime().addShutdownHook(hint);
        try (ProgressListener bar = ProgressListener.forConsole(err)) {
            o = train.apply(new RunExecutor(log, bar));
        } finally {
            ended.set(true);
            try {
                Runtime.getRuntime().removeShutdownHook(hint);
            } catch (IllegalStateException shuttingDown) {
                // the JVM is on its way out: the hook runs and says nothing, the run has ended
            }
        }
        if (o.status().equals("refused")) throw new ExitCodes.RefusedException(o.message());
        spec.commandLine().getErr().println(outcome(o));
        spec.commandLine().getOut().println(runId);
        return exitCode(o);
    }

    /**
     * A foreground train's exit code: 0 when it ended the run as it should (finished, diverged, cancelled), 1 when the
     * run failed, its log could not be reached, or another trainer took it over, so that this command did not train it
     * to its end (a script's `train && export` would go on with a run still training elsewhere).
     */
    static int exitCode(sparselab.runs.RunExecutor.Outcome o) {
        return o.ok() && !o.superseded() ? ExitCodes.OK : ExitCodes.FAILURE;
    }
}
