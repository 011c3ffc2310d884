package sparselab.runs;

import sparselab.config.ConfigException;
import sparselab.store.StoreException;
import sparselab.store.EventLog;
import sparselab.log.RunEvent;
import sparselab.log.RunRow;

import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.regex.Pattern;

/** What the dashboard may do to a run: cancel, tag, and check that it can be resumed. Every change is an appended event. */
public final class RunActions {
    private static final Pattern TAG = Pattern.compile("[\\p{L}\\p{N}_.:+-]{1,40}");
    private static final int MAX_TAGS = 20;

    /** What {@link #cancel(String, String, boolean)} answers, without {@code refuseAskedAgain}, for a run cancelled already. */
    public static final String CANCELLED_ALREADY = "cancelled already";

    private final EventLog log;
    private final Clock clock;
    private final long maxLogBytes;

    /** With the log's size limit of the environment. */
    public RunActions(EventLog log, Clock clock) {
        this(log, clock, sparselab.config.Limits.fromEnvironment().maxLogBytes());
    }

    /** @param maxLogBytes the log's size limit, past which tags are not changed */
    public RunActions(EventLog log, Clock clock, long maxLogBytes) {
        this.log = log;
        this.clock = clock;
        this.maxLogBytes = maxLogBytes;
    }

    public RunRow require(String runId) {
        return log.require(runId);
    }

    /**
     * Cancels a run. A queued run (or one whose trainer is gone) is cancelled at once: cancel_requested then
     * cancelled. A running run gets cancel_requested, which its trainer honours between batches; asking again while
     * that request stands is refused (409: "a cancel of run R is asked already"). The check and the append are one
     * step of the log ({@link EventLog#appendChecked}): cancels sent at once write these events once, and the others
     * find the run cancelled, or its cancel asked (409).
     *
     * @return the run's status after the request, or {@link #CANCELLED_ALREADY} (the command line's cancel of a run that
     *         had ended cancelled: nothing written)
     */
    public String cancel(String runId) {
        return cancel(runId, "web", true);
    }

    /**
     * {@link #cancel(String)}, asked by {@code by} (web, cli); with {@code refuseAskedAgain} false, a cancel of a run
     * whose cancel is asked already writes nothing and answers its status (the command line's {@code cancel}).
     */
    public String cancel(String runId, String by, boolean refuseAskedAgain) {
        Instant now = clock.instant();
        String[] after = new String[1];
        log.appendChecked(runId, r -> {
            // the command line's cancel: a run that ended cancelled since it was looked at (its trainer read an earlier
            // request) is as asked; nothing is written
            if (!refuseAskedAgain && r.status().equals("cancelled")) {
                after[0] = CANCELLED_ALREADY;
                return List.of();
            }
            if (r.ended()) throw new StoreException.Conflict("run '" + runId + "' is " + r.status() + "; there is nothing to cancel");
            boolean atOnce = "queued".equals(r.status()) || "interrupted".equals(r.effectiveStatus(now));
            if (refuseAskedAgain && r.cancelRequested() && !atOnce) {
                throw new StoreException.Conflict("a cancel of run " + runId + " is asked already; it ends after its current batch");
            }
            List<RunEvent> events = new ArrayList<>();
            if (!r.cancelRequested()) events.add(new RunEvent.CancelRequested(by));
            if (atOnce) {
                events.add(new RunEvent.Cancelled(r.epochsDone()));
                after[0] = "cancelled";
            } else {
                after[0] = r.status();
            }
            return events;
        });
        return after[0];
    }

    /**
     * A run can be resumed when it stopped early (interrupted, cancelled, failed) and its trainer is gone. A trainer
     * that is alive on this host (paused, say) is not gone: resuming next to it is refused.
     */
    public RunRow requireResumable(String runId) {
        RunRow r = require(runId);
        checkResumable(r, clock.instant(), log::workers);
        return r;
    }

    private void checkResumable(RunRow r, Instant now, java.util.function.Supplier<List<sparselab.store.WorkerInfo>> workers) {
        String why = whyNotResumable(r, now, workers);
        if (why != null) throw new StoreException.Conflict(why);
        // without a checkpoint the trainer starts again from epoch 0 and trains the logged epochs again without logging
        // them (training is deterministic), as `sparselab resume` and a worker's takeover do
    }

    /**
     * When this process last found the log answering again after it could not be reached (the dashboard's probe), or
     * null: for a heartbeat's lapse after it, a run that reads interrupted because its trainer beat last before the
     * log came back is no run to resume yet (see {@link #whyNotResumable}).
     */
    private volatile Instant logBack;

    /** The log answers again after it could not be reached (the dashboard's probe says so at {@code at}). */
    public void logAnsweredAgain(Instant at) {
        logBack = at;
    }

