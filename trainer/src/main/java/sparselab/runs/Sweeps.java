package sparselab.runs;

import sparselab.config.ConfigException;
import sparselab.config.ConfigException.FieldError;
import sparselab.config.ConfigKeys;
import sparselab.config.RunConfig;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;

/**
 * The grid of a sweep, without side effects: a base configuration and swept keys give one configuration per point
 * of their cartesian product. Every point is checked before any is returned, so one bad value refuses the whole
 * sweep with the key and value named.
 */
public final class Sweeps {
    /** At most this many runs in one sweep. */
    public static final int MAX_RUNS = 1000;

    private Sweeps() {}

    /** A swept key and its values, in the order given. */
    public record Axis(String key, List<String> values) {}

    /** The {@code --set} strings split into fixed keys and swept keys (a value with commas is swept). */
    public record Settings(Map<String, String> fixed, List<Axis> axes) {}

    /** Digits in groups of three after the first, as a thousands separator writes them (1,000). */
    private static final java.util.regex.Pattern THOUSANDS = java.util.regex.Pattern.compile("[1-9][0-9]{0,2}(,[0-9]{3})+");

    /** One run of the sweep: the swept keys' values and the whole configuration. */
    public record Point(Map<String, String> swept, RunConfig config) {}

    /**
     * Splits {@code key=value} strings: {@code beta=0,0.1,1} is a swept key with three values, {@code hidden=64} a
     * fixed key. Refuses a missing '=', an empty value in a list, a value given twice, and a key swept twice; a key fixed twice
     * takes the last value ({@link sparselab.config.ConfigLoader#repeats} says so).
     */
    public static Settings parse(List<String> sets) {
        Map<String, String> fixed = new LinkedHashMap<>();
        Map<String, Axis> axes = new LinkedHashMap<>();
        List<FieldError> errors = new ArrayList<>();
        for (String s : sets == null ? List.<String>of() : sets) {
            int eq = s.indexOf('=');
            if (eq <= 0) {
                errors.add(new FieldError(s, "expected key=value or key=v1,v2,..."));
                continue;
            }
            String key = s.substring(0, eq).trim();
            String value = s.substring(eq + 1).trim();
            if (!value.contains(",")) {
                fixed.put(key, value);                  // the last, said by ConfigLoader.repeats
                continue;
            }
            // 1,000 or 0,001: a thousands separator or a decimal comma, not the values 1 and 000 (or 0 and 001): a value
            // after the first with a leading zero is nobody's way to write a number
            String[] items = value.split(",", -1);
            if (java.util.Arrays.stream(items).skip(1).anyMatch(v -> v.trim().matches("0[0-9]+"))) {
                String meant = THOUSANDS.matcher(value).matches() ? "a number is written without separators: " + value.replace(",", "")
                        : items.length == 2 && value.matches("[0-9]+,[0-9]+") ? "a decimal takes a point: " + value.replace(',', '.')
                        : "a number is written without separators, and a decimal with a point";
                errors.add(new FieldError(key, "'" + ConfigException.clip(value, 60) + "' is a list of values here ("
                        + String.join(", ", java.util.Arrays.stream(items).limit(4).map(v -> ConfigException.clip(v, 20)).toList())
                        + (items.length > 4 ? ", ..." : "") + "): a sweep splits its values at commas; " + meant));
                continue;
            }
            // an IDX file's path with a comma in it (train takes one): split here, its second half read as a data set
            java.util.function.Predicate<String> idx = v -> v.regionMatches(true, 0, "idx:", 0, 4);
            if (key.equals("data") && idx.test(items[0].trim()) && java.util.Arrays.stream(items).skip(1)
                    .map(String::trim).anyMatch(v -> !idx.test(v) && !v.equalsIgnoreCase("mnist") && !v.equalsIgnoreCase("bars"))) {
                errors.add(new FieldError(key, "'" + ConfigException.clip(value, 60) + "': a sweep splits its values at commas, and a "
                        + "value here is no data set; an idx: path with a comma in it cannot be swept: link the file under a name without one"));
                continue;
            }
            LinkedHashSet<String> values = new LinkedHashSet<>();
            boolean empty = false;          // said once per list: "beta=," was refused twice in one message
            for (String v : items) {
                String t = v.trim();
                if (t.isEmpty()) empty = true;
                else if (!values.add(t)) errors.add(new FieldError(key, "value '" + t + "' is given twice"));
            }
            if (empty) errors.add(new FieldError(key, "empty value in the list '" + value + "'"));
            if (axes.containsKey(key)) errors.add(new FieldError(key, "swept twice; give all its values in one --set"));
            axes.put(key, new Axis(key, List.copyOf(values)));
        }
        for (String k : axes.keySet()) {
            if (fixed.containsKey(k)) errors.add(new FieldError(k, "both fixed and swept; give it once"));
        }
        if (!errors.isEmpty()) throw new ConfigException(errors);
        return new Settings(fixed, List.copyOf(axes.values()));
    }

