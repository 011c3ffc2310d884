package sparselab.cli;

import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import sparselab.store.EventLog;
import sparselab.runs.BackgroundTrainer;
import sparselab.runs.RunExecutor;
import sparselab.runs.WorkerLoop;
import sparselab.store.WorkerInfo;

import java.io.PrintWriter;
import java.util.List;

/**
 * How a sweep's or ladder's queued runs are started: by default one detached trainer trains them one at a time in
 * creation order ({@code --background}); {@code --queue-only} leaves them to {@code serve}'s pool;
 * {@code --foreground} trains them here, one after another, with a progress bar.
 */
public class GroupStart {
    @Option(names = "--background", description = "one detached trainer runs the group's runs one at a time (the default)") boolean background;
    @Option(names = "--queue-only", description = "only queue the runs (serve's pool starts them)") boolean queueOnly;
    @Option(names = "--foreground", description = "train the runs here, one after another") boolean foreground;

    /** Starts the group's runs as asked; returns the exit code. */
    static int start(GroupStart mode, CommandSpec spec, EventLog log, String group, List<String> runIds) {
        PrintWriter err = spec.commandLine().getErr();
        List<WorkerInfo> pools = WorkerLoop.alive(log);
        if (mode != null && mode.queueOnly) {
            err.println("queued " + runIds.size() + " runs in group " + group + "; " + (pools.isEmpty()
                    // a dashboard started with --workers 0 serves the pages of this log but trains nothing: not named as serving it
                    ? "nothing trains this log's queued runs now (no worker, no dashboard with trainers): `./sparselab worker`, or "
                            + "`./sparselab serve` with --workers 1 or more, starts them"
                    : "the worker pool that serves this log starts them (" + String.join(", ", pools.stream().map(w -> w.name() + " on " + w.host()).toList()) + ")"));
            return ExitCodes.OK;
        }
        if ((mode == null || !mode.foreground) && !pools.isEmpty()) {
            // a second trainer next to a pool that serves this log would only race it for the same runs
            err.println("queued " + runIds.size() + " runs in group " + group + " for the worker pool that serves this log ("
                    + String.join(", ", pools.stream().map(w -> w.name() + " on " + w.host() + ", " + w.slots() + " slot(s)").toList())
                    + "); no trainer started here");
            return ExitCodes.OK;
        }
        // the runs train on this machine, here or in a trainer started here: the note on a weak core type, as train's
        sparselab.runs.NativeEnv.coreTypeNote().ifPresent(err::println);
        if (mode != null && mode.foreground) {
            boolean ok = true;
            for (String id : runIds) {
                RunExecutor.Outcome o;
                try (ProgressListener bar = ProgressListener.forConsole(err)) {
                    o = new RunExecutor(log, bar).execute(id, false);
                }
                err.println(TrainCommand.outcome(o));
                ok &= TrainCommand.exitCode(o) == ExitCodes.OK || o.status().equals("refused");
            }
            return ok ? ExitCodes.OK : ExitCodes.FAILURE;
        }
        Process p = BackgroundTrainer.spawnGroup(log, group);
        err.println("queued " + runIds.size() + " runs in group " + group + "; trainer pid " + p.pid()
                + " runs them one at a time (output in " + BackgroundTrainer.logs(log.describe()).resolve(group + ".log") + ")");
        return ExitCodes.OK;
    }
}
