package sparselab.store;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import com.zaxxer.hikari.pool.HikariPool;
import org.flywaydb.core.Flyway;
import org.flywaydb.core.api.FlywayException;
import org.flywaydb.core.api.MigrationInfo;
import org.flywaydb.core.api.MigrationState;
import org.jdbi.v3.core.Handle;
import org.jdbi.v3.core.Jdbi;
import org.jdbi.v3.sqlobject.SqlObjectPlugin;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.sqlite.SQLiteConfig;
import org.sqlite.SQLiteDataSource;
import sparselab.log.Blob;
import sparselab.log.EpochMetrics;
import sparselab.log.EventTypes;
import sparselab.log.Json;
import sparselab.log.MeasuresRow;
import sparselab.log.Projection;
import sparselab.log.RunEvent;
import sparselab.log.RunRow;
import sparselab.log.SnapshotRow;
import sparselab.log.StoredEvent;

import java.nio.file.Files;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Consumer;
import java.util.function.Predicate;

/**
 * The event log on Jdbi, for both backends: SQLite (WAL, busy timeout, IMMEDIATE transactions, one file) and
 * PostgreSQL (READ COMMITTED; appends to one run take turns on its {@code runs} row lock, claims use
 * {@code FOR UPDATE SKIP LOCKED}). The same Flyway migrations, from {@code db/migration/sqlite} or {@code db/migration/postgresql}.
 */
final class SqlEventLog implements EventLog {
    private static final Logger LOG = LoggerFactory.getLogger(SqlEventLog.class);
    static final DateTimeFormatter UTC = DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ss.SSS'Z'").withZone(ZoneOffset.UTC);
    private static final int BUSY_TIMEOUT_MS = 60_000;
    /** Bound parameters per IN list (SQLite allows 32,766 variables; stay far below). */
    private static final int IN_CHUNK = 500;
    /** Event types only the holder of a run's lease may append while the run is running. */
    private static final Set<Class<?>> TRAINING = Set.of(RunEvent.Started.class, RunEvent.EpochCompleted.class,
            RunEvent.WeightSnapshot.class, RunEvent.FilterMeasures.class, RunEvent.Checkpoint.class, RunEvent.Heartbeat.class,
            RunEvent.Diverged.class, RunEvent.Finished.class, RunEvent.Failed.class, RunEvent.Released.class);

    private final Backend backend;
    private final Dialect dialect;
    private final Jdbi jdbi;
    private final HikariDataSource pool;

    private SqlEventLog(Backend backend, Dialect dialect, Jdbi jdbi, HikariDataSource pool) {
        this.backend = backend;
        this.dialect = dialect;
        this.jdbi = jdbi;
        this.pool = pool;
    }

    /**
     * Loads SQLite's native library, which its driver unpacks into a temporary folder ({@code org.sqlite.tmpdir}, or
     * {@code java.io.tmpdir}) at every start. When that fails, says so in one line, naming the folder, and whether its
     * disk is full (the driver's own two stack traces are not logged: logback.xml).
     */
    private static void loadSqlite() {
        try {
            org.sqlite.SQLiteJDBCLoader.initialize();
        } catch (Exception | LinkageError e) {
            String dir = System.getProperty("org.sqlite.tmpdir", System.getProperty("java.io.tmpdir"));
            String why = e.getMessage();               // the driver's own: "No native library found for os.name=..."
            try {
                if (!Files.isDirectory(java.nio.file.Path.of(dir))) why = "there is no such folder";
                else if (Files.getFileStore(java.nio.file.Path.of(dir)).getUsableSpace() < 16L << 20) why = "its disk is full";
            } catch (java.io.IOException | RuntimeException ignored) {
                // the driver's reason stands
            }
            throw new StoreException.NoSqlite("SQLite's driver could not unpack its native library into " + dir + ": " + why + "; "
                    + (why.equals("its disk is full") ? "free space there, or give it another folder" : "give it a folder it can write in")
                    + ": SPARSELAB_JAVA_OPTS=-Dorg.sqlite.tmpdir=DIR", e);
        }
    }

    static SqlEventLog open(Backend b) { return open(b, 0); }

    static SqlEventLog open(Backend b, int connections) { return open(b, connections, false); }

    /**
     * @param connections the pool's size on PostgreSQL (0: the default, 6); SQLite's stays 4 (one writer at a time)
     * @param readOnly    a command that only reads: the schema is never created or upgraded (an older one is refused)
     */
    static SqlEventLog open(Backend b, int connections, boolean readOnly) {
        HikariConfig cfg = new HikariConfig();
        cfg.setPoolName("sparselab-log");
        Dialect dialect;
        if (b.kind() == Backend.Kind.SQLITE) {
            loadSqlite();
            try {
                if (b.file().getParent() != null) Files.createDirectories(b.file().getParent());
            } catch (java.io.IOException e) {
                throw new StoreException.BadLog("cannot create the folder of the log " + b.file() + ": " + e.getMessage(), e);
            }
            SQLiteConfig config = new SQLiteConfig();
            config.setJournalMode(SQLiteConfig.JournalMode.WAL);
            config.setSynchronous(SQLiteConfig.SynchronousMode.NORMAL);
            config.setBusyTimeout(busyTimeoutMs());
            config.setTransactionMode(SQLiteConfig.TransactionMode.IMMEDIATE);
            // tests: -Dsparselab.sqliteMaxPages=N makes the file full at N pages (SQLITE_FULL), as a full disk does
            Long maxPages = Long.getLong(EventLog.SQLITE_MAX_PAGES_PROPERTY);
            if (maxPages != null) config.setPragma(SQLiteConfig.Pragma.MAX_PAGE_COUNT, maxPages.toString());
            SQLiteDataSource sqlite = new SQLiteDataSource(config) {
                @Override
                public org.sqlite.SQLiteConnection getConnection(String user, String password) throws java.sql.SQLException {
                    org.sqlite.SQLiteConnection c = super.getConnection(user, password);
                    registerUnicodeLower(c);
                    return c;
                }
            };
            sqlite.setUrl(b.jdbcUrl());
            // Connections are kept open and reused: opening one per transaction cost 4-8 ms an append.
            cfg.setDataSource(sqlite);
            cfg.setMaximumPoolSize(4);
            cfg.setConnectionTimeout(BUSY_TIMEOUT_MS);
            dialect = Dialect.SQLITE;
        } else {
            cfg.setJdbcUrl(b.jdbcUrl());
            cfg.setUsername(b.user());
            if (b.password() != null) cfg.setPassword(b.password());
            cfg.setMaximumPoolSize(connections > 0 ? connections : 6);
            cfg.setConnectionTimeout(Integer.getInteger(EventLog.PG_POOL_WAIT_PROPERTY, EventLog.PG_POOL_WAIT_MS));
            dialect = Dialect.POSTGRESQL;
        }
        cfg.setMinimumIdle(1);
        HikariDataSource ds;
        try {
            ds = new HikariDataSource(cfg);
        } catch (HikariPool.PoolInitializationException e) {
            if (StoreException.diskFull(e)) throw new StoreException.Full(b.display(), e);   // its -shm cannot grow
            throw new StoreException.BadLog("cannot open the log " + b.display() + ": " + rootMessage(e), e);
        }
        try {
            migrate(ds, b, readOnly);
        } catch (RuntimeException e) {
            ds.close();
            throw e;
        }
        Jdbi jdbi = Jdbi.create(ds).installPlugin(new SqlObjectPlugin());
        jdbi.registerRowMapper(org.jdbi.v3.core.mapper.reflect.ConstructorMapper.factory(RunRow.class));
        SqlEventLog log = new SqlEventLog(b, dialect, jdbi, ds);
        // the clock's first reading, the one a caller waits for, while the server has just answered: not in the first
        // request of a dashboard that finds it gone, which would then wait for the pool twice
        if (log.shared()) log.databaseClock.instant();
        return log;
    }

    /**
     * Brings the schema up to date. A log written by a newer version of sparselab is refused (nothing is written). An
     * older one is upgraded only by a command that writes, and only while no process shows a live heartbeat in it
     * (trainers and workers of the older version would go on writing as that version does); a command that only
     * reads refuses it, and a database or file that holds other tables and no log is refused as no log. On SQLite, a
     * second process migrating the same new file at the same moment retries once it is done; any other failure (a
     * file that is no SQLite database) is refused at once.
     */
    private static void migrate(javax.sql.DataSource ds, Backend b, boolean readOnly) {
        Flyway flyway = flyway(ds, b);
        for (int attempt = 1; ; attempt++) {
            try {
                org.flywaydb.core.api.MigrationInfoService info = flyway.info();
                refuseNewerSchema(info, b);
                MigrationInfo current = info.current();
                MigrationInfo[] pending = info.pending();
                if (pending.length == 0) {
                    // up to date: still refuse a log whose applied migrations differ from this program's (edited, failed)
                    org.flywaydb.core.api.output.ValidateResult valid = flyway.validateWithResult();
                    if (!valid.validationSuccessful) {
                        throw new StoreException.BadLog("the log " + b.display() + " does not match this program's migrations: "
                                + firstLine(valid.getAllErrorMessages()) + " (nothing was written)");
                    }
                    return;
                }
                String newest = pending[pending.length - 1].getVersion().getVersion();
                if (readOnly && current == null) {
                    throw new StoreException.BadLog(hasTables(ds) ? notALog(b) : b.display() + " holds no sparselab log (a command that "
                            + "writes, such as train, serve or worker, creates one)");
                }
                if (readOnly) {
                    throw new StoreException.OlderSchema("the log " + b.display() + " has schema version " + current.getVersion().getVersion()
                            + ", older than this program's " + newest + "; this command only reads, and does not upgrade it: `./sparselab "
                            + "migrate --db " + b.display() + "` does (nothing was written)");
                }
                List<String> users = current == null ? List.of() : users(ds, b);
                if (!users.isEmpty()) {
                    if (flyway.info().pending().length == 0) return;          // another process upgraded it meanwhile
                    throw inUse(b, current.getVersion().getVersion(), newest, users);
                }
                org.flywaydb.core.api.output.MigrateResult result = flyway.migrate();
                if (current != null && result.migrationsExecuted > 0) {
                    LOG.warn("upgraded the log {} from schema version {} to {}", b.display(), result.initialSchemaVersion, result.targetSchemaVersion);
                }
                return;
            } catch (FlywayException e) {
                String msg = rootMessage(e);
                if (msg.contains("but no schema history table")) throw new StoreException.BadLog(notALog(b), e);
                if (StoreException.diskFull(e)) throw new StoreException.Full(b.display(), e);
                boolean race = b.kind() == Backend.Kind.SQLITE && attempt < 10
                        && (msg.contains("SQLITE_BUSY") || msg.contains("locked") || msg.contains("already exists"));
                if (!race) throw new StoreException.BadLog("cannot open the log " + b.display() + ": " + firstLine(msg), e);
                LOG.debug("migration of {} raced with another process (attempt {}): {}", b.display(), attempt, msg);
                try {
                    Thread.sleep(200L * attempt);
                } catch (InterruptedException ie) {
                    Thread.currentThread().interrupt();
                    throw new StoreException.BadLog("interrupted while opening " + b.display(), ie);
                }
            }
        }
    }

