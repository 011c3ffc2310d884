package sparselab.model;

import org.nd4j.linalg.api.blas.Level1;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.ops.impl.reduce.floating.SquaredNorm;
import org.nd4j.linalg.api.ops.impl.scalar.Step;
import org.nd4j.linalg.api.ops.impl.transforms.strict.SoftPlus;
import org.nd4j.linalg.api.ops.random.impl.BernoulliDistribution;
import org.nd4j.linalg.api.rng.Random;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;
import org.nd4j.linalg.learning.GradientUpdater;
import org.nd4j.linalg.learning.config.Adam;
import org.nd4j.linalg.learning.config.IUpdater;
import org.nd4j.linalg.learning.config.Nesterovs;
import org.nd4j.linalg.schedule.ExponentialSchedule;
import org.nd4j.linalg.schedule.ISchedule;
import org.nd4j.linalg.schedule.ScheduleType;
import org.nd4j.linalg.learning.config.NoOp;
import org.nd4j.linalg.learning.config.Sgd;
import org.nd4j.linalg.ops.transforms.Transforms;
import sparselab.config.Choices.Activation;
import sparselab.config.Choices.Estimator;
import sparselab.config.Choices.Loss;
import sparselab.config.Choices.Optimizer;
import sparselab.config.RunConfig;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.function.BooleanSupplier;

/**
 * The autoencoder d -&gt; H -&gt; d of docs/model.md, trained with ND4J's updaters.
 *
 * <p><b>Parameters</b> live in one flat row vector, laid out {@code [W1 (H x d) | W2 (d x H) | b1 (H) | b2 (d)]}, each block
 * row-major; {@code W1}, {@code W2}, {@code b1}, {@code b2} are views of it, and the gradient has the same layout. (The
 * weights come first so that the weight decay is one operation on one contiguous block.) {@link #weightsLE()} writes
 * the blocks in the order W1, b1, W2, b2 instead.
 *
 * <p><b>One step</b> on a batch X (n x d), exactly as docs/model.md writes it:
 * <pre>
 *   Z1 = X W1^T + b1;  A = f(Z1);  A' = A * M
 *   Z2 = A' W2^T + b2; Y = g(Z2)
 *   d3 = (Y - X) * g'(Z2)    (squared loss)   or   d3 = Y - X   (cross-entropy with a sigmoid output)
 *   rho_hat &lt;- estimator(A) [+ eps when epsInEstimate]
 *   sp = beta * (-rho / (rho_hat + eps) + (1 - rho) / (1 - rho_hat + eps)),  clipped to [-L, L] by the limiter
 *   d2 = (d3 W2 + sp) * f'(Z1) * M
 *   dW2 = d3^T A' / n + lambda W2;  db2 = mean(d3);  dW1 = d2^T X / n + lambda W1;  db1 = mean(d2)
 * </pre>
 * Dropout is <i>inverted</i>: M holds 0 (probability p) or 1 / (1 - p), so no rescaling is needed when evaluating;
 * with dropout 0 there is no mask and no mask operation. The estimators see A (before the mask).
 *
 * <p><b>Losses.</b> Squared: (1/n) sum 0.5 ||Y - X||^2. Cross-entropy (sigmoid output only):
 * -(1/n) sum [x log y + (1 - x) log(1 - y)], computed stably as (1/n) sum [softplus(z2) - x z2]. The penalty is
 * beta * sum_j KL_eps(rho || rho_hat_j) with KL_eps = rho log(rho / (rho_hat + eps)) + (1 - rho) log((1 - rho) / (1 - rho_hat + eps)),
 * so that with the batch-mean estimator the update is exactly the gradient of recon + decay + penalty.
 *
 * <p><b>Optimisers</b> (ND4J's own updaters): sgd = {@code Sgd(lr)}; nesterov = {@code Nesterovs(lr, momentum)};
 * adam = {@code Adam(lr, beta1 = momentum, beta2 = 0.999, epsilon = 1e-8)} (momentum's default 0.9 is Adam's default beta1).
 * With an lrSchedule other than constant, lr is ND4J's schedule ({@link #schedule}), which the updater evaluates at
 * every step with the epoch counted from 0.
 *
 * <p><b>Randomness.</b> Weights: uniform in +-sqrt(6 / (d + H + 1)) from a {@link SplittableRandom} seeded with
 * cfg.seed; biases 0; rho_hat starts at rho. The shuffle permutation and the dropout generator of an epoch are derived
 * from (cfg.seed, epoch) only, so a run resumed at an epoch boundary repeats the uninterrupted run exactly.
 *
 * <p><b>Speed.</b> Every per-batch array is allocated once per batch size (a small cache keyed by n); the products
 * are BLAS calls writing into them ({@link Blas}); bias rows and row sums of small batches are BLAS level-1 calls
 * (about 0.2 µs each, against 2-20 µs for an ND4J op); the reconstruction sum is a BLAS dot accumulated in float64 ({@link ExactSums}); the sparse term's
 * statistics and the penalty are computed once per epoch from the rho_hat recorded at every batch. Plain SGD is
 * fused into the weight products (see {@link #fusedSgd}); the other optimizers use ND4J's updaters. Batches of
 * {@link #FEATURE_MAJOR_MIN}-{@link #FEATURE_MAJOR_MAX} samples keep the hidden layer feature-major (H x n), where
 * OpenBLAS runs the products faster.
 *
 * <p>Not thread-safe: one model is trained by one thread.
 */
public final class SparseAutoencoder {
    private static final int EVAL_CHUNK = 1000;
    /**
     * The samples in a chunk of the full-batch objective over {@code n} samples (the larger of its chunks' sizes, which
     * differ by at most one; bench times the products at this shape).
     */
    public static int fullBatchChunk(int n) {
        int k = FullBatchTrainer.chunks(n, FullBatchTrainer.DEFAULT_CHUNK);
        return (n + k - 1) / k;
    }

    private final RunConfig cfg;
    private final DataType dtype;
    private final int d;
    private final int h;
    private final long nW;

    private final INDArray params;
    private final INDArray w1, w2, b1, b2, pW;
    private final INDArray grad;
    private final INDArray gW1, gW2, gB1, gB2, gW;
    private final INDArray rhoHat;
    private final INDArray scratchRho;
    private final INDArray updaterState;
    private final GradientUpdater<?> updater;
    private final ISchedule lrSchedule;

    // the sparse term: q = [rho_hat + eps | 1 - rho_hat + eps], r = num / q, sp = r_left + r_right
    private final INDArray spNum, q, qL, qR, r, rL, rR, sp;
    private boolean fuseSgd = true;
    private Elementwise.Span xSpan;                            // the current training batch's span (vector path)
    /** The element-wise work in the vector loops ({@link Elementwise}): float32 and a JVM with the vector module. */
    private final boolean vec;
    private final Elementwise.Span b1s, b2s;
    private final float[] spValues, rhoValues;                 // the vector path's sparse term, in Java
    private final float[] noSp;                                // zeros: the feature-major hidden delta without a sparse term
    private final java.nio.FloatBuffer rhoHatBuf, scratchRhoBuf;

    private final Random dropoutRng;
    private final Map<Integer, Buffers> buffers = new LinkedHashMap<>(8, 0.75f, true) {
        @Override protected boolean removeEldestEntry(Map.Entry<Integer, Buffers> e) { return size() > 4; }
    };
    private Batches batchesCache;
    private Accumulators accCache;

    private int iteration;
    private int epoch;
    private double firstEpochLoss = Double.NaN;

    /** A float32 model for {@code dim}-pixel inputs. */
    public SparseAutoencoder(RunConfig cfg, int dim) {
        this(cfg, dim, DataType.FLOAT);
    }

