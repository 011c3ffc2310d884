package sparselab.store;

import org.jdbi.v3.core.result.ResultIterable;
import org.jdbi.v3.core.result.ResultIterator;
import org.jdbi.v3.sqlobject.config.RegisterConstructorMapper;
import org.jdbi.v3.sqlobject.customizer.Bind;
import org.jdbi.v3.sqlobject.customizer.BindList;
import org.jdbi.v3.sqlobject.customizer.BindMethods;
import org.jdbi.v3.sqlobject.statement.BatchChunkSize;
import org.jdbi.v3.sqlobject.statement.SqlBatch;
import org.jdbi.v3.sqlobject.statement.SqlQuery;
import org.jdbi.v3.sqlobject.statement.SqlUpdate;
import sparselab.log.EpochMetrics;
import sparselab.log.MeasuresRow;
import sparselab.log.RunRow;
import sparselab.log.SnapshotRow;

import java.util.Arrays;
import java.util.Iterator;
import java.util.List;
import java.util.Optional;
import java.util.stream.IntStream;

/**
 * The log's fixed statements, in SQL that SQLite and PostgreSQL both accept (upserts with ON CONFLICT, RETURNING).
 * Events are only ever inserted. The statements that differ between the two live in {@link Dialect}.
 */
@RegisterConstructorMapper(RunRow.class)
@RegisterConstructorMapper(EpochMetrics.class)
@RegisterConstructorMapper(SnapshotRow.class)
@RegisterConstructorMapper(MeasuresRow.class)
@RegisterConstructorMapper(LogDao.EpochRates.class)
@RegisterConstructorMapper(LogDao.BlobUse.class)
@RegisterConstructorMapper(LogDao.BlobPart.class)
@RegisterConstructorMapper(LogDao.IdPayload.class)
@RegisterConstructorMapper(LogDao.WorkerRow.class)
@RegisterConstructorMapper(EventLog.EpochRange.class)
interface LogDao {

    String RUN_COLUMNS = "run_id, created_at, updated_at, status, preset, run_group, origin, config, data_fingerprint, "
            + "epochs_total, epochs_done, last_loss, last_recon, last_heldout, last_penalty, last_mean_activation, "
            + "last_clipped_fraction, diverged_epoch, error, pid, host, heartbeat_at, cancel_requested, last_checkpoint, "
            + "last_checkpoint_epoch, snapshots, tags, last_seq, lease, worker, created_seq";

    String METRIC_COLUMNS = "epoch, loss, recon, heldout, penalty, decay, mean_activation, mean_abs_sp, max_abs_sp, clipped, "
            + "clipped_fraction, diverged, seconds, samples_per_sec";

    @SqlQuery("SELECT COALESCE(MAX(seq), 0) FROM events WHERE run_id = :runId")
    long lastSeq(@Bind("runId") String runId);

    @SqlQuery("INSERT INTO events (run_id, seq, type, at, payload) VALUES (:runId, :seq, :type, :at, :payload) RETURNING id")
    long insertEvent(@Bind("runId") String runId, @Bind("seq") long seq, @Bind("type") String type,
                     @Bind("at") String at, @Bind("payload") String payload);

    /**
     * The bytes a blobs row holds itself, and the size of each further part in blob_parts (migration V10). Bound as one
     * value, a 28 MB checkpoint was copied whole on its way into the database (SQLite's bound value and its record), and
     * the C library kept those blocks: a trainer's resident memory grew by 50-130 MB at its checkpoints. In parts of
     * this size it grows by a few MB (docs/performance.md, Memory). Below half of G1's smallest region (1 MB), so a
     * part's copy on the heap is an ordinary young object.
     */
    int BLOB_PART_BYTES = 256 * 1024;

    /**
     * Stores a blob that is not in the log yet: its first part in a blobs row, the rest in blob_parts. False, and
     * nothing written, when bytes under this hash are stored already.
     */
    default boolean insertBlob(String hash, byte[] bytes) {
        int first = Math.min(bytes.length, BLOB_PART_BYTES);
        if (insertBlobRow(hash, bytes.length, first == bytes.length ? bytes : Arrays.copyOf(bytes, first)) == 0) return false;
        deleteBlobParts(hash);                 // parts written by hand without their blobs row
        int parts = (bytes.length - first + BLOB_PART_BYTES - 1) / BLOB_PART_BYTES;
        if (parts > 0) {
            // each part copied as the batch takes it: at most a chunk's parts at once
            insertBlobParts(hash, IntStream.rangeClosed(1, parts).iterator(), IntStream.range(0, parts).mapToObj(k -> {
                int off = first + k * BLOB_PART_BYTES;
                return Arrays.copyOfRange(bytes, off, Math.min(bytes.length, off + BLOB_PART_BYTES));
            }).iterator());
        }
        return true;
    }

