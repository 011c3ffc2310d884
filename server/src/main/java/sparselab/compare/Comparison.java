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
                        List<Double> clippedFraction, List<Integer> divergedEpochs, List<Integer> snapshotEpochs,
                        @com.fasterxml.jackson.annotation.JsonInclude(com.fasterxml.jackson.annotation.JsonInclude.Include.NON_NULL) Curves.Thinning thinned) {}

    /**
     * The runs' curves and their configuration diff. A run's curves are thinned when it, or a run of its configuration
     * (the same but for the seed: its replicates), has more than {@link Curves#POINTS} epochs: by one stride for those
     * runs, so that they and a mean over seeds line up, and its series says how ({@code thinned}); a short run compared
     * with a long one of another configuration keeps every epoch. {@code thinned} of the answer is the coarsest of the
     * runs' (the largest stride), left out when no run is thinned.
     */
    public record Result(List<Series> runs, ConfigDiff.Diff diff,
                         @com.fasterxml.jackson.annotation.JsonInclude(com.fasterxml.jackson.annotation.JsonInclude.Include.NON_NULL) Curves.Thinning thinned) {}

    public Result compare(List<String> runIds, Instant now) {
        List<RunRow> rows = rows(runIds);
        List<Series> series = new ArrayList<>();
        Map<String, sparselab.log.MeasuresRow> measures = log.lastMeasures(rows.stream().map(RunRow::runId).toList());
        var named = log.groupsNamed(rows.stream().filter(r -> r.runGroup() == null).map(RunRow::runId).toList());
        var replays = queries.replayFrom(rows, now);
        var flags = log.flagCounts(rows.stream().map(RunRow::runId).toList());
        Map<String, EventLog.EpochRange> ranges = new java.util.HashMap<>();
        for (RunRow r : rows) ranges.put(r.runId(), log.epochRange(r.runId()));
        // each configuration's runs (replicates: the same but for the seed) thinned by one stride, the longest's
        ConfigDiff.Diff diff = diffOf(rows);
        Map<String, List<Integer>> keepOf = new java.util.HashMap<>();
        Map<String, Curves.Thinning> thinningOf = new java.util.HashMap<>();
        for (List<RunRow> replicates : byConfiguration(rows, diff)) {
            List<EventLog.EpochRange> rs = replicates.stream().map(r -> ranges.get(r.runId())).toList();
            int k = Curves.stride(rs);
            // of long runs, besides every k-th epoch, each run's first and last, and every replicate's flagged,
            // diverged and last epochs in each (a mean over seeds there is of every seed)
            List<Integer> keep = k == 1 ? List.of() : Curves.kept(replicates.stream().map(r -> {
                List<Integer> e = new ArrayList<>(Curves.flagged(log, r.runId(), r.divergedEpoch()));
                e.add(ranges.get(r.runId()).lastEpoch());
                return e;
            }).toList());
            Curves.Thinning thinning = Curves.thinning(rs);       // null when k is 1
            for (RunRow r : replicates) {
                keepOf.put(r.runId(), keep);
                if (thinning != null) thinningOf.put(r.runId(), thinning);
            }
        }
        var waiting = log.waitingWhy(rows, now);
        for (RunRow r : rows) {
            // every epoch of short runs; of long ones those above, a page at a time
            Curves.Thinning thinning = thinningOf.get(r.runId());
            List<EpochMetrics> m = Curves.read(log, r.runId(), ranges.get(r.runId()), thinning == null ? 1 : thinning.stride(), keepOf.get(r.runId()));
            List<Integer> diverged = new ArrayList<>(m.stream().filter(EpochMetrics::diverged).map(EpochMetrics::epoch).toList());
            if (r.divergedEpoch() != null && !diverged.contains(r.divergedEpoch())) diverged.add(r.divergedEpoch());
            String rho = r.configMap().get("rho");
            series.add(new Series(RunView.of(r, now, measures.get(r.runId()), named.contains(r.runId()), replays.get(r.runId()),
                    flags.getOrDefault(r.runId(), 0L), waiting.get(r.runId())), rho == null ? null : Double.valueOf(rho),
                    col(m, p -> p.epoch()), col(m, EpochMetrics::loss), col(m, EpochMetrics::recon), col(m, EpochMetrics::heldout),
                    col(m, EpochMetrics::penalty), col(m, EpochMetrics::decay), col(m, EpochMetrics::meanActivation), col(m, EpochMetrics::meanAbsSp),
                    col(m, EpochMetrics::clippedFraction), diverged,
                    RunQueries.listedSnapshotEpochs(log, r.runId()), thinning));
        }
        Curves.Thinning coarsest = thinningOf.values().stream().max(java.util.Comparator.comparingInt(Curves.Thinning::stride)).orElse(null);
        return new Result(series, diff, coarsest);
    }

    /**
     * The runs grouped by their configuration but for the seed (each group's runs are replicates), in their order: by
     * their values of the keys that differ in their {@code diff} (a key a run was logged without reads as its default), as the
     * compare page groups them for its means over seeds.
     */
    static List<List<RunRow>> byConfiguration(List<RunRow> rows, ConfigDiff.Diff diff) {
        Map<List<String>, List<RunRow>> groups = new java.util.LinkedHashMap<>();
        for (int i = 0; i < rows.size(); i++) {
            List<String> values = new ArrayList<>();
            for (ConfigDiff.Row row : diff.rows()) if (row.differs() && !row.key().equals("seed")) values.add(row.values().get(i));
            groups.computeIfAbsent(values, v -> new ArrayList<>()).add(rows.get(i));
        }
        return List.copyOf(groups.values());
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
