package sparselab.model;

import org.nd4j.linalg.api.ndarray.INDArray;

import sparselab.optim.Lbfgs;

/**
 * The L-BFGS optimizer's passes over its float32 vectors ({@link Lbfgs.Passes}) in the vector loops, each vector cut in
 * two halves that run at once where the full batch's two lanes do ({@link TwoLanes}; one after the other elsewhere, with
 * the same bits). The two-loop recursion becomes one pass per curvature vector, each update fused with the next dot
 * product, and the accepted step one pass; the ND4J calls they replace made about twice the memory traffic on one core
 * (docs/performance.md, the L-BFGS step). Dot products are accumulated in float32 vector lanes (as BLAS sdot sums),
 * each half's lanes and tail added up in float64, and the two halves added in a fixed order.
 */
public final class LbfgsPasses implements Lbfgs.Passes {
    /** The passes, for float32 vectors where the vector loops are on (as a model's own passes, {@link Elementwise#on}). */
    public static final LbfgsPasses INSTANCE = new LbfgsPasses();

    /** Vectors shorter than this run as one half (a handover costs more than it saves). */
    static final int SPLIT_MIN = 64 * 1024;

    private LbfgsPasses() {}

    @Override
    public double combine(INDArray out, double uScale, INDArray u, double a, INDArray v, INDArray w) {
        int n = length(out, v);
        Elementwise.Span o = span(out), us = uScale == 0 ? null : span(u, n), vs = span(v, n), ws = w == null ? null : span(w, n);
        float usf = (float) uScale, af = (float) a;
        double[] part = new double[2];
        inHalves(n, (l, from, to) -> part[l] = VectorLoops.combine(o, usf, us, af, vs, ws, from, to));
        return part[0] + part[1];
    }

    @Override
    public double dot(INDArray a, INDArray b) {
        int n = length(a, b);
        Elementwise.Span as = span(a), bs = span(b, n);
        double[] part = new double[2];
        inHalves(n, (l, from, to) -> part[l] = VectorLoops.dot(as, bs, from, to));
        return part[0] + part[1];
    }

    @Override
    public double[] norms(INDArray v) {
        int n = length(v, v);
        Elementwise.Span vs = span(v);
        double[] squares = new double[2];
        float[] max = new float[2];
        inHalves(n, (l, from, to) -> {
            squares[l] = VectorLoops.dot(vs, vs, from, to);
            max[l] = VectorLoops.maxAbs(vs, from, to);
        });
        double sum = squares[0] + squares[1];
        return new double[] {sum, Double.isNaN(sum) ? Double.NaN : Math.max(max[0], max[1])};
    }

    @Override
    public double[] accept(INDArray x, INDArray xNew, INDArray g, INDArray gNew, INDArray s, INDArray y) {
        int n = length(x, xNew);
        Elementwise.Span xs = span(x), xn = span(xNew, n), gs = span(g, n), gn = span(gNew, n), ss = span(s, n), ys = span(y, n);
        double[][] part = new double[2][];
        inHalves(n, (l, from, to) -> part[l] = VectorLoops.accept(xs, xn, gs, gn, ss, ys, from, to));
        return new double[] {part[0][0] + part[1][0], part[0][1] + part[1][1]};
    }

    private interface Half {
        void run(int lane, int from, int to);
    }

    /**
     * Runs {@code half} on [0, m) and [m, n), m the middle rounded down to whole vectors (0 below {@link #SPLIT_MIN}):
     * at once where the lanes run at once, else in turn; the split, and so every sum, is the same either way.
     */
    private static void inHalves(int n, Half half) {
        int middle = n < SPLIT_MIN ? 0 : n / 2 / VectorLoops.lanes() * VectorLoops.lanes();
        TwoLanes.run(middle > 0 && TwoLanes.atOnce(), l -> half.run(l, l == 0 ? 0 : middle, l == 0 ? middle : n));
    }

    private static int length(INDArray a, INDArray b) {
        if (a.length() != b.length()) throw new IllegalArgumentException("lengths differ: " + a.length() + " and " + b.length());
        return Math.toIntExact(a.length());
    }

    private static Elementwise.Span span(INDArray a, int n) {
        if (a.length() != n) throw new IllegalArgumentException("lengths differ: " + n + " and " + a.length());
        return span(a);
    }

    private static Elementwise.Span span(INDArray a) {
        return Elementwise.Span.ofRow(a);
    }
}
