package sparselab.optim;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.SplittableRandom;

import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;
import org.nd4j.linalg.ops.transforms.Transforms;

import sparselab.data.Bars;
import sparselab.data.Dataset;

/**
 * L-BFGS on a small sparse autoencoder objective (docs/model.md with the batch-mean estimator, squared loss,
 * sigmoid layers), written here on its own so that the optimizer is tested on the kind of function it will
 * train, independently of the model package. The objective's gradient is checked against finite differences first.
 */
class LbfgsAutoencoderTest {

    /** recon + decay + beta * sum KL(rho || rho_hat) over a fixed batch; parameters [W1, b1, W2, b2] flat. */
    record SparseAutoencoder(INDArray x, int hidden, double lambda, double beta, double rho) implements Lbfgs.Objective {
        int d() { return (int) x.columns(); }
        int size() { return 2 * hidden * d() + hidden + d(); }

        private INDArray part(INDArray flat, long from, long rows, long cols) {
            return flat.get(NDArrayIndex.interval(from, from + rows * cols)).reshape(rows, cols);
        }

        @Override
        public double valueAndGradient(INDArray theta, INDArray gradOut) {
            int d = d();
            int h = hidden;
            long n = x.rows();
            INDArray w1 = part(theta, 0, h, d);
            INDArray b1 = part(theta, (long) h * d, 1, h);
            INDArray w2 = part(theta, (long) h * d + h, d, h);
            INDArray b2 = part(theta, 2L * h * d + h, 1, d);

            INDArray a = Transforms.sigmoid(x.mmul(w1.transpose()).addiRowVector(b1), false);
            INDArray y = Transforms.sigmoid(a.mmul(w2.transpose()).addiRowVector(b2), false);
            INDArray diff = y.sub(x);
            double recon = 0.5 * diff.mul(diff).sumNumber().doubleValue() / n;
            double decay = 0.5 * lambda * (w1.mul(w1).sumNumber().doubleValue() + w2.mul(w2).sumNumber().doubleValue());
            INDArray rhoHat = a.mean(0).reshape(1, h);
            double[] r = rhoHat.toDoubleVector();
            double kl = 0;
            for (double q : r) kl += rho * Math.log(rho / q) + (1 - rho) * Math.log((1 - rho) / (1 - q));

            INDArray d3 = diff.mul(y.mul(y.rsub(1.0)));
            INDArray sp = Transforms.pow(rhoHat, -1.0, true).muli(-rho)
                    .addi(Transforms.pow(rhoHat.rsub(1.0), -1.0, false).muli(1 - rho)).muli(beta);
            INDArray d2 = d3.mmul(w2).addiRowVector(sp).muli(a.mul(a.rsub(1.0)));

            part(gradOut, 0, h, d).assign(d2.transpose().mmul(x).divi(n).addi(w1.mul(lambda)));
            part(gradOut, (long) h * d, 1, h).assign(d2.mean(0).reshape(1, h));
            part(gradOut, (long) h * d + h, d, h).assign(d3.transpose().mmul(a).divi(n).addi(w2.mul(lambda)));
            part(gradOut, 2L * h * d + h, 1, d).assign(d3.mean(0).reshape(1, d));
            return recon + decay + beta * kl;
        }
    }

    static SparseAutoencoder bars(DataType type) {
        Dataset data = Bars.generate(5, 60, 0.15, 11);
        INDArray x = Nd4j.createFromArray(data.pixels()).reshape(data.count(), data.dim()).castTo(type);
        return new SparseAutoencoder(x, 10, 1e-3, 0.3, 0.1);
    }

    static INDArray init(SparseAutoencoder f, DataType type, long seed) {
        SplittableRandom rng = new SplittableRandom(seed);
        double[] t = new double[f.size()];
        for (int i = 0; i < t.length; i++) t[i] = 0.1 * rng.nextGaussian();
        return Nd4j.createFromArray(t).castTo(type);
    }

    @Test
    void autoencoder_objective_gradient_matches_finite_differences() {
        SparseAutoencoder f = bars(DataType.DOUBLE);
        INDArray theta = init(f, DataType.DOUBLE, 5);
        INDArray g = Nd4j.create(DataType.DOUBLE, f.size());
        f.valueAndGradient(theta, g);
        INDArray scratch = Nd4j.create(DataType.DOUBLE, f.size());
        SplittableRandom rng = new SplittableRandom(9);
        double h = 1e-6;
        for (int k = 0; k < 40; k++) {
            int i = rng.nextInt(f.size());
            INDArray p = theta.dup();
            p.putScalar(i, theta.getDouble(i) + h);
            double up = f.valueAndGradient(p, scratch);
            p.putScalar(i, theta.getDouble(i) - h);
            double down = f.valueAndGradient(p, scratch);
            assertEquals((up - down) / (2 * h), g.getDouble(i), 1e-7, "coordinate " + i);
        }
    }

    @Test
    void lbfgs_lowers_the_autoencoder_objective_monotonically_in_float64_and_float32() {
        for (DataType type : new DataType[] {DataType.DOUBLE, DataType.FLOAT}) {
            SparseAutoencoder f = bars(type);
            INDArray theta = init(f, type, 5);
            double start = f.valueAndGradient(theta, Nd4j.create(type, f.size()));
            Lbfgs opt = new Lbfgs(f.size(), 10, type);
            double previous = start;
            int iterations = 0;
            for (int i = 0; i < 60; i++) {
                Lbfgs.IterationResult r = opt.step(theta, f);
                assertFalse(r.failed(), () -> type + ": " + r);
                assertTrue(r.value() <= previous, type + ": increased at iteration " + r.iteration());
                previous = r.value();
                iterations = r.iteration();
                if (r.done()) break;
            }
            assertTrue(iterations >= 30, type + ": stopped after " + iterations);
            assertTrue(previous < 0.5 * start, type + ": from " + start + " to " + previous);
        }
    }
}