    /** @param dtype FLOAT for training, DOUBLE for the gradient check */
    public SparseAutoencoder(RunConfig cfg, int dim, DataType dtype) {
        if (dtype != DataType.FLOAT && dtype != DataType.DOUBLE) throw new IllegalArgumentException("dtype must be FLOAT or DOUBLE");
        this.cfg = cfg;
        this.dtype = dtype;
        this.d = dim;
        this.h = cfg.hidden();
        this.nW = (long) h * d;
        long total = 2 * nW + h + d;

        double[] init = new double[(int) total];
        double bound = Math.sqrt(6.0 / (d + h + 1));
        SplittableRandom rng = new SplittableRandom(cfg.seed());
        for (int i = 0; i < 2 * nW; i++) init[i] = (2 * rng.nextDouble() - 1) * bound;
        params = Nd4j.createFromArray(init).castTo(dtype).reshape(1, total);
        grad = Nd4j.zeros(dtype, 1, total);

        w1 = block(params, 0, nW).reshape('c', h, d);
        w2 = block(params, nW, 2 * nW).reshape('c', d, h);
        b1 = block(params, 2 * nW, 2 * nW + h).reshape(1, h);
        b2 = block(params, 2 * nW + h, total).reshape(1, d);
        pW = block(params, 0, 2 * nW);
        gW1 = block(grad, 0, nW).reshape('c', h, d);
        gW2 = block(grad, nW, 2 * nW).reshape('c', d, h);
        gB1 = block(grad, 2 * nW, 2 * nW + h).reshape(1, h);
        gB2 = block(grad, 2 * nW + h, total).reshape(1, d);
        gW = block(grad, 0, 2 * nW);

        rhoHat = Nd4j.valueArrayOf(new long[] {1, h}, cfg.rho(), dtype);
        scratchRho = Nd4j.zeros(dtype, 1, h);

        lrSchedule = schedule(cfg);
        IUpdater conf = switch (cfg.optimizer()) {
            case SGD -> lrSchedule == null ? new Sgd(cfg.learningRate()) : new Sgd(lrSchedule);
            case NESTEROV -> lrSchedule == null ? new Nesterovs(cfg.learningRate(), cfg.momentum()) : new Nesterovs(lrSchedule, cfg.momentum());
            case ADAM -> lrSchedule == null ? new Adam(cfg.learningRate(), cfg.momentum(), 0.999, 1e-8)
                    : Adam.builder().learningRateSchedule(lrSchedule).beta1(cfg.momentum()).beta2(0.999).epsilon(1e-8).build();
            case LBFGS -> new NoOp();                              // full batch: FullBatchTrainer moves the parameters
        };
        long stateSize = conf.stateSize(total);
        updaterState = stateSize > 0 ? Nd4j.zeros(dtype, 1, stateSize) : null;
        updater = conf.instantiate(updaterState, true);

        double beta = cfg.beta(), rho = cfg.rho();
        spNum = Nd4j.zeros(dtype, 1, 2 * h);
        spNum.get(NDArrayIndex.point(0), NDArrayIndex.interval(0, h)).assign(-beta * rho);
        spNum.get(NDArrayIndex.point(0), NDArrayIndex.interval(h, 2 * h)).assign(beta * (1 - rho));
        q = Nd4j.zeros(dtype, 1, 2 * h);
        qL = halves(q, 0);
        qR = halves(q, 1);
        r = Nd4j.zeros(dtype, 1, 2 * h);
        rL = halves(r, 0);
        rR = halves(r, 1);
        sp = Nd4j.zeros(dtype, 1, h);

        dropoutRng = Nd4j.getRandomFactory().getNewRandomInstance(epochSeed(cfg.seed(), 0, 2));
        vec = Elementwise.on(params);
        b1s = vec ? Elementwise.Span.ofRow(b1) : null;
        b2s = vec ? Elementwise.Span.ofRow(b2) : null;
        spValues = new float[h];
        noSp = new float[h];
        rhoValues = new float[h];
        rhoHatBuf = vec ? rhoHat.data().asNioFloat() : null;
        scratchRhoBuf = vec ? scratchRho.data().asNioFloat() : null;
    }

    /**
     * ND4J's schedule for cfg's lrSchedule, counted by epoch (0 for the first), or null for constant (and for lbfgs,
     * which chooses its own step).
     */
    static ISchedule schedule(RunConfig cfg) {
        if (cfg.optimizer() == Optimizer.LBFGS) return null;
        return switch (cfg.lrSchedule()) {
            case CONSTANT -> null;
            case EXPONENTIAL -> new ExponentialSchedule(ScheduleType.EPOCH, cfg.learningRate(), cfg.lrDecay());
        };
    }

    /** The step size of the updates in {@code epoch} (1, 2, ...). */
    public double learningRate(int epoch) {
        return lrSchedule == null ? cfg.learningRate() : lrSchedule.valueAt(iteration, epoch - 1);
    }

    private static INDArray block(INDArray flat, long from, long to) {
        return flat.get(NDArrayIndex.point(0), NDArrayIndex.interval(from, to));
    }

    private INDArray halves(INDArray a, int k) {
        return a.get(NDArrayIndex.interval(0, 1), NDArrayIndex.interval((long) k * h, (long) (k + 1) * h));
    }

    public RunConfig config() { return cfg; }
    public int dim() { return d; }
    public int hidden() { return h; }
    public DataType dataType() { return dtype; }
    public int iteration() { return iteration; }
    /** The last epoch trained (0 before any). */
    public int epoch() { return epoch; }

    /** The flat parameter vector (live, not a copy), layout {@code [W1 | W2 | b1 | b2]}. */
    INDArray params() { return params; }

    // ------------------------------------------------------------------ per-batch-size buffers

    /** Batches up to this size add bias rows and sum rows with BLAS axpy per row; larger ones with one rank-1 product. */
    private static final int ROW_LOOP = 32;

    /**
     * Batches of this many samples keep the hidden layer feature-major (a row per unit, a column per sample: Z1^T, A^T,
     * D2^T), with the vector loops and without dropout; the output layer and the samples stay sample-major. OpenBLAS
     * runs the step's five products faster that way round at small batches: measured on 2026-12-03 (OpenBLAS 0.3.31,
     * AVX-512, two threads), the five products alone at 1.13-1.26x the speed at 16-50 samples, 1.02-1.16x at 100-125,
     * 1.02-1.08x at 150-175 and 0.83-0.92x at 200-1000; whole epochs x1.15 at 16 and 32 samples (docs/performance.md).
     * From {@link #LANES_MIN} samples on the batch is cut into lanes instead. The choice depends on the batch's size
     * only (in a JVM with the vector loops), so a resumed run multiplies as the uninterrupted one did.
     */
    static final int FEATURE_MAJOR_MIN = 16, FEATURE_MAJOR_MAX = 63;

    /**
     * Batches of at least this many samples (sample-major, in the vector loops) are cut into two halves of rows, one for
     * each of two lanes ({@link TwoLanes}), which run at once on a 2-core machine: each lane multiplies its half on
     * one OpenBLAS thread and passes over it on its own thread, and the lanes meet for rho_hat after the hidden layer
     * and for the weights' two products (W1's on one lane, W2's on the other, over the whole batch). Measured on
     * 2026-12-03 (OpenBLAS 0.3.31, AVX-512, two cores): the five products alone ran 1.16-1.20x faster that way at
     * 1000 samples and 1.17-1.24x at 256 than on OpenBLAS's two threads, 0.93-1.13x at 100. Since the lanes meet
     * without an executor (2026-12-04), whole epochs in lanes against the feature-major hidden layer on two threads,
     * a JVM each, alternating: x1.15-1.36 at 100 samples, x1.05-1.16 at 64, x0.88-0.93 at 32 (docs/performance.md).
     * The cut depends on the batch's size only, never on the threads, so a batch has the same bits at once and in turn.
     */
    public static final int LANES_MIN = 64;

    private static volatile int lanesMin = LANES_MIN;

    /** Cuts batches of at least {@code n} samples into lanes in models created from now on (tests and A/B measurements). */
    static void useLanesFrom(int n) {
        lanesMin = n;
    }

    private final int lanesFrom = lanesMin;

    private static volatile boolean featureMajor = !"false".equals(System.getProperty("sparselab.featureMajorHidden"));

