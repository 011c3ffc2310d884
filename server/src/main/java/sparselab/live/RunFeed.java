package sparselab.live;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import sparselab.store.EventLog;
import sparselab.log.RunRow;
import sparselab.log.StoredEvent;
import sparselab.runs.RunView;

import java.time.Clock;
import java.util.LinkedHashSet;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;

/**
 * Follows the event log and tells its subscribers which runs changed: one thread reads the events appended since the
 * last look ({@link EventLog#eventsAfter}), and hands each subscriber whose filter accepts it the new view of every run
 * those events touched. At most {@code capacity} subscribers at once: past that, {@link #subscribe} says no.
 * The first look finds where the log ends; nothing already in the log is sent. A running run whose heartbeats stop
 * (or whose trainer on this machine ends) turns interrupted without an event: the running runs are looked at every
 * {@link #LAPSE_CHECK_MILLIS} ms, and one whose status changed so is sent too.
 *
 * <p><b>Ids that commit late.</b> On PostgreSQL two appends in concurrent transactions (two trainers, or a trainer
 * and the server) take their ids when they insert and become visible when they commit, which can be in the other
 * order: the feed may read id 11 before id 10 exists for it. Each id that a read skips is therefore looked for again
 * at every poll for {@link #GAP_GRACE_MILLIS} ({@link EventLog#eventsWithIds}); after that it is taken for an id used
 * up by a rolled-back append, which never appears. At most {@link #MAX_GAPS} such ids are followed, the newest. The
 * first look does the same for the ids missing below the end it finds (appends in flight then). (SQLite has one writer
 * at a time, so its ids commit in order.)
 */