    private static String notALog(Backend b) {
        return b.display() + " is not a sparselab log: it holds other tables and no log's schema (nothing was written); give an "
                + "empty database or a new file";
    }

    /** Whether the database (its current schema) or file holds any table. */
    private static boolean hasTables(javax.sql.DataSource ds) {
        try (java.sql.Connection c = ds.getConnection();
             java.sql.ResultSet rs = c.getMetaData().getTables(null, c.getSchema(), "%", new String[] {"TABLE"})) {
            return rs.next();
        } catch (SQLException e) {
            return false;
        }
    }

    /**
     * The refusal to upgrade a log from {@code from} to {@code to} while a run in it has a live heartbeat or a worker
     * (or dashboard pool) beats ({@link #users}): those may be processes of the older version.
     */
    private static StoreException.BadLog inUse(Backend b, String from, String to, List<String> users) {
        return new StoreException.BadLog("the log " + b.display() + " has schema version " + from + ", older than this program's " + to
                + ", and is in use (" + String.join(", ", users.subList(0, Math.min(users.size(), 5)))
                + (users.size() > 5 ? " and " + (users.size() - 5) + " more" : "") + "): processes of the older version would go on "
                + "writing as it does. Stop them (or let their runs finish), then try again; nothing was written");
    }

    /**
     * The runs with a live heartbeat and the workers that beat, as "run R" and "worker W"; read with plain SQL that every
     * schema since the first answers (the workers table came with version 4).
     */
    private static List<String> users(javax.sql.DataSource ds, Backend b) {
        List<String> users = new ArrayList<>();
        try (java.sql.Connection c = ds.getConnection(); java.sql.Statement st = c.createStatement()) {
            Instant now = Instant.now();
            if (b.kind() != Backend.Kind.SQLITE) {
                try (java.sql.ResultSet rs = st.executeQuery("SELECT now()")) {
                    if (rs.next()) now = rs.getTimestamp(1).toInstant();
                }
            }
            Instant cutoff = now.minus(RunRow.HEARTBEAT_TIMEOUT);
            try (java.sql.ResultSet rs = st.executeQuery("SELECT run_id, heartbeat_at FROM runs WHERE status = 'running'")) {
                while (rs.next()) if (fresh(rs.getString(2), cutoff)) users.add("run " + rs.getString(1));
            }
            boolean hasWorkers;
            try (java.sql.ResultSet rs = c.getMetaData().getTables(null, c.getSchema(), "workers", null)) {
                hasWorkers = rs.next();
            }
            if (hasWorkers) {
                try (java.sql.ResultSet rs = st.executeQuery("SELECT name, heartbeat_at FROM workers WHERE stopped = FALSE")) {
                    while (rs.next()) if (fresh(rs.getString(2), cutoff)) users.add("worker " + rs.getString(1));
                }
            }
        } catch (SQLException e) {
            if (StoreException.diskFull(e)) throw new StoreException.Full(b.display(), e);
            throw new StoreException.BadLog("cannot open the log " + b.display() + ": " + rootMessage(e), e);
        }
        return users;
    }

    private static boolean fresh(String heartbeatAt, Instant cutoff) {
        try {
            return heartbeatAt != null && Instant.parse(heartbeatAt).isAfter(cutoff);
        } catch (java.time.format.DateTimeParseException e) {
            return false;
        }
    }

    private static void refuseNewerSchema(org.flywaydb.core.api.MigrationInfoService info, Backend b) {
        MigrationInfo[] all = info.all();
        String newest = null;
        String known = null;
        for (MigrationInfo m : all) {
            if (m.getState() == MigrationState.FUTURE_SUCCESS || m.getState() == MigrationState.FUTURE_FAILED) {
                newest = m.getVersion().getVersion();
            } else if (m.getVersion() != null && m.getState().isResolved()) {
                known = m.getVersion().getVersion();
            }
        }
        if (newest != null) {
            throw new StoreException.BadLog("the log " + b.display() + " has schema version " + newest
                    + ", newer than this program's " + known + "; update sparselab (nothing was written)");
        }
    }

    private static String rootMessage(Throwable e) {
        Throwable t = e;
        while (t.getCause() != null && t.getCause() != t) t = t.getCause();
        String m = t.getMessage() == null ? t.getClass().getSimpleName() : t.getMessage();
        if (t instanceof java.net.UnknownHostException) m = "unknown host " + m;     // its message is the name alone
        // the SQLite driver's code before its words ("[SQLITE_NOTADB] File opened that is not a database file (file is
        // not a database)"): the words alone
        m = firstLine(m).replaceFirst("^\\[SQLITE_[A-Z_]+\\]\\s*", "");
        // nothing listens there: the likeliest causes, as a user checks them
        if (t instanceof java.net.ConnectException) m = m.replaceFirst("\\.$", "") + " (is the database server running, on that host and port?)";
        // the driver's words name no place to put it: where sparselab looks, in the order it looks
        if (m.contains("no password was provided")) m = m.replaceFirst("\\.$", "") + " (give it in the URL as user:password@, in PGPASSWORD, or in ~/.pgpass)";
        return m;
    }

    private static String firstLine(String s) {
        int nl = s.indexOf('\n');
        return (nl < 0 ? s : s.substring(0, nl)).trim();
    }

    @Override
    public String describe() { return backend.display(); }

    @Override
    public String schemaVersion() {
        MigrationInfo current = flyway(pool, backend).info().current();
        return current == null ? "none" : current.getVersion().getVersion();
    }

    private static Flyway flyway(javax.sql.DataSource ds, Backend b) {
        return Flyway.configure().dataSource(ds)
                .locations("classpath:db/migration/" + (b.kind() == Backend.Kind.SQLITE ? "sqlite" : "postgresql")).load();
    }

    @Override
    public String locator() { return backend.locator(); }

    @Override
    public Map<String, String> childEnvironment() {
        return backend.password() != null ? Map.of("PGPASSWORD", backend.password()) : Map.of();
    }

    @Override
    public long sizeBytes() {
        return dialect == Dialect.POSTGRESQL ? jdbi.withHandle(this::sizeBytes) : sizeBytes(null);
    }

    /** The bytes the log takes, read on {@code h} on PostgreSQL (in its transaction); the files' sizes on SQLite. */
    private long sizeBytes(Handle h) {
        if (dialect == Dialect.POSTGRESQL) {
            return h.createQuery("SELECT pg_database_size(current_database())").mapTo(Long.class).one();
        }
        long n = 0;
        for (java.nio.file.Path p : List.of(backend.file(), backend.file().resolveSibling(backend.file().getFileName() + "-wal"))) {
            try {
                if (Files.exists(p)) n += Files.size(p);
            } catch (java.io.IOException e) {
                // a file that vanished counts as empty
            }
        }
        return n;
    }

    @Override
    public boolean shared() { return backend.kind() == Backend.Kind.POSTGRESQL; }

    private final DatabaseClock databaseClock = new DatabaseClock(this::databaseNow, java.time.Clock.systemUTC());

    /** The pool's size: how many transactions of this process can run at once. */
    int maxConnections() { return pool.getMaximumPoolSize(); }

    /** The database's time, bracketed by this machine's clock around the query alone (not the wait for a connection). */
    private DatabaseClock.Reading databaseNow() {
        return jdbi.withHandle(h -> {
            long before = System.currentTimeMillis();
            String now = now(h);
            long after = System.currentTimeMillis();
            return new DatabaseClock.Reading(Instant.parse(now).toEpochMilli(), before, after);
        });
    }

    @Override
    public java.time.Clock clock() { return shared() ? databaseClock : java.time.Clock.systemUTC(); }

    /** Closes the connections; on SQLite the WAL is checkpointed first, so the .db file alone holds every append. */
    @Override
    public void close() {
        if (pool.isClosed()) return;
        if (dialect == Dialect.SQLITE) {
            try {
                jdbi.useHandle(h -> h.createQuery("PRAGMA wal_checkpoint(TRUNCATE)").mapToMap().list());
            } catch (RuntimeException e) {
                if (StoreException.diskFull(e)) {          // the log file alone lacks the latest writes: said, not hidden
                    LOG.warn("the log {} is full: its write-ahead file ({}-wal) could not be folded into it and holds its latest "
                            + "writes; keep it beside the log (free space, and the next command that opens the log folds it in)",
                            backend.display(), backend.display());
                } else {
                    LOG.debug("WAL checkpoint of {} skipped: {}", backend.display(), e.getMessage());
                }
            }
        }
        pool.close();
    }

    // ---- writes ----------------------------------------------------------------------------------------------------

    @Override
    public String create(RunEvent.Created created) {
        String id = EventLog.newRunId();
        append(id, created);
        return id;
    }

    @Override
    public StoredEvent append(String runId, RunEvent event, Blob... blobs) {
        return appendAll(runId, List.of(event), List.of(blobs)).get(0);
    }

    /**
     * How long a write that is not a trainer's (a cancel request, a group's or another process's events) waits on
     * PostgreSQL for a run's row lock before it gives up ({@link StoreException.Busy}). An append holds that lock for
     * milliseconds; only a trainer stopped inside one (SIGSTOP, a debugger) holds it longer, until it wakes, dies or the
     * server ends its session ({@link #IDLE_IN_TRANSACTION_MS}), and a request must not wait that long. Trainers' own
     * writes wait as before. {@code -Dsparselab.lockWaitMs} sets it (tests).
     */
    static final long LOCK_WAIT_MS = 10_000;

    /**
     * How long a PostgreSQL session may stay inside one of the store's write transactions without a statement before
     * the server ends it ({@link Dialect#idleInTransaction}). Those transactions send their statements back to back
     * (milliseconds); a session idle that long belongs to a process that was stopped, or to a machine that was
     * suspended or lost the network, and it would otherwise hold its run's row lock until it goes on or its connection
     * times out (hours): no worker could take the run over. {@code -Dsparselab.idleInTransactionMs} sets it (tests).
     * Only the store's write transactions have the limit: Flyway's migrations and a copy between logs do not.
     */
    static final long IDLE_IN_TRANSACTION_MS = 60_000;

    private static long idleInTransactionMs() {
        return Long.getLong("sparselab.idleInTransactionMs", IDLE_IN_TRANSACTION_MS);
    }

    /** PostgreSQL's SQLSTATE for a session ended by {@code idle_in_transaction_session_timeout}. */
    static final String SESSION_ENDED_IDLE = "25P03";

    /** A write transaction of the store, idle at most {@link #idleInTransactionMs()} on PostgreSQL. */
    <T> T transaction(org.jdbi.v3.core.HandleCallback<T, RuntimeException> work) {
        return transaction(work, idleInTransactionMs());
    }

