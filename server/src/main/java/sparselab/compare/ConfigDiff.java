package sparselab.compare;

import sparselab.config.ConfigKeys;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/** The configuration diff of several runs: every key, the keys that differ first, each group in the key table's order. */
public final class ConfigDiff {
    private ConfigDiff() {}

    /**
     * One key across the runs.
     *
     * @param values  the key's text in each run, in the order of the runs (a run logged before the key existed: its
     *                default; null for a key the current version does not know)
     * @param differs true when the runs do not all agree
     */
    public record Row(String key, List<String> values, boolean differs, String defaultValue, String doc) {}

    public record Diff(List<String> runIds, List<Row> rows, int differing) {}

    public static Diff of(List<String> runIds, List<Map<String, String>> configs) {
        Set<String> keys = new LinkedHashSet<>();
        ConfigKeys.all().forEach(k -> keys.add(k.name()));
        configs.forEach(c -> keys.addAll(c.keySet()));
        List<Row> differ = new ArrayList<>();
        List<Row> same = new ArrayList<>();
        for (String k : keys) {
            var key = ConfigKeys.all().stream().filter(x -> x.name().equals(k)).findFirst();
            // a run logged before a key existed ran with its default (keys are added with defaults that keep the old
            // behaviour: stopOn none, lrSchedule constant, ...), so it does not differ from a newer run at the default
            List<String> values = configs.stream().map(c -> c.containsKey(k) ? c.get(k) : key.map(ConfigKeys.Key::defaultValue).orElse(null)).toList();
            boolean d = values.stream().distinct().count() > 1;
            Row row = new Row(k, values, d, key.map(ConfigKeys.Key::defaultValue).orElse(null), key.map(ConfigKeys.Key::doc).orElse(""));
            (d ? differ : same).add(row);
        }
        List<Row> rows = new ArrayList<>(differ);
        rows.addAll(same);
        return new Diff(List.copyOf(runIds), rows, differ.size());
    }

}
