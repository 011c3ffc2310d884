package sparselab.model;

import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import sparselab.config.Choices.Activation;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * Where the element-wise work of the training steps runs: in {@link VectorLoops} (the JDK's Vector API, one fused pass
 * per equation group) when the JVM has the {@code jdk.incubator.vector} module and the arrays are float32, else in
 * ND4J's ops ({@link Activations}) and the plain loops of {@link FusedDeltas}. The launcher, the trainer processes and
 * the tests add the module ({@code --add-modules jdk.incubator.vector}); a JVM started without it, or with
 * {@code -Dsparselab.vector=false}, computes the same figures the slower way (equal to float32 rounding, not bit for
 * bit: docs/performance.md).
 */
public final class Elementwise {
    private Elementwise() {}

    /** The module's name. */
    public static final String MODULE = "jdk.incubator.vector";

    private static final boolean AVAILABLE = ModuleLayer.boot().findModule(MODULE).isPresent();
    private static volatile boolean enabled = AVAILABLE && !"false".equals(System.getProperty("sparselab.vector"));

    /** Whether this JVM runs the vector loops for float32 models. */
    public static boolean vectorised() {
        return enabled;
    }

    /**
     * Switches the vector loops on or off for the models and evaluations created from now on (for the tests and
     * measurements that compare the two ways); on only where the module is present. Returns whether they are on.
     */
    public static boolean useVectorLoops(boolean on) {
        enabled = on && AVAILABLE;
        return enabled;
    }

    /** A one-line description for bench: the loops in use and their width. */
    public static String describe() {
        if (enabled) return "JDK Vector API (" + MODULE + "), " + VectorLoops.lanes() + " floats a vector";
        return AVAILABLE ? "ND4J ops and plain loops (the vector loops switched off)"
                : "ND4J ops and plain loops (this JVM lacks the " + MODULE + " module)";
    }

    /** Whether the vector loops take arrays of this type. */
    static boolean on(INDArray a) {
        return enabled && a.dataType() == DataType.FLOAT;
    }

    // ------------------------------------------------------------------ full batch: vector loops (vec) or the fallbacks

    /*
     * split: whether a large pass may use the second thread (false where the caller already keeps both cores busy,
     * as two lanes do); the results are the same bits either way.
     */

    /** out = f(z) (z and out of one shape; may be the same array). */
    static void activate(boolean vec, boolean split, Activation f, INDArray z, INDArray out) {
        if (!vec || f == Activation.TANH) {                 // tanh: libnd4j's op (VectorLoops has no exact one)
            Activations.activate(f, z, out);
            return;
        }
        Span zs = Span.of(z), os = Span.of(out);
        int cols = (int) z.columns();
        boolean flat = f == Activation.SIGMOID && (z.rows() == 1 || (zs.stride() == cols && os.stride() == cols));
        inHalves((int) z.rows(), cols, split, (r0, r1) -> {
            if (flat) VectorLoops.sigmoidFlat(zs.buf(), zs.row(r0), os.buf(), os.row(r0), (r1 - r0) * cols);
            else VectorLoops.activate(f, zs.from(r0), null, 0, false, os.from(r0), r1 - r0, cols);
            return 0;
        });
    }

    /**
     * out = a + b, or out = a where b is null, for matrices of one shape (views too) with contiguous rows: the full
     * batch's gradient blocks and weights, which sit in arrays one column wider. ND4J's ops on such views take 0.27-0.47 ms
     * for 196 x 784 values where the vector loop takes 0.03 (docs/performance.md); the same bits either way.
     */
    static void addOrCopy(boolean vec, INDArray a, INDArray b, INDArray out) {
        if (!vec) {
            if (b == null) out.assign(a);
            else Nd4j.getExecutioner().exec(new org.nd4j.linalg.api.ops.impl.transforms.pairwise.arithmetic.AddOp(a, b, out));
            return;
        }
        if (!java.util.Arrays.equals(a.shape(), out.shape()) || (b != null && !java.util.Arrays.equals(b.shape(), out.shape()))) {
            throw new IllegalArgumentException("shapes differ: " + a.shapeInfoToString() + ", " + (b == null ? "-" : b.shapeInfoToString())
                    + ", " + out.shapeInfoToString());
        }
        int rows = (int) out.rows(), cols = (int) out.columns();
        if (b == null) VectorLoops.copy(Span.of(a), Span.of(out), rows, cols);
        else VectorLoops.add(Span.of(a), Span.of(b), Span.of(out), rows, cols);
    }

    /** d3 = (y - x) g'(y), x read at {@code xOffset + r * xStride} of the whole array {@code x}; returns sum (y - x)^2 in float64. */
    static double squaredLoss(boolean vec, boolean split, Activation g, INDArray y, INDArray x, long xOffset, int xStride,
                              INDArray d3, int rows, int cols) {
        if (!vec) return FusedDeltas.squaredLoss(g, y, x, xOffset, xStride, d3, rows, cols);
        return squaredLoss(g, Span.of(y), Span.of(x, xOffset, xStride), Span.of(d3), rows, cols, split);
    }

