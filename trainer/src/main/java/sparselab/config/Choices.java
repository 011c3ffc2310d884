package sparselab.config;

import java.util.Arrays;
import java.util.Locale;
import java.util.stream.Collectors;

/** The named choices of the configuration; {@link #key()} is the spelling used in configs and the log. */
public final class Choices {
    private Choices() {}

    /** A choice with a stable external name. */
    public interface Named { String key(); }

    public enum Activation implements Named {
        SIGMOID, TANH, RELU, IDENTITY;
        public String key() { return name().toLowerCase(Locale.ROOT); }
        /** True when every value of the activation lies in (0, 1), as a mean-based rate estimate needs. */
        public boolean inUnitInterval() { return this == SIGMOID; }
    }

    public enum Loss implements Named {
        SQUARED, CROSS_ENTROPY;
        public String key() { return name().toLowerCase(Locale.ROOT).replace('_', '-'); }
    }

    public enum Optimizer implements Named {
        SGD, NESTEROV, ADAM,
        /** Full-batch L-BFGS ({@code sparselab.optim.Lbfgs}): needs batchSize 0; one epoch is one iteration. */
        LBFGS;
        public String key() { return name().toLowerCase(Locale.ROOT); }

        /**
         * The word for one step of training of a run with this optimizer key (as its configuration stores it; null:
         * the default): "iteration" for L-BFGS, whose every logged epoch is one iteration, else "epoch". The pages
         * choose theirs with stepWords (web/static/js/api.js), which says the same.
         */
        public static String stepWord(String optimizer) { return LBFGS.key().equals(optimizer) ? "iteration" : "epoch"; }

        /**
         * The title of a column of steps over runs of these optimizer keys: "epochs", "iterations" when every run is
         * full-batch L-BFGS, "epochs/iterations" for both kinds (the group page's wording).
         */
        public static String stepsTitle(java.util.Collection<String> optimizers) {
            java.util.SortedSet<String> words = new java.util.TreeSet<>();
            for (String o : optimizers) words.add(stepWord(o) + "s");
            return words.isEmpty() ? "epochs" : String.join("/", words);
        }
    }

    /**
     * How the step size of the ND4J updaters changes from epoch to epoch: e is the epoch (1, 2, ...), lr the
     * learningRate, k the lrDecay. (ND4J's {@code PolySchedule} is not offered: in 1.0.0-M2.1 it computes
     * lr (1 + i/maxIter)^power, which grows.)
     */
    public enum LrSchedule implements Named {
        /** lr in every epoch. */
        CONSTANT,
        /** lr k^(e-1): ND4J's {@code ExponentialSchedule}, counted by epoch. */
        EXPONENTIAL;
        public String key() { return name().toLowerCase(Locale.ROOT); }
    }

    public enum Estimator implements Named {
        /** Mean of A over the batch (Ng); the update is then the exact gradient. */
        BATCH_MEAN,
        /** lam * rho_hat + (1 - lam) * batch mean (Okatani 5.4). */
        EMA_MEAN,
        /** lam * rho_hat + (1 - lam) * mean(A > theta) (the original's later variant). */
        EMA_THRESHOLD;
        public String key() { return name().toLowerCase(Locale.ROOT).replace('_', '-'); }
    }

    /** Parses {@code text} as one of {@code type}'s keys, or explains the accepted names. */
    public static <E extends Enum<E> & Named> E parse(Class<E> type, String key, String text) {
        for (E e : type.getEnumConstants()) {
            if (e.key().equals(text.trim().toLowerCase(Locale.ROOT))) return e;
        }
        throw new ConfigException(key, "unknown value '" + ConfigException.clip(text, 60) + "'; expected one of " + names(type));
    }

    public static <E extends Enum<E> & Named> String names(Class<E> type) {
        return Arrays.stream(type.getEnumConstants()).map(Named::key).collect(Collectors.joining(", "));
    }
}
