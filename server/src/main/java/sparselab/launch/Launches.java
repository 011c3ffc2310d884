package sparselab.launch;

import sparselab.config.ConfigException;
import sparselab.config.ConfigLoader;
import sparselab.config.ConfigKeys;
import sparselab.config.Presets;
import sparselab.config.RunConfig;
import sparselab.log.RunRow;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Queues runs from the web: validates a launch request with the configuration's own rules, creates the run (a
 * {@code created} event, status queued) and wakes the pool. A refused request writes nothing.
 */
public final class Launches {
    private final RunCreator creator;
    private final LaunchPool pool;

    public Launches(RunCreator creator, LaunchPool pool) {
        this.creator = creator;
        this.pool = pool;
    }

    /** Validates and queues; throws {@link ConfigException} with every field error. */
    public String launch(LaunchRequest req, String origin) {
        String data = req.config().get("data");
        if (data != null && data.trim().startsWith("idx:")) {
            throw new ConfigException("data", "idx:PATH data cannot be launched from the web (the server opens no path a client sends); "
                    + "use mnist or bars, or launch from the command line");
        }
        if (req.group() != null && req.group().length() > 80) throw new ConfigException("group", "at most 80 characters");
        RunConfig config = ConfigLoader.resolve(req.preset(), req.config());
        String id = creator.create(config, req.preset(), origin, req.group());
        pool.wake();
        return id;
    }

    /** Queues the run's non-sparse twin: the same configuration with beta = 0, in the same group. */
    public String twin(RunRow r) {
        RunConfig twin = ConfigKeys.build(r.configMap()).nonSparseTwin();
        String group = r.runGroup() != null ? r.runGroup() : r.runId();
        String id = creator.create(twin, r.preset(), "twin", group);
        pool.wake();
        return id;
    }

    /** Every key with its default, meaning and accepted values, for the launch form. */
    public static List<Map<String, String>> keys() {
        return ConfigKeys.all().stream().map(k -> {
            Map<String, String> m = new LinkedHashMap<>();
            m.put("name", k.name());
            m.put("default", k.defaultValue());
            m.put("doc", k.doc());
            m.put("values", k.values());
            return m;
        }).toList();
    }

    /** Every preset with the keys it sets. */
    public static Map<String, Map<String, String>> presets() {
        Map<String, Map<String, String>> m = new LinkedHashMap<>();
        for (String n : Presets.names()) m.put(n, new java.util.TreeMap<>(Presets.get(n)));
        return m;
    }
}
