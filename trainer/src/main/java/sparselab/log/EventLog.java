package sparselab.log;

import org.flywaydb.core.Flyway;
import org.flywaydb.core.api.FlywayException;
import org.jdbi.v3.core.Handle;
import org.jdbi.v3.core.Jdbi;
import org.jdbi.v3.sqlobject.SqlObjectPlugin;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import org.sqlite.SQLiteConfig;
import org.sqlite.SQLiteDataSource;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;

/**
 * The append-only event log in one SQLite file (WAL, busy timeout, immediate transactions). Every append writes
 * the event, its blobs and the projections it changes in one transaction. Opening the log applies the
 * migrations with Flyway.
 */
public final class EventLog implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(EventLog.class);
    private static final DateTimeFormatter UTC = DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ss.SSS'Z'").withZone(ZoneOffset.UTC);
    private static final int BUSY_TIMEOUT_MS = 60_000;

    private final Path file;
    private final Jdbi jdbi;

    private final HikariDataSource pool;

    private EventLog(Path file, Jdbi jdbi, HikariDataSource pool) {
        this.file = file;
        this.jdbi = jdbi;
        this.pool = pool;
    }

    /** Closes the log's connections (a process that exits need not). */
    @Override
    public void close() { pool.close(); }

    /** Opens (creating when missing) the log at {@code file} and brings its schema up to date. */
    public static EventLog open(Path file) {
        Path abs = file.toAbsolutePath();
        try {
            if (abs.getParent() != null) Files.createDirectories(abs.getParent());
        } catch (java.io.IOException e) {
            throw new IllegalStateException("cannot create the folder of the log " + abs + ": " + e.getMessage(), e);
        }
        SQLiteConfig config = new SQLiteConfig();
        config.setJournalMode(SQLiteConfig.JournalMode.WAL);
        config.setSynchronous(SQLiteConfig.SynchronousMode.NORMAL);
        config.setBusyTimeout(BUSY_TIMEOUT_MS);
        config.setTransactionMode(SQLiteConfig.TransactionMode.IMMEDIATE);
        SQLiteDataSource sqlite = new SQLiteDataSource(config);
        sqlite.setUrl("jdbc:sqlite:" + abs);
        // Connections are kept open and reused: opening one per transaction cost 4-8 ms an append.
        HikariConfig pool = new HikariConfig();
        pool.setDataSource(sqlite);
        pool.setPoolName("sparselab-log");
        pool.setMaximumPoolSize(4);
        pool.setMinimumIdle(1);
        pool.setConnectionTimeout(BUSY_TIMEOUT_MS);
        HikariDataSource ds = new HikariDataSource(pool);
        migrate(ds, abs);
        Jdbi jdbi = Jdbi.create(ds).installPlugin(new SqlObjectPlugin());
        return new EventLog(abs, jdbi, ds);
    }

    /** Flyway migrate; a second process migrating the same new file at the same moment retries once it is done. */
    private static void migrate(javax.sql.DataSource ds, Path abs) {
        Flyway flyway = Flyway.configure().dataSource(ds).locations("classpath:db/migration").load();
        for (int attempt = 1; ; attempt++) {
            try {
                flyway.migrate();
                return;
            } catch (FlywayException e) {
                if (attempt >= 10) throw new IllegalStateException("cannot migrate the log " + abs + ": " + e.getMessage(), e);
                LOG.debug("migration of {} raced with another process (attempt {}): {}", abs, attempt, e.getMessage());
                try {
                    Thread.sleep(200L * attempt);
                } catch (InterruptedException ie) {
                    Thread.currentThread().interrupt();
                    throw new IllegalStateException("interrupted while migrating " + abs, ie);
                }
            }
        }
    }

    public Path file() { return file; }

    /** For read queries that the fixed statements do not cover (the dashboard's). */
    public Jdbi jdbi() { return jdbi; }

    /** A new, unique run id. */
    public static String newRunId() {
        return "r" + UUID.randomUUID().toString().replace("-", "").substring(0, 10);
    }

    /** Creates a run: appends its {@code created} event under a new id and returns the id. */
    public String create(RunEvent.Created created) {
        String id = newRunId();
        append(id, created);
        return id;
    }

    /**
     * Appends one event (with the blobs its payload references) and updates the projections, in one transaction.
     * A superseded checkpoint's bytes are dropped in the same transaction: only the latest checkpoint is kept.
     */
    public StoredEvent append(String runId, RunEvent event, Blob... blobs) {
        return appendAll(runId, List.of(event), List.of(blobs)).get(0);
    }

    /**
     * Appends several events of one run and their blobs in one transaction: either all of them are in the log
     * or none (an epoch, its snapshot and its checkpoint are never half-written).
     */
    public List<StoredEvent> appendAll(String runId, List<RunEvent> events, List<Blob> blobs) {
        return jdbi.inTransaction(h -> {
            LogDao dao = h.attach(LogDao.class);
            for (Blob b : blobs) dao.insertBlob(b.hash(), b.bytes().length, b.bytes());
            long seq = dao.lastSeq(runId);
            RunRow state = seq == 0 ? null : dao.run(runId).orElse(null);
            String at = UTC.format(Instant.now());
            List<StoredEvent> out = new ArrayList<>(events.size());
            for (RunEvent event : events) {
                seq++;
                dao.insertEvent(runId, seq, event.type(), at, Json.write(event));
                StoredEvent stored = new StoredEvent(dao.lastInsertId(), runId, seq, at, event);
                if (event instanceof RunEvent.Checkpoint c && state != null && state.lastCheckpoint() != null
                        && !state.lastCheckpoint().equals(c.blob()) && dao.checkpointUsers(state.lastCheckpoint(), runId) == 0) {
                    // bytes are shared by content: another run with the same configuration may still need them
                    dao.deleteBlob(state.lastCheckpoint());
                }
                state = project(dao, state, stored);
                out.add(stored);
            }
            return out;
        });
    }

    /**
     * Appends {@code started} only when {@code mayStart} holds for the run's current row, atomically (the
     * transaction holds the write lock from its start): two trainers can never both take the same run.
     */
    public Optional<StoredEvent> claim(String runId, RunEvent.Started started, java.util.function.Predicate<RunRow> mayStart) {
        return jdbi.inTransaction(h -> {
            LogDao dao = h.attach(LogDao.class);
            Optional<RunRow> row = dao.run(runId);
            if (row.isEmpty() || !mayStart.test(row.get())) return Optional.empty();
            long seq = dao.lastSeq(runId) + 1;
            String at = UTC.format(Instant.now());
            dao.insertEvent(runId, seq, started.type(), at, Json.write(started));
            StoredEvent stored = new StoredEvent(dao.lastInsertId(), runId, seq, at, started);
            project(dao, row.get(), stored);
            return Optional.of(stored);
        });
    }

    private static RunRow project(LogDao dao, RunRow before, StoredEvent e) {
        RunRow after = Projection.evolve(before, e);
        dao.putRun(after);
        projectRows(dao, e);
        return after;
    }

    /** The per-epoch and per-snapshot projection rows of one event (the same live and in a rebuild). */
    private static void projectRows(LogDao dao, StoredEvent e) {
        if (e.event() instanceof RunEvent.EpochCompleted m) dao.putEpoch(EpochRow.of(e.runId(), m));
        if (e.event() instanceof RunEvent.WeightSnapshot w) {
            dao.putSnapshot(new SnapshotRow(e.runId(), w.epoch(), w.blob(), Json.write(w)));
        }
        if (e.event() instanceof RunEvent.FilterMeasures f) dao.putMeasures(MeasuresRow.of(e.runId(), f));
    }

    public List<MeasuresRow> measures(String runId) { return jdbi.withExtension(LogDao.class, d -> d.measures(runId)); }

    public List<StoredEvent> events(String runId) {
        return jdbi.withHandle(h -> h.createQuery("SELECT id, run_id, seq, type, at, payload FROM events WHERE run_id = :r ORDER BY seq")
                .bind("r", runId).map((rs, ctx) -> decode(rs)).list());
    }

    /** Events of every run with id greater than {@code afterId}, in append order, at most {@code limit}. */
    public List<StoredEvent> eventsAfter(long afterId, int limit) {
        return jdbi.withHandle(h -> h.createQuery("SELECT id, run_id, seq, type, at, payload FROM events WHERE id > :a ORDER BY id LIMIT :l")
                .bind("a", afterId).bind("l", limit).map((rs, ctx) -> decode(rs)).list());
    }

    private static StoredEvent decode(java.sql.ResultSet rs) throws java.sql.SQLException {
        RunEvent ev = Json.read(rs.getString("payload"), EventTypes.classOf(rs.getString("type")));
        return new StoredEvent(rs.getLong("id"), rs.getString("run_id"), rs.getLong("seq"), rs.getString("at"), ev);
    }

    public Optional<RunRow> run(String runId) { return jdbi.withExtension(LogDao.class, d -> d.run(runId)); }

    public List<RunRow> runs() { return jdbi.withExtension(LogDao.class, LogDao::runs); }

    public List<EpochRow> metrics(String runId) { return jdbi.withExtension(LogDao.class, d -> d.epochs(runId)); }

    public List<SnapshotRow> snapshots(String runId) { return jdbi.withExtension(LogDao.class, d -> d.snapshots(runId)); }

    public Optional<byte[]> blob(String hash) { return jdbi.withExtension(LogDao.class, d -> d.blob(hash)); }

    /**
     * Drops the projections and folds every event again, in one transaction. The result is the same as the live
     * projections because both run {@link Projection#evolve}.
     */
    public int rebuild() {
        return jdbi.inTransaction(h -> {
            h.execute("DELETE FROM runs");
            h.execute("DELETE FROM epoch_metrics");
            h.execute("DELETE FROM snapshots");
            h.execute("DELETE FROM filter_measures");
            LogDao dao = h.attach(LogDao.class);
            Map<String, RunRow> state = new HashMap<>();
            int[] n = {0};
            h.createQuery("SELECT id, run_id, seq, type, at, payload FROM events ORDER BY run_id, seq")
                    .map((rs, ctx) -> decode(rs))
                    .useStream(s -> s.forEach(e -> {
                        RunRow next = Projection.evolve(state.get(e.runId()), e);
                        state.put(e.runId(), next);
                        projectRows(dao, e);
                        n[0]++;
                    }));
            for (RunRow r : state.values()) dao.putRun(r);
            return n[0];
        });
    }

    /** All projection rows, for comparing a rebuild with the live state. */
    public List<Object> projectionRows() {
        List<Object> all = new ArrayList<>();
        jdbi.useExtension(LogDao.class, d -> {
            List<RunRow> runs = new ArrayList<>(d.runs());
            runs.sort(java.util.Comparator.comparing(RunRow::runId));
            for (RunRow r : runs) {
                all.add(r);
                all.addAll(d.epochs(r.runId()));
                all.addAll(d.snapshots(r.runId()));
                all.addAll(d.measures(r.runId()));
            }
        });
        return all;
    }
}
