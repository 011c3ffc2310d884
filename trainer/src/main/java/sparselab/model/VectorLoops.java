package sparselab.model;

import jdk.incubator.vector.DoubleVector;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorShape;
import jdk.incubator.vector.VectorSpecies;
import sparselab.config.Choices.Activation;
import sparselab.model.Elementwise.Span;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * The element-wise work of a training step in the JDK's Vector API (the {@code jdk.incubator.vector} module): one
 * pass per equation group over float32 arrays, in the widest vectors the CPU has (16 floats with AVX-512). Measured on
 * 1000 x 784 values: the sigmoid in 0.4-0.5 ms against 1.4-4.2 ms for libnd4j's single-threaded {@code Sigmoid} op.
 * Only {@link Elementwise} calls this class, and only when the module is present: nothing else may refer to it, so
 * that the project runs without the module.
 *
 * <p><b>Exactly reproducible.</b> Every lane operation here is an IEEE operation with one rounding (add, mul, div,
 * fma, compare, bit shifts), which the interpreter's fallback and the JIT's vector instructions compute alike. The JDK's
 * vector exponential ({@code VectorOperators.EXP}) is not used: the JIT replaces it with a different approximation
 * than the interpreter's, so a step's result would depend on whether the loop was compiled yet, and a resumed run would
 * drift from the uninterrupted one. The exponential is {@link #exp}, Cephes' expf (about 1 ulp); lane sums are added
 * in a fixed order. tanh stays with libnd4j's op.
 *
 * <p>Every array is a {@link Span}: its buffer, the element offset of its first row and its row stride; columns are
 * contiguous. The sums behind reported figures are accumulated in float64 (each vector's lanes widened to double).
 */
final class VectorLoops {
    private VectorLoops() {}

    private static final VectorSpecies<Float> F = FloatVector.SPECIES_PREFERRED;
    private static final VectorSpecies<Double> D = VectorSpecies.of(double.class, F.vectorShape());
    private static final int PARTS = F.length() / D.length();
    /**
     * Floats in a vector of half the width, as many as D has doubles: such a vector widens to a D vector in one
     * instruction, where {@code convertShape(F2D, D, k)} of a whole float vector's part k ran at half that speed or
     * less in JDK 17 (the squared error's sums, docs/performance.md). Null where there is no such shape: the whole
     * vector's parts are widened then.
     */
    private static final VectorSpecies<Float> HALF = half();

    /** {@link #HALF}, or null where no vector shape is half the preferred one (a 64-bit preferred shape; odd SVE widths). */
    private static VectorSpecies<Float> half() {
        if (F.vectorBitSize() < 128) return null;
        try {
            return VectorSpecies.of(float.class, VectorShape.forBitSize(F.vectorBitSize() / PARTS));
        } catch (IllegalArgumentException e) {
            return null;
        }
    }

    private static final ByteOrder ORDER = ByteOrder.nativeOrder();

    /** The vector width in floats (for the threads line of bench). */
    static int lanes() {
        return F.length();
    }

    /**
     * out = f(z + bias) row by row ({@code bias}: one value per column from element {@code biasOff}, or null); with
     * {@code keepZ}, z + bias is written back into z too.
     */
    static void activate(Activation f, Span z, ByteBuffer bias, int biasOff, boolean keepZ, Span out, int rows, int cols) {
        ByteBuffer b = bias != null ? bias : zeros(cols);
        int bo = bias != null ? biasOff : 0;
        boolean write = keepZ && bias != null;
        // one method per activation: no loop body merges vectors from different operations (where the JIT may have
        // to keep vectors as objects), and each is a small compilation
        switch (f) {
            case SIGMOID -> sigmoidRows(z, b, bo, write, out, rows, cols);
            case TANH -> throw new IllegalArgumentException("tanh is libnd4j's op (Elementwise)");
            case RELU -> reluRows(z, b, bo, write, out, rows, cols);
            case IDENTITY -> identityRows(z, b, bo, write, out, rows, cols);
        }
    }

    // A row whose length is not a multiple of the vector ends in two overlapping vectors, [c, c + L) and
    // [cols - L, cols), both loaded before either is stored: every lane's result depends only on that element's
    // inputs, so the overlapping lanes get the same bits from both, also in place. Before, the last cols % L values
    // went through a scalar loop: with H = 196 its exponentials took about half the time of the hidden layer's
    // sigmoid, and C2's compilation of the method with that loop ran the output layer's 784-wide rows, which have no
    // tail, at half their speed (docs/performance.md).

    /** The start of a row's last vector when it overlaps the one before it ({@code cols} not a multiple), else -1. */
    private static int overlap(int cols) {
        int bound = F.loopBound(cols);
        return bound < cols && bound >= F.length() ? cols - F.length() : -1;
    }

    /** Where the whole vectors of the loop end: before the last two vectors when they overlap. */
    private static int body(int cols) {
        return overlap(cols) >= 0 ? F.loopBound(cols) - F.length() : F.loopBound(cols);
    }

    private static void sigmoidRows(Span z, ByteBuffer b, int bo, boolean write, Span out, int rows, int cols) {
        int body = body(cols), t = overlap(cols);
        for (int r = 0; r < rows; r++) {
            int zo = z.row(r), oo = out.row(r), c = 0;
            for (; c < body; c += F.length()) {
                FloatVector v = load(z.buf(), zo + c).add(load(b, bo + c));
                if (write) store(v, z.buf(), zo + c);
                store(ONE.div(exp(v.neg()).add(1f)), out.buf(), oo + c);
            }
            if (t >= 0) {
                FloatVector v = load(z.buf(), zo + c).add(load(b, bo + c)), w = load(z.buf(), zo + t).add(load(b, bo + t));
                FloatVector fv = ONE.div(exp(v.neg()).add(1f)), fw = ONE.div(exp(w.neg()).add(1f));
                if (write) {
                    store(v, z.buf(), zo + c);
                    store(w, z.buf(), zo + t);
                }
                store(fv, out.buf(), oo + c);
                store(fw, out.buf(), oo + t);
            } else {
                tail(Activation.SIGMOID, z, b, bo, write, out, zo, oo, c, cols);
            }
        }
    }

    private static void reluRows(Span z, ByteBuffer b, int bo, boolean write, Span out, int rows, int cols) {
        int body = body(cols), t = overlap(cols);
        for (int r = 0; r < rows; r++) {
            int zo = z.row(r), oo = out.row(r), c = 0;
            for (; c < body; c += F.length()) {
                FloatVector v = load(z.buf(), zo + c).add(load(b, bo + c));
                if (write) store(v, z.buf(), zo + c);
                store(v.max(0f), out.buf(), oo + c);
            }
            if (t >= 0) {
                FloatVector v = load(z.buf(), zo + c).add(load(b, bo + c)), w = load(z.buf(), zo + t).add(load(b, bo + t));
                if (write) {
                    store(v, z.buf(), zo + c);
                    store(w, z.buf(), zo + t);
                }
                store(v.max(0f), out.buf(), oo + c);
                store(w.max(0f), out.buf(), oo + t);
            } else {
                tail(Activation.RELU, z, b, bo, write, out, zo, oo, c, cols);
            }
        }
    }

    private static void identityRows(Span z, ByteBuffer b, int bo, boolean write, Span out, int rows, int cols) {
        int body = body(cols), t = overlap(cols);
        for (int r = 0; r < rows; r++) {
            int zo = z.row(r), oo = out.row(r), c = 0;
            for (; c < body; c += F.length()) {
                FloatVector v = load(z.buf(), zo + c).add(load(b, bo + c));
                if (write) store(v, z.buf(), zo + c);
                store(v, out.buf(), oo + c);
            }
            if (t >= 0) {
                FloatVector v = load(z.buf(), zo + c).add(load(b, bo + c)), w = load(z.buf(), zo + t).add(load(b, bo + t));
                if (write) {
                    store(v, z.buf(), zo + c);
                    store(w, z.buf(), zo + t);
                }
                store(v, out.buf(), oo + c);
                store(w, out.buf(), oo + t);
            } else {
                tail(Activation.IDENTITY, z, b, bo, write, out, zo, oo, c, cols);
            }
        }
    }

    /**
     * out = f(z + bias[r]) for feature-major arrays (a row per hidden unit, a column per sample: the minibatch step's
     * hidden layer at small batches): {@code bias} one value per row, from element {@code biasOff}.
     */
    static void activateByRow(Activation f, Span z, ByteBuffer bias, int biasOff, Span out, int rows, int cols) {
        switch (f) {
            case SIGMOID -> sigmoidByRow(z, bias, biasOff, out, rows, cols);
            case TANH -> throw new IllegalArgumentException("tanh is libnd4j's op (Elementwise)");
            case RELU -> reluByRow(z, bias, biasOff, out, rows, cols);
            case IDENTITY -> identityByRow(z, bias, biasOff, out, rows, cols);
        }
    }

    private static void sigmoidByRow(Span z, ByteBuffer b, int bo, Span out, int rows, int cols) {
        int body = body(cols), t = overlap(cols);
        for (int r = 0; r < rows; r++) {
            int zo = z.row(r), oo = out.row(r), c = 0;
            float br = b.getFloat(4 * (bo + r));
            FloatVector bv = FloatVector.broadcast(F, br);
            for (; c < body; c += F.length()) {
                FloatVector v = load(z.buf(), zo + c).add(bv);
                store(ONE.div(exp(v.neg()).add(1f)), out.buf(), oo + c);
            }
            if (t >= 0) {
                FloatVector v = load(z.buf(), zo + c).add(bv), w = load(z.buf(), zo + t).add(bv);
                FloatVector fv = ONE.div(exp(v.neg()).add(1f)), fw = ONE.div(exp(w.neg()).add(1f));
                store(fv, out.buf(), oo + c);
                store(fw, out.buf(), oo + t);
            } else {
                for (; c < cols; c++) out.put(oo + c, apply(Activation.SIGMOID, z.get(zo + c) + br));
            }
        }
    }

    private static void reluByRow(Span z, ByteBuffer b, int bo, Span out, int rows, int cols) {
        int body = body(cols), t = overlap(cols);
        for (int r = 0; r < rows; r++) {
            int zo = z.row(r), oo = out.row(r), c = 0;
            float br = b.getFloat(4 * (bo + r));
            FloatVector bv = FloatVector.broadcast(F, br);
            for (; c < body; c += F.length()) store(load(z.buf(), zo + c).add(bv).max(0f), out.buf(), oo + c);
            if (t >= 0) {
                FloatVector v = load(z.buf(), zo + c).add(bv), w = load(z.buf(), zo + t).add(bv);
                store(v.max(0f), out.buf(), oo + c);
                store(w.max(0f), out.buf(), oo + t);
            } else {
                for (; c < cols; c++) out.put(oo + c, Math.max(z.get(zo + c) + br, 0f));
            }
        }
    }

    private static void identityByRow(Span z, ByteBuffer b, int bo, Span out, int rows, int cols) {
        int body = body(cols), t = overlap(cols);
        for (int r = 0; r < rows; r++) {
            int zo = z.row(r), oo = out.row(r), c = 0;
            float br = b.getFloat(4 * (bo + r));
            FloatVector bv = FloatVector.broadcast(F, br);
            for (; c < body; c += F.length()) store(load(z.buf(), zo + c).add(bv), out.buf(), oo + c);
            if (t >= 0) {
                FloatVector v = load(z.buf(), zo + c).add(bv), w = load(z.buf(), zo + t).add(bv);
                store(v, out.buf(), oo + c);
                store(w, out.buf(), oo + t);
            } else {
                for (; c < cols; c++) out.put(oo + c, z.get(zo + c) + br);
            }
        }
    }

    private static void tail(Activation f, Span z, ByteBuffer b, int bo, boolean write, Span out, int zo, int oo, int c, int cols) {
        for (; c < cols; c++) {
            float v = z.get(zo + c) + b.getFloat(4 * (bo + c));
            if (write) z.put(zo + c, v);
            out.put(oo + c, apply(f, v));
        }
    }

    /**
     * out = sigmoid(z) over n contiguous values from element {@code zo} of z and {@code oo} of out (the same buffer and
     * offset for in place): one vector loop with one exponential, and the last n % L values by the scalar form, which
     * gives each value the same bits as a lane does. For a matrix without a bias whose rows follow each other (the full
     * batch's arrays). The row-by-row loops above, with a bias to add and two more exponentials for a row's overlapping
     * last vector, ran 0.92-1.08 ns a value over 784 x 2,250 values where this runs 0.45-0.66 (docs/performance.md).
     */
    static void sigmoidFlat(ByteBuffer z, int zo, ByteBuffer out, int oo, int n) {
        int bound = F.loopBound(n), c = 0;
        for (; c < bound; c += F.length()) store(ONE.div(exp(load(z, zo + c).neg()).add(1f)), out, oo + c);
        for (; c < n; c++) out.putFloat(4 * (oo + c), apply(Activation.SIGMOID, z.getFloat(4 * (zo + c))));
    }

    /** out = a + b row by row (one IEEE add per value, as ND4J's {@code AddOp}). */
    static void add(Span a, Span b, Span out, int rows, int cols) {
        int bound = F.loopBound(cols);
        for (int r = 0; r < rows; r++) {
            int ao = a.row(r), bo = b.row(r), oo = out.row(r), c = 0;
            for (; c < bound; c += F.length()) store(load(a.buf(), ao + c).add(load(b.buf(), bo + c)), out.buf(), oo + c);
            for (; c < cols; c++) out.put(oo + c, a.get(ao + c) + b.get(bo + c));
        }
    }

    /** out = a row by row. */
    static void copy(Span a, Span out, int rows, int cols) {
        int bound = F.loopBound(cols);
        for (int r = 0; r < rows; r++) {
            int ao = a.row(r), oo = out.row(r), c = 0;
            for (; c < bound; c += F.length()) store(load(a.buf(), ao + c), out.buf(), oo + c);
            for (; c < cols; c++) out.put(oo + c, a.get(ao + c));
        }
    }

    /**
     * d3 = (y - x) g'(y) (g' from g's value); returns sum (y - x)^2 in float64. A row's overlapping last vector is
     * {@link #lossOverlap}, a compilation of its own: with it in this method (761 bytes) C2 stopped inlining at its node
     * limit (NodeCountInliningCutoff), and where that hit the loop's own store, every vector went through the JDK's boxed
     * fallback (docs/performance.md).
     */
    static double squaredLoss(Activation g, Span y, Span x, Span d3, int rows, int cols) {
        // g'(y) = p0 + p1 y + p2 y^2 for sigmoid (0, 1, -1), tanh (1, 0, -1) and identity (1, 0, 0); relu's is a mask
        float[] p = polynomial(g);
        FloatVector p0 = FloatVector.broadcast(F, p[0]), p1 = FloatVector.broadcast(F, p[1]), p2 = FloatVector.broadcast(F, p[2]);
        boolean relu = g == Activation.RELU;
        int body = body(cols), t = overlap(cols), bound = F.loopBound(cols);
        ByteBuffer yb = y.buf(), xb = x.buf(), db = d3.buf();
        double sum = 0;
        double[] lanes = new double[D.length()], tail = new double[F.length()];
        for (int r = 0; r < rows; r++) {
            int yo = y.row(r), xo = x.row(r), o = d3.row(r), c = 0;
            DoubleVector acc = DoubleVector.zero(D);
            for (; c < body; c += F.length()) {
                acc = squares(yb, yo + c, xb, xo + c, acc);
                FloatVector yv = load(yb, yo + c);
                FloatVector out = yv.sub(load(xb, xo + c)).mul(p2.fma(yv, p1).fma(yv, p0));
                if (relu) out = out.blend(0f, yv.compare(VectorOperators.LE, 0f));
                store(out, db, o + c);
            }
            if (t >= 0) {
                // the sum as if [c, c + L) were the loop's last vector and [bound, cols) its scalar tail; the tail's
                // squares are read before the last vector's d3 is stored (d3 may be y itself)
                for (int k = bound; k < cols; k++) {
                    float ek = y.get(yo + k) - x.get(xo + k);
                    tail[k - bound] = (double) ek * ek;
                }
                acc = lossOverlap(yb, yo, xb, xo, db, o, c, t, p[0], p[1], p[2], relu, acc);
                acc.intoArray(lanes, 0);
                for (double l : lanes) sum += l;
                for (int k = bound; k < cols; k++) sum += tail[k - bound];
                continue;
            }
            acc.intoArray(lanes, 0);                              // the lanes in a fixed order (see the class comment)
            for (double l : lanes) sum += l;
            for (; c < cols; c++) {
                float yi = y.get(yo + c), e = yi - x.get(xo + c);
                sum += (double) e * e;
                d3.put(o + c, e * FusedDeltas.derivative(g, yi));
            }
        }
        return sum;
    }

    /**
     * acc + the squares of y - x over one vector's values from elements yo and xo, widened to float64: the vector's
     * parts in order, each a {@link #HALF} vector (the same float differences as the whole vector's lanes, so the
     * same sums as widening the whole vector's part k).
     */
    private static DoubleVector squares(ByteBuffer yb, int yo, ByteBuffer xb, int xo, DoubleVector acc) {
        if (HALF == null) {
            FloatVector e = load(yb, yo).sub(load(xb, xo));
            for (int k = 0; k < PARTS; k++) {
                DoubleVector ed = (DoubleVector) e.convertShape(VectorOperators.F2D, D, k);
                acc = ed.fma(ed, acc);
            }
            return acc;
        }
        for (int k = 0; k < PARTS; k++) {
            int h = k * HALF.length();
            FloatVector e = FloatVector.fromByteBuffer(HALF, yb, 4 * (yo + h), ORDER).sub(FloatVector.fromByteBuffer(HALF, xb, 4 * (xo + h), ORDER));
            DoubleVector ed = (DoubleVector) e.convertShape(VectorOperators.F2D, D, 0);
            acc = ed.fma(ed, acc);
        }
        return acc;
    }

    /**
     * A row's last two vectors of {@link #squaredLoss} when they overlap, [c, c + L) and [t, t + L): d3 of both written
     * (both loaded before either is stored), the squares of the first added to {@code acc}.
     */
    private static DoubleVector lossOverlap(ByteBuffer yb, int yo, ByteBuffer xb, int xo, ByteBuffer db, int o, int c, int t,
                                            float q0, float q1, float q2, boolean relu, DoubleVector acc) {
        FloatVector p0 = FloatVector.broadcast(F, q0), p1 = FloatVector.broadcast(F, q1), p2 = FloatVector.broadcast(F, q2);
        acc = squares(yb, yo + c, xb, xo + c, acc);
        FloatVector yv = load(yb, yo + c), yw = load(yb, yo + t);
        FloatVector e = yv.sub(load(xb, xo + c)), ew = yw.sub(load(xb, xo + t));
        FloatVector out = e.mul(p2.fma(yv, p1).fma(yv, p0)), outw = ew.mul(p2.fma(yw, p1).fma(yw, p0));
        if (relu) {
            out = out.blend(0f, yv.compare(VectorOperators.LE, 0f));
            outw = outw.blend(0f, yw.compare(VectorOperators.LE, 0f));
        }
        store(out, db, o + c);
        store(outw, db, o + t);
        return acc;
    }

    /** d2 = (d2 + sp) f'(a), {@code sp} one value per column (null: no sparse term). */
    static void hidden(Activation f, Span a, float[] sp, Span d2, int rows, int cols) {
        float[] s = sp != null ? sp : new float[cols];
        float[] p = polynomial(f);
        FloatVector p0 = FloatVector.broadcast(F, p[0]), p1 = FloatVector.broadcast(F, p[1]), p2 = FloatVector.broadcast(F, p[2]);
        boolean relu = f == Activation.RELU;
        int body = body(cols), t = overlap(cols);
        for (int r = 0; r < rows; r++) {
            int ao = a.row(r), o = d2.row(r), c = 0;
            for (; c < body; c += F.length()) {
                FloatVector av = load(a.buf(), ao + c);
                FloatVector out = load(d2.buf(), o + c).add(FloatVector.fromArray(F, s, c)).mul(p2.fma(av, p1).fma(av, p0));
                if (relu) out = out.blend(0f, av.compare(VectorOperators.LE, 0f));
                store(out, d2.buf(), o + c);
            }
            if (t >= 0) {
                FloatVector av = load(a.buf(), ao + c), aw = load(a.buf(), ao + t);
                FloatVector out = load(d2.buf(), o + c).add(FloatVector.fromArray(F, s, c)).mul(p2.fma(av, p1).fma(av, p0));
                FloatVector outw = load(d2.buf(), o + t).add(FloatVector.fromArray(F, s, t)).mul(p2.fma(aw, p1).fma(aw, p0));
                if (relu) {
                    out = out.blend(0f, av.compare(VectorOperators.LE, 0f));
                    outw = outw.blend(0f, aw.compare(VectorOperators.LE, 0f));
                }
                store(out, d2.buf(), o + c);
                store(outw, d2.buf(), o + t);
                continue;
            }
            for (; c < cols; c++) d2.put(o + c, (d2.get(o + c) + s[c]) * FusedDeltas.derivative(f, a.get(ao + c)));
        }
    }

    /** d2 = (d2 + sp[first + r]) f'(a) row by row: {@code sp} one value per row (feature-major arrays: a row per unit). */
    static void hiddenByRow(Activation f, Span a, float[] sp, int first, Span d2, int rows, int cols) {
        float[] p = polynomial(f);
        FloatVector p0 = FloatVector.broadcast(F, p[0]), p1 = FloatVector.broadcast(F, p[1]), p2 = FloatVector.broadcast(F, p[2]);
        boolean relu = f == Activation.RELU;
        int body = body(cols), t = overlap(cols);
        for (int r = 0; r < rows; r++) {
            int ao = a.row(r), o = d2.row(r), c = 0;
            FloatVector s = FloatVector.broadcast(F, sp[first + r]);
            for (; c < body; c += F.length()) {
                FloatVector av = load(a.buf(), ao + c);
                FloatVector out = load(d2.buf(), o + c).add(s).mul(p2.fma(av, p1).fma(av, p0));
                if (relu) out = out.blend(0f, av.compare(VectorOperators.LE, 0f));
                store(out, d2.buf(), o + c);
            }
            if (t >= 0) {
                FloatVector av = load(a.buf(), ao + c), aw = load(a.buf(), ao + t);
                FloatVector out = load(d2.buf(), o + c).add(s).mul(p2.fma(av, p1).fma(av, p0));
                FloatVector outw = load(d2.buf(), o + t).add(s).mul(p2.fma(aw, p1).fma(aw, p0));
                if (relu) {
                    out = out.blend(0f, av.compare(VectorOperators.LE, 0f));
                    outw = outw.blend(0f, aw.compare(VectorOperators.LE, 0f));
                }
                store(out, d2.buf(), o + c);
                store(outw, d2.buf(), o + t);
                continue;
            }
            float sr = sp[first + r];
            for (; c < cols; c++) d2.put(o + c, (d2.get(o + c) + sr) * FusedDeltas.derivative(f, a.get(ao + c)));
        }
    }

    /** The derivative from the activation's value as p0 + p1 a + p2 a^2 (relu: 1, masked where a &lt;= 0). */
    private static float[] polynomial(Activation f) {
        return switch (f) {
            case SIGMOID -> new float[] {0f, 1f, -1f};
            case TANH -> new float[] {1f, 0f, -1f};
            case RELU, IDENTITY -> new float[] {1f, 0f, 0f};
        };
    }

    private static final FloatVector ONE = FloatVector.broadcast(F, 1f);

    // Cephes expf: exp(x) = 2^n exp(r), n = round(x log2 e), r = x - n ln 2 (in two parts), exp(r) by a polynomial
    private static final float EXP_HI = 88.3f, EXP_LO = -87.3f;          // keeps 2^n a normal float
    private static final float LOG2E = 1.44269504088896341f, MAGIC = 12582912f;   // 1.5 * 2^23: adding it rounds to an integer
    private static final float LN2_HI = 0.693359375f, LN2_LO = -2.12194440e-4f;
    private static final float P0 = 1.9875691500e-4f, P1 = 1.3981999507e-3f, P2 = 8.3334519073e-3f, P3 = 4.1665795894e-2f,
            P4 = 1.6666665459e-1f, P5 = 5.0000001201e-1f;

    private static final FloatVector V_NLN2_HI = FloatVector.broadcast(F, -LN2_HI), V_NLN2_LO = FloatVector.broadcast(F, -LN2_LO),
            V_P2 = FloatVector.broadcast(F, P2), V_P3 = FloatVector.broadcast(F, P3), V_P4 = FloatVector.broadcast(F, P4),
            V_P5 = FloatVector.broadcast(F, P5);

    /** e^x lane by lane, about 1 ulp; NaN stays NaN, arguments beyond the float range saturate. */
    static FloatVector exp(FloatVector x) {
        x = x.max(EXP_LO).min(EXP_HI);
        FloatVector t = x.fma(LOG2E, MAGIC);                      // MAGIC + round(x log2 e): the integer in the low bits
        FloatVector n = t.sub(MAGIC);
        FloatVector r = n.fma(V_NLN2_HI, x);
        r = n.fma(V_NLN2_LO, r);
        FloatVector p = r.fma(P0, P1).fma(r, V_P2).fma(r, V_P3).fma(r, V_P4).fma(r, V_P5);
        p = p.fma(r.mul(r), r).add(1f);
        FloatVector pow2 = t.reinterpretAsInts().sub(Float.floatToRawIntBits(MAGIC)).add(127)
                .lanewise(VectorOperators.LSHL, 23).reinterpretAsFloats();
        return p.mul(pow2);
    }

    /** The same as one lane of {@link #exp(FloatVector)}, operation for operation. */
    static float exp(float x) {
        x = Math.min(Math.max(x, EXP_LO), EXP_HI);
        float t = Math.fma(x, LOG2E, MAGIC);
        float n = t - MAGIC;
        float r = Math.fma(n, -LN2_HI, x);
        r = Math.fma(n, -LN2_LO, r);
        float p = Math.fma(Math.fma(Math.fma(Math.fma(Math.fma(r, P0, P1), r, P2), r, P3), r, P4), r, P5);
        p = Math.fma(p, r * r, r) + 1f;
        float pow2 = Float.intBitsToFloat((Float.floatToRawIntBits(t) - Float.floatToRawIntBits(MAGIC) + 127) << 23);
        return p * pow2;
    }

    // ------------------------------------------------------------------ the L-BFGS optimizer's vectors (LbfgsPasses)

    /*
     * Flat vectors, elements [from, to) of each Span (its offset added; stride unused). Dot products are accumulated in
     * float32 vector accumulators (two, taking alternate vectors; BLAS sdot too sums in float32), added lane by lane and
     * then across the lanes by reduceLanes(ADD), and the scalar tail in float64. JDK 17 on x86 computes that reduction in
     * lane order both compiled and interpreted (LbfgsPassesTest checks it), so a range gives the same bits every time.
     * Measured on the development machine: widening each product to float64 made these passes three times slower; a
     * sum across the lanes taken any other way (intoArray, lane), or in a method of its own, about 40% slower, as C2 then
     * kept the accumulators boxed; the loops are in small methods of their own, with byte offsets, for the same reason.
     */

    /**
     * out = us * u + a * v (u == null: a * v), elementwise as fma(u, us, a * v); returns sum w * out over the range
     * (w == null: 0). out may be u, v or w.
     */
    static double combine(Span out, float us, Span u, float a, Span v, Span w, int from, int to) {
        Span ws = w == null ? out : w;                       // without w the sum is taken and dropped: no branch in the loop
        boolean readU = u != null;
        int pairs = from + (to - from) / (2 * F.length()) * (2 * F.length());
        double sum = combineBody(out.buf(), out.off(), readU ? u.buf() : v.buf(), readU ? u.off() : v.off(), readU, us,
                v.buf(), v.off(), a, ws.buf(), ws.off(), from, pairs);
        for (int i = pairs; i < to; i++) {
            float r = a * v.get(v.off() + i);
            if (readU) r = Math.fma(u.get(u.off() + i), us, r);
            out.put(out.off() + i, r);
            sum += (double) ws.get(ws.off() + i) * r;
        }
        return w == null ? 0 : sum;
    }

    /** {@link #combine}'s whole pairs of vectors, [from, to) (kept small: C2 then inlines every vector operation). */
    private static double combineBody(ByteBuffer ob, int oo, ByteBuffer ub, int uo, boolean readU, float us, ByteBuffer vb,
                                      int vo, float a, ByteBuffer wb, int wo, int from, int to) {
        FloatVector usv = FloatVector.broadcast(F, us);
        FloatVector acc0 = FloatVector.zero(F), acc1 = FloatVector.zero(F);
        int step = 4 * F.length();
        int ob4 = 4 * (oo + from), ub4 = 4 * (uo + from), vb4 = 4 * (vo + from), wb4 = 4 * (wo + from);
        for (int k = 0, end = 4 * (to - from); k < end; k += 2 * step) {
            FloatVector r0 = FloatVector.fromByteBuffer(F, vb, vb4 + k, ORDER).mul(a);
            FloatVector r1 = FloatVector.fromByteBuffer(F, vb, vb4 + k + step, ORDER).mul(a);
            if (readU) {
                r0 = FloatVector.fromByteBuffer(F, ub, ub4 + k, ORDER).fma(usv, r0);
                r1 = FloatVector.fromByteBuffer(F, ub, ub4 + k + step, ORDER).fma(usv, r1);
            }
            r0.intoByteBuffer(ob, ob4 + k, ORDER);
            r1.intoByteBuffer(ob, ob4 + k + step, ORDER);
            acc0 = FloatVector.fromByteBuffer(F, wb, wb4 + k, ORDER).fma(r0, acc0);
            acc1 = FloatVector.fromByteBuffer(F, wb, wb4 + k + step, ORDER).fma(r1, acc1);
        }
        return acc0.add(acc1).reduceLanes(VectorOperators.ADD);        // see the comment above combine
    }

    /** sum a * b over the range. */
    static double dot(Span a, Span b, int from, int to) {
        int pairs = from + (to - from) / (2 * F.length()) * (2 * F.length());
        double sum = dotBody(a.buf(), a.off(), b.buf(), b.off(), from, pairs);
        for (int i = pairs; i < to; i++) sum += (double) a.get(a.off() + i) * b.get(b.off() + i);
        return sum;
    }

    private static double dotBody(ByteBuffer ab, int ao, ByteBuffer bb, int bo, int from, int to) {
        FloatVector acc0 = FloatVector.zero(F), acc1 = FloatVector.zero(F);
        int step = 4 * F.length();
        int ab4 = 4 * (ao + from), bb4 = 4 * (bo + from);
        for (int k = 0, end = 4 * (to - from); k < end; k += 2 * step) {
            acc0 = FloatVector.fromByteBuffer(F, ab, ab4 + k, ORDER).fma(FloatVector.fromByteBuffer(F, bb, bb4 + k, ORDER), acc0);
            acc1 = FloatVector.fromByteBuffer(F, ab, ab4 + k + step, ORDER).fma(FloatVector.fromByteBuffer(F, bb, bb4 + k + step, ORDER), acc1);
        }
        return acc0.add(acc1).reduceLanes(VectorOperators.ADD);        // see the comment above combine
    }

    /** The largest |v| over the range (NaN when the range holds a NaN; 0 for an empty range). */
    static float maxAbs(Span v, int from, int to) {
        int bound = from + F.loopBound(to - from);
        float max = maxAbsBody(v.buf(), v.off(), from, bound);
        for (int i = bound; i < to; i++) max = Math.max(max, Math.abs(v.get(v.off() + i)));
        return max;
    }

    private static float maxAbsBody(ByteBuffer vb, int vo, int from, int to) {
        FloatVector m = FloatVector.zero(F);
        int step = 4 * F.length(), vb4 = 4 * (vo + from);
        for (int k = 0, end = 4 * (to - from); k < end; k += step) {
            m = m.max(FloatVector.fromByteBuffer(F, vb, vb4 + k, ORDER).abs());       // max: NaN if either is
        }
        return m.reduceLanes(VectorOperators.MAX);                                      // exact in any order
    }

    /**
     * s = xNew - x, x = xNew and y = gNew - g over the range; returns {sum s y, sum s s} (s and y may not be any of
     * the others).
     */
    static double[] accept(Span x, Span xNew, Span g, Span gNew, Span s, Span y, int from, int to) {
        int bound = from + F.loopBound(to - from);
        double[] sums = acceptBody(x.buf(), x.off(), xNew.buf(), xNew.off(), g.buf(), g.off(), gNew.buf(), gNew.off(),
                s.buf(), s.off(), y.buf(), y.off(), from, bound);
        for (int i = bound; i < to; i++) {
            float xn = xNew.get(xNew.off() + i);
            float sv = xn - x.get(x.off() + i), yv = gNew.get(gNew.off() + i) - g.get(g.off() + i);
            s.put(s.off() + i, sv);
            y.put(y.off() + i, yv);
            x.put(x.off() + i, xn);
            sums[0] += (double) sv * yv;
            sums[1] += (double) sv * sv;
        }
        return sums;
    }

    private static double[] acceptBody(ByteBuffer xb, int xo, ByteBuffer nb, int no, ByteBuffer gb, int go, ByteBuffer hb, int ho,
                                       ByteBuffer sb, int so, ByteBuffer yb, int yo, int from, int to) {
        FloatVector sy = FloatVector.zero(F), ss = FloatVector.zero(F);
        int step = 4 * F.length();
        int x4 = 4 * (xo + from), n4 = 4 * (no + from), g4 = 4 * (go + from), h4 = 4 * (ho + from), s4 = 4 * (so + from), y4 = 4 * (yo + from);
        for (int k = 0, end = 4 * (to - from); k < end; k += step) {
            FloatVector xn = FloatVector.fromByteBuffer(F, nb, n4 + k, ORDER);
            FloatVector sv = xn.sub(FloatVector.fromByteBuffer(F, xb, x4 + k, ORDER));
            FloatVector yv = FloatVector.fromByteBuffer(F, hb, h4 + k, ORDER).sub(FloatVector.fromByteBuffer(F, gb, g4 + k, ORDER));
            sv.intoByteBuffer(sb, s4 + k, ORDER);
            yv.intoByteBuffer(yb, y4 + k, ORDER);
            xn.intoByteBuffer(xb, x4 + k, ORDER);
            sy = sv.fma(yv, sy);
            ss = sv.fma(sv, ss);
        }
        return new double[] {sy.reduceLanes(VectorOperators.ADD), ss.reduceLanes(VectorOperators.ADD)};
    }

    /** A buffer of zeros for a missing bias, of at least {@code cols} floats. */
    private static ByteBuffer zeros(int cols) {
        ByteBuffer z = ZEROS;
        if (z.capacity() < 4 * cols) ZEROS = z = ByteBuffer.allocateDirect(4 * cols).order(ORDER);
        return z;
    }

    private static volatile ByteBuffer ZEROS = ByteBuffer.allocateDirect(4 * 1024).order(ByteOrder.nativeOrder());

    private static float apply(Activation f, float z) {
        return switch (f) {
            case SIGMOID -> 1f / (exp(-z) + 1f);
            case TANH -> throw new IllegalArgumentException("tanh is libnd4j's op (Elementwise)");
            case RELU -> Math.max(z, 0f);
            case IDENTITY -> z;
        };
    }


    private static FloatVector load(ByteBuffer b, int element) {
        return FloatVector.fromByteBuffer(F, b, 4 * element, ORDER);
    }

    private static void store(FloatVector v, ByteBuffer b, int element) {
        v.intoByteBuffer(b, 4 * element, ORDER);
    }
}
