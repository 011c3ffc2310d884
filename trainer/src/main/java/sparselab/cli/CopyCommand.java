package sparselab.cli;

import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;
import sparselab.store.EventLog;
import sparselab.store.StoreException;

import java.util.concurrent.Callable;

@Command(name = "copy", mixinStandardHelpOptions = true, usageHelpWidth = 110,
        description = {"Copy a whole log into another, empty one: every event in order (with its id, number and time) and "
                + "every blob; then the target's projections are rebuilt and compared with the source's.",
                "Typical use: move your history from an SQLite file to a PostgreSQL server when you outgrow one machine.",
                "Only while nothing writes to either log: it refuses while a run trains or a worker or dashboard pool serves the source "
                        + "or the target. The copy, the rebuild and the comparison are one transaction: a copy that differs writes nothing."})
public class CopyCommand implements Callable<Integer> {
    @Spec CommandSpec spec;
    @Option(names = "--from", required = true, paramLabel = "FILE|URL", description = "the log to copy (it is only read)") String from;
    @Option(names = "--to", required = true, paramLabel = "URL|FILE", description = "the empty target log (created when missing)") String to;

    /** Whether {@code to} exists and is the file of the SQLite log {@code from} (none when from is no SQLite log). */
    private static boolean sameFile(java.util.List<java.nio.file.Path> from, java.nio.file.Path to) {
        try {
            return !from.isEmpty() && java.nio.file.Files.exists(to) && java.nio.file.Files.isSameFile(from.get(0), to);
        } catch (java.io.IOException e) {
            return false;                               // an unreadable target is refused by its open, naming --to
        }
    }

    @Override
    public Integer call() {
        // as --db: a new log only in a folder that exists (a mistyped path would otherwise make folders and a log there)
        java.util.Optional<java.nio.file.Path> newFile;
        try {
            newFile = EventLog.missingFile(to);
        } catch (StoreException.BadLog e) {
            newFile = java.util.Optional.empty();       // refused below, naming --to
        }
        newFile.map(java.nio.file.Path::getParent).filter(dir -> !java.nio.file.Files.isDirectory(dir)).ifPresent(dir -> {
            throw new ExitCodes.RefusedException("--to: the folder " + dir + " does not exist; a new log is made only in an "
                    + "existing folder (create it first, or check the path)");
        });
        EventLog source = open(from, "--from", false);
        try {
            LogInUse.refuse(source, "--from", "a copy is taken while nothing writes to the log, so that it ends equal to it");
        } catch (RuntimeException e) {
            source.close();
            throw e;
        }
        // an SQLite target this command creates is deleted again when the copy fails: no empty log is left behind
        java.util.List<java.nio.file.Path> files;
        try {
            files = EventLog.sqliteFiles(to);
        } catch (StoreException.BadLog e) {
            files = java.util.List.of();                // refused below, naming --to
        }
        // the source's file under another name (a link, "./", "../dir/"): the same log, not a log that is "not empty"
        if (!files.isEmpty() && sameFile(EventLog.sqliteFiles(from), files.get(0))) {
            source.close();
            throw new ExitCodes.RefusedException("--to: the same log as --from (" + to + " is " + from + ")");
        }
        // only the files that are not there yet: a -wal left beside a missing log is not this command's to delete
        java.util.List<java.nio.file.Path> made = files.isEmpty() || java.nio.file.Files.exists(files.get(0)) ? java.util.List.of()
                : files.stream().filter(f -> !java.nio.file.Files.exists(f)).toList();
        boolean done = false;
        try (source; EventLog target = open(to, "--to", true)) {
            if (source.describe().equals(target.describe())) throw new ExitCodes.RefusedException("--to: the same log as --from");
            // a worker or dashboard pool on the target would claim the copied queued runs as soon as they are there
            LogInUse.refuse(target, "--to", "they would claim the copied runs; nothing was written");
            long n;
            try {
                n = EventLog.copy(source, target);      // the events, the rebuild and the comparison: one transaction
            } catch (StoreException.CopyDiffers e) {
                spec.commandLine().getErr().println("error: " + e.getMessage());
                return ExitCodes.FAILURE;
            }
            spec.commandLine().getOut().println("copied " + TextTable.count(n, "event") + " of " + TextTable.count(source.runs().size(), "run") + " and "
                    + TextTable.count(target.blobHashes().size(), "blob") + " from " + source.describe() + " to " + target.describe() + "; projections rebuilt and equal");
            done = true;
            return ExitCodes.OK;
        } finally {
            if (!done) {
                for (java.nio.file.Path f : made) {
                    try {
                        java.nio.file.Files.deleteIfExists(f);
                    } catch (java.io.IOException e) {
                        // the failure to report is the copy's
                    }
                }
            }
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
