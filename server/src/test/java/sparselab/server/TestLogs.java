package sparselab.server;

import sparselab.store.EventLog;
import sparselab.store.LocalPostgres;

import java.net.URI;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;

/**
 * The log a server test runs on: a new SQLite file in the test's folder, or, when the system property
 * {@code sparselab.test.backend} is {@code postgresql} (the second test execution of this module), a new database on
 * the test PostgreSQL server. The same tests pass on both.
 */
public final class TestLogs {
    private TestLogs() {}

    public static boolean postgresql() { return "postgresql".equals(System.getProperty("sparselab.test.backend")); }

    public static EventLog open(Path dir, String fileName) {
        return EventLog.open(newDb(dir, fileName));
    }

    /** The --db value of a new log: a SQLite file in {@code dir}, or a new database on the test PostgreSQL server. */
    public static String newDb(Path dir, String fileName) {
        return postgresql() ? LocalPostgres.testDatabase() : dir.resolve(fileName).toString();
    }

    /** One SQL statement on the log's database with plain JDBC, bypassing the store (to make states the store never makes). */
    public static void rawExecute(String db, String sql) throws SQLException {
        try (Connection c = rawConnection(db); Statement st = c.createStatement()) {
            st.execute(sql);
        }
    }

    /** A plain JDBC connection to the log's database, outside the store's pool. */
    public static Connection rawConnection(String db) throws SQLException {
        String url, user = null, password = System.getenv("PGPASSWORD");
        if (db.startsWith("postgresql://")) {
            URI u = URI.create(db);
            url = "jdbc:postgresql://" + u.getHost() + ":" + u.getPort() + u.getPath();
            if (u.getUserInfo() != null) {
                String[] ui = u.getUserInfo().split(":", 2);
                user = ui[0];
                if (ui.length > 1) password = ui[1];
            }
        } else {
            url = "jdbc:sqlite:" + db;
        }
        return DriverManager.getConnection(url, user, password);
    }
}
