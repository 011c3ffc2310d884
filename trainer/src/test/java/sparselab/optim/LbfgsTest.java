package sparselab.optim;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

class LbfgsTest {

    /** The generalized Rosenbrock function sum 100 (x_{i+1} - x_i^2)^2 + (1 - x_i)^2; minimum 0 at all ones. */
    static final Lbfgs.Objective ROSENBROCK = (xa, gOut) -> {
        double[] x = xa.toDoubleVector();
        double[] g = new double[x.length];
        double f = 0;
        for (int i = 0; i + 1 < x.length; i++) {
            double t = x[i + 1] - x[i] * x[i];
            double u = 1 - x[i];
            f += 100 * t * t + u * u;
            g[i] += -400 * x[i] * t - 2 * u;
            g[i + 1] += 200 * t;
        }
        gOut.assign(Nd4j.createFromArray(g).castTo(gOut.dataType()));
        return f;
    };

    static INDArray standardStart(int n) {
        double[] x = new double[n];
        for (int i = 0; i < n; i++) x[i] = i % 2 == 0 ? -1.2 : 1.0;
        return Nd4j.createFromArray(x);
    }

    static Lbfgs.Settings strict() { return Lbfgs.Settings.defaults().withTolerances(1e-10, 0); }

    /** Runs until done or maxIterations; returns the results. */
    static List<Lbfgs.IterationResult> run(Lbfgs opt, INDArray x, Lbfgs.Objective f, int maxIterations) {
        List<Lbfgs.IterationResult> out = new ArrayList<>();
        for (int i = 0; i < maxIterations; i++) {
            Lbfgs.IterationResult r = opt.step(x, f);
            out.add(r);
            if (r.done()) break;
        }
        return out;
    }

    static void assertAllOnes(INDArray x, double tol) {
        for (double v : x.toDoubleVector()) assertEquals(1.0, v, tol, () -> "x = " + x);
    }

    @Test
    void rosenbrock_in_2_dimensions_reaches_all_ones() {
        INDArray x = standardStart(2);
        Lbfgs opt = new Lbfgs(2, 10, DataType.DOUBLE, strict());
        List<Lbfgs.IterationResult> rs = run(opt, x, ROSENBROCK, 200);
        Lbfgs.IterationResult last = rs.get(rs.size() - 1);
        assertTrue(last.converged(), () -> "last: " + last);
        assertAllOnes(x, 1e-6);
        assertTrue(rs.size() < 100, "took " + rs.size() + " iterations");
    }

    @Test
    void rosenbrock_in_10_dimensions_reaches_all_ones() {
        INDArray x = standardStart(10);
        Lbfgs opt = new Lbfgs(10, 10, DataType.DOUBLE, strict());
        List<Lbfgs.IterationResult> rs = run(opt, x, ROSENBROCK, 500);
        assertTrue(rs.get(rs.size() - 1).converged(), () -> "last: " + rs.get(rs.size() - 1));
        assertAllOnes(x, 1e-6);
    }

    /** f = 1/2 x'Ax - b'x with A = diag(1..n) + 0.5 * ones: minimum at A^-1 b. */
    static Lbfgs.Objective quadratic(INDArray a, INDArray b) {
        return (x, gOut) -> {
            INDArray ax = a.mmul(x.reshape(x.length(), 1)).reshape(x.length());
            gOut.assign(ax.sub(b));
            return 0.5 * x.mul(ax).sumNumber().doubleValue() - b.mul(x).sumNumber().doubleValue();
        };
    }

    /** b_i = -1 + 2 i / (n - 1): evenly spaced in [-1, 1]. */
    static INDArray rightHandSide(int n, DataType type) {
        double[] b = new double[n];
        for (int i = 0; i < n; i++) b[i] = -1 + 2.0 * i / (n - 1);
        return Nd4j.createFromArray(b).castTo(type);
    }

