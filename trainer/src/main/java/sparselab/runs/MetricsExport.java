package sparselab.runs;

import sparselab.log.EpochRow;
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

    public static final String CSV_HEADER = "epoch,loss,recon,penalty,decay,mean_activation,mean_abs_sp,max_abs_sp,"
            + "clipped,clipped_fraction,diverged,heldout,seconds,samples_per_sec";

    public static String csv(List<EpochRow> rows) {
        StringBuilder sb = new StringBuilder(CSV_HEADER).append('\n');
        for (EpochRow r : rows) {
            sb.append(r.epoch()).append(',').append(v(r.loss())).append(',').append(v(r.recon())).append(',')
                    .append(v(r.penalty())).append(',').append(v(r.decay())).append(',').append(v(r.meanActivation())).append(',')
                    .append(v(r.meanAbsSp())).append(',').append(v(r.maxAbsSp())).append(',').append(v(r.clipped())).append(',')
                    .append(v(r.clippedFraction())).append(',').append(r.diverged()).append(',').append(v(r.heldout())).append(',')
                    .append(v(r.seconds())).append(',').append(v(r.samplesPerSec())).append('\n');
        }
        return sb.toString();
    }

    public static final String MEASURES_CSV_HEADER = "epoch,locality,dead_fraction,saturated_fraction,lifetime_sparsity,digit_likeness,stroke_share";

    /** The filter measures of every snapshot epoch; a measure that is null (not computable) is an empty field. */
    public static String measuresCsv(List<MeasuresRow> rows) {
        StringBuilder sb = new StringBuilder(MEASURES_CSV_HEADER).append('\n');
        for (MeasuresRow r : rows) {
            sb.append(r.epoch()).append(',').append(v(r.locality())).append(',').append(v(r.deadFraction())).append(',')
                    .append(v(r.saturatedFraction())).append(',').append(v(r.lifetimeSparsity())).append(',')
                    .append(v(r.digitLikeness())).append(',').append(v(r.strokeShare())).append('\n');
        }
        return sb.toString();
    }

    /** The document without filter measures. */
    public static Map<String, Object> json(RunRow run, List<EpochRow> rows) {
        return json(run, rows, List.of());
    }

    /** The document: run, status, config, dataFingerprint, "epochs" (per epoch) and "measures" (per snapshot epoch). */
    public static Map<String, Object> json(RunRow run, List<EpochRow> rows, List<MeasuresRow> measures) {
        Map<String, Object> doc = new LinkedHashMap<>();
        doc.put("run", run.runId());
        doc.put("status", run.status());
        doc.put("config", run.configMap());
        doc.put("dataFingerprint", run.dataFingerprint());
        List<Map<String, Object>> epochs = rows.stream().map(r -> {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("epoch", r.epoch());
            m.put("loss", r.loss());
            m.put("recon", r.recon());
            m.put("penalty", r.penalty());
            m.put("decay", r.decay());
            m.put("meanActivation", r.meanActivation());
            m.put("meanAbsSp", r.meanAbsSp());
            m.put("maxAbsSp", r.maxAbsSp());
            m.put("clipped", r.clipped());
            m.put("clippedFraction", r.clippedFraction());
            m.put("diverged", r.diverged());
            m.put("heldout", r.heldout());
            m.put("seconds", r.seconds());
            m.put("samplesPerSec", r.samplesPerSec());
            m.put("rhoHat", Json.read(r.rhoHat(), double[].class));
            return m;
        }).toList();
        doc.put("epochs", epochs);
        doc.put("measures", measures.stream().map(r -> {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("epoch", r.epoch());
            m.put("locality", r.locality());
            m.put("deadFraction", r.deadFraction());
            m.put("saturatedFraction", r.saturatedFraction());
            m.put("lifetimeSparsity", r.lifetimeSparsity());
            m.put("digitLikeness", r.digitLikeness());
            m.put("strokeShare", r.strokeShare());
            return m;
        }).toList());
        return doc;
    }

    private static String v(Object o) { return o == null ? "" : o.toString(); }
}
