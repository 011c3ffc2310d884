package sparselab.compare;

import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;
import sparselab.cli.DbOption;
import sparselab.cli.ExitCodes;
import sparselab.store.EventLog;
import sparselab.log.RunRow;

import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;

/** {@code sparselab diff A B [...]}: the configuration keys in which runs differ (all keys with --all), as the compare page shows them. */
@Command(name = "diff", mixinStandardHelpOptions = true,
        description = "Show the configuration keys in which 2 or more runs differ (--all: every key, differing ones first).")
public final class DiffCommand implements Callable<Integer> {
    @Mixin DbOption db;
    @Spec CommandSpec spec;
    @Parameters(paramLabel = "RUN", arity = "1..*", description = "two or more run ids") List<String> runIds;
    @Option(names = "--all", description = "also list the keys that agree") boolean all;

    @Override
    public Integer call() {
        if (runIds.size() < 2) {
            throw new ExitCodes.RefusedException("RUN: give two or more run ids to compare, got one (" + sparselab.config.ConfigException.clip(runIds.get(0), 40) + ")");
        }
        if (new LinkedHashSet<>(runIds).size() != runIds.size()) throw new ExitCodes.RefusedException("RUN: a run is named twice");
        EventLog log = db.openReadOnly();
        List<Map<String, String>> configs = new ArrayList<>();
        for (String id : runIds) {
            RunRow r = sparselab.cli.RunLookup.require(log, id);
            configs.add(r.configMap());
        }
        ConfigDiff.Diff diff = ConfigDiff.of(runIds, configs);
        PrintWriter out = spec.commandLine().getOut();
        List<List<String>> rows = new ArrayList<>();
        List<String> head = new ArrayList<>(List.of("key"));
        head.addAll(runIds);
        rows.add(head);
        for (ConfigDiff.Row row : diff.rows()) {
            if (!row.differs() && !all) continue;
            List<String> cells = new ArrayList<>(List.of(row.differs() ? row.key() : "  " + row.key()));
            for (String v : row.values()) cells.add(String.valueOf(v));
            rows.add(cells);
        }
        // columns as wide as their longest value (as `runs` lays its table out): a long value never runs into the next
        if (rows.size() > 1) sparselab.cli.TextTable.lines(rows, java.util.Set.of(), 48).forEach(out::println);   // no header over no rows
        out.printf("%d of %d keys differ%s%n", diff.differing(), diff.rows().size(),
                rows.size() > 1 ? "" : ": the runs have the same configuration" + (all ? "" : " (--all lists every key)"));
        return ExitCodes.OK;
    }
}
