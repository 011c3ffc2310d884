package sparselab.config;

import sparselab.config.Choices.Activation;
import sparselab.config.Choices.Estimator;
import sparselab.config.Choices.Loss;
import sparselab.config.Choices.LrSchedule;
import sparselab.config.Choices.Optimizer;

import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.List;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * One run's complete, immutable configuration: every knob of docs/model.md. The keys, defaults, documentation
 * and per-field checks live in {@link ConfigKeys}; cross-field checks in {@link #validate()}.
 *
 * @param data              data set: {@code mnist}, {@code bars}, or {@code idx:PATH}
 * @param limit             samples used, 0 = all
 * @param holdout           fraction kept out of training for the held-out error, in [0, 0.5]
 * @param hidden            hidden units H
 * @param hiddenActivation  f
 * @param outputActivation  g
 * @param loss              reconstruction loss
 * @param optimizer         ND4J updater, or {@code lbfgs} (full batch)
 * @param learningRate      step size (&gt; 0)
 * @param lrSchedule        how the step size changes over the epochs (not used by {@code lbfgs})
 * @param lrDecay           the factor per epoch of {@code exponential}
 * @param momentum          momentum of {@code nesterov} (beta1 of {@code adam})
 * @param epochs            passes over the training samples; with {@code lbfgs}, L-BFGS iterations
 * @param batchSize         samples per update; 1 = online; 0 = the whole training set (only with {@code lbfgs})
 * @param shuffle           reshuffle the samples every epoch
 * @param seed              the one seed every random choice derives from
 * @param weightDecay       lambda
 * @param dropout           probability that a hidden unit is dropped
 * @param beta              weight of the sparsity term
 * @param rho               target activation rate
 * @param estimator         how rho_hat is estimated
 * @param rhoMomentum       lam of the ema estimators
 * @param threshold         theta of {@code ema-threshold}
 * @param eps               the small constant of the sparse term
 * @param epsInEstimate     also add eps to rho_hat at every update (the original's first version)
 * @param limiter           clip bound L of the sparse term; {@code +Infinity} = off
 * @param snapshotEvery     {@code log2} or a positive integer
 * @param stopOn            the divergence-flag causes that stop the run: {@code none}, {@code any} or a comma list
 *                          (see sparselab.model.DivergenceWatch)
 */
public record RunConfig(
        String data, int limit, double holdout, int hidden,
        Activation hiddenActivation, Activation outputActivation, Loss loss,
        Optimizer optimizer, double learningRate, LrSchedule lrSchedule, double lrDecay, double momentum,
        int epochs, int batchSize, boolean shuffle, long seed,
        double weightDecay, double dropout, double beta, double rho,
        Estimator estimator, double rhoMomentum, double threshold, double eps, boolean epsInEstimate,
        double limiter, String snapshotEvery, String stopOn) {

    /** The defaults of {@link ConfigKeys}, no preset. */
    public static RunConfig defaults() {
        return ConfigKeys.build(Map.of());
    }

    public boolean limiterOn() { return !Double.isInfinite(limiter); }

    /** The same run without the sparsity term (beta = 0). */
    public RunConfig nonSparseTwin() {
        return with("beta", "0");
    }

    /** A copy with one key changed, parsed and validated like user input. */
    public RunConfig with(String key, String value) {
        Map<String, String> m = toMap();
        m.put(key, value);
        return ConfigKeys.build(m);
    }

    /** Every key with its canonical text, in the order of the key table (ConfigKeys, docs/model.md). */
    public LinkedHashMap<String, String> toMap() {
        LinkedHashMap<String, String> m = new LinkedHashMap<>();
        m.put("data", data);
        m.put("limit", Integer.toString(limit));
        m.put("holdout", num(holdout));
        m.put("hidden", Integer.toString(hidden));
        m.put("hiddenActivation", hiddenActivation.key());
        m.put("outputActivation", outputActivation.key());
        m.put("loss", loss.key());
        m.put("optimizer", optimizer.key());
        m.put("learningRate", num(learningRate));
        m.put("lrSchedule", lrSchedule.key());
        m.put("lrDecay", num(lrDecay));
        m.put("momentum", num(momentum));
        m.put("epochs", Integer.toString(epochs));
        m.put("batchSize", Integer.toString(batchSize));
        m.put("shuffle", Boolean.toString(shuffle));
        m.put("seed", Long.toString(seed));
        m.put("weightDecay", num(weightDecay));
        m.put("dropout", num(dropout));
        m.put("beta", num(beta));
        m.put("rho", num(rho));
        m.put("estimator", estimator.key());
        m.put("rhoMomentum", num(rhoMomentum));
        m.put("threshold", num(threshold));
        m.put("eps", num(eps));
        m.put("epsInEstimate", Boolean.toString(epsInEstimate));
        m.put("limiter", limiterOn() ? num(limiter) : "off");
        m.put("snapshotEvery", snapshotEvery);
        m.put("stopOn", stopOn);
        return m;
    }

    /**
     * Cross-field checks, every one of them: all that fail are refused together, one field error each (per-field
     * ranges are checked by {@link ConfigKeys} while parsing).
     */
    RunConfig validate() {
        List<ConfigException.FieldError> errors = new ArrayList<>();
        if (hiddenActivation == Activation.IDENTITY) {
            errors.add(new ConfigException.FieldError("hiddenActivation", "identity is allowed for the output only; use sigmoid, tanh or relu"));
        }
        if (beta > 0 && estimator != Estimator.EMA_THRESHOLD && !hiddenActivation.inUnitInterval() && hiddenActivation != Activation.IDENTITY) {
            errors.add(new ConfigException.FieldError("estimator", "'" + estimator.key() + "' estimates a rate from activations in (0, 1), but hiddenActivation '"
                    + hiddenActivation.key() + "' leaves (0, 1); use hiddenActivation=sigmoid or estimator=ema-threshold (or beta=0)"));
        }
        if (loss == Loss.CROSS_ENTROPY && outputActivation != Activation.SIGMOID) {
            errors.add(new ConfigException.FieldError("loss", "cross-entropy needs outputActivation=sigmoid (outputs in (0, 1)), not '" + outputActivation.key() + "'"));
        }
        validateFullBatch(errors);
        // one error per field: the first found for it
        Map<String, ConfigException.FieldError> byField = new LinkedHashMap<>();
        for (ConfigException.FieldError e : errors) byField.putIfAbsent(e.key(), e);
        if (!byField.isEmpty()) throw new ConfigException(List.copyOf(byField.values()));
        return this;
    }

    /**
     * L-BFGS minimises one fixed, differentiable function of the parameters over the whole training set:
     * batchSize 0 and lbfgs go together, and nothing may make the objective stochastic (dropout) or its gradient
     * inexact (a running rate estimate, the limiter).
     */
    private void validateFullBatch(List<ConfigException.FieldError> errors) {
        boolean lbfgs = optimizer == Optimizer.LBFGS;
        if (batchSize == 0 && !lbfgs) {
            errors.add(new ConfigException.FieldError("batchSize", "0 (the whole training set) is for optimizer=lbfgs; '" + optimizer.key()
                    + "' needs batchSize >= 1"));
        }
        if (!lbfgs) return;
        if (batchSize != 0) {
            errors.add(new ConfigException.FieldError("batchSize", "optimizer=lbfgs trains on the whole training set: use batchSize=0, not " + batchSize));
        }
        if (estimator != Estimator.BATCH_MEAN) {
            errors.add(new ConfigException.FieldError("estimator", "optimizer=lbfgs needs the exact gradient: use estimator=batch-mean, not '"
                    + estimator.key() + "' (a running estimate makes the objective change between evaluations)"));
        }
        if (dropout > 0) {
            errors.add(new ConfigException.FieldError("dropout", "optimizer=lbfgs needs a deterministic objective: use dropout=0, not " + ConfigException.clip(num(dropout), 60)));
        }
        if (limiterOn()) {
            errors.add(new ConfigException.FieldError("limiter", "optimizer=lbfgs needs the exact gradient: use limiter=off, not " + ConfigException.clip(num(limiter), 60)
                    + " (clipping sp makes it no longer the gradient of the penalty)"));
        }
    }

    /**
     * Canonical text of a number: no trailing zeros, no exponent ("0.001", "3"), unless that text would be longer
     * than {@value #PLAIN_MAX} characters: then the shortest digits with a power of ten ("1e-300", "4.9e-324", "1e25"),
     * not a line of zeros. Every value a preset or default has is short, so their text is as it always was.
     */
    public static String num(double v) {
        if (Double.isNaN(v) || Double.isInfinite(v)) return Double.toString(v);
        BigDecimal b = BigDecimal.valueOf(v).stripTrailingZeros();
        String plain = b.toPlainString();
        return plain.length() <= PLAIN_MAX ? plain : withPowerOfTen(b);
    }

    /** {@code b} with a power of ten, as JSON and Java write one: {@code 4.9e-324}, {@code 1e+400} as {@code 1e400}. */
    static String withPowerOfTen(BigDecimal b) {
        return b.toString().replace("E+", "e").replace("E", "e");
    }

    /** The longest canonical text of a number written without a power of ten. */
    static final int PLAIN_MAX = 24;
}