    /** 1 when inserted, 0 when bytes under this hash are stored already. */
    @SqlUpdate("INSERT INTO blobs (hash, size, bytes) VALUES (:hash, :size, :bytes) ON CONFLICT (hash) DO NOTHING")
    int insertBlobRow(@Bind("hash") String hash, @Bind("size") int size, @Bind("bytes") byte[] bytes);

    /**
     * A blob's parts in JDBC batches of 16 (4 MB): PostgreSQL's driver sends a batch's statements together, where one
     * INSERT at a time made a 28 MB checkpoint about 110 round trips to the server.
     */
    @SqlBatch("INSERT INTO blob_parts (hash, part, bytes) VALUES (:hash, :part, :bytes)")
    @BatchChunkSize(16)
    void insertBlobParts(@Bind("hash") String hash, @Bind("part") Iterator<Integer> parts, @Bind("bytes") Iterator<byte[]> bytes);

    /** Whether the bytes stored under {@code hash} are {@code bytes}: compared part by part, as they are read. */
    default boolean sameBlob(String hash, byte[] bytes) {
        try (ResultIterator<BlobPart> parts = blobParts(hash).iterator()) {
            int at = 0;
            boolean stored = false;
            while (parts.hasNext()) {
                stored = true;
                BlobPart p = parts.next();
                if (p.total() != bytes.length) return false;
                byte[] b = p.bytes();
                if (at + b.length > bytes.length || !Arrays.equals(b, 0, b.length, bytes, at, at + b.length)) return false;
                at += b.length;
            }
            return stored && at == bytes.length;
        }
    }

    @SqlQuery("SELECT run_id, epoch FROM snapshots WHERE blob = :hash ORDER BY run_id, epoch")
    List<BlobUse> snapshotUses(@Bind("hash") String hash);

    @SqlQuery("SELECT run_id, last_checkpoint_epoch AS epoch FROM runs WHERE last_checkpoint = :hash ORDER BY run_id")
    List<BlobUse> checkpointUses(@Bind("hash") String hash);

    /** A run's snapshot or checkpoint at {@code epoch} that points at a blob. */
    record BlobUse(String runId, int epoch) {}

    @SqlQuery("SELECT COUNT(*) FROM blobs WHERE hash = :hash")
    int blobCount(@Bind("hash") String hash);

    /** Deletes a blob: its row, and with it its parts (a trigger, migration V10). */
    @SqlUpdate("DELETE FROM blobs WHERE hash = :hash")
    void deleteBlob(@Bind("hash") String hash);

    @SqlUpdate("DELETE FROM blob_parts WHERE hash = :hash")
    void deleteBlobParts(@Bind("hash") String hash);

    @SqlQuery("SELECT COUNT(*) FROM runs WHERE last_checkpoint = :hash AND run_id <> :runId")
    int checkpointUsers(@Bind("hash") String hash, @Bind("runId") String runId);

    /**
     * A blob's bytes, its parts copied into one array as they are read (its length, the stored bytes' own, comes with
     * the first); empty when its blobs row is not there.
     */
    default Optional<byte[]> blob(String hash) {
        try (ResultIterator<BlobPart> parts = blobParts(hash).iterator()) {
            if (!parts.hasNext()) return Optional.empty();
            BlobPart first = parts.next();
            if (first.total() == first.bytes().length) return Optional.of(first.bytes());
            byte[] out = Arrays.copyOf(first.bytes(), Math.toIntExact(first.total()));
            int at = first.bytes().length;
            while (parts.hasNext()) {
                byte[] p = parts.next().bytes();
                System.arraycopy(p, 0, out, at, p.length);
                at += p.length;
            }
            return Optional.of(out);
        }
    }

    /**
     * A blob's parts in order (its row's bytes, then blob_parts'), each with the length of all of them, read in one
     * statement (one view of the log); none when its blobs row is not there.
     */
    @SqlQuery("WITH t AS (SELECT octet_length(bytes) + COALESCE((SELECT SUM(octet_length(bytes)) FROM blob_parts WHERE hash = :hash), 0) "
            + "AS total FROM blobs WHERE hash = :hash) "
            + "SELECT t.total, x.bytes FROM t CROSS JOIN (SELECT 0 AS part, bytes FROM blobs WHERE hash = :hash UNION ALL "
            + "SELECT part, bytes FROM blob_parts WHERE hash = :hash) AS x ORDER BY x.part")
    ResultIterable<BlobPart> blobParts(@Bind("hash") String hash);

