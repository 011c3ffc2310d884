package sparselab.log;

/** The {@code epoch_metrics} projection: one row per run and epoch; {@code rhoHat} is a JSON array. */
public record EpochRow(String runId, int epoch, Double loss, Double recon, Double penalty, Double decay,
                       Double meanActivation, Double meanAbsSp, Double maxAbsSp, Long clipped, Double clippedFraction,
                       boolean diverged, Double heldout, Double seconds, Double samplesPerSec, String rhoHat) {

    static EpochRow of(String runId, RunEvent.EpochCompleted e) {
        return new EpochRow(runId, e.epoch(), finite(e.loss()), finite(e.recon()), finite(e.penalty()), finite(e.decay()),
                finite(e.meanActivation()), finite(e.meanAbsSp()), finite(e.maxAbsSp()), e.clipped(), finite(e.clippedFraction()),
                e.diverged(), e.heldout() == null ? null : finite(e.heldout()), e.seconds(), e.samplesPerSec(),
                Json.write(e.rhoHat()));
    }

    /** SQLite stores NaN as NULL; keep the projection explicit about it. Infinities are kept. */
    static Double finite(double v) { return Double.isNaN(v) ? null : v; }
}
