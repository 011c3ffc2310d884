package sparselab.runs;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import sparselab.config.ConfigKeys;
import sparselab.config.RunConfig;
import sparselab.data.DataSets;
import sparselab.data.Dataset;
import sparselab.log.RunEvent;
import sparselab.log.RunRow;
import sparselab.store.EventLog;
import sparselab.store.Lease;
import sparselab.store.StoreException;
import sparselab.store.WorkerInfo;

import java.time.Duration;
import java.util.ArrayList;

import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A worker: claims runs from the log and trains them, {@code slots} at a time, until stopped. It takes the oldest
 * queued run, or a running run whose heartbeat lapsed (its trainer was killed or its machine is gone), which it
 * resumes from the run's last checkpoint in the log. A run whose data set has another fingerprint on this machine
 * is refused with a {@code refused} event and left for another worker. {@link #stop()} (Ctrl-C) lets each run finish
 * its epoch, checkpoint, and go back to the queue.
 */
public final class WorkerLoop {
    private static final Logger LOG = LoggerFactory.getLogger(WorkerLoop.class);
    /** System property: seconds without a heartbeat after which a running run is taken over (default 20). */
    public static final String STALE_PROPERTY = RunRow.TIMEOUT_PROPERTY;

    private final EventLog log;
    private final String name;
    private final int slots;
    private final Duration stale;
    private final long pollMs;
    private final long idleExitMs;
    private final AtomicBoolean stopping = new AtomicBoolean(false);
    private final List<RunExecutor> executors = new CopyOnWriteArrayList<>();
    private final Map<String, String> current = new ConcurrentHashMap<>();
    private final Map<String, Dataset> data = new ConcurrentHashMap<>();
    private final Map<String, Unloadable> unloadable = new ConcurrentHashMap<>();   // data key -> why it cannot be loaded here
    private final Set<String> refused = ConcurrentHashMap.newKeySet();
    private final Map<String, String> refusedFor = new ConcurrentHashMap<>();    // run id -> the data set it was refused for
    private final Set<String> announced = ConcurrentHashMap.newKeySet();          // runs whose refusal this worker has written
    private final AtomicInteger trained = new AtomicInteger();
    private final AtomicInteger released = new AtomicInteger();
    /** The outcomes of a run trained to its end here. */
    private static final java.util.Set<String> ENDED = java.util.Set.of("finished", "diverged", "cancelled", "failed");
    private final long unloadableNanos = Long.getLong(UNLOADABLE_PROPERTY, 60_000) * 1_000_000;
    /** When this worker last failed to reach the log, or first reached it again after failing (System.nanoTime), or {@link #NEVER}. */
    private volatile long lastFailure = NEVER;
    static final long NEVER = Long.MIN_VALUE;

    /** The most runs one worker trains at once. */
    public static final int MAX_SLOTS = 64;

    /**
     * @param idleExitMs stop after this long without any run to claim (0: never; sweeps and benchmarks use it)
     */
    public WorkerLoop(EventLog log, String name, int slots, long pollMs, long idleExitMs) {
        if (slots < 1 || slots > MAX_SLOTS) throw new sparselab.config.ConfigException("slots", slots + " is out of range [1, " + MAX_SLOTS + "]");
        this.log = log;
        this.name = name;
        this.slots = slots;
        this.stale = RunRow.HEARTBEAT_TIMEOUT;
        this.pollMs = pollMs;
        this.idleExitMs = idleExitMs;
    }

    /**
     * The workers (and dashboard pools) that serve the log now: not stopped, with slots, and a heartbeat younger than
     * the takeover timeout (their heartbeat times are the database's clock).
     */
    public static List<WorkerInfo> alive(EventLog log) {
        java.time.Instant cutoff = log.clock().instant().minus(RunRow.HEARTBEAT_TIMEOUT);
        return log.workers().stream().filter(w -> !w.stopped() && w.slots() > 0 && w.heartbeatAt() != null
                && java.time.Instant.parse(w.heartbeatAt()).isAfter(cutoff)).toList();
    }

    /** The names of dashboards' pools in the workers view start with this: {@code serve@host:pid}. */
    public static final String POOL_PREFIX = "serve@";

    /** Whether a row of the workers view is a dashboard's pool, which starts trainers for queued runs but claims nothing by polling. */
    public static boolean isPool(WorkerInfo w) { return w.name().startsWith(POOL_PREFIX); }

    /** The live workers (not pools) of {@code log} with a free slot: they claim a queued run at their next poll. */
    public static List<WorkerInfo> idleWorkers(EventLog log) {
        return freeServers(log).stream().filter(w -> !isPool(w)).toList();
    }

    /**
     * The live workers and dashboard pools of {@code log} with a free slot: a worker claims a queued run at its next
     * poll, a pool starts a trainer for it at its next tick. A trainer started next to them only races them.
     */
    public static List<WorkerInfo> freeServers(EventLog log) {
        return alive(log).stream().filter(w -> w.runs().size() < w.slots()).toList();
    }

    /** The free slots of {@link #idleWorkers}: how many queued runs they may claim at their next poll. */
    public static int freeWorkerSlots(EventLog log) {
        return idleWorkers(log).stream().mapToInt(w -> w.slots() - w.runs().size()).sum();
    }

    /** The default name of a worker: host:pid. */
    public static String defaultName() { return Provenance.host() + ":" + ProcessHandle.current().pid(); }

    public String name() { return name; }

    /**
     * What this worker did, for its last line: "trained 2 run(s)", and ", released 1 run(s) to the queue" for runs a
     * stop handed back after an epoch (not counted as trained: another trainer finishes them).
     */
    public String summary() {
        int r = released.get();
        return "trained " + trained.get() + " run(s)" + (r == 0 ? "" : ", released " + r + " run(s) to the queue, to go on from "
                + "their checkpoints");
    }

    /**
     * Runs the slots until {@link #stop()} or, with an idle limit, until there is no work; returns the runs trained to
     * their end here (released ones not counted).
     */
    public int run() {
        beat();
        Thread beater = new Thread(() -> {
            int failed = 0;
            long firstFailed = 0;
            while (!stopping.get()) {
                try {
                    Thread.sleep(RunExecutor.HEARTBEAT_MS);
                    beat();
                    if (failed > 0) {
                        lastFailure = System.nanoTime();      // the grace counts from the log's return (takeoverAfter)
                        // said once the log answers again, so that a log read after an outage shows where it ended
                        // the time since the first failed beat (the outage began up to a beat before it: a probe read
                        // "after 1 failed, 6 s" as a 6 s outage where it was 25 s)
                        LOG.info("worker {}: the log answers again; its heartbeat goes on ({} failed; the first {} s ago)", name,
                                failed == 1 ? "1 beat" : failed + " beats", (System.nanoTime() - firstFailed) / 1_000_000_000L);
                        failed = 0;
                    }
                } catch (InterruptedException e) {
                    return;
                } catch (RuntimeException e) {
                    lastFailure = System.nanoTime();
                    if (failed++ == 0) firstFailed = System.nanoTime();
                    // the cause the database gave, not the connection pool's timeout that wraps it; the first three
                    // failures, then every twelfth (a minute of 5 s beats), so that a long outage does not fill the log
                    if (failed <= 3 || failed % 12 == 0) {
                        LOG.warn("worker {}: heartbeat failed ({} in a row), tried again every {} s{}: {}", name, failed, RunExecutor.HEARTBEAT_MS / 1000.0,
                                failed == 3 ? " (said again every 12th failure)" : "", sparselab.store.StoreException.unreachableWhy(e));
                    }
                }
            }
        }, "worker-beat");
        beater.setDaemon(true);
        beater.start();
        // several runs in one JVM share OpenBLAS's thread count, which every epoch sets for its own run: the two lanes
        // (the full batch's, a large minibatch's) run in turn on every product thread there, as before the lanes (docs/performance.md)
        sparselab.model.ProductThreads.Lanes lanes = sparselab.model.ProductThreads.lanes();
        if (slots > 1) sparselab.model.ProductThreads.useLanes(sparselab.model.ProductThreads.Lanes.IN_TURN);
        // and, where the user left OMP_NUM_THREADS to the launcher, the cores shared out among the slots, as a pool's trainers
        // get them (NativeEnv.prepare): each slot's products on every core would only wait for each other
        boolean share = slots > 1 && NativeEnv.threadsAreOurs(System.getenv());
        if (share) sparselab.model.ProductThreads.shareAmong(slots);
        try {
            List<Thread> threads = new ArrayList<>();
            for (int i = 0; i < slots; i++) {
                Thread t = new Thread(this::slot, "worker-slot-" + i);
                threads.add(t);
                t.start();
            }
            for (Thread t : threads) {
                try {
                    t.join();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    stop();
                }
            }
        } finally {
            sparselab.model.ProductThreads.useLanes(lanes);     // the slots have ended
            if (share) sparselab.model.ProductThreads.shareAmong(1);
        }
        stopping.set(true);
        beater.interrupt();
        try {
            beater.join(5_000);          // a beat in flight would otherwise commit after the stop below and list it alive again
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        try {
            log.workerStopped(name);
        } catch (RuntimeException e) {
            LOG.warn("worker {}: could not record its stop: {}", name, e.getMessage());
        }
        return trained.get();
    }

    /** How long Ctrl-C waits for the runs to end their epoch and be queued again. */
    public static final long STOP_WAIT_SECONDS = 120;

    /**
     * The shutdown hook of a worker process: Ctrl-C or SIGTERM stops the loop ({@link #stop}) and waits up to
     * {@link #STOP_WAIT_SECONDS} for {@code done} (the loop's end); with {@code announce}, says so first. When the wait
     * runs out (an epoch that does not end: the log cannot be reached, say), it says which runs it leaves as they are.
     */
    public Thread stopHook(java.util.concurrent.CountDownLatch done, java.io.PrintStream err, boolean announce) {
        return stopHook(done, err, announce, STOP_WAIT_SECONDS);
    }

    /** {@link #stopHook(java.util.concurrent.CountDownLatch, java.io.PrintStream, boolean)} waiting {@code waitSeconds}. */
    Thread stopHook(java.util.concurrent.CountDownLatch done, java.io.PrintStream err, boolean announce, long waitSeconds) {
        return new Thread(() -> {
            if (done.getCount() == 0) return;
            if (announce) err.println("worker " + name + ": stopping; each run finishes its epoch, checkpoints and is queued again (up to "
                    + (waitSeconds % 60 == 0 ? waitSeconds / 60 + " minutes)" : waitSeconds + " s)"));
            stop();
            boolean ended;
            try {
                ended = done.await(waitSeconds, java.util.concurrent.TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                ended = false;
            }
            if (!ended) err.println(leftLine(name, List.copyOf(current.keySet()), waitSeconds));
        }, "worker-stop");
    }

    /** The last line of a worker whose runs did not end their epoch in time: what it leaves, and what becomes of it. */
    static String leftLine(String name, List<String> runs, long seconds) {
        String which = runs.isEmpty() ? "its run" : (runs.size() == 1 ? "run " : "runs ") + String.join(", ", runs);
        return "worker " + name + ": stopped without ending " + which + " (no epoch ended within " + seconds + " s; is the log "
                + "reachable?); left as " + (runs.size() > 1 ? "they are" : "it is") + ": a worker takes "
                + (runs.size() > 1 ? "each" : "it") + " over from its last checkpoint once its heartbeat has lapsed, or resume it";
    }

    /** Ctrl-C: no new claims; each run finishes its epoch, checkpoints and is queued again. */
    public void stop() {
        stopping.set(true);
        for (RunExecutor e : executors) e.release();
    }

    /**
     * How long a running run's heartbeat must have lapsed for this worker to take it over: {@code stale}, but for
     * {@code stale} after this worker last failed to reach the log, or first reached it again after failing (a failed
     * try can end long before the log is back: a heartbeat waits 15 s for a connection, the claims back off to 30 s),
     * when it takes over none. An outage of the log
     * stops every trainer's heartbeats with it, and the trainers that live on write their epoch again and beat once
     * it is back, up to 10 s apart (found 2026-12-04 by a probe of many machines: an idle worker took a busy
     * worker's run over 1 s after a 25 s outage ended, and the run's last 21 iterations were trained again).
     */
    static Duration takeoverAfter(long lastFailure, long now, Duration stale) {
        return lastFailure != NEVER && now - lastFailure < stale.toNanos() ? Duration.ofDays(3650) : stale;
    }

    private void beat() {
        log.workerBeat(new WorkerInfo(name, Provenance.host(), ProcessHandle.current().pid(), slots,
                List.copyOf(current.keySet()), null, null, false));
    }

    private void slot() {
        long idleSince = System.currentTimeMillis();
        long backoff = 500;
        while (!stopping.get()) {
            forgetExpiredRefusals();
            Optional<Lease> lease;
            List<String> newlyRefused = new ArrayList<>();
            Map<String, RunConfig> toLoad = new java.util.LinkedHashMap<>();
            try {
                lease = log.claimNext(r -> RunExecutor.startedEvent(data.get(key(ConfigKeys.build(r.configMap()))).fingerprint(), name),
                        takeoverAfter(lastFailure, System.nanoTime(), stale), refused, r -> accept(r, newlyRefused, toLoad));  // the data accept found loaded: its fingerprint
                if (backoff > 500) lastFailure = System.nanoTime();   // back after failed tries: the grace counts from now
                backoff = 500;
            } catch (StoreException.BadLog | sparselab.config.ConfigException e) {
                throw e;
            } catch (RuntimeException e) {
                lastFailure = System.nanoTime();
                LOG.warn("worker {}: cannot reach the log ({}); retrying in {} ms", name, sparselab.store.StoreException.unreachableWhy(e), backoff);
                sleep(backoff);
                backoff = Math.min(backoff * 2, 30_000);
                continue;
            }
            for (String id : newlyRefused) recordRefusal(id);
            if (lease.isEmpty() && !toLoad.isEmpty()) {
                // data sets are loaded here, outside the claim's transaction (it holds the candidates, and on SQLite
                // the whole log, while it runs); the next claim finds them loaded
                toLoad.forEach(this::load);
                continue;
            }
            if (lease.isEmpty()) {
                if (idleExitMs > 0 && System.currentTimeMillis() - idleSince > idleExitMs && nothingLeft()) return;
                sleep(pollMs);
                continue;
            }
            String runId = lease.get().runId();
            RunExecutor exec = new RunExecutor(log, RunExecutor.Listener.NONE);
            executors.add(exec);
            if (stopping.get()) exec.release();
            current.put(runId, name);
            try {
                RunRow row = log.require(runId);
                Dataset d = data.get(key(ConfigKeys.build(row.configMap())));
                RunExecutor.Outcome o = exec.train(lease.get(), d);
                LOG.info("worker {}: run {} {}: {}", name, runId, o.status(), o.message());
                if (o.status().equals("released")) released.incrementAndGet();
                else if (ENDED.contains(o.status())) trained.incrementAndGet();   // not a run taken over, refused or left unreachable
            } catch (Throwable e) {
                // whatever escapes (the log gone between the claim and the start, an Error of the native libraries):
                // this slot goes on; the run keeps its lease without a heartbeat and is taken over once it lapses
                LOG.error("worker {}: run {} stopped: {}; it is taken over once its heartbeat has lapsed", name, runId,
                        StoreException.oneLine(e), e);
                if (!StoreException.unreachable(e)) refused.add(runId);   // not this worker again: it would fail the same way
                sleep(backoff);
                backoff = Math.min(backoff * 2, 30_000);
            } finally {
                current.remove(runId);
                executors.remove(exec);
            }
            idleSince = System.currentTimeMillis();
        }
    }

    /**
     * True when no queued run is left that this worker could take and no run is training anywhere (a running run
     * could still lose its trainer and need a takeover).
     */
    private boolean nothingLeft() {
        try {
            return log.queued(refused.size() + 1).stream().allMatch(refused::contains)
                    && log.runsPage(new sparselab.store.RunFilter("running", null), null, 1, log.clock().instant()).isEmpty()
                    && log.runsPage(new sparselab.store.RunFilter("interrupted", null), null, refused.size() + 1, log.clock().instant())
                            .stream().allMatch(r -> refused.contains(r.runId()));   // ones this worker refused wait for another
        } catch (RuntimeException e) {
            return false;
        }
    }

    /**
     * The claim's test: the run's configuration builds here and its data set, loaded here, has the fingerprint the run
     * was created with. A data set not loaded yet is left to {@link #load} after the claim (false for now).
     */
    private boolean accept(RunRow r, List<String> newlyRefused, Map<String, RunConfig> toLoad) {
        if (refused.contains(r.runId())) return false;
        RunConfig cfg;
        try {
            cfg = ConfigKeys.build(r.configMap());
        } catch (RuntimeException e) {        // a key or value of another version of sparselab: refused, not fatal
            refused.add(r.runId());
            newlyRefused.add(r.runId() + "\nits configuration does not build here: " + StoreException.oneLine(e));
            return false;
        }
        String k = key(cfg);
        Dataset d = data.get(k);
        if (d == null) {
            Unloadable u = failedRecently(k);
            if (u != null) {
                // refused by this worker for now; the refusal is forgotten with the failure, so the run is tried again then
                refusedFor.put(r.runId(), k);
                refused.add(r.runId());
                if (announced.add(r.runId())) {                  // one refused event per run, not one a minute
                    newlyRefused.add(r.runId() + "\nthe data set '" + cfg.data() + "' cannot be loaded on this machine: " + u.why());
                }
                return false;
            }
            toLoad.putIfAbsent(k, cfg);
            return false;
        }
        if (r.dataFingerprint() == null || r.dataFingerprint().equals(d.fingerprint())) return true;
        refused.add(r.runId());
        newlyRefused.add(r.runId() + "\nthe data set '" + cfg.data() + "' on this machine has fingerprint " + d.fingerprint().substring(0, 12)
                + ", the run's is " + r.dataFingerprint().substring(0, 12));
        return false;
    }

    /** Runs refused for a data set that could not be loaded are claimable again once that failure is forgotten. */
    private void forgetExpiredRefusals() {
        long now = System.nanoTime();
        unloadable.forEach((k, u) -> {
            if (now - u.sinceNanos() >= unloadableNanos) {
                refusedFor.entrySet().removeIf(e -> {
                    if (!e.getValue().equals(k)) return false;
                    refused.remove(e.getKey());
                    return true;
                });
            }
        });
    }

    /**
     * System property: how long (ms, default 60,000) a data set that could not be loaded here is not tried again
     * (its runs are refused by this worker meanwhile).
     */
    public static final String UNLOADABLE_PROPERTY = "sparselab.unloadableMs";

    /**
     * Loads a data set the claim asked for, once for all slots (a slot that asks while another loads it waits for
     * that load). One that cannot be loaded is remembered for a minute ({@link #UNLOADABLE_PROPERTY}), and its runs refused meanwhile;
     * then it is tried again (a file that arrived, {@code ./sparselab data mnist} run since).
     */
    private void load(String k, RunConfig cfg) {
        if (failedRecently(k) != null) return;
        try {
            data.computeIfAbsent(k, x -> DataSets.load(cfg.data(), Runs.dataDir(), cfg.limit()));
            unloadable.remove(k);
        } catch (RuntimeException | OutOfMemoryError e) {
            unloadable.put(k, new Unloadable(String.valueOf(e.getMessage()), System.nanoTime()));
        }
    }

    /** The failure to load data set {@code k} here, when it is younger than {@link #UNLOADABLE_PROPERTY}; else null. */
    private Unloadable failedRecently(String k) {
        Unloadable u = unloadable.get(k);
        return u != null && System.nanoTime() - u.sinceNanos() < unloadableNanos ? u : null;
    }

    /** Why a data set cannot be loaded here, and since when (nanoTime). */
    private record Unloadable(String why, long sinceNanos) {}

    private void recordRefusal(String idAndReason) {
        String[] p = idAndReason.split("\n", 2);
        LOG.warn("worker {}: refused run {}: {}", name, p[0], p[1]);
        try {
            log.append(p[0], new RunEvent.Refused(name, Provenance.host(), p[1]));
        } catch (RuntimeException e) {
            LOG.warn("worker {}: could not record its refusal of run {}: {}", name, p[0], e.getMessage());
        }
    }

    private static String key(RunConfig cfg) { return cfg.data() + "\n" + cfg.limit(); }

    /** Waits {@code ms}, or less once the worker is stopping (a SIGTERM during a 30 s wait for the log ends it at once). */
    private void sleep(long ms) {
        long end = System.nanoTime() + ms * 1_000_000;
        try {
            for (long left = ms; left > 0 && !stopping.get(); left = (end - System.nanoTime()) / 1_000_000) Thread.sleep(Math.min(left, 100));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

}
