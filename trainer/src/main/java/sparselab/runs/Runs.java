package sparselab.runs;

import sparselab.config.ConfigException;
import sparselab.config.ConfigKeys;
import sparselab.config.Limits;
import sparselab.config.LogEstimate;
import sparselab.config.RunConfig;
import sparselab.data.DataSets;
import sparselab.data.Dataset;
import sparselab.store.EventLog;
import sparselab.log.RunEvent;
import sparselab.log.RunRow;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/** Creating runs: checked configuration, loadable data, one {@code created} event. */
public final class Runs {
    private Runs() {}

    /** The folder of the demo digits and other fetched data: $SPARSELAB_DATA, else ./data. */
    public static Path dataDir() {
        String env = System.getenv("SPARSELAB_DATA");
        return Path.of(env == null || env.isBlank() ? "data" : env).toAbsolutePath();
    }

    /**
     * Checks that the run's data set loads (so a refused file never becomes a run) and that the run fits the limits
     * of the environment ({@link Limits#fromEnvironment()}), then appends its {@code created} event; the run is queued.
     * A relative {@code idx:} path is made absolute, so that a trainer started elsewhere reads the same file.
     *
     * @return the new run's id
     */
    public static String create(EventLog log, RunConfig cfg, String preset, String origin, String group) {
        Limits limits = Limits.fromEnvironment();
        List<Prepared> p = prepare(List.of(cfg), dataDir(), limits, log.shared());
        return createAll(log, p, List.of(created(p.get(0), preset, origin, group, null)), limits).get(0);
    }

    /**
     * A configuration whose data set loaded and whose log estimate fits the limit per run: ready to become a run.
     *
     * @param estimatedBytes what the run will add to the log ({@link LogEstimate})
     */
    public record Prepared(RunConfig config, String dataFingerprint, long estimatedBytes) {}

    /** {@link #prepare(List, Path, Limits, boolean)} with the data folder and the limits of the environment. */
    public static List<Prepared> prepare(List<RunConfig> configs, boolean shared) {
        return prepare(configs, dataDir(), Limits.fromEnvironment(), shared);
    }

    /**
     * Loads the data set of every configuration (each distinct data set and limit once) and checks each run's log
     * estimate against {@link Limits#maxRunBytes()} before anything is written, so that a group of runs is refused
     * whole or queued whole. A refusal names the key or the limit.
     *
     * @param dataDir where {@code mnist} is looked for (see {@link #dataDir()})
     * @param shared  whether the runs go to a log on a database server ({@link EventLog#shared()}), where the space of a
     *                replaced checkpoint is free later than in a file ({@link LogEstimate#checkpointsHeld})
     */
    public static List<Prepared> prepare(List<RunConfig> configs, Path dataDir, Limits limits, boolean shared) {
        return prepare(configs, dataDir, limits, shared, null);
    }

    /** A prepared run with the data set it was prepared on, loaded once: for a command that trains it here at once. */
    public record PreparedWithData(Prepared prepared, Dataset data) {}

    /**
     * {@link #prepare(List, boolean)} of one configuration, keeping the data set it loaded: a foreground `train`
     * trains on the very samples whose fingerprint and size were checked, without loading them a second time.
     */
    public static PreparedWithData prepareWithData(RunConfig config, boolean shared) {
        Map<String, Dataset> kept = new HashMap<>();
        Prepared p = prepare(List.of(config), dataDir(), Limits.fromEnvironment(), shared, kept).get(0);
        return new PreparedWithData(p, kept.values().iterator().next());
    }

    private static List<Prepared> prepare(List<RunConfig> configs, Path dataDir, Limits limits, boolean shared, Map<String, Dataset> keep) {
        Map<String, Loaded> loaded = new HashMap<>();
        List<Prepared> out = new ArrayList<>();
        List<ConfigException.FieldError> tooBig = new ArrayList<>();
        for (RunConfig cfg : configs) {
            RunConfig c = absoluteData(cfg);
            Loaded l = loaded.computeIfAbsent(c.data() + "\n" + c.limit(), k -> {
                Dataset data = DataSets.load(c.data(), dataDir, c.limit());
                if (data.count() < 2) throw new ConfigException("limit", "the data set has " + (data.count() == 1 ? "1 sample" : data.count() + " samples")
                        + "; at least 2 are needed");
                if (keep != null) keep.put(k, data);
                return new Loaded(data.fingerprint(), data.dim(), data.count());
            });
            int train = l.count() - DataSets.heldOut(l.count(), c.holdout());
            if (train < 2) {
                throw new ConfigException("holdout", "holdout " + c.holdout() + " of " + l.count() + " samples leaves " + train
                        + " to train on; at least 2 are needed (a smaller holdout, or a larger limit)");
            }
            int held = LogEstimate.checkpointsHeld(shared, RunExecutor.checkpointSeconds(), c.epochs());
            ConfigException.FieldError over = LogEstimate.overLimit(c, l.dim(), held, limits);
            if (over != null) tooBig.add(over);
            out.add(new Prepared(c, l.fingerprint(), LogEstimate.bytes(c, l.dim(), held)));
        }
        if (!tooBig.isEmpty()) throw new ConfigException(tooBig);
        return out;
    }

