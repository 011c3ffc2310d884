package sparselab.cli;

import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;
import sparselab.store.EventLog;

import java.util.concurrent.Callable;

@Command(name = "rebuild", mixinStandardHelpOptions = true,
        description = "Drop the projections (runs, epoch_metrics, snapshots) and fold them again from the events.")
public class RebuildCommand implements Callable<Integer> {
    @Mixin DbOption db;
    @Spec CommandSpec spec;

    @Override
    public Integer call() {
        EventLog log = db.openExisting();
        int n = log.rebuild();
        spec.commandLine().getOut().println("rebuilt the projections of " + log.runs().size() + " runs from " + n + " events");
        return ExitCodes.OK;
    }
}
