package sparselab.analysis;

import java.util.Arrays;

import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.ops.transforms.Transforms;

import sparselab.config.Choices.Activation;
import sparselab.data.Dataset;

/**
 * Measures of the shape of learned filters and of the hidden code, computed once per weight snapshot.
 *
 * <p>Weights are {@code W1} as a row-major {@code float[]} of {@code hidden x visible} values: row j is the
 * filter of hidden unit j, one value per input pixel. Activations are row-major {@code n x hidden} (row i is
 * the hidden code of sample i). Images are row-major {@code n x visible}.
 *
 * <p>A measure that needs an input that was not given (no held-out images, no class means) is
 * {@link Double#NaN}; whoever writes it to JSON should write {@code null} instead. When the weights, the rates or the
 * activations they give hold a NaN or infinite value (a diverged run), every measure is NaN: none of them describes
 * such filters (a NaN rate is neither below nor above a cut, and would count as alive and unsaturated).
 */
public final class FilterMeasures {
    private FilterMeasures() {}

    /** Locality counts the energy in the top {@code ceil(d / 10)} pixels of a filter. */
    public static final int TOP_TENTH_DIVISOR = 10;
    /** A unit is dead when its rate rho_hat is below {@code rho / DEAD_DIVISOR} (rho / 10). */
    public static final double DEAD_DIVISOR = 10;
    /** A unit is saturated when its rate rho_hat is above this. */
    public static final double SATURATED_RATE = 0.9;

    /**
     * Everything about one snapshot's filters.
     *
     * @param locality          mean fraction of a filter's squared energy in its top tenth of pixels
     *                          ({@link #locality}); from {@code ceil(d/10)/d} (spread evenly) to 1 (one pixel)
     * @param deadFraction      fraction of units with rho_hat &lt; rho / 10 ({@link #deadFraction(double[], double)})
     * @param saturatedFraction fraction of units with rho_hat &gt; 0.9 ({@link #saturatedFraction(double[])})
     * @param lifetimeSparsity  mean Treves–Rolls lifetime sparsity of the units on held-out images
     *                          ({@link #lifetimeSparsity}); NaN without held-out images
     * @param digitLikeness     mean over filters of the best |Pearson correlation| with a class-mean image
     *                          ({@link #digitLikeness}); NaN without class means
     */
    public record FilterReport(double locality, double deadFraction, double saturatedFraction,
                               double lifetimeSparsity, double digitLikeness) {}

    /**
     * All measures of one snapshot.
     *
     * @param w1         hidden x visible weights, row-major
     * @param b1         hidden biases (needed only with held-out images)
     * @param rhoHat     per-unit activation rate as the trainer estimated it; when null and held-out images
     *                   are given, the mean activation on them is used (the {@code batch-mean} estimate)
     * @param rho        target rate
     * @param heldOut    n x visible held-out images, row-major, or null
     * @param classMeans classes x visible class-mean images ({@link #classMeans}), or null
     */
    public static FilterReport report(float[] w1, float[] b1, int hidden, int visible, Activation activation,
                                      double[] rhoHat, double rho, float[] heldOut, float[] classMeans) {
        return report(w1, b1, hidden, visible, activation, rhoHat, Double.NaN, rho, heldOut, classMeans);
    }

    /**
     * All measures of one snapshot, with the units' rates on the held-out images counted as {@link #rates} counts
     * them: above {@code threshold}, or their mean activation when it is NaN (used when {@code rhoHat} is null). The
     * held-out activations are computed once, for the rates and the lifetime sparsity both.
     */
    public static FilterReport report(float[] w1, float[] b1, int hidden, int visible, Activation activation,
                                      double[] rhoHat, double threshold, double rho, float[] heldOut, float[] classMeans) {
        checkMatrix("w1", w1, hidden, visible);
        if (rhoHat == null && heldOut == null) {
            throw new IllegalArgumentException("need rhoHat or held-out images for the dead and saturated fractions");
        }
        if (!finite(w1) || (heldOut != null && !finite(b1))) return NOT_FINITE;
        float[] activations = null;
        int n = 0;
        if (heldOut != null) {
            n = rows("heldOut", heldOut, visible);
            activations = hiddenActivations(heldOut, n, w1, b1, hidden, visible, activation);
            if (!finite(activations)) return NOT_FINITE;
        }
        double[] rates = rhoHat != null ? rhoHat : FilterMeasures.rates(activations, n, hidden, threshold);
        if (!finite(rates)) return NOT_FINITE;
        return new FilterReport(
                locality(w1, hidden, visible),
                deadFraction(rates, rho),
                saturatedFraction(rates),
                activations == null || n < 2 ? Double.NaN : lifetimeSparsity(activations, n, hidden),
                classMeans == null ? Double.NaN : digitLikeness(w1, hidden, visible, classMeans));
    }

