package sparselab.groups;

import sparselab.runs.RunQueries;
import sparselab.runs.RunView;

import java.util.List;
import java.util.Map;

/**
 * A sweep or ladder as one table.
 *
 * @param kind    {@code ladder} (its runs carry ladder steps), {@code sweep}, or {@code group} (runs queued together otherwise)
 * @param from    a ladder's first run (A), else null
 * @param to      a ladder's last run (B), else null
 * @param keys    the table's key columns: a ladder's changed keys in step order, else the keys whose values differ between the runs
 * @param runs    the rows: a ladder by step, else in creation order
 * @param compare the runs the comparison opens (the first 8)
 * @param points  with replicates (runs that differ only by seed): one entry per ladder step or per combination of the
 *                swept values other than the seed, with mean, sd and 95% interval of each figure; else empty
 * @param effects a ladder with replicates: each step's change of the means from the previous step, with 95% Welch
 *                intervals; else empty
 */
public record GroupView(String name, String kind, String from, String to, List<String> keys, List<Row> runs, List<String> compare,
                        List<Replicates.Point> points, List<Replicates.Effect> effects) {

    /**
     * One run of the group.
     *
     * @param step         the ladder step, or null
     * @param changes      what the ladder step changed (key, value before, value after); empty otherwise
     * @param note         why the ladder step departs from the asked order, or null
     * @param values       the run's value of every key column
     * @param lastSnapshot the epoch of its last weight snapshot, or null
     * @param measures     its latest filter measures, or null
     */
    public record Row(RunView run, Integer step, List<Change> changes, String note, Map<String, String> values,
                      Integer lastSnapshot, RunQueries.MeasurePoint measures) {}

    /** One key a ladder step changed. */
    public record Change(String key, String from, String to) {}
}