    /** Why run {@code r} cannot be resumed now, or null when it can. */
    private String whyNotResumable(RunRow r, Instant now, java.util.function.Supplier<List<sparselab.store.WorkerInfo>> workers) {
        String runId = r.runId(), status = r.effectiveStatus(now);
        boolean stoppedEarly = status.equals("interrupted") || status.equals("cancelled") || status.equals("failed");
        if (!stoppedEarly) return "run '" + runId + "' is " + status + "; only interrupted, cancelled or failed runs can be resumed";
        // an outage of the log stops every trainer's heartbeat with it: one that lived through it writes and beats again
        // within seconds of the log's return, and a resume before that would take the run from it (found 2026-12-04 by
        // a probe of many machines, for a worker's takeover; the worker waits as this does)
        Instant back = logBack;
        if (status.equals("interrupted") && back != null && now.isBefore(back.plus(RunRow.HEARTBEAT_TIMEOUT))
                && r.heartbeatAt() != null && Instant.parse(r.heartbeatAt()).isBefore(back)
                && !sparselab.log.ThisHost.trainerGone(r.host(), r.pid())) {     // a trainer of this host seen gone: at once
            return "run '" + runId + "' looks interrupted, but the log could not be reached until "
                    + java.time.Duration.between(back, now).toSeconds() + " s ago and its trainer (pid " + r.pid() + " on " + r.host()
                    + ") may write again; if it does not, it can be resumed in " + (java.time.Duration.between(now, back.plus(RunRow.HEARTBEAT_TIMEOUT)).toSeconds() + 1) + " s";
        }
        // the log's workers are read only for a run whose trainer process is alive here (rare): a worker's own process
        if (status.equals("interrupted") && !RunExecutor.trainerGone(r, now) && !RunExecutor.trainerGone(r, now, workers.get())) {
            return "run '" + runId + "' looks interrupted, but its trainer (pid " + r.pid() + " on " + r.host()
                    + ") is still alive (paused?); stop it first, or let it continue";
        }
        return null;
    }

    /**
     * Queues a resumable run again: the next trainer that claims it continues from its last checkpoint. The checks and
     * the append are one step of the log: resumes sent at once queue the run once, and the others find it queued (409);
     * resumes of different runs at once never take the log over its limit together (its remaining epochs are counted
     * against {@code limits} in the same transaction).
     */
    public void requeue(String runId, sparselab.config.Limits limits) {
        Instant now = clock.instant();
        // read before the append's transaction, which holds the log's connection on SQLite
        List<sparselab.store.WorkerInfo> workers = log.workers();
        sparselab.runs.Runs.requeue(log, runId, r -> {
            checkResumable(r, now, () -> workers);
            return List.of(new RunEvent.Requeued("web"));
        }, limits);
    }

    /** Replaces the run's tags (a {@code tagged} event); each tag is 1 to 40 letters, digits or _.:+- */
    public List<String> tag(String runId, List<String> tags) {
        require(runId);
        if (tags == null) throw new ConfigException("tags", "missing; send {\"tags\": [\"name\", ...]}");
        List<String> list = checkedTags(tags);
        return retag(runId, old -> {
            // the page sends the whole list back: a tag the run had before the rule below stays editable around
            refuseLeadingDash(list.stream().filter(t -> !old.contains(t)).toList());
            return list;
        });
    }

    /**
     * Adds {@code add} to the run's tags (after those it has) and takes {@code remove} away, in the append's transaction:
     * two edits of one run at once both count (the command line's {@code tag}). Every tag is checked first.
     */
    public List<String> editTags(String runId, List<String> add, List<String> remove) {
        require(runId);
        // a tag to remove is only compared: one no run could have is no error, however many are named
        List<String> adding = checkedTags(add), removing = remove.stream().map(String::trim).toList();
        refuseBoth(adding, removing);
        return retag(runId, old -> {
            refuseLeadingDash(adding.stream().filter(t -> !old.contains(t)).toList());
            LinkedHashSet<String> now = new LinkedHashSet<>(old);
            now.addAll(adding);
            removing.forEach(now::remove);
            if (now.size() > MAX_TAGS) throw new ConfigException("tags", "at most " + MAX_TAGS + " tags; run " + runId + " would have " + now.size());
            return new ArrayList<>(now);
        });
    }

    /**
     * The tags without spaces around them and without repeats, each checked: 1 to 40 letters, digits or _.:+-, at most
     * {@link #MAX_TAGS}. A control character anywhere is refused, not trimmed away ("a\u0000" was stored as "a").
     */
    static List<String> checkedTags(List<String> tags) {
        if (tags.size() > MAX_TAGS) throw new ConfigException("tags", "at most " + MAX_TAGS + " tags");
        LinkedHashSet<String> clean = new LinkedHashSet<>();
        for (String t : tags) {
            if (t == null || t.chars().anyMatch(Character::isISOControl) || !TAG.matcher(t.strip()).matches()) {
                throw new ConfigException("tags", "'" + ConfigException.clip(String.valueOf(t), 60) + "' is not a tag (1 to 40 letters, digits or _.:+-, not starting with -)");
            }
            clean.add(t.strip());
        }
        return new ArrayList<>(clean);
    }

