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
 * measures of each snapshot), written as a stream; the filter measures alone as a second CSV, one row per snapshot epoch.
 */
public final class MetricsExport {
    private MetricsExport() {}

    /** What writes an export as it is read, a chunk at a time (the dashboard's downloads, `sparselab export`). */
    public interface Chunks {
        void writeTo(java.io.Writer out) throws java.io.IOException;
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

    /** How many epochs' rates the JSON export reads and writes at a time: its memory, whatever the run's length. */
    public static final int EPOCHS_AT_ONCE = 200;

    /**
     * How many epochs' figures the streamed answers (the figures as JSON and CSV) read at a time: their memory, whatever
     * the run's length (a run may have 800,000 epochs within the default limits: 270 MB of JSON).
     */
    public static final int FIGURES_AT_ONCE = 2_000;

    /**
     * A run's epochs read a page at a time, in order: the first page is read when this is made, so that a log that cannot be
     * read fails before an answer has begun; each further page starts after the last epoch of the one before it.
     */
    public record Pages(sparselab.store.EventLog log, String runId, int size, List<EpochMetrics> first)
            implements Iterable<List<EpochMetrics>> {
        public static Pages of(sparselab.store.EventLog log, String runId, int size) {
            return new Pages(log, runId, size, log.metrics(runId, -1, size));
        }

        @Override
        public java.util.Iterator<List<EpochMetrics>> iterator() {
            return new java.util.Iterator<>() {
                private List<EpochMetrics> page = first;
                private boolean handedOut;          // the page is written already: the next is read when asked for

                @Override
                public boolean hasNext() {
                    if (handedOut) {
                        page = page.size() < size ? List.of() : log.metrics(runId, page.get(page.size() - 1).epoch(), size);
                        handedOut = false;
                    }
                    return !page.isEmpty();
                }

                @Override
                public List<EpochMetrics> next() {
                    if (!hasNext()) throw new java.util.NoSuchElementException();
                    handedOut = true;
                    return page;
                }
            };
        }
    }

    /** The figures of every epoch as one JSON array, {@code [{epoch, loss, ...}]}, written a page at a time. */
    public static void writeFigures(java.io.Writer out, Pages pages) throws java.io.IOException {
        try (com.fasterxml.jackson.core.JsonGenerator g = Json.MAPPER.createGenerator(out)) {
            g.disable(com.fasterxml.jackson.core.JsonGenerator.Feature.AUTO_CLOSE_TARGET);
            g.disable(com.fasterxml.jackson.core.JsonGenerator.Feature.AUTO_CLOSE_JSON_CONTENT);    // cut short: not whole
            g.writeStartArray();
            for (List<EpochMetrics> page : pages) {
                for (EpochMetrics m : page) g.writeObject(m);
                g.flush();
            }
            g.writeEndArray();
        }
    }

    /** The per-epoch CSV ({@link EpochMetrics#CSV_HEADER}, {@link EpochMetrics#appendCsv} for each epoch), written a page at a time. */
    public static void writeCsv(java.io.Writer out, Pages pages) throws java.io.IOException {
        out.write(EpochMetrics.CSV_HEADER + "\n");
        for (List<EpochMetrics> page : pages) {
            StringBuilder sb = new StringBuilder();
            for (EpochMetrics m : page) EpochMetrics.appendCsv(sb, m);
            out.write(sb.toString());
            out.flush();
        }
    }

    /**
     * A JSON export read as far as it can be before its first byte is written: the measures and the first
     * {@link #EPOCHS_AT_ONCE} epochs' figures and rates, so that a log that cannot be read (rates changed behind its back)
     * fails before an answer has begun (the dashboard's 500 naming it, not a 200 cut short). Later epochs are read as
     * written, their figures and rates {@link #EPOCHS_AT_ONCE} at a time.
     */
    public record Prepared(RunRow run, Pages rows, java.util.function.Function<List<Integer>, Map<Integer, String>> rates,
                           List<MeasuresRow> measures, Map<Integer, String> first) {
        public void writeTo(java.io.Writer out) throws java.io.IOException {
            write(out, this);
        }
    }

    /** {@link Prepared} of a run in a log. */
    public static Prepared prepared(sparselab.store.EventLog log, RunRow run) {
        Pages rows = Pages.of(log, run.runId(), EPOCHS_AT_ONCE);
        java.util.function.Function<List<Integer>, Map<Integer, String>> rates = e -> log.rhoHatJson(run.runId(), e);
        Map<Integer, String> first = rates.apply(rows.first().stream().map(EpochMetrics::epoch).toList());
        return new Prepared(run, rows, rates, log.measures(run.runId()), first);
    }

    private static void write(java.io.Writer out, Prepared p) throws java.io.IOException {
        RunRow run = p.run();
        List<MeasuresRow> measures = p.measures();
        try (com.fasterxml.jackson.core.JsonGenerator g = Json.MAPPER.createGenerator(out)) {
            g.disable(com.fasterxml.jackson.core.JsonGenerator.Feature.AUTO_CLOSE_TARGET);
            // a read that fails half way leaves the document unclosed, so that it cannot pass for a whole one
            g.disable(com.fasterxml.jackson.core.JsonGenerator.Feature.AUTO_CLOSE_JSON_CONTENT);
            g.writeStartObject();
            g.writeStringField("run", run.runId());
            g.writeStringField("status", run.status());
            g.writeObjectField("config", run.configMap());
            g.writeObjectField("dataFingerprint", run.dataFingerprint());
            g.writeArrayFieldStart("epochs");
            boolean firstPart = true;
            for (List<EpochMetrics> part : p.rows()) {
                Map<Integer, String> r = firstPart ? p.first() : p.rates().apply(part.stream().map(EpochMetrics::epoch).toList());
                firstPart = false;
                for (EpochMetrics m : part) {
                    Map<String, Object> fields = Json.MAPPER.convertValue(m, new com.fasterxml.jackson.core.type.TypeReference<LinkedHashMap<String, Object>>() {});
                    g.writeStartObject();
                    for (Map.Entry<String, Object> f : fields.entrySet()) g.writeObjectField(f.getKey(), f.getValue());
                    g.writeFieldName("rhoHat");
                    String a = r.get(m.epoch());
                    if (a == null) g.writeNull();
                    else g.writeRawValue(a);
                    g.writeEndObject();
                }
                g.flush();
            }
            g.writeEndArray();
            g.writeArrayFieldStart("measures");
            for (MeasuresRow m : measures) {
                g.writeStartObject();
                g.writeNumberField("epoch", m.epoch());
                g.writeObjectField("locality", m.locality());
                g.writeObjectField("deadFraction", m.deadFraction());
                g.writeObjectField("saturatedFraction", m.saturatedFraction());
                g.writeObjectField("lifetimeSparsity", m.lifetimeSparsity());
                g.writeObjectField("digitLikeness", m.digitLikeness());
                g.writeObjectField("strokeShare", m.strokeShare());
                g.writeEndObject();
            }
            g.writeEndArray();
            g.writeEndObject();
        }
    }

    /**
     * Writes the document: run, status, config, dataFingerprint, "epochs" (per epoch, with its "rhoHat") and
     * "measures" (per snapshot epoch). Streamed: the figures and the per-unit rates, most of the document (20,000 epochs
     * of 1,000 units are some 400 MB), are read {@link #EPOCHS_AT_ONCE} epochs at a time and the rates written as stored.
     */
    public static void writeJson(java.io.Writer out, sparselab.store.EventLog log, RunRow run) throws java.io.IOException {
        prepared(log, run).writeTo(out);
    }

    private static String v(Object o) { return o == null ? "" : o.toString(); }
}
