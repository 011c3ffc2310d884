package sparselab.optim;

import java.io.ByteArrayInputStream;
import java.io.DataInputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.Objects;

import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.BlasWrapper;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Full-batch limited-memory BFGS over a flat ND4J vector, driven one iteration at a time.
 *
 * <p>Each {@link #step} computes the two-loop-recursion direction from the last {@code memory} pairs
 * {@code s = x_new - x}, {@code y = g_new - g} (Nocedal &amp; Wright, Alg. 7.4, with the initial Hessian
 * scaled by {@code s.y / y.y} of the newest pair) and moves {@code x} in place to a point that satisfies
 * the strong Wolfe conditions, found by N&amp;W Alg. 3.5 (bracketing) and 3.6 (zoom) with cubic
 * interpolation. Hence the objective never increases from one iteration to the next.
 *
 * <ul>
 *   <li>With no curvature pairs (the first iteration, or after a reset) the direction is {@code -g} and the
 *       first trial step is {@code 1 / |g|_2}, a step of unit length.</li>
 *   <li>A pair with {@code s.y <= 0} (possible only through rounding under a Wolfe search) is not stored;
 *       the result reports it as {@code pairSkipped}.</li>
 *   <li>When the Wolfe search fails (no acceptable point in {@link Settings#maxLineSearchEvaluations}
 *       evaluations, a non-descent direction, or a bracket that shrank to nothing), the memory is cleared and
 *       a steepest-descent step is taken by backtracking from unit length until the sufficient-decrease
 *       condition holds; the result reports {@code reset}. If even that finds no decrease, {@code x} is left
 *       unchanged and the status is {@link Status#FAILED}: the caller should stop.</li>
 *   <li>Convergence: {@code |g|_inf < gradientTolerance}, or a relative decrease
 *       {@code (f_old - f_new) / max(|f_old|, |f_new|, 1) <= relativeDecreaseTolerance}, or a failed Wolfe
 *       search when the decrease that the quasi-Newton model predicts, {@code -g.d / 2}, is below ten units
 *       of rounding of {@code max(|f|, 1)} in the vectors' type: f can no longer resolve any progress (the
 *       usual end of a float32 run), so x is left as it is and the status is
 *       {@link Status#CONVERGED_DECREASE}.</li>
 * </ul>
 *
 * <p>The optimizer remembers the value and gradient of the point it last accepted, so {@link #step} must be
 * given the same {@code x} it updated the previous time (or call {@link #reset()} first). Its state
 * ({@link #saveState()}, {@link #restoreState(byte[])}) holds the curvature pairs, the remembered value and
 * gradient and the iteration count; restoring it and continuing from the same {@code x} gives bit-identical
 * iterates to an uninterrupted run.
 *
 * <p>Vectors are float32 or float64, allocated once, in the constructor. Every pass over them goes through a
 * {@link Passes}: ND4J/BLAS calls by default ({@link Passes#ND4J}), or fused passes of the caller's choice (the full
 * batch's float32 ones run in the vector loops, on both cores). The two-loop recursion is written as one pass per
 * curvature vector (an update and the next dot product), so that fused passes read each vector once.
 */
public final class Lbfgs {

    /** A differentiable function of a flat vector. */
    @FunctionalInterface
    public interface Objective {
        /**
         * Returns f(x) and writes its gradient into {@code gradOut} (same length and type as x).
         * Must not modify {@code x}. A non-finite value is treated as "too far" by the line search.
         */
        double valueAndGradient(INDArray x, INDArray gradOut);
    }

    /**
     * Constants of the search and the stopping rules.
     *
     * @param c1                        sufficient-decrease constant of the Wolfe conditions (0 &lt; c1 &lt; c2)
     * @param c2                        curvature constant of the strong Wolfe conditions (c1 &lt; c2 &lt; 1)
     * @param gradientTolerance         converged when the largest absolute gradient entry is below this
     * @param relativeDecreaseTolerance converged when an iteration lowers f by at most this, relative to
     *                                  max(|f_old|, |f_new|, 1)
     * @param maxLineSearchEvaluations  objective evaluations allowed to one Wolfe search
     */
    public record Settings(double c1, double c2, double gradientTolerance, double relativeDecreaseTolerance,
                           int maxLineSearchEvaluations) {
        public Settings {
            if (!(c1 > 0 && c1 < c2 && c2 < 1)) throw new IllegalArgumentException("need 0 < c1 < c2 < 1");
            if (!(gradientTolerance >= 0) || !(relativeDecreaseTolerance >= 0)) {
                throw new IllegalArgumentException("tolerances must be >= 0");
            }
            if (maxLineSearchEvaluations < 2) throw new IllegalArgumentException("maxLineSearchEvaluations < 2");
        }

        /** c1 = 1e-4, c2 = 0.9, |g|_inf &lt; 1e-5, relative decrease 1e-9 (minFunc's), 25 evaluations. */
        public static Settings defaults() { return new Settings(1e-4, 0.9, 1e-5, 1e-9, 25); }

        public Settings withTolerances(double gradient, double relativeDecrease) {
            return new Settings(c1, c2, gradient, relativeDecrease, maxLineSearchEvaluations);
        }
    }

    public enum Status {
        /** A step was taken; not converged yet. */
        CONTINUE,
        /** |g|_inf is below the tolerance (possibly without moving, when it already was). */
        CONVERGED_GRADIENT,
        /** The step lowered f by less than the relative tolerance, or no decrease is resolvable in f's precision. */
        CONVERGED_DECREASE,
        /** Neither the Wolfe search nor a steepest-descent step found a lower value; x is unchanged. */
        FAILED
    }

    /**
     * What one call of {@link #step} did.
     *
     * @param iteration      iterations taken so far (this one included when it moved x)
     * @param value          f at the (new) x
     * @param gradientNorm   L2 norm of the gradient at x
     * @param gradientMaxAbs largest absolute gradient entry at x
     * @param stepLength     the accepted line-search step alpha (x_new = x + alpha d); 0 when x did not move
     * @param stepNorm       |x_new - x|_2
     * @param evaluations    objective evaluations this call made
     * @param status         see {@link Status}
     * @param reset          the Wolfe search failed: the memory was cleared and a steepest-descent step taken
     * @param pairSkipped    the new pair failed the curvature condition s.y &gt; 0 and was not stored
     * @param memoryUsed     curvature pairs held after this call
     */
    public record IterationResult(int iteration, double value, double gradientNorm, double gradientMaxAbs,
                                  double stepLength, double stepNorm, int evaluations, Status status,
                                  boolean reset, boolean pairSkipped, int memoryUsed) {
        public boolean converged() { return status == Status.CONVERGED_GRADIENT || status == Status.CONVERGED_DECREASE; }
        public boolean failed() { return status == Status.FAILED; }
        /** True when the caller should stop iterating. */
        public boolean done() { return status != Status.CONTINUE; }
    }

    /**
     * The passes over the optimizer's vectors (all of one length and of the optimizer's type, contiguous). Each
     * implementation must give the same bits for the same inputs every time (resumed runs repeat their iterates).
     */
    public interface Passes {
        /**
         * out = uScale * u + a * v (with {@code uScale == 0}, u is not read and may be null); returns the dot product
         * w . out of the values just written (w == null: 0). out may be the same array as u or w.
         */
        double combine(INDArray out, double uScale, INDArray u, double a, INDArray v, INDArray w);

        /** a . b */
        double dot(INDArray a, INDArray b);

        /** {v . v, max |v_i|}; the maximum is NaN when v holds a NaN. */
        double[] norms(INDArray v);

        /** s = xNew - x, y = gNew - g, then x = xNew; returns {s . y, s . s}. g and gNew are not changed. */
        double[] accept(INDArray x, INDArray xNew, INDArray g, INDArray gNew, INDArray s, INDArray y);

        /** The passes as ND4J/BLAS calls (level-1 BLAS on one vector at a time), for vectors of either type. */
        Passes ND4J = new Passes() {
            @Override
            public double combine(INDArray out, double uScale, INDArray u, double a, INDArray v, INDArray w) {
                BlasWrapper blas = Nd4j.getBlasWrapper();
                if (uScale == 0) {
                    out.assign(v);
                    if (a != 1) out.muli(a);
                } else {
                    if (out != u) out.assign(u);
                    if (uScale != 1) out.muli(uScale);
                    blas.axpy(a, v, out);
                }
                return w == null ? 0 : blas.dot(w, out);
            }

            @Override
            public double dot(INDArray a, INDArray b) {
                return Nd4j.getBlasWrapper().dot(a, b);
            }

            /** max |v_i| by BLAS {@code i?amax} (ND4J's {@code amaxNumber} took milliseconds over a ufldl model's 0.3 M values). */
            @Override
            public double[] norms(INDArray v) {
                BlasWrapper blas = Nd4j.getBlasWrapper();
                double squares = blas.dot(v, v);
                double max = Math.abs(v.getDouble(blas.level1().iamax(v)));   // BLAS's index may skip a NaN
                return new double[] {squares, Double.isNaN(squares) ? Double.NaN : max};
            }

            @Override
            public double[] accept(INDArray x, INDArray xNew, INDArray g, INDArray gNew, INDArray s, INDArray y) {
                BlasWrapper blas = Nd4j.getBlasWrapper();
                s.assign(xNew).subi(x);
                y.assign(gNew).subi(g);
                x.assign(xNew);
                return new double[] {blas.dot(s, y), blas.dot(s, s)};
            }
        };
    }

    public static final int DEFAULT_MEMORY = 10;
    private static final int STATE_MAGIC = 0x4C424653; // "LBFS"
    private static final int STATE_VERSION = 1;
    /** Trial steps in the steepest-descent fallback: unit length, halved up to this many times. */
    private static final int FALLBACK_HALVINGS = 50;

    private final int dim;
    private final int memory;
    private final DataType type;
    private final Settings settings;
    private final Passes passes;

    // curvature pairs in a ring: the newest is at (head - 1) mod memory, `count` of them are valid
    private final INDArray[] s;
    private final INDArray[] y;
    private final double[] rho; // 1 / (s.y)
    private final double[] alpha; // scratch of the two-loop recursion
    private int head;
    private int count;

    private INDArray g;            // gradient at the remembered point
    private final INDArray dir;    // search direction
    private final INDArray xTrial; // line-search trial point
    private INDArray gTrial;       // gradient at xTrial (swapped with g when the point is accepted)
    private double gSquares = Double.NaN, gMax = Double.NaN;   // g . g and max |g_i|, NaN until known for this g
    private INDArray sNew;         // candidate pair, swapped into the ring when accepted
    private INDArray yNew;
    private double f;
    private boolean remembered; // f and g belong to the x the caller passes next
    private int iteration;

    public Lbfgs(int dim, DataType type) { this(dim, DEFAULT_MEMORY, type, Settings.defaults()); }

    public Lbfgs(int dim, int memory, DataType type) { this(dim, memory, type, Settings.defaults()); }

    public Lbfgs(int dim, int memory, DataType type, Settings settings) {
        this(dim, memory, type, settings, Passes.ND4J);
    }

    public Lbfgs(int dim, int memory, DataType type, Settings settings, Passes passes) {
        if (dim < 1) throw new IllegalArgumentException("dim must be >= 1");
        if (memory < 1) throw new IllegalArgumentException("memory must be >= 1");
        if (type != DataType.FLOAT && type != DataType.DOUBLE) {
            throw new IllegalArgumentException("L-BFGS works on float32 or float64 vectors, not " + type);
        }
        this.dim = dim;
        this.memory = memory;
        this.type = type;
        this.settings = Objects.requireNonNull(settings);
        this.passes = Objects.requireNonNull(passes);
        s = new INDArray[memory];
        y = new INDArray[memory];
        for (int i = 0; i < memory; i++) {
            s[i] = Nd4j.create(type, dim);
            y[i] = Nd4j.create(type, dim);
        }
        rho = new double[memory];
        alpha = new double[memory];
        g = Nd4j.create(type, dim);
        dir = Nd4j.create(type, dim);
        xTrial = Nd4j.create(type, dim);
        gTrial = Nd4j.create(type, dim);
        sNew = Nd4j.create(type, dim);
        yNew = Nd4j.create(type, dim);
    }

    public int dim() { return dim; }
    public int memory() { return memory; }
    public DataType dataType() { return type; }
    public Settings settings() { return settings; }
    /** Iterations that moved x so far. */
    public int iteration() { return iteration; }
    /** Curvature pairs currently held. */
    public int memoryUsed() { return count; }

    /** Forgets the curvature pairs and the remembered point (use when x or the objective changed outside). */
    public void reset() {
        clearMemory();
        remembered = false;
    }

    /** One L-BFGS iteration from {@code x}, which is updated in place. */
    public IterationResult step(INDArray x, Objective objective) {
        checkVector(x);
        int evaluations = 0;
        if (!remembered) {
            f = objective.valueAndGradient(x, g);
            evaluations++;
            if (!Double.isFinite(f)) {
                throw new IllegalArgumentException("objective is not finite at the starting point: " + f);
            }
            remembered = true;
            gSquares = Double.NaN;
        }
        gNorms();
        if (gMax < settings.gradientTolerance()) {
            return result(0, 0, evaluations, Status.CONVERGED_GRADIENT, false, false);
        }

        double fOld = f;
        boolean reset = false;
        LineSearch search = null;
        double slope = direction();
        if (slope < 0) {
            double a0 = count == 0 ? 1.0 / Math.sqrt(gSquares) : 1.0;
            search = wolfeSearch(x, objective, a0, slope);
            evaluations += search.evaluations;
        }
        if (search != null && !search.ok && count > 0 && -0.5 * slope <= resolution(f)) {
            // the quadratic model's decrease, -g.d / 2, is below what f can resolve: nothing left to gain
            return result(0, 0, evaluations, Status.CONVERGED_DECREASE, false, false);
        }
        if (search == null || !search.ok) {
            reset = true;
            clearMemory();
            search = backtrack(x, objective, passes.combine(dir, 0, null, -1, g, g));   // dir = -g; slope -g.g
            evaluations += search.evaluations;
            if (!search.ok) {
                return result(0, 0, evaluations, Status.FAILED, true, false);
            }
        }

        // accept the last evaluated point (both searches end on it): x_new = xTrial, g_new = gTrial
        double fNew = search.value;
        double[] sySs = passes.accept(x, xTrial, g, gTrial, sNew, yNew);   // also x = xTrial
        double sy = sySs[0];
        double stepNorm = Math.sqrt(sySs[1]);
        boolean skipped = !(sy > 0) || !Double.isFinite(sy);
        if (!skipped) {
            INDArray freeS = s[head];
            INDArray freeY = y[head];
            s[head] = sNew;
            y[head] = yNew;
            rho[head] = 1.0 / sy;
            sNew = freeS;
            yNew = freeY;
            head = (head + 1) % memory;
            count = Math.min(count + 1, memory);
        }
        INDArray newG = gTrial;
        gTrial = g;
        g = newG;
        gSquares = Double.NaN;
        f = fNew;
        iteration++;

        gNorms();
        Status status;
        if (gMax < settings.gradientTolerance()) {
            status = Status.CONVERGED_GRADIENT;
        } else if (fOld - fNew <= settings.relativeDecreaseTolerance() * Math.max(Math.max(Math.abs(fOld), Math.abs(fNew)), 1.0)) {
            status = Status.CONVERGED_DECREASE;
        } else {
            status = Status.CONTINUE;
        }
        return result(search.step, stepNorm, evaluations, status, reset, skipped);
    }

    /** g . g and max |g_i| of the current g into gSquares and gMax, unless known. */
    private void gNorms() {
        if (!Double.isNaN(gSquares)) return;
        double[] n = passes.norms(g);
        gSquares = n[0];
        gMax = n[1];
    }

    /** Ten units of rounding of a value of magnitude max(|v|, 1) in this optimizer's type. */
    private double resolution(double v) {
        double eps = type == DataType.DOUBLE ? Math.ulp(1.0) : Math.ulp(1.0f);
        return 10 * eps * Math.max(Math.abs(v), 1.0);
    }

    private IterationResult result(double step, double stepNorm, int evaluations, Status status, boolean reset,
                                   boolean skipped) {
        return new IterationResult(iteration, f, Math.sqrt(gSquares), gMax, step, stepNorm, evaluations, status, reset,
                skipped, count);
    }

    /**
     * Writes the two-loop-recursion direction into {@code dir}; returns its slope g.d. Each pass updates dir and takes
     * the dot product the next update needs: 2 count + 1 passes (the scaling by gamma = s.y / y.y of the newest pair
     * joins the first loop's last update), and one more for y.y.
     */
    private double direction() {
        if (count == 0) return passes.combine(dir, 0, null, -1, g, g);               // dir = -g
        int newest = Math.floorMod(head - 1, memory);
        int oldest = Math.floorMod(head - count, memory);
        // first loop, newest pair first: alpha_i = rho_i s_i.q, q -= alpha_i y_i (q starts as g)
        double d = passes.combine(dir, 0, null, 1, g, s[newest]);
        for (int k = 0; k < count; k++) {
            int i = Math.floorMod(head - 1 - k, memory);
            alpha[i] = rho[i] * d;
            if (k + 1 < count) {
                d = passes.combine(dir, 1, dir, -alpha[i], y[i], s[Math.floorMod(head - 2 - k, memory)]);
            }
        }
        // r = gamma (q - alpha_oldest y_oldest), and y_oldest.r for the second loop
        double gamma = 1.0 / (rho[newest] * passes.dot(y[newest], y[newest]));       // s.y / y.y
        d = passes.combine(dir, gamma, dir, -gamma * alpha[oldest], y[oldest], y[oldest]);
        // second loop, oldest pair first: beta_i = rho_i y_i.r, r += (alpha_i - beta_i) s_i; the last pass negates
        for (int k = count - 1; k >= 0; k--) {
            int i = Math.floorMod(head - 1 - k, memory);
            double c = alpha[i] - rho[i] * d;
            d = k > 0 ? passes.combine(dir, 1, dir, c, s[i], y[Math.floorMod(head - k, memory)])
                    : passes.combine(dir, -1, dir, -c, s[i], g);                    // dir = -r; slope g.dir
        }
        return d;
    }

    private void clearMemory() {
        head = 0;
        count = 0;
    }

    /** Outcome of a search; {@code xTrial} and {@code gTrial} hold the point at {@code step} when ok. */
    private record LineSearch(boolean ok, double step, double value, int evaluations) {}

    /** The trial point x + a * dir: value into the return, gradient into gTrial, phi'(a) into slopeOut[0]. */
    private double evaluate(INDArray x, Objective objective, double a, double[] slopeOut) {
        passes.combine(xTrial, 1, x, a, dir, null);
        double v = objective.valueAndGradient(xTrial, gTrial);
        slopeOut[0] = passes.dot(gTrial, dir);
        return v;
    }

    /** Nocedal &amp; Wright Alg. 3.5: bracket a strong-Wolfe step, then zoom (Alg. 3.6). */
    private LineSearch wolfeSearch(INDArray x, Objective objective, double a1, double slope0) {
        final double c1 = settings.c1();
        final double c2 = settings.c2();
        final int maxEvals = settings.maxLineSearchEvaluations();
        final double f0 = f;
        double[] d = new double[1];
        double aPrev = 0, fPrev = f0, dPrev = slope0;
        double a = a1;
        int evals = 0;
        while (evals < maxEvals) {
            double fa = evaluate(x, objective, a, d);
            double da = d[0];
            evals++;
            if (!Double.isFinite(fa) || !Double.isFinite(da) || fa > f0 + c1 * a * slope0 || (evals > 1 && fa >= fPrev)) {
                return zoom(x, objective, aPrev, fPrev, dPrev, a, fa, da, slope0, evals);
            }
            if (Math.abs(da) <= -c2 * slope0) return new LineSearch(true, a, fa, evals);
            if (da >= 0) return zoom(x, objective, a, fa, da, aPrev, fPrev, dPrev, slope0, evals);
            // extrapolate: cubic minimizer through (aPrev, a), kept within [a + 0.01 (a - aPrev), 10 a]
            double lo = a + 0.01 * (a - aPrev);
            double hi = 10 * a;
            double next = cubicMinimizer(aPrev, fPrev, dPrev, a, fa, da);
            next = Double.isFinite(next) ? Math.min(Math.max(next, lo), hi) : hi;
            aPrev = a;
            fPrev = fa;
            dPrev = da;
            a = next;
        }
        return new LineSearch(false, 0, f0, evals);
    }

    /**
     * Nocedal &amp; Wright Alg. 3.6. Invariants: {@code lo} satisfies sufficient decrease with the lowest value
     * seen, and {@code dLo * (hi - lo) < 0}. Trial steps are cubic interpolants, safeguarded to the middle
     * 80% of the bracket (bisection otherwise).
     */
    private LineSearch zoom(INDArray x, Objective objective, double lo, double fLo, double dLo,
                            double hi, double fHi, double dHi, double slope0, int evals) {
        final double c1 = settings.c1();
        final double c2 = settings.c2();
        final double f0 = f;
        double[] d = new double[1];
        while (evals < settings.maxLineSearchEvaluations()) {
            double width = Math.abs(hi - lo);
            if (width <= Math.ulp(Math.max(Math.abs(lo), Math.abs(hi))) * 4) break;
            double left = Math.min(lo, hi);
            double right = Math.max(lo, hi);
            double a = Double.isFinite(fHi) && Double.isFinite(dHi) ? cubicMinimizer(lo, fLo, dLo, hi, fHi, dHi) : Double.NaN;
            if (!(a >= left + 0.1 * width && a <= right - 0.1 * width)) a = 0.5 * (lo + hi);
            double fa = evaluate(x, objective, a, d);
            double da = d[0];
            evals++;
            if (!Double.isFinite(fa) || !Double.isFinite(da) || fa > f0 + c1 * a * slope0 || fa >= fLo) {
                hi = a;
                fHi = fa;
                dHi = da;
            } else {
                if (Math.abs(da) <= -c2 * slope0) return new LineSearch(true, a, fa, evals);
                if (da * (hi - lo) >= 0) {
                    hi = lo;
                    fHi = fLo;
                    dHi = dLo;
                }
                lo = a;
                fLo = fa;
                dLo = da;
            }
        }
        return new LineSearch(false, 0, f0, evals);
    }

    /**
     * Minimizer of the cubic through (a, fa, da) and (b, fb, db) (N&amp;W eq. 3.59); NaN when the cubic has
     * no minimum.
     */
    static double cubicMinimizer(double a, double fa, double da, double b, double fb, double db) {
        double d1 = da + db - 3 * (fa - fb) / (a - b);
        double disc = d1 * d1 - da * db;
        if (!(disc >= 0)) return Double.NaN;
        double d2 = Math.signum(b - a) * Math.sqrt(disc);
        return b - (b - a) * (db + d2 - d1) / (db - da + 2 * d2);
    }

    /** Steepest-descent fallback: unit-length step along dir = -g, halved until sufficient decrease holds. */
    private LineSearch backtrack(INDArray x, Objective objective, double slope0) {
        double a = 1.0 / Math.sqrt(-slope0);
        double[] d = new double[1];
        for (int evals = 1; evals <= FALLBACK_HALVINGS; evals++, a *= 0.5) {
            double fa = evaluate(x, objective, a, d);
            if (Double.isFinite(fa) && fa <= f + settings.c1() * a * slope0 && fa < f) {
                return new LineSearch(true, a, fa, evals);
            }
        }
        return new LineSearch(false, 0, f, FALLBACK_HALVINGS);
    }

    private void checkVector(INDArray x) {
        if (x.length() != dim || !x.isVector()) {
            throw new IllegalArgumentException("expected a vector of length " + dim + ", got shape "
                    + java.util.Arrays.toString(x.shape()));
        }
        if (x.dataType() != type) {
            throw new IllegalArgumentException("expected " + type + ", got " + x.dataType());
        }
    }

    // ---- state ------------------------------------------------------------------------------------

    /**
     * The state needed to continue exactly: dimensions and type (checked on restore), iteration count, the
     * curvature pairs (oldest first) with their 1/(s.y), and the remembered value and gradient. The point x
     * itself is not included: the caller stores it with its parameters.
     */
    public byte[] saveState() {
        ByteBuffer out = ByteBuffer.allocate(stateBytes());
        saveState(out);
        return out.array();
    }

    /** The length of {@link #saveState()}. */
    public int stateBytes() {
        int vectorBytes = dim * (type == DataType.DOUBLE ? Double.BYTES : Float.BYTES);
        long size = 4 * 4 + 1 + 4 + 4 + (long) count * (8 + 2L * vectorBytes) + 1 + (remembered ? 8 + vectorBytes : 0);
        if (size > Integer.MAX_VALUE - 64) throw new IllegalStateException("L-BFGS state of " + size + " bytes is too large to save");
        return (int) size;
    }

    /**
     * Writes {@link #saveState()}'s bytes into {@code out} at its position (big-endian, as DataOutputStream would): a
     * caller that wraps the state writes it into its own buffer, without a copy (a 196-unit MNIST model's state is 25.9 MB).
     */
    public void saveState(ByteBuffer out) {
        int start = out.position();
        out.order(java.nio.ByteOrder.BIG_ENDIAN);
        out.putInt(STATE_MAGIC).putInt(STATE_VERSION).putInt(dim).putInt(memory).put((byte) (type == DataType.DOUBLE ? 1 : 0))
                .putInt(iteration).putInt(count);
        for (int k = count - 1; k >= 0; k--) {
            int i = Math.floorMod(head - 1 - k, memory);
            out.putDouble(rho[i]);
            writeVector(out, s[i]);
            writeVector(out, y[i]);
        }
        out.put((byte) (remembered ? 1 : 0));
        if (remembered) {
            out.putDouble(f);
            writeVector(out, g);
        }
        if (out.position() - start != stateBytes()) throw new IllegalStateException("L-BFGS state size miscounted");
    }

    /** Replaces this optimizer's state by one from {@link #saveState()} of an optimizer of the same shape. */
    public void restoreState(byte[] state) {
        try (DataInputStream in = new DataInputStream(new ByteArrayInputStream(state))) {
            if (in.readInt() != STATE_MAGIC) throw new IllegalArgumentException("not an L-BFGS state");
            int version = in.readInt();
            if (version != STATE_VERSION) throw new IllegalArgumentException("unknown L-BFGS state version " + version);
            int d = in.readInt();
            int m = in.readInt();
            DataType t = in.readBoolean() ? DataType.DOUBLE : DataType.FLOAT;
            if (d != dim || m != memory || t != type) {
                throw new IllegalArgumentException("state is for dim " + d + ", memory " + m + ", " + t
                        + "; this optimizer has dim " + dim + ", memory " + memory + ", " + type);
            }
            int it = in.readInt();
            int n = in.readInt();
            if (n < 0 || n > memory) throw new IllegalArgumentException("bad pair count " + n);
            // read everything before changing anything, so that a bad state leaves this optimizer as it was
            double[] rhos = new double[n];
            Object[] pairs = new Object[2 * n];
            for (int i = 0; i < n; i++) {
                rhos[i] = in.readDouble();
                pairs[2 * i] = readVector(in);
                pairs[2 * i + 1] = readVector(in);
            }
            boolean rem = in.readBoolean();
            double value = rem ? in.readDouble() : 0;
            Object gradient = rem ? readVector(in) : null;
            if (in.read() != -1) throw new IllegalArgumentException("trailing bytes after the L-BFGS state");
            for (int i = 0; i < n; i++) {
                rho[i] = rhos[i];
                s[i].assign(toArray(pairs[2 * i]));
                y[i].assign(toArray(pairs[2 * i + 1]));
            }
            if (rem) {
                f = value;
                g.assign(toArray(gradient));
                gSquares = Double.NaN;
            }
            iteration = it;
            count = n;
            head = n % memory;
            remembered = rem;
        } catch (IOException e) {
            throw new IllegalArgumentException("truncated L-BFGS state", e);
        }
    }

    /** v's values into out, straight from the array's memory (no Java copy: 21 such vectors of 0.6 MB a checkpoint). */
    private void writeVector(ByteBuffer out, INDArray v) {
        boolean whole = v.offset() == 0 && v.length() == dim && v.data().length() == dim;
        if (type == DataType.DOUBLE) out.asDoubleBuffer().put(whole ? v.data().asNioDouble() : java.nio.DoubleBuffer.wrap(v.toDoubleVector()));
        else out.asFloatBuffer().put(whole ? v.data().asNioFloat() : java.nio.FloatBuffer.wrap(v.toFloatVector()));
        out.position(out.position() + dim * (type == DataType.DOUBLE ? Double.BYTES : Float.BYTES));
    }

    /** A double[] or float[] of dim values, by this optimizer's type. */
    private Object readVector(DataInputStream in) throws IOException {
        byte[] raw = new byte[dim * (type == DataType.DOUBLE ? Double.BYTES : Float.BYTES)];
        in.readFully(raw);
        ByteBuffer buf = ByteBuffer.wrap(raw);
        if (type == DataType.DOUBLE) {
            double[] v = new double[dim];
            buf.asDoubleBuffer().get(v);
            return v;
        }
        float[] v = new float[dim];
        buf.asFloatBuffer().get(v);
        return v;
    }

    private static INDArray toArray(Object values) {
        return values instanceof double[] d ? Nd4j.createFromArray(d) : Nd4j.createFromArray((float[]) values);
    }
}
