package sparselab.model;

import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.ops.impl.transforms.pairwise.arithmetic.AddOp;
import org.nd4j.linalg.api.ops.impl.transforms.strict.SoftPlus;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import sparselab.config.Choices.Activation;
import sparselab.config.Choices.Loss;
import sparselab.config.RunConfig;
import sparselab.optim.Lbfgs;

import java.io.ByteArrayInputStream;
import java.io.DataInputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.BooleanSupplier;

/**
 * Full-batch training of a {@link SparseAutoencoder} with L-BFGS ({@code optimizer=lbfgs}, {@code batchSize=0}), as
 * UFLDL trained its MNIST result with minFunc. One call of {@link #iterate} is one L-BFGS iteration
 * ({@link Lbfgs#step}: a two-loop direction and a strong-Wolfe line search), reported as one epoch.
 *
 * <p><b>The objective</b> is {@link SparseAutoencoder#objective} over all N training samples: recon (a mean over the
 * samples) + decay + beta * sum_j KL_eps(rho || rho_hat_j) with rho_hat the mean activation over <i>all</i> samples
 * (plus eps when epsInEstimate). Its gradient is {@link SparseAutoencoder#gradient} on the whole set. Both are
 * computed here in chunks of at most {@link #DEFAULT_CHUNK} samples, so that the n x d arrays stay small. The biases
 * ride in the products as one more row: X+^T = [X^T; 1], W1+ = [W1 b1; 0 0], A+^T = [A^T; 1], W2+ = [W2 b2], so no pass
 * adds a bias and no product of ones sums a delta. Every n x d and n x H array is kept feature-major (a row per pixel or
 * unit, a column per sample): OpenBLAS multiplies these shapes faster that way round (docs/performance.md).
 * <pre>
 *   pass 1, every chunk c:  A+^T_c = [f(W1+ X+^T_c); 1];  rho_hat += A_c^T 1 / N       (A+^T_c kept: (H+1) x N)
 *   then:                   penalty and sp = beta * (-rho / (rho_hat + eps) + (1 - rho) / (1 - rho_hat + eps)) from the full rho_hat
 *   pass 2, every chunk c:  Z2^T_c = W2+ A+^T_c;  Y_c = g(Z2_c);  d3_c = (Y_c - X_c) g'(Y_c) and recon, in one pass
 *                           D2^T_c = (W2+^T D3^T_c + sp) * f'(A^T_c), in one pass
 *                           [dW2 db2] += D3^T_c A+_c / N;  [dW1 db1] += D2^T_c X+_c / N
 *   then:                   dW += lambda W
 * </pre>
 * The chunks are dealt to two lanes ({@link #LANES}), which run at once on a 2-core machine, each on a core of its own.
 * The element-wise work after the products is {@link FusedDeltas}: one pass per delta instead of four or five ND4J
 * ops. The sums behind the reported figures (recon, decay, rho_hat across chunks) are float64 ({@link ExactSums});
 * the products stay in the model's type.
 * The gradient of a mean over samples is the sample-weighted sum of the chunks' gradients; the penalty is not a mean
 * over samples but a function of rho_hat over all of them, hence the first pass. The result does not depend on the
 * chunk size beyond rounding (FullBatchTrainerTest checks it against finite differences with several chunks).
 *
 * <p><b>What an epoch reports</b> (an {@link EpochStats}): loss, recon, penalty, decay, rhoHat (the batch-mean rate
 * over all training samples), meanActivation, meanAbsSp and maxAbsSp are those of the iterate <i>after</i> the
 * iteration, i.e. of the weights that the epoch's snapshot shows, so the loss falls monotonically. {@code batches}
 * counts the objective evaluations of the iteration and {@code samples} = evaluations x N, so samplesPerSec counts
 * every sample of every evaluation. clipped is 0 (the limiter is refused with lbfgs).
 *
 * <p><b>The end.</b> When L-BFGS converges (gradient or relative-decrease tolerance, minFunc's defaults) or fails (no
 * decrease found), the end is sticky: the later epochs of the run evaluate nothing and report the same figures
 * (batches 0). The run still appends all its epochs, so the log, the schedule and the last snapshot work unchanged.
 *
 * <p><b>State.</b> {@link #saveState()} holds the L-BFGS state (curvature pairs, the remembered value and gradient,
 * the iteration count) and the sticky end; it travels in {@link ModelState}'s optimizer blob, and a run restored from
 * it continues with bit-identical numbers (the parameters themselves are in the model state).
 */