    /** For bench: where the minibatch step keeps its hidden layer feature-major. */
    public static String hiddenLayout() {
        if (!featureMajor) return "hidden layer sample-major (-Dsparselab.featureMajorHidden=false)";
        if (!Elementwise.vectorised()) return "hidden layer sample-major (feature-major needs the vector loops)";
        return "hidden layer feature-major at " + FEATURE_MAJOR_MIN + "-" + FEATURE_MAJOR_MAX + " samples (without dropout)";
    }

    /** Switches the feature-major hidden layer on or off for models created from now on (tests and A/B measurements). */
    static void useFeatureMajorHidden(boolean on) {
        featureMajor = on;
    }

    private final boolean featureMajorHidden = featureMajor;

    /** The arrays one step on n samples needs, allocated once. */
    private final class Buffers {
        final int n;
        /** The hidden arrays (z1, a, ind, d2, scratchH) are h x n (feature-major), not n x h. */
        final boolean fm;
        final INDArray z1, a, mask, ad, ind, z2, y, d3, d2, ones, tmp, scratchD, scratchH;
        final INDArray[] z1Rows, aRows, indRows, z2Rows, d3Rows, d2Rows;
        final Elementwise.Span z1s, as, z2s, ys, d3s, d2s;      // for the vector loops (null without them)
        /** Whether the batch is cut into two lanes' halves ({@link #LANES_MIN}): rows [0, half) and [half, n). */
        final boolean inLanes;
        final int half;
        final Part whole;
        final Part[] parts;                                       // the lanes' halves (none when not in lanes)

        Buffers(int n) {
            this.n = n;
            boolean dropout = cfg.dropout() > 0;
            fm = featureMajorHidden && vec && !dropout && n >= FEATURE_MAJOR_MIN && n <= FEATURE_MAJOR_MAX;
            long hr = fm ? h : n, hc = fm ? n : h;            // the hidden arrays' rows and columns
            z1 = Nd4j.create(dtype, hr, hc);
            a = Nd4j.create(dtype, hr, hc);
            mask = dropout ? Nd4j.create(dtype, n, h) : null;
            ad = dropout ? Nd4j.create(dtype, n, h) : null;
            ind = cfg.estimator() == Estimator.EMA_THRESHOLD ? Nd4j.create(dtype, hr, hc) : null;
            z2 = Nd4j.create(dtype, n, d);
            // with the vector loops and squared loss, Y and then d3 overwrite Z2 (each pass reads an element and writes it
            // back): one n x d array instead of three, and each pass writes lines it has just read. Same bits; measured in one
            // JVM, alternating (20 and 12 rounds of two epochs): x1.022 at batch 1000 (faster in 13 of 20), x1.048 at 100
            boolean inPlace = vec && cfg.loss() == Loss.SQUARED;
            y = cfg.outputActivation() == Activation.IDENTITY || inPlace ? z2 : Nd4j.create(dtype, n, d);
            d3 = inPlace ? z2 : Nd4j.create(dtype, n, d);
            d2 = Nd4j.create(dtype, hr, hc);
            ones = Nd4j.ones(dtype, 1, n);
            tmp = cfg.loss() == Loss.CROSS_ENTROPY ? Nd4j.create(dtype, n, d) : null;
            scratchD = Nd4j.create(dtype, n, d);
            scratchH = Nd4j.create(dtype, hr, hc);
            z1Rows = fm ? new INDArray[0] : rowViews(z1);
            aRows = fm ? new INDArray[0] : rowViews(a);
            indRows = fm ? new INDArray[0] : rowViews(ind);
            z2Rows = rowViews(z2);
            d3Rows = rowViews(d3);
            d2Rows = fm ? new INDArray[0] : rowViews(d2);
            z1s = vec ? Elementwise.Span.of(z1) : null;
            as = vec ? Elementwise.Span.of(a) : null;
            z2s = vec ? Elementwise.Span.of(z2) : null;
            ys = vec ? Elementwise.Span.of(y) : null;
            d3s = vec ? Elementwise.Span.of(d3) : null;
            d2s = vec ? Elementwise.Span.of(d2) : null;
            inLanes = vec && !fm && n >= lanesFrom;
            half = n / 2;
            whole = new Part(0, n, z1, a, ad != null ? ad : a, mask, z2, y, d3, d2, tmp);   // feature-major hidden arrays too
            parts = inLanes ? new Part[] {part(0, half), part(half, n)} : new Part[0];
        }

        /**
         * The lanes' halves of a batch's samples, as views made once per batch array (making the two took 0.07-0.48 ms
         * a step, in steps of 6-8 ms at 1,000 samples): the shuffled epochs' one batch buffer, or the unshuffled batches'.
         */
        INDArray[] laneRows(INDArray x) {
            INDArray[] xr = laneRows.get(x);
            if (xr == null) {
                if (laneRows.size() >= LANE_ROWS_KEPT) laneRows.clear();
                xr = new INDArray[] {rows(x, 0, half), rows(x, half, n)};
                laneRows.put(x, xr);
            }
            return xr;
        }

        private final Map<INDArray, INDArray[]> laneRows = new IdentityHashMap<>();

        private Part part(int r0, int r1) {
            return new Part(r0, r1 - r0, rows(z1, r0, r1), rows(a, r0, r1), rows(ad != null ? ad : a, r0, r1), rows(mask, r0, r1),
                    rows(z2, r0, r1), rows(y, r0, r1), rows(d3, r0, r1), rows(d2, r0, r1), rows(tmp, r0, r1));
        }
    }

    /** Rows [r0, r0 + rows) of a step's arrays: the whole batch, or a lane's half (of sample-major arrays). */
    private record Part(int r0, int rows, INDArray z1, INDArray a, INDArray ad, INDArray mask, INDArray z2, INDArray y,
                        INDArray d3, INDArray d2, INDArray tmp) {}

    /** Rows [r0, r1) of m as a view (m itself when they are all of its rows; null for null). */
    private static INDArray rows(INDArray m, int r0, int r1) {
        if (m == null || r0 == 0 && r1 == m.rows()) return m;
        return m.get(NDArrayIndex.interval(r0, r1), NDArrayIndex.all());
    }

    /** The most batch arrays whose lanes' views a step's buffers keep. */
    private static final int LANE_ROWS_KEPT = 1024;            // 60,000 samples unshuffled in batches of 64: 938

    private Buffers buffers(int n) {
        return buffers.computeIfAbsent(n, Buffers::new);
    }

    /** Whether a step on n samples is cut into two lanes (tests). */
    boolean inLanesAt(int n) {
        return buffers(n).inLanes;
    }

    /** Whether a step on n samples keeps the hidden layer feature-major (tests). */
    boolean hiddenFeatureMajorAt(int n) {
        return buffers(n).fm;
    }

    // ------------------------------------------------------------------ row helpers (BLAS level 1: ~0.2 µs a call)

    private static Level1 blas() { return Nd4j.getBlasWrapper().level1(); }

    /** The rows of a small batch matrix as views, for the BLAS row loops (empty for larger batches). */
    private static INDArray[] rowViews(INDArray m) {
        if (m == null || m.rows() > ROW_LOOP) return new INDArray[0];
        INDArray[] rows = new INDArray[(int) m.rows()];
        for (int i = 0; i < rows.length; i++) rows[i] = m.getRow(i, true);
        return rows;
    }

    /** Every row of z (n x w) += bias (1 x w); {@code rows} are z's row views. */
    private static void addRows(INDArray z, INDArray[] rows, INDArray bias, Buffers b) {
        if (b.n <= ROW_LOOP) {
            for (INDArray row : rows) blas().axpy(row.length(), 1.0, bias, row);
        } else {
            Blas.addRow(z, b.ones, bias);                              // Z += 1 bias (BLAS ger)
        }
    }

    /** target (1 x w) = alpha * (sum of z's n rows) + beta * target; {@code rows} are z's row views. */
    private static void sumRows(INDArray z, INDArray[] rows, INDArray target, double alpha, double beta, Buffers b) {
        if (b.n <= ROW_LOOP) {
            int from = 0;
            if (beta == 0) {
                blas().copy(rows[0], target);
                if (alpha != 1) blas().scal(target.length(), alpha, target);
                from = 1;
            } else if (beta != 1) {
                blas().scal(target.length(), beta, target);
            }
            for (int i = from; i < rows.length; i++) blas().axpy(target.length(), alpha, rows[i], target);
        } else {
            Blas.sumRows(z, b.ones, target, alpha, beta);              // 1^T Z (BLAS gemv)
        }
    }