    /**
     * A write transaction; on PostgreSQL the server ends its session when it stays {@code idleMs} without a statement
     * (0: never). One whose session was ended so (a process that was stopped inside it and has woken) is run once more
     * on a new connection (the pool drops the dead one, as it does any connection that fails with SQLSTATE 08...): the server
     * rolled it back, so nothing of it was written, and a trainer's append checks its
     * lease again (a run taken over meanwhile refuses it). {@code work} must touch nothing but the database (it may
     * run twice).
     */
    private <T> T transaction(org.jdbi.v3.core.HandleCallback<T, RuntimeException> work, long idleMs) {
        org.jdbi.v3.core.HandleCallback<T, RuntimeException> bounded = h -> {
            String limit = dialect.idleInTransaction(idleMs);
            if (limit != null) h.execute(limit);
            return work.withHandle(h);
        };
        try {
            return jdbi.inTransaction(bounded);
        } catch (org.jdbi.v3.core.JdbiException e) {
            if (StoreException.diskFull(e)) throw new StoreException.Full(backend.display(), e);
            if (dialect != Dialect.POSTGRESQL || !StoreException.sqlState(e).equals(SESSION_ENDED_IDLE)) throw e;
            LOG.warn("the server ended this process's session inside a transaction after {} ms without a statement (the process "
                    + "was stopped); nothing of it was written, running it again", idleMs);
            try {
                return jdbi.inTransaction(bounded);
            } catch (org.jdbi.v3.core.JdbiException again) {
                if (StoreException.diskFull(again)) throw new StoreException.Full(backend.display(), again);
                throw again;
            }
        }
    }

    /** SQLite's busy timeout: {@link #BUSY_TIMEOUT_MS}, or {@code -Dsparselab.sqliteBusyMs} (tests). */
    private static int busyTimeoutMs() {
        return Integer.getInteger("sparselab.sqliteBusyMs", BUSY_TIMEOUT_MS);
    }

    private long lockWaitMs() {
        return Long.getLong("sparselab.lockWaitMs", LOCK_WAIT_MS);
    }

    /** A write that is not a trainer's: on PostgreSQL, its waits for row locks are bounded by {@link #lockWaitMs()}. */
    private <T> T boundedWrite(org.jdbi.v3.core.HandleCallback<T, RuntimeException> write, String runIds) {
        return boundedWrite(write, () -> "run " + runIds + " is held by a write that has not ended for " + lockWaitMs() / 1000.0
                + " s (a trainer stopped inside one of its writes holds the run until it goes on, dies, or the server ends "
                + "its session after " + idleInTransactionMs() / 1000 + " s); nothing was written, try again later");
    }

    /** {@link #boundedWrite}; {@code busy} is the message of its {@link StoreException.Busy}. */
    private <T> T boundedWrite(org.jdbi.v3.core.HandleCallback<T, RuntimeException> write, java.util.function.Supplier<String> busy) {
        try {
            return transaction(h -> {
                String bound = dialect.lockWait(lockWaitMs());
                if (bound != null) h.execute(bound);
                return write.withHandle(h);
            });
        } catch (org.jdbi.v3.core.JdbiException e) {
            if (dialect == Dialect.POSTGRESQL && StoreException.sqlState(e).equals("55P03")) {   // lock_not_available
                throw new StoreException.Busy(busy.get(), e);
            }
            // SQLite: the file's write lock stayed taken for the whole busy timeout (a process stopped inside one of its
            // writes, such as a paused trainer, holds it until it goes on or dies): nothing was written, as on PostgreSQL
            if (dialect == Dialect.SQLITE && StoreException.locked(e)) {
                throw new StoreException.Busy("the log " + backend.display() + " is locked by another process's write that has not ended for "
                        + busyTimeoutMs() / 1000.0 + " s (a process stopped inside one of its writes, such as a paused trainer, holds "
                        + "SQLite's write lock until it goes on or dies); nothing was written, try again later", e);
            }
            throw e;
        }
    }

    @Override
    public List<StoredEvent> appendAll(String runId, List<RunEvent> events, List<Blob> blobs) {
        return boundedWrite(h -> {
            RunRow state = lockedRun(h, runId);
            refuseTrainingEvents(runId, state, events);
            return write(h, runId, state, events, blobs);
        }, runId);
    }

    @Override
    public List<StoredEvent> appendChecked(String runId, java.util.function.Function<RunRow, List<RunEvent>> decide) {
        return boundedWrite(h -> appendChecked(h, runId, decide), runId);
    }

    private List<StoredEvent> appendChecked(Handle h, String runId, java.util.function.Function<RunRow, List<RunEvent>> decide) {
        RunRow state = lockedRun(h, runId);
        if (state == null) throw new StoreException.RunNotFound(runId);
        List<RunEvent> events = decide.apply(state);
        refuseTrainingEvents(runId, state, events);
        return events.isEmpty() ? List.<StoredEvent>of() : write(h, runId, state, events, List.of());
    }

    @Override
    public <T> T withRoom(java.util.function.Function<Room, T> work) {
        return boundedWrite(h -> work.apply(new HandleRoom(h)), () -> "the log's size limit, or the run this write changes, is held "
                + "by a write that has not ended for " + lockWaitMs() / 1000.0 + " s (another process's launch or resume checking the "
                + "limit, or a trainer stopped inside one of its writes; the server ends a session stopped so after "
                + idleInTransactionMs() / 1000 + " s); nothing was written, try again later");
    }

    /** The {@link Room} of one transaction: its reads and writes on that transaction's handle. */
    private final class HandleRoom implements Room {
        private final Handle h;
        private boolean held;

        HandleRoom(Handle h) { this.h = h; }

        /**
         * Takes the room's lock at the first read of the room (PostgreSQL); it is held until the transaction ends. A
         * resume reads the room after it has locked its run: the locks are always taken rows first, then the room.
         */
        private void hold() {
            if (held) return;
            String sql = dialect.lockRoom();
            if (sql != null) h.createQuery(sql).mapTo(Integer.class).one();
            held = true;
        }

        @Override
        public long sizeBytes() {
            hold();
            return SqlEventLog.this.sizeBytes(h);
        }

        @Override
        public List<RunRow> unfinished(int limit) {
            hold();
            return h.attach(LogDao.class).unfinished(limit);
        }

        @Override
        public boolean hasGroup(String group) {
            hold();
            return !h.attach(LogDao.class).groupRuns(group).isEmpty();
        }

        @Override
        public boolean shared() { return SqlEventLog.this.shared(); }

        @Override
        public String describe() { return SqlEventLog.this.describe(); }

        @Override
        public String create(RunEvent.Created created) {
            String id = EventLog.newRunId();
            write(h, id, lockedRun(h, id), List.of(created), List.of());
            return id;
        }

        @Override
        public List<StoredEvent> appendChecked(String runId, java.util.function.Function<RunRow, List<RunEvent>> decide) {
            return SqlEventLog.this.appendChecked(h, runId, decide);
        }

        @Override
        public Optional<Lease> claim(String runId, RunEvent.Started started, Predicate<RunRow> mayStart) {
            return SqlEventLog.this.claim(h, runId, started, mayStart);
        }
    }

    /** Training events of a run that a trainer holds come from that trainer only (its {@link Lease}). */
    private static void refuseTrainingEvents(String runId, RunRow state, List<RunEvent> events) {
        if (state == null || state.lease() <= 0 || !"running".equals(state.status())) return;
        for (RunEvent e : events) {
            if (TRAINING.contains(e.getClass())) {
                throw new StoreException.Conflict("run " + runId + " is held by a trainer (lease " + state.lease()
                        + "); its " + e.type() + " events come from that trainer only");
            }
        }
    }

    @Override
    public void appendMany(java.util.LinkedHashMap<String, List<RunEvent>> eventsByRun) {
        boundedWrite(h -> {
            eventsByRun.forEach((runId, events) -> {
                RunRow state = lockedRun(h, runId);
                refuseTrainingEvents(runId, state, events);
                write(h, runId, state, events, List.of());
            });
            return null;
        }, String.join(", ", eventsByRun.keySet()));
    }

    /**
     * A trainer's append: refused whole unless {@code lease} is still the run's and the run is running, and refused
     * whole ({@link StoreException.EpochWritten}) when it holds an epoch the log has already: no epoch is written
     * twice, even by the retry of a write that was committed although its answer was lost.
     */
    List<StoredEvent> appendLeased(String runId, long lease, List<RunEvent> events, List<Blob> blobs) {
        return transaction(h -> {
            // the blobs (megabytes) before the run's lock: a trainer stopped in the middle of sending one holds no run
            // (PostgreSQL's idle-in-transaction limit does not see a statement half sent)
            LogDao dao = h.attach(LogDao.class);
            for (Blob b : blobs) putBlob(dao, b);
            RunRow state = lockedRun(h, runId);
            // the epoch check first while the lease is still this trainer's: the write whose answer was lost may have
            // ended the run (finished, released), and its retry is told it is written, not that the lease is lost
            if (state != null && state.lease() == lease) {
                for (RunEvent e : events) {
                    if (e instanceof RunEvent.EpochCompleted c && c.epoch() <= state.epochsDone()) {
                        throw new StoreException.EpochWritten(runId, c.epoch(), state.epochsDone());
                    }
                }
            }
            checkLease(runId, lease, state);
            // a run released (its worker stopping) after a cancel was asked, which its trainer had not read yet (it reads
            // requests at its heartbeats): ended as cancelled, as asked, not queued again with the request pending, which
            // no claim takes and nothing ends
            List<RunEvent> written = !state.cancelRequested() ? events : events.stream()
                    .map(e -> e instanceof RunEvent.Released r ? (RunEvent) new RunEvent.Cancelled(r.epoch()) : e).toList();
            return write(h, runId, state, written, blobs, true);
        });
    }

    private static void checkLease(String runId, long lease, RunRow state) {
        if (state == null) throw new StoreException.RunNotFound(runId);
        if (state.lease() != lease || !"running".equals(state.status())) {
            throw new StoreException.LeaseLost(runId, lease, state.lease(), state.status());
        }
    }

    boolean heartbeat(String runId, long lease) {
        return transaction(h -> {
            LogDao dao = h.attach(LogDao.class);
            if (dao.beat(runId, lease, now(h)) == 1) return dao.run(runId).map(RunRow::cancelRequested).orElse(false);
            RunRow r = dao.run(runId).orElse(null);
            checkLease(runId, lease, r);
            return r.cancelRequested();
        });
    }

    /** The run's row, locked for this transaction on PostgreSQL; null before its first event. */
    private RunRow lockedRun(Handle h, String runId) {
        return h.createQuery("SELECT " + LogDao.RUN_COLUMNS + " FROM runs WHERE run_id = :r" + dialect.lockRow)
                .bind("r", runId).mapTo(RunRow.class).findOne().orElse(null);
    }

    private String now(Handle h) {
        return h.createQuery(dialect.now).mapTo(String.class).one();
    }

