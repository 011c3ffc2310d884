package sparselab.runs;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import sparselab.store.EventLog;
import sparselab.store.RunFilter;
import sparselab.log.Json;
import sparselab.log.RunEvent;
import sparselab.log.RunRow;
import sparselab.log.SnapshotRow;
import sparselab.log.StoredEvent;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/** The dashboard's reads of the projections, shaped for the pages; nothing here writes. */
public final class RunQueries {
    private final EventLog log;

    public RunQueries(EventLog log) {
        this.log = log;
    }

    /**
     * One page of runs, newest first, filtered by status (effective, so "interrupted" works) and by text, in SQL.
     *
     * @param before the {@code seq} of the last run of the previous page, or null for the first page
     */
    public RunPage list(String status, String q, Long before, int limit, Instant now) {
        List<RunRow> rows = log.runsPage(new RunFilter(status, q), before, limit + 1, now);
        boolean more = rows.size() > limit;
        List<RunRow> page = rows.stream().limit(limit).toList();
        var measures = log.lastMeasures(page.stream().map(RunRow::runId).toList());
        var named = log.groupsNamed(page.stream().filter(r -> r.runGroup() == null).map(RunRow::runId).toList());
        var replays = replayFrom(page, now);
        var flags = log.flagCounts(page.stream().map(RunRow::runId).toList());
        var waiting = log.waitingWhy(page, now);
        List<RunView> out = page.stream().map(r -> RunView.of(r, now, measures.get(r.runId()), named.contains(r.runId()), replays.get(r.runId()),
                flags.getOrDefault(r.runId(), 0L), waiting.get(r.runId()))).toList();
        return new RunPage(out, more && !out.isEmpty() ? out.get(out.size() - 1).seq() : null);
    }

    /** One run as the runs table shows it, with its newest filter measures. */
    public RunView view(RunRow r, Instant now) {
        return RunView.of(r, now, log.lastMeasures(List.of(r.runId())).get(r.runId()),
                r.runGroup() == null && !log.groupsNamed(List.of(r.runId())).isEmpty(), replayFrom(List.of(r), now).get(r.runId()),
                log.flagCounts(List.of(r.runId())).getOrDefault(r.runId(), 0L), log.waitingWhy(List.of(r), now).get(r.runId()));
    }

    /**
     * A resume or takeover restores the run's last checkpoint and trains the epochs after it again without logging them
     * (training is deterministic; the log never holds an epoch twice), so meanwhile the run's progress stands still.
     * Of each of the runs that is so, the epoch its trainer started from: the run is running, its newest start is from
     * below its last logged epoch, and no epoch has been logged since; the others are left out. The log is asked once,
     * for the running runs with epochs logged whose last checkpoint is older than their last epoch (a replay starts from
     * the last checkpoint, and writes no newer one before it logs an epoch).
     */
    public Map<String, Integer> replayFrom(List<RunRow> rows, Instant now) {
        List<RunRow> maybe = rows.stream().filter(r -> r.epochsDone() > 0 && "running".equals(r.effectiveStatus(now))
                && (r.lastCheckpointEpoch() == null ? 0 : r.lastCheckpointEpoch()) < r.epochsDone()).toList();
        if (maybe.isEmpty()) return Map.of();
        Map<String, RunEvent.Started> starts = log.startsSinceLastEpoch(maybe.stream().map(RunRow::runId).toList());
        Map<String, Integer> out = new java.util.HashMap<>();
        for (RunRow r : maybe) {
            RunEvent.Started s = starts.get(r.runId());
            if (s != null && s.fromEpoch() < r.epochsDone()) out.put(r.runId(), s.fromEpoch());
        }
        return out;
    }

    /** A page of the runs list and the cursor of the next page (null on the last page). */
    public record RunPage(List<RunView> runs, Long next) {}

    /** The run's figures, read {@link MetricsExport#FIGURES_AT_ONCE} epochs at a time (the first page read now). */
    public MetricsExport.Pages figures(String runId) { return MetricsExport.Pages.of(log, runId, MetricsExport.FIGURES_AT_ONCE); }

    /** The run's curves as the run page draws them: every epoch up to {@link Curves#POINTS}, else thinned (see there). */
    public Curves.RunCurves curves(RunRow r) { return Curves.of(log, r.runId(), r.divergedEpoch()); }

    /**
     * One process that trains this log's runs, as the workers view shows it; alive when its heartbeat is recent.
     * {@code kind}: {@code worker} ({@code sparselab worker}), {@code pool} (a dashboard's pool), or {@code trainer}: a
     * trainer of its own ({@code train}, {@code resume}), named by its host:pid as its run's worker column says it,
     * listed while its run is running (its heartbeat is the run's).
     */
    public record WorkerView(String name, String kind, String host, long pid, int slots, List<String> runs, String startedAt,
                             String heartbeatAt, boolean alive, boolean stopped) {}

