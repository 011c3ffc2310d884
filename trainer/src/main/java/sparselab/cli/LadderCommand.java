package sparselab.cli;

import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;
import sparselab.config.ConfigKeys;
import sparselab.config.Limits;
import sparselab.store.EventLog;
import sparselab.config.RunConfig;
import sparselab.log.RunRow;
import sparselab.log.RunEvent;
import sparselab.runs.Groups;
import sparselab.runs.Ladder;
import sparselab.runs.Runs;
import sparselab.runs.Sweeps;

import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;

@Command(name = "ladder", mixinStandardHelpOptions = true,
        description = {"Queue the ablation ladder from run A to run B, one differing key more per step.",
                "Step 0 is A's configuration; each further step sets one more differing key to B's value; the last step is B's configuration.",
                "Keys named by --order go first; the others follow in the default order: " + Ladder.DEFAULT_ORDER_TEXT
                        + "; then any other key (stopOn) in the key table's order.",
                "A step that would be refused is never queued: a later key that makes it valid goes first, or the keys are merged into one step.",
                "Prints the group name, then one line per step.",
                "With --seeds N every step is queued N times, with seeds seed .. seed+N-1; `group` shows their mean +- sd "
                        + "(refused when A and B differ in seed)."})
public class LadderCommand implements Callable<Integer> {
    @Mixin DbOption db;
    @Spec CommandSpec spec;

    @Parameters(index = "0", paramLabel = "A", description = "the run the ladder starts from") String a;
    @Parameters(index = "1", paramLabel = "B", description = "the run it ends at") String b;
    @Option(names = "--order", paramLabel = "KEYS", description = "keys to change first, in this order (key1,key2,...)") List<String> orderTexts = new ArrayList<>();
    @Option(names = "--name", description = "the group's name (default: ladder-xxxxxx)") String name;
    @Option(names = "--seeds", paramLabel = "N", description = "replicates of every step, with seeds seed, seed+1, ..., seed+N-1 of the step's seed (default 1)") int seeds = 1;
    @ArgGroup(exclusive = true) GroupStart mode;

    @Override
    public Integer call() {
        EventLog log = db.openExisting();
        RunRow ra = require(log, a);
        RunRow rb = require(log, b);
        // split here, not by picocli, which drops a trailing empty key ("beta,") and keeps the space of "beta, rho"
        List<String> order = new ArrayList<>();
        // `--order ''` is no order, as the API's "order": "" (a form's empty field); an empty key inside one
        // ("beta,,rho", "beta,") is refused by the ladder, naming it
        for (String t : orderTexts) if (!t.isBlank()) for (String k : t.split(",", -1)) order.add(k.trim());
        List<Ladder.Step> steps = Groups.ladder(ra, rb, order);
        String group = Groups.newName(log, name, "ladder");
        Sweeps.checkSeeds(seeds, steps.size());
        Sweeps.checkLadderSeeds(steps, seeds);
        List<RunConfig> configs = new ArrayList<>();
        for (Ladder.Step s : steps) {
            RunConfig c = ConfigKeys.build(s.config());
            for (String seed : Sweeps.seedValues(c.seed(), seeds)) configs.add(seeds == 1 ? c : c.with("seed", seed));
        }
        List<Runs.Prepared> prepared = Runs.prepare(configs, log.shared());
        List<RunEvent.Created> created = new ArrayList<>();
        for (Ladder.Step s : steps) {
            for (int r = 0; r < seeds; r++) {
                created.add(Runs.created(prepared.get(s.step() * seeds + r), Groups.preset(ra, rb, s, steps.size()), "ladder", group,
                        Groups.tag(ra, rb, s, steps.size())));
            }
        }
        List<String> ids = Runs.createAll(log, prepared, created, Limits.fromEnvironment(), group);    // every step or none, checked as they are written
        PrintWriter out = spec.commandLine().getOut();
        out.println(group);
        for (Ladder.Step s : steps) {
            for (int r = 0; r < seeds; r++) {
                Runs.Prepared p = prepared.get(s.step() * seeds + r);
                out.println(ids.get(s.step() * seeds + r) + "\tstep " + s.step() + (seeds == 1 ? "" : "\tseed " + p.config().seed())
                        + "\t" + describe(s, ra, rb));
            }
        }
        out.flush();
        return GroupStart.start(mode, spec, log, group, ids);
    }

    private static String describe(Ladder.Step s, RunRow a, RunRow b) {
        if (s.step() == 0) return "= " + a.runId();
        StringBuilder sb = new StringBuilder();
        for (String k : s.changedKeys()) sb.append(sb.length() == 0 ? "" : ", ").append(k).append(": ").append(s.from().get(k)).append(" -> ").append(s.to().get(k));
        if (s.note() != null) sb.append("  (").append(s.note()).append(')');
        return sb.toString();
    }

    private static RunRow require(EventLog log, String id) {
        return RunLookup.require(log, id);
    }
}