    /**
     * Writes the events (and blobs) after the run's last one and folds them into the projections. A superseded
     * checkpoint's bytes are dropped in the same transaction: only the latest checkpoint is kept.
     */
    private List<StoredEvent> write(Handle h, String runId, RunRow state, List<RunEvent> events, List<Blob> blobs) {
        return write(h, runId, state, events, blobs, false);
    }

    /** {@link #write}; with {@code blobsIn}, the blobs were inserted earlier in this transaction. */
    private List<StoredEvent> write(Handle h, String runId, RunRow state, List<RunEvent> events, List<Blob> blobs, boolean blobsIn) {
        LogDao dao = h.attach(LogDao.class);
        if (!blobsIn) for (Blob b : blobs) putBlob(dao, b);
        lockCheckpoints(h, dao, state, events, blobs);
        long seq = dao.lastSeq(runId);
        String at = now(h);
        List<StoredEvent> out = new ArrayList<>(events.size());
        for (RunEvent event : events) {
            seq++;
            long id = dao.insertEvent(runId, seq, event.type(), at, Json.write(event));
            StoredEvent stored = new StoredEvent(id, runId, seq, at, event);
            String dropped = droppedCheckpoint(event, state == null ? null : state.lastCheckpoint());
            // bytes are shared by content: another run with the same configuration may still need them
            if (dropped != null && dao.checkpointUsers(dropped, runId) == 0) dao.deleteBlob(dropped);
            state = Projection.evolve(state, stored);
            projectRows(dao, stored);
            out.add(stored);
        }
        // the run's row once, at its state after the last event (nothing above reads this run's row)
        if (!events.isEmpty()) dao.putRun(state);
        return out;
    }

    /**
     * Stores a blob's bytes. Bytes stored already under its hash are kept (identical runs write identical weights),
     * unless they differ from these: then they were changed behind the log's back (the hash is of these bytes, which
     * the writer has just made), and are replaced, so that a damaged blob is not passed on to every later run that
     * points at the same bytes. Blobs cannot be updated (a trigger refuses it), so the damaged row is deleted first.
     * The stored bytes are read back and compared only when the hash is there already.
     */
    private static void putBlob(LogDao dao, Blob b) {
        if (dao.insertBlob(b.hash(), b.bytes()) || dao.sameBlob(b.hash(), b.bytes())) return;
        LOG.warn("blob {}: the stored bytes do not match their hash (changed behind the log's back); replaced by a writer's bytes", b.hash());
        dao.deleteBlob(b.hash());
        dao.insertBlob(b.hash(), b.bytes());
    }

    /**
     * On PostgreSQL, the checkpoint bytes this write points its run to and those it drops (the run's superseded
     * checkpoint) are locked, in the order of their hashes, until the write commits. Bytes are shared by content: a
     * clone at the same epoch has the same checkpoint, and without the lock a run dropping it did not see the clone's
     * uncommitted pointer and deleted the bytes under it. A checkpoint of this write that such a drop deleted before
     * this lock is written again.
     */
    private void lockCheckpoints(Handle h, LogDao dao, RunRow state, List<RunEvent> events, List<Blob> blobs) {
        String sql = dialect.lockBlob();
        if (sql == null) return;
        java.util.TreeSet<String> hashes = new java.util.TreeSet<>();
        String last = state == null ? null : state.lastCheckpoint();
        for (RunEvent e : events) {
            String dropped = droppedCheckpoint(e, last);
            if (dropped != null) hashes.add(dropped);
            if (e instanceof RunEvent.Checkpoint c) {
                hashes.add(c.blob());
                last = c.blob();
            } else if (dropped != null) {
                last = null;
            }
        }
        for (String hash : hashes) h.createQuery(sql).bind("h", hash).mapTo(Integer.class).one();
        for (Blob b : blobs) {
            if (hashes.contains(b.hash()) && dao.blobCount(b.hash()) == 0) dao.insertBlob(b.hash(), b.bytes());
        }
    }

    /**
     * The checkpoint bytes that {@code e} makes of no use, given the run's last checkpoint {@code last}: a newer
     * checkpoint supersedes it, and a run that ends for good ({@code finished}, {@code diverged}: never resumed, the
     * projection drops it too) needs none. Null when {@code e} drops nothing.
     */
    private static String droppedCheckpoint(RunEvent e, String last) {
        if (last == null) return null;
        if (e instanceof RunEvent.Checkpoint c) return last.equals(c.blob()) ? null : last;
        return e instanceof RunEvent.Finished || e instanceof RunEvent.Diverged ? last : null;
    }

    /** The per-epoch and per-snapshot projection rows of one event (the same live and in a rebuild). */
    private static void projectRows(LogDao dao, StoredEvent e) {
        if (e.event() instanceof RunEvent.EpochCompleted m) dao.putEpoch(e.runId(), EpochMetrics.of(m), Json.write(m.rhoHat()));
        if (e.event() instanceof RunEvent.WeightSnapshot w) {
            dao.putSnapshot(new SnapshotRow(e.runId(), w.epoch(), w.blob(), Json.write(w)));
        }
        if (e.event() instanceof RunEvent.FilterMeasures f) dao.putMeasures(MeasuresRow.of(e.runId(), f));
    }

    @Override
    public Optional<Lease> claim(String runId, RunEvent.Started started, Predicate<RunRow> mayStart) {
        return transaction(h -> claim(h, runId, started, mayStart));
    }

    private Optional<Lease> claim(Handle h, String runId, RunEvent.Started started, Predicate<RunRow> mayStart) {
        RunRow row = lockedRun(h, runId);
        if (row == null || !mayStart.test(row)) return Optional.empty();
        // the row says where the trainer starts (its checkpoint, its epochs, its configuration): it must be its events'
        String why = mismatch(h, row, false);                 // said by the refusal itself
        if (why != null) throw new StoreException.Corrupt(why);
        return Optional.of(claimRow(h, row, started));
    }

    /** Appends {@code started} with the next lease; the trainer continues from the run's last checkpoint, if any. */
    private Lease claimRow(Handle h, RunRow row, RunEvent.Started s) {
        long lease = row.lease() + 1;
        int from = row.lastCheckpointEpoch() == null ? 0 : row.lastCheckpointEpoch();
        RunEvent.Started st = new RunEvent.Started(s.pid(), s.host(), s.threads(), from, s.dataFingerprint(), s.provenance(),
                lease, s.worker());
        StoredEvent stored = write(h, row.runId(), row, List.of(st), List.of()).get(0);
        return new Lease(this, row.runId(), lease, stored);
    }

    /** A runs row found not to be trained from, and why. */
    private record Mismatch(RunRow row, String why) {}

    /**
     * The runs whose row was found not to be trained from, with the row as found: passed over without folding their
     * events again (a worker polls every second) until the row changes (a rebuild), and said once.
     */
    private final Map<String, Mismatch> mismatched = new java.util.concurrent.ConcurrentHashMap<>();

    /**
     * Why run {@code row}'s trainer may not start from its runs row, or null when it may: the row differs from the
     * fold of the run's events (changed behind the log's back), or an event cannot be read. With {@code say}, logged
     * once per row found (a worker or a pool passes it over).
     */
    private String mismatch(Handle h, RunRow row, boolean say) {
        String id = row.runId();
        Mismatch known = mismatched.get(id);
        if (known != null && known.row().equals(row)) return known.why();
        String why = null;
        try {
            if (!sameState(row, foldedRun(h, id))) {
                why = "run " + id + ": its runs row does not match its events (changed behind the log's back): not started, so that "
                        + "nothing is trained or logged from it; ./sparselab rebuild refolds the row from the events";
            }
        } catch (StoreException.Corrupt e) {
            why = "run " + id + " not started: " + e.getMessage();
        }
        if (why == null) {
            mismatched.remove(id);
        } else if (say) {                                   // a new row found (or one changed since): remembered and said
            mismatched.put(id, new Mismatch(row, why));
            LOG.error("{}", why);
        }
        return why;
    }

    /** Why run {@code runId} may not be started from its row ({@link #mismatch}), or empty: asked before a trainer is started for it. */
    @Override
    public Optional<String> notStartable(String runId) {
        return Optional.ofNullable(snapshotRead(h -> {
            RunRow row = h.attach(LogDao.class).run(runId).orElse(null);
            return row == null ? null : mismatch(h, row, true);
        }));
    }

    /** The run's state folded from its own events, read in {@code h}: what its runs row must hold (null: no events). */
    private RunRow foldedRun(Handle h, String runId) {
        RunRow folded = null;
        for (StoredEvent e : events(h, runId)) folded = Projection.evolve(folded, e);
        return folded;
    }

    /**
     * A runs row and its events' fold hold the same state. The heartbeat time is left out: a trainer's beats write it
     * without an event, and a run resumed after them (`requeued`) keeps the last beat's time in its row.
     */
    private static boolean sameState(RunRow have, RunRow want) {
        if (have == null || want == null) return have == want;
        return have.with(b -> b.heartbeatAt = null).equals(want.with(b -> b.heartbeatAt = null));
    }

    @Override
    public Optional<Lease> claimNext(java.util.function.Function<RunRow, RunEvent.Started> started, Duration stale, Set<String> skip,
                                     Predicate<RunRow> mayStart) {
        return transaction(h -> {
            String cutoff = UTC.format(Instant.parse(now(h)).minus(stale));
            cancelAbandoned(h, cutoff);                         // first the runs whose trainer died before a cancel
            // the window grows with the runs passed over, so that those at the head of the queue do not hide the rest
            List<String> ids = h.createQuery(dialect.claimCandidates()).bind("cutoff", cutoff).bind("n", skip.size() + mismatched.size() + 16)
                    .mapTo(String.class).list();
            for (String id : ids) {
                if (skip.contains(id)) continue;
                if (h.createQuery(dialect.lockCandidate()).bind("r", id).bind("cutoff", cutoff).mapTo(String.class).findOne().isEmpty()) {
                    continue;                                   // taken meanwhile, or locked by another worker's claim
                }
                RunRow row = lockedRun(h, id);
                if (row == null || !mayStart.test(row)) continue;
                if (mismatch(h, row, true) != null) continue;   // not trained from a row its events do not hold
                return Optional.of(claimRow(h, row, started.apply(row)));
            }
            return Optional.empty();
        });
    }

    @Override
    public List<String> cancelAbandoned(Duration stale) {
        return transaction(h -> cancelAbandoned(h, UTC.format(Instant.parse(now(h)).minus(stale))));
    }

    /** Ends as cancelled, as asked, the running runs with a cancel request whose heartbeat is older than {@code cutoff}. */
    private List<String> cancelAbandoned(Handle h, String cutoff) {
        List<String> ended = new ArrayList<>();
        for (String id : h.createQuery(dialect.abandonedCancels()).bind("cutoff", cutoff).mapTo(String.class).list()) {
            if (h.createQuery(dialect.lockAbandoned()).bind("r", id).bind("cutoff", cutoff).mapTo(String.class).findOne().isEmpty()) continue;
            RunRow row = lockedRun(h, id);
            write(h, id, row, List.of(new RunEvent.Cancelled(row.epochsDone())), List.of());
            ended.add(id);
        }
        return ended;
    }

