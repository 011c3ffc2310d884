package sparselab.runs;

import sparselab.config.ConfigException;
import sparselab.config.RunConfig;
import sparselab.data.DataSets;
import sparselab.data.Dataset;
import sparselab.log.EventLog;
import sparselab.log.RunEvent;

import java.nio.file.Path;

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
        RunConfig c = absoluteData(cfg);
        Dataset data = DataSets.load(c.data(), dataDir(), c.limit());
        if (data.count() < 2) throw new ConfigException("limit", "the data set has " + data.count() + " samples; at least 2 are needed");
        return log.create(new RunEvent.Created(c.toMap(), preset, data.fingerprint(), Provenance.current(), origin, group));
    }

    static RunConfig absoluteData(RunConfig cfg) {
        if (!cfg.data().startsWith("idx:")) return cfg;
        return cfg.with("data", "idx:" + Path.of(cfg.data().substring(4)).toAbsolutePath().normalize());
    }
}
