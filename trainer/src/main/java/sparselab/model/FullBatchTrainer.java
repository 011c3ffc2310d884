package sparselab.model;

import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.ops.impl.reduce.floating.SquaredNorm;
import org.nd4j.linalg.api.ops.impl.reduce.longer.MatchCondition;
import org.nd4j.linalg.api.ops.impl.reduce3.Dot;
import org.nd4j.linalg.api.ops.impl.transforms.strict.SoftPlus;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;
import org.nd4j.linalg.indexing.conditions.Conditions;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import sparselab.config.Choices.Activation;
import sparselab.config.Choices.Loss;
import sparselab.config.RunConfig;
import sparselab.optim.Lbfgs;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.HashMap;
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
 * computed here in chunks of at most {@link #DEFAULT_CHUNK} samples, so that the n x d arrays stay small:
 * <pre>
 *   pass 1, every chunk c:  Z1_c = X_c W1^T + b1;  A_c = f(Z1_c);  rho_hat += 1^T A_c / N      (Z1_c, A_c kept: N x H)
 *   then:                   penalty and sp = beta * (-rho / (rho_hat + eps) + (1 - rho) / (1 - rho_hat + eps)) from the full rho_hat
 *   pass 2, every chunk c:  Z2_c, Y_c, d3_c;  d2_c = (d3_c W2 + sp) * f'(Z1_c)
 *                           dW2 += d3_c^T A_c / N;  dW1 += d2_c^T X_c / N;  db1 += 1^T d2_c / N;  db2 += 1^T d3_c / N
 *   then:                   dW += lambda W
 * </pre>
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
    /** Samples per chunk of the objective: bounds the n x d arrays (three of them, ~3 MB each in float32 for MNIST). */
    static final int DEFAULT_CHUNK = 1000;
    private static final int STATE_MAGIC = 0x534C4642; // "SLFB"
    private static final int STATE_VERSION = 1;

    private final RunConfig cfg;
    private final DataType dtype;
    private final int d, h, chunk;
    private final long nW, total;
    private final INDArray modelParams;
    private final Lbfgs lbfgs;

    private final INDArray x;                                   // the iterate (a rank-1 copy of the model's parameters)
    private final INDArray theta, w1, w2, b1, b2, pW;           // the point being evaluated and its blocks
    private final INDArray grad, gW1T, gW2T, gB1, gB2, gW;      // its gradient, same layout
    private final INDArray rhoSum, sp;

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
        this.lbfgs = new Lbfgs((int) total, Lbfgs.DEFAULT_MEMORY, dtype);

        x = Nd4j.create(dtype, total);
        theta = Nd4j.create(dtype, total);
        w1 = block(theta, 0, nW).reshape('c', h, d);
        w2 = block(theta, nW, 2 * nW).reshape('c', d, h);
        b1 = block(theta, 2 * nW, 2 * nW + h).reshape(1, h);
        b2 = block(theta, 2 * nW + h, total).reshape(1, d);
        pW = block(theta, 0, 2 * nW);
        grad = Nd4j.create(dtype, total);
        gW1T = block(grad, 0, nW).reshape('c', h, d).transpose();
        gW2T = block(grad, nW, 2 * nW).reshape('c', d, h).transpose();
        gB1 = block(grad, 2 * nW, 2 * nW + h).reshape(1, h);
        gB2 = block(grad, 2 * nW + h, total).reshape(1, d);
        gW = block(grad, 0, 2 * nW);
        rhoSum = Nd4j.zeros(dtype, 1, h);
        sp = Nd4j.zeros(dtype, 1, h);
    }

    private static INDArray block(INDArray flat, long from, long to) {
        return flat.get(NDArrayIndex.interval(from, to));
    }

    /** L-BFGS iterations taken so far. */
    int iteration() { return lbfgs.iteration(); }

    /** How L-BFGS ended, or null while it goes on. */
    Lbfgs.Status end() { return end; }

    // ------------------------------------------------------------------ the data, in chunks

    /** The training samples in the model's dtype, their chunks, and the hidden layer of every chunk (kept between passes). */
    private final class Data {
        final INDArray source;
        final int n;
        final INDArray[] xs, z1, z1T, a;
        final Map<Integer, Out> out = new HashMap<>();

        Data(INDArray source) {
            this.source = source;
            if (source.rank() != 2 || source.columns() != d) {
                throw new IllegalArgumentException("expected n x " + d + " samples, got " + source.shapeInfoToString());
            }
            INDArray c = source.dataType() == dtype ? source : source.castTo(dtype);
            INDArray src = c.ordering() == 'c' && !c.isView() ? c : c.dup('c');
            n = (int) src.rows();
            if (n == 0) throw new IllegalArgumentException("no training samples");
            int k = (n + chunk - 1) / chunk;
            xs = new INDArray[k];
            z1 = new INDArray[k];
            z1T = new INDArray[k];
            a = new INDArray[k];
            for (int i = 0; i < k; i++) {
                long from = (long) i * chunk, to = Math.min(from + chunk, n);
                xs[i] = src.get(NDArrayIndex.interval(from, to), NDArrayIndex.all());
                z1[i] = Nd4j.create(dtype, to - from, h);
                z1T[i] = z1[i].transpose();
                a[i] = Nd4j.create(dtype, to - from, h);
            }
        }

        Out out(int rows) {
            return out.computeIfAbsent(rows, Out::new);
        }
    }

    /** The output-layer arrays of one chunk size, shared by the chunks of that size. */
    private final class Out {
        final INDArray z2, z2T, y, d3, d2, d2T, ones, tmp, scratchD, scratchH;

        Out(int n) {
            z2 = Nd4j.create(dtype, n, d);
            z2T = z2.transpose();
            y = cfg.outputActivation() == Activation.IDENTITY ? z2 : Nd4j.create(dtype, n, d);
            d3 = Nd4j.create(dtype, n, d);
            d2 = Nd4j.create(dtype, n, h);
            d2T = d2.transpose();
            ones = Nd4j.ones(dtype, 1, n);
            tmp = cfg.loss() == Loss.CROSS_ENTROPY ? Nd4j.create(dtype, n, d) : null;
            scratchD = Nd4j.create(dtype, n, d);
            scratchH = Nd4j.create(dtype, n, h);
        }
    }

    private Data data(INDArray trainX) {
        if (data == null || data.source != trainX) data = new Data(trainX);
        return data;
    }

    // ------------------------------------------------------------------ the objective

    /**
     * The objective at {@code at} (flat, layout of the parameters) over the samples of {@code dt}; its gradient goes
     * into {@code gradOut} when given. Does not modify {@code at}.
     */
    private double evaluate(Data dt, INDArray at, INDArray gradOut) {
        theta.assign(at);
        int k = dt.xs.length;
        double n = dt.n;
        // pass 1: the hidden layer of every chunk, and rho_hat over all samples
        for (int c = 0; c < k; c++) {
            Out o = dt.out((int) dt.xs[c].rows());
            Nd4j.gemm(w1, dt.xs[c], dt.z1T[c], false, true, 1.0, 0.0);          // Z1^T = W1 X^T
            dt.z1[c].addiRowVector(b1);
            Activations.activate(cfg.hiddenActivation(), dt.z1[c], dt.a[c]);
            Nd4j.gemm(o.ones, dt.a[c], rhoSum, false, false, 1.0, c == 0 ? 0.0 : 1.0);
        }
        double[] rh = rhoSum.toDoubleVector();
        for (int j = 0; j < h; j++) rh[j] /= n;
        double penalty = 0, sumAbsSp = 0, maxAbsSp = 0;
        boolean sparse = cfg.beta() > 0;
        if (sparse) {
            double beta = cfg.beta(), rho = cfg.rho(), eps = cfg.eps(), shift = cfg.epsInEstimate() ? eps : 0;
            double[] s = new double[h];
            for (int j = 0; j < h; j++) {
                double r = rh[j] + shift;
                penalty += rho * Math.log(rho / (r + eps)) + (1 - rho) * Math.log((1 - rho) / (1 - r + eps));
                s[j] = beta * (-rho / (r + eps) + (1 - rho) / (1 - r + eps));
                sumAbsSp += Math.abs(s[j]);
                maxAbsSp = Math.max(maxAbsSp, Math.abs(s[j]));
            }
            penalty *= beta;
            sp.assign(Nd4j.createFromArray(s).castTo(dtype).reshape(1, h));
        }
        // pass 2: output layer, deltas and the gradient, accumulated over the chunks
        double reconSum = 0;
        for (int c = 0; c < k; c++) {
            INDArray xc = dt.xs[c];
            Out o = dt.out((int) xc.rows());
            Nd4j.gemm(w2, dt.a[c], o.z2T, false, true, 1.0, 0.0);               // Z2^T = W2 A^T
            o.z2.addiRowVector(b2);
            if (cfg.outputActivation() != Activation.IDENTITY) Activations.activate(cfg.outputActivation(), o.z2, o.y);
            o.y.sub(xc, o.d3);
            if (cfg.loss() == Loss.CROSS_ENTROPY) {                             // sigmoid + cross-entropy: d3 = Y - X
                Nd4j.getExecutioner().exec(new SoftPlus(o.z2, o.tmp));
                reconSum += o.tmp.sumNumber().doubleValue() - Nd4j.getExecutioner().exec(new Dot(xc, o.z2)).getDouble(0);
            } else {
                reconSum += 0.5 * squaredNorm(o.d3);
                if (cfg.outputActivation() != Activation.IDENTITY) Activations.backprop(cfg.outputActivation(), o.z2, o.y, o.d3, o.scratchD);
            }
            if (gradOut == null) continue;
            double acc = c == 0 ? 0.0 : 1.0;
            Nd4j.gemm(w2, o.d3, o.d2T, true, true, 1.0, 0.0);                   // D2^T = W2^T D3^T
            if (sparse) o.d2.addiRowVector(sp);
            Activations.backprop(cfg.hiddenActivation(), dt.z1[c], dt.a[c], o.d2, o.scratchH);
            Nd4j.gemm(dt.a[c], o.d3, gW2T, true, false, 1.0 / n, acc);         // dW2^T += A^T D3 / N
            Nd4j.gemm(xc, o.d2, gW1T, true, false, 1.0 / n, acc);              // dW1^T += X^T D2 / N
            Nd4j.gemm(o.ones, o.d2, gB1, false, false, 1.0 / n, acc);          // db1 += 1^T D2 / N
            Nd4j.gemm(o.ones, o.d3, gB2, false, false, 1.0 / n, acc);          // db2 += 1^T D3 / N
        }
        double decay = 0;
        if (cfg.weightDecay() > 0) {
            decay = 0.5 * cfg.weightDecay() * squaredNorm(pW);
            if (gradOut != null) Nd4j.getBlasWrapper().level1().axpy(gW.length(), cfg.weightDecay(), pW, gW);
        }
        double recon = reconSum / n;
        if (gradOut != null) gradOut.assign(grad);
        last = new Evaluation(recon + decay + penalty, recon, penalty, decay, rh, sumAbsSp / h, maxAbsSp);
        return last.value();
    }

    /** The objective and its gradient at the model's parameters over {@code trainX}, for tests. */
    double valueAndGradient(INDArray trainX, INDArray gradOut) {
        return evaluate(data(trainX), modelParams.reshape(total), gradOut);
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
        return Nd4j.getExecutioner().exec(new MatchCondition(a, Conditions.isNan())).getLong(0)
                + Nd4j.getExecutioner().exec(new MatchCondition(a, Conditions.isInfinite())).getLong(0) == 0;
    }

    // ------------------------------------------------------------------ state

    /**
     * int32 magic "SLFB", int32 version 1, int32 end (-1 while going on, else the ordinal of {@link Lbfgs.Status}),
     * int32 n, then n bytes of {@link Lbfgs#saveState()}; big-endian (DataOutputStream).
     */
    byte[] saveState() {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (DataOutputStream out = new DataOutputStream(bytes)) {
            byte[] inner = lbfgs.saveState();
            out.writeInt(STATE_MAGIC);
            out.writeInt(STATE_VERSION);
            out.writeInt(end == null ? -1 : end.ordinal());
            out.writeInt(inner.length);
            out.write(inner);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return bytes.toByteArray();
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

    // ------------------------------------------------------------------ helpers (as in SparseAutoencoder)

    private static double squaredNorm(INDArray a) {
        return Nd4j.getExecutioner().exec(new SquaredNorm(a)).getDouble(0);
    }

}
