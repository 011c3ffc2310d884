package sparselab.cli;

import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;
import sparselab.store.EventLog;

import java.util.concurrent.Callable;

@Command(name = "resume", mixinStandardHelpOptions = true,
        description = {"Continue an interrupted, failed or cancelled run from its last checkpoint (without one, from the start: the "
                + "epochs in the log are trained again, not logged again).",
                "A queued run is started here, in this process (instead of by serve's pool or a worker).",
                "With --background, as train --background: when a worker or a dashboard's pool with a free slot serves the log, "
                        + "the run is queued again for them (a takeover from its last checkpoint); else a detached trainer here continues it."})
public class ResumeCommand implements Callable<Integer> {
    @Mixin DbOption db;
    @Spec CommandSpec spec;
    @Parameters(paramLabel = "RUN", description = "the run id (`runs` lists them)") String runId;
    @Option(names = "--background", description = "resume in a detached trainer") boolean background;

    @Override
    public Integer call() {
        EventLog log = db.openExisting();
        var row = RunLookup.require(log, runId);
        java.time.Instant now = log.clock().instant();
        // a run that cannot be resumed is refused here, exit 2, before a background trainer is started (it would only
        // be refused in its own log file, and this command would have said "started")
        java.util.List<sparselab.store.WorkerInfo> workers = log.workers();      // read once, outside any transaction
        if (!sparselab.runs.RunExecutor.mayResume(row, now, workers)) {
            throw new ExitCodes.RefusedException(sparselab.runs.RunExecutor.whyNotResumable(row, now, workers));
        }
        // as train: exit 2 over a limit, before a background trainer is started; the claim checks again in its
        // own transaction, where another resume or launch at once is counted
        sparselab.runs.Runs.checkResumeRoom(log, row, sparselab.config.Limits.fromEnvironment());
        if (background && !sparselab.runs.WorkerLoop.freeServers(log).isEmpty()) {
            // as the dashboard's resume: queued again, for a free worker or pool to take over (a trainer started here
            // would race them for it); TrainCommand.run then waits for the claim as train --background does
            // where the run is before it is queued again: refusals and claims after it are this resume's
            TrainCommand.Queued queued = new TrainCommand.Queued(row.lastSeq(), row.lease());
            if (!row.status().equals("queued")) {
                // checked again in the append's transaction: a resume or takeover at once queues or claims it once
                // (queued by another meanwhile, the dashboard's Resume say: nothing more is written)
                sparselab.runs.Runs.requeue(log, runId, r -> {
                    if (r.status().equals("queued")) return java.util.List.of();
                    if (!sparselab.runs.RunExecutor.mayResume(r, log.clock().instant(), workers)) {
                        throw new ExitCodes.RefusedException(sparselab.runs.RunExecutor.whyNotResumable(r, log.clock().instant(), workers));
                    }
                    return java.util.List.of(new sparselab.log.RunEvent.Requeued("cli"));
                }, sparselab.config.Limits.fromEnvironment());
            }
            return TrainCommand.run(spec, db.db, log, runId, true, false, queued);
        }
        return TrainCommand.run(spec, db.db, log, runId, background, true);
    }
}
