package sparselab.launch;

import sparselab.runs.BackgroundTrainer;
import sparselab.store.EventLog;

import java.io.IOException;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.NotDirectoryException;
import java.nio.file.Path;

/**
 * Starts a trainer process for one run of the pool's log (in production: {@link #background}, which tells the trainer
 * where the log is and passes a URL's password through its environment).
 */
@FunctionalInterface
public interface TrainerSpawner {
    /**
     * @param resume continue from the run's last checkpoint instead of claiming a queued run
     * @param pool   the name of the pool that starts it ({@code serve@host:pid}): the trainer claims the run as this
     *               worker, so the runs table names the pool that the workers view lists, not the trainer's own process
     */
    Process spawn(String runId, boolean resume, String pool);

    /**
     * Detached trainers on {@code log} ({@code BackgroundTrainer.spawn}). The folder of their output is made first, so
     * that a start that cannot make it says why in words ({@link #folderProblem}), not only the path the system named.
     */
    static TrainerSpawner background(EventLog log) {
        return (runId, resume, pool) -> {
            Path logs = BackgroundTrainer.logs(log.locator());
            try {
                Files.createDirectories(logs);
            } catch (IOException e) {
                throw new IllegalStateException("cannot start a trainer for run " + runId + ": " + folderProblem(logs, e), e);
            }
            return BackgroundTrainer.spawn(log, runId, resume, pool);
        };
    }

    /**
     * Why the folder {@code logs} for the trainers' output could not be made, in words: a file in the way (the folder's
     * own name, or a folder's above it), the permission denied, or the system's reason.
     */
    static String folderProblem(Path logs, IOException e) {
        Path folder = logs.toAbsolutePath();
        String file = e instanceof FileSystemException f ? f.getFile() : null;
        String where = file == null || Path.of(file).toAbsolutePath().equals(folder) ? "" : " (" + file + ")";
        Path inTheWay = null;
        for (Path p = folder; p != null && inTheWay == null; p = p.getParent()) {
            if (Files.exists(p) && !Files.isDirectory(p)) inTheWay = p;
        }
        String why;
        if (inTheWay != null) why = inTheWay.equals(folder) ? "a file of that name is in the way" : "the file " + inTheWay + " is in the way (not a folder)";
        else if (e instanceof FileAlreadyExistsException) why = "a file of that name is in the way" + where;
        else if (e instanceof NotDirectoryException) why = (file == null ? "a part of its path" : file) + " is not a folder";
        else if (e instanceof AccessDeniedException) why = "permission denied" + where;
        else if (e instanceof FileSystemException f && f.getReason() != null) why = f.getReason() + where;
        else why = String.valueOf(e.getMessage());
        return "cannot create the folder " + folder + " for the trainers' output: " + why;
    }
}
