package sparselab.log;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;

/** The {@code runs} projection: one run's state, folded from its events by {@link Projection}. */
public record RunRow(
        String runId, String createdAt, String updatedAt, String status, String preset, String runGroup, String origin,
        String config, String dataFingerprint, int epochsTotal, int epochsDone,
        Double lastLoss, Double lastRecon, Double lastHeldout, Double lastPenalty, Double lastMeanActivation,
        Double lastClippedFraction, Integer divergedEpoch, String error, Long pid, String host, String heartbeatAt,
        boolean cancelRequested, String lastCheckpoint, Integer lastCheckpointEpoch, int snapshots, String tags,
        long lastSeq) {

    /** A running run whose last heartbeat is older than this reads as interrupted. */
    public static final Duration HEARTBEAT_TIMEOUT = Duration.ofSeconds(20);

    /** The status a user should see: a {@code running} run whose heartbeats stopped is {@code interrupted}. */
    public String effectiveStatus(Instant now) {
        if ("running".equals(status) && heartbeatAt != null
                && Duration.between(Instant.parse(heartbeatAt), now).compareTo(HEARTBEAT_TIMEOUT) > 0) {
            return "interrupted";
        }
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
}
