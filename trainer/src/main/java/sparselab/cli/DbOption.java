package sparselab.cli;

import picocli.CommandLine.Option;
import sparselab.log.EventLog;

import java.nio.file.Path;

/** The {@code --db} option every command that reads or writes the log shares. */
public class DbOption {
    @Option(names = "--db", paramLabel = "FILE", defaultValue = "sparselab.db", description = "the event log (default: ${DEFAULT-VALUE})")
    public Path db;

    public EventLog open() { return EventLog.open(db); }
}
