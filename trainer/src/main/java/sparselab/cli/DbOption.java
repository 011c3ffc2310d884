package sparselab.cli;

import picocli.CommandLine.Option;
import sparselab.store.EventLog;

/** The {@code --db} option every command that reads or writes the log shares. */
public class DbOption {
    @Option(names = "--db", paramLabel = "FILE|URL", defaultValue = "sparselab.db",
            description = "the event log: an SQLite file, or postgresql://user@host:port/db (password from PGPASSWORD or ~/.pgpass) (default: ${DEFAULT-VALUE})")
    public String db;

    /** Opens the log, creating an SQLite file when missing (commands that write runs). */
    public EventLog open() { return EventLog.open(db); }

    /** Opens an existing log; a missing file is refused rather than created (commands that only read or act on runs). */
    public EventLog openExisting() { return EventLog.openExisting(db); }
}