final class FullBatchTrainer {
    private static final Logger LOG = LoggerFactory.getLogger(FullBatchTrainer.class);
    /**
     * The most samples in a chunk of the objective: bounds its n x d arrays (one a lane for the squared loss; 7.1 MB in
     * float32 for the 2,250-sample chunks of the demo's 9,000 digits).
     */
    static final int DEFAULT_CHUNK = 3000;
    private static final int STATE_MAGIC = 0x534C4642; // "SLFB"
    private static final int STATE_VERSION = 1;

    private final RunConfig cfg;
    private final DataType dtype;
    private final int d, h, chunk;
    private final long nW, total;
    private final INDArray modelParams;
    private final Lbfgs lbfgs;
    private final boolean vec;                                  // the element-wise work in the vector loops (Elementwise)

    private final INDArray x;                                   // the iterate (a rank-1 copy of the model's parameters)
    // the layers with their biases as one more column: W1+ = [W1 b1; 0 0] ((H+1) x (d+1)), W2+ = [W2 b2] (d x (H+1))
    private final INDArray w1a, w2a;
    // their blocks, as views made once (a view made per evaluation leaves native garbage until the next GC)
    private final INDArray w1aW, w1aB, w2aW, w2aB;
    private final List<Blocks> blocks = new ArrayList<>();     // the blocks of the flat vectors seen last, newest first
    private final Lane[] lanes;

    private Data data;
    private Lbfgs.Status end;           // converged or failed: sticky
    private Evaluation last;            // of the latest objective evaluation
    private Evaluation current;         // of the iterate x (null when unknown, e.g. after a restore)

    /** The figures of one evaluation of the objective. */
    record Evaluation(double value, double recon, double penalty, double decay, double[] rhoHat, double meanAbsSp,
                      double maxAbsSp) {}

    FullBatchTrainer(RunConfig cfg, int dim, DataType dtype, INDArray modelParams) {
        this(cfg, dim, dtype, modelParams, DEFAULT_CHUNK);
    }

    /** @param modelParams the model's flat 1 x total parameter row, updated after every iteration */
    FullBatchTrainer(RunConfig cfg, int dim, DataType dtype, INDArray modelParams, int chunk) {
        if (chunk < 1) throw new IllegalArgumentException("chunk must be >= 1");
        this.cfg = cfg;
        this.dtype = dtype;
        this.d = dim;
        this.h = cfg.hidden();
        this.chunk = chunk;
        this.nW = (long) h * d;
        this.total = 2 * nW + h + d;
        if (modelParams.length() != total) throw new IllegalArgumentException("parameters have " + modelParams.length() + " values, expected " + total);
        this.modelParams = modelParams;
        this.vec = Elementwise.on(modelParams);
        this.lbfgs = new Lbfgs((int) total, Lbfgs.DEFAULT_MEMORY, dtype, Lbfgs.Settings.defaults(),
                vec ? LbfgsPasses.INSTANCE : Lbfgs.Passes.ND4J);   // the optimizer's passes where the model's are

        x = Nd4j.create(dtype, total);
        w1a = Nd4j.zeros(dtype, h + 1, d + 1);
        w2a = Nd4j.zeros(dtype, d, h + 1);
        lanes = new Lane[LANES];
        for (int l = 0; l < LANES; l++) lanes[l] = new Lane();
        w1aW = w1a.get(NDArrayIndex.interval(0, h), NDArrayIndex.interval(0, d));
        w1aB = w1a.get(NDArrayIndex.interval(0, h), NDArrayIndex.point(d));
        w2aW = w2a.get(NDArrayIndex.all(), NDArrayIndex.interval(0, h));
        w2aB = w2a.get(NDArrayIndex.all(), NDArrayIndex.point(h));
    }

