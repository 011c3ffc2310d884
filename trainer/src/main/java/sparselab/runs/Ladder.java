package sparselab.runs;

import sparselab.config.ConfigException;
import sparselab.config.ConfigKeys;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;

/**
 * The ablation ladder from run A to run B, without side effects: step 0 is A's configuration, each further step
 * sets one more of the keys in which A and B differ to B's value, and the last step is B's configuration.
 *
 * <p>Order: the keys named by the user come first, in the user's order; the other differing keys follow in
 * {@link #DEFAULT_ORDER}. A step whose configuration would be refused is never queued: when the next key alone
 * gives a refused configuration, a later key that is valid alone and makes the next key valid after it goes
 * first (the two are swapped and each keeps its own step); when there is none, the next key is merged with the
 * first later keys that make the configuration valid (one step changes several keys, e.g. {@code optimizer}
 * with {@code batchSize}). Every step records its changed keys and, when it departs from the asked order, why.
 */
public final class Ladder {
    private Ladder() {}

    /**
     * The default order: first what the run sees and records rather than how it learns (data, bookkeeping), then
     * the update rule and schedule (kept together: the schedule's cost depends on it), then the network, then the
     * sparse term's estimate and its suspected culprits (eps, running rate, threshold, limiter), the regularisers,
     * and last the sparsity target and weight.
     */
    public static final String DEFAULT_ORDER_TEXT = "data, limit, holdout, snapshotEvery, seed, shuffle, "
            + "optimizer, batchSize, learningRate, lrSchedule, lrDecay, momentum, epochs, hidden, hiddenActivation, outputActivation, loss, "
            + "eps, epsInEstimate, estimator, rhoMomentum, threshold, limiter, weightDecay, dropout, rho, beta";

    /** {@link #DEFAULT_ORDER_TEXT} as a list; keys missing from it (new ones) follow in the key table's order. */
    public static final List<String> DEFAULT_ORDER = List.of(DEFAULT_ORDER_TEXT.split(", "));

    /**
     * One rung.
     *
     * @param step        0 for A, then 1, 2, ...
     * @param changedKeys the keys this step sets to B's values (empty at step 0)
     * @param from        their values before the step (A's)
     * @param to          their values after it (B's)
     * @param config      the whole configuration of the step (key: canonical text)
     * @param note        why the step departs from the asked order, or null
     */
    public record Step(int step, List<String> changedKeys, Map<String, String> from, Map<String, String> to,
                       Map<String, String> config, String note) {}

    /** The keys whose values differ between {@code a} and {@code b}, in the order the ladder takes them. */
    public static List<String> order(Map<String, String> a, Map<String, String> b, List<String> asked) {
        if (asked.stream().anyMatch(k -> k == null || k.isBlank())) {
            throw new ConfigException("order", "an empty key in the list '" + ConfigException.clip(String.join(",", asked.stream()
                    .map(k -> k == null ? "" : k).toList()), 60) + "'; give keys separated by commas: key1,key2");
        }
        List<String> unknown = asked.stream().filter(k -> !ConfigKeys.exists(k)).toList();
        // keys separated by spaces (--order 'beta rho'): one unknown key to the parser, a list to the user
        java.util.Optional<String> spaced = unknown.stream().filter(k -> k.trim().contains(" ")
                && java.util.Arrays.stream(k.trim().split("\\s+")).allMatch(ConfigKeys::exists)).findFirst();
        if (spaced.isPresent()) {
            throw new ConfigException("order", "'" + ConfigException.clip(spaced.get(), 60) + "' is one key; separate keys by commas: "
                    + String.join(",", spaced.get().trim().split("\\s+")));
        }
        if (!unknown.isEmpty()) {
            // each with the key it most likely meant, as the launch form and the runs filter say it ("bta (did you mean beta?)")
            List<String> named = unknown.stream().limit(5).map(k -> ConfigException.clip(k, 60) + ConfigKeys.meant(k)).toList();
            throw new ConfigException("order", "unknown key" + (unknown.size() > 1 ? "s " : " ") + String.join(", ", named)
                    + (unknown.size() > named.size() ? " and " + (unknown.size() - named.size()) + " more" : "")
                    // the keys the order may name: those in which the two runs differ
                    + "; the keys that differ: " + String.join(", ", ConfigKeys.all().stream().map(ConfigKeys.Key::name).filter(k -> differs(a, b, k)).toList()));
        }
        List<String> same = asked.stream().filter(k -> !differs(a, b, k)).distinct().limit(5).toList();
        if (!same.isEmpty()) {                          // an order that names a key with no step is a slip, not a wish
            throw new ConfigException("order", (same.size() > 1 ? "keys " : "key ") + String.join(", ", same.stream()
                    .map(k -> k + " (" + ConfigException.clip(String.valueOf(a.get(k)), 30) + ")").toList())
                    + (same.size() > 1 ? " are" : " is") + " the same in both runs; the keys that differ: "
                    + String.join(", ", ConfigKeys.all().stream().map(ConfigKeys.Key::name).filter(k -> differs(a, b, k)).toList()));
        }
        LinkedHashSet<String> keys = new LinkedHashSet<>();
        for (String k : asked) if (differs(a, b, k)) keys.add(k);
        for (String k : DEFAULT_ORDER) if (differs(a, b, k)) keys.add(k);
        for (ConfigKeys.Key k : ConfigKeys.all()) if (differs(a, b, k.name())) keys.add(k.name());
        return List.copyOf(keys);
    }