    static INDArray spdMatrix(int n, DataType type) {
        INDArray a = Nd4j.ones(type, n, n).muli(0.5);
        for (int i = 0; i < n; i++) a.putScalar(i, i, a.getDouble(i, i) + i + 1);
        return a;
    }

    /** Every step's direction is the textbook two-loop recursion's, with no pairs, a few, and a full ring that has wrapped. */
    @Test
    void every_direction_is_the_textbook_twoloop_recursions() {
        int n = 10;
        Lbfgs opt = new Lbfgs(n, 5, DataType.DOUBLE, strict());
        int most = TextbookLbfgs.assertDirections(opt, standardStart(n), ROSENBROCK, 40, 1e-9);
        assertEquals(5, most, "steps with a full memory were checked");
        assertTrue(opt.iteration() > 10, "the ring wrapped: " + opt.iteration() + " iterations");
    }

    @Test
    void convex_quadratic_reaches_its_known_minimum() {
        int n = 20;
        INDArray a = spdMatrix(n, DataType.DOUBLE);
        INDArray b = rightHandSide(n, DataType.DOUBLE);
        // A x* = b, solved independently of the optimizer (plain Gaussian elimination)
        double[] expected = solve(a.toDoubleMatrix(), b.toDoubleVector());
        INDArray x = Nd4j.zeros(DataType.DOUBLE, n);
        Lbfgs opt = new Lbfgs(n, 5, DataType.DOUBLE, strict());
        List<Lbfgs.IterationResult> rs = run(opt, x, quadratic(a, b), 200);
        assertTrue(rs.get(rs.size() - 1).converged(), () -> "last: " + rs.get(rs.size() - 1));
        assertArrayEquals(expected, x.toDoubleVector(), 1e-7);
    }

    @Test
    void convex_quadratic_in_float32_reaches_its_minimum_to_single_precision() {
        int n = 20;
        INDArray a = spdMatrix(n, DataType.FLOAT);
        INDArray b = rightHandSide(n, DataType.FLOAT);
        double[] expected = solve(a.toDoubleMatrix(), b.toDoubleVector());
        INDArray x = Nd4j.zeros(DataType.FLOAT, n);
        Lbfgs opt = new Lbfgs(n, 10, DataType.FLOAT, Lbfgs.Settings.defaults().withTolerances(1e-5, 0));
        List<Lbfgs.IterationResult> rs = run(opt, x, quadratic(a, b), 200);
        assertTrue(rs.get(rs.size() - 1).converged(), () -> "last: " + rs.get(rs.size() - 1));
        assertEquals(DataType.FLOAT, x.dataType());
        assertArrayEquals(expected, x.toDoubleVector(), 1e-3);
    }

    @Test
    void objective_never_increases_across_iterations() {
        INDArray x = standardStart(10);
        Lbfgs opt = new Lbfgs(10, 4, DataType.DOUBLE, strict());
        double previous = ROSENBROCK.valueAndGradient(x, Nd4j.create(DataType.DOUBLE, 10));
        List<Lbfgs.IterationResult> rs = run(opt, x, ROSENBROCK, 500);
        assertTrue(rs.size() > 20);
        for (Lbfgs.IterationResult r : rs) {
            assertTrue(r.value() <= previous, () -> "increased at iteration " + r.iteration());
            previous = r.value();
        }
    }

    @Test
    void first_iteration_tries_a_step_of_unit_length_along_minus_gradient() {
        // on f = |x|^2 / 2 the unit-length steepest-descent step from (0.9, 1.2) satisfies strong Wolfe at once
        INDArray x = Nd4j.createFromArray(0.9, 1.2); // |g| = 1.5
        Lbfgs opt = new Lbfgs(2, DataType.DOUBLE);
        Lbfgs.IterationResult r = opt.step(x, (v, gOut) -> {
            gOut.assign(v);
            return 0.5 * v.mul(v).sumNumber().doubleValue();
        });
        assertEquals(1.0 / 1.5, r.stepLength(), 1e-15);
        assertEquals(1.0, r.stepNorm(), 1e-12);
        assertEquals(2, r.evaluations());
        assertArrayEquals(new double[] {0.3, 0.4}, x.toDoubleVector(), 1e-12);
    }

