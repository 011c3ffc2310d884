package sparselab.cli;

import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;
import sparselab.store.EventLog;
import sparselab.store.VerifyReport;

import java.io.PrintWriter;
import java.util.List;
import java.util.concurrent.Callable;

@Command(name = "verify", mixinStandardHelpOptions = true, usageHelpWidth = 110,
        description = {"Check a whole log without changing it: an SQLite file's own pages, tables and indexes (SQLite's quick_check), then re-hash every blob (weights, checkpoints), check that the bytes every run points at are there, that every run's "
                + "events are numbered 1, 2, 3, ... with each epoch once, and compare every projection row with a fold of the "
                + "events. Exit 0 when clean, 1 when anything is wrong (listed)."})
public class VerifyCommand implements Callable<Integer> {
    @Mixin DbOption db;
    @Spec CommandSpec spec;

    @Override
    public Integer call() {
        try (EventLog log = db.openReadOnly()) {
            VerifyReport r = log.verify();
            PrintWriter out = spec.commandLine().getOut();
            out.println(log.describe() + ": " + TextTable.count(r.runs(), "run") + ", " + TextTable.count(r.events(), "event") + ", " + TextTable.count(r.blobs(), "blob"));
            if (!r.damage().isEmpty()) print(out, "damage in the file itself (restore it from a copy)", r.damage());
            print(out, "blobs whose bytes do not match their hash", r.badBlobs());
            print(out, "weights and checkpoints that runs point at and whose bytes are missing", r.missingBlobs());
            print(out, "runs with a gap, a repeat or an epoch logged twice", r.sequenceErrors());
            print(out, "projection rows that differ from a fold of the events (./sparselab rebuild refolds them)", r.projectionDiffs());
            out.println(r.clean() ? "verify: clean" : "verify: PROBLEMS FOUND");
            return r.clean() ? ExitCodes.OK : ExitCodes.FAILURE;
        }
    }

    private static void print(PrintWriter out, String what, List<String> items) {
        out.printf("  %s: %d%n", what, items.size());
        for (String s : items.subList(0, Math.min(20, items.size()))) out.println("    " + s);
        if (items.size() > 20) out.println("    ... and " + (items.size() - 20) + " more");
    }
}
