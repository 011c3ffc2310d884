package sparselab.cli;

import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;
import sparselab.config.ConfigException;
import sparselab.log.RunRow;
import sparselab.runs.WorkerLoop;
import sparselab.store.EventLog;
import sparselab.store.RunFilter;
import sparselab.store.WorkerInfo;

import java.util.List;
import java.util.concurrent.Callable;

@Command(name = "rebuild", mixinStandardHelpOptions = true,
        description = {"Drop the projections (runs, epoch_metrics, snapshots) and fold them again from the events.",
                "Only while nothing writes to the log: it refuses while a run trains or a worker or dashboard pool serves the log."})
public class RebuildCommand implements Callable<Integer> {
    @Mixin DbOption db;
    @Spec CommandSpec spec;

    @Override
    public Integer call() {
        EventLog log = db.openExisting();
        // the rebuild replaces every run's row in one transaction: a trainer writing meanwhile would find its run gone
        // (and fail it), and a heartbeat rebuilt from the last event can be old enough for a takeover
        List<RunRow> training = log.runsPage(new RunFilter("running", null), null, 3, log.clock().instant());
        List<WorkerInfo> serving = WorkerLoop.alive(log);
        if (!training.isEmpty() || !serving.isEmpty()) {
            throw new ConfigException("--db", "the log is in use: "
                    + (training.isEmpty() ? "" : "run " + String.join(", ", training.stream().map(RunRow::runId).toList()) + " trains"
                       + (serving.isEmpty() ? "" : "; "))
                    + (serving.isEmpty() ? "" : String.join(", ", serving.stream().map(WorkerInfo::name).toList()) + " serve"
                       + (serving.size() == 1 ? "s" : "") + " it")
                    + ". Stop the workers, the dashboard and the trainers, then rebuild");
        }
        int n = log.rebuild();
        spec.commandLine().getOut().println("rebuilt the projections of " + log.runs().size() + " runs from " + n + " events");
        return ExitCodes.OK;
    }
}