    private static boolean differs(Map<String, String> a, Map<String, String> b, String k) {
        return !java.util.Objects.equals(a.get(k), b.get(k));
    }

    /** The ladder with the configuration's own rules deciding which steps are valid. */
    public static List<Step> plan(Map<String, String> a, Map<String, String> b, List<String> asked) {
        return plan(a, b, asked, Ladder::valid);
    }

    /**
     * The ladder from {@code a} to {@code b} (both complete, valid configurations as key: canonical text).
     * Refuses configurations that do not differ.
     *
     * @param valid whether a configuration would be accepted
     */
    public static List<Step> plan(Map<String, String> a, Map<String, String> b, List<String> asked, Predicate<Map<String, String>> valid) {
        List<String> remaining = new ArrayList<>(order(a, b, asked));
        if (remaining.isEmpty()) throw new ConfigException("runs", "the two runs have the same configuration; there is no ladder between them");
        List<Step> steps = new ArrayList<>();
        Map<String, String> current = new LinkedHashMap<>(a);
        steps.add(new Step(0, List.of(), Map.of(), Map.of(), java.util.Collections.unmodifiableMap(new LinkedHashMap<>(current)), null));
        while (!remaining.isEmpty()) {
            String head = remaining.get(0);
            List<String> take;
            String note = null;
            if (valid.test(apply(current, b, List.of(head)))) {
                take = List.of(head);
            } else {
                String enabler = null;
                for (String k : remaining.subList(1, remaining.size())) {
                    Map<String, String> first = apply(current, b, List.of(k));
                    if (valid.test(first) && valid.test(apply(first, b, List.of(head)))) {
                        enabler = k;
                        break;
                    }
                }
                if (enabler != null) {
                    take = List.of(enabler);
                    note = "moved ahead of " + head + " (" + head + "=" + b.get(head) + " is refused with " + enabler + "=" + a.get(enabler) + ")";
                } else {
                    take = merged(current, b, remaining, valid);
                    note = "merged: " + head + "=" + b.get(head) + " alone is refused, and no single other key makes it valid first";
                }
            }
            Map<String, String> from = new LinkedHashMap<>();
            Map<String, String> to = new LinkedHashMap<>();
            for (String k : take) {
                from.put(k, current.get(k));
                to.put(k, b.get(k));
            }
            current = apply(current, b, take);
            remaining.removeAll(take);
            steps.add(new Step(steps.size(), List.copyOf(take), java.util.Collections.unmodifiableMap(from), java.util.Collections.unmodifiableMap(to), java.util.Collections.unmodifiableMap(new LinkedHashMap<>(current)), note));
        }
        return steps;
    }

    /** The head key together with the fewest following keys (greedily, earliest first) that make a valid configuration. */
    private static List<String> merged(Map<String, String> current, Map<String, String> b, List<String> remaining,
                                       Predicate<Map<String, String>> valid) {
        List<String> set = new ArrayList<>(List.of(remaining.get(0)));
        List<String> rest = new ArrayList<>(remaining.subList(1, remaining.size()));
        while (!valid.test(apply(current, b, set))) {
            String pick = null;
            for (String k : rest) {
                List<String> tryThis = new ArrayList<>(set);
                tryThis.add(k);
                if (valid.test(apply(current, b, tryThis))) {
                    pick = k;
                    break;
                }
            }
            if (pick == null && rest.isEmpty()) throw new ConfigException("runs", "the second run's configuration is refused; no ladder reaches it");
            if (pick == null) pick = rest.get(0);   // no single key completes it: add the next and look again
            set.add(pick);
            rest.remove(pick);
        }
        // then drop, latest first, every added key the configuration is valid without: keys added while looking (a
        // learning rate, an eps) that the change does not need stay for steps of their own
        for (int i = set.size() - 1; i >= 1; i--) {
            List<String> without = new ArrayList<>(set);
            without.remove(i);
            if (valid.test(apply(current, b, without))) set = without;
        }
        List<String> ordered = new ArrayList<>(remaining);
        ordered.retainAll(set);
        return ordered;
    }

    private static Map<String, String> apply(Map<String, String> current, Map<String, String> b, List<String> keys) {
        Map<String, String> m = new LinkedHashMap<>(current);
        for (String k : keys) m.put(k, b.get(k));
        return m;
    }

    private static boolean valid(Map<String, String> config) {
        try {
            ConfigKeys.build(config);
            return true;
        } catch (ConfigException e) {
            return false;
        }
    }
}
