package sparselab.cli;

import sparselab.config.ConfigException;
import sparselab.log.RunRow;
import sparselab.runs.WorkerLoop;
import sparselab.store.EventLog;
import sparselab.store.RunFilter;
import sparselab.store.WorkerInfo;

import java.util.List;

/** The refusal of a command that needs a log nothing writes to (rebuild, copy): while a run trains or anything serves it. */
final class LogInUse {
    private LogInUse() {}

    /**
     * Throws (exit 2, naming {@code option}) while a run of {@code log} trains (a fresh heartbeat, in the database's
     * time) or a worker or dashboard pool serves it; {@code what} says what the command would do to them.
     */
    static void refuse(EventLog log, String option, String what) {
        List<RunRow> training = log.runsPage(new RunFilter("running", null), null, 3, log.clock().instant());
        List<WorkerInfo> serving = WorkerLoop.alive(log);
        if (training.isEmpty() && serving.isEmpty()) return;
        StringBuilder users = new StringBuilder();
        if (!training.isEmpty()) {
            users.append(training.size() == 1 ? "run " : "runs ").append(String.join(", ", training.stream().map(RunRow::runId).toList()))
                    .append(training.size() == 1 ? " trains" : " train");
        }
        if (!serving.isEmpty()) {
            if (!users.isEmpty()) users.append("; ");
            users.append(String.join(", ", serving.stream().map(WorkerInfo::name).toList())).append(serving.size() == 1 ? " serves it" : " serve it");
        }
        throw new ConfigException(option, "the log is in use: " + users + " (" + what + "). Stop the workers, the dashboard and "
                + "the trainers, then try again");
    }
}
