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
    @picocli.CommandLine.Option(names = "--status", paramLabel = "STATUS",
            description = "only runs with this status (queued, running, finished, failed, cancelled, diverged, interrupted)") String status;
    @picocli.CommandLine.Option(names = "--group", paramLabel = "NAME", description = "only the runs of this group") String group;
    @picocli.CommandLine.Option(names = {"-q", "--grep"}, paramLabel = "TEXT",
            description = "only runs whose id, preset, data, group or tags contain TEXT (any case)") String text;
    @picocli.CommandLine.Option(names = "--limit", paramLabel = "N", description = "at most N runs, newest first") Integer limit;

    @Override
    public Integer call() {
        if (limit != null && limit < 1) throw new ExitCodes.RefusedException("--limit: at least 1 (was " + limit + ")");
        List<String> statuses = List.of("queued", "running", "finished", "diverged", "failed", "cancelled", "interrupted");
        if (status != null && !statuses.contains(status)) {
            throw new ExitCodes.RefusedException("--status: '" + sparselab.config.ConfigException.clip(status, 40) + "' is none of "
                    + String.join(", ", statuses));
        }
        EventLog log = db.openExisting();
        Instant now = Instant.now();
        String needle = text == null ? null : text.toLowerCase(java.util.Locale.ROOT);
        List<RunRow> runs = log.runs().stream()
                .filter(r -> status == null || r.effectiveStatus(now).equals(status))
                .filter(r -> group == null || group.equals(r.runGroup()))
                .filter(r -> needle == null || java.util.stream.Stream.of(r.runId(), r.preset(), r.configMap().get("data"), r.runGroup(),
                                String.join(" ", r.tagList())).anyMatch(f -> f != null && f.toLowerCase(java.util.Locale.ROOT).contains(needle)))
                .limit(limit == null ? Long.MAX_VALUE : limit).toList();
        PrintWriter out = spec.commandLine().getOut();
        var measures = log.lastMeasures(runs.stream().map(RunRow::runId).toList());
        String fmt = "%-12s %-11s %-11s %-14s %-16s %-6s %-6s %-13s %-6s %9s %10s %10s %7s  %s%n";
        out.printf(fmt, "run", "status", "preset", "data", "group", "beta", "rho", "estimator", "hidden", "epochs", "loss", "held-out",
                "strokes", "created");
        for (RunRow r : runs) {
            Map<String, String> c = r.configMap();
            out.printf(fmt, r.runId(), r.effectiveStatus(now), dash(r.preset()), dash(c.get("data")), dash(r.runGroup()), c.get("beta"),
                    c.get("rho"), c.get("estimator"), c.get("hidden"), r.epochsDone() + "/" + r.epochsTotal(), fmt(r.lastLoss()),
                    fmt(r.lastHeldout()), strokes(measures.get(r.runId())), r.createdAt());
        }
        if (runs.isEmpty()) {
            boolean filtered = status != null || group != null || text != null;
            out.println(filtered ? "(no run of " + log.describe() + " matches)" : "(no runs in " + log.describe() + ")");
        }
        return ExitCodes.OK;
    }

    /** The stroke share of the run's newest measured snapshot, 3 decimals; "-" before the first. */
    private static String strokes(sparselab.log.MeasuresRow m) {
        return m == null || m.strokeShare() == null ? "-" : String.format(java.util.Locale.ROOT, "%.3f", m.strokeShare());
    }

    private static String dash(String s) {
        return s == null || s.isEmpty() ? "-" : s;
    }

    private static String fmt(Double v) {
        return v == null ? "-" : String.format("%.5g", v);
    }
}
