package sparselab.store;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;

import static org.junit.jupiter.api.Assertions.*;

/** The database's clock read through this machine's: whether a heartbeat is fresh is judged in the database's time. */
class DatabaseClockTest {
    @TempDir Path dir;

    /** A wall clock the test sets by hand. */
    private static final class Hand extends Clock {
        final AtomicReference<Instant> now = new AtomicReference<>(Instant.parse("2026-11-30T12:00:00Z"));
        @Override public Instant instant() { return now.get(); }
        @Override public java.time.ZoneId getZone() { return ZoneOffset.UTC; }
        @Override public Clock withZone(java.time.ZoneId zone) { return this; }
    }

    private final Hand local = new Hand();
    private final AtomicLong monotonic = new AtomicLong();      // nanoTime, moved by the test
    private final AtomicReference<Duration> databaseAhead = new AtomicReference<>(Duration.ZERO);
    private final AtomicReference<RuntimeException> down = new AtomicReference<>();
    private final AtomicInteger reads = new AtomicInteger();

    private DatabaseClock clock() {
        return new DatabaseClock(() -> {
            reads.incrementAndGet();
            if (down.get() != null) throw down.get();
            long at = local.millis();
            return new DatabaseClock.Reading(at + databaseAhead.get().toMillis(), at, at);
        }, local, monotonic::get, Runnable::run);
    }

    private void pass(Duration d) {
        local.now.set(local.instant().plus(d));
        monotonic.addAndGet(d.toNanos());
    }

    @Test
    void a_machine_whose_clock_is_off_reads_the_database_time_and_measures_again_after_a_minute() {
        databaseAhead.set(Duration.ofSeconds(-45));               // this machine is 45 s ahead
        DatabaseClock clock = clock();
        assertEquals(Instant.parse("2026-11-30T11:59:15Z"), clock.instant());
        pass(Duration.ofSeconds(30));
        assertEquals(Instant.parse("2026-11-30T11:59:45Z"), clock.instant(), "the offset, not a new reading");
        assertEquals(1, reads.get());
        databaseAhead.set(Duration.ofSeconds(5));
        pass(Duration.ofSeconds(31));
        assertEquals(Instant.parse("2026-11-30T12:01:06Z"), clock.instant(), "measured again after a minute");
        assertEquals(2, reads.get());
    }

    @Test
    void a_step_back_of_the_wall_clock_does_not_put_the_next_measurement_off() {
        databaseAhead.set(Duration.ofSeconds(-45));
        DatabaseClock clock = clock();
        clock.instant();
        // NTP sets this machine's clock right: 45 s back; a minute later (monotonic time) the offset is measured anew
        local.now.set(local.instant().minusSeconds(45));
        databaseAhead.set(Duration.ZERO);
        pass(Duration.ofSeconds(60));
        assertEquals(local.instant(), clock.instant());
        assertEquals(2, reads.get());
    }

    @Test
    void when_the_database_cannot_be_read_the_last_offset_stays_and_a_first_failure_is_tried_again_soon() {
        down.set(new StoreException("the server is gone"));
        DatabaseClock clock = clock();
        assertEquals(local.instant(), clock.instant(), "no offset yet: this machine's clock");
        down.set(null);
        databaseAhead.set(Duration.ofSeconds(100));
        pass(Duration.ofSeconds(5));
        assertEquals(100_000, Duration.between(local.instant(), clock.instant()).toMillis(), "tried again after 5 s, not a minute");
        down.set(new StoreException("the server is gone"));
        pass(Duration.ofSeconds(120));
        assertEquals(100_000, Duration.between(local.instant(), clock.instant()).toMillis());
        assertEquals(3, reads.get());
    }

    @Test
    void a_measurement_that_falls_due_runs_off_the_reading_s_thread_one_at_a_time() {
        java.util.List<Runnable> pending = new java.util.ArrayList<>();
        DatabaseClock clock = new DatabaseClock(() -> {
            reads.incrementAndGet();
            long at = local.millis();
            return new DatabaseClock.Reading(at + databaseAhead.get().toMillis(), at, at);
        }, local, monotonic::get, pending::add);
        databaseAhead.set(Duration.ofSeconds(10));
        assertEquals(10_000, Duration.between(local.instant(), clock.instant()).toMillis(), "the first reading waits for its measurement");
        assertEquals(1, reads.get());
        assertTrue(pending.isEmpty());
        databaseAhead.set(Duration.ofSeconds(20));
        pass(Duration.ofSeconds(61));
        assertEquals(10_000, Duration.between(local.instant(), clock.instant()).toMillis(), "the last offset, at once");
        assertEquals(10_000, Duration.between(local.instant(), clock.instant()).toMillis());
        assertEquals(1, reads.get(), "not measured on the reading's thread");
        assertEquals(1, pending.size(), "one measurement under way, not one per reading");
        pending.remove(0).run();
        assertEquals(20_000, Duration.between(local.instant(), clock.instant()).toMillis(), "the new offset once measured");
        assertTrue(pending.isEmpty(), "the next one a minute later");
    }

    /** The pool's wait for a connection in the outage test (15 s by default: the test's figure is one wait, not two). */
    private static final int POOL_WAIT_MS = 4_000;

    @Test
    void a_measurement_due_while_the_server_is_down_does_not_add_a_wait_for_the_pool_to_a_read_of_the_log() throws Exception {
        LocalPostgres server = LocalPostgres.start();
        try (EventLog log = LocalPostgres.openWithPoolWait(server.newDatabase(), POOL_WAIT_MS)) {
            DatabaseClock clock = (DatabaseClock) log.clock();
            server.close();                                       // the server goes away before the clock is first read
            Thread.sleep(1000);   // past the 0.5 s in which the pool hands out a connection unchecked (a dead one fails at once)
            long start = System.nanoTime();
            Instant read = clock.instant();
            double firstSeconds = (System.nanoTime() - start) / 1e9;
            assertTrue(firstSeconds < 2, "measured when the log was opened, not now: " + firstSeconds + " s");
            assertTrue(Math.abs(Duration.between(Instant.now(), read).toMillis()) < 1000);
            clock.dueNow();                                       // as after a dashboard idle for a minute
            // what a request of the dashboard does: read the clock, then the log; the pool waits 4 s for a connection
            start = System.nanoTime();
            read = clock.instant();
            double clockSeconds = (System.nanoTime() - start) / 1e9;
            assertTrue(clockSeconds < 2, "the clock took " + clockSeconds + " s");
            assertTrue(Math.abs(Duration.between(Instant.now(), read).toMillis()) < 1000, "the last offset");
            RuntimeException e = assertThrows(RuntimeException.class, () -> log.run("r0000000000"));
            double seconds = (System.nanoTime() - start) / 1e9;
            assertTrue(StoreException.unreachable(e), e.toString());
            assertTrue(seconds < 1.75 * POOL_WAIT_MS / 1000, "one wait for the pool (4 s), not two: " + seconds + " s");
        } finally {
            server.close();
        }
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