    private static INDArray block(INDArray flat, long from, long to) {
        return flat.get(NDArrayIndex.interval(from, to));
    }

    /**
     * A flat vector in the parameters' layout [W1 W2 b1 b2] and its blocks as views: both weights, W1 and W2 flat (for
     * BLAS) and shaped, b1 and b2 (flat, as the biases' columns of the lanes' sums are).
     */
    private record Blocks(INDArray flat, INDArray w, INDArray w1Flat, INDArray w2Flat, INDArray w1, INDArray w2, INDArray b1,
                          INDArray b2) {}

    /**
     * The blocks of {@code flat}, made once per array: L-BFGS evaluates at and writes gradients into the same few
     * arrays (a view made per evaluation leaves native garbage until the next GC).
     */
    private Blocks blocks(INDArray flat) {
        for (Blocks b : blocks) if (b.flat() == flat) return b;
        INDArray w1Flat = block(flat, 0, nW), w2Flat = block(flat, nW, 2 * nW);
        Blocks b = new Blocks(flat, block(flat, 0, 2 * nW), w1Flat, w2Flat, w1Flat.reshape('c', h, d), w2Flat.reshape('c', d, h),
                block(flat, 2 * nW, 2 * nW + h), block(flat, 2 * nW + h, total));
        if (blocks.size() == 4) blocks.remove(3);
        blocks.add(0, b);
        return b;
    }

    /** L-BFGS iterations taken so far. */
    int iteration() { return lbfgs.iteration(); }

    /** How L-BFGS ended, or null while it goes on. */
    Lbfgs.Status end() { return end; }

    // ------------------------------------------------------------------ the data, in chunks

    /**
     * The training samples in the model's dtype, feature-major (one row per pixel, one column per sample) with a row of
     * ones, X+^T = [X 1]^T ((d+1) x n, one array per chunk), so that the products carry the biases: W1+ X+^T = [Z1^T; 0]
     * and D2+^T X+ = [D2^T X, D2^T 1]. Also the hidden layer of every chunk, A+^T = [f(W1 X^T + b1); 1] (kept between the
     * passes), for the same reason on the output side. Every n x d and n x H array of the objective is kept this way
     * round: OpenBLAS multiplies these shapes faster with the samples as the long, contiguous dimension
     * (docs/performance.md).
     */
    private final class Data {
        final INDArray source;
        final int n;
        final INDArray[] xt, at, atOnes;    // per chunk: X+^T ((d+1) x rows), A+^T ((H+1) x rows), and A+^T's row of ones

        Data(INDArray source) {
            this.source = source;
            if (source.rank() != 2 || source.columns() != d) {
                throw new IllegalArgumentException("expected n x " + d + " samples, got " + source.shapeInfoToString());
            }
            n = (int) source.rows();
            if (n == 0) throw new IllegalArgumentException("no training samples");
            int k = chunks(n, chunk);
            xt = new INDArray[k];
            at = new INDArray[k];
            atOnes = new INDArray[k];
            for (int i = 0; i < k; i++) {
                long from = (long) i * n / k, to = (long) (i + 1) * n / k;
                xt[i] = Nd4j.ones(dtype, d + 1, to - from);
                xt[i].get(NDArrayIndex.interval(0, d), NDArrayIndex.all())
                        .assign(source.get(NDArrayIndex.interval(from, to), NDArrayIndex.all()).castTo(dtype).transpose());
                at[i] = Nd4j.create(dtype, h + 1, to - from);
                atOnes[i] = at[i].get(NDArrayIndex.point(h), NDArrayIndex.all());
            }
        }
    }