    /** One part of a blob, and the length of the whole as stored. */
    record BlobPart(long total, byte[] bytes) {}

    /** Those of the hashes whose bytes are in the log. */
    @SqlQuery("SELECT hash FROM blobs WHERE hash IN (<h>)")
    List<String> presentBlobs(@BindList("h") List<String> hashes);

    @SqlQuery("SELECT hash FROM blobs ORDER BY hash")
    List<String> blobHashes();

    /**
     * Blobs whose {@code size} column is not the length of their bytes: octet_length() counts bytes on both backends
     * (SQLite's length() counts the characters of a value stored as text, up to a NUL).
     */
    @SqlQuery("SELECT hash FROM blobs b WHERE size <> octet_length(bytes) "
            + "+ COALESCE((SELECT SUM(octet_length(p.bytes)) FROM blob_parts p WHERE p.hash = b.hash), 0) ORDER BY hash")
    List<String> blobsOfWrongSize();

    /** Every run the events name (verify: a run whose runs row is gone is found by its events). */
    @SqlQuery("SELECT DISTINCT run_id FROM events ORDER BY run_id")
    List<String> eventRunIds();

    @SqlQuery("SELECT " + RUN_COLUMNS + " FROM runs WHERE run_id = :runId")
    Optional<RunRow> run(@Bind("runId") String runId);

    @SqlQuery("SELECT " + RUN_COLUMNS + " FROM runs WHERE status IN ('queued', 'running') ORDER BY created_seq LIMIT :n")
    List<RunRow> unfinished(@Bind("n") int limit);

    @SqlQuery("SELECT " + RUN_COLUMNS + " FROM runs ORDER BY created_seq DESC")
    List<RunRow> runs();

    @SqlQuery("SELECT " + RUN_COLUMNS + " FROM runs WHERE run_group = :g ORDER BY created_seq")
    List<RunRow> groupRuns(@Bind("g") String group);

    @SqlQuery("SELECT DISTINCT run_group FROM runs WHERE run_group IN (<names>)")
    List<String> groupsNamed(@BindList("names") List<String> names);

    @SqlQuery("SELECT run_id FROM runs WHERE run_group = :g AND status = 'queued' AND cancel_requested = FALSE ORDER BY created_seq")
    List<String> groupQueued(@Bind("g") String group);

    @SqlQuery("SELECT run_id FROM runs WHERE status = 'queued' AND cancel_requested = FALSE ORDER BY created_seq LIMIT :n")
    List<String> queued(@Bind("n") int limit);

    @SqlQuery("SELECT COUNT(*) FROM runs WHERE status = 'queued' AND cancel_requested = FALSE")
    int queuedCount();

    /** The order of {@link EventLog#withConfig}: not an ended run without epochs, then the preferred group, then the newest. */
    String WITH_CONFIG_ORDER = " AND run_id <> :except ORDER BY CASE WHEN epochs_done = 0 AND status IN ('cancelled', 'failed') THEN 1 ELSE 0 END, "
            + "CASE WHEN run_group = :group THEN 0 ELSE 1 END, created_seq DESC LIMIT 1";

    /** By the index runs_config (SQLite, migration V7). */
    @SqlQuery("SELECT run_id FROM runs WHERE config = :config" + WITH_CONFIG_ORDER)
    java.util.Optional<String> withConfig(@Bind("config") String config, @Bind("except") String exceptRunId, @Bind("group") String group);

    /** By the index runs_config_md5 (PostgreSQL, migration V7). */
    @SqlQuery("SELECT run_id FROM runs WHERE md5(config) = md5(:config) AND config = :config" + WITH_CONFIG_ORDER)
    java.util.Optional<String> withConfigMd5(@Bind("config") String config, @Bind("except") String exceptRunId, @Bind("group") String group);

    @SqlQuery("SELECT COUNT(*) FROM runs WHERE status = 'queued' AND cancel_requested = FALSE AND run_id NOT IN (<except>)")
    int queuedCountExcept(@BindList("except") java.util.Collection<String> except);

    @SqlQuery("SELECT run_id, payload FROM events WHERE seq = 1 AND run_id IN (<ids>)")
    List<IdPayload> created(@BindList("ids") List<String> ids);

