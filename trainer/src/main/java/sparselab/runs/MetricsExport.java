package sparselab.runs;

import sparselab.log.EpochMetrics;
import sparselab.log.Json;
import sparselab.log.MeasuresRow;
import sparselab.log.RunRow;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A run's per-epoch metrics as CSV (scalars) or a JSON document (scalars, rho_hat arrays, the config and the filter
 * measures of each snapshot); the filter measures alone as a second CSV, one row per snapshot epoch.
 */
public final class MetricsExport {
    private MetricsExport() {}

    /** The per-epoch CSV: {@link EpochMetrics#csv}, the same bytes as the web download. */
    public static String csv(List<EpochMetrics> rows) { return EpochMetrics.csv(rows); }

    public static final String MEASURES_CSV_HEADER = "epoch,locality,dead_fraction,saturated_fraction,lifetime_sparsity,digit_likeness";

    /** The filter measures of every snapshot epoch; a measure that is null (not computable) is an empty field. */
    public static String measuresCsv(List<MeasuresRow> rows) {
        StringBuilder sb = new StringBuilder(MEASURES_CSV_HEADER).append('\n');
        for (MeasuresRow r : rows) {
            sb.append(r.epoch()).append(',').append(v(r.locality())).append(',').append(v(r.deadFraction())).append(',')
                    .append(v(r.saturatedFraction())).append(',').append(v(r.lifetimeSparsity())).append(',')
                    .append(v(r.digitLikeness())).append('\n');
        }
        return sb.toString();
    }

    /** The document without filter measures. */
    public static Map<String, Object> json(RunRow run, List<EpochMetrics> rows, Map<Integer, double[]> rhoHat) {
        return json(run, rows, rhoHat, List.of());
    }

    /** The document: run, status, config, dataFingerprint, "epochs" (per epoch) and "measures" (per snapshot epoch). */
    public static Map<String, Object> json(RunRow run, List<EpochMetrics> rows, Map<Integer, double[]> rhoHat, List<MeasuresRow> measures) {
        Map<String, Object> doc = new LinkedHashMap<>();
        doc.put("run", run.runId());
        doc.put("status", run.status());
        doc.put("config", run.configMap());
        doc.put("dataFingerprint", run.dataFingerprint());
        List<Map<String, Object>> epochs = new java.util.ArrayList<>();
        for (EpochMetrics r : rows) {
            Map<String, Object> m = Json.MAPPER.convertValue(r, new com.fasterxml.jackson.core.type.TypeReference<LinkedHashMap<String, Object>>() {});
            m.put("rhoHat", rhoHat.get(r.epoch()));
            epochs.add(m);
        }
        doc.put("epochs", epochs);
        doc.put("measures", measures.stream().map(r -> {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("epoch", r.epoch());
            m.put("locality", r.locality());
            m.put("deadFraction", r.deadFraction());
            m.put("saturatedFraction", r.saturatedFraction());
            m.put("lifetimeSparsity", r.lifetimeSparsity());
            m.put("digitLikeness", r.digitLikeness());
            return m;
        }).toList());
        return doc;
    }

    private static String v(Object o) { return o == null ? "" : o.toString(); }
}