    /**
     * How many chunks n samples are cut into: a multiple of {@link #LANES} (as few as keep every chunk at most
     * {@code chunk} samples), or n when that is fewer. Chunk i holds samples [i n / k, (i + 1) n / k), so their sizes
     * differ by at most one, and lane l takes chunks l, l + LANES, ...
     */
    static int chunks(int n, int chunk) {
        long perLane = (long) chunk * LANES;
        return (int) Math.min(n, LANES * ((n + perLane - 1) / perLane));
    }

    // ------------------------------------------------------------------ two lanes

    /** The samples' chunks are dealt to two lanes ({@link TwoLanes}), lane 0's sums added first. */
    static final int LANES = TwoLanes.COUNT;

    /** Whether the lanes run at once (see {@link TwoLanes}). */
    static boolean lanesAtOnce() {
        return TwoLanes.atOnce();
    }

    /** One lane's working arrays and sums. */
    private final class Lane {
        final Map<Integer, Out> out = new HashMap<>();
        final INDArray gW1a, gW2a, rhoSum;      // this lane's [dW1 db1; .] and [dW2 db2], and a chunk's rho sums
        final INDArray gW1aW, gW1aB, gW2aW, gW2aB;   // their blocks: dW1, db1, dW2, db2
        final double[] rh = new double[h];      // sums of A over this lane's samples
        double reconSum;

        Lane() {
            gW1a = Nd4j.zeros(dtype, h + 1, d + 1);
            gW2a = Nd4j.zeros(dtype, d, h + 1);
            rhoSum = Nd4j.zeros(dtype, h + 1, 1);
            gW1aW = gW1a.get(NDArrayIndex.interval(0, h), NDArrayIndex.interval(0, d));
            gW1aB = gW1a.get(NDArrayIndex.interval(0, h), NDArrayIndex.point(d));
            gW2aW = gW2a.get(NDArrayIndex.all(), NDArrayIndex.interval(0, h));
            gW2aB = gW2a.get(NDArrayIndex.all(), NDArrayIndex.point(h));
        }

        Out out(int rows) {
            return out.computeIfAbsent(rows, Out::new);
        }
    }

    /** out = a + b (lane 0's sum and lane 1's), or a when lane 1 had no samples. */
    private void sum(INDArray a, INDArray b, boolean both, INDArray out) {
        if (out.rank() == 2) Elementwise.addOrCopy(vec, a, both ? b : null, out);      // a weight block
        else if (both) Nd4j.getExecutioner().exec(new AddOp(a, b, out));              // a bias column: 196 or 784 values
        else out.assign(a);
    }

    /** The output-layer arrays of one chunk size (feature-major, as {@link Data}), shared by one lane's chunks of that size. */
    private final class Out {
        final INDArray z2, y, d3, d2, ones, softplus;

        Out(int n) {
            // with the squared loss Y and then D3 overwrite Z2 (each pass reads an element before it writes it), so a
            // chunk needs one d x n array; cross-entropy keeps Z2 for its softplus
            boolean squared = cfg.loss() == Loss.SQUARED;
            z2 = Nd4j.create(dtype, d, n);
            y = squared || cfg.outputActivation() == Activation.IDENTITY ? z2 : Nd4j.create(dtype, d, n);
            d3 = squared ? z2 : Nd4j.create(dtype, d, n);
            d2 = Nd4j.create(dtype, h + 1, n);
            ones = Nd4j.ones(dtype, 1, n);
            softplus = cfg.loss() == Loss.CROSS_ENTROPY ? Nd4j.create(dtype, d, n) : null;
        }
    }

    private Data data(INDArray trainX) {
        if (data == null || data.source != trainX) data = new Data(trainX);
        return data;
    }

    // ------------------------------------------------------------------ the objective

