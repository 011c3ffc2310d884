package sparselab.model;

import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * Reads each epoch's figures and says when a run shows a sign of divergence, and why. Pure: it holds only the
 * previous epochs' figures it needs (a few numbers), does no ND4J work and writes nothing; the trainer appends what it
 * returns as {@code divergence_flag} events and decides with {@link #stops} whether the run goes on.
 *
 * <p>Causes (the stored names, also the values of the {@code stopOn} key):
 * <ul>
 *   <li>{@code rho_hat_outside}: some unit's rho_hat was &lt;= 0 or &gt;= 1 after a batch of the epoch (at 1 the
 *       sparse term's {@code 1 - rho_hat + eps} reaches eps and then turns negative: the term changes sign and the
 *       penalty takes the log of a negative number). {@code units} is the count.</li>
 *   <li>{@code rho_hat_at_bound}: some unit's rho_hat came within eps of 0 or 1 (or past them) after a batch: the
 *       sparse term is then set by eps, not by rho_hat, and reaches beta (1 - rho) / eps for a unit stuck on (2.8e3 at
 *       beta 3, eps 1e-3) or beta rho / eps for one stuck off. {@code units} is the count.</li>
 *   <li>{@code limiter_saturated}: the limiter clipped more than half of the epoch's sparse-term entries.</li>
 *   <li>{@code sp_growing}: max |sp| rose by more than {@value #GROWTH} (relative) in each of the last {@value #K}
 *       epochs and is above {@value #SP_FLOOR} x beta (a unit's rho_hat near 0.9 or 0.003 at rho = 0.1).</li>
 *   <li>{@code penalty_growing}: the penalty rose by more than {@value #GROWTH} in each of the last {@value #K} epochs
 *       while the loss did not fall.</li>
 *   <li>{@code loss_rising}: the loss rose by more than {@value #LOSS_RISE} (relative) in each of the last
 *       {@value #LOSS_K} epochs.</li>
 *   <li>{@code non_finite}: the parameters or the loss are NaN or infinite. Non-finite parameters always stop a
 *       run; a NaN loss with finite parameters (the penalty of a rho_hat above 1 + eps) stops it only by
 *       {@code stopOn}.</li>
 * </ul>
 * The two rho_hat causes are raised only when beta &gt; 0: with beta = 0 no sparsity is asked for, rho_hat feeds no
 * term of the objective, and units that stay on or off are what a plain autoencoder does, not a sign of divergence.
 * A condition is flagged once when it starts (the first epoch it holds after an epoch it did not), so a run that stays
 * saturated has one flag, not one per epoch; {@code non_finite} again when a NaN loss is joined by non-finite
 * parameters.
 */
public final class DivergenceWatch {
    /** Epochs in a row for the |sp| and penalty growth rules. */
    public static final int K = 3;
    /** Epochs in a row for the loss rule, and the relative rise per epoch it needs. */
    public static final int LOSS_K = 2;
    public static final double LOSS_RISE = 0.01;
    /** The relative rise per epoch that counts as growth for |sp| and the penalty. */
    public static final double GROWTH = 0.1;
    /** max |sp| must exceed this many times beta before its growth is flagged. */
    public static final double SP_FLOOR = 10;

    /** Why a flag was raised. */
    public enum Cause {
        RHO_HAT_OUTSIDE, RHO_HAT_AT_BOUND, LIMITER_SATURATED, SP_GROWING, PENALTY_GROWING, LOSS_RISING, NON_FINITE;

        /** The stored name: {@code rho_hat_outside}, ... */
        public String key() { return name().toLowerCase(Locale.ROOT); }

        public static Cause of(String key) {
            for (Cause c : values()) if (c.key().equals(key)) return c;
            throw new IllegalArgumentException("unknown cause '" + key + "'");
        }
    }

    /** One sign of divergence at {@code epoch}; {@code units} is the unit count where the cause has one, else null. */
    public record Flag(int epoch, Cause cause, String detail, Integer units) {}

    private final double beta;
    private final boolean limiterOn;
    private final Set<Cause> stopOn;

    private final EnumSet<Cause> active = EnumSet.noneOf(Cause.class);
    private final double[] loss = new double[K + 1], sp = new double[K + 1], penalty = new double[K + 1];
    private int seen;
    private int nonFinite;   // 0 finite, 1 loss not finite, 2 parameters not finite

    /**
     * @param beta      the run's sparsity weight (scales the |sp| floor; 0 raises no rho_hat flag)
     * @param limiterOn whether the run clips the sparse term
     * @param stopOn    the causes that stop the run (parsed by {@link #parseStopOn})
     */
    public DivergenceWatch(double beta, boolean limiterOn, Set<Cause> stopOn) {
        this.beta = beta;
        this.limiterOn = limiterOn;
        this.stopOn = stopOn.isEmpty() ? EnumSet.noneOf(Cause.class) : EnumSet.copyOf(stopOn);
    }

    /**
     * The {@code stopOn} text: {@code none}, {@code any}, or a list of cause names joined by commas or {@code +} (the
     * {@code +} form fits a value of a swept key, where commas separate the values).
     *
     * @throws IllegalArgumentException naming the unknown cause
     */
    public static Set<Cause> parseStopOn(String text) {
        String t = text.trim();
        if (t.equals("none")) return EnumSet.noneOf(Cause.class);
        if (t.equals("any")) return EnumSet.allOf(Cause.class);
        EnumSet<Cause> out = EnumSet.noneOf(Cause.class);
        for (String part : t.split("[,+]")) {
            String p = part.trim();
            if (p.equals("none") || p.equals("any")) {
                throw new IllegalArgumentException("'" + p + "' stands alone, not in a list; expected none, any, or a list (commas or +) of " + causeNames());
            }
            try {
                out.add(Cause.of(p));
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("unknown cause '" + sparselab.config.ConfigException.clip(p, 60) + "'; expected none, any, or a list (commas or +) of " + causeNames());
            }
        }
        if (out.isEmpty()) {                               // "," or "+": separators and nothing between them
            throw new IllegalArgumentException("no cause in '" + sparselab.config.ConfigException.clip(t, 60) + "'; expected none, any, or a list (commas or +) of " + causeNames());
        }
        return out;
    }

    /** The canonical text of a set of causes: {@code none}, {@code any} or the names in declaration order. */
    public static String stopOnText(Set<Cause> causes) {
        if (causes.isEmpty()) return "none";
        if (causes.size() == Cause.values().length) return "any";
        List<String> names = new ArrayList<>();
        for (Cause c : Cause.values()) if (causes.contains(c)) names.add(c.key());
        return String.join(",", names);
    }

    public static String causeNames() {
        List<String> names = new ArrayList<>();
        for (Cause c : Cause.values()) names.add(c.key());
        return String.join(", ", names);
    }

    /** The flags this epoch raises; call once per epoch, in order. */
    public List<Flag> observe(EpochStats s) {
        int e = s.epoch();
        EpochStats.Health hl = s.health();
        shift(loss, s.loss());
        shift(sp, s.maxAbsSp());
        shift(penalty, s.penalty());
        seen++;
        List<Flag> out = new ArrayList<>();

        boolean paramsBad = !hl.paramsFinite();
        int level = paramsBad ? 2 : Double.isFinite(s.loss()) ? 0 : 1;
        if (level > nonFinite) {
            out.add(new Flag(e, Cause.NON_FINITE, paramsBad ? "parameters not finite (loss " + s.loss() + ")"
                    : "loss " + s.loss() + " with finite parameters", null));
        }
        nonFinite = level;
        // beta = 0: rho_hat is free to drift from rho (it enters no term), so its bounds say nothing of divergence
        boolean sparse = beta > 0;
        onset(out, Cause.RHO_HAT_OUTSIDE, sparse && hl.unitsOutside() > 0, e,
                () -> "rho_hat of " + hl.unitsOutside() + " unit(s) left (0, 1) (over the epoch's batches: min " + fmt(hl.rhoHatMin()) + ", max "
                        + fmt(hl.rhoHatMax()) + ")", hl.unitsOutside());
        // min and max are over every unit after every batch of the epoch (the first batch's included), not the epoch's end
        onset(out, Cause.RHO_HAT_AT_BOUND, sparse && hl.unitsAtBound() > 0, e,
                () -> "rho_hat of " + hl.unitsAtBound() + " unit(s) within eps of 0 or 1, or past them (over the epoch's batches: min "
                        + fmt(hl.rhoHatMin()) + ", max " + fmt(hl.rhoHatMax()) + ")", hl.unitsAtBound());
        onset(out, Cause.LIMITER_SATURATED, limiterOn && s.clippedFraction() > 0.5, e,
                () -> "limiter clipped " + fmt(100 * s.clippedFraction()) + "% of the sparse-term entries", null);
        boolean spGrows = seen > K && grewEach(sp) && s.maxAbsSp() > SP_FLOOR * beta;
        onset(out, Cause.SP_GROWING, spGrows, e,
                () -> "max |sp| rose " + K + " epochs in a row: " + fmt(sp[0]) + " -> " + fmt(sp[K]), null);
        boolean penGrows = seen > K && grewEach(penalty) && !(loss[K] < loss[K - 1]);
        onset(out, Cause.PENALTY_GROWING, penGrows, e,
                () -> "penalty rose " + K + " epochs in a row: " + fmt(penalty[0]) + " -> " + fmt(penalty[K]), null);
        boolean lossRises = seen > LOSS_K && rose(loss);
        onset(out, Cause.LOSS_RISING, lossRises, e,
                () -> "loss rose " + LOSS_K + " epochs in a row: " + fmt(loss[K - LOSS_K]) + " -> " + fmt(loss[K]), null);
        return out;
    }

    /**
     * Whether the epoch ends the run: non-finite parameters always do, and so does a finite loss that exploded
     * ({@link EpochStats#diverged()}: over 1e3 x the first epoch's); a flag only when {@code stopOn} names its cause.
     * A NaN loss with finite parameters (the penalty's log of a negative 1 - rho_hat + eps) is a flag, not a stop.
     */
    public boolean stops(EpochStats s, List<Flag> flags) {
        return stopReason(s, flags) != null;
    }

    /** Why the epoch ends the run (the {@code diverged} event's reason), or null when it goes on. */
    public String stopReason(EpochStats s, List<Flag> flags) {
        if (!s.health().paramsFinite()) return "parameters not finite (loss " + s.loss() + ")";
        if (s.diverged() && Double.isFinite(s.loss())) return "loss " + s.loss() + " exploded (over 1e3 x the first epoch's)";
        List<String> named = flags.stream().map(Flag::cause).filter(stopOn::contains).map(Cause::key).distinct().toList();
        return named.isEmpty() ? null : "stopOn: " + String.join(", ", named);
    }

    private void onset(List<Flag> out, Cause c, boolean holds, int epoch, java.util.function.Supplier<String> detail, Integer units) {
        if (holds && !active.contains(c)) out.add(new Flag(epoch, c, detail.get(), units));
        if (holds) active.add(c);
        else active.remove(c);
    }

    /** history[0..K] oldest first; the newest value goes to history[K]. */
    private static void shift(double[] history, double v) {
        System.arraycopy(history, 1, history, 0, K);
        history[K] = v;
    }

    private static boolean grewEach(double[] h) {
        for (int i = 1; i <= K; i++) if (!(h[i] > h[i - 1] * (1 + GROWTH) && h[i] > 0)) return false;
        return true;
    }

    private static boolean rose(double[] h) {
        for (int i = K - LOSS_K + 1; i <= K; i++) if (!(h[i] > h[i - 1] + LOSS_RISE * Math.abs(h[i - 1]))) return false;
        return true;
    }

    /** Four significant digits, no trailing zeros ("5", "21", "0.05311", "1.099", "2.8E+5", "1.764E-20"). */
    static String fmt(double v) {
        if (!Double.isFinite(v)) return Double.toString(v);
        java.math.BigDecimal b = new java.math.BigDecimal(v).round(new java.math.MathContext(4)).stripTrailingZeros();
        return Math.abs(v) >= 1e5 || (v != 0 && Math.abs(v) < 1e-4) ? b.toString() : b.toPlainString();
    }
}
