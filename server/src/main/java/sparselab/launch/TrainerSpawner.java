package sparselab.launch;



/** Starts a trainer process for one run of the log (in production: {@code BackgroundTrainer.spawn}). */
@FunctionalInterface
public interface TrainerSpawner {
    /** @param resume continue from the run's last checkpoint instead of claiming a queued run */
    Process spawn(String db, String runId, boolean resume);
}
