package sparselab.launch;

import sparselab.config.RunConfig;
import sparselab.store.EventLog;
import sparselab.log.RunEvent;
import sparselab.runs.Runs;

import java.util.List;

/** Creates a queued run in the log and returns its id (in production: {@code Runs.create}). */
@FunctionalInterface
public interface RunCreator {
    /** @param ladder the run's ladder step, or null when it is none */
    String create(RunConfig config, String preset, String origin, String group, RunEvent.LadderStep ladder);

    /** The production creator: loads the run's data (refusing what does not load), then appends its created event. */
    static RunCreator inLog(EventLog log) {
        return (cfg, preset, origin, group, ladder) -> Runs.append(log, Runs.prepare(List.of(cfg)).get(0), preset, origin, group, ladder);
    }
}