    /**
     * target (1 x h) = alpha * (the sum over the batch's samples of a hidden array) + beta * target: its rows' sum, or
     * its columns' sum when the hidden layer is feature-major.
     */
    private static void sumHidden(INDArray m, INDArray[] rows, INDArray target, double alpha, double beta, Buffers b) {
        if (b.fm) Blas.sumColumns(m, b.ones, target, alpha, beta);   // m 1 (BLAS gemv)
        else sumRows(m, rows, target, alpha, beta, b);
    }

    // ------------------------------------------------------------------ the step, one method per equation group

    /** Z1, A, (mask), Z2, Y. Returns A' (A itself without dropout). */
    private INDArray forward(INDArray x, Buffers b, boolean dropout) {
        if (b.fm) {                                               // feature-major: no dropout here (see Buffers)
            Blas.gemm(w1, x, b.z1, false, true, 1.0, 0.0);        // Z1^T = W1 X^T
            Elementwise.activateByRow(cfg.hiddenActivation(), b.z1s, b1s, b.as, b.a, h, b.n);       // A^T = f(Z1^T + b1)
            Blas.gemm(b.a, w2, b.z2, true, true, 1.0, 0.0);       // Z2 = (A^T)^T W2^T
            Elementwise.activate(cfg.outputActivation(), b.z2s, b2s, cfg.loss() == Loss.CROSS_ENTROPY, b.ys, b.y, b.n, d);
            return b.a;
        }
        Blas.gemm(x, w1, b.z1, false, true, 1.0, 0.0);            // Z1 = X W1^T
        if (vec) {
            Elementwise.activate(cfg.hiddenActivation(), b.z1s, b1s, false, b.as, b.a, b.n, h);      // A = f(Z1 + b1)
        } else {
            addRows(b.z1, b.z1Rows, b1, b);
            Activations.activate(cfg.hiddenActivation(), b.z1, b.a);
        }
        INDArray ad = b.a;
        if (dropout) {
            double keep = 1 - cfg.dropout();
            Nd4j.getExecutioner().exec(new BernoulliDistribution(b.mask, keep), dropoutRng);
            b.mask.muli(1 / keep);
            b.a.mul(b.mask, b.ad);
            ad = b.ad;
        }
        Blas.gemm(ad, w2, b.z2, false, true, 1.0, 0.0);           // Z2 = A' W2^T
        if (vec) {                                                // Y = g(Z2 + b2); Z2 + b2 kept for cross-entropy
            Elementwise.activate(cfg.outputActivation(), b.z2s, b2s, cfg.loss() == Loss.CROSS_ENTROPY, b.ys, b.y, b.n, d);
            return ad;
        }
        addRows(b.z2, b.z2Rows, b2, b);
        if (cfg.outputActivation() != Activation.IDENTITY) Activations.activate(cfg.outputActivation(), b.z2, b.y);
        return ad;
    }

    /** d3 into b.d3; returns the batch's summed reconstruction loss when asked (NaN otherwise). */
    private double outputDelta(INDArray x, Buffers b, boolean wantRecon) {
        return outputDelta(x, vec ? xSpan != null ? xSpan : Elementwise.Span.of(x) : null, b, b.whole, wantRecon, true);
    }

    /**
     * The same for the rows of {@code p} (x: those rows of the batch; xs: their span, for the vector loops), the
     * vector loops' pass on one thread unless {@code split}.
     */
    private double outputDelta(INDArray x, Elementwise.Span xs, Buffers b, Part p, boolean wantRecon, boolean split) {
        if (vec && cfg.loss() == Loss.SQUARED) {                  // d3 and the squared error in one pass
            double s = Elementwise.squaredLoss(cfg.outputActivation(), b.ys.from(p.r0()), xs, b.d3s.from(p.r0()), p.rows(), d, split);
            return wantRecon ? 0.5 * s : Double.NaN;
        }
        p.y().sub(x, p.d3());                                     // Y - X
        if (cfg.loss() == Loss.CROSS_ENTROPY) {                   // sigmoid + cross-entropy: d3 = Y - X
            if (!wantRecon) return Double.NaN;
            Nd4j.getExecutioner().exec(new SoftPlus(p.z2(), p.tmp()));
            return ExactSums.sum(p.tmp()) - ExactSums.dot(x, p.z2());
        }
        double recon = wantRecon ? 0.5 * ExactSums.squaredNorm(p.d3()) : Double.NaN;
        if (cfg.outputActivation() != Activation.IDENTITY) Activations.backprop(cfg.outputActivation(), b.z2, b.y, b.d3, b.scratchD);   // whole batches only (not in the vector loops)
        return recon;
    }

    /** rho_hat &lt;- estimator(A). */
    private void estimate(Estimator estimator, Buffers b, INDArray rh) {
        double n = b.n, lam = cfg.rhoMomentum();
        switch (estimator) {
            case BATCH_MEAN -> sumHidden(b.a, b.aRows, rh, 1.0 / n, 0.0, b);
            case EMA_MEAN -> sumHidden(b.a, b.aRows, rh, (1 - lam) / n, lam, b);
            case EMA_THRESHOLD -> {
                Nd4j.getExecutioner().exec(new Step(b.a, b.ind, cfg.threshold()));
                sumHidden(b.ind, b.indRows, rh, (1 - lam) / n, lam, b);
            }
        }
        if (cfg.epsInEstimate()) rh.addi(cfg.eps());
    }

    /** sp from rho_hat, limited. Its statistics are computed once per epoch from the recorded rho_hat (see summarize). */
    private void sparseTerm(INDArray rh) {
        if (vec) {
            sparseTermValues(rh == rhoHat ? rhoHatBuf : scratchRhoBuf);
            return;
        }
        double eps = cfg.eps();
        rh.add(eps, qL);
        rh.rsub(1 + eps, qR);
        spNum.div(q, r);
        rL.add(rR, sp);
        if (cfg.limiterOn()) {
            Transforms.max(sp, -cfg.limiter(), false);
            Transforms.min(sp, cfg.limiter(), false);
        }
    }

    /**
     * The vector path's sparse term: sp into {@link #spValues}, from rho_hat, in float32 as the ND4J ops compute it
     * (q = rho_hat + eps and 1 - rho_hat + eps, sp = -beta rho / q_left + beta (1 - rho) / q_right, limited), in a loop
     * over H values instead of six ND4J ops of 5-10 µs each (at batch size 1 they were a fifth of the step).
     */
    private void sparseTermValues(java.nio.FloatBuffer rh) {
        rh.get(0, rhoValues);
        float eps = (float) cfg.eps(), onePlusEps = (float) (1 + cfg.eps());
        float numL = (float) (-cfg.beta() * cfg.rho()), numR = (float) (cfg.beta() * (1 - cfg.rho()));
        boolean limit = cfg.limiterOn();
        float lim = (float) cfg.limiter();
        for (int j = 0; j < h; j++) {
            float v = numL / (rhoValues[j] + eps) + numR / (onePlusEps - rhoValues[j]);
            spValues[j] = limit ? Math.min(Math.max(v, -lim), lim) : v;
        }
    }

    /** D2 = (D3 W2 + sp) * f'(Z1) * M. */
    private void hiddenDelta(Buffers b, boolean sparse, boolean dropout) {
        if (b.fm) {
            Blas.gemm(w2, b.d3, b.d2, true, true, 1.0, 0.0);      // D2^T = W2^T D3^T
            Elementwise.hiddenByRow(cfg.hiddenActivation(), b.as, sparse ? spValues : noSp, b.d2s, h, b.n);   // (D2^T + sp) f'(A^T)
            return;
        }
        Blas.gemm(b.d3, w2, b.d2, false, false, 1.0, 0.0);        // D2 = D3 W2
        if (vec) {                                                // D2 = (D2 + sp) f'(A) in one pass
            Elementwise.hidden(cfg.hiddenActivation(), b.as, sparse ? spValues : null, b.d2s, b.n, h);
            if (dropout) b.d2.muli(b.mask);
            return;
        }
        if (sparse) addRows(b.d2, b.d2Rows, sp, b);
        Activations.backprop(cfg.hiddenActivation(), b.z1, b.a, b.d2, b.scratchH);
        if (dropout) b.d2.muli(b.mask);
    }