    // ---- reads -----------------------------------------------------------------------------------------------------

    @Override
    public Optional<RunRow> run(String runId) {
        // no run id holds a NUL (PostgreSQL refuses one in any text it is sent: the lookup failed, a 500 for a client's id)
        if (runId.indexOf('\0') >= 0) return Optional.empty();
        return jdbi.withExtension(LogDao.class, d -> d.run(runId));
    }

    @Override
    public List<RunRow> runs() { return jdbi.withExtension(LogDao.class, LogDao::runs); }

    @Override
    public List<RunRow> runsPage(RunFilter filter, Long before, int limit, Instant now) {
        StringBuilder sql = new StringBuilder("SELECT " + LogDao.RUN_COLUMNS + " FROM runs WHERE 1 = 1");
        Map<String, Object> binds = new LinkedHashMap<>();
        String cutoff = UTC.format(now.minus(RunRow.HEARTBEAT_TIMEOUT));
        String status = filter.status() == null ? "" : filter.status().trim();
        List<String> terms = filter.terms();                 // each to be matched
        // only a word within "running" or "interrupted" can match one of the two and not the other: for any other word
        // the stored status does (no look at this host's trainers on most page loads)
        boolean statusWords = terms.stream().anyMatch(t -> t.indexOf('=') <= 0 && ("running".contains(t) || "interrupted".contains(t)));
        // The status a user sees (RunRow.effectiveStatus): a running run whose heartbeats lapsed is interrupted, and so is
        // one whose trainer ran on this host and has ended. Those trainers are few and looked at first, in Java; their
        // runs are named in the SQL, which then keeps its LIMIT.
        String interrupted = "";
        if (statusWords || status.equals("interrupted") || status.equals("running")) {
            binds.put("cutoff", cutoff);
            List<String> gone = goneHere();
            StringBuilder in = new StringBuilder();
            for (int i = 0; i < gone.size(); i++) {
                in.append(i == 0 ? "" : ", ").append(":gone").append(i);
                binds.put("gone" + i, gone.get(i));
            }
            interrupted = "status = 'running' AND ((heartbeat_at IS NOT NULL AND heartbeat_at < :cutoff)"
                    + (gone.isEmpty() ? "" : " OR run_id IN (" + in + ")") + ")";
        }
        if (status.equals("interrupted")) {
            sql.append(" AND " + interrupted);
        } else if (status.equals("running")) {
            sql.append(" AND status = 'running' AND NOT (" + interrupted + ")");
        } else if (!status.isEmpty()) {
            sql.append(" AND status = :status");
            binds.put("status", status);
        }
        // a word is matched against the status a user sees
        sql.append(termsClause(terms, statusWords ? "(CASE WHEN " + interrupted + " THEN 'interrupted' ELSE status END)" : "status", binds));
        if (before != null) {
            sql.append(" AND created_seq < :before");
            binds.put("before", before);
        }
        sql.append(" ORDER BY created_seq DESC LIMIT :limit");
        binds.put("limit", limit);
        return jdbi.withHandle(h -> h.createQuery(sql.toString()).bindMap(binds).mapTo(RunRow.class).list());
    }

    /**
     * The conditions of the runs filter's words ({@link RunFilter#terms}), each a run must match, as " AND ..." with
     * their values bound in {@code binds}; {@code status} is the SQL of the status a word is compared with.
     */
    private String termsClause(List<String> terms, String status, Map<String, Object> binds) {
        StringBuilder sql = new StringBuilder();
        for (int i = 0; i < terms.size(); i++) {
            String term = terms.get(i);
            // SQLite's LOWER changes ASCII letters only: a word with other letters is compared with the text lowered
            // in Java (sl_lower, registered on each SQLite connection); ASCII words keep the built-in, and its speed
            String LOWER = dialect == Dialect.SQLITE && !term.chars().allMatch(c -> c < 128) ? UNICODE_LOWER : "LOWER";
            int eq = term.indexOf('=');
            if (eq > 0) {
                // config is the JSON object {"key":"value",...} as Json.write writes it
                sql.append(" AND " + LOWER + "(config) LIKE :kv" + i + " ESCAPE '!'");
                String value = RunFilter.canonicalValue(term.substring(0, eq), term.substring(eq + 1)).toLowerCase(java.util.Locale.ROOT);
                binds.put("kv" + i, "%" + like(Json.write(term.substring(0, eq)) + ":" + Json.write(value)) + "%");
            } else {
                // what a user reads, each on its own: the id, status, preset, group, origin, each tag, and the
                // configuration's keys and values; never the JSON text around them, whose quotes, braces, colons and
                // commas every run has. Escaped with '!', not a backslash: Jdbi's parser takes a backslash in a quoted
                // literal for an escaped quote, and a :q after a second ESCAPE '\' went unbound.
                String q = " LIKE :q" + i + " ESCAPE '!'";
                // the JSON text holds each key, value and tag as JSON writes it: searched first, so that only the runs
                // it may match are parsed (bench-api's filtered page of 10,000 runs)
                String written = " LIKE :written" + i + " ESCAPE '!'";
                String config = "(" + LOWER + "(config)" + written + " AND EXISTS (SELECT 1 FROM " + dialect.jsonRows("config", "c")
                        + " WHERE " + LOWER + "(c.key)" + q + " OR " + LOWER + "(c.value)" + q + "))";
                String tags = "(" + LOWER + "(tags)" + written + " AND EXISTS (SELECT 1 FROM " + dialect.jsonRows("tags", "t")
                        + " WHERE " + LOWER + "(t.value)" + q + "))";
                sql.append(" AND (" + LOWER + "(run_id)" + q + " OR " + LOWER + "(" + status + ")" + q + " OR " + LOWER + "(COALESCE(preset, ''))" + q
                        + " OR " + LOWER + "(COALESCE(run_group, ''))" + q + " OR " + LOWER + "(COALESCE(origin, ''))" + q + " OR " + config + " OR " + tags + ")");
                String json = Json.write(term);                     // "term", its quotes and backslashes escaped
                binds.put("written" + i, "%" + like(json.substring(1, json.length() - 1).toLowerCase(java.util.Locale.ROOT)) + "%");
                binds.put("q" + i, "%" + like(term) + "%");
            }
        }
        return sql.toString();
    }

    /** The runs of this host's trainers that are running in the log but whose trainer process has ended. */
    private List<String> goneHere() {
        return jdbi.withHandle(h -> h.createQuery("SELECT " + LogDao.RUN_COLUMNS + " FROM runs WHERE status = 'running' AND host = :here")
                .bind("here", sparselab.log.ThisHost.NAME).mapTo(RunRow.class).list()).stream()
                .filter(r -> sparselab.log.ThisHost.trainerGone(r.host(), r.pid())).map(RunRow::runId).toList();
    }

    /** The SQLite function that lowers text as Java does (every letter, not only ASCII's): the runs filter's. */
    static final String UNICODE_LOWER = "sl_lower";

    private static void registerUnicodeLower(java.sql.Connection c) throws java.sql.SQLException {
        org.sqlite.Function.create(c, UNICODE_LOWER, new org.sqlite.Function() {
            @Override
            protected void xFunc() throws java.sql.SQLException {
                String v = value_text(0);
                if (v == null) result();
                else result(v.toLowerCase(java.util.Locale.ROOT));
            }
        }, 1, org.sqlite.Function.FLAG_DETERMINISTIC);
    }

    /** {@code s} as a LIKE pattern that matches it literally, with ESCAPE '!'. */
    private static String like(String s) { return s.replace("!", "!!").replace("%", "!%").replace("_", "!_"); }

    @Override
    public List<RunRow> groupRuns(String group) { return jdbi.withExtension(LogDao.class, d -> d.groupRuns(group)); }

    @Override
    public List<String> groupQueued(String group) { return jdbi.withExtension(LogDao.class, d -> d.groupQueued(group)); }

    @Override
    public List<String> queued(int limit) { return jdbi.withExtension(LogDao.class, d -> d.queued(limit)); }

    @Override
    public List<RunRow> unfinished(int limit) { return jdbi.withExtension(LogDao.class, d -> d.unfinished(limit)); }

    @Override
    public int queuedCount() { return jdbi.withExtension(LogDao.class, LogDao::queuedCount); }

    @Override
    public void analyze() {
        // PostgreSQL's planner works from statistics that autovacuum gathers within about a minute of a change; right
        // after a bulk load it has none: bench-api's filtered page of 10,000 runs took 15-16 ms then, 7 ms after this
        if (dialect == Dialect.POSTGRESQL) jdbi.useHandle(h -> h.execute("ANALYZE"));
    }

    @Override
    public int queuedCountExcept(java.util.Collection<String> runIds) {
        return runIds.isEmpty() ? queuedCount() : jdbi.withExtension(LogDao.class, d -> d.queuedCountExcept(runIds));
    }

    @Override
    public String withConfig(String config, String exceptRunId, String preferGroup) {
        return jdbi.withExtension(LogDao.class, d -> dialect == Dialect.POSTGRESQL
                ? d.withConfigMd5(config, exceptRunId, preferGroup) : d.withConfig(config, exceptRunId, preferGroup)).orElse(null);
    }

    @Override
    public Map<String, RunEvent.Created> created(List<String> runIds) {
        Map<String, RunEvent.Created> out = new LinkedHashMap<>();
        for (List<String> chunk : chunks(runIds)) {
            for (LogDao.IdPayload p : jdbi.withExtension(LogDao.class, d -> d.created(chunk))) {
                out.put(p.runId(), Json.read(p.payload(), RunEvent.Created.class));
            }
        }
        return out;
    }

    @Override
    public List<EpochMetrics> metrics(String runId) { return jdbi.withExtension(LogDao.class, d -> d.epochs(runId)); }

    @Override
    public List<EpochMetrics> metrics(String runId, int afterEpoch, int limit) {
        return jdbi.withExtension(LogDao.class, d -> d.epochsAfter(runId, afterEpoch, limit));
    }

    @Override
    public EpochRange epochRange(String runId) { return jdbi.withExtension(LogDao.class, d -> d.epochRange(runId)); }

    @Override
    public List<EpochMetrics> metricsEvery(String runId, int stride, int firstEpoch, int lastEpoch, int afterEpoch, int limit) {
        if (stride < 1) throw new IllegalArgumentException("stride must be at least 1, got " + stride);
        return jdbi.withExtension(LogDao.class, d -> d.epochsEvery(runId, stride, firstEpoch, lastEpoch, afterEpoch, limit));
    }

    @Override
    public List<EpochMetrics> metricsAt(String runId, java.util.Collection<Integer> epochs) {
        return atEpochs(epochs, (d, chunk) -> d.epochsAt(runId, chunk));
    }

