package sparselab.runs;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import sparselab.config.ConfigException;
import sparselab.config.ConfigKeys;
import sparselab.store.EventLog;
import sparselab.log.RunEvent;
import sparselab.log.RunRow;

import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Runs queued together under one group name (a sweep, a ladder): naming a new group, listing its runs in creation
 * order, planning a ladder between two logged runs, and running a group's queued runs one after another.
 */
public final class Groups {
    private static final Logger LOG = LoggerFactory.getLogger(Groups.class);
    /**
     * Letters and digits of any script (as a tag's), or {@code _.:+-}, not starting with {@code -} (the command line
     * would read {@code group -x} as an option).
     */
    private static final Pattern NAME = Pattern.compile("(?!-)[\\p{L}\\p{N}_.:+-]{1,80}");

    private Groups() {}

    /**
     * The name of a new group: {@code given} when it is 1 to 80 letters, digits or {@code _.:+-} and no run of the
     * log has it yet, else refused naming {@code name}; without one, {@code prefix-xxxxxx}.
     */
    public static String newName(EventLog log, String given, String prefix) {
        if (given != null && given.isBlank()) throw new ConfigException("name", "empty; give 1 to 80 letters, digits or _.:+-, or leave it out");
        String name = given == null ? prefix + "-" + EventLog.newRunId().substring(1, 7) : given.trim();
        checkName("name", name);
        if (!runIds(log, name).isEmpty()) throw new ConfigException("name", "the group '" + name + "' exists already; choose another name");
        return name;
    }

    /** Refuses, naming {@code field}, a group name that is not 1 to 80 letters, digits or {@code _.:+-}. */
    public static void checkName(String field, String name) {
        if (name == null || !NAME.matcher(name).matches()) {
            throw new ConfigException(field, "'" + ConfigException.clip(String.valueOf(name), 80) + "' is not a group name (1 to 80 letters, digits or _.:+-, not starting with -)");
        }
    }

    /** The group's runs, in creation order. */
    public static List<String> runIds(EventLog log, String group) {
        return log.groupRuns(group).stream().map(RunRow::runId).toList();
    }

    /** The group's queued runs (no cancel asked), in creation order. */
    public static List<String> queued(EventLog log, String group) {
        return log.groupQueued(group);
    }

    /**
     * Trains the group's queued runs one at a time, oldest first, until none is left; a run another process claimed
     * in the meantime is skipped. New runs queued in the group while it works are taken too.
     *
     * @return how many runs this call trained
     */
    public static int runQueued(EventLog log, String group, RunExecutor executor) {
        Set<String> tried = new HashSet<>();
        int trained = 0;
        while (true) {
            String next = queued(log, group).stream().filter(id -> !tried.contains(id)).findFirst().orElse(null);
            if (next == null) return trained;
            tried.add(next);
            RunExecutor.Outcome o = executor.execute(next, false);
            if (o.status().equals("refused")) {
                LOG.info("group {}: run {} skipped: {}", group, next, o.message());
            } else {
                trained++;
                LOG.info("group {}: run {} {}", group, next, o.status());
            }
        }
    }

    /** The ladder from run {@code a} to run {@code b}: their configurations as the keys now read them, planned by {@link Ladder}. */
    public static List<Ladder.Step> ladder(RunRow a, RunRow b, List<String> order) {
        if (a.runId().equals(b.runId())) throw new ConfigException("runs", "a ladder needs two different runs");
        java.util.Set<String> seen = new java.util.HashSet<>();
        for (String k : order == null ? List.<String>of() : order) {
            if (!k.isBlank() && !seen.add(k.trim())) throw new ConfigException("order", "'" + ConfigException.clip(k.trim(), 40) + "' is given twice");
        }
        Map<String, String> ca = ConfigKeys.build(a.configMap()).toMap();
        Map<String, String> cb = ConfigKeys.build(b.configMap()).toMap();
        return Ladder.plan(ca, cb, order == null ? List.of() : order);
    }

    /** What a ladder step's {@code created} event records. */
    public static RunEvent.LadderStep tag(RunRow a, RunRow b, Ladder.Step s, int steps) {
        return new RunEvent.LadderStep(a.runId(), b.runId(), s.step(), steps, s.changedKeys(), s.note());
    }

    /**
     * The preset a ladder step came from: A's at step 0, B's at the last step; in between, the preset A and B share
     * (a ladder within one preset), else none.
     */
    public static String preset(RunRow a, RunRow b, Ladder.Step s, int steps) {
        if (s.step() == 0) return a.preset();
        if (s.step() == steps - 1) return b.preset();
        return a.preset() != null && a.preset().equals(b.preset()) ? a.preset() : null;
    }
}
