package sparselab.launch;

import sparselab.runs.BackgroundTrainer;
import sparselab.store.EventLog;


/**
 * Starts a trainer process for one run of the pool's log (in production: {@link #background}, which tells the trainer
 * where the log is and passes a URL's password through its environment).
 */
@FunctionalInterface
public interface TrainerSpawner {
    /**
     * @param resume continue from the run's last checkpoint instead of claiming a queued run
     * @param pool   the name of the pool that starts it ({@code serve@host:pid}): the trainer claims the run as this
     *               worker, so the runs table names the pool that the workers view lists, not the trainer's own process
     */
    Process spawn(String runId, boolean resume, String pool);

    /**
     * Detached trainers on {@code log} ({@code BackgroundTrainer.spawn}), which make the folder of their output first
     * and say in words why it could not be made ({@link BackgroundTrainer#folderProblem}).
     */
    static TrainerSpawner background(EventLog log) {
        return background(log, 1);
    }

    /**
     * The same for a pool of {@code atOnce} trainers at once: each trainer's products get the cores shared out among
     * them, unless the user set OMP_NUM_THREADS ({@code NativeEnv.prepare}).
     */
    static TrainerSpawner background(EventLog log, int atOnce) {
        return (runId, resume, pool) -> BackgroundTrainer.spawn(log, runId, resume, pool, atOnce);
    }
}
