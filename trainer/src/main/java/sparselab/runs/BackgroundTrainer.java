package sparselab.runs;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Starts a trainer JVM ({@link Worker}) for one run, detached from the caller: same Java, same class path,
 * OPENBLAS_CORETYPE prepared, bounded heap and off-heap memory, output to a log file beside the database.
 */
public final class BackgroundTrainer {
    private static final Logger LOG = LoggerFactory.getLogger(BackgroundTrainer.class);

    private BackgroundTrainer() {}

    public static Process spawn(Path dbFile, String runId) {
        return spawn(dbFile, runId, false);
    }

    /** @param resume continue from the run's last checkpoint instead of claiming a queued run */
    public static Process spawn(Path dbFile, String runId, boolean resume) {
        Path db = dbFile.toAbsolutePath();
        Path logs = (db.getParent() == null ? Path.of(".") : db.getParent()).resolve("logs");
        List<String> cmd = new ArrayList<>(List.of(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx2g", "-Dorg.bytedeco.javacpp.maxbytes=3G", "-Dorg.bytedeco.javacpp.maxphysicalbytes=6G",
                "-cp", System.getProperty("java.class.path"),
                Worker.class.getName(), "--db", db.toString(), "--run", runId));
        if (resume) cmd.add("--resume");
        ProcessBuilder pb = new ProcessBuilder(cmd);
        NativeEnv.prepare(pb.environment());
        try {
            Files.createDirectories(logs);
            File out = logs.resolve(runId + ".log").toFile();
            pb.redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.appendTo(out));
            pb.redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")));
            Process p = pb.start();
            LOG.info("trainer for run {} started (pid {}), output in {}", runId, p.pid(), out);
            return p;
        } catch (IOException e) {
            throw new IllegalStateException("cannot start a trainer process for run " + runId + ": " + e.getMessage(), e);
        }
    }
}
