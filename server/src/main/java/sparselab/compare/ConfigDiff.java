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
     * @param values  the key's text in each run, in the order of the runs (null where a run lacks the key)
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
            List<String> values = configs.stream().map(c -> c.get(k)).toList();
            boolean d = values.stream().distinct().count() > 1;
            var key = ConfigKeys.all().stream().filter(x -> x.name().equals(k)).findFirst();
            Row row = new Row(k, values, d, key.map(ConfigKeys.Key::defaultValue).orElse(null), key.map(ConfigKeys.Key::doc).orElse(""));
            (d ? differ : same).add(row);
        }
        List<Row> rows = new ArrayList<>(differ);
        rows.addAll(same);
        return new Diff(List.copyOf(runIds), rows, differ.size());
    }

}
