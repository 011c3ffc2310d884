package sparselab.launch;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import sparselab.log.EventLog;

import java.util.ArrayDeque;
import java.util.Deque;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * A bounded pool of background trainer processes. It holds no queue of its own: the queue is the log's queued
 * runs, oldest created first, so runs queued from the command line are picked up too. At most {@code workers}
 * processes run at once; each one claims its run in the log ({@code EventLog.claim}), so a run that another
 * process took in the meantime is simply skipped by the trainer. Resumes asked for on the page go ahead of the
 * queue.
 */
public final class LaunchPool implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(LaunchPool.class);
    private static final String NEXT_QUEUED = "SELECT r.run_id FROM runs r JOIN events e ON e.run_id = r.run_id AND e.seq = 1 "
            + "WHERE r.status = 'queued' AND r.cancel_requested = 0 ORDER BY e.id LIMIT :n";

    private final EventLog log;
    private final TrainerSpawner spawner;
    private final int workers;
    private final Map<String, Process> running = new LinkedHashMap<>();
    private final Set<String> spawned = new HashSet<>();
    private final Deque<String> resumes = new ArrayDeque<>();
    private ScheduledExecutorService timer;

    public LaunchPool(EventLog log, TrainerSpawner spawner, int workers) {
        if (workers < 1) throw new IllegalArgumentException("workers must be at least 1, not " + workers);
        this.log = log;
        this.spawner = spawner;
        this.workers = workers;
    }

    /** Looks for work every {@code periodMs} in the background. */
    public synchronized LaunchPool start(long periodMs) {
        if (timer == null) {
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

    /** Queues a trainer for a run that stopped early; it starts ahead of the queued runs. */
    public synchronized void resume(String runId) {
        if (!resumes.contains(runId) && !running.containsKey(runId)) resumes.addLast(runId);
        wake();
    }

    private void tickQuietly() {
        try {
            tick();
        } catch (RuntimeException e) {
            LOG.warn("launch pool: {}", e.toString());
        }
    }

    /** Forgets exited trainers, then starts trainers for resumes and queued runs while fewer than {@code workers} run. */
    public synchronized void tick() {
        running.entrySet().removeIf(e -> !e.getValue().isAlive());
        while (running.size() < workers && !resumes.isEmpty()) start(resumes.pollFirst(), true);
        if (running.size() >= workers) return;
        List<String> queued = log.jdbi().withHandle(h -> h.createQuery(NEXT_QUEUED).bind("n", workers + spawned.size())
                .mapTo(String.class).list());
        for (String id : queued) {
            if (running.size() >= workers) break;
            if (spawned.contains(id)) continue;
            start(id, false);
        }
    }

    private void start(String runId, boolean resume) {
        spawned.add(runId);
        try {
            Process p = spawner.spawn(log.file(), runId, resume);
            running.put(runId, p);
            LOG.info("started trainer pid {} for {}run {}", p.pid(), resume ? "resumed " : "", runId);
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
        if (timer != null) timer.shutdownNow();
        timer = null;
    }
}
