package sparselab.log;

import org.jdbi.v3.sqlobject.config.RegisterConstructorMapper;
import org.jdbi.v3.sqlobject.customizer.Bind;
import org.jdbi.v3.sqlobject.customizer.BindMethods;
import org.jdbi.v3.sqlobject.statement.SqlQuery;
import org.jdbi.v3.sqlobject.statement.SqlUpdate;

import java.util.List;
import java.util.Optional;

/** The log's fixed statements. Events are only ever inserted. */
@RegisterConstructorMapper(RunRow.class)
@RegisterConstructorMapper(EpochRow.class)
@RegisterConstructorMapper(SnapshotRow.class)
@RegisterConstructorMapper(MeasuresRow.class)
public interface LogDao {

    @SqlQuery("SELECT COALESCE(MAX(seq), 0) FROM events WHERE run_id = :runId")
    long lastSeq(@Bind("runId") String runId);

    @SqlUpdate("INSERT INTO events (run_id, seq, type, at, payload) VALUES (:runId, :seq, :type, :at, :payload)")
    void insertEvent(@Bind("runId") String runId, @Bind("seq") long seq, @Bind("type") String type,
                     @Bind("at") String at, @Bind("payload") String payload);

    @SqlQuery("SELECT last_insert_rowid()")
    long lastInsertId();

    @SqlUpdate("INSERT OR IGNORE INTO blobs (hash, size, bytes) VALUES (:hash, :size, :bytes)")
    void insertBlob(@Bind("hash") String hash, @Bind("size") int size, @Bind("bytes") byte[] bytes);

    @SqlUpdate("DELETE FROM blobs WHERE hash = :hash")
    void deleteBlob(@Bind("hash") String hash);

    @SqlQuery("SELECT COUNT(*) FROM runs WHERE last_checkpoint = :hash AND run_id <> :runId")
    int checkpointUsers(@Bind("hash") String hash, @Bind("runId") String runId);

    @SqlQuery("SELECT bytes FROM blobs WHERE hash = :hash")
    Optional<byte[]> blob(@Bind("hash") String hash);

    @SqlQuery("SELECT * FROM runs WHERE run_id = :runId")
    Optional<RunRow> run(@Bind("runId") String runId);

    @SqlQuery("SELECT * FROM runs ORDER BY created_at DESC, run_id")
    List<RunRow> runs();

    @SqlUpdate("INSERT OR REPLACE INTO runs (run_id, created_at, updated_at, status, preset, run_group, origin, config, "
            + "data_fingerprint, epochs_total, epochs_done, last_loss, last_recon, last_heldout, last_penalty, "
            + "last_mean_activation, last_clipped_fraction, diverged_epoch, error, pid, host, heartbeat_at, cancel_requested, "
            + "last_checkpoint, last_checkpoint_epoch, snapshots, tags, last_seq) VALUES (:runId, :createdAt, :updatedAt, "
            + ":status, :preset, :runGroup, :origin, :config, :dataFingerprint, :epochsTotal, :epochsDone, :lastLoss, "
            + ":lastRecon, :lastHeldout, :lastPenalty, :lastMeanActivation, :lastClippedFraction, :divergedEpoch, :error, "
            + ":pid, :host, :heartbeatAt, :cancelRequested, :lastCheckpoint, :lastCheckpointEpoch, :snapshots, :tags, :lastSeq)")
    void putRun(@BindMethods RunRow row);

    @SqlUpdate("INSERT OR REPLACE INTO epoch_metrics (run_id, epoch, loss, recon, penalty, decay, mean_activation, "
            + "mean_abs_sp, max_abs_sp, clipped, clipped_fraction, diverged, heldout, seconds, samples_per_sec, rho_hat) "
            + "VALUES (:runId, :epoch, :loss, :recon, :penalty, :decay, :meanActivation, :meanAbsSp, :maxAbsSp, :clipped, "
            + ":clippedFraction, :diverged, :heldout, :seconds, :samplesPerSec, :rhoHat)")
    void putEpoch(@BindMethods EpochRow row);

    @SqlQuery("SELECT * FROM epoch_metrics WHERE run_id = :runId ORDER BY epoch")
    List<EpochRow> epochs(@Bind("runId") String runId);

    @SqlUpdate("INSERT OR REPLACE INTO snapshots (run_id, epoch, blob, payload) VALUES (:runId, :epoch, :blob, :payload)")
    void putSnapshot(@BindMethods SnapshotRow row);

    @SqlQuery("SELECT * FROM snapshots WHERE run_id = :runId ORDER BY epoch")
    List<SnapshotRow> snapshots(@Bind("runId") String runId);

    @SqlUpdate("INSERT OR REPLACE INTO filter_measures (run_id, epoch, locality, dead_fraction, saturated_fraction, "
            + "lifetime_sparsity, digit_likeness, stroke_share) VALUES (:runId, :epoch, :locality, :deadFraction, :saturatedFraction, "
            + ":lifetimeSparsity, :digitLikeness, :strokeShare)")
    void putMeasures(@BindMethods MeasuresRow row);

    @SqlQuery("SELECT * FROM filter_measures WHERE run_id = :runId ORDER BY epoch")
    List<MeasuresRow> measures(@Bind("runId") String runId);
}
