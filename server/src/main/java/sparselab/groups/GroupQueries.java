package sparselab.groups;

import sparselab.config.ConfigKeys;
import sparselab.store.EventLog;
import sparselab.store.StoreException;
import sparselab.log.MeasuresRow;
import sparselab.log.RunEvent;
import sparselab.log.RunRow;
import sparselab.runs.RunQueries;
import sparselab.runs.RunView;

import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/** Reads a group of runs (a sweep, a ladder) from the projections and the runs' created events; writes nothing. */
public final class GroupQueries {
    private final EventLog log;
    private final RunQueries queries;

    public GroupQueries(EventLog log, RunQueries queries) {
        this.log = log;
        this.queries = queries;
    }

    public GroupView group(String name, Instant now) {
        List<RunRow> rows = new ArrayList<>(log.groupRuns(name));
        if (rows.isEmpty()) throw new StoreException.NotFound("group '" + sparselab.config.ConfigException.clip(name, 80) + "' not found");
        // the twin of a run in no group is filed under the run's id: that run belongs to the group too, first
        if (EventLog.isRunId(name) && rows.stream().noneMatch(r -> r.runId().equals(name))) {
            log.run(name).filter(r -> r.runGroup() == null).ifPresent(r -> rows.add(0, r));
        }
        Map<String, RunEvent.LadderStep> ladder = ladderSteps(rows.stream().map(RunRow::runId).toList());
        boolean isLadder = !ladder.isEmpty();
        if (isLadder) rows.sort(Comparator.comparing(r -> ladder.containsKey(r.runId()) ? ladder.get(r.runId()).step() : Integer.MAX_VALUE));
        List<Map<String, String>> configs = rows.stream().map(RunRow::configMap).toList();

        LinkedHashSet<String> keys = new LinkedHashSet<>();
        if (isLadder) {
            for (RunRow r : rows) if (ladder.containsKey(r.runId())) keys.addAll(ladder.get(r.runId()).changedKeys());
        }
        for (ConfigKeys.Key k : ConfigKeys.all()) {
            if (configs.stream().map(c -> c.get(k.name())).distinct().count() > 1) keys.add(k.name());
        }

        // each run's newest snapshot and measures alone: a run may have hundreds of thousands of others
        List<String> ids = rows.stream().map(RunRow::runId).toList();
        Map<String, Integer> lastSnapshots = log.lastSnapshotEpochs(ids);
        Map<String, MeasuresRow> lastMeasures = log.lastMeasures(ids);
        List<GroupView.Row> out = new ArrayList<>();
        for (int i = 0; i < rows.size(); i++) {
            RunRow r = rows.get(i);
            Map<String, String> c = configs.get(i);
            RunEvent.LadderStep step = ladder.get(r.runId());
            List<GroupView.Change> changes = new ArrayList<>();
            if (step != null) {
                int j = i - 1;                                   // the previous step, past this step's other seeds
                while (j >= 0 && ladder.containsKey(rows.get(j).runId()) && ladder.get(rows.get(j).runId()).step() == step.step()) j--;
                Map<String, String> before = j >= 0 ? configs.get(j) : Map.of();
                for (String k : step.changedKeys()) changes.add(new GroupView.Change(k, before.get(k), c.get(k)));
            }
            Map<String, String> values = new LinkedHashMap<>();
            for (String k : keys) values.put(k, c.get(k));
            MeasuresRow m = lastMeasures.get(r.runId());
            out.add(new GroupView.Row(queries.view(r, now), step == null ? null : step.step(), changes, step == null ? null : step.note(),
                    values, lastSnapshots.get(r.runId()), m == null ? null : RunQueries.MeasurePoint.of(m)));
        }
        String kind = isLadder ? "ladder" : rows.stream().allMatch(r -> Objects.equals(r.origin(), "sweep")) ? "sweep" : "group";
        RunEvent.LadderStep any = isLadder ? ladder.values().iterator().next() : null;
        List<String> compare = rows.stream().limit(8).map(RunRow::runId).toList();
        List<Replicates.Point> points = Replicates.points(out);
        return new GroupView(name, kind, any == null ? null : any.from(), any == null ? null : any.to(), List.copyOf(keys), out, compare,
                points, Replicates.effects(points));
    }

    /** The ladder step of each run that has one, from its created event. */
    private Map<String, RunEvent.LadderStep> ladderSteps(List<String> ids) {
        Map<String, RunEvent.LadderStep> out = new HashMap<>();
        log.created(ids).forEach((id, c) -> { if (c.ladder() != null) out.put(id, c.ladder()); });
        return out;
    }
}