    @Test
    void state_round_trips_and_continuing_from_it_gives_bit_identical_iterates() {
        int n = 10;
        int total = 30;
        int cut = 12;
        Lbfgs.Settings settings = strict();

        INDArray xa = standardStart(n);
        Lbfgs a = new Lbfgs(n, 5, DataType.DOUBLE, settings);
        List<double[]> iteratesA = new ArrayList<>();
        for (int i = 0; i < total; i++) {
            a.step(xa, ROSENBROCK);
            iteratesA.add(xa.toDoubleVector());
        }

        INDArray xb = standardStart(n);
        Lbfgs b = new Lbfgs(n, 5, DataType.DOUBLE, settings);
        for (int i = 0; i < cut; i++) b.step(xb, ROSENBROCK);
        byte[] state = b.saveState();
        double[] savedX = xb.toDoubleVector();

        Lbfgs c = new Lbfgs(n, 5, DataType.DOUBLE, settings);
        c.restoreState(state);
        assertArrayEquals(state, c.saveState(), "bytes -> state -> bytes");
        assertEquals(cut, c.iteration());
        assertEquals(5, c.memoryUsed());

        INDArray xc = Nd4j.createFromArray(savedX);
        for (int i = cut; i < total; i++) {
            c.step(xc, ROSENBROCK);
            assertArrayEquals(iteratesA.get(i), xc.toDoubleVector(), 0.0, "iteration " + (i + 1));
        }
        assertArrayEquals(a.saveState(), c.saveState());
    }

    @Test
    void float32_state_round_trips_bit_for_bit() {
        int n = 20;
        INDArray a = spdMatrix(n, DataType.FLOAT);
        INDArray b = rightHandSide(n, DataType.FLOAT);
        Lbfgs.Objective f = quadratic(a, b);
        INDArray x = Nd4j.zeros(DataType.FLOAT, n);
        Lbfgs opt = new Lbfgs(n, 3, DataType.FLOAT);
        for (int i = 0; i < 5; i++) opt.step(x, f);
        byte[] state = opt.saveState();
        Lbfgs copy = new Lbfgs(n, 3, DataType.FLOAT);
        copy.restoreState(state);
        assertArrayEquals(state, copy.saveState());
        INDArray x2 = x.dup();
        opt.step(x, f);
        copy.step(x2, f);
        assertArrayEquals(x.toFloatVector(), x2.toFloatVector(), 0f);
    }

    @Test
    void restoring_a_state_of_another_shape_is_refused() {
        Lbfgs opt = new Lbfgs(4, 3, DataType.DOUBLE);
        byte[] state = opt.saveState();
        assertThrows(IllegalArgumentException.class, () -> new Lbfgs(5, 3, DataType.DOUBLE).restoreState(state));
        assertThrows(IllegalArgumentException.class, () -> new Lbfgs(4, 3, DataType.FLOAT).restoreState(state));
        assertThrows(IllegalArgumentException.class, () -> new Lbfgs(4, 3, DataType.DOUBLE).restoreState(new byte[] {1, 2}));
    }

    @Test
    void truncated_state_is_refused_and_leaves_the_optimizer_unchanged() {
        INDArray x = standardStart(4);
        Lbfgs opt = new Lbfgs(4, 3, DataType.DOUBLE);
        for (int i = 0; i < 5; i++) opt.step(x, ROSENBROCK);
        byte[] good = opt.saveState();
        Lbfgs other = new Lbfgs(4, 3, DataType.DOUBLE);
        other.step(standardStart(4), ROSENBROCK);
        byte[] before = other.saveState();
        assertThrows(IllegalArgumentException.class, () -> other.restoreState(Arrays.copyOf(good, good.length - 3)));
        assertArrayEquals(before, other.saveState());
    }