    /**
     * d2 = (d2 + sp) f'(a) for feature-major arrays (one row per hidden unit, as the full batch keeps them): {@code sp}
     * one value per row (null: no sparse term).
     */
    static void hiddenByRow(boolean vec, boolean split, Activation f, INDArray a, double[] sp, INDArray d2, int rows, int cols) {
        if (!vec) {
            FusedDeltas.hiddenByRow(f, a, sp, d2, rows, cols);
            return;
        }
        float[] s = new float[rows];
        if (sp != null) for (int r = 0; r < rows; r++) s[r] = (float) sp[r];
        Span as = Span.of(a), ds = Span.of(d2);
        inHalves(rows, cols, split, (r0, r1) -> {
            VectorLoops.hiddenByRow(f, as.from(r0), s, r0, ds.from(r0), r1 - r0, cols);
            return 0;
        });
    }

    // ------------------------------------------------------------------ the minibatch step (callers check on() first)

    /** out = f(z + bias) over rows x cols ({@code outArray}: out as an array); with keepZ z + bias is written back into z. */
    static void activate(Activation f, Span z, Span bias, boolean keepZ, Span out, INDArray outArray, int rows, int cols) {
        activate(f, z, bias, keepZ, out, outArray, rows, cols, true);
    }

    /** The same, on one thread unless {@code split} (false in a minibatch's lanes). */
    static void activate(Activation f, Span z, Span bias, boolean keepZ, Span out, INDArray outArray, int rows, int cols, boolean split) {
        Activation g = f == Activation.TANH ? Activation.IDENTITY : f;   // tanh: z + bias here, then libnd4j's op in place
        inHalves(rows, cols, split, (r0, r1) -> {
            VectorLoops.activate(g, z.from(r0), bias.buf(), bias.off(), keepZ, out.from(r0), r1 - r0, cols);
            return 0;
        });
        if (f == Activation.TANH) Activations.activate(f, outArray, outArray);
    }

    /**
     * The same for feature-major arrays (a row per hidden unit, a column per sample; the step's hidden layer at small
     * batches): out = f(z + bias[r]), {@code bias} one value per row.
     */
    static void activateByRow(Activation f, Span z, Span bias, Span out, INDArray outArray, int rows, int cols) {
        Activation g = f == Activation.TANH ? Activation.IDENTITY : f;
        inHalves(rows, cols, (r0, r1) -> {
            VectorLoops.activateByRow(g, z.from(r0), bias.buf(), bias.off() + r0, out.from(r0), r1 - r0, cols);
            return 0;
        });
        if (f == Activation.TANH) Activations.activate(f, outArray, outArray);
    }

    /** d3 = (y - x) g'(y); returns sum (y - x)^2 in float64. */
    static double squaredLoss(Activation g, Span y, Span x, Span d3, int rows, int cols) {
        return squaredLoss(g, y, x, d3, rows, cols, true);
    }

    /** The same, on one thread unless {@code split}. */
    static double squaredLoss(Activation g, Span y, Span x, Span d3, int rows, int cols, boolean split) {
        return inHalves(rows, cols, split, (r0, r1) -> VectorLoops.squaredLoss(g, y.from(r0), x.from(r0), d3.from(r0), r1 - r0, cols));
    }

    /** d2 = (d2 + sp) f'(a), {@code sp} one value per column (null: no sparse term). */
    static void hidden(Activation f, Span a, float[] sp, Span d2, int rows, int cols) {
        hidden(f, a, sp, d2, rows, cols, true);
    }

    /** The same, on one thread unless {@code split}. */
    static void hidden(Activation f, Span a, float[] sp, Span d2, int rows, int cols, boolean split) {
        inHalves(rows, cols, split, (r0, r1) -> {
            VectorLoops.hidden(f, a.from(r0), sp, d2.from(r0), r1 - r0, cols);
            return 0;
        });
    }

    /** d2 = (d2 + sp[r]) f'(a) for feature-major arrays, {@code sp} one value per row (zeros: no sparse term). */
    static void hiddenByRow(Activation f, Span a, float[] sp, Span d2, int rows, int cols) {
        inHalves(rows, cols, (r0, r1) -> {
            VectorLoops.hiddenByRow(f, a.from(r0), sp, r0, d2.from(r0), r1 - r0, cols);
            return 0;
        });
    }

    // ------------------------------------------------------------------ two threads for large passes

    /**
     * Passes over at least this many values are split into two halves of rows. Measured in one JVM, alternating one
     * and two threads (docs/performance.md): the full batch's 1000 x 784 passes gained 5-6%; a batch of 100 lost up to
     * 12% to the hand-over, so small passes stay on one thread.
     */
    public static final long HALVES_MIN = 256 * 1024;

