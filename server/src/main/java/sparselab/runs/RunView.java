package sparselab.runs;

import sparselab.log.RunRow;

import java.time.Instant;
import java.util.List;
import java.util.Map;

/**
 * One run as the runs table shows it: status as a user should see it (interrupted included), the key
 * parameters, progress, the last figures, and the filter measures of its newest measured snapshot (stroke share,
 * locality, that snapshot's epoch, and the fraction of dead units; null where none was measured or where they were
 * not read). {@code worker} is the worker that claimed it last as the workers view names it (a {@code sparselab
 * worker}, a dashboard's pool {@code serve@host:pid}, or host:pid of a trainer of its own); {@code pid} and
 * {@code host} are those of the trainer process, null before the first claim. {@code twinGroup} is, for a run in no
 * group, the group named after it, where its non-sparse twin was queued (null otherwise). {@code replayFrom} is, while
 * a resumed or taken-over run's trainer trains again the epochs after its checkpoint that the log holds already (it does
 * not log them again, so the run's progress stands still), the epoch it started from (0: from the start); else null.
 * {@code flags} is how many divergence flags the run raised (the run page lists them), so a list can mark a run whose
 * training went wrong though it finished. {@code error} is the run's error, or for a queued run that a worker refused,
 * the newest refusal (why it waits).
 */
public record RunView(
        String runId, String status, String createdAt, String updatedAt, String preset, String group, String origin,
        String data, String beta, String rho, String estimator, String hiddenActivation, String hidden, String batchSize,
        int epochsDone, int epochsTotal, Double loss, Double recon, Double heldout, Double penalty, Double meanActivation,
        Double clippedFraction, Integer divergedEpoch, String error, List<String> tags, boolean cancelRequested,
        int snapshots, String worker, long seq, Double strokeShare, Double locality, Integer measuresEpoch,
        Double deadFraction, String optimizer, Long pid, String host, String twinGroup, Integer replayFrom, long flags) {

    /**
     * With {@code m}, the run's newest filter measures (null: none), whether a group is named after it
     * ({@code namedGroup}: the group its twin was queued in, when the run itself is in none), and the epoch its trainer
     * replays from ({@link RunQueries#replayFrom}), and why the run waits when it is queued ({@code waiting}:
     * {@link sparselab.store.EventLog#waitingWhy}, null otherwise), which is then its error, so the pages say it.
     */
    public static RunView of(RunRow r, Instant now, sparselab.log.MeasuresRow m, boolean namedGroup, Integer replayFrom, long flags,
                             String waiting) {
        Map<String, String> c = r.configMap();
        String error = waiting != null ? waiting : r.error();
        return new RunView(r.runId(), r.effectiveStatus(now), r.createdAt(), r.updatedAt(), r.preset(), r.runGroup(), r.origin(),
                c.get("data"), c.get("beta"), c.get("rho"), c.get("estimator"), c.get("hiddenActivation"), c.get("hidden"),
                c.get("batchSize"), r.epochsDone(), r.epochsTotal(), fin(r.lastLoss()), fin(r.lastRecon()), fin(r.lastHeldout()),
                fin(r.lastPenalty()), fin(r.lastMeanActivation()), fin(r.lastClippedFraction()), r.divergedEpoch(), error,
                r.tagList(), r.cancelRequested(), r.snapshots(), r.worker(), r.createdSeq(),
                m == null ? null : fin(m.strokeShare()), m == null ? null : fin(m.locality()), m == null ? null : m.epoch(),
                m == null ? null : fin(m.deadFraction()), c.get("optimizer"), r.pid(), r.host(),
                r.runGroup() == null && namedGroup ? r.runId() : null, replayFrom, flags);
    }

    /** JSON has no infinities: they read as null. */
    public static Double fin(Double v) { return v == null || !Double.isFinite(v) ? null : v; }
}