    @Test
    void failed_wolfe_search_resets_memory_and_takes_a_gradient_step() {
        // f = |x|: |f'| = 1 everywhere, so the strong curvature condition |phi'(a)| <= 0.9 |phi'(0)| never holds
        INDArray x = Nd4j.createFromArray(0.3);
        Lbfgs opt = new Lbfgs(1, DataType.DOUBLE);
        Lbfgs.IterationResult r = opt.step(x, (v, gOut) -> {
            double t = v.getDouble(0);
            gOut.putScalar(0, Math.signum(t));
            return Math.abs(t);
        });
        assertTrue(r.reset(), () -> "result: " + r);
        assertEquals(Lbfgs.Status.CONTINUE, r.status());
        assertTrue(r.value() < 0.3);
        assertEquals(r.value(), Math.abs(x.getDouble(0)), 0.0);
    }

    @Test
    void wrong_gradient_fails_without_moving_x() {
        // the gradient points uphill: no step along -g lowers f
        INDArray x = Nd4j.createFromArray(1.0, -2.0);
        Lbfgs opt = new Lbfgs(2, DataType.DOUBLE);
        Lbfgs.IterationResult r = opt.step(x, (v, gOut) -> {
            gOut.assign(v.mul(-2));
            return v.mul(v).sumNumber().doubleValue();
        });
        assertTrue(r.failed());
        assertTrue(r.done());
        assertEquals(5.0, r.value(), 0.0);
        assertArrayEquals(new double[] {1.0, -2.0}, x.toDoubleVector(), 0.0);
    }

    @Test
    void starting_at_the_minimum_converges_without_moving() {
        INDArray x = Nd4j.ones(DataType.DOUBLE, 2);
        Lbfgs.IterationResult r = new Lbfgs(2, DataType.DOUBLE).step(x, ROSENBROCK);
        assertEquals(Lbfgs.Status.CONVERGED_GRADIENT, r.status());
        assertEquals(0, r.iteration());
        assertEquals(1, r.evaluations());
        assertAllOnes(x, 0.0);
    }

    @Test
    void cubic_minimizer_is_exact_for_a_cubic() {
        // p(a) = a^3 - 3a: minimum at a = 1; data at a = 0 and a = 2
        double m = Lbfgs.cubicMinimizer(0, 0, -3, 2, 2, 9);
        assertEquals(1.0, m, 1e-12);
        // and symmetric in the order of the points
        assertEquals(1.0, Lbfgs.cubicMinimizer(2, 2, 9, 0, 0, -3), 1e-12);
    }

    /** Gaussian elimination with partial pivoting (test oracle). */
    static double[] solve(double[][] a, double[] b) {
        int n = b.length;
        double[][] m = new double[n][];
        for (int i = 0; i < n; i++) m[i] = a[i].clone();
        double[] r = b.clone();
        for (int c = 0; c < n; c++) {
            int p = c;
            for (int i = c + 1; i < n; i++) if (Math.abs(m[i][c]) > Math.abs(m[p][c])) p = i;
            double[] t = m[c]; m[c] = m[p]; m[p] = t;
            double u = r[c]; r[c] = r[p]; r[p] = u;
            for (int i = c + 1; i < n; i++) {
                double k = m[i][c] / m[c][c];
                for (int j = c; j < n; j++) m[i][j] -= k * m[c][j];
                r[i] -= k * r[c];
            }
        }
        double[] x = new double[n];
        for (int i = n - 1; i >= 0; i--) {
            double s = r[i];
            for (int j = i + 1; j < n; j++) s -= m[i][j] * x[j];
            x[i] = s / m[i][i];
        }
        return x;
    }
}
