package sparselab.cli;

import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;
import sparselab.store.EventLog;
import sparselab.log.RunRow;

import java.io.PrintWriter;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;

@Command(name = "runs", mixinStandardHelpOptions = true, description = "List the runs of the log, newest first.")
public class RunsCommand implements Callable<Integer> {
    @Mixin DbOption db;
    @Spec CommandSpec spec;

    @Override
    public Integer call() {
        EventLog log = db.openExisting();
        List<RunRow> runs = log.runs();
        PrintWriter out = spec.commandLine().getOut();
        String fmt = "%-12s %-11s %-11s %-14s %-16s %-6s %-6s %-13s %-6s %9s %10s %10s  %s%n";
        out.printf(fmt, "run", "status", "preset", "data", "group", "beta", "rho", "estimator", "hidden", "epochs", "loss", "held-out", "created");
        Instant now = Instant.now();
        for (RunRow r : runs) {
            Map<String, String> c = r.configMap();
            out.printf(fmt, r.runId(), r.effectiveStatus(now), dash(r.preset()), dash(c.get("data")), dash(r.runGroup()), c.get("beta"),
                    c.get("rho"), c.get("estimator"), c.get("hidden"), r.epochsDone() + "/" + r.epochsTotal(), fmt(r.lastLoss()),
                    fmt(r.lastHeldout()), r.createdAt());
        }
        if (runs.isEmpty()) out.println("(no runs in " + log.describe() + ")");
        return ExitCodes.OK;
    }

    private static String dash(String s) {
        return s == null || s.isEmpty() ? "-" : s;
    }

    private static String fmt(Double v) {
        return v == null ? "-" : String.format("%.5g", v);
    }
}
