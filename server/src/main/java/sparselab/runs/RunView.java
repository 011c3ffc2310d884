package sparselab.runs;

import sparselab.log.RunRow;

import java.time.Instant;
import java.util.List;
import java.util.Map;

/**
 * One run as the runs table shows it: status as a user should see it (interrupted included), the key
 * parameters, progress and the last figures.
 */
public record RunView(
        String runId, String status, String createdAt, String updatedAt, String preset, String group, String origin,
        String data, String beta, String rho, String estimator, String hiddenActivation, String hidden, String batchSize,
        int epochsDone, int epochsTotal, Double loss, Double recon, Double heldout, Double penalty, Double meanActivation,
        Double clippedFraction, Integer divergedEpoch, String error, List<String> tags, boolean cancelRequested,
        int snapshots, String worker, long seq) {

    public static RunView of(RunRow r, Instant now) {
        Map<String, String> c = r.configMap();
        return new RunView(r.runId(), r.effectiveStatus(now), r.createdAt(), r.updatedAt(), r.preset(), r.runGroup(), r.origin(),
                c.get("data"), c.get("beta"), c.get("rho"), c.get("estimator"), c.get("hiddenActivation"), c.get("hidden"),
                c.get("batchSize"), r.epochsDone(), r.epochsTotal(), fin(r.lastLoss()), fin(r.lastRecon()), fin(r.lastHeldout()),
                fin(r.lastPenalty()), fin(r.lastMeanActivation()), fin(r.lastClippedFraction()), r.divergedEpoch(), r.error(),
                r.tagList(), r.cancelRequested(), r.snapshots(), r.worker(), r.createdSeq());
    }

    /** JSON has no infinities: they read as null. */
    public static Double fin(Double v) { return v == null || !Double.isFinite(v) ? null : v; }
}
