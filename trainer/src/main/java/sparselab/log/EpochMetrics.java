package sparselab.log;

import com.fasterxml.jackson.annotation.JsonPropertyOrder;

import java.util.List;
import java.util.function.Function;

/**
 * One epoch's figures, without the per-unit rates (those are H times larger and read on their own): the one record
 * the projection stores, the API serves, and both CSV exports (command line and web download) and the JSON export
 * write. A non-finite figure is null (JSON has no NaN or infinity; {@code diverged} says why it is missing).
 * Adding a figure means adding a component here, its column (a migration) and its line in docs/events.md.
 */
@JsonPropertyOrder({"epoch", "loss", "recon", "heldout", "penalty", "decay", "meanActivation", "meanAbsSp", "maxAbsSp",
        "clipped", "clippedFraction", "diverged", "seconds", "samplesPerSec"})
public record EpochMetrics(int epoch, Double loss, Double recon, Double heldout, Double penalty, Double decay,
                           Double meanActivation, Double meanAbsSp, Double maxAbsSp, Long clipped, Double clippedFraction,
                           boolean diverged, Double seconds, Double samplesPerSec) {

    public EpochMetrics {
        loss = finite(loss);
        recon = finite(recon);
        heldout = finite(heldout);
        penalty = finite(penalty);
        decay = finite(decay);
        meanActivation = finite(meanActivation);
        meanAbsSp = finite(meanAbsSp);
        maxAbsSp = finite(maxAbsSp);
        clippedFraction = finite(clippedFraction);
        seconds = finite(seconds);
        samplesPerSec = finite(samplesPerSec);
    }

    /** The figures of an {@code epoch_completed} event. */
    public static EpochMetrics of(RunEvent.EpochCompleted e) {
        return new EpochMetrics(e.epoch(), e.loss(), e.recon(), e.heldout(), e.penalty(), e.decay(), e.meanActivation(),
                e.meanAbsSp(), e.maxAbsSp(), e.clipped(), e.clippedFraction(), e.diverged(), e.seconds(), e.samplesPerSec());
    }

    public static Double finite(Double v) { return v == null || !Double.isFinite(v) ? null : v; }

    /** The CSV columns, in the order of the record's components (snake_case). */
    private static final List<Column> COLUMNS = List.of(
            new Column("epoch", EpochMetrics::epoch), new Column("loss", EpochMetrics::loss),
            new Column("recon", EpochMetrics::recon), new Column("heldout", EpochMetrics::heldout),
            new Column("penalty", EpochMetrics::penalty), new Column("decay", EpochMetrics::decay),
            new Column("mean_activation", EpochMetrics::meanActivation), new Column("mean_abs_sp", EpochMetrics::meanAbsSp),
            new Column("max_abs_sp", EpochMetrics::maxAbsSp), new Column("clipped", EpochMetrics::clipped),
            new Column("clipped_fraction", EpochMetrics::clippedFraction), new Column("diverged", EpochMetrics::diverged),
            new Column("seconds", EpochMetrics::seconds), new Column("samples_per_sec", EpochMetrics::samplesPerSec));

    private record Column(String name, Function<EpochMetrics, Object> value) {}

    public static final String CSV_HEADER = String.join(",", COLUMNS.stream().map(Column::name).toList());

    /**
     * One epoch's line of the per-epoch CSV ({@link #CSV_HEADER}, then a line per epoch; a null figure is an empty field:
     * the same bytes in the download and the export), its newline included: a long run's CSV is written a page of lines
     * at a time.
     */
    public static void appendCsv(StringBuilder sb, EpochMetrics r) {
        for (int i = 0; i < COLUMNS.size(); i++) {
            if (i > 0) sb.append(',');
            Object v = COLUMNS.get(i).value().apply(r);
            if (v != null) sb.append(v);
        }
        sb.append('\n');
    }
}
