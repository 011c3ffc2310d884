package sparselab.store;

import sparselab.log.Blob;
import sparselab.log.EpochMetrics;
import sparselab.log.MeasuresRow;
import sparselab.log.RunEvent;
import sparselab.log.RunRow;
import sparselab.log.SnapshotRow;
import sparselab.log.StoredEvent;

import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.function.Predicate;

/**
 * The event log: the one owner of the database. Everything else asks it typed questions and gets records back;
 * no SQL, Jdbi type or connection leaves this package. Two backends: one SQLite file (the default) or a
 * PostgreSQL server shared by many machines ({@link #open(String)}).
 *
 * <p>Every append is one transaction that writes the events, the blobs they reference and the projections they
 * change. Training events are written through a {@link Lease}: the fencing token a claim hands the trainer, checked
 * in the append's transaction, so that a trainer that lost its run (paused, then taken over) writes nothing more.
 */
public interface EventLog extends AutoCloseable {

    /**
     * A system property: the most pages (4 KiB each) an SQLite log opened while it is set may grow to (SQLite's
     * {@code max_page_count} on each connection); a write past it fails as on a full disk ({@link StoreException.Full}).
     * For tests, which cannot fill a disk; unset, a log grows as its disk allows.
     */
    String SQLITE_MAX_PAGES_PROPERTY = "sparselab.sqliteMaxPages";

    /**
     * A system property: how long, in ms, a PostgreSQL log opened while it is set waits for a connection from its pool
     * before a read or write fails (a server down: refused connections; all connections busy). For tests, which would
     * otherwise wait the default, {@value #PG_POOL_WAIT_MS} ms, for each outage they stage.
     */
    String PG_POOL_WAIT_PROPERTY = "sparselab.pgPoolWaitMs";

    /** How long a PostgreSQL log's reads and writes wait for a connection from its pool, in ms. */
    int PG_POOL_WAIT_MS = 15_000;

    /**
     * Opens the log named by {@code db}: a {@code postgresql://user@host:port/db} URL, or else a file path
     * (SQLite, created when missing). Refused with {@link StoreException.BadLog} (one line naming the problem) when the
     * server cannot be reached, the password is wrong, the schema is newer than this program, or the file is no log.
     */
    static EventLog open(String db) { return SqlEventLog.open(Backend.parse(db, true)); }

    /**
     * The SQLite file that {@code db} names when it does not exist yet, so that {@link #open(String)} would create it;
     * empty for an existing file and for a PostgreSQL URL.
     */
    static java.util.Optional<java.nio.file.Path> missingFile(String db) {
        Backend b = Backend.parse(db, true);
        return b.kind() == Backend.Kind.SQLITE && !java.nio.file.Files.exists(b.file()) ? java.util.Optional.of(b.file()) : java.util.Optional.empty();
    }

    /**
     * Opens the log with a pool of {@code connections} on PostgreSQL (a worker with many slots: each slot's trainer
     * writes and beats on its own; a pool too small for them made a write wait 15 s and fail its run).
     */
    static EventLog open(String db, int connections) { return SqlEventLog.open(Backend.parse(db, true), connections); }

    /** Opens (creating when missing) the SQLite log in {@code file}. */
    static EventLog open(java.nio.file.Path file) { return open(file.toString()); }

    /** Copies every event and blob of {@code from} into the empty log {@code to} and rebuilds its projections. */
    static long copy(EventLog from, EventLog to) { return ((SqlEventLog) to).copyFrom((SqlEventLog) from); }

    /** Opens an existing log; a missing SQLite file is refused instead of created. */
    static EventLog openExisting(String db) { return SqlEventLog.open(Backend.parse(db, false)); }

    /**
     * Opens an existing log for a command that only reads it: nothing is created or upgraded. A missing file, a
     * database without a log, and a log of an older schema are refused (one line naming the problem).
     */
    static EventLog openReadOnly(String db) { return SqlEventLog.open(Backend.parse(db, false), 0, true); }

