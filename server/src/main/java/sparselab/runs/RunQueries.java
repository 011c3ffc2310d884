package sparselab.runs;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import sparselab.log.EventLog;
import sparselab.log.Json;
import sparselab.log.RunEvent;
import sparselab.log.RunRow;
import sparselab.log.SnapshotRow;
import sparselab.log.StoredEvent;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/** The dashboard's reads of the projections, shaped for the pages; nothing here writes. */
public final class RunQueries {
    private final EventLog log;

    public RunQueries(EventLog log) {
        this.log = log;
    }

    /** Runs newest first, filtered by status (effective, so "interrupted" works) and by text. */
    public List<RunView> list(String status, String q, Instant now) {
        String text = q == null ? "" : q.trim().toLowerCase(Locale.ROOT);
        List<RunView> out = new ArrayList<>();
        for (RunRow r : log.runs()) {
            RunView v = RunView.of(r, now);
            if (status != null && !status.isBlank() && !status.equals(v.status())) continue;
            if (!text.isEmpty() && !v.matches(text, r.configMap())) continue;
            out.add(v);
        }
        return out;
    }

    public List<MetricPoint> metrics(String runId) {
        return log.jdbi().withHandle(h -> h.createQuery("SELECT " + MetricPoint.COLUMNS + " FROM epoch_metrics WHERE run_id = :r ORDER BY epoch")
                .bind("r", runId).map((rs, ctx) -> MetricPoint.read(rs)).list());
    }

    /**
     * The per-unit rates of at most {@code maxRows} epochs, evenly spread over the run and always including the
     * last, rounded to 4 decimals: the heat map's data.
     */
    public RhoHatMap rhoHat(String runId, int maxRows) {
        List<Integer> epochs = log.jdbi().withHandle(h -> h.createQuery("SELECT epoch FROM epoch_metrics WHERE run_id = :r ORDER BY epoch")
                .bind("r", runId).mapTo(Integer.class).list());
        List<Integer> pick = spread(epochs, maxRows);
        List<Integer> outEpochs = new ArrayList<>();
        List<double[]> rows = new ArrayList<>();
        if (!pick.isEmpty()) {
            log.jdbi().useHandle(h -> h.createQuery("SELECT epoch, rho_hat FROM epoch_metrics WHERE run_id = :r AND epoch IN (<e>) ORDER BY epoch")
                    .bind("r", runId).bindList("e", pick)
                    .map((rs, ctx) -> new Object[] {rs.getInt(1), rs.getString(2)})
                    .forEach(o -> {
                        outEpochs.add((Integer) o[0]);
                        rows.add(round(Json.read((String) o[1], double[].class)));
                    }));
        }
        return new RhoHatMap(runId, outEpochs, rows.isEmpty() ? 0 : rows.get(0).length, rows);
    }

    /** At most {@code n} of the items, evenly spaced, first and last included. */
    static List<Integer> spread(List<Integer> items, int n) {
        if (items.size() <= n) return items;
        List<Integer> out = new ArrayList<>();
        for (int i = 0; i < n; i++) out.add(items.get((int) Math.round((double) i * (items.size() - 1) / (n - 1))));
        return out.stream().distinct().toList();
    }

    private static double[] round(double[] v) {
        for (int i = 0; i < v.length; i++) v[i] = Double.isFinite(v[i]) ? Math.round(v[i] * 1e4) / 1e4 : Double.NaN;
        return v;
    }

    /** The filter-shape measures of the run's snapshots, oldest first (non-finite values as null). */
    public List<MeasurePoint> measures(String runId) {
        return log.measures(runId).stream().map(MeasurePoint::of).toList();
    }

    /** The filter-shape measures of one weight snapshot (see sparselab.analysis.FilterMeasures); null where not computed. */
    public record MeasurePoint(int epoch, Double locality, Double deadFraction, Double saturatedFraction, Double lifetimeSparsity,
                               Double digitLikeness, Double strokeShare) {
        static MeasurePoint of(sparselab.log.MeasuresRow m) {
            return new MeasurePoint(m.epoch(), RunView.fin(m.locality()), RunView.fin(m.deadFraction()), RunView.fin(m.saturatedFraction()),
                    RunView.fin(m.lifetimeSparsity()), RunView.fin(m.digitLikeness()), RunView.fin(m.strokeShare()));
        }
    }

    public List<SnapshotInfo> snapshots(String runId) {
        return log.snapshots(runId).stream().map(SnapshotInfo::of).toList();
    }

    /**
     * The run's events for its timeline, oldest first; an epoch's per-unit rates are left out (they are in the
     * heat map and the JSON download) and replaced by their count.
     */
    public List<TimelineEvent> timeline(String runId) {
        List<TimelineEvent> out = new ArrayList<>();
        for (StoredEvent e : log.events(runId)) {
            ObjectNode payload = Json.MAPPER.valueToTree(e.event());
            if (e.event() instanceof RunEvent.EpochCompleted m) {
                payload.remove("rhoHat");
                payload.put("units", m.rhoHat().length);
            }
            out.add(new TimelineEvent(e.seq(), e.type(), e.at(), payload));
        }
        return out;
    }

    /** One event of a run's timeline. */
    public record TimelineEvent(long seq, String type, String at, JsonNode payload) {}

    /** Per-unit activation rates over epochs: {@code rows[i][j]} is unit j's rate after {@code epochs[i]}. */
    public record RhoHatMap(String runId, List<Integer> epochs, int units, List<double[]> rows) {}

    /** One stored weight snapshot: its epoch and shapes (the bytes are served by the gallery). */
    public record SnapshotInfo(int epoch, int hidden, int visible, int imageRows, int imageCols, String blob) {
        static SnapshotInfo of(SnapshotRow s) {
            RunEvent.WeightSnapshot w = s.event();
            return new SnapshotInfo(s.epoch(), w.hidden(), w.visible(), w.imageRows(), w.imageCols(), s.blob());
        }
    }
}
