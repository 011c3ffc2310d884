package sparselab.model;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import sparselab.config.ConfigKeys;
import sparselab.config.RunConfig;

import java.util.Map;
import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Finite differences (five-point central stencil, h = 1e-4, float64) of {@link SparseAutoencoder#objective} against
 * {@link SparseAutoencoder#gradient}, for the batch-mean estimator, limiter off, no dropout, weight decay on.
 *
 * <p>Error measures: the norm-based relative error ||a - n|| / max(||a||, ||n||, 1e-8) over the whole flat gradient, and
 * the largest per-coordinate error |a_i - n_i| / max(|a_i|, |n_i|, 1e-3) (a floor, because a difference quotient has
 * an absolute roundoff that no tiny coordinate can beat relatively). Both must be below 1e-6.
 *
 * <p>The sparsity penalty is checked with a sigmoid hidden layer only: a mean-based rate of tanh or relu activations
 * leaves (0, 1), where KL(rho || rho_hat) is undefined, and ConfigKeys refuses batch-mean with them when beta &gt; 0; their
 * cases therefore use beta = 0 and check recon + decay.
 */
class GradientCheckTest {

    @ParameterizedTest(name = "{0} hidden, {1} output, {2} loss, beta {3}")
    @CsvSource({
            "sigmoid, sigmoid, squared, 3",
            "sigmoid, sigmoid, cross-entropy, 3",
            "sigmoid, identity, squared, 0.5",
            "tanh, sigmoid, squared, 0",
            "tanh, sigmoid, cross-entropy, 0",
            "relu, sigmoid, squared, 0",
            "relu, sigmoid, cross-entropy, 0",
    })
    void gradient_matches_finite_differences(String hiddenAct, String outAct, String loss, String beta) {
        RunConfig cfg = ConfigKeys.build(Map.ofEntries(
                Map.entry("hidden", "5"), Map.entry("hiddenActivation", hiddenAct), Map.entry("outputActivation", outAct),
                Map.entry("loss", loss), Map.entry("beta", beta), Map.entry("rho", "0.1"), Map.entry("estimator", "batch-mean"),
                Map.entry("weightDecay", "0.01"), Map.entry("dropout", "0"), Map.entry("limiter", "off"), Map.entry("eps", "0.000001"),
                Map.entry("seed", "7")));
        int d = 16, n = 7;
        SparseAutoencoder model = new SparseAutoencoder(cfg, d, DataType.DOUBLE);
        // larger weights than the default init so that every term matters
        model.params().muli(4.0);
        SplittableRandom rng = new SplittableRandom(3);
        double[] xs = new double[n * d];
        for (int i = 0; i < xs.length; i++) xs[i] = rng.nextDouble();
        INDArray x = Nd4j.createFromArray(xs).reshape(n, d);

        double[] analytic = model.gradient(x).toDoubleVector();
        INDArray p = model.params();
        double[] numeric = new double[analytic.length];
        double step = 1e-4;
        for (int i = 0; i < numeric.length; i++) {
            double v = p.getDouble(0, i);
            double[] f = new double[4];
            double[] at = {v + 2 * step, v + step, v - step, v - 2 * step};
            for (int k = 0; k < 4; k++) {
                p.putScalar(0, i, at[k]);
                f[k] = model.objective(x);
            }
            p.putScalar(0, i, v);
            numeric[i] = (-f[0] + 8 * f[1] - 8 * f[2] + f[3]) / (12 * step);     // five-point stencil, error O(h^4)
        }
        double diff2 = 0, a2 = 0, n2 = 0, worst = 0;
        for (int i = 0; i < numeric.length; i++) {
            double e = analytic[i] - numeric[i];
            diff2 += e * e;
            a2 += analytic[i] * analytic[i];
            n2 += numeric[i] * numeric[i];
            worst = Math.max(worst, Math.abs(e) / Math.max(Math.max(Math.abs(analytic[i]), Math.abs(numeric[i])), 1e-3));
        }
        double rel = Math.sqrt(diff2) / Math.max(Math.max(Math.sqrt(a2), Math.sqrt(n2)), 1e-8);
        System.out.printf("gradient check %s/%s/%s beta=%s: norm-relative %.2e, worst coordinate %.2e%n", hiddenAct, outAct, loss, beta, rel, worst);
        assertTrue(a2 > 1e-6, "gradient is not trivially zero");
        assertTrue(rel < 1e-6, "norm-based relative error " + rel);
        assertTrue(worst < 1e-6, "worst per-coordinate relative error " + worst);
    }
}
