package sparselab.store;

import java.time.Clock;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
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
 * <p>The first reading waits for its measurement; later ones never do: one caller measures again while the others
 * go on with the last offset, which is also kept when the database cannot be read. When to measure again is timed
 * by a monotonic clock, so a step of the wall clock (an NTP correction) does not put it off.
 */
final class DatabaseClock extends Clock {
    static final long REMEASURE_NANOS = 60_000_000_000L;
    static final long RETRY_NANOS = 5_000_000_000L;

    /** One reading of the database's time, bracketed by this machine's clock just before and after the query. */
    record Reading(long databaseMillis, long localBeforeMillis, long localAfterMillis) {}

    private final Supplier<Reading> database;
    private final Clock local;
    private final LongSupplier monotonic;
    private final ReentrantLock measuring = new ReentrantLock();
    private volatile boolean measured;               // an offset was read at least once
    private volatile long offsetMs;
    private volatile long nextNanos;
    private volatile boolean tried;

    DatabaseClock(Supplier<Reading> database, Clock local, LongSupplier monotonic) {
        this.database = database;
        this.local = local;
        this.monotonic = monotonic;
    }

    DatabaseClock(Supplier<Reading> database, Clock local) { this(database, local, System::nanoTime); }

    @Override
    public Instant instant() {
        if (!tried) {
            measuring.lock();                          // the first reading: every caller waits for it
            try {
                if (!tried) measure();
            } finally {
                measuring.unlock();
            }
        } else if (monotonic.getAsLong() - nextNanos >= 0 && measuring.tryLock()) {
            try {
                if (monotonic.getAsLong() - nextNanos >= 0) measure();
            } finally {
                measuring.unlock();
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

    @Override
    public ZoneId getZone() { return ZoneOffset.UTC; }

    @Override
    public Clock withZone(ZoneId zone) { throw new UnsupportedOperationException("the database's clock is UTC"); }
}
