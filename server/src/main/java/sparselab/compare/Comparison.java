package sparselab.compare;

import sparselab.store.EventLog;
import sparselab.log.RunRow;
import sparselab.log.EpochMetrics;
import sparselab.runs.Curves;
import sparselab.runs.RunQueries;
import sparselab.runs.RunView;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

/**
 * What the compare page draws, for 2 to 8 runs: each run's curves as columns (one array per figure, lean to
 * send), its target rho, where it diverged, its snapshot epochs, and the configuration diff. The per-unit
 * rates are a separate request (RunQueries.rhoHat): they are H times larger.
 */
public final class Comparison {
    private final EventLog log;
    private final RunQueries queries;

    public Comparison(EventLog log, RunQueries queries) {
        this.log = log;
        this.queries = queries;
    }

    /** One run's curves: {@code epoch[i]} goes with every other array's {@code [i]}. */
    public record Series(RunView run, Double rho, List<Integer> epoch, List<Double> loss, List<Double> recon,
                        List<Double> heldout, List<Double> penalty, List<Double> decay, List<Double> meanActivation, List<Double> meanAbsSp,
                        List<Double> clippedFraction, List<Integer> divergedEpochs, List<Integer> snapshotEpochs) {}

    /**
     * The runs' curves and their configuration diff; {@code thinned} says how the curves were thinned when some run has
     * more than {@link Curves#POINTS} epochs (every run's by one stride), and is left out otherwise.
     */
    public record Result(List<Series> runs, ConfigDiff.Diff diff,
                         @com.fasterxml.jackson.annotation.JsonInclude(com.fasterxml.jackson.annotation.JsonInclude.Include.NON_NULL) Curves.Thinning thinned) {}

    public Result compare(List<String> runIds, Instant now) {
        List<RunRow> rows = rows(runIds);
        List<Series> series = new ArrayList<>();
        Map<String, sparselab.log.MeasuresRow> measures = log.lastMeasures(rows.stream().map(RunRow::runId).toList());
        var named = log.groupsNamed(rows.stream().filter(r -> r.runGroup() == null).map(RunRow::runId).toList());
        var replays = queries.replayFrom(rows, now);
        Map<String, EventLog.EpochRange> ranges = new java.util.HashMap<>();
        for (RunRow r : rows) ranges.put(r.runId(), log.epochRange(r.runId()));
        int k = Curves.stride(ranges.values());
        // of long runs, besides every k-th epoch, each run's first and last, and every run's flagged, diverged and last
        // epochs in each run (a mean over seeds there is of every seed)
        List<Integer> keep = k == 1 ? List.of() : Curves.kept(rows.stream().map(r -> {
            List<Integer> e = new ArrayList<>(Curves.flagged(log, r.runId(), r.divergedEpoch()));
            e.add(ranges.get(r.runId()).lastEpoch());
            return e;
        }).toList());
        for (RunRow r : rows) {
            // every epoch of short runs; of long ones those above, a page at a time
            List<EpochMetrics> m = Curves.read(log, r.runId(), ranges.get(r.runId()), k, keep);
            List<Integer> diverged = new ArrayList<>(m.stream().filter(EpochMetrics::diverged).map(EpochMetrics::epoch).toList());
            if (r.divergedEpoch() != null && !diverged.contains(r.divergedEpoch())) diverged.add(r.divergedEpoch());
            String rho = r.configMap().get("rho");
            series.add(new Series(RunView.of(r, now, measures.get(r.runId()), named.contains(r.runId()), replays.get(r.runId())), rho == null ? null : Double.valueOf(rho),
                    col(m, p -> p.epoch()), col(m, EpochMetrics::loss), col(m, EpochMetrics::recon), col(m, EpochMetrics::heldout),
                    col(m, EpochMetrics::penalty), col(m, EpochMetrics::decay), col(m, EpochMetrics::meanActivation), col(m, EpochMetrics::meanAbsSp),
                    col(m, EpochMetrics::clippedFraction), diverged,
                    log.snapshots(r.runId()).stream().map(s -> s.epoch()).toList()));
        }
        return new Result(series, diffOf(rows), Curves.thinning(ranges.values()));
    }

    public ConfigDiff.Diff diff(List<String> runIds) {
        return diffOf(rows(runIds));
    }

    private static ConfigDiff.Diff diffOf(List<RunRow> rows) {
        List<Map<String, String>> configs = rows.stream().map(RunRow::configMap).toList();
        return ConfigDiff.of(rows.stream().map(RunRow::runId).toList(), configs);
    }

    private List<RunRow> rows(List<String> runIds) {
        List<RunRow> rows = new ArrayList<>();
        for (String id : runIds) rows.add(log.require(id));
        return rows;
    }

    private static <T> List<T> col(List<EpochMetrics> m, Function<EpochMetrics, T> f) {
        List<T> out = new ArrayList<>(m.size());
        for (EpochMetrics p : m) out.add(f.apply(p));
        return out;
    }
}