    /** How many running runs the workers view reads for its trainers of their own, newest first (a log trains far fewer at once). */
    static final int TRAINERS_READ = 1000;

    /**
     * Every worker and pool that ever served the log, most recent first, then the trainers of their own that train a
     * run now. A worker that is not alive trains nothing: its runs are empty (a worker killed with kill -9 kept the
     * runs of its last heartbeat, since taken over or ended).
     */
    public List<WorkerView> workers(Instant now) {
        Instant cutoff = now.minus(RunRow.HEARTBEAT_TIMEOUT);
        List<WorkerView> out = new ArrayList<>();
        java.util.Set<String> listed = new java.util.HashSet<>();         // the runs of the live workers and pools
        java.util.Set<String> alives = new java.util.HashSet<>(), names = new java.util.HashSet<>();
        for (sparselab.store.WorkerInfo w : log.workers()) {
            boolean alive = !w.stopped() && w.heartbeatAt() != null && Instant.parse(w.heartbeatAt()).isAfter(cutoff);
            names.add(w.name());
            if (alive) {
                listed.addAll(w.runs());
                alives.add(w.name());
            }
            out.add(new WorkerView(w.name(), sparselab.runs.WorkerLoop.isPool(w) ? "pool" : "worker", w.host(), w.pid(), w.slots(),
                    alive ? w.runs() : List.of(), w.startedAt(), w.heartbeatAt(), alive, w.stopped()));
        }
        // every run whose trainer beats now (the runs list's "running", in SQL) that no live worker or pool lists: a
        // trainer of its own, or one a dashboard's pool started before that dashboard stopped
        List<RunRow> trainers = log.runsPage(new sparselab.store.RunFilter("running", null), null, TRAINERS_READ, now).stream()
                // a live worker's run before its next beat lists it is that worker's
                .filter(r -> !listed.contains(r.runId()) && !alives.contains(r.worker())).toList();
        // a trainer of its own started when it started its run (its newest `started` event)
        Map<String, String> startedAt = trainers.isEmpty() ? Map.of() : log.lastStartedAt(trainers.stream().map(RunRow::runId).toList());
        for (RunRow r : trainers) {
            // named as the runs table names it, unless that is a stopped pool's or worker's name: then by its process
            String name = r.worker() != null && !names.contains(r.worker()) ? r.worker() : r.host() + ":" + r.pid();
            out.add(new WorkerView(name, "trainer", r.host(), r.pid() == null ? 0 : r.pid(), 1, List.of(r.runId()), startedAt.get(r.runId()),
                    r.heartbeatAt(), true, false));
        }
        return out;
    }

    /**
     * The JSON export of a run (the command line's {@code export --format json} writes the same document), read as far
     * as it can be before its answer begins.
     */
    public MetricsExport.Prepared export(RunRow r) {
        return MetricsExport.prepared(log, r);
    }

    /**
     * The per-unit rates of at most {@code maxRows} epochs, evenly spread over the run and always including the
     * last, rounded to 4 decimals: the heat map's data. A run of more than {@link Curves#POINTS} epochs is not read whole
     * for it: its rows are picked among the multiples of a stride (and its first and last epoch), at most {@code maxRows}.
     */
    public RhoHatMap rhoHat(String runId, int maxRows) {
        sparselab.store.EventLog.EpochRange range = log.epochRange(runId);
        int atMost = Math.min(maxRows, Curves.POINTS);         // changes nothing for a run of up to POINTS epochs
        List<Integer> pick = range.count() <= Curves.POINTS ? spread(log.epochs(runId), maxRows)
                : spread(log.epochsEvery(runId, Curves.strideFor(range.lastEpoch(), atMost),
                        range.firstEpoch(), range.lastEpoch()), atMost);
        List<Integer> outEpochs = new ArrayList<>();
        List<double[]> rows = new ArrayList<>();
        log.rhoHat(runId, pick).forEach((epoch, rates) -> {
            outEpochs.add(epoch);
            rows.add(round(rates));
        });
        return new RhoHatMap(runId, outEpochs, rows.isEmpty() ? 0 : rows.get(0).length, rows);
    }

    /** At most {@code n} of the items, evenly spaced, first and last included. */
    static <T> List<T> spread(List<T> items, int n) {
        if (items.size() <= n) return items;
        List<T> out = new ArrayList<>();
        for (int i = 0; i < n; i++) out.add(items.get((int) Math.round((double) i * (items.size() - 1) / (n - 1))));
        return out.stream().distinct().toList();
    }

