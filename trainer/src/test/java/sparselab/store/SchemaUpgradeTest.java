package sparselab.store;

import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.nio.file.Path;
import java.time.Instant;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Who upgrades a log's schema: a command that only reads never does (it refuses an older schema), a command that
 * writes does, but not while a process of the older version may be writing to it; a database that holds other
 * tables is no log.
 */
class SchemaUpgradeTest {
    @TempDir Path dir;

    @ParameterizedTest
    @ValueSource(strings = {"sqlite", "postgresql"})
    void readers_never_upgrade_and_writers_upgrade_only_a_log_nothing_uses(String kind) throws Exception {
        String db = Logs.newLog(kind, dir);
        String run, latest;
        try (EventLog log = EventLog.open(db)) {
            run = EventLogTest.createRun(log);
            log.claim(run, EventLogTest.started(1), r -> true).orElseThrow();   // a trainer beats in it now
            latest = log.schemaVersion();
        }
        String older = Integer.toString(Integer.parseInt(latest) - 1);
        // the log as the version before the last migration left it (the last migration must be safe to apply again)
        Logs.rawExecute(db, "DELETE FROM flyway_schema_history WHERE version = '" + latest + "'");

        StoreException.BadLog read = assertThrows(StoreException.OlderSchema.class, () -> EventLog.openReadOnly(db));
        assertTrue(read.getMessage().contains("schema version " + older + ", older than this program's " + latest)
                && read.getMessage().contains("`./sparselab migrate"), read.getMessage());

        StoreException.BadLog inUse = assertThrows(StoreException.BadLog.class, () -> EventLog.open(db));
        assertTrue(inUse.getMessage().contains("is in use (run " + run + ")") && inUse.getMessage().contains("nothing was written"),
                inUse.getMessage());
        // a worker (or a dashboard's pool) beating counts too
        Logs.rawExecute(db, "UPDATE runs SET heartbeat_at = '2000-01-01T00:00:00.000Z' WHERE run_id = '" + run + "'");
        Logs.rawExecute(db, "INSERT INTO workers (name, host, pid, slots, runs, started_at, heartbeat_at, stopped) VALUES ('box-7:42', "
                + "'box-7', 42, 1, '[]', '" + Instant.now() + "', '" + Instant.now().plusSeconds(5) + "', FALSE)");
        StoreException.BadLog worker = assertThrows(StoreException.BadLog.class, () -> EventLog.open(db));
        assertTrue(worker.getMessage().contains("is in use (worker box-7:42)"), worker.getMessage());
        StoreException.BadLog still = assertThrows(StoreException.OlderSchema.class, () -> EventLog.openReadOnly(db));
        assertTrue(still.getMessage().contains("schema version " + older + ","), "the refusals wrote nothing: " + still.getMessage());

        // the worker stopped: a writer upgrades the log, and readers open it again
        Logs.rawExecute(db, "UPDATE workers SET stopped = TRUE");
        try (EventLog log = EventLog.open(db)) {
            assertEquals(latest, log.schemaVersion());
        }
        try (EventLog log = EventLog.openReadOnly(db)) {
            assertEquals(run, log.run(run).orElseThrow().runId());
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"sqlite", "postgresql"})
    void a_database_with_other_tables_is_no_log_and_a_reader_creates_none(String kind) throws Exception {
        String db = Logs.newLog(kind, dir);
        if (kind.equals("sqlite")) {
            try (java.sql.Connection c = java.sql.DriverManager.getConnection("jdbc:sqlite:" + db)) {
                c.createStatement().execute("CREATE TABLE customers (id INTEGER)");
            }
        } else {
            StoreException.BadLog empty = assertThrows(StoreException.BadLog.class, () -> EventLog.openReadOnly(db));
            assertTrue(empty.getMessage().contains("holds no sparselab log"), empty.getMessage());
            Logs.rawExecute(db, "CREATE TABLE customers (id INTEGER)");
        }
        for (boolean readOnly : new boolean[] {false, true}) {
            StoreException.BadLog e = assertThrows(StoreException.BadLog.class, () -> {
                if (readOnly) EventLog.openReadOnly(db).close(); else EventLog.open(db).close();
            });
            assertTrue(e.getMessage().contains("is not a sparselab log: it holds other tables"), e.getMessage());
            assertTrue(!e.getMessage().contains("baseline"), "no Flyway advice: " + e.getMessage());
        }
        // nothing was written: no schema history table
        java.sql.SQLException none = assertThrows(java.sql.SQLException.class,
                () -> Logs.rawExecute(db, "SELECT count(*) FROM flyway_schema_history"));
        assertTrue(none.getMessage().contains("flyway_schema_history"), none.getMessage());
    }
}
