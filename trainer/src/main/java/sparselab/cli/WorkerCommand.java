package sparselab.cli;

import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;
import sparselab.runs.WorkerLoop;
import sparselab.store.EventLog;

import java.util.concurrent.Callable;

@Command(name = "worker", mixinStandardHelpOptions = true, usageHelpWidth = 110,
        description = {"Claim queued runs from the log and train them, on this machine, until stopped.",
                "Start one on every machine that points at the same PostgreSQL log. A worker takes the oldest queued run, "
                        + "or a running run whose heartbeat lapsed (its trainer or machine is gone), which it resumes from the "
                        + "run's last checkpoint in the log. A run whose data set has another fingerprint here is refused and "
                        + "left for another worker. Ctrl-C lets the current epoch finish, checkpoints, and queues the run again."})
public class WorkerCommand implements Callable<Integer> {
    @Mixin DbOption db;
    @Spec CommandSpec spec;
    @Option(names = "--slots", defaultValue = "1", description = "runs trained at once (default: ${DEFAULT-VALUE})") int slots;
    @Option(names = "--name", description = "the worker's name on the dashboard (default: host:pid)") String name;
    @Option(names = "--poll", defaultValue = "2", paramLabel = "SECONDS", description = "how often an idle worker looks for work (default: ${DEFAULT-VALUE})") double poll;
    @Option(names = "--exit-when-idle", paramLabel = "SECONDS", description = "stop after this long with nothing queued and nothing training anywhere (0: as soon as that is so; default: never)") Double idle;

    /** A file that may hold a log: there, and not empty (a touched file would be made a log with nothing queued). */
    private static boolean isLogFile(java.nio.file.Path p) {
        try {
            return java.nio.file.Files.isRegularFile(p) && java.nio.file.Files.size(p) > 0;
        } catch (java.io.IOException e) {
            return false;
        }
    }

    @Override
    public Integer call() {
        // written so that NaN fails too; a poll faster than 0.1 s only loads the log
        if (slots < 1 || slots > WorkerLoop.MAX_SLOTS) {
            throw new ExitCodes.RefusedException("--slots: " + slots + " is out of range [1, " + WorkerLoop.MAX_SLOTS + "]");
        }
        if (!(poll >= 0.1 && poll <= 3600)) throw new ExitCodes.RefusedException("--poll: " + sparselab.config.RunConfig.num(poll) + " is out of range [0.1, 3600]");
        if (idle != null && !(idle >= 0 && idle <= 86_400 * 365)) {
            throw new ExitCodes.RefusedException("--exit-when-idle: " + sparselab.config.RunConfig.num(idle) + " is out of range [0, 31536000] seconds");
        }
        if (name != null && !name.matches("[A-Za-z0-9_.:@+~-]{1,80}")) {
            throw new ExitCodes.RefusedException("--name: '" + sparselab.config.ConfigException.clip(name, 80) + "' is not a worker name (1 to 80 letters, digits or _.:@+~-)");
        }
        // a new, empty log file has no run to train: a worker left waiting on one (no --db, a mistyped path) is refused
        if (!db.shared() && !isLogFile(java.nio.file.Path.of(db.db))) {
            throw new ExitCodes.RefusedException("--db: no log at " + java.nio.file.Path.of(db.db).toAbsolutePath().normalize() + " (or an empty file); a worker trains "
                    + "the runs queued in a log: give its file, or the postgresql:// URL of the log the machines share");
        }
        EventLog log = db.open(Math.max(6, 2 * slots + 2));  // a slot's trainer can hold two at once (its write and its beat)
        String me = name == null ? WorkerLoop.defaultName() : name;
        // the workers view has one row per name: a second live worker of the same name would hide the first
        for (sparselab.store.WorkerInfo w : WorkerLoop.alive(log)) {
            // a worker of this name that died on this machine (kill -9, the OOM killer) and is restarted is no rival
            boolean diedHere = sparselab.runs.Provenance.host().equals(w.host())
                    && ProcessHandle.of(w.pid()).map(p -> !p.isAlive()).orElse(true);
            if (w.name().equals(me) && !diedHere) {
                log.close();
                throw new ExitCodes.RefusedException("--name: a worker named '" + me + "' serves this log already (host " + w.host()
                        + ", pid " + w.pid() + "); give this one another name, or wait 20 s if that worker is gone");
            }
        }
        // after every refusal (the options, the log, the name): a refused command says only what is wrong
        sparselab.runs.NativeEnv.coreTypeNote().ifPresent(spec.commandLine().getErr()::println);
        WorkerLoop worker = new WorkerLoop(log, me, slots, (long) (poll * 1000),
                idle == null ? 0 : Math.max(1, (long) (idle * 1000)));     // the loop's 0 is never; --exit-when-idle 0 is at once
        java.util.concurrent.CountDownLatch done = new java.util.concurrent.CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(worker.stopHook(done, System.err, true));
        spec.commandLine().getErr().println("worker " + worker.name() + " on " + log.describe() + ", " + slots + " slot(s)");
        worker.run();
        done.countDown();
        spec.commandLine().getErr().println("worker " + worker.name() + ": " + worker.summary());
        log.close();
        return ExitCodes.OK;
    }
}