    /** A run id and an event payload. */
    record IdPayload(String runId, String payload) {}

    @SqlUpdate("INSERT INTO runs (" + RUN_COLUMNS + ") VALUES (:runId, :createdAt, :updatedAt, "
            + ":status, :preset, :runGroup, :origin, :config, :dataFingerprint, :epochsTotal, :epochsDone, :lastLoss, "
            + ":lastRecon, :lastHeldout, :lastPenalty, :lastMeanActivation, :lastClippedFraction, :divergedEpoch, :error, "
            + ":pid, :host, :heartbeatAt, :cancelRequested, :lastCheckpoint, :lastCheckpointEpoch, :snapshots, :tags, :lastSeq, "
            + ":lease, :worker, :createdSeq) ON CONFLICT (run_id) DO UPDATE SET created_at = excluded.created_at, "
            + "updated_at = excluded.updated_at, status = excluded.status, preset = excluded.preset, run_group = excluded.run_group, "
            + "origin = excluded.origin, config = excluded.config, data_fingerprint = excluded.data_fingerprint, "
            + "epochs_total = excluded.epochs_total, epochs_done = excluded.epochs_done, last_loss = excluded.last_loss, "
            + "last_recon = excluded.last_recon, last_heldout = excluded.last_heldout, last_penalty = excluded.last_penalty, "
            + "last_mean_activation = excluded.last_mean_activation, last_clipped_fraction = excluded.last_clipped_fraction, "
            + "diverged_epoch = excluded.diverged_epoch, error = excluded.error, pid = excluded.pid, host = excluded.host, "
            + "heartbeat_at = excluded.heartbeat_at, cancel_requested = excluded.cancel_requested, "
            + "last_checkpoint = excluded.last_checkpoint, last_checkpoint_epoch = excluded.last_checkpoint_epoch, "
            + "snapshots = excluded.snapshots, tags = excluded.tags, last_seq = excluded.last_seq, lease = excluded.lease, "
            + "worker = excluded.worker, created_seq = excluded.created_seq")
    void putRun(@BindMethods RunRow row);

    @SqlUpdate("INSERT INTO epoch_metrics (run_id, " + METRIC_COLUMNS + ", rho_hat) VALUES (:runId, :m.epoch, :m.loss, :m.recon, "
            + ":m.heldout, :m.penalty, :m.decay, :m.meanActivation, :m.meanAbsSp, :m.maxAbsSp, :m.clipped, :m.clippedFraction, "
            + ":m.diverged, :m.seconds, :m.samplesPerSec, :rhoHat) ON CONFLICT (run_id, epoch) DO UPDATE SET loss = excluded.loss, "
            + "recon = excluded.recon, heldout = excluded.heldout, penalty = excluded.penalty, decay = excluded.decay, "
            + "mean_activation = excluded.mean_activation, mean_abs_sp = excluded.mean_abs_sp, max_abs_sp = excluded.max_abs_sp, "
            + "clipped = excluded.clipped, clipped_fraction = excluded.clipped_fraction, diverged = excluded.diverged, "
            + "seconds = excluded.seconds, samples_per_sec = excluded.samples_per_sec, rho_hat = excluded.rho_hat")
    void putEpoch(@Bind("runId") String runId, @BindMethods("m") EpochMetrics m, @Bind("rhoHat") String rhoHat);

    @SqlQuery("SELECT " + METRIC_COLUMNS + " FROM epoch_metrics WHERE run_id = :runId ORDER BY epoch")
    List<EpochMetrics> epochs(@Bind("runId") String runId);

    @SqlQuery("SELECT " + METRIC_COLUMNS + " FROM epoch_metrics WHERE run_id = :runId AND epoch > :after ORDER BY epoch LIMIT :limit")
    List<EpochMetrics> epochsAfter(@Bind("runId") String runId, @Bind("after") int afterEpoch, @Bind("limit") int limit);

    @SqlQuery("SELECT COUNT(*) AS count, COALESCE(MIN(epoch), 0) AS first_epoch, COALESCE(MAX(epoch), 0) AS last_epoch "
            + "FROM epoch_metrics WHERE run_id = :runId")
    EventLog.EpochRange epochRange(@Bind("runId") String runId);

