package sparselab.store;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.UUID;

/** The two backends for parameterized tests: a new SQLite file in {@code dir}, or a new database on the test PostgreSQL server. */
public final class Logs {
    private Logs() {}

    /** A --db value for a new, empty log of {@code kind} ("sqlite" or "postgresql"). */
    public static String newLog(String kind, Path dir) {
        return switch (kind) {
            case "sqlite" -> dir.resolve("log-" + UUID.randomUUID().toString().substring(0, 8) + ".db").toString();
            case "postgresql" -> LocalPostgres.testDatabase();
            default -> throw new IllegalArgumentException(kind);
        };
    }

    /** Runs one SQL statement on the log's database with plain JDBC, bypassing the store (to test the schema's own guards). */
    public static void rawExecute(String db, String sql) throws SQLException {
        Backend b = Backend.parse(db, false);
        try (Connection c = DriverManager.getConnection(b.jdbcUrl(), b.user(), b.password()); Statement st = c.createStatement()) {
            st.execute(sql);
        }
    }

    /** Runs one query on the log's database with plain JDBC, bypassing the store: each row's columns joined by " | ". */
    public static java.util.List<String> rawQuery(String db, String sql) throws SQLException {
        Backend b = Backend.parse(db, false);
        java.util.List<String> rows = new java.util.ArrayList<>();
        try (Connection c = DriverManager.getConnection(b.jdbcUrl(), b.user(), b.password()); Statement st = c.createStatement();
             java.sql.ResultSet rs = st.executeQuery(sql)) {
            int n = rs.getMetaData().getColumnCount();
            while (rs.next()) {
                StringBuilder row = new StringBuilder();
                for (int i = 1; i <= n; i++) row.append(i > 1 ? " | " : "").append(rs.getString(i));
                rows.add(row.toString());
            }
        }
        return rows;
    }
}
