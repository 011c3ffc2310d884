package sparselab.launch;

import sparselab.config.ConfigException;
import sparselab.config.ConfigLoader;
import sparselab.config.ConfigKeys;
import sparselab.config.Limits;
import sparselab.config.Presets;
import sparselab.config.RunConfig;
import sparselab.store.EventLog;
import sparselab.log.RunRow;
import sparselab.runs.Groups;
import sparselab.runs.RunActions;
import sparselab.store.StoreException;
import sparselab.runs.Ladder;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Queues runs from the web: validates a launch request with the configuration's own rules, creates the run (a
 * {@code created} event, status queued) and wakes the pool. A refused request writes nothing. The queue is bounded:
 * a launch that would take it over {@code maxQueuedRuns} is refused ({@link QueueFullException}); counting and
 * creating are one step, so concurrent launches cannot pass the bound together. A launch may name a new group or a
 * group of runs launched from the dashboard, never a sweep's or a ladder's (those are compared as one table).
 */
public final class Launches {
    /** Origins of runs a web launch may share a group with. */
    private static final Set<String> WEB_ORIGINS = Set.of("web", "twin");

    private final EventLog log;
    private final RunCreator creator;
    private final LaunchPool pool;
    private final int maxQueuedRuns;
    /** Runs being resumed, counted against the bound while their append is under way outside the monitor (guarded by this). */
    private final Set<String> resuming = new java.util.HashSet<>();

    private final sparselab.config.Limits limits;

    public Launches(EventLog log, RunCreator creator, LaunchPool pool, sparselab.config.Limits limits) {
        this.log = log;
        this.creator = creator;
        this.pool = pool;
        this.maxQueuedRuns = limits.maxQueuedRuns();
        this.limits = limits;
    }

    /** Validates and queues; throws {@link ConfigException} with every field error. */
    public String launch(LaunchRequest req, String origin) {
        String data = req.config().get("data");
        // in any case, as the configuration reads it (IDX:/etc/shadow is idx:/etc/shadow to the trainer)
        if (data != null && data.trim().toLowerCase(java.util.Locale.ROOT).startsWith("idx:")) {
            throw new ConfigException("data", "idx:PATH data cannot be launched from the web (the server opens no path a client sends); "
                    + "use mnist or bars, or launch from the command line");
        }
        // a refused group name and a refused configuration are said together: a form marks every field at fault at once
        List<ConfigException.FieldError> groupErrors = new java.util.ArrayList<>();
        if (req.group() != null) {
            try {
                Groups.checkName("group", req.group());
            } catch (ConfigException e) {
                groupErrors.addAll(e.fieldErrors());
            }
        }
        RunConfig config;
        try {
            config = ConfigLoader.resolve(req.preset(), req.config());
        } catch (ConfigException e) {
            if (groupErrors.isEmpty()) throw e;
            List<ConfigException.FieldError> all = new java.util.ArrayList<>(groupErrors);
            all.addAll(e.fieldErrors());
            throw e.withFieldErrors(all);
        }
        if (!groupErrors.isEmpty()) throw new ConfigException(groupErrors);
        if (config.data().startsWith("idx:")) {          // whatever spelling reached it: the server opens no path a client sends
            throw new ConfigException("data", "idx:PATH data cannot be launched from the web (the server opens no path a client sends); "
                    + "use mnist or bars, or launch from the command line");
        }
        String id;
        synchronized (this) {
            checkQueue(1);
            checkGroup(req.group());
            id = creator.create(config, Presets.canonical(req.preset()), origin, req.group(), null);
        }
        pool.wake();
        return id;
    }

    /** Refuses {@code adding} more runs when the queue would then hold more than {@code maxQueuedRuns}. */
    private void checkQueue(int adding) {
        int queued = queuedRuns();
        if (queued + adding > maxQueuedRuns) {
            throw new QueueFullException("the queue holds " + queued + (queued == 1 ? " run" : " runs") + (adding > 1 ? " and this would add " + adding : "")
                    + "; at most " + maxQueuedRuns + " may wait (" + Limits.QUEUED_RUNS + "): wait for queued runs to start, or cancel some");
        }
    }

    /** Runs waiting for a trainer, and those being resumed (each once, queued already or not). */
    private int queuedRuns() {
        // one count in SQL, not a walk over every run (which took seconds a launch with 100,000 runs); a resuming run
        // counts once whether its requeue has landed yet or not
        return resuming.size() + log.queuedCountExcept(List.copyOf(resuming));
    }

    /** Refuses a group that holds runs of a sweep, a ladder or the demo. */
    private void checkGroup(String group) {
        if (group == null) return;
        log.groupRuns(group).stream().filter(r -> !WEB_ORIGINS.contains(r.origin())).findFirst().ifPresent(r -> {
            throw new ConfigException("group", "'" + ConfigException.clip(group, 80) + "' is the group of a " + r.origin()
                    + "; a run launched here cannot join it: choose another name");
        });
    }

    /**
     * Queues the run's non-sparse twin: the same configuration with beta = 0, in the same group. A run with beta = 0
     * is its own twin, and a run whose twin {@code twinOf} finds has one: both refused ({@link StoreException.Conflict}),
     * nothing queued.
     */
    public String twin(RunRow r, java.util.function.Function<RunRow, String> twinOf) {
        RunConfig own = ConfigKeys.build(r.configMap());
        if (own.beta() == 0) {
            throw new StoreException.Conflict("run '" + r.runId() + "' has beta = 0 already: it is its own non-sparse twin");
        }
        RunConfig twin = own.nonSparseTwin();
        String group = r.runGroup() != null ? r.runGroup() : r.runId();
        String id;
        synchronized (this) {                   // looked up and created in one step: twins asked for at once make one
            String existing = twinOf.apply(r);
            if (existing != null) {
                throw new StoreException.Conflict("run '" + r.runId() + "' has a non-sparse twin already: " + existing
                        + " (resume it if it stopped; clone the run to train another)");
            }
            checkQueue(1);
            id = creator.create(twin, r.preset(), "twin", group, null);
        }
        pool.wake();
        return id;
    }

