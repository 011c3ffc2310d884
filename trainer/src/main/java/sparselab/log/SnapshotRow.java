package sparselab.log;

/** The {@code snapshots} projection: which blob holds a run's weights at an epoch. */
public record SnapshotRow(String runId, int epoch, String blob, String payload) {
    public RunEvent.WeightSnapshot event() { return Json.read(payload, RunEvent.WeightSnapshot.class); }
}
