package sparselab.launch;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import sparselab.store.EventLog;

import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * A bounded pool of background trainer processes on this machine. It holds no queue of its own: the queue is the
 * log's queued runs, oldest created first, so runs queued from the command line (or resumed from the page, which
 * queues them again) are picked up too. At most {@code workers} processes run at once; each one claims its run in
 * the log (a lease), so a run that another process or worker took in the meantime is simply skipped by the trainer.
 * With {@code workers} 0 the pool starts nothing (a dashboard-only node; workers elsewhere train).
 */
public final class LaunchPool implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(LaunchPool.class);

    private final EventLog log;
    private final TrainerSpawner spawner;
    private final int workers;
    private final Map<String, Process> running = new LinkedHashMap<>();
    /** Queued runs a trainer was started for whose claim has not shown yet: not started twice. Pruned every tick. */
    private final Set<String> spawned = new HashSet<>();
    /** Failed start attempts of queued runs, and when each may be tried again (backoff). Pruned every tick. */
    private final Map<String, Integer> attempts = new java.util.HashMap<>();
    private final Map<String, Long> notBefore = new java.util.HashMap<>();
    /** A run whose trainer failed to start this many times fails. */
    public static final int MAX_START_ATTEMPTS = 3;
    /** The first retry waits this long; each later one twice as long. */
    static final long FIRST_BACKOFF_MS = Long.getLong("sparselab.startBackoffMs", 2000);
    private ScheduledExecutorService timer;
    /** How often the pool marks itself alive in the workers table, like a worker's heartbeat. */
    public static final long BEAT_MS = 5_000;
    private long lastBeat;

    public LaunchPool(EventLog log, TrainerSpawner spawner, int workers) {
        if (workers < 0) throw new IllegalArgumentException("workers must be at least 0, not " + workers);
        this.log = log;
        this.spawner = spawner;
        this.workers = workers;
    }

    /** Looks for work every {@code periodMs} in the background (nothing with 0 workers). */
    public synchronized LaunchPool start(long periodMs) {
        if (timer == null && workers > 0) {
            timer = Executors.newSingleThreadScheduledExecutor(r -> {
                Thread t = new Thread(r, "launch-pool");
                t.setDaemon(true);
                return t;
            });
            timer.scheduleWithFixedDelay(this::tickQuietly, 0, periodMs, TimeUnit.MILLISECONDS);
        }
        return this;
    }

    /** Asks for a look at the queue now (after a launch), instead of at the next period. */
    public void wake() {
        ScheduledExecutorService t;
        synchronized (this) { t = timer; }
        if (t != null) t.execute(this::tickQuietly);
    }

    /** Whether the last tick found the log full (the timer's thread only): said once, not at every tick. */
    private boolean full;

    private void tickQuietly() {
        try {
            long beatBefore = lastBeat;
            tick();
            if (full && lastBeat != beatBefore) {      // a write went through (the heartbeat): not only a tick that wrote nothing
                LOG.info("launch pool: the log takes writes again");
                full = false;
            }
        } catch (RuntimeException e) {
            sparselab.store.StoreException.Full f = sparselab.store.StoreException.Full.in(e);
            if (f == null) {
                LOG.warn("launch pool: {}", e.toString());
            } else if (!full) {                        // a full disk stays full for a while: one line, then quiet until it has room
                LOG.warn("launch pool: {}; no trainer is started until it takes writes again", f.getMessage());
                full = true;
            }
        }
    }

    /** The pool's name in the workers view: {@code serve@host:pid}. */
    public String name() { return sparselab.runs.WorkerLoop.POOL_PREFIX + sparselab.runs.WorkerLoop.defaultName(); }

    /** Forgets exited trainers, marks the pool alive in the log, then starts trainers for queued runs while fewer than {@code workers} run. */
    public synchronized void tick() {
        for (var it = running.entrySet().iterator(); it.hasNext(); ) {
            var e = it.next();
            if (e.getValue().isAlive()) continue;
            it.remove();
            // a trainer that ended while its run is still queued never claimed it: a failed start
            if (log.run(e.getKey()).map(r -> r.status().equals("queued")).orElse(false)) {
                startFailed(e.getKey(), "the trainer process ended (exit code " + exitCode(e.getValue()) + ") before it claimed the run");
            }
        }
        if (System.currentTimeMillis() - lastBeat >= BEAT_MS) {          // a write: not on every tick
            log.workerBeat(new sparselab.store.WorkerInfo(name(), sparselab.runs.Provenance.host(), ProcessHandle.current().pid(),
                    workers, List.copyOf(running.keySet()), null, null, false));
            lastBeat = System.currentTimeMillis();
            // nothing claims on a log served by this pool alone: end the runs whose trainer died before a cancel here
            for (String id : log.cancelAbandoned(sparselab.log.RunRow.HEARTBEAT_TIMEOUT)) {
                LOG.info("run {}: its trainer died before it honoured the cancel; cancelled", id);
            }
        }
        if (running.size() >= workers) return;
        // a few more than needed: a run whose start fails in this tick is passed over for the next
        List<String> queued = log.queued(workers + spawned.size() + notBefore.size() + 8);
        spawned.retainAll(new HashSet<>(queued));
        attempts.keySet().retainAll(new HashSet<>(queued));
        notBefore.keySet().retainAll(new HashSet<>(queued));
        long now = System.currentTimeMillis();
        // idle workers elsewhere on a shared log claim the oldest queued runs within a poll; a trainer started here
        // for one of them (a JVM starts slower) would only be refused: leave them as many runs as they have free
        // slots, each for leaveMs after this pool first saw it queued (a worker that cannot train it, its data
        // missing say, then leaves it to this pool)
        firstSeen.keySet().retainAll(new HashSet<>(queued));
        for (String id : queued) firstSeen.putIfAbsent(id, now);
        int leave = queued.isEmpty() ? 0 : sparselab.runs.WorkerLoop.freeWorkerSlots(log);
        for (String id : queued) {
            if (running.size() >= workers) break;
            if (spawned.contains(id) || notBefore.getOrDefault(id, 0L) > now) continue;
            if (leave > 0 && now - firstSeen.get(id) < leaveMs) {
                leave--;
                continue;
            }
            // a run whose row differs from its events would be refused by its trainer's claim: passed over (said once
            // in the server log), no trainer started, nothing written
            if (log.notStartable(id).isPresent()) continue;
            start(id);
        }
    }

    /** How long a queued run is left to idle workers elsewhere before this pool starts it: a few of their polls. */
    public static final long LEAVE_MS = 10_000;
    private long leaveMs = LEAVE_MS;
    /** When this pool first saw each queued run (tick's thread only). */
    private final java.util.Map<String, Long> firstSeen = new java.util.HashMap<>();

    /** Sets how long a queued run is left to idle workers elsewhere ({@link #LEAVE_MS} by default). */
    public synchronized LaunchPool leaveToWorkersFor(long ms) {
        leaveMs = ms;
        return this;
    }

    private void start(String runId) {
        spawned.add(runId);
        try {
            Process p = spawner.spawn(runId, false, name());
            running.put(runId, p);
            LOG.info("started trainer pid {} for run {}", p.pid(), runId);
        } catch (RuntimeException e) {
            String why = String.valueOf(e.getMessage());
            // the spawner's message names the run already ("cannot start a trainer for run R: ..."): not said twice
            LOG.warn("{}", why.startsWith("cannot start a trainer for run " + runId) ? why : "cannot start a trainer for run " + runId + ": " + why);
            startFailed(runId, e.getMessage());
        }
    }

    /**
     * Records a failed start; retries later with backoff, and fails the run after the last attempt. One transaction
     * that holds the run and writes only while it is still queued: a worker elsewhere may have claimed it meanwhile
     * (on a shared log), and its run is not failed behind its back.
     */
    private void startFailed(String runId, String error) {
        spawned.remove(runId);
        int n = attempts.getOrDefault(runId, 0) + 1;
        try {
            List<sparselab.log.StoredEvent> written = log.appendChecked(runId, r -> {
                if (!r.status().equals("queued")) return List.of();
                List<sparselab.log.RunEvent> events = new java.util.ArrayList<>();
                events.add(new sparselab.log.RunEvent.StartFailed(n, error));
                if (n >= MAX_START_ATTEMPTS) {
                    events.add(new sparselab.log.RunEvent.Failed(0, "the trainer could not be started (" + n + " attempts): " + error));
                }
                return events;
            });
            if (written.isEmpty() || n >= MAX_START_ATTEMPTS) {          // claimed elsewhere or ended meanwhile, or failed now
                attempts.remove(runId);
                notBefore.remove(runId);
                return;
            }
            attempts.put(runId, n);
        } catch (RuntimeException e) {
            LOG.warn("cannot record the failed start of run {}: {}", runId, e.getMessage());
            attempts.put(runId, n);                 // the backoff grows all the same: not a new trainer every few seconds
        }
        // the next try after a backoff, also when the record failed (nothing of it was written)
        notBefore.put(runId, System.currentTimeMillis() + (FIRST_BACKOFF_MS << (Math.min(n, MAX_START_ATTEMPTS) - 1)));
    }

    private static String exitCode(Process p) {
        try {
            return Integer.toString(p.exitValue());
        } catch (IllegalThreadStateException e) {
            return "?";
        }
    }

    /** The run ids whose trainers are alive, in start order. */
    public synchronized List<String> active() {
        running.entrySet().removeIf(e -> !e.getValue().isAlive());
        return List.copyOf(running.keySet());
    }

    public int workers() { return workers; }

    /** Stops looking for work; trainers already started go on (they are detached and write to the log). */
    @Override
    public synchronized void close() {
        if (timer != null) {
            timer.shutdownNow();
            try {
                log.workerStopped(name());
            } catch (RuntimeException e) {
                LOG.debug("could not mark the pool stopped: {}", e.getMessage());
            }
        }
        timer = null;
    }
}