    /**
     * The objective at {@code at} (flat, layout of the parameters) over the samples of {@code dt}; its gradient goes
     * into {@code gradOut} when given. Does not modify {@code at}. Every sum behind the value (recon, decay, rho_hat
     * across chunks) is accumulated in float64; the products stay in the model's type.
     */
    private double evaluate(Data dt, INDArray at, INDArray gradOut) {
        boolean atOnce = lanesAtOnce();
        if (atOnce) ProductThreads.use(1);                                       // a thread per lane (LANES)
        Blocks p = blocks(at);
        Elementwise.addOrCopy(vec, p.w1(), null, w1aW);                          // W1+ for pass 1; W2+ by lane 1 there
        w1aB.assign(p.b1());
        int k = dt.xt.length;
        double n = dt.n;
        // pass 1: the hidden layer of every chunk, and rho_hat over all samples
        TwoLanes.run(atOnce, l -> {
            Lane lane = lanes[l];
            java.util.Arrays.fill(lane.rh, 0);
            if (l == 1) {                                                        // W2+ is read after the passes meet
                Elementwise.addOrCopy(vec, p.w2(), null, w2aW);
                w2aB.assign(p.b2());
            }
            for (int c = l; c < k; c += LANES) {
                Out o = lane.out((int) dt.xt[c].columns());
                Blas.gemm(w1a, dt.xt[c], dt.at[c], false, false, 1.0, 0.0);      // Z1+^T = W1+ X+^T = [Z1^T; 0]
                Elementwise.activate(vec, !atOnce, cfg.hiddenActivation(), dt.at[c], dt.at[c]);
                dt.atOnes[c].assign(1.0);                                        // A+^T = [A^T; 1]
                Blas.sumColumns(dt.at[c], o.ones, lane.rhoSum, 1.0, 0.0);        // this chunk's sums over its samples
                double[] part = lane.rhoSum.toDoubleVector();
                for (int j = 0; j < h; j++) lane.rh[j] += part[j];
            }
        });
        double[] rh = new double[h];
        for (Lane lane : lanes) for (int j = 0; j < h; j++) rh[j] += lane.rh[j];
        for (int j = 0; j < h; j++) rh[j] /= n;
        double penalty = 0, sumAbsSp = 0, maxAbsSp = 0;
        boolean sparse = cfg.beta() > 0;
        double[] sp = sparse ? new double[h + 1] : null;                          // the ones row has no sparse term
        if (sparse) {
            double beta = cfg.beta(), rho = cfg.rho(), eps = cfg.eps(), shift = cfg.epsInEstimate() ? eps : 0;
            for (int j = 0; j < h; j++) {
                double r = rh[j] + shift;
                penalty += rho * Math.log(rho / (r + eps)) + (1 - rho) * Math.log((1 - rho) / (1 - r + eps));
                sp[j] = beta * (-rho / (r + eps) + (1 - rho) / (1 - r + eps));
                sumAbsSp += Math.abs(sp[j]);
                maxAbsSp = Math.max(maxAbsSp, Math.abs(sp[j]));
            }
            penalty *= beta;
        }
        // pass 2: output layer, deltas and the gradient, accumulated over each lane's chunks
        TwoLanes.run(atOnce, l -> {
            Lane lane = lanes[l];
            lane.reconSum = 0;
            for (int c = l; c < k; c += LANES) {
                INDArray xc = dt.xt[c];
                int rows = (int) xc.columns();
                Out o = lane.out(rows);
                Blas.gemm(w2a, dt.at[c], o.z2, false, false, 1.0, 0.0);          // Z2^T = W2+ A+^T = W2 A^T + b2
                if (cfg.outputActivation() != Activation.IDENTITY) Elementwise.activate(vec, !atOnce, cfg.outputActivation(), o.z2, o.y);
                if (cfg.loss() == Loss.CROSS_ENTROPY) {                         // sigmoid + cross-entropy: d3 = Y - X
                    Nd4j.getExecutioner().exec(new SoftPlus(o.z2, o.softplus));
                    lane.reconSum += FusedDeltas.crossEntropy(o.softplus, o.z2, o.y, xc, 0, rows, o.d3, d, rows);
                } else {                                                        // d3 = (Y - X) g'(Z2)
                    lane.reconSum += 0.5 * Elementwise.squaredLoss(vec, !atOnce, cfg.outputActivation(), o.y, xc, 0, rows, o.d3, d, rows);
                }
                if (gradOut == null) continue;
                double acc = c == l ? 0.0 : 1.0;
                Blas.gemm(w2a, o.d3, o.d2, true, false, 1.0, 0.0);             // D2+^T = W2+^T D3^T (its last row unused)
                Elementwise.hiddenByRow(vec, !atOnce, cfg.hiddenActivation(), dt.at[c], sp, o.d2, h + 1, rows); // D2^T = (W2^T D3^T + sp) f'(A^T)
                Blas.gemm(o.d3, dt.at[c], lane.gW2a, false, true, 1.0 / n, acc); // [dW2 db2] += D3^T A+ / N
                Blas.gemm(o.d2, xc, lane.gW1a, false, true, 1.0 / n, acc);       // [dW1 db1; .] += D2+^T X+ / N (last row unused)
            }
        });
        double reconSum = 0;
        for (Lane lane : lanes) reconSum += lane.reconSum;
        if (gradOut != null) {
            // the gradient: the lanes' sums added (lane 0's first) into gradOut's blocks, plus lambda W; W1's blocks on
            // lane 0 and W2's on lane 1 (as many values each)
            Blocks g = blocks(gradOut);
            boolean both = Math.min(LANES, k) == 2;
            double lambda = cfg.weightDecay();
            TwoLanes.run(atOnce, l -> {
                Lane a = lanes[0], b = lanes[1];
                if (l == 0) {
                    sum(a.gW1aW, b.gW1aW, both, g.w1());
                    sum(a.gW1aB, b.gW1aB, both, g.b1());
                    if (lambda > 0) Nd4j.getBlasWrapper().level1().axpy(nW, lambda, p.w1Flat(), g.w1Flat());
                } else {
                    sum(a.gW2aW, b.gW2aW, both, g.w2());
                    sum(a.gW2aB, b.gW2aB, both, g.b2());
                    if (lambda > 0) Nd4j.getBlasWrapper().level1().axpy(nW, lambda, p.w2Flat(), g.w2Flat());
                }
            });
        }
        double decay = cfg.weightDecay() > 0 ? 0.5 * cfg.weightDecay() * ExactSums.squaredNorm(p.w()) : 0;
        double recon = reconSum / n;
        last = new Evaluation(recon + decay + penalty, recon, penalty, decay, rh, sumAbsSp / h, maxAbsSp);
        return last.value();
    }

