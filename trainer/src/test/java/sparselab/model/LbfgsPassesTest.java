package sparselab.model;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.function.Supplier;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

import sparselab.optim.Lbfgs;

/**
 * The L-BFGS optimizer's fused float32 passes ({@link LbfgsPasses}) against the formulas, element by element (sums against float64),
 * in halves at once and in turn; and the optimizer on them against the same optimizer on ND4J's calls.
 */
class LbfgsPassesTest {
    private static final LbfgsPasses P = LbfgsPasses.INSTANCE;

    /** Shorter than a vector, whole vectors, a tail, and beyond {@link LbfgsPasses#SPLIT_MIN} with a tail in each half. */
    private static final int[] LENGTHS = {5, 16, 37, 1001, LbfgsPasses.SPLIT_MIN + 37, 3 * LbfgsPasses.SPLIT_MIN + 5};

    @AfterEach
    void lanesByTheRule() {
        ProductThreads.useLanes(ProductThreads.Lanes.AUTO);
    }

    private static INDArray random(Random rnd, int n) {
        float[] v = new float[n];
        for (int i = 0; i < n; i++) v[i] = (float) rnd.nextGaussian();
        return Nd4j.createFromArray(v);
    }

    /** sum a_i b_i in float64 from the float32 values, in order (each product exact in a double). */
    private static double dot64(float[] a, float[] b) {
        double s = 0;
        for (int i = 0; i < a.length; i++) s += (double) a[i] * b[i];
        return s;
    }

    /** sum |a_i b_i| in float64. */
    private static double abs64(float[] a, float[] b) {
        double s = 0;
        for (int i = 0; i < a.length; i++) s += Math.abs((double) a[i] * b[i]);
        return s;
    }

    /**
     * The passes sum in float32 accumulators of one lane each (a vector's lanes, two vectors apart): each lane adds about
     * n / 32 products, then the lanes are added, so the sum is within (n / 32 + 32) float32 roundings of sum |a_i b_i|.
     */
    private static void assertSum(float[] a, float[] b, double actual, String what) {
        double bound = (a.length / 32.0 + 32) * Math.ulp(1f) * abs64(a, b);
        assertEquals(dot64(a, b), actual, bound, what);
    }

    @Test
    void combine_writes_fma_of_u_and_a_v_in_every_element_and_returns_the_dot_product_with_w() {
        Random rnd = new Random(7);
        for (int n : LENGTHS) {
            INDArray u = random(rnd, n), v = random(rnd, n), w = random(rnd, n), out = Nd4j.create(DataType.FLOAT, n);
            float[] uf = u.toFloatVector(), vf = v.toFloatVector(), wf = w.toFloatVector();
            float us = 0.75f, a = -1.3f;
            double d = P.combine(out, us, u, a, v, w);
            float[] expected = new float[n];
            for (int i = 0; i < n; i++) expected[i] = Math.fma(uf[i], us, a * vf[i]);
            assertArrayEquals(expected, out.toFloatVector(), 0f, "out = fma(u, us, a v), n = " + n);
            assertSum(wf, expected, d, "w . out, n = " + n);

            // without u; out the same array as w
            double self = P.combine(w, 0, null, 2, v, w);
            float[] twice = new float[n];
            for (int i = 0; i < n; i++) twice[i] = 2 * vf[i];
            assertArrayEquals(twice, w.toFloatVector(), 0f, "out = a v, n = " + n);
            assertSum(twice, twice, self, "out . out, n = " + n);

            // out the same array as u, no dot product
            assertEquals(0.0, P.combine(u, -1, u, 0.5, v, null));
            for (int i = 0; i < n; i++) expected[i] = Math.fma(uf[i], -1f, 0.5f * vf[i]);
            assertArrayEquals(expected, u.toFloatVector(), 0f, "u = -u + v / 2, n = " + n);
        }
    }