    /** Whether a --db value names a log on a database server ({@link #shared()}), without opening it. */
    static boolean isShared(String db) { return Backend.parse(db, true).kind() != Backend.Kind.SQLITE; }

    /** The files of the SQLite log {@code db} (the file, its -wal, -shm and -journal); none for a PostgreSQL log. */
    static List<java.nio.file.Path> sqliteFiles(String db) {
        Backend b = Backend.parse(db, true);
        if (b.kind() != Backend.Kind.SQLITE) return List.of();
        java.nio.file.Path f = b.file();
        return List.of(f, f.resolveSibling(f.getFileName() + "-wal"), f.resolveSibling(f.getFileName() + "-shm"),
                f.resolveSibling(f.getFileName() + "-journal"));
    }

    /** A new, unique run id: {@code r} and ten hex digits. */
    static String newRunId() {
        return "r" + UUID.randomUUID().toString().replace("-", "").substring(0, 10);
    }

    /** True when {@code id} has the shape of a run id (it may still name no run). */
    static boolean isRunId(String id) { return id != null && id.matches("r[0-9a-f]{10}"); }

    /** Where the log is, for messages: the file, or the URL without its password. */
    String describe();

    /** The version of the log's schema (the last migration applied to it). */
    String schemaVersion();

    /**
     * The clock that heartbeats are written in: the database server's (PostgreSQL), read through this machine's
     * clock and its measured offset; this machine's own clock for an SQLite file. Whether a run or worker is alive
     * is judged on it.
     */
    default java.time.Clock clock() { return java.time.Clock.systemUTC(); }

    /** The --db value a child process (a trainer, a worker) opens this log with: {@link #describe()} and the URL's driver parameters. */
    String locator();

    /**
     * What a process started by this one (a background trainer) needs in its environment to open this log from
     * {@link #describe()}: the PostgreSQL password, as {@code PGPASSWORD}, when this process has one (a password written
     * into the --db URL is not part of describe(), and an environment is not shown to other users as a command line
     * is); empty for SQLite and for a server that needs no password.
     */
    java.util.Map<String, String> childEnvironment();

    /** The bytes the log takes: the SQLite file and its write-ahead log, or the PostgreSQL database's size. */
    long sizeBytes();

    /** True for a log on a database server (many machines), false for an SQLite file. */
    boolean shared();

    @Override
    void close();

    // ---- writes --------------------------------------------------------------------------------------------------

    /** Creates a run: appends its {@code created} event under a new id and returns the id. */
    String create(RunEvent.Created created);

    /**
     * Appends one event that is not a training event (a tag, a cancel request, the cancel of a queued or
     * interrupted run, a worker's refusal) with its blobs. Training events of a run that a trainer holds are refused:
     * they go through the trainer's {@link Lease}.
     */
    StoredEvent append(String runId, RunEvent event, Blob... blobs);

    /** Several events of one run in one transaction: all of them or none (same rule as {@link #append}). */
    List<StoredEvent> appendAll(String runId, List<RunEvent> events, List<Blob> blobs);

    /**
     * Appends the events that {@code decide} returns for the run's current row, in one transaction that holds the run
     * (its row lock on PostgreSQL, the file's write lock on SQLite): no other write changes the run between the check
     * and the append, so a request sent twice at once (a cancel, a resume) is written once. {@code decide} refuses by
     * throwing (nothing is written) and may return no events; it must only look at the row (it may run twice). Same
     * rule as {@link #append} for training events.
     *
     * @throws StoreException.RunNotFound when the run does not exist
     */
    List<StoredEvent> appendChecked(String runId, java.util.function.Function<RunRow, List<RunEvent>> decide);