    private static double[] round(double[] v) {
        for (int i = 0; i < v.length; i++) v[i] = Double.isFinite(v[i]) ? Math.round(v[i] * 1e4) / 1e4 : Double.NaN;
        return v;
    }

    /**
     * Some of a run's snapshots or their measures, oldest first: all of them up to {@link Curves#POINTS}, else that many
     * evenly spaced, the first and the newest included (a run with {@code snapshotEvery=1} may have hundreds of
     * thousands: an answer, a page's list of them, would be tens of megabytes); {@code total}: how many the run has.
     */
    public record Listed<T>(List<T> items, int total) {}

    /** The epochs of the run's snapshots that {@link #snapshots} lists (their rows are not read). */
    public static List<Integer> listedSnapshotEpochs(EventLog log, String runId) {
        return spread(log.snapshotEpochs(runId), Curves.POINTS);
    }

    /** {@link #listedSnapshotEpochs(EventLog, String)} in this log. */
    public List<Integer> snapshotEpochs(String runId) {
        return listedSnapshotEpochs(log, runId);
    }

    /**
     * The filter-shape measures of the run's snapshots, oldest first (non-finite values as null), {@link Listed}: when
     * the snapshots are more than an answer holds, the measures of those {@link #snapshots} lists, so that a page finds
     * each listed snapshot's own.
     */
    public Listed<MeasurePoint> measures(String runId) {
        List<Integer> snapshots = log.snapshotEpochs(runId);
        if (snapshots.size() <= Curves.POINTS) {
            List<MeasurePoint> all = log.measures(runId).stream().map(MeasurePoint::of).toList();
            return new Listed<>(all, all.size());
        }
        return new Listed<>(log.measuresAt(runId, spread(snapshots, Curves.POINTS)).stream().map(MeasurePoint::of).toList(),
                (int) log.measureCount(runId));
    }

    /** The filter-shape measures of one weight snapshot (see sparselab.analysis.FilterMeasures); null where not computed. */
    public record MeasurePoint(int epoch, Double locality, Double deadFraction, Double saturatedFraction, Double lifetimeSparsity,
                               Double digitLikeness, Double strokeShare) {
        public static MeasurePoint of(sparselab.log.MeasuresRow m) {
            return new MeasurePoint(m.epoch(), RunView.fin(m.locality()), RunView.fin(m.deadFraction()), RunView.fin(m.saturatedFraction()),
                    RunView.fin(m.lifetimeSparsity()), RunView.fin(m.digitLikeness()), RunView.fin(m.strokeShare()));
        }
    }

    /** The run's weight snapshots, oldest first, {@link Listed}. */
    public Listed<SnapshotInfo> snapshots(String runId) {
        List<Integer> epochs = log.snapshotEpochs(runId);      // their rows only for those listed
        var rows = epochs.size() <= Curves.POINTS ? log.snapshots(runId) : log.snapshotsAt(runId, spread(epochs, Curves.POINTS));
        return new Listed<>(rows.stream().map(SnapshotInfo::of).toList(), epochs.size());
    }

    /**
     * The run's newest {@code limit} events before seq {@code beforeSeq} for its timeline, oldest of them first; an epoch's per-unit rates are
     * left out (they are in the heat map and the JSON download) and replaced by their count. Only those events are
     * read: a run of 1,000 epochs (H = 196) took 116 ms a request when the timeline read all of them, and the run
     * page asks again at every new epoch.
     */
    public List<TimelineEvent> timeline(String runId, long beforeSeq, int limit) {
        List<TimelineEvent> out = new ArrayList<>();
        for (StoredEvent e : log.eventsTail(runId, beforeSeq, limit)) {
            ObjectNode payload = Json.MAPPER.valueToTree(e.event());
            if (e.event() instanceof RunEvent.EpochCompleted m) {
                payload.remove("rhoHat");
                payload.put("units", m.rhoHat().length);
            }
            out.add(new TimelineEvent(e.seq(), e.type(), e.at(), payload));
        }
        return out;
    }

    /** One event of a run's timeline. */
    public record TimelineEvent(long seq, String type, String at, JsonNode payload) {}

    /** Per-unit activation rates over epochs: {@code rows[i][j]} is unit j's rate after {@code epochs[i]}. */
    public record RhoHatMap(String runId, List<Integer> epochs, int units, List<double[]> rows) {}

    /** One stored weight snapshot: its epoch and shapes (the bytes are served by the gallery). */
    public record SnapshotInfo(int epoch, int hidden, int visible, int imageRows, int imageCols, String blob) {
        static SnapshotInfo of(SnapshotRow s) {
            RunEvent.WeightSnapshot w = s.event();
            return new SnapshotInfo(s.epoch(), w.hidden(), w.visible(), w.imageRows(), w.imageCols(), s.blob());
        }
    }
}