    /**
     * Every point of the grid, first axis outermost (the last axis varies fastest), each a checked configuration:
     * {@code base} (key: value text, e.g. a preset with fixed settings) with the point's swept values laid over it.
     * Refuses an empty grid, a grid over {@link #MAX_RUNS}, and any point whose configuration is refused, naming
     * the key and the value (every bad value at once); nothing is returned then.
     */
    public static List<Point> grid(Map<String, String> base, List<Axis> axes) {
        return grid(base, axes, 1);
    }

    /**
     * {@link #grid(Map, List)} for a sweep with {@code seeds} replicates of every point: without a swept key and with
     * 2 or more seeds it is the one point {@code base} (replicates of one configuration).
     */
    public static List<Point> grid(Map<String, String> base, List<Axis> axes, int seeds) {
        checkSeeds(seeds, 1);                                     // --seeds 0 is out of range, not "nothing to sweep"
        if (axes.isEmpty() && seeds > 1) return List.of(new Point(Map.of(), ConfigKeys.build(base)));
        if (axes.isEmpty()) {
            throw new ConfigException("set", "nothing to sweep: give at least one --set key=v1,v2,... (a value with commas), "
                    + "or --seeds N (N >= 2) for replicates of one configuration");
        }
        long size = gridSize(axes);
        if (size > MAX_RUNS) {
            throw new ConfigException("set", "the grid has " + (size == Long.MAX_VALUE ? "more than " + Long.MAX_VALUE : size) + " runs ("
                    + String.join(" x ", axes.stream().map(a -> Integer.toString(a.values().size())).toList()) + " values); at most " + MAX_RUNS);
        }
        List<FieldError> errors = new ArrayList<>();
        for (Axis a : axes) {
            if (!ConfigKeys.exists(a.key())) {
                errors.add(new FieldError(a.key(), ConfigKeys.unknownKey(a.key())));
            }
        }
        if (!errors.isEmpty()) throw new ConfigException(errors);
        // Every point is built; the same refusal met at several points is reported once, with the points where it
        // happened unless it happens everywhere (then it is a fixed key's fault).
        List<Map<String, String>> all = product(axes);
        Map<FieldError, List<String>> where = new LinkedHashMap<>();
        List<Point> points = new ArrayList<>();
        for (Map<String, String> swept : all) {
            Map<String, String> m = new LinkedHashMap<>(base);
            m.putAll(swept);
            try {
                points.add(new Point(java.util.Collections.unmodifiableMap(swept), ConfigKeys.build(m)));
            } catch (ConfigException e) {
                for (FieldError f : e.errors()) {
                    FieldError named = swept.containsKey(f.key())
                            ? new FieldError(f.key(), f.key() + "=" + swept.get(f.key()) + " is refused: " + f.message()) : f;
                    where.computeIfAbsent(named, k -> new ArrayList<>()).add(label(swept));
                }
            }
        }
        where.forEach((f, labels) -> errors.add(labels.size() == all.size() || swept(f, axes)
                ? f : new FieldError(f.key(), f.message() + " (at " + String.join("; ", labels.subList(0, Math.min(3, labels.size())))
                + (labels.size() > 3 ? "; ..." : "") + ")")));
        if (!errors.isEmpty()) throw new ConfigException(errors);
        // two texts of one value (beta=0,0.0) would train the same point twice
        for (Axis a : axes) {
            Map<String, java.util.Set<String>> given = new LinkedHashMap<>();
            for (Point p : points) {
                given.computeIfAbsent(p.config().toMap().get(a.key()), k -> new LinkedHashSet<>()).add(p.swept().get(a.key()));
            }
            given.forEach((value, texts) -> {
                if (texts.size() > 1) {
                    errors.add(new FieldError(a.key(), "values " + String.join(" and ", texts.stream().map(t -> "'" + ConfigException.clip(t, 60) + "'").toList())
                            + " are the same value (" + ConfigException.clip(value, 60) + "); give it once"));
                }
            });
        }
        if (!errors.isEmpty()) throw new ConfigException(errors);
        // each swept value as the configuration writes it (optimizer=ADAM: adam; beta=0.10: 0.1), as every run stores it
        return points.stream().map(p -> {
            Map<String, String> canonical = new LinkedHashMap<>();
            p.swept().forEach((k, v) -> canonical.put(k, p.config().toMap().getOrDefault(k, v)));
            return new Point(java.util.Collections.unmodifiableMap(canonical), p.config());
        }).toList();
    }

    /** The number of points of the grid: the product of the axes' sizes, {@link Long#MAX_VALUE} when it overflows. */
    public static long gridSize(List<Axis> axes) {
        long size = 1;
        for (Axis a : axes) {
            try {
                size = Math.multiplyExact(size, (long) a.values().size());
            } catch (ArithmeticException e) {
                return Long.MAX_VALUE;
            }
        }
        return size;
    }

