package sparselab.cli;

import org.slf4j.LoggerFactory;
import picocli.CommandLine.Option;
import sparselab.store.EventLog;

import java.util.ArrayList;
import java.util.List;

/**
 * The {@code --db} option every command that reads or writes the log shares. The logs it opens are closed when the
 * command returns ({@link ExitCodes#install}): on SQLite that checkpoints the WAL, so the {@code .db} file alone holds
 * every append once the command is done.
 */
public class DbOption {
    @Option(names = "--db", paramLabel = "FILE|URL", defaultValue = "sparselab.db",
            description = "the event log: an SQLite file, or postgresql://user@host:port/db (password from PGPASSWORD or ~/.pgpass) (default: ${DEFAULT-VALUE})")
    public String db;

    private final List<EventLog> opened = new ArrayList<>();

    /**
     * Opens the log, creating an SQLite file when missing (commands that write runs); a new file only in a folder that
     * exists, so that a mistyped folder is refused rather than made with a second log in it.
     */
    public EventLog open() {
        refuseMissingFolder();
        return remember(EventLog.open(db));
    }

    /** {@link #open()} with a pool of {@code connections} on PostgreSQL ({@link EventLog#open(String, int)}). */
    public EventLog open(int connections) {
        refuseMissingFolder();
        return remember(EventLog.open(db, connections));
    }

    /** Refuses a new SQLite log whose folder does not exist (the folder of ./sparselab.db always does). */
    void refuseMissingFolder() {
        EventLog.missingFile(db).map(java.nio.file.Path::getParent).filter(dir -> !java.nio.file.Files.isDirectory(dir)).ifPresent(dir -> {
            throw new ExitCodes.RefusedException("--db: the folder " + dir + " does not exist; a new log is made only in an "
                    + "existing folder (create it first, or check the path)");
        });
    }

    /** Opens an existing log; a missing file is refused rather than created (commands that only read or act on runs). */
    public EventLog openExisting() { return remember(EventLog.openExisting(db)); }

    /** Opens an existing log without creating or upgrading anything (commands that only read it). */
    public EventLog openReadOnly() { return remember(EventLog.openReadOnly(db)); }

    /** Whether the log is on a database server ({@link EventLog#shared()}), told from the value alone. */
    public boolean shared() { return EventLog.isShared(db); }

    private synchronized EventLog remember(EventLog log) {
        opened.add(log);
        return log;
    }

    /** Closes every log this option opened (closing twice is harmless); called when the command has returned. */
    public synchronized void closeOpened() {
        for (EventLog log : opened) {
            try {
                log.close();
            } catch (RuntimeException e) {
                LoggerFactory.getLogger(DbOption.class).debug("closing {} failed", db, e);
            }
        }
        opened.clear();
    }
}