public final class RunFeed implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(RunFeed.class);
    private static final int PAGE = 2000;
    /** How long an id skipped by a read is looked for again: far longer than any of the log's write transactions. */
    static final long GAP_GRACE_MILLIS = 60_000;
    /**
     * At most this many skipped ids are remembered, the newest (more means ids used up in bulk, not appends in flight);
     * all of them are looked up in one {@link EventLog#eventsWithIds} call, which takes this many.
     */
    private static final int MAX_GAPS = EventLog.MAX_IDS_AT_ONCE;
    /** How often the running runs are looked at for a status that changed without an event ({@link #lapsed}). */
    static final long LAPSE_CHECK_MILLIS = 2000;
    /** At most this many unfinished runs are looked at for it. */
    private static final int MAX_WATCHED = 1000;

    /** Receives the changed runs; returns false when it can take no more (its stream closed). */
    public interface Subscriber {
        boolean send(RunView run);

        /** The same, with the feed's position in the log once the view was read (a stream's event id). */
        default boolean send(RunView run, long id) { return send(run); }

        /** Whether it can take views yet (a stream still opening cannot): a replay waits for it. */
        default boolean ready() { return true; }

        /** Called every 5 s, whether anything changed or not, to find closed streams; returns false when closed. */
        boolean ping();
    }

    /** {@code replayAfter}: the log position after which the changes are to be sent to this subscriber alone, -1 for none. */
    private record Subscription(Predicate<RunView> filter, Subscriber subscriber, java.util.concurrent.atomic.AtomicLong replayAfter) {}

    /** A replay reads at most this many events; a position further back replays nothing (the client reads the API). */
    public static final int MAX_REPLAY = 10 * PAGE;

    private final EventLog log;
    private final sparselab.runs.RunQueries queries;
    private final Clock clock;
    private final int capacity;
    private final long intervalMillis;
    private final List<Subscription> subscriptions = new CopyOnWriteArrayList<>();
    private final Object lock = new Object();
    private ScheduledExecutorService thread;
    private volatile long cursor = -1;                // written by the poll thread only; read by a stream's start
    private long lastPing;
    private final TreeMap<Long, Long> gaps = new TreeMap<>();     // an id skipped by a read -> when (ms), poll thread only
    /** The stored-running runs and the status each showed when last looked at or sent (poll thread only): {@link #lapsed}. */
    private Map<String, String> running = new HashMap<>();
    private long lastLapseCheck;

    /**
     * @param capacity       most subscribers at once
     * @param intervalMillis how often the log is read while anyone listens
     */
    public RunFeed(EventLog log, Clock clock, int capacity, long intervalMillis) {
        this.log = log;
        this.queries = new sparselab.runs.RunQueries(log);
        this.clock = clock;
        this.capacity = capacity;
        this.intervalMillis = intervalMillis;
    }

    public int capacity() { return capacity; }

    public int subscribers() { return subscriptions.size(); }

    /** Whether the log holds this run (a stream of a run that does not exist is refused). */
    boolean hasRun(String runId) { return log.run(runId).isPresent(); }

    /**
     * Adds a subscriber for the runs {@code filter} accepts; false when the feed is full.
     *
     * @return a handle that removes the subscription when run, or null when refused
     */
    /**
     * The feed's position in the log: the id of the last event it has read, or before its first look, where the log
     * ends now (a stream that starts from there is sent every later change, live or, after a reconnect, replayed).
     */
    public long position() {
        long at = cursor;
        return at >= 0 ? at : log.lastEventId();
    }

    public Runnable subscribe(Predicate<RunView> filter, Subscriber subscriber) {
        return subscribe(filter, subscriber, -1);
    }

    /**
     * The same, and the runs the filter accepts that changed after log position {@code after} (a stream's
     * {@code Last-Event-ID}; -1: none) are sent to this subscriber once it is {@link Subscriber#ready}, at a later poll:
     * those of at most {@link #MAX_REPLAY} events, none when more have been written since.
     */
    public Runnable subscribe(Predicate<RunView> filter, Subscriber subscriber, long after) {
        Subscription s = new Subscription(filter, subscriber, new java.util.concurrent.atomic.AtomicLong(after));
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

    /** Whether the last poll failed (the poll thread's own): an outage is logged once, with its cause, not once a poll. */
    private boolean failing;

    private void poll() {
        try {
            pollOnce();
            if (failing) {
                failing = false;
                LOG.info("the live feed reads the log again");
            }
        } catch (RuntimeException e) {
            if (!failing) {
                failing = true;
                LOG.warn("reading the log for the live feed failed ({}); trying again every {} ms, logged again once it works",
                        cause(e), intervalMillis);
            } else {
                LOG.debug("reading the log for the live feed failed again", e);
            }
        }
    }

    /** The innermost message of {@code e}: what went wrong, without the layers of the connection pool. */
    private static String cause(Throwable e) {
        Throwable t = e;
        while (t.getCause() != null && t.getCause() != t) t = t.getCause();
        String m = t.getMessage() == null ? t.getClass().getSimpleName() : t.getMessage();
        int nl = m.indexOf('\n');
        return nl < 0 ? m : m.substring(0, nl);
    }

    private void pollOnce() {
        long now = System.nanoTime() / 1_000_000;
        if (cursor < 0) {
            firstLook(now);
            return;
        }
        Set<String> changed = new LinkedHashSet<>();
        gaps.values().removeIf(t -> now - t > GAP_GRACE_MILLIS);
        // read first, change the feed's state after: a failed read leaves it as it was, to be read again
        List<StoredEvent> late = gaps.isEmpty() ? List.of() : log.eventsWithIds(gaps.keySet());   // committed since?
        long next = cursor;
        TreeMap<Long, Long> skipped = new TreeMap<>();
        List<StoredEvent> events;
        do {
            events = log.eventsAfter(next, PAGE);
            for (StoredEvent e : events) {
                // the ids just before e that no read has returned; of a long run of them (ids used up in bulk),
                // the last MAX_GAPS, nearest the appends in flight
                for (long id = Math.max(next + 1, e.id() - MAX_GAPS); id < e.id(); id++) skipped.put(id, now);
                while (skipped.size() > MAX_GAPS) skipped.pollFirstEntry();
                changed.add(e.runId());
                next = e.id();
            }
        } while (events.size() == PAGE);
        for (StoredEvent e : late) {
            changed.add(e.runId());
            gaps.remove(e.id());
        }
        cursor = next;
        gaps.putAll(skipped);
        while (gaps.size() > MAX_GAPS) gaps.pollFirstEntry();    // the oldest give way to the newest
        // every subscriber is pinged every 5 s, changes or not: a stream whose client has gone is found only by a
        // write, and one whose filter matches nothing that changes would otherwise hold its slot for good
        if (now - lastPing > 5000) {
            lastPing = now;
            for (Subscription s : subscriptions) if (!s.subscriber().ping()) subscriptions.remove(s);
        }
        if (!subscriptions.isEmpty() && now - lastLapseCheck > LAPSE_CHECK_MILLIS) {     // no stream open: nothing to tell
            lastLapseCheck = now;
            changed.addAll(lapsed());
        }
        Map<String, RunView> views = new HashMap<>();
        for (String id : changed) {
            RunView view = view(id, views);
            if (view == null) continue;
            for (Subscription s : subscriptions) {
                if (s.filter().test(view) && !s.subscriber().send(view, cursor)) subscriptions.remove(s);
            }
        }
        for (Subscription s : subscriptions) {
            long after = s.replayAfter().get();
            if (after < 0 || !s.subscriber().ready()) continue;
            Set<String> missed = changedAfter(after);
            s.replayAfter().set(-1);
            for (String id : missed) {
                if (changed.contains(id)) continue;              // sent just now
                RunView view = view(id, views);
                if (view != null && s.filter().test(view) && !s.subscriber().send(view, cursor)) {
                    subscriptions.remove(s);
                    break;
                }
            }
        }
    }

    /** The view of one run now, read once a poll ({@code views}); null when the log holds no such run. */
    private RunView view(String id, Map<String, RunView> views) {
        if (views.containsKey(id)) return views.get(id);
        RunRow row = log.run(id).orElse(null);
        RunView view = row == null ? null : queries.view(row, clock.instant());
        if (row != null && "running".equals(row.status())) running.put(id, view.status());
        views.put(id, view);
        return view;
    }

    /** The runs of the events after {@code after} up to the feed's position; none when more than {@link #MAX_REPLAY}. */
    private Set<String> changedAfter(long after) {
        Set<String> out = new LinkedHashSet<>();
        long next = after;
        int read = 0;
        List<StoredEvent> events;
        do {
            events = log.eventsAfter(next, PAGE);
            for (StoredEvent e : events) {
                if (e.id() > cursor) return out;
                out.add(e.runId());
                next = e.id();
            }
            read += events.size();
            if (read > MAX_REPLAY) return Set.of();
        } while (events.size() == PAGE);
        return out;
    }

    /**
     * The runs whose status changed with no event: a running run reads as interrupted once its heartbeats stop or its
     * trainer on this machine has ended ({@link RunRow#effectiveStatus}), and neither appends anything to the log, so
     * without this look a stream would show such a run running for good. Remembers the status of every stored-running
     * run (at most {@link #MAX_WATCHED}, the oldest unfinished first) and returns those whose status differs from the
     * one last looked at or sent.
     */
    private Set<String> lapsed() {
        List<RunRow> rows = log.unfinished(MAX_WATCHED);
        java.time.Instant at = clock.instant();
        Map<String, String> seen = new HashMap<>();
        Set<String> out = new LinkedHashSet<>();
        for (RunRow r : rows) {
            if (!"running".equals(r.status())) continue;
            String status = r.effectiveStatus(at);
            seen.put(r.runId(), status);
            String before = running.get(r.runId());
            if (before != null && !before.equals(status)) out.add(r.runId());
        }
        running = seen;
        return out;
    }

    /**
     * Finds where the log ends, and which of the {@link #MAX_GAPS} ids below that end the log does not hold yet: those
     * of appends still in flight are followed like the ids a read skips, so that an append that commits after this look
     * is sent (one rolled back long ago is looked for in vain for {@link #GAP_GRACE_MILLIS}).
     */
    private void firstLook(long now) {
        long from = Math.max(0, log.lastEventId() - MAX_GAPS);
        // the end and the ids below it from one read: an append that commits after it is either past that end or missing
        List<Long> ids = log.eventIdsBetween(from, Long.MAX_VALUE);
        long end = ids.isEmpty() ? from : ids.get(ids.size() - 1);
        Set<Long> present = new java.util.HashSet<>(ids);
        for (long id = from + 1; id < end; id++) if (!present.contains(id)) gaps.put(id, now);
        while (gaps.size() > MAX_GAPS) gaps.pollFirstEntry();
        lapsed();                                       // the running runs' statuses now: only later changes are sent
        lastLapseCheck = now;
        cursor = end;
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
