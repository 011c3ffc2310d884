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
            description = "only runs that match every word of TEXT: a word is contained in the id, status, preset, group, origin, a tag, "
                    + "or a configuration key or value (any case; punctuation too, but never the JSON around them), or is key=value "
                    + "on the configuration: the dashboard's filter (ufldl beta=3)") String text;
    @picocli.CommandLine.Option(names = "--limit", paramLabel = "N", description = "at most N runs, newest first") Integer limit;

    @Override
    public Integer call() {
        if (limit != null && limit < 1) throw new ExitCodes.RefusedException("--limit: at least 1 (was " + limit + ")");
        if (status != null && !RunRow.STATUSES.contains(status.toLowerCase(java.util.Locale.ROOT))) {
            throw new ExitCodes.RefusedException("--status: '" + sparselab.config.ConfigException.clip(status, 40) + "' is none of "
                    + String.join(", ", RunRow.STATUSES));
        }
        if (status != null) status = status.toLowerCase(java.util.Locale.ROOT);    // FINISHED as finished, as config values are read
        String refused = sparselab.store.RunFilter.refusal(text);
        if (refused != null) throw new ExitCodes.RefusedException("-q: " + refused);
        EventLog log = db.openReadOnly();
        Instant now = log.clock().instant();       // heartbeats are in the database's time
        // the dashboard's query (filtered in SQL); a group is one more condition, so its limit comes after it
        List<RunRow> runs = log.runsPage(new sparselab.store.RunFilter(status, text), null,
                        group == null && limit != null ? limit : Integer.MAX_VALUE, now).stream()
                .filter(r -> group == null || group.equals(r.runGroup()))
                .limit(limit == null ? Long.MAX_VALUE : limit).toList();
        PrintWriter out = spec.commandLine().getOut();
        var measures = log.lastMeasures(runs.stream().map(RunRow::runId).toList());
        var flags = log.flagCounts(runs.stream().map(RunRow::runId).toList());     // a finished run may have gone wrong
        // the progress column says iterations for full-batch L-BFGS runs, as the dashboard does
        String steps = sparselab.config.Choices.Optimizer.stepsTitle(runs.stream().map(r -> r.configMap().get("optimizer")).toList());
        List<List<String>> rows = new java.util.ArrayList<>();
        rows.add(List.of("run", "status", "preset", "data", "group", "beta", "rho", "estimator", "hidden", steps, "loss", "held-out",
                "strokes", "flags", "worker", "created", "tags"));
        for (RunRow r : runs) {
            Map<String, String> c = r.configMap();
            rows.add(java.util.Arrays.asList(r.runId(), r.effectiveStatus(now), dash(r.preset()), dash(c.get("data")), dash(r.runGroup()),
                    dash(c.get("beta")), dash(c.get("rho")), dash(c.get("estimator")), dash(c.get("hidden")), r.epochsDone() + "/" + r.epochsTotal(),
                    fmt(r.lastLoss()), fmt(r.lastHeldout()), strokes(measures.get(r.runId())),
                    flags.containsKey(r.runId()) ? String.valueOf(flags.get(r.runId())) : "-", dash(r.worker()), String.valueOf(r.createdAt()),
                    r.tagList().isEmpty() ? "-" : String.join(",", r.tagList())));
        }
        // columns as wide as their longest value (a long data path or group name widens its column), a value over
        // 48 characters clipped with "…": a long value never shifts the columns after it
        TextTable.lines(rows, java.util.Set.of(9, 10, 11, 12, 13), MAX_WIDTH).forEach(out::println);
        // queued runs held back (a worker refused them, or their trainer failed to start): why, in full, as the pages say it
        var waiting = log.waitingWhy(runs, now);
        for (RunRow r : runs) {
            if (waiting.containsKey(r.runId())) out.println(r.runId() + " is queued: " + sparselab.config.ConfigException.visible(waiting.get(r.runId())));
        }
        if (runs.isEmpty()) {
            boolean filtered = status != null || group != null || text != null;
            String unknown = sparselab.store.RunFilter.unknownKeys(text, true);
            out.println(filtered ? "(no run of " + log.describe() + " matches" + (unknown.isEmpty() ? "" : "; " + unknown) + ")" : "(no runs in " + log.describe() + ")");
        }
        return ExitCodes.OK;
    }

    /** The widest a column of the table grows; a longer value is clipped to end in "…". */
    static final int MAX_WIDTH = 48;

    /**
     * The stroke share of the run's newest measured snapshot, 3 significant digits as the pages write it; "-" before the first; "all dead" where every
     * unit is dead there (its filters are not used), as the dashboard's runs table says.
     */
    private static String strokes(sparselab.log.MeasuresRow m) {
        if (m != null && m.deadFraction() != null && m.deadFraction() == 1.0) return "all dead";
        return m == null || m.strokeShare() == null ? "-" : Figures.f(m.strokeShare(), 3);
    }

    private static String dash(String s) {
        return s == null || s.isEmpty() ? "-" : s;
    }

    /** The loss and held-out error to 4 significant digits, as the pages and `group` write them. */
    private static String fmt(Double v) {
        return Figures.f(v);
    }
}
