package sparselab.cli;

import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;
import sparselab.config.ConfigException;
import sparselab.config.ConfigLoader;
import sparselab.config.Limits;
import sparselab.store.EventLog;
import sparselab.log.RunEvent;
import sparselab.runs.Groups;
import sparselab.runs.Runs;
import sparselab.runs.Sweeps;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;

@Command(name = "sweep", mixinStandardHelpOptions = true,
        description = {"Queue the grid of the swept keys as one group of runs and start them one at a time.",
                "A --set whose value has commas is swept (beta=0,0.1,1); the grid is their cartesian product.",
                "Every point is checked first: one refused value refuses the whole sweep and nothing is queued.",
                "--seeds N runs every point N times (seeds seed .. seed+N-1); `group` shows their mean +- sd. With --seeds and no",
                "swept key, the sweep is N replicates of one configuration.",
                "Prints the group name, then one line per run: its id and its swept values."})
public class SweepCommand implements Callable<Integer> {
    @Mixin DbOption db;
    @Spec CommandSpec spec;

    @Option(names = "--preset", completionCandidates = PresetNames.class, description = "a named recipe: ${COMPLETION-CANDIDATES}") String preset;
    @Option(names = "--config", paramLabel = "FILE.json", description = "JSON object of key: value") Path config;
    @Option(names = "--set", paramLabel = "key=value[,value...]", description = "set or sweep one key (repeatable)") List<String> sets = new ArrayList<>();
    @Option(names = "--name", description = "the group's name (default: sweep-xxxxxx)") String name;
    @Option(names = "--seeds", paramLabel = "N", description = "replicates of every point, with seeds seed, seed+1, ..., seed+N-1 (default 1)") int seeds = 1;
    @ArgGroup(exclusive = true) GroupStart mode;

    @Override
    public Integer call() {
        Sweeps.Settings settings = Sweeps.parse(sets);
        Map<String, String> base = ConfigLoader.merge(preset, config, settings.fixed());
        List<Sweeps.Point> points;
        try {
            points = Sweeps.replicate(Sweeps.grid(base, settings.axes(), seeds), seeds);
        } catch (ConfigException e) {
            java.util.Set<String> set = new java.util.HashSet<>(settings.fixed().keySet());
            settings.axes().forEach(a -> set.add(a.key()));           // a swept value is the command line's, not the file's
            throw ConfigLoader.fromFile(e, config, set);
        }
        ConfigLoader.repeats(sets, true).forEach(spec.commandLine().getErr()::println);
        List<Runs.Prepared> prepared = Runs.prepare(points.stream().map(Sweeps.Point::config).toList(), db.shared());
        Runs.checkNewLog(db.db, prepared, Limits.fromEnvironment());        // a refusal creates no log file
        EventLog log = db.open();
        String group = Groups.newName(log, name, "sweep");
        List<RunEvent.Created> created = new ArrayList<>();
        String runPreset = ConfigLoader.preset(preset, config);      // --preset, or the one the config file names
        for (Runs.Prepared p : prepared) created.add(Runs.created(p, runPreset, "sweep", group, null));
        List<String> ids = Runs.createAll(log, prepared, created, Limits.fromEnvironment(), group);    // the whole grid or nothing, checked as it is written
        PrintWriter out = spec.commandLine().getOut();
        out.println(group);
        for (int i = 0; i < points.size(); i++) out.println(ids.get(i) + "\t" + Sweeps.label(points.get(i).swept()));
        out.flush();
        return GroupStart.start(mode, spec, log, group, ids);
    }
}