    private record Loaded(String fingerprint, int dim, int count) {}

    /**
     * Creates the prepared runs, {@code created} their events in the same order, all or none: refused when they would
     * take the log over {@link Limits#maxLogBytes()} (its present size, what the runs queued or running may still
     * write, and the estimates of {@code runs}), checked in the transaction that writes them, so that runs created or
     * resumed at once by other processes are counted (see EventLog#withRoom).
     *
     * @return the new runs' ids, in the order of {@code created}
     */
    public static List<String> createAll(EventLog log, List<Prepared> runs, List<RunEvent.Created> created, Limits limits) {
        return createAll(log, runs, created, limits, null);
    }

    /**
     * As above, for the runs of a new group (a sweep's or a ladder's, named by {@link Groups#newName}): refused, naming
     * {@code name}, when another process created runs in a group of that name since it was chosen, so that two sweeps
     * named alike at once never share a group (null: no new group).
     */
    public static List<String> createAll(EventLog log, List<Prepared> runs, List<RunEvent.Created> created, Limits limits,
                                         String newGroup) {
        long add = 0;
        for (Prepared p : runs) add = saturatedAdd(add, p.estimatedBytes());
        long adding = add;
        return log.withRoom(room -> {
            checkRoom(room, null, adding, runs.size() == 1 ? "the run" : "the " + runs.size() + " runs", limits);
            if (newGroup != null && room.hasGroup(newGroup)) {
                throw new ConfigException("name", "the group '" + newGroup + "' exists already; choose another name");
            }
            List<String> ids = new ArrayList<>();
            for (RunEvent.Created c : created) ids.add(room.create(c));
            return ids;
        });
    }

    /**
     * Creates one run already claimed by this process ({@code started}), in one transaction, checked against the log's
     * limit as {@link #createAll} checks: a foreground `train` trains what it creates, and no worker or dashboard pool
     * ever sees the run queued (before, a worker polling while the trainer loaded its data could claim it first, and
     * a pool started a trainer that was then refused).
     */
    public static sparselab.store.Lease createClaimed(EventLog log, Prepared run, RunEvent.Created created, RunEvent.Started started, Limits limits) {
        return log.withRoom(room -> {
            checkRoom(room, null, run.estimatedBytes(), "the run", limits);
            String id = room.create(created);
            return room.claim(id, started, r -> true).orElseThrow(() -> new IllegalStateException("run " + id + " created in this transaction could not be claimed"));
        });
    }

    /** {@link #createAll(EventLog, List, List, Limits)} with the limits of the environment. */
    public static List<String> createAll(EventLog log, List<Prepared> runs, List<RunEvent.Created> created) {
        return createAll(log, runs, created, Limits.fromEnvironment());
    }

    /**
     * Refuses, before a new SQLite log is created for them, runs whose estimates alone come to more than the limit per
     * log, so that the refused command leaves no empty log behind; a log that exists (or a server's) is checked as the
     * runs are written ({@link #createAll}).
     */
    public static void checkNewLog(String db, List<Prepared> runs, Limits limits) {
        var file = EventLog.missingFile(db);
        if (file.isEmpty()) return;
        long add = 0;
        for (Prepared p : runs) add = saturatedAdd(add, p.estimatedBytes());
        if (add > limits.maxLogBytes()) {
            throw new ConfigException("maxLogBytes", "the log " + file.get() + " does not exist yet, and " + (runs.size() == 1 ? "the run" : "the " + runs.size() + " runs")
                    + " would add about " + Limits.bytes(add) + "; the limit per log is " + Limits.bytes(limits.maxLogBytes())
                    + " (" + Limits.LOG_BYTES + "): raise the limit, or train fewer epochs or fewer runs");
        }
    }

    /**
     * Refuses {@code add} more bytes (what {@code what} would write) when the log's present size, what the runs queued
     * or running may still write (their estimates for the epochs they have left; {@code except} is not counted) and
     * {@code add} come to more than {@link Limits#maxLogBytes()}. Read in the room's transaction: the write that
     * follows in it is counted by the next check.
     */
    static void checkRoom(EventLog.Room room, String except, long add, String what, Limits limits) {
        long now = room.sizeBytes();
        long pending = pendingBytes(room, except);
        if (saturatedAdd(saturatedAdd(now, pending), add) > limits.maxLogBytes()) {
            throw new ConfigException("maxLogBytes", "the log " + room.describe() + " has " + Limits.bytes(now)
                    + (pending > 0 ? ", the runs queued or running in it may add about " + Limits.bytes(pending) + "," : "")
                    + " and " + what + " would add about " + Limits.bytes(add) + "; the limit per log is " + Limits.bytes(limits.maxLogBytes())
                    + " (" + Limits.LOG_BYTES + "): start a new log (--db) or raise the limit");
        }
    }

    /** How many unfinished runs {@link #pendingBytes} counts at most (their queue is bounded by a few hundred). */
    private static final int PENDING_COUNTED = 10_000;