    /** The objective and its gradient at the model's parameters over {@code trainX}, for tests. */
    double valueAndGradient(INDArray trainX, INDArray gradOut) {
        return evaluate(data(trainX), modelParams.reshape(total), gradOut);
    }

    /** The figures of the latest evaluation, for tests. */
    Evaluation lastEvaluation() {
        return last;
    }

    /** The objective at the model's parameters over {@code trainX}, for tests. */
    double value(INDArray trainX) {
        return evaluate(data(trainX), modelParams.reshape(total), null);
    }

    // ------------------------------------------------------------------ one iteration = one epoch

    /** One L-BFGS iteration from the model's parameters over all of {@code trainX}; the parameters are updated. */
    EpochStats iterate(int epoch, INDArray trainX, BooleanSupplier stop) {
        long t0 = System.nanoTime();
        if (stop.getAsBoolean()) {
            return new EpochStats(epoch, 0, 0, Double.NaN, Double.NaN, Double.NaN, Double.NaN, Double.NaN, new double[0],
                    Double.NaN, Double.NaN, 0, 0, false, true, (System.nanoTime() - t0) / 1e9, 0,
                    EpochStats.Health.of(new double[0], new double[0], cfg.eps(), true));
        }
        Data dt = data(trainX);
        x.assign(modelParams.reshape(total));
        int evaluations = 0;
        if (end == null) {
            Lbfgs.IterationResult r = lbfgs.step(x, (at, g) -> evaluate(dt, at, g));
            evaluations += r.evaluations();
            if (r.stepLength() > 0) {
                // both line searches end on the point they accept, so the last evaluation is the new iterate's
                current = last != null && Double.compare(last.value(), r.value()) == 0 ? last : null;
            }
            if (r.done()) {
                end = r.status();
                LOG.info("L-BFGS ended at iteration {} (epoch {}): {}, f = {}, |g|_inf = {}", r.iteration(), epoch, r.status(),
                        r.value(), r.gradientMaxAbs());
            }
            modelParams.assign(x.reshape(modelParams.shape()));
        }
        if (current == null) {
            evaluate(dt, x, null);
            evaluations++;
            current = last;
        }
        Evaluation e = current;
        double meanActivation = 0;
        for (double v : e.rhoHat()) meanActivation += v;
        meanActivation /= h;
        long samples = (long) evaluations * dt.n;
        boolean finiteParams = finite(x);
        boolean diverged = !Double.isFinite(e.value()) || !finiteParams;
        double seconds = (System.nanoTime() - t0) / 1e9;
        return new EpochStats(epoch, evaluations, samples, e.value(), e.recon(), e.penalty(), e.decay(), meanActivation,
                e.rhoHat().clone(), e.meanAbsSp(), e.maxAbsSp(), 0, 0.0, diverged, false, seconds, samples / Math.max(seconds, 1e-9),
                EpochStats.Health.of(e.rhoHat(), e.rhoHat(), cfg.eps(), finiteParams));
    }

