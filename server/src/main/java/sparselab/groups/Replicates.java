package sparselab.groups;

import sparselab.runs.RunQueries;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.stream.Collectors;

/**
 * Replicates of a group (runs of a sweep or ladder that differ only by {@code seed}): the points they form, mean and
 * sample sd of each final figure and filter measure over a point's finished runs with a 95% t-interval, and a ladder's
 * per-step effects (the change of the mean from the previous step) with a 95% Welch interval. The group page, the
 * groups API and {@code sparselab group} all take these figures from here.
 */
public final class Replicates {
    private Replicates() {}

    /** The figures summarised per point: the final figures of a run, then its latest filter measures. */
    public static final List<String> FIGURES = List.of("loss", "heldout", "meanActivation",
            "locality", "deadFraction", "saturatedFraction", "lifetimeSparsity", "digitLikeness", "strokeShare");

    private static final Map<String, Function<GroupView.Row, Double>> VALUE = Map.of(
            "loss", r -> r.run().loss(),
            "heldout", r -> r.run().heldout(),
            "meanActivation", r -> r.run().meanActivation(),
            "locality", r -> measure(r, RunQueries.MeasurePoint::locality),
            "deadFraction", r -> measure(r, RunQueries.MeasurePoint::deadFraction),
            "saturatedFraction", r -> measure(r, RunQueries.MeasurePoint::saturatedFraction),
            "lifetimeSparsity", r -> measure(r, RunQueries.MeasurePoint::lifetimeSparsity),
            "digitLikeness", r -> measure(r, RunQueries.MeasurePoint::digitLikeness),
            "strokeShare", r -> r.measures() == null || allDead(r.measures()) ? null : r.measures().strokeShare());

    /**
     * Whether every unit of a measured snapshot is dead: its stroke share is then a share of filters no unit uses,
     * which says nothing; it is left out of the means, and {@code sparselab group} and the pages write "all dead".
     */
    public static boolean allDead(RunQueries.MeasurePoint m) {
        return m.deadFraction() != null && m.deadFraction() >= 1;
    }

    private static Double measure(GroupView.Row r, Function<RunQueries.MeasurePoint, Double> f) {
        return r.measures() == null ? null : f.apply(r.measures());
    }

    /** The value of one of {@link #FIGURES} for a row, or null. */
    public static Double value(GroupView.Row r, String figure) {
        return VALUE.get(figure).apply(r);
    }

    // ---- statistics

    /** The 0.975 quantile of Student's t for 1..30 degrees of freedom (index df - 1), then for 40, 60 and 120. */
    private static final double[] T975 = {
            12.706205, 4.302653, 3.182446, 2.776445, 2.570582, 2.446912, 2.364624, 2.306004, 2.262157, 2.228139,
            2.200985, 2.178813, 2.160369, 2.144787, 2.131450, 2.119905, 2.109816, 2.100922, 2.093024, 2.085963,
            2.079614, 2.073873, 2.068658, 2.063899, 2.059539, 2.055529, 2.051831, 2.048407, 2.045230, 2.042272};
    private static final int[] T975_DF_BEYOND = {40, 60, 120};
    private static final double[] T975_BEYOND = {2.021075, 2.000298, 1.979930};
    private static final double Z975 = 1.959964;

    /**
     * The 0.975 quantile of Student's t for {@code df} degrees of freedom, from the table; a df between two table
     * entries (a Welch df, or one past 30) takes the entry below it, so the interval is a little wider, never narrower.
     */
    public static double t975(double df) {
        if (!(df >= 1)) throw new IllegalArgumentException("degrees of freedom below 1: " + df);
        int d = (int) Math.floor(df);
        if (d <= 30) return T975[d - 1];
        double t = T975[29];
        for (int i = 0; i < T975_DF_BEYOND.length; i++) if (d >= T975_DF_BEYOND[i]) t = T975_BEYOND[i];
        return Double.isInfinite(df) ? Z975 : t;
    }

    /**
     * n, mean, sample sd (n - 1) and the half-width of the 95% t-interval of the mean (t(n - 1) sd / sqrt n) of the
     * finite values; sd and half are null for fewer than 2 values, everything but n for none.
     */
    public record Summary(int n, Double mean, Double sd, Double half) {
        public static Summary of(List<Double> values) {
            double[] v = values.stream().filter(x -> x != null && Double.isFinite(x)).mapToDouble(Double::doubleValue).toArray();
            if (v.length == 0) return new Summary(0, null, null, null);
            double mean = 0;
            for (double x : v) mean += x;
            mean /= v.length;
            if (v.length == 1) return new Summary(1, mean, null, null);
            double ss = 0;
            for (double x : v) ss += (x - mean) * (x - mean);
            double sd = Math.sqrt(ss / (v.length - 1));
            return new Summary(v.length, mean, sd, t975(v.length - 1) * sd / Math.sqrt(v.length));
        }
    }