    /** Its conditions are on the key's columns alone, so that the rows it leaves out are never read. */
    @SqlQuery("SELECT " + METRIC_COLUMNS + " FROM epoch_metrics WHERE run_id = :runId AND epoch > :after "
            + "AND (epoch % :stride = 0 OR epoch = :first OR epoch = :last) ORDER BY epoch LIMIT :limit")
    List<EpochMetrics> epochsEvery(@Bind("runId") String runId, @Bind("stride") int stride, @Bind("first") int firstEpoch,
                                   @Bind("last") int lastEpoch, @Bind("after") int afterEpoch, @Bind("limit") int limit);

    @SqlQuery("SELECT " + METRIC_COLUMNS + " FROM epoch_metrics WHERE run_id = :runId AND epoch IN (<e>) ORDER BY epoch")
    List<EpochMetrics> epochsAt(@Bind("runId") String runId, @BindList("e") List<Integer> epochs);

    @SqlQuery("SELECT epoch FROM epoch_metrics WHERE run_id = :runId AND (epoch % :stride = 0 OR epoch = :first OR epoch = :last) ORDER BY epoch")
    List<Integer> epochNumbersEvery(@Bind("runId") String runId, @Bind("stride") int stride, @Bind("first") int firstEpoch,
                                    @Bind("last") int lastEpoch);

    @SqlQuery("SELECT epoch FROM epoch_metrics WHERE run_id = :runId ORDER BY epoch")
    List<Integer> epochNumbers(@Bind("runId") String runId);

    @SqlQuery("SELECT epoch, rho_hat FROM epoch_metrics WHERE run_id = :runId ORDER BY epoch")
    List<EpochRates> allRhoHat(@Bind("runId") String runId);

    @SqlQuery("SELECT epoch, rho_hat FROM epoch_metrics WHERE run_id = :runId AND epoch IN (<e>) ORDER BY epoch")
    List<EpochRates> rhoHat(@Bind("runId") String runId, @BindList("e") List<Integer> epochs);

    /** One epoch's per-unit rates as stored (a JSON array). */
    record EpochRates(int epoch, String rhoHat) {}

    @SqlUpdate("INSERT INTO snapshots (run_id, epoch, blob, payload) VALUES (:runId, :epoch, :blob, :payload) "
            + "ON CONFLICT (run_id, epoch) DO UPDATE SET blob = excluded.blob, payload = excluded.payload")
    void putSnapshot(@BindMethods SnapshotRow row);

    @SqlQuery("SELECT run_id, epoch, blob, payload FROM snapshots WHERE run_id = :runId ORDER BY epoch")
    List<SnapshotRow> snapshots(@Bind("runId") String runId);

    @SqlQuery("SELECT epoch FROM snapshots WHERE run_id = :runId ORDER BY epoch")
    List<Integer> snapshotEpochs(@Bind("runId") String runId);

    @SqlQuery("SELECT run_id, epoch, blob, payload FROM snapshots WHERE run_id = :runId AND epoch IN (<e>) ORDER BY epoch")
    List<SnapshotRow> snapshotsAt(@Bind("runId") String runId, @BindList("e") List<Integer> epochs);

    @SqlQuery("SELECT run_id, epoch, blob, payload FROM snapshots WHERE run_id = :runId AND epoch = :epoch")
    java.util.Optional<SnapshotRow> snapshot(@Bind("runId") String runId, @Bind("epoch") int epoch);

    @SqlUpdate("INSERT INTO filter_measures (run_id, epoch, locality, dead_fraction, saturated_fraction, "
            + "lifetime_sparsity, digit_likeness, stroke_share) VALUES (:runId, :epoch, :locality, :deadFraction, :saturatedFraction, "
            + ":lifetimeSparsity, :digitLikeness, :strokeShare) ON CONFLICT (run_id, epoch) DO UPDATE SET locality = excluded.locality, "
            + "dead_fraction = excluded.dead_fraction, saturated_fraction = excluded.saturated_fraction, "
            + "lifetime_sparsity = excluded.lifetime_sparsity, digit_likeness = excluded.digit_likeness, stroke_share = excluded.stroke_share")
    void putMeasures(@BindMethods MeasuresRow row);

    @SqlQuery("SELECT run_id, epoch, locality, dead_fraction, saturated_fraction, lifetime_sparsity, digit_likeness, stroke_share "
            + "FROM filter_measures WHERE run_id = :runId ORDER BY epoch")
    List<MeasuresRow> measures(@Bind("runId") String runId);

