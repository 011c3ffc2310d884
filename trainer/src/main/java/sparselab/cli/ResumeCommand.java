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
                "A queued run is started here, in this process (instead of by serve's pool or a worker)."})
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
        if (!sparselab.runs.RunExecutor.mayResume(row, now)) throw new ExitCodes.RefusedException(sparselab.runs.RunExecutor.whyNotResumable(row, now));
        // as train: exit 2 over a limit, before a background trainer is started; the claim checks again in its
        // own transaction, where another resume or launch at once is counted
        sparselab.runs.Runs.checkResumeRoom(log, row, sparselab.config.Limits.fromEnvironment());
        return TrainCommand.run(spec, db.db, log, runId, background, true);
    }
}