    @Override
    public List<Integer> epochsEvery(String runId, int stride, int firstEpoch, int lastEpoch) {
        if (stride < 1) throw new IllegalArgumentException("stride must be at least 1, got " + stride);
        return jdbi.withExtension(LogDao.class, d -> d.epochNumbersEvery(runId, stride, firstEpoch, lastEpoch));
    }

    @Override
    public List<RunEvent.DivergenceFlag> flags(String runId, int offset, int limit) {
        if (offset < 0 || limit < 0) throw new IllegalArgumentException("offset and limit must not be negative: " + offset + ", " + limit);
        return jdbi.withHandle(h -> h.createQuery(EVENT_COLUMNS + "WHERE run_id = :r AND type = 'divergence_flag' ORDER BY seq "
                        + "LIMIT :limit OFFSET :offset")
                .bind("r", runId).bind("limit", limit).bind("offset", offset)
                .map((rs, ctx) -> (RunEvent.DivergenceFlag) decode(rs).event()).list());
    }

    @Override
    public Map<String, RunEvent.Refused> refusals(java.util.Collection<String> runIds) {
        List<String> ids = List.copyOf(new java.util.LinkedHashSet<>(runIds));
        Map<String, RunEvent.Refused> out = new java.util.HashMap<>();
        for (List<String> chunk : chunks(ids)) {
            jdbi.useHandle(h -> h.createQuery(EVENT_COLUMNS + "WHERE run_id IN (<ids>) AND type = 'refused' AND seq > COALESCE("
                            + "(SELECT MAX(s.seq) FROM events s WHERE s.run_id = events.run_id AND s.type IN ('started', 'requeued')), 0) "
                            + "ORDER BY run_id, seq")
                    .bindList("ids", chunk)
                    .map((rs, ctx) -> decode(rs))
                    .forEach(e -> out.put(e.runId(), (RunEvent.Refused) e.event())));      // in order: the newest stays
        }
        return out;
    }

    @Override
    public long flagCount(String runId) {
        return jdbi.withHandle(h -> h.createQuery("SELECT COUNT(*) FROM events WHERE run_id = :r AND type = 'divergence_flag'")
                .bind("r", runId).mapTo(Long.class).one());
    }

    @Override
    public List<Integer> flagEpochs(String runId) {
        return jdbi.withHandle(h -> h.createQuery(dialect.flagEpochs()).bind("r", runId).mapTo(Integer.class).list());
    }

    @Override
    public List<Integer> epochs(String runId) { return jdbi.withExtension(LogDao.class, d -> d.epochNumbers(runId)); }

    @Override
    public Map<Integer, double[]> rhoHat(String runId, List<Integer> epochs) {
        Map<Integer, double[]> out = new java.util.TreeMap<>();
        rhoHatJson(runId, epochs).forEach((epoch, rates) -> out.put(epoch, Json.read(rates, double[].class)));
        return out;
    }

    @Override
    public Map<Integer, String> rhoHatJson(String runId, List<Integer> epochs) {
        Map<Integer, String> out = new java.util.TreeMap<>();
        for (List<Integer> chunk : chunks(epochs)) {
            for (LogDao.EpochRates r : jdbi.withExtension(LogDao.class, d -> d.rhoHat(runId, chunk))) {
                if (r.rhoHat() != null && !numberArray(r.rhoHat())) {      // served as stored: never as JSON it is not
                    throw new StoreException.Corrupt("the stored per-unit rates (epoch_metrics.rho_hat) of run " + runId + " epoch " + r.epoch()
                            + " are not an array of numbers: changed behind the log's back; ./sparselab rebuild refolds them from the events");
                }
                out.put(r.epoch(), r.rhoHat());
            }
        }
        return out;
    }

    private static final Set<String> NON_FINITE = Set.of("NaN", "Infinity", "-Infinity");

    /** True when {@code json} is one JSON array of numbers (or nulls), nothing else: read token by token, nothing built. */
    static boolean numberArray(String json) {
        try (com.fasterxml.jackson.core.JsonParser p = Json.MAPPER.getFactory().createParser(json)) {
            if (p.nextToken() != com.fasterxml.jackson.core.JsonToken.START_ARRAY) return false;
            for (com.fasterxml.jackson.core.JsonToken t = p.nextToken(); t != com.fasterxml.jackson.core.JsonToken.END_ARRAY; t = p.nextToken()) {
                boolean number = t == com.fasterxml.jackson.core.JsonToken.VALUE_NUMBER_FLOAT || t == com.fasterxml.jackson.core.JsonToken.VALUE_NUMBER_INT
                        || t == com.fasterxml.jackson.core.JsonToken.VALUE_NULL
                        // a diverged epoch's rates: Jackson writes NaN and the infinities as strings
                        || t == com.fasterxml.jackson.core.JsonToken.VALUE_STRING && NON_FINITE.contains(p.getText());
                if (!number) return false;
            }
            return p.nextToken() == null;
        } catch (java.io.IOException | RuntimeException e) {
            return false;
        }
    }

    private static <T> List<List<T>> chunks(List<T> all) {
        List<List<T>> out = new ArrayList<>();
        for (int i = 0; i < all.size(); i += IN_CHUNK) out.add(all.subList(i, Math.min(all.size(), i + IN_CHUNK)));
        return out;
    }

    @Override
    public List<SnapshotRow> snapshots(String runId) { return jdbi.withExtension(LogDao.class, d -> d.snapshots(runId)); }

    @Override
    public List<Integer> snapshotEpochs(String runId) { return jdbi.withExtension(LogDao.class, d -> d.snapshotEpochs(runId)); }

    @Override
    public Optional<SnapshotRow> snapshot(String runId, int epoch) { return jdbi.withExtension(LogDao.class, d -> d.snapshot(runId, epoch)); }

    @Override
    public List<MeasuresRow> measures(String runId) { return jdbi.withExtension(LogDao.class, d -> d.measures(runId)); }

    @Override
    public List<SnapshotRow> snapshotsAt(String runId, java.util.Collection<Integer> epochs) {
        return atEpochs(epochs, (d, chunk) -> d.snapshotsAt(runId, chunk));
    }

    @Override
    public List<MeasuresRow> measuresAt(String runId, java.util.Collection<Integer> epochs) {
        return atEpochs(epochs, (d, chunk) -> d.measuresAt(runId, chunk));
    }

    /** The rows {@code read} gives for these epochs, in order, read a chunk of epochs at a time (within every backend's limit on bound values). */
    private <T> List<T> atEpochs(java.util.Collection<Integer> epochs, java.util.function.BiFunction<LogDao, List<Integer>, List<T>> read) {
        List<T> out = new ArrayList<>();
        for (List<Integer> chunk : chunks(new java.util.TreeSet<>(epochs).stream().toList())) {
            out.addAll(jdbi.withExtension(LogDao.class, d -> read.apply(d, chunk)));
        }
        return out;
    }

    @Override
    public long measureCount(String runId) { return jdbi.withExtension(LogDao.class, d -> d.measureCount(runId)); }

    @Override
    public java.util.Set<String> groupsNamed(java.util.Collection<String> names) {
        List<String> all = List.copyOf(new java.util.LinkedHashSet<>(names));
        java.util.Set<String> out = new java.util.HashSet<>();
        for (List<String> chunk : chunks(all)) {         // within every backend's limit on bound values
            out.addAll(jdbi.withExtension(LogDao.class, d -> d.groupsNamed(chunk)));
        }
        return out;
    }

    @Override
    public Map<String, MeasuresRow> lastMeasures(java.util.Collection<String> runIds) {
        List<String> ids = List.copyOf(new java.util.LinkedHashSet<>(runIds));
        Map<String, MeasuresRow> out = new java.util.HashMap<>();
        for (List<String> chunk : chunks(ids)) {         // within every backend's limit on bound values
            for (MeasuresRow m : jdbi.withExtension(LogDao.class, d -> d.lastMeasures(chunk))) out.put(m.runId(), m);
        }
        return out;
    }

    @Override
    public Map<String, Long> flagCounts(java.util.Collection<String> runIds) {
        return perRun(runIds, LogDao::flagCounts);
    }

    @Override
    public Map<String, Integer> lastSnapshotEpochs(java.util.Collection<String> runIds) {
        return perRun(runIds, LogDao::lastSnapshotEpochs);
    }

    /** A query keyed by run id, asked of the distinct ids a chunk at a time (within every backend's limit on bound values). */
    private <V> Map<String, V> perRun(java.util.Collection<String> runIds, java.util.function.BiFunction<LogDao, List<String>, Map<String, V>> query) {
        List<String> ids = List.copyOf(new java.util.LinkedHashSet<>(runIds));
        Map<String, V> out = new java.util.HashMap<>();
        for (List<String> chunk : chunks(ids)) out.putAll(jdbi.withExtension(LogDao.class, d -> query.apply(d, chunk)));
        return out;
    }

    @Override
    public Optional<byte[]> blob(String hash) {
        Optional<byte[]> bytes = jdbi.withExtension(LogDao.class, d -> d.blob(hash));
        bytes.ifPresent(b -> {
            if (!Blob.of(b).hash().equals(hash)) {            // whoever catches it says so (the server's log, the command's one line)
                throw new StoreException.Corrupt("the stored bytes of blob " + hash + " in " + backend.display()
                        + " do not match their hash (changed behind the log's back)");
            }
        });
        return bytes;
    }

    @Override
    public boolean hasBlob(String hash) {
        return jdbi.withExtension(LogDao.class, d -> d.blobCount(hash)) > 0;
    }