    /**
     * Runs {@code work} in one write transaction in which it may read the log's room (what the log takes and which runs
     * may still write to it) and then write: the writes that add a run that may still write (a new run, a stopped run
     * queued or claimed again) check the log's size limit and write in one step, so that two of them at once, from any
     * processes, never both pass a check that only one of them fits. The room is held from its first read until the
     * transaction ends: on SQLite by the file's write lock, which every write transaction takes; on PostgreSQL by a
     * lock that only readers of the room take (after the rows they lock, so that no two of them wait on each other),
     * while other writes go on. {@code work} refuses by throwing (nothing is written), may run twice (as
     * {@link #appendChecked}) and must write only through the {@link Room}.
     *
     * @throws StoreException.Busy on PostgreSQL when the room, or a run it writes, stays held for the lock wait
     */
    <T> T withRoom(java.util.function.Function<Room, T> work);

    /** The log within one {@link #withRoom} transaction. */
    interface Room {
        /** {@link EventLog#sizeBytes()}, as this transaction sees it; holds the room. */
        long sizeBytes();

        /** {@link EventLog#unfinished(int)}, as this transaction sees them; holds the room. */
        List<RunRow> unfinished(int limit);

        /**
         * Whether some run of the log is in {@code group}, as this transaction sees it; holds the room, so that two
         * writers naming a new group alike take turns and the second sees the first's runs.
         */
        boolean hasGroup(String group);

        /** {@link EventLog#shared()} */
        boolean shared();

        /** {@link EventLog#describe()} */
        String describe();

        /** {@link EventLog#create} in this transaction. */
        String create(RunEvent.Created created);

        /** {@link EventLog#appendChecked} in this transaction: {@code decide} may read the room. */
        List<StoredEvent> appendChecked(String runId, java.util.function.Function<RunRow, List<RunEvent>> decide);

        /** {@link EventLog#claim} in this transaction: {@code mayStart} may read the room. */
        Optional<Lease> claim(String runId, RunEvent.Started started, Predicate<RunRow> mayStart);
    }

    /**
     * Appends the events of many runs in one transaction (bulk imports and benchmark fills), with the same rules as
     * {@link #appendAll} for each run, in the map's order.
     */
    void appendMany(java.util.LinkedHashMap<String, List<RunEvent>> eventsByRun);

    /**
     * Claims a run for a trainer: appends {@code started} with the next lease number, only when {@code mayStart}
     * holds for the run's current row, atomically (two trainers never both take the same run).
     *
     * @return the lease, or empty when the run is missing or {@code mayStart} refused it
     */
    Optional<Lease> claim(String runId, RunEvent.Started started, Predicate<RunRow> mayStart);

    /**
     * Claims the oldest run that {@code mayStart} accepts among the queued runs and the running runs whose heartbeat
     * is older than {@code stale} (their trainer is gone: a takeover), skipping {@code skip}. On PostgreSQL the
     * candidates are locked with {@code FOR UPDATE SKIP LOCKED}, so concurrent workers take different runs.
     *
     * @param started the start event for the run {@code mayStart} accepted, without its lease and fromEpoch (filled
     *                in from the claimed run)
     */
    Optional<Lease> claimNext(java.util.function.Function<RunRow, RunEvent.Started> started, java.time.Duration stale,
                              java.util.Set<String> skip, Predicate<RunRow> mayStart);

    /**
     * Ends as cancelled the running runs whose cancel was asked and whose heartbeat is older than {@code stale}: their
     * trainers died before they honoured it. Every {@link #claimNext} does this first; a log that nothing claims from
     * (the dashboard's own pool) calls it on its own.
     *
     * @return the runs it ended
     */
    List<String> cancelAbandoned(java.time.Duration stale);

    /** {@link #claimNext(java.util.function.Function, java.time.Duration, java.util.Set, Predicate)} with one start event for any run. */
    default Optional<Lease> claimNext(RunEvent.Started started, java.time.Duration stale, java.util.Set<String> skip,
                                      Predicate<RunRow> mayStart) {
        return claimNext(r -> started, stale, skip, mayStart);
    }

