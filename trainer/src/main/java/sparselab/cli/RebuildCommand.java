package sparselab.cli;

import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;
import sparselab.store.EventLog;

import java.util.concurrent.Callable;

@Command(name = "rebuild", mixinStandardHelpOptions = true,
        description = {"Drop the projections (runs, epoch_metrics, snapshots, filter_measures) and fold them again from the events.",
                "Only while nothing writes to the log: it refuses while a run trains or a worker or dashboard pool serves the log."})
public class RebuildCommand implements Callable<Integer> {
    @Mixin DbOption db;
    @Spec CommandSpec spec;

    @Override
    public Integer call() {
        EventLog log = db.openExisting();
        LogInUse.refuse(log, "--db", "the rebuild replaces every run's row at once: a trainer writing meanwhile would find "
                + "its run gone, and a heartbeat rebuilt from the last event can be old enough for a takeover");
        int n = log.rebuild();
        int runs = log.runs().size();
        spec.commandLine().getOut().println("rebuilt the projections of " + TextTable.count(runs, "run") + " from " + TextTable.count(n, "event"));
        return ExitCodes.OK;
    }
}
