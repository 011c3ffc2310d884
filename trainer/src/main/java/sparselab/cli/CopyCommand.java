package sparselab.cli;

import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;
import sparselab.store.EventLog;

import java.util.List;
import java.util.concurrent.Callable;

@Command(name = "copy", mixinStandardHelpOptions = true, usageHelpWidth = 110,
        description = {"Copy a whole log into another, empty one: every event in order (with its id, number and time) and "
                + "every blob; then the target's projections are rebuilt and compared with the source's.",
                "Typical use: move your history from an SQLite file to a PostgreSQL server when you outgrow one machine.",
                "Only while nothing writes to the source: it refuses while a run trains or a worker or dashboard pool serves it."})
public class CopyCommand implements Callable<Integer> {
    @Spec CommandSpec spec;
    @Option(names = "--from", required = true, paramLabel = "FILE|URL", description = "the log to copy (it is only read)") String from;
    @Option(names = "--to", required = true, paramLabel = "URL|FILE", description = "the empty target log (created when missing)") String to;

    @Override
    public Integer call() {
        EventLog source = open(from, "--from", false);
        try {
            LogInUse.refuse(source, "--from", "a copy is taken while nothing writes to the log, so that it ends equal to it");
        } catch (RuntimeException e) {
            source.close();
            throw e;
        }
        try (source; EventLog target = open(to, "--to", true)) {
            if (source.describe().equals(target.describe())) throw new ExitCodes.RefusedException("--to: the same log as --from");
            long n = EventLog.copy(source, target);
            List<Object> a = source.projectionRows();
            List<Object> b = target.projectionRows();
            if (!a.equals(b)) {
                spec.commandLine().getErr().println("error: the copied projections differ from the source's (" + a.size() + " vs "
                        + b.size() + " rows): something wrote to the source while it was copied, or its projections are stale "
                        + "(`./sparselab verify --db " + source.describe() + "` says which). The events were copied; delete the target to copy again");
                return ExitCodes.FAILURE;
            }
            spec.commandLine().getOut().printf("copied %d events of %d runs and %d blobs from %s to %s; projections rebuilt and equal%n",
                    n, source.runs().size(), target.blobHashes().size(), source.describe(), target.describe());
            return ExitCodes.OK;
        }
    }

    /** Opens one of the two logs; a refusal names its option ({@code --from} or {@code --to}), not {@code --db}. */
    private static EventLog open(String db, String option, boolean create) {
        try {
            return create ? EventLog.open(db) : EventLog.openReadOnly(db);
        } catch (sparselab.store.StoreException.BadLog e) {
            String m = e.getMessage();
            throw new ExitCodes.RefusedException(m.startsWith("--db:") ? option + ":" + m.substring(5) : option + ": " + m);
        }
    }
}
