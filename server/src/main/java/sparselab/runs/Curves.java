package sparselab.runs;

import sparselab.log.EpochMetrics;
import sparselab.log.RunEvent;
import sparselab.store.EventLog;

import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.TreeMap;

/**
 * The epochs a page draws its curves from, at most {@link #POINTS} a run. A run of up to {@link #POINTS} epochs is drawn
 * from every epoch, as it always was; when a run is longer, it and the runs of its configuration drawn with it (the compare
 * page's replicates, the same but for the seed) are thinned by one stride k, common to them, so that their curves (and
 * their mean over seeds, aligned by epoch) keep the same epochs: the multiples of k, each run's first and last epoch,
 * every epoch that diverged and every epoch a divergence flag marks. A run of another configuration keeps its own
 * stride (every epoch, when it is short). The downloads (/metrics, metrics.csv, metrics.json) hold every epoch.
 *
 * <p>2,000 points are more than one per pixel column of a chart on any screen (the compare page's charts are some
 * 600 px wide, the run page's 1,100), so a thinned line looks like the whole one, while 8 runs' curves stay some 3 MB
 * of JSON and Chart.js draws them at once; a run of 800,000 epochs, which the default limits allow, is drawn from every
 * 401st (800,000 / 1,998, rounded up).
 */
public final class Curves {
    private Curves() {}

    /** The most epochs drawn of one run, its flagged ones aside. */
    public static final int POINTS = 2_000;

    /** How many epochs are read from the store at a time. */
    static final int PAGE = 2_000;

    /** How the curves were thinned: every {@code stride}-th epoch of runs of up to {@code epochs} epochs (the longest). */
    public record Thinning(int stride, int points, int epochs) {}

    /**
     * The stride of the runs with these epoch ranges: 1 when every run has at most {@link #POINTS} epochs (nothing is
     * thinned), else the longest run's last epoch over {@code POINTS - 2}, rounded up: its multiples up to that epoch, with a first and a last, are at most
     * {@link #POINTS}.
     */
    public static int stride(Collection<EventLog.EpochRange> ranges) {
        if (ranges.stream().allMatch(r -> r.count() <= POINTS)) return 1;
        return strideFor(ranges.stream().mapToInt(EventLog.EpochRange::lastEpoch).max().orElse(0), POINTS);
    }

    /** The stride whose multiples up to {@code lastEpoch}, with a first and a last epoch, are at most {@code points}. */
    static int strideFor(int lastEpoch, int points) {
        return Math.max(1, (int) Math.ceil((double) lastEpoch / Math.max(1, points - 2)));
    }

    /** The thinning of runs with these ranges, or null when nothing is thinned. */
    public static Thinning thinning(Collection<EventLog.EpochRange> ranges) {
        int k = stride(ranges);
        return k == 1 ? null : new Thinning(k, POINTS, ranges.stream().mapToInt(EventLog.EpochRange::lastEpoch).max().orElse(0));
    }

    /**
     * A run's epochs drawn with stride {@code k}: every epoch when k is 1 (the run has at most {@link #POINTS}); else
     * the multiples of k, its first and last, and those in {@code keep} that it has (the epochs flagged or diverged, and
     * on the compare page every run's last), read {@link #PAGE} at a time.
     */
    public static List<EpochMetrics> read(EventLog log, String runId, EventLog.EpochRange range, int k, Collection<Integer> keep) {
        if (k == 1) return log.metrics(runId);
        TreeMap<Integer, EpochMetrics> out = new TreeMap<>();
        for (int after = range.firstEpoch() - 1; ; ) {
            List<EpochMetrics> page = log.metricsEvery(runId, k, range.firstEpoch(), range.lastEpoch(), after, PAGE);
            for (EpochMetrics m : page) out.put(m.epoch(), m);
            if (page.size() < PAGE) break;
            after = page.get(page.size() - 1).epoch();
        }
        List<Integer> missing = keep.stream().filter(e -> !out.containsKey(e)).toList();
        for (EpochMetrics m : log.metricsAt(runId, missing)) out.put(m.epoch(), m);
        return new ArrayList<>(out.values());
    }

    /** A run's curves as the run page draws them: its epochs (thinned as above, alone) and how, when they are. */
    public record RunCurves(@com.fasterxml.jackson.annotation.JsonInclude(com.fasterxml.jackson.annotation.JsonInclude.Include.NON_NULL) Thinning thinned,
                            List<EpochMetrics> metrics) {}

    /** The curves of a run that diverged at {@code divergedEpoch} (null when it did not). */
    public static RunCurves of(EventLog log, String runId, Integer divergedEpoch) {
        EventLog.EpochRange range = log.epochRange(runId);
        int k = stride(List.of(range));
        return new RunCurves(k == 1 ? null : thinning(List.of(range)), read(log, runId, range, k, k == 1 ? List.of() : flagged(log, runId, divergedEpoch)));
    }

    /** The epochs a run's flags mark, and the epoch it diverged at (may be null). */
    public static List<Integer> flagged(EventLog log, String runId, Integer divergedEpoch) {
        List<Integer> out = new ArrayList<>(log.flagEpochs(runId));
        if (divergedEpoch != null) out.add(divergedEpoch);
        return out;
    }

    /**
     * The epochs every run compared keeps besides the stride's: the union of each run's flagged, diverged and last
     * epochs, so that a mean over seeds at one of them is a mean of every seed there, not one seed's value. More than
     * {@link #POINTS} are thinned evenly to that many (the curves' bound stays twice {@link #POINTS}).
     */
    public static List<Integer> kept(Collection<List<Integer>> each) {
        java.util.TreeSet<Integer> all = new java.util.TreeSet<>();
        each.forEach(all::addAll);
        List<Integer> out = new ArrayList<>(all);
        if (out.size() <= POINTS) return out;
        List<Integer> some = new ArrayList<>(POINTS);
        for (int i = 0; i < POINTS; i++) some.add(out.get((int) ((long) i * out.size() / POINTS)));
        return some;
    }
}
