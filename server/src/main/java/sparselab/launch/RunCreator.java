package sparselab.launch;

import sparselab.config.Limits;
import sparselab.config.RunConfig;
import sparselab.store.EventLog;
import sparselab.log.RunEvent;
import sparselab.runs.Runs;

import java.nio.file.Path;
import java.util.List;

/** Creates a queued run in the log and returns its id (in production: {@code Runs.create}). */
@FunctionalInterface
public interface RunCreator {
    /** @param ladder the run's ladder step, or null when it is none */
    String create(RunConfig config, String preset, String origin, String group, RunEvent.LadderStep ladder);

    /**
     * Refuses a group of configurations that could not all be created (data that does not load, a run or the group
     * over the limits), before the first is; by default it accepts all.
     */
    default void admit(List<RunConfig> configs) {}

    /**
     * {@link #create} of one of a group that {@link #admit} accepted: its data is checked again, the log's room not
     * (the group was counted whole, and each step counted again against a file that grows could refuse a group half
     * queued).
     */
    default String createAdmitted(RunConfig config, String preset, String origin, String group, RunEvent.LadderStep ladder) {
        return create(config, preset, origin, group, ladder);
    }

    /** The production creator with the data folder and the limits of the environment. */
    static RunCreator inLog(EventLog log) {
        return inLog(log, Runs.dataDir(), Limits.fromEnvironment());
    }

    /**
     * The production creator: loads the run's data from {@code dataDir} (refusing what does not load) and checks the
     * run's log estimate against {@code limits} (per run and per log), then appends its created event.
     */
    static RunCreator inLog(EventLog log, Path dataDir, Limits limits) {
        return new RunCreator() {
            @Override
            public String create(RunConfig cfg, String preset, String origin, String group, RunEvent.LadderStep ladder) {
                List<Runs.Prepared> p = Runs.prepare(List.of(cfg), dataDir, limits, log.shared());
                Runs.checkRoom(log, p, limits);
                return Runs.append(log, p.get(0), preset, origin, group, ladder);
            }

            @Override
            public String createAdmitted(RunConfig cfg, String preset, String origin, String group, RunEvent.LadderStep ladder) {
                return Runs.append(log, Runs.prepare(List.of(cfg), dataDir, limits, log.shared()).get(0), preset, origin, group, ladder);
            }

            @Override
            public void admit(List<RunConfig> configs) {
                Runs.checkRoom(log, Runs.prepare(configs, dataDir, limits, log.shared()), limits);
            }
        };
    }
}