    private static boolean finite(INDArray a) {
        return ExactSums.allFinite(a);
    }

    // ------------------------------------------------------------------ state

    /**
     * int32 magic "SLFB", int32 version 1, int32 end (-1 while going on, else the ordinal of {@link Lbfgs.Status}),
     * int32 n, then n bytes of {@link Lbfgs#saveState()}; big-endian (DataOutputStream).
     */
    byte[] saveState() {
        ByteBuffer out = ByteBuffer.allocate(stateBytes());
        saveState(out);
        return out.array();
    }

    /** The length of {@link #saveState()}. */
    int stateBytes() {
        return 16 + lbfgs.stateBytes();
    }

    /** Writes {@link #saveState()}'s bytes into {@code out} at its position, leaving the buffer's byte order as it was. */
    void saveState(ByteBuffer out) {
        java.nio.ByteOrder order = out.order();
        out.order(java.nio.ByteOrder.BIG_ENDIAN).putInt(STATE_MAGIC).putInt(STATE_VERSION)
                .putInt(end == null ? -1 : end.ordinal()).putInt(lbfgs.stateBytes());
        lbfgs.saveState(out);
        out.order(order);
    }

    /** Restores {@link #saveState()}; an empty blob (a state written by another optimizer) starts L-BFGS afresh. */
    void restoreState(byte[] state) {
        current = null;
        last = null;
        if (state.length == 0) {
            lbfgs.reset();
            end = null;
            return;
        }
        try (DataInputStream in = new DataInputStream(new ByteArrayInputStream(state))) {
            if (in.readInt() != STATE_MAGIC) throw new IllegalArgumentException("not a full-batch L-BFGS state");
            int version = in.readInt();
            if (version != STATE_VERSION) throw new IllegalArgumentException("unknown full-batch state version " + version);
            int e = in.readInt();
            if (e < -1 || e >= Lbfgs.Status.values().length) throw new IllegalArgumentException("bad L-BFGS end " + e);
            byte[] inner = new byte[in.readInt()];
            in.readFully(inner);
            lbfgs.restoreState(inner);
            end = e < 0 ? null : Lbfgs.Status.values()[e];
        } catch (IOException | NegativeArraySizeException ex) {
            throw new IllegalArgumentException("truncated full-batch L-BFGS state", ex);
        }
    }
}