    /** The flat gradient into {@link #grad}. */
    private void gradients(INDArray x, INDArray ad, Buffers b) {
        double invN = 1.0 / b.n;
        weightsAndBiases(x, ad, b, gW1, gB1, gW2, gB2, invN, 0.0);  // dW1 = D2^T X / n, db1 = mean(D2); dW2 = D3^T A' / n, db2 = mean(D3)
        if (cfg.weightDecay() > 0) blas().axpy(gW.length(), cfg.weightDecay(), pW, gW);
    }

    /**
     * t1 = alpha D2^T X + beta t1, c1 = alpha (D2's sum over the samples) + beta c1, and t2, c2 the same from D3 and A'
     * (the gradients, or the updates): in a batch cut into lanes, W1's and b1's on lane 0 and W2's and b2's on lane 1,
     * each over the whole batch.
     */
    private void weightsAndBiases(INDArray x, INDArray ad, Buffers b, INDArray t1, INDArray c1, INDArray t2, INDArray c2,
                                  double alpha, double beta) {
        TwoLanes.run(b.inLanes && TwoLanes.atOnce(), l -> {
            if (l == 0) {
                Blas.gemm(b.d2, x, t1, !b.fm, false, alpha, beta);
                sumHidden(b.d2, b.d2Rows, c1, alpha, beta, b);
            } else {
                Blas.gemm(b.d3, ad, t2, true, b.fm, alpha, beta);
                sumRows(b.d3, b.d3Rows, c2, alpha, beta, b);
            }
        });
    }

    /**
     * Plain SGD, fused into the products: W &lt;- (1 - lr lambda) W - lr/n D^T A straight into the parameters, with no
     * gradient array and no separate update pass. It computes what ND4J's {@code Sgd} updater followed by
     * {@code params -= update} computes (a test checks the two agree); at batch size 1 the separate passes over all
     * parameters would cost several times the step itself.
     */
    private void fusedSgd(INDArray x, INDArray ad, Buffers b, double lr) {
        double s = -lr / b.n;
        if (cfg.weightDecay() > 0) blas().scal(pW.length(), 1 - lr * cfg.weightDecay(), pW);
        weightsAndBiases(x, ad, b, w1, b1, w2, b2, s, 1.0);      // W1 -= lr/n D2^T X, b1 -= lr/n sum(D2); W2, b2 from D3
    }

    /** Forward, estimator, sparse term and backward; leaves the gradient in {@link #grad} (batch-mean when not training). */
    private void computeGradient(INDArray x, boolean train, Accumulators acc, int slot) {
        Buffers b = buffers((int) x.rows());
        boolean dropout = train && cfg.dropout() > 0;
        INDArray ad = forward(x, b, dropout);
        outputDelta(x, b, false);
        INDArray rh = train ? rhoHat : scratchRho;
        estimate(train ? cfg.estimator() : Estimator.BATCH_MEAN, b, rh);
        boolean sparse = cfg.beta() > 0;
        if (sparse) sparseTerm(rh);
        hiddenDelta(b, sparse, dropout);
        gradients(x, ad, b);
    }

    /** One training step on batch k: the update, and the batch's figures into the epoch's accumulators. */
    private void trainStep(INDArray x, Fill fill, Accumulators acc, int k, int epoch) {
        Buffers b = buffers((int) x.rows());
        boolean dropout = cfg.dropout() > 0;
        boolean sparse = cfg.beta() > 0;
        INDArray ad;
        if (b.inLanes) {
            ad = deltasInLanes(x, fill, acc, k, b);
        } else {
            fill.rows(0, b.n);
            ad = forward(x, b, dropout);
            acc.reconSum += outputDelta(x, b, true) / b.n;
            rhoHatAndSparseTerm(acc, k, b);
            hiddenDelta(b, sparse, dropout);
        }
        if (cfg.optimizer() == Optimizer.SGD && fuseSgd) {
            fusedSgd(x, ad, b, learningRate(epoch));
        } else {
            gradients(x, ad, b);
            updater.applyUpdater(grad, iteration, epoch - 1);   // ND4J counts epochs from 0
            blas().axpy(params.length(), -1.0, grad, params);     // params -= update
        }
    }

    /** rho_hat from the batch's A, its sums into the epoch's figures, and the sparse term. */
    private void rhoHatAndSparseTerm(Accumulators acc, int k, Buffers b) {
        estimate(cfg.estimator(), b, rhoHat);
        sumHidden(b.a, b.aRows, acc.actSum, 1.0, 1.0, b);
        if (cfg.beta() > 0) {
            blas().copy(rhoHat, acc.rhoRows[k]);
            sparseTerm(rhoHat);
        }
    }

    /**
     * A training step's forward pass and deltas for a batch cut into two lanes ({@link #LANES_MIN}): each lane its
     * half of the rows; between the hidden and the output layer, on the caller's thread, rho_hat over the whole batch,
     * the sparse term and dropout's mask (drawn where {@link #forward} draws it). The same arithmetic as the whole
     * batch's, but for the squared error's sum (the lanes' halves added) and the products' blocking. Returns A'.
     */
    private INDArray deltasInLanes(INDArray x, Fill fill, Accumulators acc, int k, Buffers b) {
        boolean atOnce = TwoLanes.atOnce(), split = !atOnce;
        boolean dropout = cfg.dropout() > 0, sparse = cfg.beta() > 0;
        Elementwise.Span xs = xSpan != null ? xSpan : Elementwise.Span.of(x);
        INDArray[] xr = b.laneRows(x);
        TwoLanes.run(atOnce, l -> {                                   // X's rows, Z1 = X W1^T, A = f(Z1 + b1)
            Part p = b.parts[l];
            fill.rows(p.r0(), p.r0() + p.rows());
            hiddenLayer(xr[l], b, p, split);
        });
        rhoHatAndSparseTerm(acc, k, b);
        if (dropout) {
            double keep = 1 - cfg.dropout();
            Nd4j.getExecutioner().exec(new BernoulliDistribution(b.mask, keep), dropoutRng);
            b.mask.muli(1 / keep);
            b.a.mul(b.mask, b.ad);
        }
        double[] recon = new double[TwoLanes.COUNT];
        TwoLanes.run(atOnce, l -> {                                   // Z2 = A' W2^T, Y, D3, D2
            Part p = b.parts[l];
            recon[l] = outputLayer(p.ad(), xr[l], xs, b, p, split);
            Blas.gemm(p.d3(), w2, p.d2(), false, false, 1.0, 0.0);
            Elementwise.hidden(cfg.hiddenActivation(), b.as.from(p.r0()), sparse ? spValues : null, b.d2s.from(p.r0()), p.rows(), h, split);
            if (dropout) p.d2().muli(p.mask());
        });
        acc.reconSum += (recon[0] + recon[1]) / b.n;
        return dropout ? b.ad : b.a;
    }

    /** A lane's hidden layer: Z1 = X W1^T and A = f(Z1 + b1) for the rows of {@code p} (x: those rows of the samples). */
    private void hiddenLayer(INDArray x, Buffers b, Part p, boolean split) {
        Blas.gemm(x, w1, p.z1(), false, true, 1.0, 0.0);
        Elementwise.activate(cfg.hiddenActivation(), b.z1s.from(p.r0()), b1s, false, b.as.from(p.r0()), p.a(), p.rows(), h, split);
    }

    /**
     * A lane's output layer from its hidden activations {@code ad}: Z2 = A' W2^T, Y = g(Z2 + b2), d3 and the rows' summed
     * loss (x: those rows of the samples; xs: the span of all of them).
     */
    private double outputLayer(INDArray ad, INDArray x, Elementwise.Span xs, Buffers b, Part p, boolean split) {
        Blas.gemm(ad, w2, p.z2(), false, true, 1.0, 0.0);
        Elementwise.activate(cfg.outputActivation(), b.z2s.from(p.r0()), b2s, cfg.loss() == Loss.CROSS_ENTROPY,
                b.ys.from(p.r0()), p.y(), p.rows(), d, split);
        return outputDelta(x, xs.from(p.r0()), b, p, true, split);
    }

