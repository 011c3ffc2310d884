package sparselab.model;

import jdk.incubator.vector.FloatVector;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;
import sparselab.config.ConfigLoader;
import sparselab.config.RunConfig;
import sparselab.data.Bars;
import sparselab.data.Dataset;

import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The vector loops ({@link VectorLoops}, through {@link Elementwise}): the exponential's accuracy, the same training as
 * the ND4J ops within float32 rounding for every activation, loss and optimizer path, and the same bits whether the
 * JIT has compiled the loops or not (what a resumed run relies on). The test JVM has the module (surefire's argLine).
 */
class VectorLoopsTest {
    @AfterEach
    void vectorLoopsBackOn() {
        Elementwise.useVectorLoops(true);
        Elementwise.useSecondThread(true);
    }

    /** Large passes run in two halves of rows, on two threads where there are two: the same bits either way. */
    @Test
    void one_and_two_element_wise_threads_give_the_same_bits() {
        Dataset ds = Bars.generate(28, 1200, 3.0 / 28, 5);          // one chunk of 1200 x 784 values: split in halves
        INDArray x = Nd4j.create(ds.pixels(), new long[] {ds.count(), ds.dim()}, 'c');
        RunConfig cfg = ConfigLoader.resolve(null, null, List.of("data=bars", "hidden=40", "beta=3", "rho=0.1", "optimizer=lbfgs",
                "batchSize=0", "weightDecay=0.003"));
        double[][] runs = new double[2][];
        for (int t = 0; t < 2; t++) {
            Elementwise.useSecondThread(t == 1);
            SparseAutoencoder m = new SparseAutoencoder(cfg, ds.dim(), DataType.FLOAT);
            runs[t] = new double[] {m.trainEpoch(1, x, () -> false).loss(), m.trainEpoch(2, x, () -> false).loss(),
                    m.reconstructionError(x)};
        }
        assertTrue((long) 1200 * 784 >= Elementwise.HALVES_MIN, "the chunk's passes are split");
        assertEquals(java.util.Arrays.toString(runs[0]), java.util.Arrays.toString(runs[1]));
    }

    @Test
    void the_test_jvm_runs_the_vector_loops() {
        assertTrue(Elementwise.vectorised(), Elementwise.describe());
        assertTrue(Elementwise.describe().contains("floats a vector"), Elementwise.describe());
    }

    @Test
    void exp_is_within_two_ulps_and_each_lane_equals_the_scalar_version() {
        int lanes = FloatVector.SPECIES_PREFERRED.length();
        float[] in = new float[lanes], out = new float[lanes];
        double worst = 0;
        int n = 0;
        for (float x = -87f; x <= 88f; x += 0.00731f) {
            in[n++] = x;
            if (n < lanes) continue;
            VectorLoops.exp(FloatVector.fromArray(FloatVector.SPECIES_PREFERRED, in, 0)).intoArray(out, 0);
            for (int i = 0; i < lanes; i++) {
                assertEquals(Float.floatToRawIntBits(VectorLoops.exp(in[i])), Float.floatToRawIntBits(out[i]), "lane of exp(" + in[i] + ")");
                double exact = Math.exp(in[i]);
                worst = Math.max(worst, Math.abs(out[i] - exact) / Math.ulp((float) exact));
            }
            n = 0;
        }
        assertTrue(worst <= 2.0, "worst error " + worst + " ulp");
        assertTrue(Float.isNaN(VectorLoops.exp(Float.NaN)));
        assertEquals(Float.MAX_VALUE, VectorLoops.exp(Float.POSITIVE_INFINITY), Float.MAX_VALUE * 0.5f, "saturates, finite");
        assertTrue(VectorLoops.exp(Float.NEGATIVE_INFINITY) >= 0 && VectorLoops.exp(Float.NEGATIVE_INFINITY) < 1e-37f);
    }

    @Test
    void activate_adds_the_bias_and_applies_the_sigmoid_over_rows_with_a_tail() {
        int rows = 3, cols = 37;                 // 37: two vectors and a tail of 5 (16 lanes) or 5 (8 lanes)
        INDArray z = Nd4j.rand(DataType.FLOAT, rows, cols).subi(0.5).muli(40), bias = Nd4j.rand(DataType.FLOAT, 1, cols);
        INDArray out = Nd4j.create(DataType.FLOAT, rows, cols);
        INDArray zBefore = z.dup();
        Elementwise.activate(sparselab.config.Choices.Activation.SIGMOID, Elementwise.Span.of(z), Elementwise.Span.ofRow(bias), true,
                Elementwise.Span.of(out), out, rows, cols);
        for (int r = 0; r < rows; r++) {
            for (int c = 0; c < cols; c++) {
                float v = zBefore.getFloat(r, c) + bias.getFloat(0, c);
                double exact = 1 / (1 + Math.exp(-(double) v));
                assertEquals(exact, out.getDouble(r, c), 4e-7 * exact, "sigmoid at " + r + "," + c);
                assertEquals(v, z.getFloat(r, c), "z + bias written back");
            }
        }
    }

    /**
     * Rows that end in two overlapping vectors (196 = 12 x 16 + 4 with 16 lanes), rows of whole vectors and rows
     * shorter than a vector, each pass in place: every element gets the same bits as the scalar formula, so no
     * overlapping lane is computed twice from an already written value.
     */
    @Test
    void passes_in_place_give_each_element_the_scalar_formula_whatever_the_row_length() {
        java.util.Random rnd = new java.util.Random(5);
        for (int cols : new int[] {5, 16, 37, 196, 197, 784}) {
            int rows = 3;
            float[] zv = new float[rows * cols], bv = new float[cols], xv = new float[rows * cols], sv = new float[cols];
            for (int i = 0; i < zv.length; i++) {
                zv[i] = (float) (rnd.nextGaussian() * 4);
                xv[i] = rnd.nextFloat();
            }
            for (int c = 0; c < cols; c++) {
                bv[c] = (float) rnd.nextGaussian();
                sv[c] = (float) rnd.nextGaussian();
            }
            INDArray bias = Nd4j.createFromArray(bv).reshape(1, cols), x = Nd4j.createFromArray(xv).reshape(rows, cols);
            for (var f : sparselab.config.Choices.Activation.values()) {
                if (f == sparselab.config.Choices.Activation.TANH) continue;            // libnd4j's op
                INDArray z = Nd4j.createFromArray(zv).reshape(rows, cols);
                Elementwise.Span zs = Elementwise.Span.of(z);
                Elementwise.activate(f, zs, Elementwise.Span.ofRow(bias), false, zs, z, rows, cols);   // in place
                for (int i = 0; i < zv.length; i++) {
                    float v = zv[i] + bv[i % cols];
                    float want = switch (f) {
                        case SIGMOID -> 1f / (VectorLoops.exp(-v) + 1f);
                        case RELU -> Math.max(v, 0f);
                        default -> v;
                    };
                    assertEquals(want, z.data().getFloat(i), f + " in place, " + cols + " columns, element " + i);
                }
                // d3 = (y - x) g'(y) over y in place, and the sum of squares
                float[] y = z.data().asFloat();
                double sum = VectorLoops.squaredLoss(f, zs, Elementwise.Span.of(x), zs, rows, cols), want = 0;
                for (int i = 0; i < y.length; i++) {
                    float e = y[i] - xv[i];
                    want += (double) e * e;
                    float slope = switch (f) {
                        case SIGMOID -> (1f - y[i]) * y[i];
                        case RELU -> y[i] > 0 ? 1f : 0f;
                        default -> 1f;
                    };
                    assertEquals(e * slope, z.data().getFloat(i), 0f, f + " delta in place, " + cols + " columns, element " + i);
                }
                assertEquals(want, sum, 1e-12 * want, f + " sum of squares, " + cols + " columns");
                // d2 = (d2 + sp) f'(a) in place
                INDArray a = Nd4j.createFromArray(y).reshape(rows, cols), d2 = Nd4j.createFromArray(xv).reshape(rows, cols);
                VectorLoops.hidden(f, Elementwise.Span.of(a), sv, Elementwise.Span.of(d2), rows, cols);
                for (int i = 0; i < y.length; i++) {
                    float slope = switch (f) {
                        case SIGMOID -> (1f - y[i]) * y[i];
                        case RELU -> y[i] > 0 ? 1f : 0f;
                        default -> 1f;
                    };
                    assertEquals((xv[i] + sv[i % cols]) * slope, d2.data().getFloat(i), 0f, f + " hidden delta, " + cols + " columns, element " + i);
                }
                // feature-major: out = f(z + bias[r]), one bias per row, from element 1 of the bias row on
                INDArray zr = Nd4j.createFromArray(zv).reshape(rows, cols), outR = Nd4j.create(DataType.FLOAT, rows, cols);
                VectorLoops.activateByRow(f, Elementwise.Span.of(zr), bias.data().asNio().order(java.nio.ByteOrder.nativeOrder()), 1,
                        Elementwise.Span.of(outR), rows, cols);
                for (int i = 0; i < zv.length; i++) {
                    float v = zv[i] + bv[1 + i / cols];
                    float wantR = switch (f) {
                        case SIGMOID -> 1f / (VectorLoops.exp(-v) + 1f);
                        case RELU -> Math.max(v, 0f);
                        default -> v;
                    };
                    assertEquals(wantR, outR.data().getFloat(i), f + " by row, " + cols + " columns, element " + i);
                    assertEquals(zv[i], zr.data().getFloat(i), "z left as it was");
                }
                // the same with one sparse term per row (the full batch's feature-major arrays), from row 1 of sp on
                float[] byRow = new float[rows + 1];
                for (int r = 0; r <= rows; r++) byRow[r] = 0.25f * r - 1f;
                INDArray d2r = Nd4j.createFromArray(xv).reshape(rows, cols);
                VectorLoops.hiddenByRow(f, Elementwise.Span.of(a), byRow, 1, Elementwise.Span.of(d2r), rows, cols);
                for (int i = 0; i < y.length; i++) {
                    float slope = switch (f) {
                        case SIGMOID -> (1f - y[i]) * y[i];
                        case RELU -> y[i] > 0 ? 1f : 0f;
                        default -> 1f;
                    };
                    assertEquals((xv[i] + byRow[1 + i / cols]) * slope, d2r.data().getFloat(i), 0f, f + " hidden delta by row, " + cols + " columns, element " + i);
                }
            }
        }
    }

    /** Figures of the same training with the vector loops and with ND4J's ops: equal to float32 rounding. */
    @Test
    void the_vector_loops_train_as_the_nd4j_ops_do_for_every_activation_loss_and_optimizer() {
        Dataset ds = Bars.generate(7, 600, 2.0 / 7, 3);          // 49 pixels: every row has a tail after the vectors
        INDArray x = Nd4j.create(ds.pixels(), new long[] {ds.count(), ds.dim()}, 'c');
        List<String> cases = List.of(
                "batchSize=1,optimizer=sgd,learningRate=0.05",
                "batchSize=7,optimizer=adam,learningRate=0.01",
                "batchSize=50,optimizer=adam,learningRate=0.01,dropout=0.2",
                "batchSize=50,optimizer=nesterov,learningRate=0.05,hiddenActivation=relu,outputActivation=identity,estimator=ema-threshold",
                "batchSize=50,optimizer=adam,learningRate=0.01,hiddenActivation=tanh,estimator=ema-threshold",
                "batchSize=50,optimizer=adam,learningRate=0.01,loss=cross-entropy",
                "batchSize=0,optimizer=lbfgs",
                "batchSize=0,optimizer=lbfgs,hiddenActivation=tanh,outputActivation=identity,beta=0");
        for (String c : cases) {
            List<String> sets = new ArrayList<>(List.of("data=bars", "hidden=21", "beta=0.5", "rho=0.1", "weightDecay=0.001", "seed=9"));
            sets.addAll(List.of(c.split(",")));
            RunConfig cfg = ConfigLoader.resolve(null, null, sets);
            double[][] vector = figures(cfg, x, true), nd4j = figures(cfg, x, false);
            for (int e = 0; e < vector.length; e++) {
                for (int k = 0; k < vector[e].length; k++) {
                    double a = vector[e][k], b = nd4j[e][k];
                    assertTrue(Double.isFinite(a) && Double.isFinite(b), c + ": figure " + k + " of epoch " + (e + 1));
                    assertEquals(b, a, 2e-4 * Math.abs(b) + 1e-9, c + ": figure " + k + " of epoch " + (e + 1));
                }
            }
        }
    }

    /**
     * Small batches keep the hidden layer feature-major (Z1^T, A^T, D2^T: SparseAutoencoder.FEATURE_MAJOR_MIN..MAX
     * samples, without dropout): the same training as sample-major within float32 rounding, for every activation, loss,
     * estimator and optimizer path, the fused SGD update included (1e-4: the relu, threshold and nesterov case amplifies
     * the products' rounding to 1.1e-5 in 3 epochs).
     */
    @Test
    void a_feature_major_hidden_layer_trains_as_the_sample_major_one() {
        Dataset ds = Bars.generate(7, 600, 2.0 / 7, 3);
        INDArray x = Nd4j.create(ds.pixels(), new long[] {ds.count(), ds.dim()}, 'c');
        List<String> cases = List.of(
                "batchSize=32,optimizer=sgd,learningRate=0.05",
                "batchSize=50,optimizer=sgd,learningRate=0.05,beta=0,weightDecay=0",
                "batchSize=60,optimizer=adam,learningRate=0.01,estimator=ema-mean",
                "batchSize=50,optimizer=nesterov,learningRate=0.05,hiddenActivation=relu,outputActivation=identity,estimator=ema-threshold",
                "batchSize=50,optimizer=adam,learningRate=0.01,hiddenActivation=tanh,estimator=ema-threshold",
                "batchSize=16,optimizer=adam,learningRate=0.01,loss=cross-entropy",
                "batchSize=63,optimizer=sgd,learningRate=0.05,limiter=2");       // 600 = 9 x 63 + 33: every batch in the range
        int min = SparseAutoencoder.FEATURE_MAJOR_MIN, max = SparseAutoencoder.FEATURE_MAJOR_MAX;
        try {
            for (String c : cases) {
                List<String> sets = new ArrayList<>(List.of("data=bars", "hidden=21", "beta=0.5", "rho=0.1", "weightDecay=0.001", "seed=9"));
                sets.addAll(List.of(c.split(",")));
                RunConfig cfg = ConfigLoader.resolve(null, null, sets);
                assertTrue(cfg.batchSize() >= min && cfg.batchSize() <= max, c);
                double[][][] f = new double[2][][];
                for (int fm = 0; fm < 2; fm++) {
                    SparseAutoencoder.useFeatureMajorHidden(fm == 1);
                    SparseAutoencoder m = new SparseAutoencoder(cfg, (int) x.columns(), DataType.FLOAT);
                    assertEquals(fm == 1, m.hiddenFeatureMajorAt(cfg.batchSize()), c);
                    f[fm] = new double[3][];
                    for (int e = 1; e <= 3; e++) {
                        EpochStats s = m.trainEpoch(e, x, () -> false);
                        // the held-out error of 50 samples: one evaluation chunk in the range
                        f[fm][e - 1] = new double[] {s.loss(), s.recon(), s.penalty(), s.meanActivation(), m.reconstructionError(x),
                                m.reconstructionError(x.get(NDArrayIndex.interval(0, 50), NDArrayIndex.all()))};
                    }
                }
                for (int e = 0; e < 3; e++) {
                    for (int k = 0; k < f[0][e].length; k++) {
                        double a = f[1][e][k], b = f[0][e][k];
                        assertTrue(Double.isFinite(a), c + ": figure " + k + " of epoch " + (e + 1));
                        assertEquals(b, a, 1e-4 * Math.abs(b) + 1e-9, c + ": figure " + k + " of epoch " + (e + 1));
                    }
                }
            }
            SparseAutoencoder.useFeatureMajorHidden(true);
            RunConfig big = ConfigLoader.resolve(null, null, List.of("data=bars", "hidden=21", "batchSize=" + (max + 1)));
            SparseAutoencoder m = new SparseAutoencoder(big, (int) x.columns(), DataType.FLOAT);
            assertTrue(!m.hiddenFeatureMajorAt(max + 1) && !m.hiddenFeatureMajorAt(min - 1) && m.hiddenFeatureMajorAt(max));
            RunConfig dropout = ConfigLoader.resolve(null, null, List.of("data=bars", "hidden=21", "batchSize=50", "dropout=0.2"));
            assertTrue(!new SparseAutoencoder(dropout, (int) x.columns(), DataType.FLOAT).hiddenFeatureMajorAt(50), "dropout stays sample-major");
        } finally {
            SparseAutoencoder.useFeatureMajorHidden(true);
        }
    }

    /** Values uniform in [-half, half) from a seeded generator (the same parameters whatever ran before in the JVM). */
    private static INDArray uniform(long[] shape, double half, long seed) {
        java.util.SplittableRandom r = new java.util.SplittableRandom(seed);
        long n = 1;
        for (long s : shape) n *= s;
        float[] v = new float[(int) n];
        for (int i = 0; i < v.length; i++) v[i] = (float) ((r.nextDouble() - 0.5) * 2 * half);
        return Nd4j.createFromArray(v).reshape(shape);
    }

    /**
     * The gradient of a feature-major step (batch-mean, no dropout: what the gradient checks verify in float64) equals
     * the sample-major one to float32 rounding, also with H x n passes large enough to be split between two threads.
     */
    @Test
    void a_feature_major_hidden_layer_gives_the_sample_major_gradient() {
        Dataset ds = Bars.generate(7, 200, 2.0 / 7, 3);
        INDArray x = Nd4j.create(ds.pixels(), new long[] {ds.count(), ds.dim()}, 'c');
        try {
            for (String c : List.of("hidden=21,batchSize=50", "hidden=21,batchSize=16,hiddenActivation=tanh,estimator=ema-threshold",
                    "hidden=4200,batchSize=63")) {                                  // 4200 x 63 values: split in halves
                List<String> sets = new ArrayList<>(List.of("data=bars", "beta=3", "rho=0.1", "weightDecay=0.001", "seed=4"));
                sets.addAll(List.of(c.split(",")));
                RunConfig cfg = ConfigLoader.resolve(null, null, sets);
                INDArray batch = x.get(NDArrayIndex.interval(0, cfg.batchSize()), NDArrayIndex.all());
                INDArray[] g = new INDArray[2];
                INDArray params = null;
                for (int fm = 0; fm < 2; fm++) {
                    SparseAutoencoder.useFeatureMajorHidden(fm == 1);
                    SparseAutoencoder m = new SparseAutoencoder(cfg, (int) x.columns(), DataType.FLOAT);
                    assertEquals(fm == 1, m.hiddenFeatureMajorAt(cfg.batchSize()), c);
                    // the same parameters for both, biases not zero (a bias read from the wrong unit must show)
                    if (params == null) params = uniform(m.params().shape(), 0.2, 17);
                    m.params().assign(params);
                    g[fm] = m.gradient(batch);
                }
                if (cfg.hidden() > 1000) assertTrue(cfg.hidden() * (long) cfg.batchSize() >= Elementwise.HALVES_MIN, c + ": its H x n passes are split");
                // float32 rounding in two orders of summation: up to 2.8e-5 of |g| was seen (tanh and ema-threshold at
                // batch 16, where |g| is about 1000 and terms cancel); a bias or unit read from the wrong place is O(1)
                double diff = g[1].sub(g[0]).norm2Number().doubleValue(), norm = g[0].norm2Number().doubleValue();
                assertTrue(norm > 0 && diff <= 1e-4 * norm, c + ": |g_fm - g| = " + diff + " of |g| = " + norm);
            }
        } finally {
            SparseAutoencoder.useFeatureMajorHidden(true);
        }
    }

    /** loss, recon, penalty, held-out error after each of 3 epochs. */
    private static double[][] figures(RunConfig cfg, INDArray x, boolean vector) {
        assertEquals(vector, Elementwise.useVectorLoops(vector));
        SparseAutoencoder m = new SparseAutoencoder(cfg, (int) x.columns(), DataType.FLOAT);
        double[][] f = new double[3][];
        for (int e = 1; e <= 3; e++) {
            EpochStats s = m.trainEpoch(e, x, () -> false);
            f[e - 1] = new double[] {s.loss(), s.recon(), s.penalty(), m.reconstructionError(x)};
        }
        return f;
    }

    /**
     * The same bits from a JVM that compiles the loops with C2 (vector instructions) and one that stops at C1 (whose
     * vector operations are the Java fallback, lane by lane): the loops use no operation whose rounding depends on it.
     */
    @Test
    void compiled_and_not_compiled_loops_give_the_same_bits() throws Exception {
        List<String> c2 = losses();
        List<String> c1 = losses("-XX:TieredStopAtLevel=1");
        assertTrue(c2.size() > 10, "figures printed: " + c2);
        assertEquals(c2, c1);
    }

    private static List<String> losses(String... flags) throws Exception {
        return ThreadsDeterminismTest.run("1", flags);
    }

    /**
     * The full batch's gradient blocks and weights are views one column narrower than their arrays: the vector add and
     * copy over them give ND4J's {@code AddOp} and {@code assign} bit for bit, rows that end off a whole vector included,
     * and leave the column beside them alone.
     */
    @Test
    void add_and_copy_over_views_give_the_nd4j_ops_bits() {
        for (int cols : new int[] {37, 784}) {
            int rows = 7;
            INDArray a = Nd4j.rand(DataType.FLOAT, rows + 1, cols + 1).subi(0.5).muli(1e3);
            INDArray b = Nd4j.rand(DataType.FLOAT, rows + 1, cols + 1).subi(0.5).muli(1e-3);
            INDArray av = a.get(NDArrayIndex.interval(0, rows), NDArrayIndex.interval(0, cols));
            INDArray bv = b.get(NDArrayIndex.interval(0, rows), NDArrayIndex.interval(0, cols));
            INDArray flat = Nd4j.rand(DataType.FLOAT, 3L * rows * cols);
            INDArray out = flat.get(NDArrayIndex.interval((long) rows * cols, 2L * rows * cols)).reshape('c', rows, cols);
            INDArray expected = Nd4j.create(DataType.FLOAT, rows, cols);
            Nd4j.getExecutioner().exec(new org.nd4j.linalg.api.ops.impl.transforms.pairwise.arithmetic.AddOp(av, bv, expected));
            float[] before = flat.toFloatVector();
            Elementwise.addOrCopy(true, av, bv, out);
            float[] after = flat.toFloatVector();
            float[] sum = expected.data().asFloat();
            for (int i = 0; i < after.length; i++) {
                int j = i - rows * cols;
                float want = j >= 0 && j < rows * cols ? sum[j] : before[i];
                assertEquals(Float.floatToRawIntBits(want), Float.floatToRawIntBits(after[i]), cols + " columns, element " + i);
            }
            INDArray copy = Nd4j.zeros(DataType.FLOAT, rows + 1, cols + 1);
            Elementwise.addOrCopy(true, out, null, copy.get(NDArrayIndex.interval(0, rows), NDArrayIndex.interval(0, cols)));
            float[] copied = copy.get(NDArrayIndex.interval(0, rows), NDArrayIndex.interval(0, cols)).dup().data().asFloat();
            float[] source = out.dup().data().asFloat();
            for (int i = 0; i < source.length; i++) {
                assertEquals(Float.floatToRawIntBits(source[i]), Float.floatToRawIntBits(copied[i]), "copy, " + cols + " columns, element " + i);
            }
            assertEquals(0.0, copy.getRow(rows).sumNumber().doubleValue() + copy.getColumn(cols).sumNumber().doubleValue(),
                    "the row and column beside the view");
        }
        IllegalArgumentException e = org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class,
                () -> Elementwise.addOrCopy(true, Nd4j.create(DataType.FLOAT, 2, 3), null, Nd4j.create(DataType.FLOAT, 3, 2)));
        assertTrue(e.getMessage().contains("shapes differ"), e.getMessage());
    }

    /**
     * A matrix without a bias whose rows follow each other (the full batch's arrays) is one flat pass for the sigmoid:
     * each element gets the scalar formula's bits, in place and into another array, whatever rows x cols leaves over a
     * whole vector, and a view with a row stride wider than its rows takes the row loops with the same result.
     */
    @Test
    void the_flat_sigmoid_gives_each_element_the_scalar_formula() {
        java.util.Random rnd = new java.util.Random(9);
        // 600 x 500 is over HALVES_MIN: with split, its two halves of rows run on two threads, each from its own first row
        assertTrue(600L * 500 >= Elementwise.HALVES_MIN, "the last shape is split in halves");
        for (int[] shape : new int[][] {{3, 5}, {7, 37}, {197, 50}, {784, 17}, {2, 3}, {600, 500}}) {
            int rows = shape[0], cols = shape[1];
            float[] zv = new float[rows * cols];
            for (int i = 0; i < zv.length; i++) zv[i] = (float) (rnd.nextGaussian() * 6);
            INDArray z = Nd4j.createFromArray(zv).reshape(rows, cols), out = Nd4j.create(DataType.FLOAT, rows, cols);
            INDArray wide = Nd4j.zeros(DataType.FLOAT, rows, cols + 3);
            INDArray view = wide.get(NDArrayIndex.all(), NDArrayIndex.interval(0, cols));
            view.assign(z);
            Elementwise.activate(true, true, sparselab.config.Choices.Activation.SIGMOID, z, out);
            Elementwise.activate(true, true, sparselab.config.Choices.Activation.SIGMOID, view, view);
            Elementwise.activate(true, false, sparselab.config.Choices.Activation.SIGMOID, z, z);
            for (int i = 0; i < zv.length; i++) {
                int want = Float.floatToRawIntBits(1f / (VectorLoops.exp(-zv[i]) + 1f));
                String at = rows + " x " + cols + ", element " + i;
                assertEquals(want, Float.floatToRawIntBits(out.data().getFloat(i)), "into another array, " + at);
                assertEquals(want, Float.floatToRawIntBits(z.data().getFloat(i)), "in place, " + at);
                assertEquals(want, Float.floatToRawIntBits(view.getFloat(i / cols, i % cols)), "a view, " + at);
            }
            assertEquals(0.0, wide.get(NDArrayIndex.all(), NDArrayIndex.interval(cols, cols + 3)).sumNumber().doubleValue(), "beside the view");
        }
    }
}