    /** What the runs queued or running (but {@code except}) may still write: each one's estimate for the epochs it has left. */
    static long pendingBytes(EventLog.Room room, String except) {
        Map<String, Integer> dims = new HashMap<>();
        long sum = 0;
        for (RunRow r : room.unfinished(PENDING_COUNTED)) {
            if (!r.runId().equals(except)) sum = saturatedAdd(sum, remainingBytes(room.shared(), r, dims));
        }
        return sum;
    }

    /**
     * A run's log estimate for the epochs it has left; 0 when it cannot be made here (a configuration of a newer
     * version, a data set this machine does not have).
     */
    private static long remainingBytes(boolean shared, RunRow r, Map<String, Integer> dims) {
        RunConfig c;
        try {
            c = ConfigKeys.build(r.configMap());
        } catch (RuntimeException e) {
            return 0;
        }
        int dim = dims.computeIfAbsent(c.data(), k -> {
            try {
                return DataSets.dim(c.data(), dataDir());
            } catch (RuntimeException e) {
                return -1;
            }
        });
        if (dim < 0 || c.epochs() <= 0) return 0;
        long full = LogEstimate.bytes(c, dim, LogEstimate.checkpointsHeld(shared, RunExecutor.checkpointSeconds(), c.epochs()));
        int left = Math.max(0, c.epochs() - r.epochsDone());
        return (long) (full * ((double) left / c.epochs()));
    }

    /**
     * Refuses to queue a stopped run again when what it has left would take the log over its limit, or is over the
     * limit per run (both may have been lowered since it was created). Call it in the transaction that queues or
     * claims the run again ({@link #requeue}, {@link #claimResumed}); alone (an early refusal before a trainer is
     * started) it only reads.
     */
    public static void checkResumeRoom(EventLog.Room room, RunRow r, Limits limits) {
        long left = remainingBytes(room.shared(), r, new HashMap<>());
        if (left > limits.maxRunBytes()) {
            throw new ConfigException("maxRunBytes", "run " + r.runId() + " would add about " + Limits.bytes(left) + " for its remaining epochs; "
                    + "the limit per run is " + Limits.bytes(limits.maxRunBytes()) + " (" + Limits.RUN_BYTES + ")");
        }
        checkRoom(room, r.runId(), left, "run " + r.runId() + " (its remaining epochs)", limits);
    }

    /** {@link #checkResumeRoom(EventLog.Room, RunRow, Limits)} alone, on the run as the log has it now: writes nothing. */
    public static void checkResumeRoom(EventLog log, RunRow r, Limits limits) {
        log.withRoom(room -> {
            checkResumeRoom(room, r, limits);
            return null;
        });
    }

    /**
     * Queues a stopped run again with the events {@code decide} returns for its current row (it refuses by throwing),
     * checking its remaining epochs against the limits in the same transaction: resumes of different runs at once,
     * from any processes, never take the log over its limit together.
     */
    public static void requeue(EventLog log, String runId, java.util.function.Function<RunRow, List<RunEvent>> decide, Limits limits) {
        log.withRoom(room -> room.appendChecked(runId, r -> {
            List<RunEvent> events = decide.apply(r);
            if (!events.isEmpty()) checkResumeRoom(room, r, limits);
            return events;
        }));
    }

    /**
     * Claims a run for {@code sparselab resume} when {@code mayStart} accepts it, checking its remaining epochs against
     * the limits in the claim's transaction (see {@link #requeue}); a refusal throws {@link ConfigException}.
     */
    public static java.util.Optional<sparselab.store.Lease> claimResumed(EventLog log, String runId, RunEvent.Started started,
                                                                         java.util.function.Predicate<RunRow> mayStart, Limits limits) {
        return log.withRoom(room -> room.claim(runId, started, r -> {
            if (!mayStart.test(r)) return false;
            checkResumeRoom(room, r, limits);
            return true;
        }));
    }

    private static long saturatedAdd(long a, long b) {
        long r = a + b;
        return ((a ^ r) & (b ^ r)) < 0 ? Long.MAX_VALUE : r;
    }

    /** The {@code created} event of a prepared run; {@code ladder} is its ladder step or null. */
    public static RunEvent.Created created(Prepared p, String preset, String origin, String group, RunEvent.LadderStep ladder) {
        return new RunEvent.Created(p.config().toMap(), preset, p.dataFingerprint(), Provenance.current(), origin, group, ladder);
    }

    /**
     * Appends the {@code created} event of a prepared run without checking the log's room ({@link #createAll} does):
     * tests and benchmarks on logs of their own.
     */
    public static String append(EventLog log, Prepared p, String preset, String origin, String group, RunEvent.LadderStep ladder) {
        return log.create(created(p, preset, origin, group, ladder));
    }

    static RunConfig absoluteData(RunConfig cfg) {
        if (!cfg.data().startsWith("idx:")) return cfg;
        return cfg.with("data", "idx:" + Path.of(cfg.data().substring(4)).toAbsolutePath().normalize());
    }
}