    /** At most this many replicates of each point. */
    public static final int MAX_SEEDS = 100;

    /**
     * Every point {@code seeds} times, replicate r with {@code seed} = the point's seed + r (r = 0 .. seeds - 1), the
     * replicates of a point next to each other; {@code seed} joins the swept values when seeds &gt; 1. Refuses seeds
     * outside [1, {@link #MAX_SEEDS}], a sweep that also sweeps {@code seed}, and a total over {@link #MAX_RUNS}.
     */
    public static List<Point> replicate(List<Point> points, int seeds) {
        checkSeeds(seeds, points.size());
        if (seeds == 1) return points;
        if (points.stream().anyMatch(p -> p.swept().containsKey("seed"))) {
            throw new ConfigException("seeds", "replicates every point with seeds seed, seed+1, ...; do not sweep seed as well");
        }
        List<Point> out = new ArrayList<>();
        for (Point p : points) {
            for (String seed : seedValues(p.config().seed(), seeds)) {
                Map<String, String> swept = new LinkedHashMap<>(p.swept());
                swept.put("seed", seed);
                out.add(new Point(java.util.Collections.unmodifiableMap(swept), p.config().with("seed", seed)));
            }
        }
        return out;
    }

    /** The seeds of the replicates of a point whose seed is {@code base}: base, base + 1, ... */
    public static List<String> seedValues(long base, int seeds) {
        if (seeds > 1 && base > Long.MAX_VALUE - (seeds - 1)) {       // base + r would wrap round to a negative seed
            throw new ConfigException("seed", base + " leaves no room for " + seeds + " seeds (--seeds counts up from it: the last would be "
                    + "beyond " + Long.MAX_VALUE + "); give a seed of at most " + (Long.MAX_VALUE - (seeds - 1)));
        }
        List<String> out = new ArrayList<>();
        for (int r = 0; r < seeds; r++) out.add(Long.toString(base + r));
        return out;
    }

    /**
     * Refuses {@code seeds} &gt; 1 on a ladder with a step that changes {@code seed} (runs A and B differ in it): the
     * replicates of that step would take seeds the step before took already, so one run would repeat another exactly.
     */
    public static void checkLadderSeeds(List<Ladder.Step> steps, int seeds) {
        if (seeds == 1) return;
        for (Ladder.Step s : steps) {
            if (s.changedKeys().contains("seed")) {
                throw new ConfigException("seeds", "replicates every step with seeds seed, seed+1, ...; do not ladder over seed as well "
                        + "(the two runs differ in seed: " + ConfigException.clip(s.from().get("seed"), 30) + " and "
                        + ConfigException.clip(s.to().get("seed"), 30) + "); give two runs with the same seed, or leave out --seeds");
            }
        }
    }

    /** Refuses seeds outside [1, MAX_SEEDS] and more than MAX_RUNS runs in all. */
    public static void checkSeeds(int seeds, int points) {
        if (seeds < 1 || seeds > MAX_SEEDS) throw new ConfigException("seeds", seeds + " is out of range [1, " + MAX_SEEDS + "]");
        if ((long) seeds * points > MAX_RUNS) {
            throw new ConfigException("seeds", points + " points x " + seeds + " seeds = " + (long) seeds * points + " runs; at most " + MAX_RUNS);
        }
    }

    private static boolean swept(FieldError f, List<Axis> axes) {
        return axes.stream().anyMatch(a -> a.key().equals(f.key()));
    }

    /** The cartesian product, first axis outermost. */
    static List<Map<String, String>> product(List<Axis> axes) {
        List<Map<String, String>> out = new ArrayList<>();
        out.add(new LinkedHashMap<>());
        for (Axis a : axes) {
            List<Map<String, String>> next = new ArrayList<>();
            for (Map<String, String> partial : out) {
                for (String v : a.values()) {
                    Map<String, String> m = new LinkedHashMap<>(partial);
                    m.put(a.key(), v);
                    next.add(m);
                }
            }
            out = next;
        }
        return out;
    }

    /** {@code beta=0.1 rho=0.05} */
    public static String label(Map<String, String> swept) {
        // in the configuration table's order, as `group` and the group page list a sweep's values, whatever the --set order
        List<String> order = sparselab.config.ConfigKeys.all().stream().map(sparselab.config.ConfigKeys.Key::name).toList();
        StringBuilder sb = new StringBuilder();
        swept.entrySet().stream().sorted(java.util.Comparator.comparingInt(e -> order.indexOf(e.getKey())))
                .forEach(e -> sb.append(sb.length() == 0 ? "" : " ").append(e.getKey()).append('=').append(e.getValue()));
        return sb.toString();
    }
}
