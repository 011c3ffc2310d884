package sparselab.launch;

import sparselab.config.RunConfig;

/** Creates a queued run in the log and returns its id (in production: {@code Runs.create}). */
@FunctionalInterface
public interface RunCreator {
    String create(RunConfig config, String preset, String origin, String group);
}