    /** The report of weights, rates or activations that are not all finite: every measure NaN. */
    public static final FilterReport NOT_FINITE = new FilterReport(Double.NaN, Double.NaN, Double.NaN, Double.NaN, Double.NaN);

    /** Whether every value is finite (no NaN, no infinity). */
    public static boolean finite(float[] values) {
        for (float v : values) if (!Float.isFinite(v)) return false;
        return true;
    }

    /** Whether every value is finite (no NaN, no infinity). */
    public static boolean finite(double[] values) {
        for (double v : values) if (!Double.isFinite(v)) return false;
        return true;
    }

    // ---- locality -----------------------------------------------------------------------------------

    /**
     * Mean over hidden units of the fraction of the filter's squared L2 energy held by its top
     * {@code k = ceil(d / 10)} pixels by squared value. A filter with one nonzero pixel gives 1; a filter with
     * equal magnitude everywhere gives {@code k / d} (0.1 when 10 divides d), the least possible. An all-zero
     * filter has no shape and counts as spread evenly ({@code k / d}).
     */
    public static double locality(float[] w1, int hidden, int visible) {
        checkMatrix("w1", w1, hidden, visible);
        int k = (visible + TOP_TENTH_DIVISOR - 1) / TOP_TENTH_DIVISOR;
        double[] squares = new double[visible];
        double sum = 0;
        for (int j = 0; j < hidden; j++) {
            int off = j * visible;
            double energy = 0;
            for (int p = 0; p < visible; p++) {
                double w = w1[off + p];
                squares[p] = w * w;
                energy += squares[p];
            }
            if (energy == 0) {
                sum += (double) k / visible;
                continue;
            }
            selectTop(squares, k);
            double top = 0;
            for (int p = visible - k; p < visible; p++) top += squares[p];
            sum += Math.min(1.0, top / energy);
        }
        return sum / hidden;
    }

    /**
     * Rearranges {@code a} so that its {@code k} largest values occupy the last k places (in no particular order):
     * Hoare's selection, linear on average; a full sort made this measure the costliest part of a snapshot's record.
     */
    static void selectTop(double[] a, int k) {
        int target = a.length - k;                 // a[target] becomes the k-th largest
        int lo = 0, hi = a.length - 1;
        while (lo < hi) {
            double pivot = a[(lo + hi) >>> 1];
            int i = lo, j = hi;
            while (i <= j) {
                while (a[i] < pivot) i++;
                while (a[j] > pivot) j--;
                if (i <= j) {
                    double t = a[i];
                    a[i] = a[j];
                    a[j] = t;
                    i++;
                    j--;
                }
            }
            if (target <= j) hi = j;
            else if (target >= i) lo = i;
            else return;
        }
    }

    // ---- dead and saturated units -------------------------------------------------------------------

    /** Fraction of units whose rate {@code rhoHat[j]} is below {@code rho / 10}. */
    public static double deadFraction(double[] rhoHat, double rho) {
        double cut = rho / DEAD_DIVISOR;
        int dead = 0;
        for (double r : rhoHat) if (r < cut) dead++;
        return (double) dead / rhoHat.length;
    }

    /** Fraction of units whose rate {@code rhoHat[j]} is above 0.9. */
    public static double saturatedFraction(double[] rhoHat) {
        int sat = 0;
        for (double r : rhoHat) if (r > SATURATED_RATE) sat++;
        return (double) sat / rhoHat.length;
    }

    /**
     * Held-out variant of {@link #deadFraction(double[], double)}: fraction of units whose activation never
     * exceeds {@code threshold} on any of the n samples (the {@code ema-threshold} estimator's notion of
     * "never on").
     */
    public static double deadFraction(float[] activations, int n, int hidden, float threshold) {
        int dead = 0;
        for (int rate : onCounts(activations, n, hidden, threshold)) if (rate == 0) dead++;
        return (double) dead / hidden;
    }

