package sparselab.model;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import sparselab.config.ConfigKeys;
import sparselab.config.RunConfig;
import sparselab.data.Bars;
import sparselab.data.Dataset;

import java.util.HashMap;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The reported figures of a float32 model, at a trained snapshot, against a plain-Java float64 evaluation of the same
 * float32 weights on the same samples: recon, penalty, decay and loss of a full-batch L-BFGS epoch (the value its line
 * search compares), and the held-out error and decay of a minibatch model, each within 1e-6 relative. The samples are
 * 3,000 28x28 bar images, so one chunk of the objective holds 784,000 values: a float32 sum with one accumulator over
 * such a chunk is off by about 1e-4 to 1e-3.
 */
class ExactFiguresTest {
    private static final double TOLERANCE = 1e-6;
    private static final int SIZE = 28, COUNT = 3000, HIDDEN = 24;

    private static RunConfig config(String... kv) {
        Map<String, String> m = new HashMap<>(Map.of("data", "bars", "hidden", Integer.toString(HIDDEN), "beta", "3",
                "rho", "0.1", "weightDecay", "0.003", "estimator", "batch-mean", "hiddenActivation", "sigmoid",
                "outputActivation", "sigmoid", "seed", "5"));
        for (int i = 0; i < kv.length; i += 2) m.put(kv[i], kv[i + 1]);
        return ConfigKeys.build(m);
    }

    private static Dataset bars() {
        return Bars.generate(SIZE, COUNT, 3.0 / SIZE, 11);
    }

    @ParameterizedTest(name = "{0} loss")
    @CsvSource({"squared", "cross-entropy"})
    void full_batch_figures_are_float64_exact_at_a_trained_snapshot(String loss) {
        RunConfig cfg = config("optimizer", "lbfgs", "batchSize", "0", "loss", loss);
        Dataset ds = bars();
        INDArray x = Nd4j.create(ds.pixels(), new long[] {COUNT, ds.dim()}, 'c');
        SparseAutoencoder model = new SparseAutoencoder(cfg, ds.dim(), DataType.FLOAT);
        EpochStats s = null;
        for (int e = 1; e <= 6; e++) s = model.trainEpoch(e, x, () -> false);
        assertTrue(s.batches() > 0, "the sixth iteration still evaluated");

        Reference ref = Reference.of(cfg, model.params().toDoubleVector(), ds);
        assertClose(ref.recon, s.recon(), "recon");
        assertClose(ref.penalty, s.penalty(), "penalty");
        assertClose(ref.decay, s.decay(), "decay");
        assertClose(ref.loss(), s.loss(), "loss");
        assertClose(ref.loss(), model.fullBatch().value(x), "the objective the line search compares");
    }

    @ParameterizedTest(name = "{0} loss")
    @CsvSource({"squared", "cross-entropy"})
    void held_out_error_and_decay_of_a_minibatch_model_are_float64_exact(String loss) {
        RunConfig cfg = config("optimizer", "adam", "learningRate", "0.01", "batchSize", "100", "loss", loss);
        Dataset ds = bars();
        INDArray x = Nd4j.create(ds.pixels(), new long[] {COUNT, ds.dim()}, 'c');
        SparseAutoencoder model = new SparseAutoencoder(cfg, ds.dim(), DataType.FLOAT);
        EpochStats s = null;
        for (int e = 1; e <= 2; e++) s = model.trainEpoch(e, x, () -> false);

        Reference ref = Reference.of(cfg, model.params().toDoubleVector(), ds);
        assertTrue(model.inLanesAt(1000), "the held-out error's chunks of 1,000 samples run in two lanes");
        assertClose(ref.recon, model.reconstructionError(x), "held-out error");
        assertClose(ref.decay, s.decay(), "decay");
    }

    private static void assertClose(double expected, double actual, String what) {
        double rel = Math.abs(actual - expected) / Math.abs(expected);
        assertTrue(rel <= TOLERANCE, what + ": " + actual + " against float64 " + expected + ", relative error " + rel);
        assertEquals(expected, actual, TOLERANCE * Math.abs(expected), what);
    }

    /** The objective's terms in float64, sample by sample, from the weights as stored ([W1 | W2 | b1 | b2]). */
    private record Reference(double recon, double penalty, double decay) {
        double loss() { return recon + penalty + decay; }

        static Reference of(RunConfig cfg, double[] p, Dataset ds) {
            int d = ds.dim(), h = cfg.hidden(), n = ds.count();
            int w2 = h * d, b1 = 2 * h * d, b2 = b1 + h;
            float[] px = ds.pixels();
            double[] a = new double[h], rho = new double[h];
            double recon = 0;
            for (int i = 0; i < n; i++) {
                int off = i * d;
                for (int j = 0; j < h; j++) {
                    double z = p[b1 + j];
                    for (int k = 0; k < d; k++) z += p[j * d + k] * px[off + k];
                    a[j] = 1 / (1 + Math.exp(-z));
                    rho[j] += a[j];
                }
                for (int k = 0; k < d; k++) {
                    double z = p[b2 + k];
                    for (int j = 0; j < h; j++) z += p[w2 + k * h + j] * a[j];
                    double xk = px[off + k];
                    if (cfg.loss() == sparselab.config.Choices.Loss.CROSS_ENTROPY) {
                        recon += Math.max(z, 0) + Math.log1p(Math.exp(-Math.abs(z))) - xk * z;   // softplus(z) - x z
                    } else {
                        double e = 1 / (1 + Math.exp(-z)) - xk;
                        recon += 0.5 * e * e;
                    }
                }
            }
            double penalty = 0, r = cfg.rho(), eps = cfg.eps();
            for (int j = 0; j < h; j++) {
                double rh = rho[j] / n;
                penalty += r * Math.log(r / (rh + eps)) + (1 - r) * Math.log((1 - r) / (1 - rh + eps));
            }
            double sq = 0;
            for (int i = 0; i < 2 * h * d; i++) sq += p[i] * p[i];
            return new Reference(recon / n, cfg.beta() * penalty, 0.5 * cfg.weightDecay() * sq);
        }
    }
}