    /**
     * Queues a stopped run again ({@link RunActions#requeue}) within the queue's bound, as a launch: a resume that
     * would take the queue over {@code maxQueuedRuns} is refused ({@link QueueFullException}) and writes nothing.
     * Its place in the queue is reserved under the monitor and its append made outside it, so that a resume waiting
     * for a run that a stopped trainer holds (up to the log's lock wait) does not hold up other launches; resumes of
     * one run sent at once are settled by the append's own check (one queues it, the others get 409). Its remaining
     * epochs are checked against the limits in the append's transaction, where every other launch or resume, of this
     * dashboard or another process, is counted.
     */
    public void resume(RunActions actions, String runId) {
        synchronized (this) {
            actions.requireResumable(runId);               // a run already queued again is a 409, whether the queue is full or not
            checkQueue(1);
            resuming.add(runId);
        }
        try {
            actions.requeue(runId, limits);
        } finally {
            synchronized (this) {
                resuming.remove(runId);
            }
        }
        pool.wake();
    }

    /** One queued run of a ladder: its step, and its seed (each step is queued once per seed). */
    public record QueuedStep(int step, String runId, String seed, List<String> changedKeys, String note) {}

    /**
     * Queues the ablation ladder from run {@code a} to run {@code b} (see sparselab.runs.Ladder) in the new group
     * {@code group}; every step is planned and checked before the first is queued.
     */
    public List<QueuedStep> ladder(RunRow a, RunRow b, List<String> order, String group, int seeds) {
        List<Ladder.Step> steps = Groups.ladder(a, b, order);
        sparselab.runs.Sweeps.checkSeeds(seeds, steps.size());
        sparselab.runs.Sweeps.checkLadderSeeds(steps, seeds);
        // every step once per seed, the step's seed and the next ones, next to each other (as `ladder --seeds`)
        List<RunCreator.Spec> specs = new java.util.ArrayList<>();
        List<Ladder.Step> stepOf = new java.util.ArrayList<>();
        for (Ladder.Step s : steps) {
            RunConfig c = ConfigKeys.build(s.config());
            for (String seed : sparselab.runs.Sweeps.seedValues(c.seed(), seeds)) {
                specs.add(new RunCreator.Spec(seeds == 1 ? c : c.with("seed", seed), Groups.preset(a, b, s, steps.size()), "ladder", group,
                        Groups.tag(a, b, s, steps.size())));
                stepOf.add(s);
            }
        }
        List<QueuedStep> out = new java.util.ArrayList<>();
        synchronized (this) {
            checkQueue(specs.size());
            List<String> ids = creator.createAll(specs, group);
            for (int i = 0; i < ids.size(); i++) {
                Ladder.Step s = stepOf.get(i);
                // as text, as the configuration holds it: a seed above 2^53 is no exact number in a browser
                out.add(new QueuedStep(s.step(), ids.get(i), Long.toString(specs.get(i).config().seed()), s.changedKeys(), s.note()));
            }
        }
        pool.wake();
        return out;
    }

    /**
     * Every key with its default, meaning, accepted values and input (kind, choices, range; see ConfigKeys.Input),
     * for the launch form. The data key's choices are those a web launch accepts (no idx: paths).
     */
    public static List<Map<String, Object>> keys() {
        return ConfigKeys.all().stream().map(k -> {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("name", k.name());
            m.put("default", k.defaultValue());
            m.put("doc", k.doc());
            m.put("values", k.values());
            m.put("input", k.input());
            return m;
        }).toList();
    }

    /**
     * The keys that have no effect on a run of {@code preset} (may be null or unknown: none) with {@code given} over it,
     * with the reason ({@link ConfigKeys#ignored}), for the launch form to grey as the run page does. Unknown keys and
     * values are left to the launch's own checks.
     */
    public static Map<String, String> ignored(String preset, Map<String, String> given) {
        if (preset != null) preset = preset.trim();                   // as a launch reads its preset (JsonBody.optionalText)
        List<ConfigException.FieldError> errors = new java.util.ArrayList<>();
        if (preset != null && !preset.isEmpty() && !Presets.names().contains(Presets.canonical(preset))) {
            errors.add(new ConfigException.FieldError("preset", "unknown preset '" + ConfigException.clip(preset, 60) + "'; known: "
                    + String.join(", ", Presets.names())));
        }
        given.keySet().stream().filter(k -> !ConfigKeys.exists(k)).limit(5)
                .forEach(k -> errors.add(new ConfigException.FieldError(k, ConfigKeys.unknownKey(k))));
        if (!errors.isEmpty()) throw new ConfigException(errors);     // a typo answers, as everywhere, instead of being dropped
        Map<String, String> m = new LinkedHashMap<>(RunConfig.defaults().toMap());
        if (preset != null && !preset.isEmpty()) m.putAll(Presets.get(preset));
        given.forEach((k, v) -> { if (!v.isBlank()) m.put(k, v.trim()); });
        return ConfigKeys.ignored(m);
    }

    /** Every preset with the keys it sets. */
    public static Map<String, Map<String, String>> presets() {
        Map<String, Map<String, String>> m = new LinkedHashMap<>();
        for (String n : Presets.names()) m.put(n, new java.util.TreeMap<>(Presets.get(n)));
        return m;
    }
}
