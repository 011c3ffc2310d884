package sparselab.cli;

import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;
import sparselab.store.EventLog;

import java.util.concurrent.Callable;

@Command(name = "migrate", mixinStandardHelpOptions = true,
        description = {"Upgrade an existing log's schema to this version of sparselab, and say which version it has.",
                "Commands that only read a log (runs, export, verify, group, diff, copy's --from) never upgrade it; commands that write "
                        + "(train, sweep, serve, worker, ...) upgrade it as this one does. An upgrade is refused while a run trains or a worker or dashboard "
                        + "pool serves the log: processes of the older version would go on writing as it does."})
public class MigrateCommand implements Callable<Integer> {
    @Mixin DbOption db;
    @Spec CommandSpec spec;

    @Override
    public Integer call() {
        try (EventLog log = EventLog.openReadOnly(db.db)) {      // refuses a missing file, an empty database or no log
            spec.commandLine().getOut().println(log.describe() + ": schema version " + log.schemaVersion() + ", up to date");
            return ExitCodes.OK;
        } catch (sparselab.store.StoreException.OlderSchema older) {
            // an older schema: upgraded below
        }
        EventLog log = db.openExisting();                       // upgrades it, unless something uses it
        spec.commandLine().getOut().println(log.describe() + ": upgraded to schema version " + log.schemaVersion());
        return ExitCodes.OK;
    }
}
