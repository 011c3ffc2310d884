package sparselab.runs;

import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;
import sparselab.cli.DbOption;
import sparselab.store.EventLog;

import java.util.List;
import java.util.concurrent.Callable;

/** {@code sparselab cancel RUN...}: what the run page's Cancel button does, from the terminal. */
@Command(name = "cancel", mixinStandardHelpOptions = true,
        description = "Cancel runs: a queued run (or one whose trainer is gone) at once, a running one within about 5 s (its trainer reads the request at its next heartbeat, then stops after the batch it is on).")
public class CancelCommand implements Callable<Integer> {
    @Mixin DbOption db;
    @Spec CommandSpec spec;
    @Parameters(paramLabel = "RUN", arity = "1..*", description = "run ids") List<String> runIds;

    @Override
    public Integer call() {
        EventLog log = db.openExisting();
        RunActions actions = new RunActions(log, log.clock());
        List<String> ids = List.copyOf(new java.util.LinkedHashSet<>(runIds));
        java.util.Set<String> askedBefore = new java.util.HashSet<>();
        for (String id : ids) {                                // every id checked before anything is written
            sparselab.log.RunRow r = actions.require(id);
            if (r.ended()) throw new sparselab.store.StoreException.Conflict("run '" + id + "' is " + r.status()
                    + "; there is nothing to cancel (nothing was cancelled)");
            if (r.cancelRequested()) askedBefore.add(id);
        }
        for (String id : ids) {
            String after = actions.cancel(id, "cli", false);
            // asked again: nothing new is written (the API answers 409); said so, and the command still succeeds
            spec.commandLine().getOut().println(id + " " + (after.equals("cancelled") ? "cancelled"
                    : (askedBefore.contains(id) ? "cancel asked already (nothing new written)" : "cancel requested")
                    + ": its trainer reads it within about 5 s and stops after the batch it is on (status " + after + ")"));
        }
        return 0;
    }
}