    /**
     * The difference {@code b.mean - a.mean} with the half-width of its 95% Welch interval and the Welch df; half and
     * df are null when either side has fewer than 2 values, half 0 and df null when both sds are 0.
     */
    public record Difference(Double diff, Double half, Double df) {
        public static Difference of(Summary a, Summary b) {
            if (a.mean() == null || b.mean() == null) return new Difference(null, null, null);
            double diff = b.mean() - a.mean();
            if (a.sd() == null || b.sd() == null) return new Difference(diff, null, null);
            double va = a.sd() * a.sd() / a.n(), vb = b.sd() * b.sd() / b.n();
            double se2 = va + vb;
            if (se2 == 0) return new Difference(diff, 0.0, null);
            double df = se2 * se2 / (va * va / (a.n() - 1) + vb * vb / (b.n() - 1));
            return new Difference(diff, t975(df) * Math.sqrt(se2), df);
        }
    }

    // ---- points and effects

    /**
     * One point of a group with replicates: a ladder step, or one combination of the swept values other than the seed.
     *
     * @param label   "step 2", or "beta=3 rho=0.1" ("-" when seed is the only key)
     * @param step    the ladder step, or null
     * @param values  the key columns' values without seed
     * @param runIds  every run of the point, whatever its status
     * @param n       its finished runs, over which the figures are taken
     * @param figures per figure of {@link #FIGURES}: n (finite values), mean, sd and the 95% interval's half-width
     */
    public record Point(String label, Integer step, Map<String, String> values, List<String> runIds, int n, Map<String, Summary> figures) {}

    /**
     * A ladder step's effect: per figure, the change of its mean from the previous step's with a 95% Welch interval.
     *
     * @param step     the step
     * @param fromStep the previous step
     * @param figures  per figure of {@link #FIGURES}
     */
    public record Effect(int step, int fromStep, Map<String, Difference> figures) {}

    /** The runs grouped into points, in the rows' order; empty when no point has 2 or more runs (no replicates). */
    public static List<Point> points(List<GroupView.Row> rows) {
        Map<String, List<GroupView.Row>> by = new LinkedHashMap<>();
        for (GroupView.Row r : rows) by.computeIfAbsent(label(r), k -> new ArrayList<>()).add(r);
        if (by.values().stream().allMatch(l -> l.size() < 2)) return List.of();
        List<Point> out = new ArrayList<>();
        by.forEach((label, rs) -> {
            List<GroupView.Row> done = rs.stream().filter(r -> r.run().status().equals("finished")).toList();
            Map<String, Summary> figures = new LinkedHashMap<>();
            for (String f : FIGURES) figures.put(f, Summary.of(done.stream().map(r -> value(r, f)).toList()));
            GroupView.Row first = rs.get(0);
            out.add(new Point(label, first.step(), withoutSeed(first.values()), rs.stream().map(r -> r.run().runId()).toList(),
                    done.size(), figures));
        });
        return out;
    }

    /** Each ladder step's effect against the step before it; empty for a sweep or without replicates. */
    public static List<Effect> effects(List<Point> points) {
        List<Effect> out = new ArrayList<>();
        for (int i = 1; i < points.size(); i++) {
            Point a = points.get(i - 1), b = points.get(i);
            if (a.step() == null || b.step() == null) continue;
            Map<String, Difference> figures = new LinkedHashMap<>();
            for (String f : FIGURES) figures.put(f, Difference.of(a.figures().get(f), b.figures().get(f)));
            out.add(new Effect(b.step(), a.step(), figures));
        }
        return out;
    }

    private static String label(GroupView.Row r) {
        if (r.step() != null) return "step " + r.step();
        String s = withoutSeed(r.values()).entrySet().stream().map(e -> e.getKey() + "=" + e.getValue()).collect(Collectors.joining(" "));
        return s.isEmpty() ? "-" : s;
    }

    private static Map<String, String> withoutSeed(Map<String, String> values) {
        Map<String, String> out = new LinkedHashMap<>(values);
        out.remove("seed");
        return out;
    }
}
