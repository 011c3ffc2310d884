package sparselab.cli;

import picocli.CommandLine.Option;
import sparselab.log.EventLog;

import java.nio.file.Path;

/** The {@code --db} option every command that reads or writes the log shares. */
public class DbOption {
    @Option(names = "--db", paramLabel = "FILE", defaultValue = "sparselab.db", description = "the event log (default: ${DEFAULT-VALUE})")
    public Path db;

    /** Opens the log, creating it when missing (commands that write runs). */
    public EventLog open() { return EventLog.open(db); }

    /** Opens an existing log; a missing file is refused rather than created (commands that only read or act on runs). */
    public EventLog openExisting() {
        if (!java.nio.file.Files.isRegularFile(db)) {
            throw new ExitCodes.RefusedException("--db: no log at " + db.toAbsolutePath() + " (train or serve creates one)");
        }
        return EventLog.open(db);
    }
}