    @Test
    void dot_and_norms_match_float64_sums_and_the_largest_magnitude() {
        Random rnd = new Random(8);
        for (int n : LENGTHS) {
            INDArray a = random(rnd, n), b = random(rnd, n);
            float[] af = a.toFloatVector(), bf = b.toFloatVector();
            assertSum(af, bf, P.dot(a, b), "a . b, n = " + n);
            int at = rnd.nextInt(n);
            a.putScalar(at, -1000f);
            af[at] = -1000f;
            double[] norms = P.norms(a);
            assertSum(af, af, norms[0], "a . a, n = " + n);
            assertEquals(1000.0, norms[1], "max |a|, n = " + n);
            a.putScalar(rnd.nextInt(n), Float.NaN);
            double[] nan = P.norms(a);
            assertTrue(Double.isNaN(nan[0]) && Double.isNaN(nan[1]), "a NaN anywhere makes both NaN, n = " + n);
        }
    }

    @Test
    void accept_writes_the_differences_moves_x_and_returns_their_dot_products() {
        Random rnd = new Random(9);
        for (int n : LENGTHS) {
            INDArray x = random(rnd, n), xNew = random(rnd, n), g = random(rnd, n), gNew = random(rnd, n);
            INDArray s = Nd4j.create(DataType.FLOAT, n), y = Nd4j.create(DataType.FLOAT, n);
            float[] xf = x.toFloatVector(), xn = xNew.toFloatVector(), gf = g.toFloatVector(), gn = gNew.toFloatVector();
            double[] r = P.accept(x, xNew, g, gNew, s, y);
            float[] sf = new float[n], yf = new float[n];
            for (int i = 0; i < n; i++) {
                sf[i] = xn[i] - xf[i];
                yf[i] = gn[i] - gf[i];
            }
            assertArrayEquals(sf, s.toFloatVector(), 0f, "s = xNew - x, n = " + n);
            assertArrayEquals(yf, y.toFloatVector(), 0f, "y = gNew - g, n = " + n);
            assertArrayEquals(xn, x.toFloatVector(), 0f, "x = xNew, n = " + n);
            assertArrayEquals(gf, g.toFloatVector(), 0f, "g unchanged, n = " + n);
            assertSum(sf, yf, r[0], "s . y, n = " + n);
            assertSum(sf, sf, r[1], "s . s, n = " + n);
        }
    }

    /**
     * The passes' sums across a vector's lanes rely on reduceLanes(ADD) adding the lanes in order, compiled or not (VectorLoops):
     * two million reductions, most of them compiled by C2, against the sum in lane order.
     */
    @Test
    void the_sum_across_a_vectors_lanes_is_taken_in_lane_order() {
        var species = jdk.incubator.vector.FloatVector.SPECIES_PREFERRED;
        int l = species.length();
        Random rnd = new Random(11);
        float[] a = new float[l * 4096];
        for (int i = 0; i < a.length; i++) a[i] = (float) (rnd.nextGaussian() * Math.exp(4 * rnd.nextGaussian()));
        int differ = 0;
        for (int round = 0; round < 500; round++) {
            for (int v = 0; v < 4096; v++) {
                float sum = jdk.incubator.vector.FloatVector.fromArray(species, a, v * l).reduceLanes(jdk.incubator.vector.VectorOperators.ADD);
                float ordered = a[v * l];
                for (int k = 1; k < l; k++) ordered += a[v * l + k];
                if (Float.floatToIntBits(sum) != Float.floatToIntBits(ordered)) differ++;
            }
        }
        assertEquals(0, differ, "reductions whose bits differ from the sum in lane order");
    }

