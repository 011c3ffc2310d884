package sparselab.cli;

import sparselab.config.ConfigException;
import sparselab.log.RunRow;
import sparselab.store.EventLog;
import sparselab.store.RunFilter;

import java.util.List;

/**
 * A run named on the command line: found, or refused saying why it is none (a run id is "r" and ten hex digits) and,
 * for the start of an id, which run it begins (found 2026-12-03 by a walkthrough: {@code export rfce142e47}, the id
 * cut short by a character, was "no run rfce142e47" and nothing more).
 */
public final class RunLookup {
    private RunLookup() {}

    /** The run {@code id} of {@code log}, or exit 2 with {@link #notFound}. */
    public static RunRow require(EventLog log, String id) {
        return log.run(id).orElseThrow(() -> new ExitCodes.RefusedException(notFound(log, id)));
    }

    /** "no run X in LOG", then what X is not, or which run's id it begins. */
    public static String notFound(EventLog log, String id) {
        // an empty or blank id quoted, so that it reads as one ("no run  in" read as a typo)
        String said = "no run " + (id == null || id.isBlank() ? "'" + (id == null ? "" : id) + "'" : ConfigException.clip(id, 60)) + " in " + log.describe();
        String t = id == null ? "" : id.trim();
        if (t.matches("r[0-9a-f]{0,9}") && t.length() >= 4) {
            // the runs filter finds ids that contain the text; of those, the ones it begins (at most 3 named)
            List<String> starting = log.runsPage(new RunFilter(null, t), null, 50, log.clock().instant()).stream()
                    .map(RunRow::runId).filter(r -> r.startsWith(t)).limit(4).toList();
            if (starting.size() == 1) return said + "; did you mean " + starting.get(0) + "?";
            if (!starting.isEmpty()) {
                return said + "; " + (starting.size() > 3 ? "more than 3 runs' ids begin" : "the ids of " + String.join(", ", starting) + " begin")
                        + " with it: give one whole";
            }
        }
        if (!t.matches("r[0-9a-f]{10}")) return said + " (a run id is r and ten hex digits, as `./sparselab runs` lists them)";
        return said;
    }
}