    /**
     * Held-out variant of {@link #saturatedFraction(double[])}: fraction of units whose activation exceeds
     * {@code threshold} on more than 90% of the n samples.
     */
    public static double saturatedFraction(float[] activations, int n, int hidden, float threshold) {
        int sat = 0;
        for (int on : onCounts(activations, n, hidden, threshold)) if (on > SATURATED_RATE * n) sat++;
        return (double) sat / hidden;
    }

    /** For each unit, on how many samples its activation exceeds the threshold. */
    private static int[] onCounts(float[] activations, int n, int hidden, float threshold) {
        checkMatrix("activations", activations, n, hidden);
        int[] on = new int[hidden];
        for (int i = 0; i < n; i++) {
            int off = i * hidden;
            for (int j = 0; j < hidden; j++) if (activations[off + j] > threshold) on[j]++;
        }
        return on;
    }

    /**
     * Each unit's rate on n images: its mean activation, or, with a {@code threshold} (not NaN), the fraction of the
     * images on which its activation exceeds it (as the {@code ema-threshold} estimator counts a unit active).
     */
    public static double[] rates(float[] activations, int n, int hidden, double threshold) {
        if (Double.isNaN(threshold)) return meanActivation(activations, n, hidden);
        checkMatrix("activations", activations, n, hidden);
        double[] rate = new double[hidden];
        for (int i = 0; i < n; i++) {
            int off = i * hidden;
            for (int j = 0; j < hidden; j++) if (activations[off + j] > threshold) rate[j]++;
        }
        for (int j = 0; j < hidden; j++) rate[j] /= n;
        return rate;
    }

    /** Mean activation of each unit over the n samples. */
    public static double[] meanActivation(float[] activations, int n, int hidden) {
        checkMatrix("activations", activations, n, hidden);
        double[] mean = new double[hidden];
        for (int i = 0; i < n; i++) {
            int off = i * hidden;
            for (int j = 0; j < hidden; j++) mean[j] += activations[off + j];
        }
        for (int j = 0; j < hidden; j++) mean[j] /= n;
        return mean;
    }

    // ---- lifetime sparsity --------------------------------------------------------------------------

    /**
     * Mean over units of the Treves–Rolls lifetime sparsity of the unit's responses a_1..a_n over n &gt;= 2
     * samples: {@code S = (1 - (mean a)^2 / mean(a^2)) / (1 - 1/n)}. S = 0 when the unit responds equally to
     * every sample (dense), S = 1 when it responds to exactly one (one-hot over samples). The measure is
     * defined for non-negative responses; it is taken of |a|, which changes nothing for sigmoid and relu and
     * treats tanh's -1 and +1 as equally strong. Units that are zero on every sample have no defined
     * sparsity and are left out of the mean (they are counted as dead); NaN when no unit responds at all.
     */
    public static double lifetimeSparsity(float[] activations, int n, int hidden) {
        checkMatrix("activations", activations, n, hidden);
        if (n < 2) throw new IllegalArgumentException("lifetime sparsity needs at least 2 samples, got " + n);
        double[] m1 = new double[hidden];
        double[] m2 = new double[hidden];
        for (int i = 0; i < n; i++) {
            int off = i * hidden;
            for (int j = 0; j < hidden; j++) {
                double a = Math.abs(activations[off + j]);
                m1[j] += a;
                m2[j] += a * a;
            }
        }
        double sum = 0;
        int units = 0;
        for (int j = 0; j < hidden; j++) {
            if (m2[j] == 0) continue;
            double mean = m1[j] / n;
            double meanSquare = m2[j] / n;
            double s = (1 - mean * mean / meanSquare) / (1 - 1.0 / n);
            sum += Math.max(0.0, Math.min(1.0, s));
            units++;
        }
        return units == 0 ? Double.NaN : sum / units;
    }

    // ---- digit-likeness -----------------------------------------------------------------------------