    /**
     * A second thread for the large passes, when the JVM has at least two processors (and {@code
     * -Dsparselab.elementwiseThreads=1} does not ask for one): the first half of the rows runs on it, the second on the
     * caller's thread.
     */
    private static final java.util.concurrent.ExecutorService SECOND = Runtime.getRuntime().availableProcessors() >= 2
            && !"1".equals(System.getProperty("sparselab.elementwiseThreads"))
            ? java.util.concurrent.Executors.newSingleThreadExecutor(r -> {
                Thread t = new Thread(r, "sparselab-elementwise");
                t.setDaemon(true);
                return t;
            }) : null;

    private static volatile boolean useSecond = SECOND != null;

    /** The element-wise passes' threads: 2 or 1. */
    public static int threads() {
        return useSecond ? 2 : 1;
    }

    /** Uses the second thread or not (for A/B measurements; the results are the same bits either way). */
    public static void useSecondThread(boolean on) {
        useSecond = on && SECOND != null;
    }

    private interface Rows {
        /** The pass over rows [r0, r1); returns its sum (0 for a pass without one). */
        double run(int r0, int r1);
    }

    /**
     * Runs a pass over {@code rows} rows, in two halves when it covers at least {@link #HALVES_MIN} values, and adds
     * the halves' sums first half first. The split depends on the shape only, never on the threads, so the sum has
     * the same bits on one thread as on two.
     */
    private static double inHalves(int rows, int cols, Rows pass) {
        return inHalves(rows, cols, true, pass);
    }

    /** The same, on one thread unless {@code split}. */
    private static double inHalves(int rows, int cols, boolean split, Rows pass) {
        if ((long) rows * cols < HALVES_MIN || rows < 2) return pass.run(0, rows);
        int half = rows / 2;
        if (!useSecond || !split) {
            double first = pass.run(0, half);
            return first + pass.run(half, rows);
        }
        java.util.concurrent.Future<Double> first = SECOND.submit(() -> pass.run(0, half));
        double second = pass.run(half, rows);
        boolean interrupted = false;
        try {
            while (true) {                      // the first half writes the caller's arrays: always wait for its end
                try {
                    return first.get() + second;
                } catch (InterruptedException e) {
                    interrupted = true;
                }
            }
        } catch (java.util.concurrent.ExecutionException e) {
            if (e.getCause() instanceof RuntimeException r) throw r;
            if (e.getCause() instanceof Error err) throw err;
            throw new IllegalStateException(e.getCause());
        } finally {
            if (interrupted) Thread.currentThread().interrupt();
        }
    }

    /**
     * A float32 matrix in a buffer: element (r, c) is at {@code off + r * stride + c}. The buffer is the whole
     * underlying buffer of the array (of a view too), read from element 0.
     */
    record Span(ByteBuffer buf, int off, int stride) {
        /** A rank-2 c-ordered array with contiguous rows (a row-interval view too). */
        static Span of(INDArray a) {
            if (a.rank() != 2 || a.ordering() != 'c' || (a.columns() > 1 && a.stride(1) != 1)) {
                throw new IllegalArgumentException("a c-ordered matrix with contiguous rows is needed, got " + a.shapeInfoToString());
            }
            return new Span(buffer(a), Math.toIntExact(a.offset()), Math.toIntExact(a.rows() > 1 ? a.stride(0) : a.columns()));
        }

        /** Rows at {@code offset + r * stride} of the whole (not a view) array {@code a}. */
        static Span of(INDArray a, long offset, int stride) {
            if (a.isView() || a.offset() != 0) throw new IllegalArgumentException("a whole array is needed, got " + a.shapeInfoToString());
            return new Span(buffer(a), Math.toIntExact(offset), stride);
        }

        /** The buffer of a vector (1 x w or rank 1, contiguous), and its first element. */
        static Span ofRow(INDArray row) {
            if (row.elementWiseStride() != 1) throw new IllegalArgumentException("a contiguous row is needed, got " + row.shapeInfoToString());
            return new Span(buffer(row), Math.toIntExact(row.offset()), Math.toIntExact(row.length()));
        }

        private static ByteBuffer buffer(INDArray a) {
            if (a.dataType() != DataType.FLOAT) throw new IllegalArgumentException("float32 expected, got " + a.dataType());
            return a.data().asNio().order(ByteOrder.nativeOrder());
        }

        int row(int r) {
            return off + r * stride;
        }

        /** The same matrix from row r on. */
        Span from(int r) {
            return r == 0 ? this : new Span(buf, row(r), stride);
        }

        float get(int element) {
            return buf.getFloat(4 * element);
        }

        void put(int element, float v) {
            buf.putFloat(4 * element, v);
        }
    }
}
