package sparselab.log;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;

/**
 * The {@code runs} projection: one run's state, folded from its events by {@link Projection}. It is built by the
 * row mapper and changed only through {@link #with}, which names every field it sets.
 */
public record RunRow(
        String runId, String createdAt, String updatedAt, String status, String preset, String runGroup, String origin,
        String config, String dataFingerprint, int epochsTotal, int epochsDone,
        Double lastLoss, Double lastRecon, Double lastHeldout, Double lastPenalty, Double lastMeanActivation,
        Double lastClippedFraction, Integer divergedEpoch, String error, Long pid, String host, String heartbeatAt,
        boolean cancelRequested, String lastCheckpoint, Integer lastCheckpointEpoch, int snapshots, String tags,
        long lastSeq, long lease, String worker, long createdSeq) {

    /** System property: seconds without a heartbeat after which a running run reads as interrupted (default 20). */
    public static final String TIMEOUT_PROPERTY = "sparselab.takeoverSeconds";

    /**
     * A running run whose last heartbeat is older than this reads as interrupted, and a worker may take it over. Four
     * heartbeats fit in it (they come every 5 s), so a trainer that is merely slow is not taken over.
     */
    /** Every status a run shows ({@link #effectiveStatus}), in the order of its life. */
    public static final List<String> STATUSES = List.of("queued", "running", "finished", "diverged", "failed", "cancelled", "interrupted");

    public static final Duration HEARTBEAT_TIMEOUT = Duration.ofMillis((long) (1000 * Double.parseDouble(System.getProperty(TIMEOUT_PROPERTY, "20"))));

    /**
     * The status a user should see: a {@code running} run whose heartbeats stopped is {@code interrupted}, and so is
     * one whose trainer ran on this machine and has ended (killed, say), without waiting for its heartbeats to lapse.
     */
    public String effectiveStatus(Instant now) {
        if ("running".equals(status) && heartbeatAt != null
                && Duration.between(Instant.parse(heartbeatAt), now).compareTo(HEARTBEAT_TIMEOUT) > 0) {
            return "interrupted";
        }
        if ("running".equals(status) && ThisHost.trainerGone(host, pid)) return "interrupted";
        return status;
    }

    /** True when the run ended and nothing more will happen unless it is resumed. */
    public boolean ended() {
        return switch (status) {
            case "finished", "diverged", "failed", "cancelled" -> true;
            default -> false;
        };
    }

    public Map<String, String> configMap() { return Json.stringMap(config); }

    public List<String> tagList() { return Json.stringList(tags); }

    /** A copy with the fields that {@code change} sets on the builder (every field starts with this row's value). */
    public RunRow with(Consumer<Builder> change) {
        Builder b = new Builder(this);
        change.accept(b);
        return b.build();
    }

    /** The mutable, named fields of a row under construction (see {@link #with}). */
    public static final class Builder {
        public String runId, createdAt, updatedAt, status, preset, runGroup, origin, config, dataFingerprint;
        public int epochsTotal, epochsDone;
        public Double lastLoss, lastRecon, lastHeldout, lastPenalty, lastMeanActivation, lastClippedFraction;
        public Integer divergedEpoch;
        public String error;
        public Long pid;
        public String host, heartbeatAt;
        public boolean cancelRequested;
        public String lastCheckpoint;
        public Integer lastCheckpointEpoch;
        public int snapshots;
        public String tags;
        public long lastSeq, lease;
        public String worker;
        public long createdSeq;

        public Builder() {}

        Builder(RunRow r) {
            runId = r.runId; createdAt = r.createdAt; updatedAt = r.updatedAt; status = r.status; preset = r.preset;
            runGroup = r.runGroup; origin = r.origin; config = r.config; dataFingerprint = r.dataFingerprint;
            epochsTotal = r.epochsTotal; epochsDone = r.epochsDone; lastLoss = r.lastLoss; lastRecon = r.lastRecon;
            lastHeldout = r.lastHeldout; lastPenalty = r.lastPenalty; lastMeanActivation = r.lastMeanActivation;
            lastClippedFraction = r.lastClippedFraction; divergedEpoch = r.divergedEpoch; error = r.error; pid = r.pid;
            host = r.host; heartbeatAt = r.heartbeatAt; cancelRequested = r.cancelRequested; lastCheckpoint = r.lastCheckpoint;
            lastCheckpointEpoch = r.lastCheckpointEpoch; snapshots = r.snapshots; tags = r.tags; lastSeq = r.lastSeq;
            lease = r.lease; worker = r.worker; createdSeq = r.createdSeq;
        }

        public RunRow build() {
            return new RunRow(runId, createdAt, updatedAt, status, preset, runGroup, origin, config, dataFingerprint,
                    epochsTotal, epochsDone, lastLoss, lastRecon, lastHeldout, lastPenalty, lastMeanActivation,
                    lastClippedFraction, divergedEpoch, error, pid, host, heartbeatAt, cancelRequested, lastCheckpoint,
                    lastCheckpointEpoch, snapshots, tags, lastSeq, lease, worker, createdSeq);
        }
    }
}