    /**
     * Refuses a new tag that starts with '-', as a group's name (found 2026-12-04 by a new user: `runs -q -x` reads such
     * a tag as an option); a run's tags from before the rule are kept and may stay in a list sent back whole.
     */
    static void refuseLeadingDash(List<String> added) {
        for (String t : added) {
            if (t.startsWith("-")) throw new ConfigException("tags", "'" + ConfigException.clip(t, 60) + "' is not a tag (1 to 40 letters, digits or _.:+-, not starting with -)");
        }
    }

    /** Refuses a tag both added and removed (found 2026-12-04 by a new user: the add was dropped without a word). */
    static void refuseBoth(List<String> adding, List<String> removing) {
        List<String> both = adding.stream().filter(removing::contains).toList();
        if (!both.isEmpty()) {
            throw new ConfigException("tags", "'" + ConfigException.clip(both.get(0), 60) + "' is both added and removed; give it to one of the two");
        }
    }

    /** Sets the run's tags to what {@code edit} makes of its current ones, in one step of the log; the tags after it. */
    private List<String> retag(String runId, java.util.function.Function<List<String>, List<String>> edit) {
        // the same tags again write nothing; new ones count against the log's limit, as runs do
        long size = log.sizeBytes();
        List<List<String>> after = new ArrayList<>(List.of(List.of()));
        log.appendChecked(runId, r -> {
            List<String> list = edit.apply(r.tagList());
            after.set(0, list);
            if (r.tagList().equals(list)) return List.of();
            if (size >= maxLogBytes) {
                throw new ConfigException("maxLogBytes", "the log " + log.describe() + " has " + sparselab.config.Limits.bytes(size)
                        + ", at its limit of " + sparselab.config.Limits.bytes(maxLogBytes) + " (" + sparselab.config.Limits.LOG_BYTES
                        + "); tags are not changed");
            }
            return List.of(new RunEvent.Tagged(list));
        });
        return after.get(0);
    }

    /**
     * The run's non-sparse twin: another run whose configuration is {@code r}'s with beta = 0 (null when none, or
     * when {@code r} has beta 0). One that is not a run cancelled or failed before its first epoch first, then one
     * where the twin action queues it (r's group, or a group named after r), then the newest.
     */
    public String twinOf(RunRow r) {
        if ("0".equals(r.configMap().get("beta"))) return null;
        String twin = twinText(r);
        // one query (this was a walk over every run: 1.6 s a run page with 100,000 runs); every run is created with
        // its configuration's toMap(), so equal configurations are equal text
        return twin == null ? null : log.withConfig(twin, r.runId(), r.runGroup() != null ? r.runGroup() : r.runId());
    }

    /** At most this many sparse runs are named on a twin's page. */
    static final int MAX_SPARSE_NAMED = 10;

    /**
     * The runs whose non-sparse twin {@code t} is, newest first (at most {@link #MAX_SPARSE_NAMED}): the runs of its
     * group with beta &gt; 0 whose configuration with beta = 0 is {@code t}'s. A twin is queued into its sparse run's
     * group, or, for a run in no group, into a group named after that run, which is looked at too. Empty unless
     * {@code t} has beta = 0 and a group.
     */
    public List<String> sparseRunsOf(RunRow t) {
        if (!"0".equals(t.configMap().get("beta")) || t.runGroup() == null) return List.of();
        List<RunRow> candidates = new ArrayList<>(log.groupRuns(t.runGroup()));
        if (EventLog.isRunId(t.runGroup())) log.run(t.runGroup()).filter(r -> r.runGroup() == null).ifPresent(candidates::add);
        List<String> out = new ArrayList<>();
        candidates.stream()
                .filter(r -> !r.runId().equals(t.runId()) && !"0".equals(r.configMap().get("beta")))
                .sorted(java.util.Comparator.comparingLong(RunRow::createdSeq).reversed())
                .forEach(r -> {
                    if (out.size() < MAX_SPARSE_NAMED && t.config().equals(twinText(r))) out.add(r.runId());
                });
        return out;
    }

    /** The canonical text of {@code r}'s configuration with beta = 0, or null when it does not build. */
    private static String twinText(RunRow r) {
        try {
            return sparselab.log.Json.write(sparselab.config.ConfigKeys.build(r.configMap()).nonSparseTwin().toMap());
        } catch (ConfigException e) {
            return null;
        }
    }

    /** The actions that apply to a run in its present state. */
    public List<String> actionsFor(RunRow r) {
        List<String> a = new ArrayList<>();
        if (!r.ended()) a.add("cancel");
        // without a checkpoint: from the start, replaying the logged epochs; not next to a trainer alive here (paused)
        if (whyNotResumable(r, clock.instant(), log::workers) == null) a.add("resume");
        a.add("clone");
        if (!"0".equals(r.configMap().get("beta"))) a.add("twin");
        return a;
    }
}