    @SqlQuery("SELECT run_id, epoch, locality, dead_fraction, saturated_fraction, lifetime_sparsity, digit_likeness, stroke_share "
            + "FROM filter_measures WHERE run_id = :runId AND epoch IN (<e>) ORDER BY epoch")
    List<MeasuresRow> measuresAt(@Bind("runId") String runId, @BindList("e") List<Integer> epochs);

    @SqlQuery("SELECT COUNT(*) FROM filter_measures WHERE run_id = :runId")
    long measureCount(@Bind("runId") String runId);

    @SqlQuery("SELECT m.run_id, m.epoch, m.locality, m.dead_fraction, m.saturated_fraction, m.lifetime_sparsity, m.digit_likeness, "
            + "m.stroke_share FROM filter_measures m JOIN (SELECT run_id, MAX(epoch) AS epoch FROM filter_measures "
            + "WHERE run_id IN (<ids>) GROUP BY run_id) l ON m.run_id = l.run_id AND m.epoch = l.epoch")
    List<MeasuresRow> lastMeasures(@BindList("ids") List<String> ids);

    @SqlQuery("SELECT run_id, MAX(epoch) AS epoch FROM snapshots WHERE run_id IN (<ids>) GROUP BY run_id")
    @org.jdbi.v3.sqlobject.config.KeyColumn("run_id")
    @org.jdbi.v3.sqlobject.config.ValueColumn("epoch")
    java.util.Map<String, Integer> lastSnapshotEpochs(@BindList("ids") List<String> ids);

    @SqlQuery("SELECT run_id, COUNT(*) AS flags FROM events WHERE type = 'divergence_flag' AND run_id IN (<ids>) GROUP BY run_id")
    @org.jdbi.v3.sqlobject.config.KeyColumn("run_id")
    @org.jdbi.v3.sqlobject.config.ValueColumn("flags")
    java.util.Map<String, Long> flagCounts(@BindList("ids") List<String> ids);

    @SqlUpdate("UPDATE runs SET heartbeat_at = :at WHERE run_id = :runId AND lease = :lease AND status = 'running'")
    int beat(@Bind("runId") String runId, @Bind("lease") long lease, @Bind("at") String at);

    @SqlQuery("SELECT MAX(id) FROM events")
    Optional<Long> lastEventId();

    @SqlQuery("SELECT id FROM events WHERE id > :a AND id <= :b ORDER BY id")
    List<Long> eventIdsBetween(@Bind("a") long afterId, @Bind("b") long upToId);

    /** A later heartbeat of a worker: its start time, in the row since it registered, is kept. */
    @SqlUpdate("INSERT INTO workers (name, host, pid, slots, runs, started_at, heartbeat_at, stopped) "
            + "VALUES (:name, :host, :pid, :slots, :runs, :at, :at, FALSE) ON CONFLICT (name) DO UPDATE SET host = excluded.host, "
            + "pid = excluded.pid, slots = excluded.slots, runs = excluded.runs, heartbeat_at = excluded.heartbeat_at, stopped = FALSE")
    void workerBeat(@Bind("name") String name, @Bind("host") String host, @Bind("pid") long pid, @Bind("slots") int slots,
                    @Bind("runs") String runs, @Bind("at") String at);

    /**
     * A worker's first heartbeat (its start): the row of an earlier worker of the same name (stopped, or killed and
     * lapsed) is taken over whole, its start time too.
     */
    @SqlUpdate("INSERT INTO workers (name, host, pid, slots, runs, started_at, heartbeat_at, stopped) "
            + "VALUES (:name, :host, :pid, :slots, :runs, :at, :at, FALSE) ON CONFLICT (name) DO UPDATE SET host = excluded.host, "
            + "pid = excluded.pid, slots = excluded.slots, runs = excluded.runs, started_at = excluded.started_at, "
            + "heartbeat_at = excluded.heartbeat_at, stopped = FALSE")
    void workerRegister(@Bind("name") String name, @Bind("host") String host, @Bind("pid") long pid, @Bind("slots") int slots,
                        @Bind("runs") String runs, @Bind("at") String at);

    @SqlUpdate("UPDATE workers SET stopped = TRUE, runs = '[]' WHERE name = :name")
    void workerStopped(@Bind("name") String name);

    @SqlQuery("SELECT name, host, pid, slots, runs, started_at, heartbeat_at, stopped FROM workers ORDER BY heartbeat_at DESC LIMIT 200")
    List<WorkerRow> workers();

    /** A row of the workers table. */
    record WorkerRow(String name, String host, long pid, int slots, String runs, String startedAt, String heartbeatAt, boolean stopped) {}
}
