package sparselab.groups;

import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;
import sparselab.cli.DbOption;
import sparselab.cli.ExitCodes;
import sparselab.cli.Figures;
import sparselab.config.Choices;
import sparselab.store.EventLog;
import sparselab.runs.RunQueries;

import java.io.PrintWriter;
import java.util.concurrent.Callable;
import java.util.stream.Collectors;

/** {@code sparselab group NAME}: a sweep or ladder as one table, the same figures as the group page. */
@Command(name = "group", mixinStandardHelpOptions = true,
        description = "Print a sweep or ladder as one table: run, status, final figures, the latest filter measures and each run's values (a ladder: its step and change).")
public final class GroupCommand implements Callable<Integer> {
    @Mixin DbOption db;
    @Spec CommandSpec spec;
    @Parameters(paramLabel = "NAME", description = "the group: a sweep's or ladder's name (`runs` shows each run's group)") String name;

    @Override
    public Integer call() {
        EventLog log = db.openReadOnly();
        GroupView g;
        try {
            g = new GroupQueries(log, new RunQueries(log)).group(name, log.clock().instant());
        } catch (sparselab.store.StoreException.NotFound e) {
            throw new ExitCodes.RefusedException("no group '" + sparselab.config.ConfigException.clip(name, 80) + "' in " + log.describe());
        }
        PrintWriter out = spec.commandLine().getOut();
        out.printf("%s %s%s%n", g.kind(), g.name(), g.from() == null ? "" : " (" + g.from() + " -> " + g.to() + ")");
        String steps = stepsWord(g);
        // every figure as the page's run table writes it (fmt: the loss, held-out error and mean activation to 4 digits,
        // the filter measures to 3), at most 8 characters ("-6.24e-5", "0.001234"; "-0.01234" for a tanh unit's activation)
        String fmt = "%s%-12s %-10s %-" + Math.max(9, steps.length()) + "s %10s %10s %10s %9s %9s %9s %9s %9s %9s  %s%n";
        // a ladder's step column, as the group page has it; a sweep's runs have no step
        boolean ladder = "ladder".equals(g.kind());
        out.printf(fmt, ladder ? "step " : "", "run", "status", steps, "loss", "held-out", "mean act.", "locality", "dead", "satur.", "lifetime",
                "digit", "strokes", "change / values");
        for (GroupView.Row r : g.runs()) {
            var m = r.measures();
            String change = r.changes().isEmpty()
                    ? r.values().entrySet().stream().map(e -> e.getKey() + "=" + e.getValue()).collect(Collectors.joining(" "))
                    : r.changes().stream().map(c -> c.key() + " " + c.from() + " -> " + c.to()).collect(Collectors.joining(", "))
                            + (r.note() == null ? "" : "  (" + r.note() + ")");        // why a ladder's step left the asked order, as `ladder` says
            out.printf(fmt, ladder ? String.format("%-4s ", r.step() == null ? "-" : r.step()) : "", r.run().runId(), r.run().status(),
                    r.run().epochsDone() + "/" + r.run().epochsTotal(), Figures.f(r.run().loss()), Figures.f(r.run().heldout()), Figures.f(r.run().meanActivation()),
                    m == null ? "-" : Figures.f(m.locality(), 3), m == null ? "-" : Figures.f(m.deadFraction(), 3), m == null ? "-" : Figures.f(m.saturatedFraction(), 3),
                    m == null ? "-" : Figures.f(m.lifetimeSparsity(), 3), m == null ? "-" : Figures.f(m.digitLikeness(), 3), m == null ? "-" : strokes(m),
                    change);
        }
        printReplicates(out, g);
        return ExitCodes.OK;
    }

    /**
     * The progress column's title, as the group page words its runs' steps (stepWords, web/static/js/api.js): "epochs",
     * "iterations" when every run is full-batch L-BFGS (each logged epoch one iteration), "epochs/iterations" for both.
     */
    static String stepsWord(GroupView g) {
        return Choices.Optimizer.stepsTitle(g.runs().stream().map(r -> r.run().optimizer()).toList());
    }

    /**
     * With replicates (a sweep or ladder run with --seeds): one line per point (a ladder step, or the swept values
     * without the seed) with n and mean +- sd (sample sd, n - 1) of the final figures over its finished runs
     * (the points of {@link Replicates}, as the group page shows them): the final loss, held-out error and mean
     * activation, then every filter measure in the page's order, the dead and saturated fractions included.
     */
    static void printReplicates(PrintWriter out, GroupView g) {
        if (g.points().isEmpty()) return;
        out.println();
        out.println("mean +- sd over the finished runs of each point (n = runs):");
        String fmt = "%-24s %3s %23s %23s %23s %23s %23s %23s %23s %23s %23s%n";   // "mean +- sd": two figures and " +- "
        out.printf(fmt, "point", "n", "loss", "held-out", "mean act.", "locality", "dead", "satur.", "lifetime", "digit", "strokes");
        for (Replicates.Point p : g.points()) {
            var m = p.figures();
            out.printf(fmt, p.label(), p.n(), ms(m.get("loss")), ms(m.get("heldout")), ms(m.get("meanActivation")), ms(m.get("locality")),
                    ms(m.get("deadFraction")), ms(m.get("saturatedFraction")),
                    ms(m.get("lifetimeSparsity")), ms(m.get("digitLikeness")), ms(m.get("strokeShare")));
        }
    }

    /** The stroke share, or "all dead" where no unit fires (a share of filters no unit uses), as the pages write it. */
    private static String strokes(RunQueries.MeasurePoint m) {
        return Replicates.allDead(m) ? "all dead" : Figures.f(m.strokeShare(), 3);
    }

    /** "mean +- sd" as the group page writes "mean ± sd" (the sd to 3 digits, in its mean's style); the mean alone for one value; "-" for none. */
    public static String ms(Replicates.Summary s) {
        if (s.mean() == null) return "-";
        if (s.sd() == null) return Figures.f(s.mean());
        String[] both = Figures.alike(new double[] {s.mean(), s.sd()}, new int[] {4, 3});
        return both[0] + " +- " + both[1];
    }
}
