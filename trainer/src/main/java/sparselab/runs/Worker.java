package sparselab.runs;

import sparselab.store.EventLog;

import java.nio.file.Path;

/**
 * Entry point of a background trainer process: {@code Worker --db FILE --run ID [--resume]}. Claims the run,
 * trains it and records everything in the log; exits 0 when the run ended normally (finished, diverged,
 * cancelled), 1 when it failed or could not be claimed. {@code Worker --db FILE --group NAME} trains the group's
 * queued runs one at a time in creation order (a sweep's or ladder's driver) and exits 0 when none is left.
 */
public final class Worker {
    private Worker() {}

    public static void main(String[] args) {
        String db = null;
        String run = null;
        String group = null;
        boolean resume = false;
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--db" -> db = args[++i];
                case "--run" -> run = args[++i];
                case "--group" -> group = args[++i];
                case "--resume" -> resume = true;
                default -> {
                    System.err.println("unknown argument: " + args[i]);
                    System.exit(2);
                }
            }
        }
        if (db == null || (run == null) == (group == null)) {
            System.err.println("usage: Worker --db FILE --run ID [--resume] | Worker --db FILE --group NAME");
            System.exit(2);
        }
        EventLog log = EventLog.open(db);
        if (group != null) {
            Groups.runQueued(log, group, new RunExecutor(log, RunExecutor.Listener.NONE));
            System.exit(0);
        }
        RunExecutor.Outcome outcome = new RunExecutor(log, RunExecutor.Listener.NONE).execute(run, resume);
        System.exit(outcome.ok() ? 0 : 1);
    }
}