    @Override
    public VerifyReport verify() {
        // the file's own structure first (SQLite: its pages, tables and indexes), then each list the checks start from,
        // each read apart: a damaged page is named and the checks go on with what can be read
        List<String> damage = new ArrayList<>(), structure = new ArrayList<>();
        if (dialect == Dialect.SQLITE) {
            try {
                // its rows may hold several lines each, under a heading ("*** in database main ***")
                List<String> found = jdbi.withHandle(h -> h.createQuery("PRAGMA quick_check(" + (MAX_LISTED + 1) + ")").mapTo(String.class).list())
                        .stream().flatMap(String::lines).map(String::strip).filter(l -> !l.isEmpty() && !l.startsWith("***")).toList();
                if (!found.equals(List.of("ok"))) {
                    for (String f : found.subList(0, Math.min(MAX_LISTED, found.size()))) structure.add("SQLite's quick_check: " + f);
                    if (found.size() > MAX_LISTED) structure.add("SQLite's quick_check: and more");
                }
            } catch (RuntimeException e) {
                String words = StoreException.damaged(e);
                if (words == null) throw e;
                structure.add("SQLite's quick_check could not run (" + words + ")");
            }
        }
        List<String> bad = new ArrayList<>();
        List<String> hashes = listed(damage, "the list of blobs", this::blobHashes);
        for (String h : hashes) {
            try {
                Optional<byte[]> b = jdbi.withExtension(LogDao.class, d -> d.blob(h));
                // gone since listed: a superseded checkpoint a trainer dropped meanwhile, not damage
                if (b.isPresent() && !Blob.of(b.get()).hash().equals(h)) bad.add(h + usesOf(h));
            } catch (RuntimeException e) {                     // a damaged page: named, and the check goes on
                bad.add(h + " (unreadable: " + unreadable(e) + ")" + usesOf(h));
            }
        }
        // the bytes match their hash, but the size recorded beside them does not (a reader of the table would trust it)
        for (String h : listed(damage, "the blobs' sizes", () -> jdbi.withExtension(LogDao.class, LogDao::blobsOfWrongSize))) {
            if (bad.stream().noneMatch(b -> b.startsWith(h))) bad.add(h + " (its size column is not its bytes' length)" + usesOf(h));
        }
        List<String> seqErrors = new ArrayList<>();
        List<String> diffs = new ArrayList<>();
        List<String> missing = new ArrayList<>();
        long events = 0;
        // every run the events name, also one whose runs row is gone
        java.util.Set<String> named = new java.util.LinkedHashSet<>(listed(damage, "the runs table", () -> runs().stream().map(RunRow::runId).toList()));
        named.addAll(listed(damage, "the runs the events name", () -> jdbi.withExtension(LogDao.class, LogDao::eventRunIds)));
        List<String> ids = List.copyOf(named);
        for (String id : ids) {
            try {
                // one consistent view per run: a trainer appending meanwhile is seen before or after, never half
                events += snapshotRead(h -> verifyRun(h, id, seqErrors, diffs, missing));
            } catch (RuntimeException e) {
                diffs.add(id + ": unreadable (" + unreadable(e) + ")");
                // its events still count: the total is the log's, not of the runs that could be read
                try {
                    events += jdbi.withHandle(h -> h.createQuery("SELECT COUNT(*) FROM events WHERE run_id = :r").bind("r", id).mapTo(Long.class).one());
                } catch (RuntimeException unreadable) {
                    // a page too damaged to count: the run is named above
                }
            }
        }
        damage.addAll(structure);                // after the lists that could not be read: what a reader meets first
        return new VerifyReport(ids.size(), events, hashes.size(), damage, bad, seqErrors, diffs, missing);
    }

    /** Why a part of the log could not be read: SQLite's words for a damaged file, else the deepest cause's. */
    private static String unreadable(RuntimeException e) {
        String words = StoreException.damaged(e);
        return words != null ? words : firstLine(rootMessage(e));
    }

    /** How many of SQLite's quick_check findings verify lists. */
    private static final int MAX_LISTED = 10;

    /** {@code read}'s list, or an empty one with {@code what} named in {@code damage} when the log cannot give it. */
    private List<String> listed(List<String> damage, String what, java.util.function.Supplier<List<String>> read) {
        try {
            return read.get();
        } catch (RuntimeException e) {
            String words = StoreException.damaged(e);
            if (words == null) throw e;                              // the server gone, a lock: not damage in the log
            damage.add(what + " could not be read (" + words + ")");
            return List.of();
        }
    }

    /**
     * What points at blob {@code hash}, for verify's report: ": the weights of r1 epoch 3, the checkpoint of r2 epoch 5"
     * (at most 10 named, then a count), or "" when nothing does or it cannot be read.
     */
    private String usesOf(String hash) {
        try {
            List<String> uses = new ArrayList<>();
            jdbi.useExtension(LogDao.class, d -> {
                d.snapshotUses(hash).forEach(u -> uses.add("the weights of " + u.runId() + " epoch " + u.epoch()));
                d.checkpointUses(hash).forEach(u -> uses.add("the checkpoint of " + u.runId() + " epoch " + u.epoch()));
            });
            if (uses.isEmpty()) return "";
            return ": " + String.join(", ", uses.subList(0, Math.min(10, uses.size()))) + (uses.size() > 10 ? " and " + (uses.size() - 10) + " more" : "");
        } catch (RuntimeException e) {
            return "";
        }
    }

    /** Checks one run's events against its projections; returns its number of events. */
    private long verifyRun(Handle h, String runId, List<String> seqErrors, List<String> diffs, List<String> missing) {
        LogDao dao = h.attach(LogDao.class);
        RunRow row = dao.run(runId).orElse(null);           // none: a run whose row was deleted, found by its events
        List<StoredEvent> evs = events(h, runId);
        RunRow folded = null;
        java.util.Set<Integer> epochsSeen = new java.util.HashSet<>();
        List<EpochMetrics> expectMetrics = new ArrayList<>();
        Map<Integer, double[]> expectRates = new java.util.TreeMap<>();      // the last event of an epoch wins, as in the fold
        List<SnapshotRow> expectSnaps = new ArrayList<>();
        List<MeasuresRow> expectMeasures = new ArrayList<>();
        for (int i = 0; i < evs.size(); i++) {
            StoredEvent e = evs.get(i);
            if (e.seq() != i + 1) {
                seqErrors.add(runId + ": event " + (i + 1) + " has number " + e.seq());
                // the fold stops here: what it would say of the projections and the weights after a gap is not the log's
                if (row == null) diffs.add(runId + ": runs row missing (its " + evs.size() + (evs.size() == 1 ? " event is" : " events are") + " in the log)");
                return evs.size();
            }
            if (e.event() instanceof RunEvent.EpochCompleted m) {
                if (!epochsSeen.add(m.epoch())) seqErrors.add(runId + ": epoch " + m.epoch() + " logged twice");
                expectMetrics.add(EpochMetrics.of(m));
                expectRates.put(m.epoch(), m.rhoHat());
            }
            if (e.event() instanceof RunEvent.WeightSnapshot w) expectSnaps.add(new SnapshotRow(e.runId(), w.epoch(), w.blob(), Json.write(w)));
            if (e.event() instanceof RunEvent.FilterMeasures f) expectMeasures.add(MeasuresRow.of(e.runId(), f));
            folded = Projection.evolve(folded, e);
        }
        RunRow want = folded;
        if (row == null) diffs.add(runId + ": runs row missing (its " + evs.size() + (evs.size() == 1 ? " event is" : " events are") + " in the log)");
        else if (!sameState(row, folded)) diffs.add(runId + ": runs row");
        expectMetrics.sort(Comparator.comparingInt(EpochMetrics::epoch));
        if (!dao.epochs(runId).equals(dedupe(expectMetrics)) || !sameRates(dao.allRhoHat(runId), expectRates)) diffs.add(runId + ": epoch_metrics");
        expectSnaps.sort(Comparator.comparingInt(SnapshotRow::epoch));
        if (!dao.snapshots(runId).equals(expectSnaps)) diffs.add(runId + ": snapshots");
        expectMeasures.sort(Comparator.comparingInt(MeasuresRow::epoch));
        if (!dao.measures(runId).equals(expectMeasures)) diffs.add(runId + ": filter_measures");
        // the bytes it points at, in the same view: its snapshots' weights and its last checkpoint
        Map<String, String> wanted = new LinkedHashMap<>();
        for (SnapshotRow sn : expectSnaps) wanted.putIfAbsent(sn.blob(), "the weights of epoch " + sn.epoch());
        if (want != null && want.lastCheckpoint() != null) {
            wanted.putIfAbsent(want.lastCheckpoint(), "the checkpoint of epoch " + want.lastCheckpointEpoch());
        }
        java.util.Set<String> present = new java.util.HashSet<>();
        for (List<String> chunk : chunks(List.copyOf(wanted.keySet()))) present.addAll(dao.presentBlobs(chunk));
        wanted.forEach((hash, what) -> {
            if (!present.contains(hash)) missing.add(runId + ": " + what + " (" + hash.substring(0, Math.min(12, hash.length())) + ")");
        });
        return evs.size();
    }

    /**
     * Reads in one snapshot of the log, without taking a write lock: on PostgreSQL a REPEATABLE READ transaction, on
     * SQLite a deferred one (its snapshot begins at the first read; the file may even be read-only).
     */
    private <T> T snapshotRead(org.jdbi.v3.core.HandleCallback<T, RuntimeException> work) {
        if (dialect == Dialect.POSTGRESQL) {
            return jdbi.inTransaction(org.jdbi.v3.core.transaction.TransactionIsolationLevel.REPEATABLE_READ, work);
        }
        return jdbi.withHandle(h -> {
            h.execute("BEGIN DEFERRED");
            T result;
            try {
                result = work.withHandle(h);
            } catch (RuntimeException | Error e) {
                endRead(h, e);
                throw e;
            }
            endRead(h, null);
            return result;
        });
    }

    /**
     * Ends a read begun by {@link #snapshotRead}. SQLite may have rolled it back itself after an error; a ROLLBACK that
     * fails otherwise leaves the connection inside a transaction, so it is taken out of the pool.
     */
    private void endRead(Handle h, Throwable failed) {
        try {
            h.execute("ROLLBACK");
        } catch (RuntimeException e) {
            if (!String.valueOf(rootMessage(e)).contains("no transaction is active")) pool.evictConnection(h.getConnection());
            if (failed != null) failed.addSuppressed(e);
            else throw e;
        }
    }

    /** The last row per epoch (an upsert keeps the last), in epoch order. */
    /** Whether the stored per-unit rates (epoch_metrics.rho_hat) are the events' rates, epoch by epoch. */
    private static boolean sameRates(List<LogDao.EpochRates> stored, Map<Integer, double[]> expected) {
        if (stored.size() != expected.size()) return false;
        for (LogDao.EpochRates r : stored) {
            if (!expected.containsKey(r.epoch())) return false;
            double[] have;
            try {
                have = r.rhoHat() == null ? null : Json.read(r.rhoHat(), double[].class);
            } catch (RuntimeException e) {
                return false;                                   // not even an array of numbers
            }
            if (!java.util.Arrays.equals(have, expected.get(r.epoch()))) return false;
        }
        return true;
    }

    private static List<EpochMetrics> dedupe(List<EpochMetrics> rows) {
        Map<Integer, EpochMetrics> m = new java.util.TreeMap<>();
        for (EpochMetrics r : rows) m.put(r.epoch(), r);
        return new ArrayList<>(m.values());
    }

    @Override
    public List<String> blobHashes() { return jdbi.withExtension(LogDao.class, LogDao::blobHashes); }

    private static final String EVENT_COLUMNS = "SELECT id, run_id, seq, type, at, payload FROM events ";

    @Override
    public List<StoredEvent> events(String runId) {
        return jdbi.withHandle(h -> events(h, runId));
    }

    @Override
    public List<StoredEvent> eventsTail(String runId, long beforeSeq, int limit) {
        List<StoredEvent> newest = jdbi.withHandle(h -> h.createQuery(EVENT_COLUMNS + "WHERE run_id = :r AND seq < :before ORDER BY seq DESC LIMIT :n")
                .bind("r", runId).bind("before", beforeSeq).bind("n", limit).map((rs, ctx) -> decode(rs)).list());
        List<StoredEvent> out = new ArrayList<>(newest);
        java.util.Collections.reverse(out);
        return out;
    }

