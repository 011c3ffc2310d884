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
    private final String db;
    private final TrainerSpawner spawner;
    private final int workers;
    private final Map<String, Process> running = new LinkedHashMap<>();
    /** Queued runs a trainer was started for whose claim has not shown yet: not started twice. Pruned every tick. */
    private final Set<String> spawned = new HashSet<>();
    private ScheduledExecutorService timer;

    /** @param db how trainers reopen the log (the --db value: a file or a URL without password) */
    public LaunchPool(EventLog log, String db, TrainerSpawner spawner, int workers) {
        if (workers < 0) throw new IllegalArgumentException("workers must be at least 0, not " + workers);
        this.log = log;
        this.db = db;
        this.spawner = spawner;
        this.workers = workers;
    }

    /** A pool whose trainers reopen the log where {@code log} says it is. */
    public LaunchPool(EventLog log, TrainerSpawner spawner, int workers) {
        this(log, log.describe(), spawner, workers);
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

    private void tickQuietly() {
        try {
            tick();
        } catch (RuntimeException e) {
            LOG.warn("launch pool: {}", e.toString());
        }
    }

    /** The pool's name in the workers view: {@code serve@host:pid}. */
    public String name() { return "serve@" + sparselab.runs.WorkerLoop.defaultName(); }

    /** Forgets exited trainers, marks the pool alive in the log, then starts trainers for queued runs while fewer than {@code workers} run. */
    public synchronized void tick() {
        running.entrySet().removeIf(e -> !e.getValue().isAlive());
        log.workerBeat(new sparselab.store.WorkerInfo(name(), sparselab.runs.Provenance.host(), ProcessHandle.current().pid(),
                workers, List.copyOf(running.keySet()), null, null, false));
        if (running.size() >= workers) return;
        List<String> queued = log.queued(workers + spawned.size());
        spawned.retainAll(new HashSet<>(queued));
        for (String id : queued) {
            if (running.size() >= workers) break;
            if (spawned.contains(id)) continue;
            start(id);
        }
    }

    private void start(String runId) {
        spawned.add(runId);
        try {
            Process p = spawner.spawn(db, runId, false);
            running.put(runId, p);
            LOG.info("started trainer pid {} for run {}", p.pid(), runId);
        } catch (RuntimeException e) {
            LOG.warn("cannot start a trainer for run {}: {}", runId, e.getMessage());
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
