package sparselab.live;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import sparselab.store.EventLog;
import sparselab.log.RunRow;
import sparselab.log.StoredEvent;
import sparselab.runs.RunView;

import java.time.Clock;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;

/**
 * Follows the event log and tells its subscribers which runs changed: one thread reads the events appended since the
 * last look ({@link EventLog#eventsAfter}), and hands each subscriber whose filter accepts it the new view of every run
 * those events touched. At most {@code capacity} subscribers at once: past that, {@link #subscribe} says no.
 * The first look only finds where the log ends; nothing already in the log is sent.
 */
public final class RunFeed implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(RunFeed.class);
    private static final int PAGE = 2000;

    /** Receives the changed runs; returns false when it can take no more (its stream closed). */
    public interface Subscriber {
        boolean send(RunView run);

        /** Called every few seconds when nothing changed, to find closed streams; returns false when closed. */
        boolean ping();
    }

    private record Subscription(Predicate<RunView> filter, Subscriber subscriber) {}

    private final EventLog log;
    private final Clock clock;
    private final int capacity;
    private final long intervalMillis;
    private final List<Subscription> subscriptions = new CopyOnWriteArrayList<>();
    private final Object lock = new Object();
    private ScheduledExecutorService thread;
    private long cursor = -1;
    private long lastPing;

    /**
     * @param capacity       most subscribers at once
     * @param intervalMillis how often the log is read while anyone listens
     */
    public RunFeed(EventLog log, Clock clock, int capacity, long intervalMillis) {
        this.log = log;
        this.clock = clock;
        this.capacity = capacity;
        this.intervalMillis = intervalMillis;
    }

    public int capacity() { return capacity; }

    public int subscribers() { return subscriptions.size(); }

    /**
     * Adds a subscriber for the runs {@code filter} accepts; false when the feed is full.
     *
     * @return a handle that removes the subscription when run, or null when refused
     */
    public Runnable subscribe(Predicate<RunView> filter, Subscriber subscriber) {
        Subscription s = new Subscription(filter, subscriber);
        synchronized (lock) {
            if (subscriptions.size() >= capacity) return null;
            subscriptions.add(s);
            if (thread == null) {
                thread = Executors.newSingleThreadScheduledExecutor(r -> {
                    Thread t = new Thread(r, "run-feed");
                    t.setDaemon(true);
                    return t;
                });
                thread.scheduleWithFixedDelay(this::poll, 0, intervalMillis, TimeUnit.MILLISECONDS);
            }
        }
        return () -> subscriptions.remove(s);
    }

    private void poll() {
        try {
            if (cursor < 0) {
                cursor = end();
                return;
            }
            Set<String> changed = new LinkedHashSet<>();
            List<StoredEvent> events;
            do {
                events = log.eventsAfter(cursor, PAGE);
                for (StoredEvent e : events) {
                    changed.add(e.runId());
                    cursor = e.id();
                }
            } while (events.size() == PAGE);
            long now = System.currentTimeMillis();
            if (changed.isEmpty()) {
                if (now - lastPing > 5000) {
                    lastPing = now;
                    for (Subscription s : subscriptions) if (!s.subscriber().ping()) subscriptions.remove(s);
                }
                return;
            }
            for (String id : changed) {
                RunRow row = log.run(id).orElse(null);
                if (row == null) continue;
                RunView view = RunView.of(row, clock.instant());
                for (Subscription s : subscriptions) {
                    if (s.filter().test(view) && !s.subscriber().send(view)) subscriptions.remove(s);
                }
            }
        } catch (RuntimeException e) {
            LOG.warn("reading the log for the live feed failed; trying again", e);
        }
    }

    /**
     * The id of the last event in the log (0 when empty), found with a few one-row reads: {@code eventsAfter(a, 1)} is
     * empty exactly when a is at or past the last id, so the last id is the smallest such a.
     */
    private long end() {
        long hi = 1;
        while (!log.eventsAfter(hi, 1).isEmpty()) hi *= 2;
        long lo = 0;                      // invariant: the last id is in (lo, hi], or 0 when lo = 0 and nothing is after 0
        if (log.eventsAfter(0, 1).isEmpty()) return 0;
        while (hi - lo > 1) {
            long mid = lo + (hi - lo) / 2;
            if (log.eventsAfter(mid, 1).isEmpty()) hi = mid; else lo = mid;
        }
        return hi;
    }

    @Override
    public void close() {
        synchronized (lock) {
            if (thread != null) thread.shutdownNow();
            thread = null;
            subscriptions.clear();
        }
    }
}