    // ---- reads ---------------------------------------------------------------------------------------------------

    Optional<RunRow> run(String runId);

    /** The run, or {@link StoreException.RunNotFound}. */
    default RunRow require(String runId) {
        return run(runId).orElseThrow(() -> new StoreException.RunNotFound(runId));
    }

    /** Every run, newest first (small logs and exports; pages use {@link #runsPage}). */
    List<RunRow> runs();

    /**
     * One page of runs, newest first, filtered in SQL.
     *
     * @param filter what to keep
     * @param before the cursor: only runs created before this one (its {@code createdSeq}), or null for the newest
     */
    List<RunRow> runsPage(RunFilter filter, Long before, int limit, Instant now);

    /** The runs of a group in creation order. */
    List<RunRow> groupRuns(String group);

    /** The queued runs (no cancel asked) of a group, oldest first. */
    List<String> groupQueued(String group);

    /** The oldest queued runs (no cancel asked), at most {@code limit}. */
    List<String> queued(int limit);

    /**
     * Why run {@code runId}'s trainer may not start from its runs row (the row differs from its events, or one of them
     * cannot be read: a claim would refuse it), or empty: a pool asks before it starts a trainer.
     */
    Optional<String> notStartable(String runId);

    /** The runs that may still write: queued or running (an interrupted one included), oldest first, at most {@code limit}. */
    List<RunRow> unfinished(int limit);

    /** How many runs are queued (no cancel asked). */
    int queuedCount();

    /** Gathers the query planner's statistics after a bulk load (PostgreSQL: ANALYZE; SQLite: nothing). */
    void analyze();

    /** How many runs other than {@code runIds} are queued (no cancel asked): one statement. */
    int queuedCountExcept(java.util.Collection<String> runIds);

    /**
     * A run other than {@code exceptRunId} whose configuration is {@code config} (canonical text, as
     * {@link sparselab.config.RunConfig#toMap()} in {@link sparselab.log.Json#write} writes it), or null: one that is
     * not an ended run without epochs (cancelled or failed before its first) first, then one in group
     * {@code preferGroup} (may be null), then the newest. One query on an index, whatever the size of the log.
     */
    String withConfig(String config, String exceptRunId, String preferGroup);

    /** The {@code created} event of each of the runs. */
    Map<String, RunEvent.Created> created(List<String> runIds);

    List<EpochMetrics> metrics(String runId);

    /**
     * The run's epochs after {@code afterEpoch}, at most {@code limit}, in order: a long run read a page at a time (the
     * next page starts after the last epoch of this one), so that its hundreds of thousands of epochs are never held at once.
     */
    List<EpochMetrics> metrics(String runId, int afterEpoch, int limit);

    /** How many epochs a run has logged, and its first and last (both 0 when none). */
    record EpochRange(int count, int firstEpoch, int lastEpoch) {}

    /** {@link EpochRange} of a run: one query on the (run_id, epoch) key. */
    EpochRange epochRange(String runId);

    /**
     * The run's epochs after {@code afterEpoch}, at most {@code limit}, in order, that a thinned curve keeps: the multiples
     * of {@code stride} and the epochs {@code firstEpoch} and {@code lastEpoch} (the others a curve keeps, such as the
     * epoch it diverged at, are read with {@link #metricsAt}). A long run's curves are read a page at a time this way,
     * never more than a page of its epochs held.
     */
    List<EpochMetrics> metricsEvery(String runId, int stride, int firstEpoch, int lastEpoch, int afterEpoch, int limit);

    /** The figures of the given epochs of a run (those that exist), in order. */
    List<EpochMetrics> metricsAt(String runId, java.util.Collection<Integer> epochs);

    /** The epochs of the run that are multiples of {@code stride}, or its first or last, in order. */
    List<Integer> epochsEvery(String runId, int stride, int firstEpoch, int lastEpoch);