    @Override
    public Map<String, RunEvent.Started> startsSinceLastEpoch(java.util.Collection<String> runIds) {
        List<String> ids = List.copyOf(new java.util.LinkedHashSet<>(runIds));
        Map<String, RunEvent.Started> out = new java.util.HashMap<>();
        for (List<String> chunk : chunks(ids)) {         // within every backend's limit on bound values
            // each run's starts (a few), kept when the newest start or epoch, found backwards on the (run_id, seq) index, is it
            jdbi.withHandle(h -> h.createQuery(EVENT_COLUMNS + "e WHERE e.run_id IN (<r>) AND e.type = 'started' AND e.seq = (SELECT x.seq FROM events x "
                            + "WHERE x.run_id = e.run_id AND x.type IN ('started', 'epoch_completed') ORDER BY x.seq DESC LIMIT 1)")
                    .bindList("r", chunk).map((rs, ctx) -> decode(rs)).list())
                    .forEach(e -> out.put(e.runId(), (RunEvent.Started) e.event()));
        }
        return out;
    }

    @Override
    public Map<String, String> lastStartedAt(java.util.Collection<String> runIds) {
        List<String> ids = List.copyOf(new java.util.LinkedHashSet<>(runIds));
        Map<String, String> out = new java.util.HashMap<>();
        for (List<String> chunk : chunks(ids)) {         // within every backend's limit on bound values
            jdbi.withHandle(h -> h.createQuery("SELECT e.run_id, e.at FROM events e WHERE e.run_id IN (<r>) AND e.type = 'started' "
                            + "AND e.seq = (SELECT MAX(x.seq) FROM events x WHERE x.run_id = e.run_id AND x.type = 'started')")
                    .bindList("r", chunk).map((rs, ctx) -> Map.entry(rs.getString("run_id"), rs.getString("at"))).list())
                    .forEach(e -> out.put(e.getKey(), e.getValue()));
        }
        return out;
    }

    private List<StoredEvent> events(Handle h, String runId) {
        return h.createQuery(EVENT_COLUMNS + "WHERE run_id = :r ORDER BY seq").bind("r", runId).map((rs, ctx) -> decode(rs)).list();
    }

    @Override
    public List<StoredEvent> eventsAfter(long afterId, int limit) {
        return jdbi.withHandle(h -> h.createQuery(EVENT_COLUMNS + "WHERE id > :a ORDER BY id LIMIT :l")
                .bind("a", afterId).bind("l", limit).map((rs, ctx) -> decode(rs)).list());
    }

    @Override
    public List<StoredEvent> eventsWithIds(java.util.Collection<Long> ids) {
        if (ids.isEmpty()) return List.of();
        if (ids.size() > MAX_IDS_AT_ONCE) throw new IllegalArgumentException("at most " + MAX_IDS_AT_ONCE + " ids at once, got " + ids.size());
        return jdbi.withHandle(h -> h.createQuery(EVENT_COLUMNS + "WHERE id IN (<ids>) ORDER BY id")
                .bindList("ids", List.copyOf(ids)).map((rs, ctx) -> decode(rs)).list());
    }

    @Override
    public List<Long> eventIdsBetween(long afterId, long upToId) {
        return jdbi.withExtension(LogDao.class, dao -> dao.eventIdsBetween(afterId, upToId));
    }

    @Override
    public long lastEventId() { return jdbi.withExtension(LogDao.class, LogDao::lastEventId).orElse(0L); }

    @Override
    public void forEachEvent(Consumer<StoredEvent> sink) {
        jdbi.useHandle(h -> h.createQuery(EVENT_COLUMNS + "ORDER BY id").setFetchSize(1000).map((rs, ctx) -> decode(rs))
                .useStream(s -> s.forEach(sink)));
    }

    /** One stored event; one that cannot be read (an unknown type, a payload that is not its type's) is named: id, run, number. */
    private static StoredEvent decode(java.sql.ResultSet rs) throws SQLException {
        RunEvent ev;
        try {
            ev = Json.read(rs.getString("payload"), EventTypes.classOf(rs.getString("type")));
        } catch (IllegalArgumentException | IllegalStateException e) {
            throw new StoreException.Corrupt("event " + rs.getLong("id") + " (number " + rs.getLong("seq") + " of run " + rs.getString("run_id")
                    + ", type '" + sparselab.config.ConfigException.clip(String.valueOf(rs.getString("type")), 60) + "') cannot be read: " + e.getMessage()
                    + " (written by a newer sparselab, or changed behind the log's back)");
        }
        return new StoredEvent(rs.getLong("id"), rs.getString("run_id"), rs.getLong("seq"), rs.getString("at"), ev);
    }

    /**
     * Copies every event (with its id, sequence number and time) and every blob of {@code from} into this empty log,
     * rebuilds the projections and compares them with the source's, all in one transaction: nothing else sees (or
     * claims) a copied run before the comparison has passed, and a copy whose projections differ is rolled back.
     * Refused, before anything is written, when this log holds any event or is in use: a run in it has a live heartbeat,
     * or a worker or dashboard pool beats in it ({@link #users}, the check a schema upgrade makes).
     *
     * @return the number of events copied
     * @throws StoreException.CopyDiffers when the copied projections differ from the source's (nothing was written)
     */
    long copyFrom(SqlEventLog from) {
        List<String> users = users(pool, backend);
        if (!users.isEmpty()) {
            throw new StoreException.Conflict("the target log " + describe() + " is in use (" + String.join(", ", users.subList(0, Math.min(users.size(), 5)))
                    + (users.size() > 5 ? " and " + (users.size() - 5) + " more" : "") + "): they would claim the copied runs. Stop them, "
                    + "then try again; nothing was written");
        }
        long[] n = {0};
        transaction(h -> {
            n[0] = 0;
            LogDao dao = h.attach(LogDao.class);
            if (dao.lastEventId().isPresent()) {
                throw new StoreException.Conflict("the target log " + describe() + " is not empty; copy refuses to merge logs");
            }
            for (String hash : from.blobHashes()) {
                dao.insertBlob(hash, from.blob(hash).orElseThrow());
            }
            var insert = h.prepareBatch("INSERT INTO events (id, run_id, seq, type, at, payload) VALUES (:id, :r, :s, :t, :a, :p)");
            from.forEachEvent(e -> {
                insert.bind("id", e.id()).bind("r", e.runId()).bind("s", e.seq()).bind("t", e.type()).bind("a", e.at())
                        .bind("p", Json.write(e.event())).add();
                if (++n[0] % 1000 == 0) insert.execute();
            });
            if (insert.size() > 0) insert.execute();
            if (dialect.resetEventIds() != null) h.createQuery(dialect.resetEventIds()).mapTo(Long.class).one();
            rebuild(h);
            List<Object> copied = projectionRows(h);
            List<Object> source = from.projectionRows();
            if (!copied.equals(source)) throw new StoreException.CopyDiffers(from.describe(), source.size(), copied.size());
            return null;
        }, 0);                  // reads the source between its statements: no idle limit
        analyze();
        return n[0];
    }

    // ---- workers ---------------------------------------------------------------------------------------------------

    /**
     * The workers (and dashboard pools) of this process that have beaten since they started: a worker's first beat
     * through this log registers it (its own start time replaces that of an earlier worker of the same name, one
     * killed or stopped); its later beats keep it.
     */
    private final Set<String> registered = java.util.concurrent.ConcurrentHashMap.newKeySet();

    @Override
    public void workerBeat(WorkerInfo w) {
        boolean first = !registered.contains(w.name());
        transaction(h -> {
            LogDao dao = h.attach(LogDao.class);
            if (first) dao.workerRegister(w.name(), w.host(), w.pid(), w.slots(), Json.write(w.runs()), now(h));
            else dao.workerBeat(w.name(), w.host(), w.pid(), w.slots(), Json.write(w.runs()), now(h));
            return null;
        });
        registered.add(w.name());
    }

    @Override
    public void workerStopped(String name) {
        registered.remove(name);                // a worker of this name started later in this process registers anew
        jdbi.useExtension(LogDao.class, d -> d.workerStopped(name));
    }

    @Override
    public List<WorkerInfo> workers() {
        return jdbi.withExtension(LogDao.class, LogDao::workers).stream()
                .map(w -> new WorkerInfo(w.name(), w.host(), w.pid(), w.slots(), Json.stringList(w.runs()), w.startedAt(),
                        w.heartbeatAt(), w.stopped()))
                .toList();
    }

    // ---- maintenance -----------------------------------------------------------------------------------------------

    @Override
    public int rebuild() { return transaction(this::rebuild); }

    /** {@link #rebuild()} in the transaction of {@code h}. */
    private int rebuild(Handle h) {
        {
            h.execute("DELETE FROM runs");
            h.execute("DELETE FROM epoch_metrics");
            h.execute("DELETE FROM snapshots");
            h.execute("DELETE FROM filter_measures");
            LogDao dao = h.attach(LogDao.class);
            Map<String, RunRow> state = new HashMap<>();
            int[] n = {0};
            h.createQuery(EVENT_COLUMNS + "ORDER BY run_id, seq").setFetchSize(1000)
                    .map((rs, ctx) -> decode(rs))
                    .useStream(s -> s.forEach(e -> {
                        RunRow next = Projection.evolve(state.get(e.runId()), e);
                        state.put(e.runId(), next);
                        projectRows(dao, e);
                        n[0]++;
                    }));
            for (RunRow r : state.values()) dao.putRun(r);
            return n[0];
        }
    }

    /**
     * All projection rows, for comparing a rebuild (or a copy) with the live state. The heartbeat time of a run that
     * is still running is liveness, not history (heartbeats are not events), so it is left out.
     */
    @Override
    public List<Object> projectionRows() { return jdbi.withHandle(this::projectionRows); }

    /** {@link #projectionRows()} as the transaction of {@code h} sees them (a copy compares its own before it commits). */
    private List<Object> projectionRows(Handle h) {
        LogDao dao = h.attach(LogDao.class);
        List<Object> all = new ArrayList<>();
        List<RunRow> runs = new ArrayList<>(dao.runs());
        runs.sort(Comparator.comparing(RunRow::runId));
        for (RunRow r : runs) {
            all.add(r.with(b -> b.heartbeatAt = null));         // written by heartbeats without an event (sameState)
            all.addAll(dao.epochs(r.runId()));
            for (LogDao.EpochRates rates : dao.allRhoHat(r.runId())) {
                String text = rates.rhoHat();              // text that is no array of numbers differs from any fold (named by verify)
                all.add(rates.epoch() + ":" + (text == null ? "null"
                        : numberArray(text) ? java.util.Arrays.toString(Json.read(text, double[].class)) : "unreadable " + text));
            }
            all.addAll(dao.snapshots(r.runId()));
            all.addAll(dao.measures(r.runId()));
        }
        return all;
    }
}
