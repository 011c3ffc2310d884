package sparselab.runs;

import sparselab.config.ConfigException;
import sparselab.config.RunConfig;
import sparselab.data.DataSets;
import sparselab.data.Dataset;
import sparselab.store.EventLog;
import sparselab.log.RunEvent;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/** Creating runs: checked configuration, loadable data, one {@code created} event. */
public final class Runs {
    private Runs() {}

    /** The folder of the demo digits and other fetched data: $SPARSELAB_DATA, else ./data. */
    public static Path dataDir() {
        String env = System.getenv("SPARSELAB_DATA");
        return Path.of(env == null || env.isBlank() ? "data" : env).toAbsolutePath();
    }

    /**
     * Checks that the run's data set loads (so a refused file never becomes a run), then appends its
     * {@code created} event; the run is queued. A relative {@code idx:} path is made absolute, so that a
     * trainer started elsewhere reads the same file.
     *
     * @return the new run's id
     */
    public static String create(EventLog log, RunConfig cfg, String preset, String origin, String group) {
        return append(log, prepare(List.of(cfg)).get(0), preset, origin, group, null);
    }

    /** A configuration whose data set loaded: ready to become a run. */
    public record Prepared(RunConfig config, String dataFingerprint) {}

    /**
     * Loads the data set of every configuration (each distinct data set and limit once) before anything is
     * written, so that a group of runs is refused whole or queued whole.
     */
    public static List<Prepared> prepare(List<RunConfig> configs) {
        Map<String, String> fingerprints = new HashMap<>();
        List<Prepared> out = new ArrayList<>();
        for (RunConfig cfg : configs) {
            RunConfig c = absoluteData(cfg);
            String fp = fingerprints.computeIfAbsent(c.data() + "\n" + c.limit(), k -> {
                Dataset data = DataSets.load(c.data(), dataDir(), c.limit());
                if (data.count() < 2) throw new ConfigException("limit", "the data set has " + data.count() + " samples; at least 2 are needed");
                return data.fingerprint();
            });
            out.add(new Prepared(c, fp));
        }
        return out;
    }

    /** Appends the {@code created} event of a prepared run; {@code ladder} is its ladder step or null. */
    public static String append(EventLog log, Prepared p, String preset, String origin, String group, RunEvent.LadderStep ladder) {
        return log.create(new RunEvent.Created(p.config().toMap(), preset, p.dataFingerprint(), Provenance.current(), origin, group, ladder));
    }

    static RunConfig absoluteData(RunConfig cfg) {
        if (!cfg.data().startsWith("idx:")) return cfg;
        return cfg.with("data", "idx:" + Path.of(cfg.data().substring(4)).toAbsolutePath().normalize());
    }
}
