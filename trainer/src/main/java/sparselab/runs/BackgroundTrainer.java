package sparselab.runs;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import sparselab.store.EventLog;

import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Starts a trainer JVM ({@link Worker}) for one run (or one group's queued runs), detached from the caller: same Java, same class path,
 * OPENBLAS_CORETYPE prepared, bounded heap and off-heap memory, output to a log file beside the database. Where the
 * {@code setsid} command exists (Linux) the trainer runs in its own session and process group, so a Ctrl-C in the
 * terminal of {@code serve} (a signal to the terminal's foreground process group) stops the server and leaves its
 * trainers training; {@code setsid} replaces itself with the JVM, so the process handed back is the trainer's.
 */
public final class BackgroundTrainer {
    private static final Logger LOG = LoggerFactory.getLogger(BackgroundTrainer.class);

    /** The {@code setsid} executable on the PATH (util-linux), if any. */
    static final Optional<String> SETSID = findOnPath("setsid");

    private BackgroundTrainer() {}

    /** Whether trainers get their own session, so that a Ctrl-C of the server's terminal leaves them running. */
    public static boolean detachesSession() { return SETSID.isPresent(); }

    private static Optional<String> findOnPath(String name) {
        String path = System.getenv("PATH");
        if (path == null) return Optional.empty();
        for (String dir : path.split(File.pathSeparator)) {
            if (dir.isBlank()) continue;
            Path p = Path.of(dir, name);
            if (Files.isRegularFile(p) && Files.isExecutable(p)) return Optional.of(p.toString());
        }
        return Optional.empty();
    }

    public static Process spawn(String db, String runId) {
        return spawn(db, runId, false);
    }

    /** A trainer for one run of {@code log}, started with what it needs to open the log ({@link EventLog#childEnvironment}). */
    public static Process spawn(EventLog log, String runId, boolean resume) {
        return start(log.locator(), log.childEnvironment(), runArgs(runId, resume), runId, "trainer for run " + runId);
    }

    /**
     * As above, for the pool named {@code pool} (a dashboard's, {@code serve@host:pid}): the trainer claims the run as
     * that worker, so the run's worker is the pool the workers view lists, not the trainer's own host:pid.
     */
    public static Process spawn(EventLog log, String runId, boolean resume, String pool) {
        return spawn(log, runId, resume, pool, 1);
    }

    /**
     * As above, for a pool that runs up to {@code atOnce} trainers at once on this machine: the trainer's products get
     * the cores shared out among them ({@link NativeEnv#prepare(Map, int)}) unless the user set OMP_NUM_THREADS.
     */
    public static Process spawn(EventLog log, String runId, boolean resume, String pool, int atOnce) {
        List<String> args = runArgs(runId, resume);
        args.addAll(List.of("--pool", pool));
        return start(log.locator(), log.childEnvironment(), args, runId, "trainer for run " + runId, atOnce);
    }

    /** System property: the folder for the output of background trainers and workers (overrides the default). */
    public static final String LOGS_PROPERTY = "sparselab.logsDir";

    /** Where the output of background trainers goes: {@code logs/} beside an SQLite log, else {@code ./logs}. */
    public static Path logs(String db) {
        String given = System.getProperty(LOGS_PROPERTY);
        if (given != null && !given.isBlank()) return Path.of(given).toAbsolutePath();
        if (db.startsWith("postgresql://") || db.startsWith("postgres://")) return Path.of("logs").toAbsolutePath();
        Path file = Path.of(db).toAbsolutePath();
        return (file.getParent() == null ? Path.of(".") : file.getParent()).resolve("logs");
    }

    /** @param resume continue from the run's last checkpoint instead of claiming a queued run */
    public static Process spawn(String db, String runId, boolean resume) {
        return start(db, Map.of(), runArgs(runId, resume), runId, "trainer for run " + runId);
    }

    private static List<String> runArgs(String runId, boolean resume) {
        List<String> args = new ArrayList<>(List.of("--run", runId));
        if (resume) args.add("--resume");
        return args;
    }

    /** A detached trainer that trains the group's queued runs one at a time, in creation order (output in logs/GROUP.log). */
    public static Process spawnGroup(EventLog log, String group) {
        return start(log.locator(), log.childEnvironment(), List.of("--group", group), group, "trainer for group " + group);
    }

    /**
     * A detached worker process ({@link WorkerLoop}) named {@code name} on the log; with {@code idleSeconds} > 0 it exits
     * after that long without work (output in logs/NAME.log).
     */
    public static Process spawnWorker(String db, String name, double idleSeconds) {
        return spawnWorker(db, name, idleSeconds, 1);
    }

    /** As above, for one of {@code atOnce} workers started on this machine at once: the cores shared out ({@link NativeEnv#prepare(Map, int)}). */
    public static Process spawnWorker(String db, String name, double idleSeconds, int atOnce) {
        return start(db, Map.of(), List.of("--worker", name, "--exit-when-idle", Double.toString(idleSeconds)), name.replace(':', '_'),
                "worker " + name, atOnce);
    }

    private static Process start(String db, Map<String, String> env, List<String> args, String logName, String what) {
        return start(db, env, args, logName, what, 1);
    }

    private static Process start(String db, Map<String, String> env, List<String> args, String logName, String what, int atOnce) {
        Path logs = logs(db);
        List<String> cmd = new ArrayList<>(List.of(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx2g", "-Dorg.bytedeco.javacpp.maxbytes=3G", "-Dorg.bytedeco.javacpp.maxphysicalbytes=6G"));
        cmd.addAll(NativeEnv.HEAP_SHAPING);
        cmd.addAll(NativeEnv.VECTOR_MODULE);
        cmd.addAll(NativeEnv.openblasFlags());
        cmd.addAll(List.of("-cp", System.getProperty("java.class.path"), Worker.class.getName(), "--db", db));
        for (String prop : List.of(RunExecutor.CHECKPOINT_PROPERTY, RunExecutor.HEARTBEAT_PROPERTY, WorkerLoop.STALE_PROPERTY)) {
            String v = System.getProperty(prop);
            if (v != null) cmd.add(1, "-D" + prop + "=" + v);
        }
        cmd.addAll(args);
        SETSID.ifPresent(setsid -> cmd.add(0, setsid));
        ProcessBuilder pb = new ProcessBuilder(cmd);
        NativeEnv.prepare(pb.environment(), atOnce);
        pb.environment().putAll(env);
        try {
            Files.createDirectories(logs);
        } catch (IOException e) {
            throw new IllegalStateException("cannot start a " + what + ": " + folderProblem(logs, e), e);
        }
        try {
            File out = logs.resolve(logName + ".log").toFile();
            pb.redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.appendTo(out));
            pb.redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")));
            Process p = pb.start();
            LOG.info("{} started (pid {}), output in {}", what, p.pid(), out);
            return p;
        } catch (IOException e) {
            throw new IllegalStateException("cannot start a " + what + ": " + e.getMessage(), e);
        }
    }

    /**
     * Why the folder {@code logs} for the trainers' output could not be made, in words: a file in the way (the folder's
     * own name, or a folder's above it), the permission denied, or the system's reason.
     */
    public static String folderProblem(Path logs, IOException e) {
        Path folder = logs.toAbsolutePath();
        String file = e instanceof java.nio.file.FileSystemException f ? f.getFile() : null;
        String where = file == null || Path.of(file).toAbsolutePath().equals(folder) ? "" : " (" + file + ")";
        Path inTheWay = null;
        for (Path p = folder; p != null && inTheWay == null; p = p.getParent()) {
            if (Files.exists(p) && !Files.isDirectory(p)) inTheWay = p;
        }
        String why;
        if (inTheWay != null) why = inTheWay.equals(folder) ? "a file of that name is in the way" : "the file " + inTheWay + " is in the way (not a folder)";
        else if (e instanceof java.nio.file.FileAlreadyExistsException) why = "a file of that name is in the way" + where;
        else if (e instanceof java.nio.file.NotDirectoryException) why = (file == null ? "a part of its path" : file) + " is not a folder";
        else if (e instanceof java.nio.file.AccessDeniedException) why = "permission denied" + where;
        else if (e instanceof java.nio.file.FileSystemException f && f.getReason() != null) why = f.getReason() + where;
        else why = String.valueOf(e.getMessage());
        return "cannot create the folder " + folder + " for the trainers' output: " + why;
    }
}
