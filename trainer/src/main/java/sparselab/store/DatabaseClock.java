package sparselab.store;

import java.time.Clock;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.concurrent.Executor;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.LongSupplier;
import java.util.function.Supplier;

/**
 * The database's clock as this machine reads it: this machine's clock corrected by its offset from the database
 * server's, measured at the first reading and again every minute (every 5 s until a first reading succeeded).
 * Heartbeats are written in the database's time, so whether a run's trainer or a worker is alive (a heartbeat
 * younger than 20 s) is judged on this clock everywhere: a machine whose own clock is ahead does not see live runs
 * as interrupted, nor one whose clock is behind dead runs as alive.
 *
 * <p>The first reading waits for its measurement (a PostgreSQL log takes it when opened, while its server has just
 * answered); later ones never do: a measurement that falls due runs on a thread of its own while every caller goes on
 * with the last offset, which is also kept when the database cannot be read. A request of the dashboard that reads the
 * clock while the server is down so waits for the pool once, for its own query, not a second time for the clock's.
 * When to measure again is timed by a monotonic clock, so a step of the wall clock (an NTP correction) does not put
 * it off.
 */
final class DatabaseClock extends Clock {
    static final long REMEASURE_NANOS = 60_000_000_000L;
    static final long RETRY_NANOS = 5_000_000_000L;

    /** One reading of the database's time, bracketed by this machine's clock just before and after the query. */
    record Reading(long databaseMillis, long localBeforeMillis, long localAfterMillis) {}

    private final Supplier<Reading> database;
    private final Clock local;
    private final LongSupplier monotonic;
    private final Executor later;
    private final ReentrantLock first = new ReentrantLock();
    private final AtomicBoolean measuring = new AtomicBoolean();   // a later measurement is under way
    private volatile boolean measured;               // an offset was read at least once
    private volatile long offsetMs;
    private volatile long nextNanos;
    private volatile boolean tried;

    /** @param later runs a measurement after the first (production: a daemon thread of its own; tests: at once) */
    DatabaseClock(Supplier<Reading> database, Clock local, LongSupplier monotonic, Executor later) {
        this.database = database;
        this.local = local;
        this.monotonic = monotonic;
        this.later = later;
    }

    DatabaseClock(Supplier<Reading> database, Clock local) { this(database, local, System::nanoTime, DatabaseClock::onItsOwnThread); }

    private static void onItsOwnThread(Runnable r) {
        Thread t = new Thread(r, "database-clock");
        t.setDaemon(true);
        t.start();
    }

    @Override
    public Instant instant() {
        if (!tried) {
            first.lock();                              // the first reading: every caller waits for it
            try {
                if (!tried) measure();
            } finally {
                first.unlock();
            }
        } else if (monotonic.getAsLong() - nextNanos >= 0 && measuring.compareAndSet(false, true)) {
            // measured off the caller's thread: with the server down, a measurement waits for the pool (15 s), and
            // the caller's own query would then wait as long again
            try {
                later.execute(() -> {
                    try {
                        if (monotonic.getAsLong() - nextNanos >= 0) measure();
                    } finally {
                        measuring.set(false);
                    }
                });
            } catch (RuntimeException | OutOfMemoryError e) {
                measuring.set(false);                  // no thread to be had: the next reading tries again
            }
        }
        return local.instant().plusMillis(offsetMs);
    }

    private void measure() {
        try {
            Reading r = database.get();
            offsetMs = r.databaseMillis() - (r.localBeforeMillis() + r.localAfterMillis()) / 2;
            measured = true;
        } catch (RuntimeException e) {
            // the database is out of reach: the last offset (or none) until the next try
        }
        tried = true;
        nextNanos = monotonic.getAsLong() + (measured ? REMEASURE_NANOS : RETRY_NANOS);
    }

    /** The next reading measures again, as if a minute had passed (a test's way to make one due now). */
    void dueNow() { nextNanos = monotonic.getAsLong(); }

    @Override
    public ZoneId getZone() { return ZoneOffset.UTC; }

    @Override
    public Clock withZone(ZoneId zone) { throw new UnsupportedOperationException("the database's clock is UTC"); }
}
