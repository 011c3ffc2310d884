package sparselab.store;

import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.nio.file.Path;

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
        String run;
        try (EventLog log = EventLog.open(db)) {
            run = EventLogTest.createRun(log);
            log.claim(run, EventLogTest.started(1), r -> true).orElseThrow();   // a trainer beats in it now
            assertEquals("8", log.schemaVersion());
        }
        // the log as the version before the last migration left it
        Logs.rawExecute(db, "DELETE FROM flyway_schema_history WHERE version = '8'");

        StoreException.BadLog read = assertThrows(StoreException.BadLog.class, () -> EventLog.openReadOnly(db));
        assertTrue(read.getMessage().contains("schema version 7, older than this program's 8")
                && read.getMessage().contains("sparselab migrate"), read.getMessage());

        StoreException.BadLog inUse = assertThrows(StoreException.BadLog.class, () -> EventLog.open(db));
        assertTrue(inUse.getMessage().contains("is in use (run " + run + ")") && inUse.getMessage().contains("nothing was written"),
                inUse.getMessage());
        assertThrows(StoreException.BadLog.class, () -> EventLog.openReadOnly(db), "still version 7: the refusals wrote nothing");

        // the trainer is gone (its heartbeat lapsed): a writer upgrades it, and readers open it again
        Logs.rawExecute(db, "UPDATE runs SET heartbeat_at = '2000-01-01T00:00:00.000Z' WHERE run_id = '" + run + "'");
        try (EventLog log = EventLog.open(db)) {
            assertEquals("8", log.schemaVersion());
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
            assertTrue(e.getMessage().contains("is not a sparselab log") || e.getMessage().contains("holds no sparselab log"), e.getMessage());
            assertTrue(!e.getMessage().contains("baseline"), "no Flyway advice: " + e.getMessage());
        }
    }
}