    /**
     * The products' threads of an epoch whose first (largest) batch has n samples: one where that batch is cut into lanes
     * that run at once (a thread each; the last, smaller batch too), else {@link ProductThreads#forBatch} of the
     * configured batch size.
     */
    private int productThreads(int n) {
        return vec && !buffers(n).fm && n >= lanesFrom && TwoLanes.atOnce() ? 1 : ProductThreads.forBatch(cfg.batchSize());
    }

    /** Tests only: take the reference path (ND4J's Sgd updater, then params -= update) for sgd too. */
    void useUpdaterForSgd() { fuseSgd = false; }


    // ------------------------------------------------------------------ epochs

    /**
     * The epoch's data: the samples in the model's dtype and its batches. Without shuffling a batch is a view of the
     * samples. With it, each batch's rows are copied, in the epoch's permuted order, into a buffer of the batch's size
     * at its own step (see {@link #gather}), instead of the whole permuted epoch into an n x d copy at its start: the
     * same values in the same order (the same products and losses, bit for bit), and the batch is still in the cache
     * when its products and passes read it; the n x d copy is not kept.
     */
    private static final class Batches {
        final INDArray source, src;
        final int n, size, count;
        private final INDArray[] views;               // no shuffle: batch k's rows of src
        private final INDArray full, last;            // shuffle: the batch buffers (a full batch, the last partial one)
        private final Elementwise.Span[] spans;
        private Elementwise.Span fullSpan, lastSpan;

        Batches(INDArray source, INDArray src, int size, boolean shuffle, boolean vec) {
            this.source = source;
            this.src = src;
            this.n = (int) src.rows();
            this.size = size;
            this.count = (n + size - 1) / size;
            int lastRows = n - (count - 1) * size;
            if (shuffle) {
                views = null;
                full = Nd4j.create(src.dataType(), Math.min(size, n), src.columns());
                last = lastRows == full.rows() ? full : Nd4j.create(src.dataType(), lastRows, src.columns());
            } else {
                views = new INDArray[count];
                for (int k = 0; k < count; k++) {
                    views[k] = src.get(NDArrayIndex.interval((long) k * size, Math.min((long) (k + 1) * size, n)), NDArrayIndex.all());
                }
                full = last = null;
            }
            spans = vec && !shuffle ? new Elementwise.Span[count] : null;
            if (vec && shuffle) {
                fullSpan = Elementwise.Span.of(full);
                lastSpan = last == full ? fullSpan : Elementwise.Span.of(last);
            }
        }

        /**
         * Batch k's samples: its view, or (with {@code perm}) the buffer its rows of the permutation are copied into by
         * {@link #fill} (not yet copied).
         */
        INDArray batch(int k, int[] perm) {
            if (views != null) return views[k];
            return k == count - 1 ? last : full;
        }

        /** Rows [r0, r1) of batch k copied into its buffer (with {@code perm}; a no-op for a view). */
        void fill(int k, int[] perm, int r0, int r1) {
            if (views == null) gather(src, perm, k * size, batch(k, perm), r0, r1);
        }

        /** Batch k's span for the vector loops (made once), or null without them. */
        Elementwise.Span span(int k) {
            if (views == null) return fullSpan == null ? null : k == count - 1 ? lastSpan : fullSpan;
            if (spans == null) return null;
            if (spans[k] == null) spans[k] = Elementwise.Span.of(views[k]);
            return spans[k];
        }
    }

    /**
     * Rows {@code perm[from + r0]}, ..., {@code perm[from + r1 - 1]} of {@code src} into rows r0, ..., r1 - 1 of {@code
     * into} (both whole c-ordered arrays of one type and width), as bulk copies of native memory.
     */
    static void gather(INDArray src, int[] perm, int from, INDArray into, int r0, int r1) {
        java.nio.ByteBuffer in = src.data().asNio(), out = into.data().asNio();
        int rowBytes = Math.toIntExact(src.columns() * src.dataType().width());
        for (int i = r0; i < r1; i++) out.put(i * rowBytes, in, perm[from + i] * rowBytes, rowBytes);
    }

    /** Copies rows [r0, r1) of the step's batch into place (see {@link Batches#fill}). */
    private interface Fill {
        void rows(int r0, int r1);
    }

    private Batches batches(INDArray trainX) {
        if (batchesCache != null && batchesCache.source == trainX) return batchesCache;
        for (Buffers b : buffers.values()) b.laneRows.clear();    // views of the batches of the data before
        batchesCache = new Batches(trainX, asModelArray(trainX), cfg.batchSize(), cfg.shuffle(), vec);
        return batchesCache;
    }

    private INDArray asModelArray(INDArray x) {
        if (x.rank() != 2 || x.columns() != d) throw new IllegalArgumentException("expected n x " + d + " samples, got " + x.shapeInfoToString());
        INDArray c = x.dataType() == dtype ? x : x.castTo(dtype);
        return c.ordering() == 'c' && !c.isView() ? c : c.dup('c');
    }

    /**
     * The epoch's running figures: the reconstruction sum in Java, the activation sums on the device, and rho_hat as
     * it was at every batch (one row per batch), from which the sparse term's statistics and the penalty are computed
     * once, at the end of the epoch, instead of with several reductions per step.
     */
    private final class Accumulators {
        final int nb;
        final INDArray actSum;
        final INDArray rhoHist;
        final INDArray[] rhoRows;
        double reconSum;

        Accumulators(int nb) {
            this.nb = nb;
            actSum = Nd4j.zeros(dtype, 1, h);
            rhoHist = cfg.beta() > 0 ? Nd4j.zeros(dtype, nb, h) : null;
            rhoRows = new INDArray[rhoHist == null ? 0 : nb];
            for (int k = 0; k < rhoRows.length; k++) rhoRows[k] = rhoHist.getRow(k, true);
        }

        void reset() {
            actSum.assign(0);
            reconSum = 0;
        }
    }

    /**
     * Trains one epoch: shuffles (when cfg.shuffle) with a permutation derived from (cfg.seed, epoch) only, runs every
     * batch of cfg.batchSize (the last, partial one included), and checks {@code stop} before each batch.
     *
     * <p>{@code loss} is recon + penalty averaged over the batches trained (each batch's value measured on its forward
     * pass, before its update) + the weight-decay term at the end of the epoch. {@code diverged} is set when the loss
     * or any parameter is NaN or infinite, or when the loss exceeds 1e3 times the loss of the first epoch this model
     * (or the run it was restored from) trained.
     *
     * @param epoch  the epoch number (1, 2, ...): it seeds the shuffle and the dropout masks and is passed to the updater
     * @param trainX n x d samples; any dtype (converted once and cached while the same array is passed)
     */
    public EpochStats trainEpoch(int epoch, INDArray trainX, BooleanSupplier stop) {
        if (cfg.optimizer() == Optimizer.LBFGS) {
            ProductThreads.use(ProductThreads.forBatch(0));
            return trainFullBatch(epoch, trainX, stop);
        }
        long t0 = System.nanoTime();
        Batches bt = batches(trainX);
        ProductThreads.use(productThreads(Math.min(bt.size, bt.n)));
        int[] perm = cfg.shuffle() ? permutation(bt.n, epochSeed(cfg.seed(), epoch, 1)) : null;
        if (cfg.dropout() > 0) dropoutRng.setSeed(epochSeed(cfg.seed(), epoch, 2));
        int nb = bt.count;
        if (accCache == null || accCache.nb != nb) accCache = new Accumulators(nb);
        Accumulators acc = accCache;
        acc.reset();

        int done = 0;
        long samples = 0;
        boolean stopped = false;
        for (int k = 0; k < nb; k++) {
            if (stop.getAsBoolean()) {
                stopped = true;
                break;
            }
            INDArray x = bt.batch(k, perm);
            xSpan = bt.span(k);
            int batch = k;
            trainStep(x, (r0, r1) -> bt.fill(batch, perm, r0, r1), acc, k, epoch);
            iteration++;
            done++;
            samples += x.rows();
        }
        xSpan = null;
        this.epoch = epoch;
        return summarize(epoch, acc, done, samples, stopped, System.nanoTime() - t0);
    }

