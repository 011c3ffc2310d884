package sparselab.runs;

import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import sparselab.config.Choices;
import sparselab.config.ConfigException;
import sparselab.config.ConfigKeys;
import sparselab.config.Limits;
import sparselab.config.RunConfig;
import sparselab.data.DataSets;
import sparselab.data.Dataset;
import sparselab.log.Blob;
import sparselab.store.EventLog;
import sparselab.store.Lease;
import sparselab.store.StoreException;
import sparselab.log.RunEvent;
import sparselab.log.RunRow;
import sparselab.model.DivergenceWatch;
import sparselab.model.EpochStats;
import sparselab.model.ModelState;
import sparselab.model.SparseAutoencoder;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Trains one run of the log and records it: claims the run ({@code started}), then per epoch one transaction with
 * {@code epoch_completed}, the {@code weight_snapshot} the schedule asks for with its {@code filter_measures}
 * ({@link SnapshotMeasures}) and a {@code checkpoint}; heartbeats
 * from a side thread, which also watches for {@code cancel_requested}; ends with {@code finished},
 * {@code diverged}, {@code cancelled} or {@code failed}. Killed at any moment, the log holds whole epochs only,
 * and {@link #execute(String, boolean) resume} continues from the last checkpoint with the same numbers.
 */
public final class RunExecutor {
    private static final Logger LOG = LoggerFactory.getLogger(RunExecutor.class);
    /** System property: seconds between a trainer's heartbeats (default 5; the takeover tests shorten it). */
    public static final String HEARTBEAT_PROPERTY = "sparselab.heartbeatSeconds";
    static final long HEARTBEAT_MS = (long) (Double.parseDouble(System.getProperty(HEARTBEAT_PROPERTY, "5")) * 1000);
    /** System property: seconds between checkpoints (default 10; tests set 0 to checkpoint every epoch). */
    public static final String CHECKPOINT_PROPERTY = "sparselab.checkpointSeconds";
    /**
     * A checkpoint (parameters and updater state, megabytes) is written at most this often (a finished run needs
     * none); per-epoch events and snapshots are small. A resume repeats at most this much training.
     */
    static final double CHECKPOINT_SECONDS = 10;

    /** The checkpoint interval in seconds: {@link #CHECKPOINT_SECONDS}, or {@link #CHECKPOINT_PROPERTY} when set (read by each executor). */
    public static double checkpointSeconds() {
        return Double.parseDouble(System.getProperty(CHECKPOINT_PROPERTY, Double.toString(CHECKPOINT_SECONDS)));
    }

    static long checkpointNanos() {
        return (long) (checkpointSeconds() * 1e9);
    }

    /**
     * What a foreground caller sees while a run trains (a progress bar). {@code step} is the word for one logged epoch
     * ({@link Choices.Optimizer#stepWord}): "iteration" for a full-batch L-BFGS run, else "epoch".
     */
    public interface Listener {
        Listener NONE = new Listener() {};
        default void started(String runId, int fromEpoch, int epochs, long batchesPerEpoch, String step) {}
        default void batch() {}
        default void epoch(EpochStats stats, Double heldout) {}
        /** The epoch is in the log (called on the log writer's thread, in order, after its transaction committed). */
        default void logged(EpochStats stats, Double heldout) {}
        /** An epoch already in the log trained again after a resume without a checkpoint at it, and not logged again. */
        default void replayed(EpochStats stats) { epoch(stats, null); }
    }

    /** One plain line at the start and one per epoch (a foreground run without a terminal, a background run's log file). */
    public static final class Lines implements Listener {
        private final java.io.PrintWriter out;
        private String runId;
        private int epochs;
        private String step;

        public Lines(java.io.PrintWriter out) {
            this.out = out;
        }

        @Override
        public void started(String runId, int fromEpoch, int epochs, long batchesPerEpoch, String step) {
            this.runId = runId;
            this.epochs = epochs;
            this.step = step;
            // an L-BFGS iteration takes the whole training set: its one "batch" counts nothing
            String batches = step.equals("epoch") ? batchesPerEpoch + (batchesPerEpoch == 1 ? " batch" : " batches") + " per epoch" : "full batch";
            out.printf("run %s: %s at %s %d of %d (%s)%n", runId, fromEpoch == 0 ? "starting" : "resuming", step,
                    fromEpoch + 1, epochs, batches);
            out.flush();
        }

        /** Said once the epoch is in the log: after a kill, the last line is the last epoch a resume finds logged. */
        @Override
        public void logged(EpochStats s, Double heldout) {
            out.printf("run %s: %s %d/%d loss %s recon %s%s mean activation %s (%.1f s)%n", runId, step, s.epoch(), epochs,
                    figure(s.loss()), figure(s.recon()), heldout != null ? " held-out " + figure(heldout) : "",
                    figure(s.meanActivation()), s.seconds());
            out.flush();
        }

        @Override
        public void replayed(EpochStats s) {
            out.printf("run %s: %s %d/%d replayed, not logged again (the log has it from before the resume) loss %s (%.1f s)%n",
                    runId, step, s.epoch(), epochs, figure(s.loss()), s.seconds());
            out.flush();
        }

        /** Every digit of the value (a resumed run's lines can be compared with the first's), in E notation when tiny or huge. */
        static String figure(double v) {
            double a = Math.abs(v);
            return v == 0 || !Double.isFinite(v) || (a >= 1e-4 && a < 1e7) ? RunConfig.num(v) : Double.toString(v);
        }
    }

    /** How the execution ended. */
    public record Outcome(String runId, String status, String message) {
        public boolean ok() { return !status.equals("failed") && !status.equals("refused") && !status.equals(UNREACHABLE); }

        /** True when another trainer took the run over (this one wrote nothing after losing its lease). */
        public boolean superseded() { return status.equals("superseded"); }
    }

    /** The outcome of a run whose log could not be reached for {@link #outageMs()}: left as it is, not failed. */
    public static final String UNREACHABLE = "log-unreachable";
    /** How long an epoch's write is tried again while the log cannot be reached (a PostgreSQL restart, the network). */
    static final long OUTAGE_MS = 600_000;

    static long outageMs() {
        return Long.getLong("sparselab.logOutageMs", OUTAGE_MS);
    }

    /**
     * System property: seconds without progress of the training thread (a batch, an L-BFGS iteration, an epoch)
     * after which the heartbeat stops, so that the run reads as interrupted and a worker takes it over (default 3600).
     * A heartbeat proves the process alive; this ties it to the training too. The beats start again if the thread
     * moves again, while the run is still this trainer's. The training thread may wait for the log's writer (a write's
     * retries through an outage, the end of a run's drain): without a property the limit is never below that wait
     * and 5 minutes more.
     */
    public static final String STALL_PROPERTY = "sparselab.stallSeconds";

    static long stallNanos() {
        String set = System.getProperty(STALL_PROPERTY);
        if (set != null) return (long) (Double.parseDouble(set) * 1e9);
        return Math.max(3600L, drainMs() / 1000 + 300) * 1_000_000_000L;
    }

    /** How long the end of a run waits for its queued writes: a write's retries, and its last try's wait for a connection. */
    static long drainMs() {
        return Math.max(600_000, outageMs() + 120_000);
    }

    private final EventLog log;
    private final Listener listener;
    private final AtomicBoolean release = new AtomicBoolean(false);

    /** The limits a resume is checked against; null: those of the environment, read when a run is resumed. */
    private volatile Limits limits;

    public RunExecutor(EventLog log, Listener listener) {
        this.log = log;
        this.listener = listener;
    }

    /** Checks the runs it resumes against {@code limits} instead of the environment's. */
    public RunExecutor withLimits(Limits limits) {
        this.limits = limits;
        return this;
    }

    /** Asks the trainer to stop after the current epoch, checkpoint and hand the run back to the queue (a worker's Ctrl-C). */
    public void release() { release.set(true); }

    /** Trains a queued run, or with {@code resume} continues an interrupted, failed or cancelled one. */
    public Outcome execute(String runId, boolean resume) {
        return execute(runId, resume, null);
    }

    /**
     * As above, claiming the run as {@code worker}: the pool that started this trainer (a dashboard's), or null for a
     * trainer of its own, named host:pid.
     */
    public Outcome execute(String runId, boolean resume, String worker) {
        Optional<RunRow> found = log.run(runId);
        if (found.isEmpty()) return new Outcome(runId, "refused", "no run " + runId + " in " + log.describe());
        RunRow row = found.get();
        RunConfig cfg = ConfigKeys.build(row.configMap());
        Dataset data = DataSets.load(cfg.data(), Runs.dataDir(), cfg.limit());
        if (row.dataFingerprint() != null && !row.dataFingerprint().equals(data.fingerprint())) {
            return new Outcome(runId, "refused", "the data set '" + cfg.data() + "' has changed since run " + runId
                    + " was created (fingerprint " + prefix12(data.fingerprint()) + " != " + prefix12(row.dataFingerprint()) + ")");
        }
        Instant now = log.clock().instant();      // heartbeats are in the database's time
        Optional<Lease> claimed;
        if (resume) {
            // read before the claim's transaction, which holds the log's connection on SQLite
            List<sparselab.store.WorkerInfo> workers = log.workers();
            // what the run has left is checked against the log's limit in the claim's transaction: another resume or
            // launch at once, from any process, is counted (a check before the claim let two pass that only one fit)
            try {
                claimed = Runs.claimResumed(log, runId, startedEvent(data.fingerprint(), worker), r -> mayResume(r, now, workers),
                        limits != null ? limits : Limits.fromEnvironment());
            } catch (ConfigException e) {
                return new Outcome(runId, "refused", e.getMessage());
            }
        } else {
            claimed = log.claim(runId, startedEvent(data.fingerprint(), worker), r -> r.status().equals("queued") && !r.cancelRequested());
        }
        if (claimed.isEmpty()) {
            RunRow r = log.run(runId).orElseThrow();
            Instant at = log.clock().instant();
            return new Outcome(runId, "refused", resume ? whyNotResumable(r, at, log.workers())
                    : "run " + runId + " is " + r.effectiveStatus(at) + "; only a queued run can be started");
        }
        return train(claimed.get(), data);
    }

    /** Why run {@code r} cannot be resumed now ({@link #mayResume} is false), as `resume` and the dashboard's resume say it. */
    public static String whyNotResumable(RunRow r, Instant now, java.util.Collection<sparselab.store.WorkerInfo> workers) {
        String status = r.effectiveStatus(now);
        if (status.equals("interrupted") && !trainerGone(r, now, workers)) {
            return "run " + r.runId() + " looks interrupted, but its trainer (pid " + r.pid() + " on " + r.host()
                    + ") is still alive (paused?); stop it first, or let it continue";
        }
        return "run " + r.runId() + " is " + status + "; only interrupted, failed or cancelled runs whose trainer is gone, and queued runs, can be resumed";
    }

    /** The {@code started} event of a claim by this process (the lease and fromEpoch are filled in by the claim). */
    public static RunEvent.Started startedEvent(String dataFingerprint, String worker) {
        return new RunEvent.Started(ProcessHandle.current().pid(), Provenance.host(), Provenance.threads(), 0,
                dataFingerprint, Provenance.ofTrainer(), null, worker != null ? worker : Provenance.host() + ":" + ProcessHandle.current().pid());
    }

    /** The first 12 characters of a fingerprint, for messages (the whole of a shorter one). */
    private static String prefix12(String fingerprint) {
        return fingerprint.length() <= 12 ? fingerprint : fingerprint.substring(0, 12);
    }

    /**
     * A run may be resumed when it stopped early (failed, cancelled, interrupted) and no trainer of it is alive on
     * this host: a paused trainer (SIGSTOP, a closed laptop) is not gone, and resuming next to it is refused.
     */
    public static boolean mayResume(RunRow r, Instant now, java.util.Collection<sparselab.store.WorkerInfo> workers) {
        String s = r.effectiveStatus(now);
        if (s.equals("failed") || s.equals("cancelled") || s.equals("queued")) return true;
        if (s.equals("interrupted") || s.equals("running")) return trainerGone(r, now, workers);
        return false;
    }

    /**
     * {@link #trainerGone(RunRow, Instant)}, or a run whose heartbeat lapsed inside a {@code sparselab worker} that lives
     * on ({@code workers}: the log's workers): a worker trains its runs in its own process, so that process alive says
     * nothing of the run (its training thread ended without recording why, or is stuck). Other workers take such a run
     * over; a resume may too, and the lease stops the old thread's writes. A dashboard pool's trainers are processes of
     * their own, so a pool's pid is never a run's.
     */
    public static boolean trainerGone(RunRow r, Instant now, java.util.Collection<sparselab.store.WorkerInfo> workers) {
        if (trainerGone(r, now)) return true;
        return r.pid() != null && r.effectiveStatus(now).equals("interrupted") && workers.stream()
                .anyMatch(w -> !WorkerLoop.isPool(w) && w.pid() == r.pid() && java.util.Objects.equals(w.host(), r.host()));
    }

    /** A running run whose trainer was on this host and is no longer alive (a trainer elsewhere counts as gone once its heartbeat lapsed). */
    public static boolean trainerGone(RunRow r, Instant now) {
        if (r.pid() == null || !Provenance.host().equals(r.host())) return r.effectiveStatus(now).equals("interrupted");
        return sparselab.log.ThisHost.trainerGone(r.host(), r.pid());
    }

    /** Trains a run this process has claimed; every write goes through the lease, and a lost lease stops it at once. */
    public Outcome train(Lease lease, Dataset data) {
        String runId = lease.runId();
        RunRow row = log.require(runId);
        RunConfig cfg = ConfigKeys.build(row.configMap());
        String step = Choices.Optimizer.stepWord(cfg.optimizer().key());     // every message names a logged epoch by it
        int fromEpoch = ((RunEvent.Started) lease.started().event()).fromEpoch();
        LOG.info("run {} started from {} {} (lease {})", runId, step, fromEpoch, lease.number());
        AtomicBoolean cancel = new AtomicBoolean(false);
        AtomicBoolean lost = new AtomicBoolean(false);
        java.util.concurrent.atomic.AtomicReference<String> lostWhy = new java.util.concurrent.atomic.AtomicReference<>(null);
        AtomicInteger epochNow = new AtomicInteger(fromEpoch);
        java.util.concurrent.atomic.AtomicLong movedAt = new java.util.concurrent.atomic.AtomicLong(System.nanoTime());
        AtomicBoolean stalled = new AtomicBoolean(false);
        AtomicInteger beatsFailed = new AtomicInteger(0);
        java.util.concurrent.atomic.AtomicLong firstFailedAt = new java.util.concurrent.atomic.AtomicLong();
        // set before the write that ends the lease (finished, diverged, released, cancelled, failed): a beat that meets the run ended by
        // it is this trainer's own end, not a loss to warn of (a beat between that write and the beats' stop said
        // "lease N no longer holds it: run R is finished now" under a run that had finished well)
        AtomicBoolean ending = new AtomicBoolean(false);
        long stallNanos = stallNanos();
        ScheduledExecutorService beat = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "heartbeat-" + runId);
            t.setDaemon(true);
            return t;
        });
        beat.scheduleWithFixedDelay(() -> {
            try {
                long still = System.nanoTime() - movedAt.get();
                if (still > stallNanos) {                      // alive, but not training: no beat, so that a worker takes over
                    if (stalled.compareAndSet(false, true)) {
                        LOG.error("run {}: the training thread has not moved for {} s ({} {}); heartbeats stop, so that the "
                                + "run reads as interrupted and a worker can take it over", runId, still / 1_000_000_000L, step, epochNow.get());
                    }
                    return;
                }
                if (stalled.compareAndSet(true, false)) LOG.warn("run {}: the training thread moves again; heartbeats resume", runId);
                if (lease.heartbeat()) cancel.set(true);
                int missed = beatsFailed.getAndSet(0);
                if (missed > 0) {
                    LOG.info("run {}: the log answers again; its heartbeat goes on ({} failed; the first {} s ago)", runId,
                            missed == 1 ? "1 beat" : missed + " beats", (System.nanoTime() - firstFailedAt.get()) / 1_000_000_000L);
                }
            } catch (StoreException.LeaseLost e) {
                if (ending.get()) return;          // the trainer's own last write; if that write failed, the trainer says so
                LOG.warn("{}", e.getMessage());
                lostWhy.compareAndSet(null, e.reason());
                lost.set(true);
            } catch (RuntimeException e) {
                // as a worker's beat says it: the database's reason, the first three failures, then every twelfth (a
                // probe of an outage found this line with the connection pool's class names, every 5 s)
                int failed = beatsFailed.incrementAndGet();
                if (failed == 1) firstFailedAt.set(System.nanoTime());
                if (failed <= 3 || failed % 12 == 0) {
                    LOG.warn("heartbeat of run {} failed ({} in a row){}: {}", runId, failed, failed == 3 ? " (said again every 12th failure)" : "",
                            StoreException.unreachableWhy(e));
                }
            }
        }, HEARTBEAT_MS, HEARTBEAT_MS, TimeUnit.MILLISECONDS);
        LogWriter writer = new LogWriter(runId);
        try {
            Samples samples = Samples.of(data, cfg);
            INDArray trainX = samples.train(), heldX = samples.heldOut();
            SparseAutoencoder model = new SparseAutoencoder(cfg, data.dim(), DataType.FLOAT);
            SnapshotMeasures measures = samples.measures();
            SnapshotSchedule schedule = new SnapshotSchedule(cfg.snapshotEvery(), cfg.epochs());
            if (fromEpoch > 0) {
                byte[] bytes = log.blob(row.lastCheckpoint()).orElseThrow(() -> new IllegalStateException(
                        "the checkpoint of " + step + " " + fromEpoch + " is missing from the log"));
                try {
                    ModelState state = ModelState.fromBytes(bytes);
                    if (state.epoch() != fromEpoch) {
                        throw new IllegalStateException("it holds the state after " + step + " " + state.epoch());
                    }
                    model.restore(state);
                } catch (IllegalArgumentException | IllegalStateException e) {   // a pointer to other bytes: named, no stack trace
                    throw new StoreException.Corrupt("the checkpoint of " + step + " " + fromEpoch + " (blob " + row.lastCheckpoint()
                            + ") is not this run's: " + e.getMessage());
                }
            }
            if (row.snapshots() == 0) {
                Blob w = Blob.of(model.weightsLE());
                lease.appendAll(List.of(snapshot(0, w, data, cfg), measures.of(0, w.bytes())), List.of(w));
            }
            // Epochs after the checkpoint that are already in the log are trained again without being logged
            // again: training is deterministic, so they come out the same (checked below).
            int logged = row.epochsDone();
            List<Double> loggedLosses = log.metrics(runId).stream().map(m -> m.loss() == null ? Double.NaN : m.loss()).toList();
            // batchSize 0 (lbfgs): the whole training set is one "batch" of the progress bar
            long batches = cfg.batchSize() == 0 ? 1 : (trainX.rows() + cfg.batchSize() - 1) / cfg.batchSize();
            listener.started(runId, fromEpoch, cfg.epochs(), batches, step);
            long lastCheckpoint = System.nanoTime(), checkpointNanos = checkpointNanos();
            DivergenceWatch watch = new DivergenceWatch(cfg.beta(), cfg.limiterOn(), DivergenceWatch.parseStopOn(cfg.stopOn()));
            java.util.Map<String, Integer> flagged = new java.util.TreeMap<>();     // cause -> epochs flagged, for the outcome
            for (int epoch = fromEpoch + 1; epoch <= cfg.epochs(); epoch++) {
                epochNow.set(epoch);
                movedAt.set(System.nanoTime());
                EpochStats s = model.trainEpoch(epoch, trainX, () -> {
                    movedAt.set(System.nanoTime());
                    listener.batch();
                    return cancel.get() || lost.get();
                });
                if (lost.get()) {
                    writer.abandon();
                    return new Outcome(runId, "superseded", lostWhy(lostWhy.get(), runId) + "; this trainer stopped at " + step + " " + epoch);
                }
                if (s.stopped()) {
                    writer.drain(drainMs());
                    ending.set(true);
                    lease.append(new RunEvent.Cancelled(Math.max(epoch - 1, logged)));
                    return new Outcome(runId, "cancelled", "cancelled during " + step + " " + epoch);
                }
                List<DivergenceWatch.Flag> flags = watch.observe(s);
                for (DivergenceWatch.Flag f : flags) flagged.merge(f.cause().key(), 1, Integer::sum);
                String stopReason = watch.stopReason(s, flags);
                boolean diverged = stopReason != null;
                if (epoch <= logged) {
                    if (epoch <= loggedLosses.size() && Double.compare(loggedLosses.get(epoch - 1), s.loss()) != 0) {
                        LOG.warn("run {}: {} {} replayed with loss {} but the log has {}", runId, step, epoch, s.loss(), loggedLosses.get(epoch - 1));
                    }
                    listener.replayed(s);
                    continue;
                }
                Double heldout = heldX == null || diverged ? null : model.reconstructionError(heldX);
                final int e = epoch;
                // Copied now, while the model holds this epoch's values (a checkpoint is encoded here too, straight into its one
                // buffer); hashed and written on the writer thread.
                byte[] weights = schedule.at(epoch) || diverged ? model.weightsLE() : null;
                boolean last = epoch == cfg.epochs();
                boolean releasing = release.get() && !last && !diverged;
                byte[] state = !diverged && !last && (releasing || System.nanoTime() - lastCheckpoint >= checkpointNanos)
                        ? model.stateBytes() : null;
                if (state != null) lastCheckpoint = System.nanoTime();
                writer.submit(() -> {
                    List<RunEvent> events = new ArrayList<>();
                    List<Blob> blobs = new ArrayList<>();
                    events.add(new RunEvent.EpochCompleted(e, s.loss(), s.recon(), s.penalty(), s.decay(), s.meanActivation(),
                            s.rhoHat(), s.meanAbsSp(), s.maxAbsSp(), s.clipped(), s.clippedFraction(), diverged, heldout,
                            s.seconds(), s.samplesPerSec()));
                    for (DivergenceWatch.Flag f : flags) events.add(new RunEvent.DivergenceFlag(e, f.cause().key(), f.detail(), f.units()));
                    if (weights != null) {
                        Blob w = Blob.of(weights);
                        blobs.add(w);
                        events.add(snapshot(e, w, data, cfg));
                        events.add(measures.of(e, w.bytes()));
                    }
                    if (diverged) {
                        events.add(new RunEvent.Diverged(e, stopReason));
                    } else if (state != null) {
                        Blob ck = Blob.of(state);
                        blobs.add(ck);
                        events.add(new RunEvent.Checkpoint(e, ck.hash(), ck.bytes().length));
                    }
                    if (!diverged && last) events.add(new RunEvent.Finished(e, s.loss(), heldout));
                    if (releasing) events.add(new RunEvent.Released(e, "the worker is stopping"));
                    if (diverged || last || releasing) ending.set(true);
                    appendEpoch(lease, e, step, events, blobs);
                    listener.logged(s, heldout);
                });
                listener.epoch(s, heldout);
                if (diverged) {
                    writer.drain(drainMs());
                    return new Outcome(runId, "diverged", "diverged at " + step + " " + epoch);
                }
                if (releasing) {
                    writer.drain(drainMs());
                    // a cancel asked before the release was written ends the run instead (the store sees to it)
                    boolean cancelled;
                    try {
                        cancelled = log.run(runId).map(r -> r.status().equals("cancelled")).orElse(false);
                    } catch (RuntimeException unreadable) {
                        cancelled = false;             // the release is written: said as one, not as a lost log
                    }
                    if (cancelled) {
                        return new Outcome(runId, "cancelled", "cancelled after " + step + " " + epoch + " (asked while the worker was stopping)");
                    }
                    return new Outcome(runId, "released", "released after " + step + " " + epoch + " with a checkpoint; the run is queued again");
                }
            }
            writer.drain(drainMs());
            return new Outcome(runId, "finished", cfg.epochs() + " " + step + (cfg.epochs() == 1 ? "" : "s") + flagNote(flagged, fromEpoch, step));
        } catch (RuntimeException | OutOfMemoryError e) {
            try {
                writer.drain(drainMs());
            } catch (RuntimeException ignored) {
                // the original failure is the one to report
            }
            if (lost.get() || leaseLost(e) != null) {
                String why = lostWhy(leaseLost(e) != null ? leaseLost(e).reason() : lostWhy.get(), runId);
                LOG.warn("run {}: lease {} lost ({}); stopped without writing more", runId, lease.number(), why);
                return new Outcome(runId, "superseded", why + "; this trainer stopped");
            }
            if (StoreException.unreachable(e)) {         // not the run's failure: nothing is written, the run is left as it is
                String msg = "the log could not be reached (" + StoreException.oneLine(e) + "); run " + runId + " is left at its last "
                        + "written " + step + ": a worker takes it over once its heartbeat has lapsed, or resume it";
                LOG.warn("{}", msg);
                return new Outcome(runId, UNREACHABLE, msg);
            }
            StoreException.Full full = StoreException.Full.in(e);
            String msg = full == null ? StoreException.said(e) : fullMessage(full, runId, step);
            // the log's own failures (damaged or missing bytes, a full disk) say what is wrong: no stack trace; anything else is a bug's
            if (e instanceof StoreException || full != null) LOG.error("run {} failed: {}", runId, msg);
            else LOG.error("run {} failed: {}", runId, msg, e);
            try {
                ending.set(true);
                lease.append(new RunEvent.Failed(epochNow.get(), msg));
            } catch (RuntimeException e2) {
                LOG.error("could not record the failure of run {}: {}{}", runId, StoreException.said(e2),
                        StoreException.Full.in(e2) != null ? " (the run reads as interrupted: resume takes it as well)" : "");
            }
            return new Outcome(runId, "failed", msg);
        } finally {
            beat.shutdownNow();
            try {
                beat.awaitTermination(10, TimeUnit.SECONDS);
            } catch (InterruptedException ie) {
                Thread.currentThread().interrupt();
            }
        }
    }

    /**
     * Appends one epoch's events (one transaction). While the log cannot be reached it tries again, waiting 0.5 s
     * doubling to 10 s, for {@link #outageMs()}; before each new try it reads whether the failed one was committed
     * after all (the connection can drop after the commit): the epoch is then in the log, and is not written twice. A
     * commit that becomes visible only after that read is refused by the store itself ({@link
     * StoreException.EpochWritten}), under the run's lock. A lease taken over meanwhile refuses the new try ({@link
     * StoreException.LeaseLost}).
     */
    private void appendEpoch(Lease lease, int epoch, String step, List<RunEvent> events, List<Blob> blobs) {
        long deadline = System.nanoTime() + outageMs() * 1_000_000;
        long waitMs = 500;
        boolean written = false;
        while (true) {
            long tried = System.nanoTime();
            try {
                if (written) {                                                  // the failed try may have been committed
                    RunRow now = log.require(lease.runId());
                    if (now.lease() != lease.number()) {
                        throw new StoreException.LeaseLost(lease.runId(), lease.number(), now.lease(), now.status());
                    }
                    if (now.epochsDone() >= epoch) return;                      // it was, by this trainer's lease
                }
                lease.appendAll(events, blobs);
                return;
            } catch (StoreException.EpochWritten e) {
                if (!written || e.epoch() != epoch) throw e;                 // a retry found its own committed write
                LOG.warn("run {}: {} {} was written by the try whose answer was lost; not written again", lease.runId(), step, epoch);
                return;
            } catch (RuntimeException e) {
                if (!StoreException.unreachable(e) || System.nanoTime() + waitMs * 1_000_000 > deadline) throw e;
                written = true;
                // the try's own time too: a try waits for a connection first (15 s on PostgreSQL), so tries are further apart than the pause
                LOG.warn("run {}: the log cannot be reached ({}); writing {} {} again in {} ms (this try took {} s)",
                        lease.runId(), StoreException.unreachableWhy(e), step, epoch, waitMs,
                        String.format(java.util.Locale.ROOT, "%.1f", (System.nanoTime() - tried) / 1e9));
                try {
                    Thread.sleep(waitMs);
                } catch (InterruptedException ie) {
                    Thread.currentThread().interrupt();
                    throw e;
                }
                waitMs = Math.min(waitMs * 2, 10_000);
            }
        }
    }

    /**
     * "; divergence flags: rho_hat_at_bound in 5 epochs, ..." for the outcome of a run that finished with flags, else "";
     * {@code step} is the run's word for an epoch ("iteration" for L-BFGS).
     */
    static String flagNote(java.util.Map<String, Integer> flagged, int fromEpoch, String step) {
        if (flagged.isEmpty()) return "";
        return "; divergence flags" + (fromEpoch > 0 ? " since " + step + " " + (fromEpoch + 1) : "") + ": " + String.join(", ", flagged.entrySet().stream()
                .map(e -> e.getKey() + " in " + e.getValue() + " " + step + (e.getValue() == 1 ? "" : "s")).toList())
                + " (the run page and GET /api/runs/ID/flags give each flag's figures and how many units it concerns)";
    }

    /** A run's failure on a full log, in one line: what was not written, what the run keeps, what to do. */
    private String fullMessage(StoreException.Full full, String runId, String step) {
        int done = -1;
        try {
            done = log.require(runId).epochsDone();
        } catch (RuntimeException ignored) {
            // a read can fail too; the message goes without the count
        }
        return "the log " + full.log() + " is full (database or disk is full): nothing more of run " + runId + " was written"
                + (done >= 0 ? ", it keeps its " + done + " logged " + step + (done == 1 ? "" : "s") : "")
                + "; free space on the log's disk, then resume it";
    }

    /** The LeaseLost in {@code e}'s causes, or null. */
    private static StoreException.LeaseLost leaseLost(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause() == t ? null : t.getCause()) {
            if (t instanceof StoreException.LeaseLost l) return l;
        }
        return null;
    }

    /** Why the lease was lost ({@link StoreException.LeaseLost#reason}), or the takeover it most often is. */
    private static String lostWhy(String reason, String runId) {
        return reason != null ? reason : "another trainer holds run " + runId + " now";
    }

    private static RunEvent.WeightSnapshot snapshot(int epoch, Blob w, Dataset data, RunConfig cfg) {
        return new RunEvent.WeightSnapshot(epoch, w.hash(), data.dim(), cfg.hidden(), data.rows(), data.cols());
    }

    /**
     * A run's samples as it trains on them: the training and held-out images split off by the run's seed, in native
     * memory, and what its weight snapshots are measured on. The split's copies on the heap live only in {@link #of}, so
     * that the run does not hold them while it trains (a second copy of the samples on the heap: 31 MB for the demo's
     * digits, 188 MB for 60,000 images of 28 x 28).
     *
     * @param heldOut null without held-out samples
     */
    record Samples(INDArray train, INDArray heldOut, SnapshotMeasures measures) {
        static Samples of(Dataset data, RunConfig cfg) {
            return of(DataSets.split(data, cfg.holdout(), cfg.seed()), cfg);
        }

        /** The samples of a split already made: native copies of its parts, none of its arrays kept. */
        static Samples of(DataSets.Split split, RunConfig cfg) {
            return new Samples(matrix(split.train()), split.heldout().count() > 0 ? matrix(split.heldout()) : null,
                    new SnapshotMeasures(cfg, split));
        }
    }

    /** The images as one float32 matrix, count x dim. */
    static INDArray matrix(Dataset d) {
        return Nd4j.create(d.pixels(), new long[] {d.count(), d.dim()}, 'c');
    }
}
