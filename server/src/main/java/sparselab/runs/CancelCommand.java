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
        description = "Cancel runs: a queued run (or one whose trainer is gone) at once, a running one within about 5 s (its trainer reads the request at its next heartbeat, then stops after the batch it is on). A run cancelled already is said so (exit 0); a finished, failed or diverged one is refused, and then nothing is cancelled.")
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
        // every id checked before anything is written, and every one at fault named (not the first alone)
        List<String> refused = new java.util.ArrayList<>();
        for (String id : ids) {
            java.util.Optional<sparselab.log.RunRow> r = log.run(id);
            if (r.isEmpty()) refused.add(sparselab.cli.RunLookup.notFound(log, id));
            // cancelled already: what was asked holds (RunActions.cancel says so, nothing written), as a cancel asked
            // again: a script that cancels a run twice, or a list of runs some of which ended so, succeeds
            else if (r.get().ended() && !r.get().status().equals("cancelled")) refused.add("run '" + id + "' is " + r.get().status() + "; there is nothing to cancel");
            else if (r.get().cancelRequested()) askedBefore.add(id);
        }
        if (!refused.isEmpty()) throw new sparselab.store.StoreException.Conflict(String.join("; ", refused) + " (nothing was cancelled)");
        for (String id : ids) {
            String after = actions.cancel(id, "cli", false);
            if (after.equals(RunActions.CANCELLED_ALREADY)) {
                spec.commandLine().getOut().println(id + " cancelled already (nothing new written)");
                continue;
            }
            // asked again: nothing new is written (the API answers 409); said so, and the command still succeeds
            spec.commandLine().getOut().println(id + " " + (after.equals("cancelled") ? "cancelled"
                    : (askedBefore.contains(id) ? "cancel asked already (nothing new written)" : "cancel requested")
                    + ": its trainer reads it within about 5 s and stops after the batch it is on (status " + after + ")"));
        }
        return 0;
    }
}