    /**
     * The run's {@code divergence_flag} events, oldest first, the {@code limit} after the first {@code offset}, read on
     * their own: a long run's other events (an epoch each, with its per-unit rates) are never read for them.
     */
    List<RunEvent.DivergenceFlag> flags(String runId, int offset, int limit);

    /** {@link #flags(String, int, int)}: all of them (a run may raise one each time a condition starts: many). */
    default List<RunEvent.DivergenceFlag> flags(String runId) {
        return flags(runId, 0, Integer.MAX_VALUE);
    }

    /** How many {@code divergence_flag} events the run has. */
    long flagCount(String runId);

    /** Of each of the runs that has divergence flags, how many (one query, read from the events' index; a run without any is left out). */
    java.util.Map<String, Long> flagCounts(java.util.Collection<String> runIds);

    /**
     * Of each of the runs that a worker refused since a trainer last started it (or since it was last queued again), the
     * newest refusal (read from the events' index; a run without one is left out): why a queued run waits.
     */
    java.util.Map<String, RunEvent.Refused> refusals(java.util.Collection<String> runIds);

    /**
     * Why each queued run among {@code rows} waits, where something says so: its own error (its trainer failed to
     * start), else its newest refusal ({@link RunEvent.Refused#says}); the log is asked only when a run is queued. What
     * {@code runs} prints under its table and the pages show as a queued run's error.
     */
    default java.util.Map<String, String> waitingWhy(List<RunRow> rows, Instant now) {
        List<RunRow> queued = rows.stream().filter(r -> "queued".equals(r.effectiveStatus(now))).toList();
        if (queued.isEmpty()) return Map.of();
        Map<String, RunEvent.Refused> refused = refusals(queued.stream().map(RunRow::runId).toList());
        Map<String, String> why = new java.util.HashMap<>();
        for (RunRow r : queued) {
            if (r.error() != null) why.put(r.runId(), r.error());
            else if (refused.containsKey(r.runId())) why.put(r.runId(), refused.get(r.runId()).says());
        }
        return why;
    }

    /** The epochs the run's flags mark, each once, in order (no flag is read whole: a run may have hundreds of thousands). */
    List<Integer> flagEpochs(String runId);

    /** The per-unit rates after each of the given epochs (those that exist), by epoch. */
    Map<Integer, double[]> rhoHat(String runId, List<Integer> epochs);

    /** {@link #rhoHat} as stored, each epoch's rates one JSON array, not decoded (the export streams them as they are). */
    Map<Integer, String> rhoHatJson(String runId, List<Integer> epochs);

    /** The epochs of the run that have metrics, in order. */
    List<Integer> epochs(String runId);

    List<SnapshotRow> snapshots(String runId);

    /** The epochs of the run's weight snapshots, in order (their rows are not read). */
    List<Integer> snapshotEpochs(String runId);

    /** The run's snapshot at {@code epoch}, read alone (a run may have hundreds of thousands of others), or empty. */
    Optional<SnapshotRow> snapshot(String runId, int epoch);

    List<MeasuresRow> measures(String runId);

    /** The run's snapshots at the given epochs (those that exist), in order. */
    List<SnapshotRow> snapshotsAt(String runId, java.util.Collection<Integer> epochs);

    /** The filter measures of the run's snapshots at the given epochs (those that have them), in order. */
    List<MeasuresRow> measuresAt(String runId, java.util.Collection<Integer> epochs);

    /** How many of the run's snapshots have their filter measures. */
    long measureCount(String runId);

    /** Which of these names are groups that hold a run (one query per 500 names). */
    java.util.Set<String> groupsNamed(java.util.Collection<String> names);

    /** Each of these runs' filter measures at its newest measured snapshot, by run id (runs without any are absent). */
    java.util.Map<String, MeasuresRow> lastMeasures(java.util.Collection<String> runIds);

    /** Each of these runs' newest weight snapshot's epoch, by run id (runs without any are absent). */
    java.util.Map<String, Integer> lastSnapshotEpochs(java.util.Collection<String> runIds);