    @Test
    void halves_at_once_and_in_turn_give_the_same_bits() {
        ProductThreads.useLanes(ProductThreads.Lanes.AT_ONCE);
        org.junit.jupiter.api.Assumptions.assumeTrue(TwoLanes.atOnce(), "one processor: the halves cannot run at once here");
        int n = 3 * LbfgsPasses.SPLIT_MIN + 5;
        List<double[]> sums = new ArrayList<>();
        List<float[]> outs = new ArrayList<>();
        for (ProductThreads.Lanes how : new ProductThreads.Lanes[] {ProductThreads.Lanes.AT_ONCE, ProductThreads.Lanes.IN_TURN}) {
            ProductThreads.useLanes(how);
            Random rnd = new Random(10);
            INDArray u = random(rnd, n), v = random(rnd, n), w = random(rnd, n), out = Nd4j.create(DataType.FLOAT, n);
            double c = P.combine(out, 0.5, u, 3, v, w);
            double[] acc = P.accept(u, v, w, out, Nd4j.create(DataType.FLOAT, n), Nd4j.create(DataType.FLOAT, n));
            double[] norms = P.norms(out);
            sums.add(new double[] {c, P.dot(u, w), acc[0], acc[1], norms[0], norms[1]});
            outs.add(out.toFloatVector());
        }
        assertArrayEquals(sums.get(0), sums.get(1), 0.0);
        assertArrayEquals(outs.get(0), outs.get(1), 0f);
    }

    // ------------------------------------------------------------------ the optimizer on these passes

    /** f(x) = sum_i (i + 1) (x_i - 1)^2 / 2 + (x_0 x_1 - 1)^2 / 4, a non-quadratic bowl with its minimum near all ones. */
    private static final Lbfgs.Objective BOWL = (xa, gOut) -> {
        double[] x = xa.toDoubleVector();
        double[] g = new double[x.length];
        double f = 0;
        for (int i = 0; i < x.length; i++) {
            double t = x[i] - 1;
            f += (i + 1) * t * t / 2;
            g[i] = (i + 1) * t;
        }
        double c = x[0] * x[1] - 1;
        f += c * c / 4;
        g[0] += c * x[1] / 2;
        g[1] += c * x[0] / 2;
        gOut.assign(Nd4j.createFromArray(g).castTo(DataType.FLOAT));
        return f;
    };

    private static List<float[]> iterates(Supplier<Lbfgs> make, int n, int iterations, int cut) {
        Lbfgs opt = make.get();
        INDArray x = Nd4j.zeros(DataType.FLOAT, n);
        List<float[]> out = new ArrayList<>();
        for (int i = 0; i < iterations; i++) {
            if (i == cut) {                                         // continue from a saved state, as a resumed run does
                byte[] state = opt.saveState();
                opt = make.get();
                opt.restoreState(state);
                x = Nd4j.createFromArray(x.toFloatVector());
            }
            if (opt.step(x, BOWL).done()) break;
            out.add(x.toFloatVector());
        }
        return out;
    }

    /** On these passes too, every step's direction is the textbook two-loop recursion's (in float64), the ring wrapped. */
    @Test
    void every_direction_on_these_passes_is_the_textbook_twoloop_recursions() {
        int n = LbfgsPasses.SPLIT_MIN + 37;
        ProductThreads.useLanes(ProductThreads.Lanes.AT_ONCE);
        Lbfgs opt = new Lbfgs(n, 3, DataType.FLOAT, Lbfgs.Settings.defaults().withTolerances(1e-4, 0), P);
        int most = sparselab.optim.TextbookLbfgs.assertDirections(opt, Nd4j.zeros(DataType.FLOAT, n), BOWL, 9, 1e-4);
        assertEquals(3, most, "steps with a full memory were checked");
        assertTrue(opt.iteration() > 4, "the ring wrapped: " + opt.iteration() + " iterations");
    }

