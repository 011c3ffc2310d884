package sparselab.store;

import java.time.Clock;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.function.Supplier;

/**
 * The database's clock as this machine reads it: this machine's clock corrected by its offset from the database
 * server's, measured at the first reading and again at most once a minute. Heartbeats are written in the
 * database's time, so whether a run's trainer or a worker is alive (a heartbeat younger than 20 s) is judged on
 * this clock everywhere: a machine whose own clock is ahead does not see live runs as interrupted, nor one whose
 * clock is behind dead runs as alive. When the database cannot be read, the last offset is kept.
 */
final class DatabaseClock extends Clock {
    static final long REMEASURE_MS = 60_000;

    private final Supplier<Instant> database;
    private final Clock local;
    private volatile long offsetMs;
    private volatile long measuredAtMs = Long.MIN_VALUE;

    DatabaseClock(Supplier<Instant> database, Clock local) {
        this.database = database;
        this.local = local;
    }

    @Override
    public Instant instant() {
        long now = local.millis();
        if (measuredAtMs == Long.MIN_VALUE || now - measuredAtMs >= REMEASURE_MS) measure();
        return local.instant().plusMillis(offsetMs);
    }

    private synchronized void measure() {
        long before = local.millis();
        if (measuredAtMs != Long.MIN_VALUE && before - measuredAtMs < REMEASURE_MS) return;   // another thread just did
        try {
            Instant db = database.get();
            long after = local.millis();
            offsetMs = db.toEpochMilli() - (before + after) / 2;
        } catch (RuntimeException e) {
            // the database is out of reach: the last offset (or none) until the next try
        }
        measuredAtMs = before;
    }

    /** The offset last measured: the database's clock minus this machine's, in milliseconds. */
    long offsetMs() { return offsetMs; }

    @Override
    public ZoneId getZone() { return ZoneOffset.UTC; }

    @Override
    public Clock withZone(ZoneId zone) { throw new UnsupportedOperationException("the database's clock is UTC"); }
}
