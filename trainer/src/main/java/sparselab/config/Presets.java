package sparselab.config;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;

/** Named recipes (docs/model.md, "Presets"): each is a set of keys laid over the defaults. */
public final class Presets {
    private Presets() {}

    private static final Map<String, Map<String, String>> PRESETS = new LinkedHashMap<>();

    static {
        // The blog's online recipe: batch 1, thresholded running rate, eps written "10e-4", limiter 3, dropout, no decay.
        PRESETS.put("original", Map.ofEntries(
                Map.entry("hidden", "100"), Map.entry("batchSize", "1"), Map.entry("optimizer", "sgd"),
                Map.entry("learningRate", "0.01"), Map.entry("hiddenActivation", "sigmoid"), Map.entry("outputActivation", "sigmoid"),
                Map.entry("estimator", "ema-threshold"), Map.entry("threshold", "0.5"), Map.entry("rhoMomentum", "0.99"),
                Map.entry("eps", "0.001"), Map.entry("limiter", "3"), Map.entry("weightDecay", "0"), Map.entry("dropout", "0.5"),
                Map.entry("beta", "0.1"), Map.entry("rho", "0.05"), Map.entry("epochs", "10")));
        // Its first version: mean rate with eps added to rho_hat at every update.
        Map<String, String> v1 = new LinkedHashMap<>(PRESETS.get("original"));
        v1.put("estimator", "ema-mean");
        v1.put("epsInEstimate", "true");
        PRESETS.put("original-v1", Map.copyOf(v1));
        // The book's recipe (Okatani, MLP series §5.4): minibatch, running mean rate.
        PRESETS.put("okatani", kv(
                "hidden", "196", "batchSize", "100", "optimizer", "nesterov", "learningRate", "0.1", "momentum", "0.9",
                "estimator", "ema-mean", "rhoMomentum", "0.9", "beta", "0.1", "rho", "0.05", "epochs", "30"));
        // Ng's UFLDL MNIST recipe as UFLDL trained it: minFunc's L-BFGS, 400 iterations on the whole training set.
        PRESETS.put("ufldl", kv(
                "hidden", "196", "rho", "0.1", "beta", "3", "weightDecay", "0.003", "hiddenActivation", "sigmoid",
                "outputActivation", "sigmoid", "estimator", "batch-mean", "optimizer", "lbfgs", "batchSize", "0",
                "epochs", "400"));
        // The same objective with minibatch Adam, for comparison: on the demo digits it gives faint strokes over
        // whole-digit ghosts: stroke share 0.296 at these 30 epochs, near 0.5 only at 100-120 (docs/why-no-strokes.md, section 7).
        PRESETS.put("ufldl-sgd", kv(
                "hidden", "196", "rho", "0.1", "beta", "3", "weightDecay", "0.003", "hiddenActivation", "sigmoid",
                "outputActivation", "sigmoid", "estimator", "batch-mean", "optimizer", "adam", "learningRate", "0.01",
                "batchSize", "100", "epochs", "30"));
        // ufldl's objective with a lighter sparsity weight, trained with the book's minibatch update (Nesterov
        // momentum, batch 100, a decaying step): the cheapest minibatch recipe found whose stroke share reaches 80% of
        // ufldl's over 3 seeds (docs/why-no-strokes.md, section 7).
        PRESETS.put("okatani-strokes", kv(
                "hidden", "196", "rho", "0.1", "beta", "0.3", "weightDecay", "0.003", "hiddenActivation", "sigmoid",
                "outputActivation", "sigmoid", "estimator", "batch-mean", "optimizer", "nesterov", "learningRate", "0.2",
                "lrSchedule", "exponential", "lrDecay", "0.98", "momentum", "0.9", "batchSize", "100", "epochs", "48"));
        // No sparsity term.
        PRESETS.put("plain", Map.of("beta", "0"));
    }

    private static Map<String, String> kv(String... pairs) {
        Map<String, String> m = new LinkedHashMap<>();
        for (int i = 0; i < pairs.length; i += 2) m.put(pairs[i], pairs[i + 1]);
        return Map.copyOf(m);
    }

    public static Set<String> names() { return PRESETS.keySet(); }

    /**
     * The preset's name as the presets write it when {@code name} is one in another case (UFLDL: ufldl), as
     * configuration values are read in any case; any other name (or null) as it is, for {@link #get} to refuse.
     */
    public static String canonical(String name) {
        if (name == null || PRESETS.containsKey(name)) return name;
        return PRESETS.keySet().stream().filter(name::equalsIgnoreCase).findFirst().orElse(name);
    }

    /** The keys a preset sets; refused with the known names when unknown. */
    public static Map<String, String> get(String name) {
        Map<String, String> p = PRESETS.get(canonical(name));
        if (p == null) throw new ConfigException("preset", "unknown preset '" + ConfigException.clip(name, 60) + "'; known: " + String.join(", ", PRESETS.keySet()));
        return p;
    }
}