    /**
     * The bytes stored under {@code hash}, re-hashed as they are read: bytes that do not match their hash (edited behind
     * the log's back) throw {@link StoreException.Corrupt} naming the blob and are never handed out.
     */
    Optional<byte[]> blob(String hash);

    /** Whether a blob is stored under {@code hash}: one cheap query, its bytes neither read nor checked. */
    boolean hasBlob(String hash);

    List<StoredEvent> events(String runId);

    /**
     * The run's newest {@code limit} events before seq {@code beforeSeq} ({@code Long.MAX_VALUE}: the newest of all),
     * oldest of them first (a run's events are its seq 1 .. lastSeq, gap-free).
     */
    List<StoredEvent> eventsTail(String runId, long beforeSeq, int limit);

    /**
     * Of each of the runs, its newest {@code started} event when no epoch has been logged after it (its trainer has
     * logged no epoch yet); runs without one are left out. One query per 500 runs; each run's events are read backwards
     * from the newest only as far as its newest start or epoch: a few while a trainer logs epochs, whatever its length.
     */
    Map<String, RunEvent.Started> startsSinceLastEpoch(java.util.Collection<String> runIds);

    /**
     * Of each of the runs, the time (the database's) of its newest {@code started} event: when its current trainer
     * started it; runs never started are left out. One query per 500 runs, on the (run, type, seq) index.
     */
    Map<String, String> lastStartedAt(java.util.Collection<String> runIds);

    /** {@link #startsSinceLastEpoch} of one run. */
    default Optional<RunEvent.Started> startSinceLastEpoch(String runId) {
        return Optional.ofNullable(startsSinceLastEpoch(List.of(runId)).get(runId));
    }

    /** Events of every run with id greater than {@code afterId}, in append order, at most {@code limit}. */
    List<StoredEvent> eventsAfter(long afterId, int limit);

    /**
     * The events with these ids that the log holds now, in id order (at most {@link #MAX_IDS_AT_ONCE} ids). For a
     * reader that follows the log by id: on PostgreSQL, appends in concurrent transactions can commit in another order
     * than their ids, so an id skipped by {@link #eventsAfter} may appear later; some never do (an append whose
     * transaction was rolled back used up its id).
     */
    List<StoredEvent> eventsWithIds(java.util.Collection<Long> ids);

    /**
     * The ids of the events in ({@code afterId}, {@code upToId}] that the log holds now, in order: for a reader that
     * starts following the log, to find which ids below the end are still missing (appends in flight).
     */
    List<Long> eventIdsBetween(long afterId, long upToId);

    /** The most ids {@link #eventsWithIds} takes at once. */
    int MAX_IDS_AT_ONCE = 1000;

    /** The id of the last event appended (0 for an empty log). */
    long lastEventId();

    /** Every event of the log in append order, to {@code sink} (a copy). */
    void forEachEvent(java.util.function.Consumer<StoredEvent> sink);

    /** The hashes of every blob. */
    List<String> blobHashes();

    // ---- workers -------------------------------------------------------------------------------------------------

    /** Records that a worker is alive (its slots and current runs); the workers view reads these. */
    void workerBeat(WorkerInfo worker);

    /** A worker stopped cleanly. */
    void workerStopped(String name);

    /** The workers that ever beat, most recent first. */
    List<WorkerInfo> workers();

    // ---- maintenance ---------------------------------------------------------------------------------------------

    /**
     * Checks the whole log without changing it: every blob re-hashed, every run's events numbered 1, 2, 3, ... with
     * each epoch once, and every projection row equal to what a fold of the events gives.
     */
    VerifyReport verify();

    /** Drops the projections and folds every event again, in one transaction; returns the number of events. */
    int rebuild();

    /** All projection rows, for comparing a rebuild with the live state. */
    List<Object> projectionRows();
}
