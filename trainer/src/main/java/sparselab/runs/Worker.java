package sparselab.runs;

import sparselab.store.EventLog;


/**
 * Entry point of a background trainer process: {@code Worker --db FILE --run ID [--resume] [--pool NAME]} (the
 * pool that started it, a dashboard's: the run's worker in the log; without it the trainer's host:pid). Claims the run,
 * trains it and records everything in the log; exits 0 when the run ended normally (finished, diverged,
 * cancelled), 1 when it failed or could not be claimed. {@code Worker --db FILE --group NAME} trains the group's
 * queued runs one at a time in creation order (a sweep's or ladder's driver) and exits 0 when none is left.
 * {@code Worker --db FILE|URL --worker NAME [--slots N] [--exit-when-idle SECONDS]} is the worker loop
 * ({@link WorkerLoop}) in a process of its own; SIGTERM/SIGINT release its runs.
 */
public final class Worker {
    private Worker() {}

    public static void main(String[] args) {
        java.util.Locale.setDefault(java.util.Locale.ROOT);     // its lines and messages as the launcher's (sparselab.Main)
        String db = null;
        String run = null;
        String group = null;
        String worker = null;
        String pool = null;
        int slots = 1;
        double idle = 0;
        boolean resume = false;
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--db" -> db = args[++i];
                case "--run" -> run = args[++i];
                case "--group" -> group = args[++i];
                case "--resume" -> resume = true;
                case "--worker" -> worker = args[++i];
                case "--pool" -> pool = args[++i];
                case "--slots" -> slots = Integer.parseInt(args[++i]);
                case "--exit-when-idle" -> idle = Double.parseDouble(args[++i]);
                default -> {
                    System.err.println("unknown argument: " + args[i]);
                    System.exit(2);
                }
            }
        }
        if (db == null || (run == null ? 0 : 1) + (group == null ? 0 : 1) + (worker == null ? 0 : 1) != 1) {
            System.err.println("usage: Worker --db FILE --run ID [--resume] [--pool NAME] | Worker --db FILE --group NAME | Worker --db DB --worker NAME");
            System.exit(2);
        }
        EventLog log = EventLog.open(db);
        if (worker != null) {
            WorkerLoop loop = new WorkerLoop(log, worker, slots, 500, (long) (idle * 1000));
            java.util.concurrent.CountDownLatch done = new java.util.concurrent.CountDownLatch(1);
            Runtime.getRuntime().addShutdownHook(loop.stopHook(done, System.err, false));
            loop.run();
            done.countDown();
            System.err.println("worker " + worker + ": " + loop.summary());
            log.close();
            System.exit(0);
        }
        if (group != null) {
            Groups.runQueued(log, group, new RunExecutor(log, new RunExecutor.Lines(new java.io.PrintWriter(System.err, true))));
            System.exit(0);
        }
        // a background run's log file gets the lines a foreground run prints without a terminal, and how it ended
        RunExecutor.Outcome outcome = new RunExecutor(log, new RunExecutor.Lines(new java.io.PrintWriter(System.err, true))).execute(run, resume, pool);
        System.err.println("run " + outcome.runId() + " " + outcome.status() + (outcome.message() == null ? "" : ": " + outcome.message()));
        System.exit(outcome.ok() ? 0 : 1);
    }
}
