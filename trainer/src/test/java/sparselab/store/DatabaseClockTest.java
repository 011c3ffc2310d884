package sparselab.store;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;

import static org.junit.jupiter.api.Assertions.*;

/** The database's clock read through this machine's: whether a heartbeat is fresh is judged in the database's time. */
class DatabaseClockTest {
    @TempDir Path dir;

    /** A clock the test moves by hand. */
    private static final class Hand extends Clock {
        final AtomicReference<Instant> now = new AtomicReference<>(Instant.parse("2026-11-30T12:00:00Z"));
        @Override public Instant instant() { return now.get(); }
        @Override public java.time.ZoneId getZone() { return ZoneOffset.UTC; }
        @Override public Clock withZone(java.time.ZoneId zone) { return this; }
    }

    @Test
    void a_machine_whose_clock_is_off_reads_the_database_time_and_measures_again_after_a_minute() {
        Hand local = new Hand();
        AtomicInteger reads = new AtomicInteger();
        AtomicReference<Duration> ahead = new AtomicReference<>(Duration.ofSeconds(-45));   // this machine is 45 s ahead
        DatabaseClock clock = new DatabaseClock(() -> {
            reads.incrementAndGet();
            return local.instant().plus(ahead.get());
        }, local);
        assertEquals(Instant.parse("2026-11-30T11:59:15Z"), clock.instant());
        local.now.set(local.instant().plusSeconds(30));
        assertEquals(Instant.parse("2026-11-30T11:59:45Z"), clock.instant(), "the offset, not a new reading");
        assertEquals(1, reads.get());
        ahead.set(Duration.ofSeconds(5));                      // the machine's clock was set right, and then some
        local.now.set(local.instant().plusSeconds(31));
        assertEquals(Instant.parse("2026-11-30T12:01:06Z"), clock.instant(), "measured again after a minute");
        assertEquals(2, reads.get());
    }

    @Test
    void when_the_database_cannot_be_read_the_last_offset_stays() {
        Hand local = new Hand();
        AtomicReference<RuntimeException> down = new AtomicReference<>();
        DatabaseClock clock = new DatabaseClock(() -> {
            if (down.get() != null) throw down.get();
            return local.instant().plusSeconds(100);
        }, local);
        assertEquals(100_000, Duration.between(local.instant(), clock.instant()).toMillis());
        down.set(new StoreException("the server is gone"));
        local.now.set(local.instant().plusSeconds(120));
        assertEquals(100_000, Duration.between(local.instant(), clock.instant()).toMillis());
    }

    @Test
    void a_postgresql_log_reads_its_server_clock_and_an_sqlite_file_this_machines() {
        try (EventLog pg = EventLog.open(Logs.newLog("postgresql", dir)); EventLog file = EventLog.open(Logs.newLog("sqlite", dir))) {
            assertInstanceOf(DatabaseClock.class, pg.clock());
            // the test server runs on this machine: the offset is the reading's own delay, well under a second
            assertTrue(Math.abs(Duration.between(Instant.now(), pg.clock().instant()).toMillis()) < 1000);
            assertFalse(file.clock() instanceof DatabaseClock);
        }
    }
}