    /** The sparse term's statistics and the penalty over the recorded rho_hat of the first {@code done} batches. */
    record SparseStats(double penaltySum, double absSpSum, double maxAbsSp, long clipped, double[] unitMin, double[] unitMax) {}

    /**
     * In one float64 pass in Java over the recorded rows, read in place. Before, ND4J's ops (a cast, nine element-wise
     * ops and six reductions, eleven and seven with the limiter, each allocating) took this pass's place: measured in
     * one JVM, alternating (30-40 epochs of each, H 196), the median epoch of batch 100 took 132-177 ms with this pass
     * against 147-206 ms, of batch 1000 105 against 110 ms, of batch 1 916 against 988 ms; the figures agreed to 11
     * significant digits. A NaN rho_hat (a diverging run) makes the sums, the largest |sp| and its unit's range NaN
     * (the ND4J ops had clamped a NaN sp to the limiter and left it out of the largest |sp|).
     *
     * @param rhoHist the epoch's rho_hat, one row per batch (c-order, from element 0), float32 or float64
     */
    SparseStats sparseStats(INDArray rhoHist, int done) {
        if (cfg.beta() == 0 || done == 0) return new SparseStats(0, 0, 0, 0, null, null);
        double beta = cfg.beta(), rho = cfg.rho(), eps = cfg.eps();
        double numL = -beta * rho, numR = beta * (1 - rho), lim = cfg.limiter();
        boolean limit = cfg.limiterOn();
        // row-major nb x h; rows 0..done-1 recorded this epoch
        java.nio.ByteBuffer raw = rhoHist.data().asNio().order(java.nio.ByteOrder.nativeOrder());
        java.nio.FloatBuffer floats = rhoHist.dataType() == DataType.FLOAT ? raw.asFloatBuffer() : null;
        java.nio.DoubleBuffer doubles = floats == null ? raw.asDoubleBuffer() : null;
        double[] unitMin = new double[h], unitMax = new double[h];
        java.util.Arrays.fill(unitMin, Double.POSITIVE_INFINITY);
        java.util.Arrays.fill(unitMax, Double.NEGATIVE_INFINITY);
        double absSum = 0, maxAbs = 0, logQl = 0, logQr = 0;
        long clipped = 0;
        for (int k = 0; k < done; k++) {
            for (int j = 0, o = k * h; j < h; j++) {
                double r = floats != null ? floats.get(o + j) : doubles.get(o + j);
                if (Double.isNaN(r) || r < unitMin[j]) unitMin[j] = r;     // a NaN stays (a diverged run)
                if (Double.isNaN(r) || r > unitMax[j]) unitMax[j] = r;
                double ql = r + eps, qr = (1 + eps) - r;
                double sp = numL / ql + numR / qr;
                if (limit) {
                    if (Math.abs(sp) > lim) clipped++;
                    sp = Math.min(Math.max(sp, -lim), lim);
                }
                absSum += Math.abs(sp);
                maxAbs = Math.max(maxAbs, Math.abs(sp));
                logQl += Math.log(ql);
                logQr += Math.log(qr);
            }
        }
        double n = (double) done * h;
        // KL_eps summed over units and batches: rho log(rho / ql) + (1 - rho) log((1 - rho) / qr)
        double kl = rho * (Math.log(rho) * n - logQl) + (1 - rho) * (Math.log(1 - rho) * n - logQr);
        return new SparseStats(beta * kl, absSum, maxAbs, clipped, unitMin, unitMax);
    }

    private EpochStats summarize(int epoch, Accumulators acc, int done, long samples, boolean stopped, long nanos) {
        double batches = Math.max(done, 1);
        SparseStats ss = sparseStats(acc.rhoHist, done);
        double meanRecon = done == 0 ? Double.NaN : acc.reconSum / batches;
        double meanPen = ss.penaltySum() / batches;
        double decay = cfg.weightDecay() > 0 ? 0.5 * cfg.weightDecay() * ExactSums.squaredNorm(pW) : 0;
        double loss = meanRecon + meanPen + decay;
        double[] act = acc.actSum.toDoubleVector();
        double actTotal = 0;
        for (double v : act) actTotal += v;
        double meanActivation = samples == 0 ? Double.NaN : actTotal / ((double) h * samples);
        double[] rh;
        if (cfg.estimator() == Estimator.BATCH_MEAN) {
            rh = new double[h];
            for (int j = 0; j < h; j++) rh[j] = samples == 0 ? Double.NaN : act[j] / samples;
        } else {
            rh = rhoHat.toDoubleVector();
        }
        boolean finiteParams = paramsFinite();
        boolean diverged = !Double.isFinite(loss) || !finiteParams
                || (!Double.isNaN(firstEpochLoss) && loss > 1e3 * firstEpochLoss);
        // rho_hat after every batch when the sparse term recorded it, else its value at the end of the epoch
        EpochStats.Health health = ss.unitMin() != null ? EpochStats.Health.of(ss.unitMin(), ss.unitMax(), cfg.eps(), finiteParams)
                : EpochStats.Health.of(rh, rh, cfg.eps(), finiteParams);
        if (Double.isNaN(firstEpochLoss) && done > 0 && !stopped) firstEpochLoss = loss;
        double seconds = nanos / 1e9;
        return new EpochStats(epoch, done, samples, loss, meanRecon, meanPen, decay, meanActivation, rh,
                ss.absSpSum() / ((double) h * batches), ss.maxAbsSp(), ss.clipped(), ss.clipped() / ((double) h * batches),
                diverged, stopped, seconds, samples / Math.max(seconds, 1e-9), health);
    }

    private boolean paramsFinite() {
        return ExactSums.allFinite(params);
    }

    /** A seed for one epoch and one purpose (1 = shuffle, 2 = dropout), from (seed, epoch) only. */
    static long epochSeed(long seed, int epoch, int stream) {
        return new SplittableRandom(seed * 0x9E3779B97F4A7C15L + epoch * 0xC2B2AE3D27D4EB4FL + stream).nextLong();
    }

    /** Fisher-Yates from a seeded generator. */
    static int[] permutation(int n, long seed) {
        SplittableRandom rng = new SplittableRandom(seed);
        int[] p = new int[n];
        for (int i = 0; i < n; i++) p[i] = i;
        for (int i = n - 1; i > 0; i--) {
            int j = rng.nextInt(i + 1);
            int t = p[i];
            p[i] = p[j];
            p[j] = t;
        }
        return p;
    }

    // ------------------------------------------------------------------ evaluation and the gradient check

    /**
     * Mean reconstruction loss per sample over X (no dropout, no change to the model), for the held-out error: in chunks
     * of {@link #EVAL_CHUNK} samples, each in two lanes where a training step of its size would be ({@link #lossInLanes})
     * and the products have one thread a lane (after a full-batch or laned epoch, or in turn).
     */
    public double reconstructionError(INDArray x) {
        INDArray src = asModelArray(x);
        long n = src.rows();
        if (n == 0) return Double.NaN;
        double total = 0;
        for (long s = 0; s < n; s += EVAL_CHUNK) {
            INDArray chunk = src.get(NDArrayIndex.interval(s, Math.min(s + EVAL_CHUNK, n)), NDArrayIndex.all());
            Buffers b = buffers((int) chunk.rows());
            // in lanes where they run at once only on the one product thread a lane that a full-batch or laned epoch
            // leaves (after an epoch on two product threads the whole chunk multiplies on them: no change of the thread
            // count between epochs, while the log's writer may be multiplying)
            if (b.inLanes && (!TwoLanes.atOnce() || Nd4j.factory().blas().getMaxThreads() == 1)) {
                total += lossInLanes(chunk, b);
                continue;
            }
            forward(chunk, b, false);
            if (cfg.loss() == Loss.CROSS_ENTROPY) {
                Nd4j.getExecutioner().exec(new SoftPlus(b.z2, b.tmp));
                total += ExactSums.sum(b.tmp) - ExactSums.dot(chunk, b.z2);
            } else {
                b.y.sub(chunk, b.d3);
                total += 0.5 * ExactSums.squaredNorm(b.d3);
            }
        }
        return total / n;
    }