    /**
     * Mean over filters of the highest absolute Pearson correlation between the filter and any class-mean
     * image. Absolute, because a negated digit is as digit-like as the digit (the sign of a filter is
     * arbitrary up to the decoder). 1 when every filter is an affine image of some class mean; a constant
     * filter, or a constant class mean, correlates 0.
     *
     * @param classMeans classes x visible, row-major (see {@link #classMeans(Dataset)})
     */
    public static double digitLikeness(float[] w1, int hidden, int visible, float[] classMeans) {
        checkMatrix("w1", w1, hidden, visible);
        int classes = rows("classMeans", classMeans, visible);
        double[][] means = new double[classes][];
        for (int c = 0; c < classes; c++) means[c] = standardized(classMeans, c * visible, visible);
        double sum = 0;
        for (int j = 0; j < hidden; j++) {
            double[] f = standardized(w1, j * visible, visible);
            double best = 0;
            for (double[] m : means) {
                double r = 0;
                for (int p = 0; p < visible; p++) r += f[p] * m[p];
                best = Math.max(best, Math.abs(r));
            }
            sum += Math.min(1.0, best);
        }
        return sum / hidden;
    }

    /** The values centred and scaled to unit L2 norm, so that a dot product is the Pearson correlation; zeros when constant. */
    private static double[] standardized(float[] values, int offset, int length) {
        double mean = 0;
        for (int p = 0; p < length; p++) mean += values[offset + p];
        mean /= length;
        double[] z = new double[length];
        double norm = 0;
        for (int p = 0; p < length; p++) {
            z[p] = values[offset + p] - mean;
            norm += z[p] * z[p];
        }
        norm = Math.sqrt(norm);
        if (norm == 0) return z;
        for (int p = 0; p < length; p++) z[p] /= norm;
        return z;
    }

    /**
     * Mean image of each class, as a {@code classes x dim} row-major array with
     * {@code classes = max label + 1} (10 for digits). A class with no image has an all-zero mean.
     */
    public static float[] classMeans(Dataset data) {
        if (data.labels().length != data.count()) {
            throw new IllegalArgumentException("data set '" + data.name() + "' has no labels");
        }
        int d = data.dim();
        int classes = Arrays.stream(data.labels()).max().orElse(-1) + 1;
        double[] sums = new double[classes * d];
        int[] counts = new int[classes];
        float[] px = data.pixels();
        for (int i = 0; i < data.count(); i++) {
            int c = data.labels()[i];
            if (c < 0) throw new IllegalArgumentException("negative label " + c + " at image " + i);
            counts[c]++;
            for (int p = 0; p < d; p++) sums[c * d + p] += px[i * d + p];
        }
        float[] means = new float[classes * d];
        for (int c = 0; c < classes; c++) {
            if (counts[c] == 0) continue;
            for (int p = 0; p < d; p++) means[c * d + p] = (float) (sums[c * d + p] / counts[c]);
        }
        return means;
    }

    // ---- hidden code --------------------------------------------------------------------------------

    /** The hidden code {@code f(X W1^T + b1)} of n images, as n x hidden row-major. */
    public static float[] hiddenActivations(float[] images, int n, float[] w1, float[] b1, int hidden, int visible,
                                            Activation activation) {
        checkMatrix("images", images, n, visible);
        checkMatrix("w1", w1, hidden, visible);
        if (b1.length != hidden) throw new IllegalArgumentException("b1 has " + b1.length + " values, expected " + hidden);
        INDArray x = Nd4j.createFromArray(images).reshape(n, visible);
        INDArray w = Nd4j.createFromArray(w1).reshape(hidden, visible);
        INDArray z = Nd4j.create(DataType.FLOAT, n, hidden);
        Nd4j.gemm(x, w, z, false, true, 1.0, 0.0);
        z.addiRowVector(Nd4j.createFromArray(b1));
        INDArray a = switch (activation) {
            case SIGMOID -> Transforms.sigmoid(z, false);
            case TANH -> Transforms.tanh(z, false);
            case RELU -> Transforms.relu(z, false);
            case IDENTITY -> z;
        };
        return a.data().asFloat();
    }

    // ---- checks -------------------------------------------------------------------------------------

    private static void checkMatrix(String name, float[] values, int rows, int cols) {
        if (rows < 1 || cols < 1) throw new IllegalArgumentException(name + ": empty shape " + rows + " x " + cols);
        if ((long) rows * cols != values.length) {
            throw new IllegalArgumentException(name + " has " + values.length + " values, expected " + rows + " x " + cols);
        }
    }

    private static int rows(String name, float[] values, int cols) {
        if (values.length == 0 || values.length % cols != 0) {
            throw new IllegalArgumentException(name + " has " + values.length + " values, not a multiple of " + cols);
        }
        return values.length / cols;
    }
}