    /** The ND4J passes keep the same contract: out may be u or w, uScale 0 does not read u, a NaN makes both norms NaN. */
    @Test
    void the_nd4j_passes_keep_the_contract() {
        for (Lbfgs.Passes passes : new Lbfgs.Passes[] {Lbfgs.Passes.ND4J, P}) {
            String which = passes == P ? "vector loops" : "ND4J";
            INDArray u = Nd4j.createFromArray(1f, 2f, 3f), v = Nd4j.createFromArray(4f, 5f, 6f), w = Nd4j.createFromArray(-1f, -2f, -3f);
            assertEquals(-18.0, passes.combine(u, -1, u, 1, v, w), 1e-6, which + ": w . (-u + v)");
            assertArrayEquals(new float[] {3f, 3f, 3f}, u.toFloatVector(), 0f, which + ": out is u");
            assertEquals(308.0, passes.combine(w, 0, null, 2, v, w), 1e-6, which + ": out is w, u not read");
            assertArrayEquals(new float[] {8f, 10f, 12f}, w.toFloatVector(), 0f, which);
            assertArrayEquals(new double[] {30, 5}, passes.norms(Nd4j.createFromArray(1f, -5f, 2f)), 1e-9, which);
            double[] nan = passes.norms(Nd4j.createFromArray(1f, Float.NaN, -5f));
            assertTrue(Double.isNaN(nan[0]) && Double.isNaN(nan[1]), which + ": a NaN makes both NaN");
            INDArray x = Nd4j.createFromArray(1f, 1f), s = Nd4j.create(DataType.FLOAT, 2), y = Nd4j.create(DataType.FLOAT, 2);
            assertArrayEquals(new double[] {1, 5}, passes.accept(x, Nd4j.createFromArray(2f, 3f), Nd4j.createFromArray(0f, 1f),
                    Nd4j.createFromArray(1f, 1f), s, y), 1e-9, which + ": {s.y, s.s}");
            assertArrayEquals(new float[] {1f, 2f}, s.toFloatVector(), 0f, which);
            assertArrayEquals(new float[] {1f, 0f}, y.toFloatVector(), 0f, which);
            assertArrayEquals(new float[] {2f, 3f}, x.toFloatVector(), 0f, which + ": x moved");
        }
        // a view with an offset: the vector loops read from where it starts
        INDArray whole = Nd4j.createFromArray(9f, 9f, 1f, 2f, 3f, 9f);
        INDArray view = whole.get(org.nd4j.linalg.indexing.NDArrayIndex.interval(2, 5));
        assertEquals(14.0, P.dot(view, view), 1e-9, "a view's own values");
        P.combine(view, 0, null, -1, Nd4j.createFromArray(1f, 1f, 1f), null);
        assertArrayEquals(new float[] {9f, 9f, -1f, -1f, -1f, 9f}, whole.toFloatVector(), 0f, "written where the view is");
    }

    @Test
    void the_optimizer_on_these_passes_follows_its_iterates_on_nd4j_and_resumes_bit_for_bit() {
        int n = LbfgsPasses.SPLIT_MIN + 37;                          // both halves, with tails
        Lbfgs.Settings settings = Lbfgs.Settings.defaults().withTolerances(1e-4, 0);
        Supplier<Lbfgs> fused = () -> new Lbfgs(n, 5, DataType.FLOAT, settings, P);
        Supplier<Lbfgs> nd4j = () -> new Lbfgs(n, 5, DataType.FLOAT, settings, Lbfgs.Passes.ND4J);
        ProductThreads.useLanes(ProductThreads.Lanes.AT_ONCE);
        List<float[]> a = iterates(fused, n, 12, -1);
        List<float[]> b = iterates(nd4j, n, 12, -1);
        assertEquals(12, a.size(), "12 iterations without convergence");
        assertEquals(a.size(), b.size());
        for (int i = 0; i < a.size(); i++) {
            for (int j = 0; j < n; j++) {
                assertEquals(b.get(i)[j], a.get(i)[j], 1e-4 * (1 + Math.abs(b.get(i)[j])), "iteration " + (i + 1) + ", x_" + j);
            }
        }
        ProductThreads.useLanes(ProductThreads.Lanes.IN_TURN);
        List<float[]> resumed = iterates(fused, n, 12, 7);
        for (int i = 0; i < a.size(); i++) assertArrayEquals(a.get(i), resumed.get(i), 0f, "iteration " + (i + 1));
    }
}
