package sparselab.server;

import sparselab.store.EventLog;
import sparselab.store.LocalPostgres;

import java.nio.file.Path;

/**
 * The log a server test runs on: a new SQLite file in the test's folder, or, when the system property
 * {@code sparselab.test.backend} is {@code postgresql} (the second test execution of this module), a new database on
 * the test PostgreSQL server. The same tests pass on both.
 */
public final class TestLogs {
    private TestLogs() {}

    public static boolean postgresql() { return "postgresql".equals(System.getProperty("sparselab.test.backend")); }

    public static EventLog open(Path dir, String fileName) {
        return EventLog.open(postgresql() ? LocalPostgres.testDatabase() : dir.resolve(fileName).toString());
    }
}