    /**
     * The summed loss of a chunk whose size a training step cuts into lanes, in the same two lanes: each its half of the
     * rows (Z1, A, Z2, Y and the loss, summed in float64), on one product thread each where they run at once (the
     * caller sees to that). Split as the training steps are, by the chunk's size only, so the figure has the same bits at
     * once and in turn.
     */
    private double lossInLanes(INDArray chunk, Buffers b) {
        boolean atOnce = TwoLanes.atOnce(), split = !atOnce;
        INDArray[] xr = {rows(chunk, 0, b.half), rows(chunk, b.half, b.n)};
        Elementwise.Span xs = Elementwise.Span.of(chunk);
        double[] loss = new double[TwoLanes.COUNT];
        TwoLanes.run(atOnce, l -> {                                   // a training step's two lane passes, no rho_hat
            Part p = b.parts[l];
            hiddenLayer(xr[l], b, p, split);
            loss[l] = outputLayer(p.a(), xr[l], xs, b, p, split);
        });
        return loss[0] + loss[1];
    }

    /**
     * recon + decay + penalty on X with rho_hat = the batch mean of A over X and no dropout: the function whose exact
     * gradient {@link #gradient} is. Written with plain (allocating) ND4J ops, independently of the training step.
     */
    double objective(INDArray x) {
        INDArray xs = asModelArray(x);
        double n = xs.rows();
        INDArray a = apply(cfg.hiddenActivation(), xs.mmul(w1.transpose()).addRowVector(b1));
        INDArray z2 = a.mmul(w2.transpose()).addRowVector(b2);
        double recon;
        if (cfg.loss() == Loss.CROSS_ENTROPY) {
            // -[x log y + (1 - x) log(1 - y)] with y = sigmoid(z2) is softplus(z2) - x z2, which stays accurate when y nears 0 or 1
            INDArray sp = Transforms.softPlus(z2, true);
            recon = (sp.sumNumber().doubleValue() - xs.mul(z2).sumNumber().doubleValue()) / n;
        } else {
            INDArray y = apply(cfg.outputActivation(), z2);
            recon = 0.5 * squaredNorm(y.sub(xs)) / n;
        }
        double decay = 0.5 * cfg.weightDecay() * (squaredNorm(w1) + squaredNorm(w2));
        double penalty = 0;
        if (cfg.beta() > 0) {
            double[] rh = a.mean(0).toDoubleVector();
            double rho = cfg.rho(), eps = cfg.eps();
            for (double v : rh) {
                penalty += rho * Math.log(rho / (v + eps)) + (1 - rho) * Math.log((1 - rho) / (1 - v + eps));
            }
            penalty *= cfg.beta();
        }
        return recon + decay + penalty;
    }

    private static double squaredNorm(INDArray a) {
        return Nd4j.getExecutioner().exec(new SquaredNorm(a)).getDouble(0);
    }

    private static INDArray apply(Activation f, INDArray z) {
        return switch (f) {
            case SIGMOID -> Transforms.sigmoid(z, true);
            case TANH -> Transforms.tanh(z, true);
            case RELU -> Transforms.relu(z, true);
            case IDENTITY -> z.dup();
        };
    }

    /** The flat gradient (layout of the parameters) of one step on X before the updater: batch-mean, no dropout. */
    INDArray gradient(INDArray x) {
        ProductThreads.use(productThreads((int) x.rows()));
        computeGradient(asModelArray(x), false, null, 0);
        return grad.dup();
    }

    // ------------------------------------------------------------------ state

    /** A copy of everything needed to continue training exactly. */
    public ModelState state() {
        return withFullBatchState(stateWithoutOptimizer());
    }

    /**
     * {@code state().toBytes()}, with the L-BFGS state written straight into the one buffer (no second copy of its 26
     * MB for a 196-unit model): what a checkpoint stores.
     */
    public byte[] stateBytes() {
        ModelState s = stateWithoutOptimizer();
        if (cfg.optimizer() != Optimizer.LBFGS) return s.toBytes();
        FullBatchTrainer fb = fullBatch();
        return s.toBytes(fb.stateBytes(), fb::saveState);
    }

    private ModelState stateWithoutOptimizer() {
        return new ModelState(d, h, epoch, iteration, firstEpochLoss, params.toDoubleVector(),
                updaterState == null ? new double[0] : updaterState.toDoubleVector(), rhoHat.toDoubleVector());
    }

    /** Overwrites this model's parameters, updater state, rho_hat, iteration and epoch with {@code s}. */
    public void restore(ModelState s) {
        if (s.dim() != d || s.hidden() != h || s.params().length != params.length()
                || s.updaterState().length != (updaterState == null ? 0 : updaterState.length()) || s.rhoHat().length != h) {
            throw new IllegalArgumentException("model state " + s + " does not fit this model (d=" + d + ", H=" + h + ", "
                    + cfg.optimizer().key() + ")");
        }
        params.assign(Nd4j.createFromArray(s.params()).castTo(dtype).reshape(params.shape()));
        if (updaterState != null) updaterState.assign(Nd4j.createFromArray(s.updaterState()).castTo(dtype).reshape(updaterState.shape()));
        rhoHat.assign(Nd4j.createFromArray(s.rhoHat()).castTo(dtype).reshape(rhoHat.shape()));
        iteration = (int) s.iteration();
        epoch = s.epoch();
        firstEpochLoss = s.firstEpochLoss();
        restoreFullBatchState(s);
    }

    /**
     * The weights for a snapshot: W1 (H x d), b1 (H), W2 (d x H), b2 (d), each row-major, concatenated in that order, as
     * little-endian float32; 4 * (2 H d + H + d) bytes. Row j of W1 (floats j*d .. j*d + d - 1) is hidden unit j's filter.
     */
    public byte[] weightsLE() {
        float[] p = params.toFloatVector();
        ByteBuffer out = ByteBuffer.allocate(4 * p.length).order(ByteOrder.LITTLE_ENDIAN);
        java.nio.FloatBuffer f = out.asFloatBuffer();
        f.put(p, 0, (int) nW);                           // W1
        f.put(p, (int) (2 * nW), h);                     // b1
        f.put(p, (int) nW, (int) nW);                    // W2
        f.put(p, (int) (2 * nW + h), d);                 // b2
        return out.array();
    }

    /** W1 as an H x d float matrix (row j = unit j's encoder filter), a copy. */
    public float[][] encoderFilters() {
        return w1.toFloatMatrix();
    }

    /** The columns of W2 as an H x d float matrix (row j = unit j's decoder filter), a copy. */
    public float[][] decoderFilters() {
        return w2.transpose().toFloatMatrix();
    }

    // ------------------------------------------------------------------ full batch (optimizer=lbfgs)

    private FullBatchTrainer fullBatch;

    /** The L-BFGS trainer of {@code optimizer=lbfgs}, created on first use. */
    FullBatchTrainer fullBatch() {
        if (fullBatch == null) fullBatch = new FullBatchTrainer(cfg, d, dtype, params);
        return fullBatch;
    }

    /** One L-BFGS iteration over all of trainX, as one epoch (see {@link FullBatchTrainer}). */
    private EpochStats trainFullBatch(int epoch, INDArray trainX, BooleanSupplier stop) {
        EpochStats s = fullBatch().iterate(epoch, trainX, stop);
        if (!s.stopped()) {
            this.epoch = epoch;
            this.iteration = fullBatch.iteration();
        }
        return s;
    }

    private ModelState withFullBatchState(ModelState s) {
        return cfg.optimizer() == Optimizer.LBFGS ? s.withOptimizerState(fullBatch().saveState()) : s;
    }

    private void restoreFullBatchState(ModelState s) {
        if (cfg.optimizer() == Optimizer.LBFGS) fullBatch().restoreState(s.optimizerState());
    }
}
