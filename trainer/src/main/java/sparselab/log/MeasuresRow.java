package sparselab.log;

/** The {@code filter_measures} projection: one row per run and snapshot epoch. */
public record MeasuresRow(String runId, int epoch, Double locality, Double deadFraction, Double saturatedFraction,
                          Double lifetimeSparsity, Double digitLikeness) {
    public static MeasuresRow of(String runId, RunEvent.FilterMeasures f) {
        return new MeasuresRow(runId, f.epoch(), f.locality(), f.deadFraction(), f.saturatedFraction(), f.lifetimeSparsity(),
                f.digitLikeness());
    }
}
