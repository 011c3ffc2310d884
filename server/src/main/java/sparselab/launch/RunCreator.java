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

    /** One run of a group to create: its configuration and what its created event says besides. */
    record Spec(RunConfig config, String preset, String origin, String group, RunEvent.LadderStep ladder) {}

    /**
     * Creates a group of runs, all or none: one that could not be created (data that does not load, a run or the
     * group over the limits) refuses the group before anything is written. By default one {@link #create} each.
     *
     * @return the new runs' ids, in the order of {@code runs}
     */
    default List<String> createAll(List<Spec> runs) {
        return runs.stream().map(s -> create(s.config(), s.preset(), s.origin(), s.group(), s.ladder())).toList();
    }

    /**
     * {@link #createAll(List)} for the runs of the new group {@code newGroup} (a ladder's, named by Groups.newName):
     * in production refused, naming {@code name}, when another process created runs in a group of that name since it
     * was chosen.
     */
    default List<String> createAll(List<Spec> runs, String newGroup) {
        return createAll(runs);
    }

    /** The production creator with the data folder and the limits of the environment. */
    static RunCreator inLog(EventLog log) {
        return inLog(log, Runs.dataDir(), Limits.fromEnvironment());
    }

    /**
     * The production creator: loads the runs' data from {@code dataDir} (refusing what does not load) and checks their
     * log estimates against {@code limits} (per run, and per log in the transaction that appends their created events:
     * other processes' launches and resumes at once are counted).
     */
    static RunCreator inLog(EventLog log, Path dataDir, Limits limits) {
        return new RunCreator() {
            @Override
            public String create(RunConfig cfg, String preset, String origin, String group, RunEvent.LadderStep ladder) {
                return createAll(List.of(new Spec(cfg, preset, origin, group, ladder))).get(0);
            }

            @Override
            public List<String> createAll(List<Spec> runs) {
                return createAll(runs, null);
            }

            @Override
            public List<String> createAll(List<Spec> runs, String newGroup) {
                List<Runs.Prepared> p = Runs.prepare(runs.stream().map(Spec::config).toList(), dataDir, limits, log.shared());
                List<RunEvent.Created> created = new java.util.ArrayList<>();
                for (int i = 0; i < runs.size(); i++) {
                    Spec s = runs.get(i);
                    created.add(Runs.created(p.get(i), s.preset(), s.origin(), s.group(), s.ladder()));
                }
                return Runs.createAll(log, p, created, limits, newGroup);
            }
        };
    }
}
