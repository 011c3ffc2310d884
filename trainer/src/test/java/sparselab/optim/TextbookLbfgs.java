package sparselab.optim;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;

import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * The L-BFGS direction as the textbook computes it (Nocedal &amp; Wright, Alg. 7.4, in float64 over the accepted pairs),
 * against the direction an {@link Lbfgs} took: read from the first trial point of each step, which is x + d when the
 * optimizer holds curvature pairs (its first trial step is 1) and x - g / |g| when it holds none.
 */
public final class TextbookLbfgs {
    private TextbookLbfgs() {}

    /**
     * Runs {@code iterations} steps of {@code opt} from {@code x} on {@code f} and checks every step's direction against
     * the textbook's within {@code tolerance} of its norm; returns the largest number of pairs a checked step held.
     */
    public static int assertDirections(Lbfgs opt, INDArray x, Lbfgs.Objective f, int iterations, double tolerance) {
        List<double[]> points = new ArrayList<>(), gradients = new ArrayList<>();
        Lbfgs.Objective recording = (at, g) -> {
            double v = f.valueAndGradient(at, g);
            points.add(at.toDoubleVector());
            gradients.add(g.toDoubleVector());
            return v;
        };
        Deque<double[][]> pairs = new ArrayDeque<>();      // {s, y}, newest last
        double[] xk = null, gk = null;
        int most = 0;
        for (int k = 0; k < iterations; k++) {
            double[] before = x.toDoubleVector();
            points.clear();
            gradients.clear();
            Lbfgs.IterationResult r = opt.step(x, recording);
            int first = 0;
            if (xk == null) {                               // the first step evaluates its starting point first
                xk = points.get(0);
                gk = gradients.get(0);
                first = 1;
            }
            assertEquals(0, maxDiff(before, xk), "the step started from x");
            if (points.size() > first && !r.reset()) {
                double[] taken = sub(points.get(first), xk);
                double[] expected = direction(gk, pairs);
                if (pairs.isEmpty()) scale(expected, 1 / Math.sqrt(dot(gk, gk)));      // unit length along -g
                double norm = Math.sqrt(dot(expected, expected));
                assertTrue(maxDiff(taken, expected) <= tolerance * norm, "step " + (k + 1) + " with " + pairs.size()
                        + " pairs: the direction differs from the textbook's by " + maxDiff(taken, expected) + " (norm " + norm + ")");
                most = Math.max(most, pairs.size());
            }
            if (r.stepLength() == 0) break;                 // converged or failed: x did not move
            double[] xNew = x.toDoubleVector(), gNew = gradients.get(gradients.size() - 1);
            if (r.reset()) pairs.clear();
            if (!r.pairSkipped()) {
                pairs.addLast(new double[][] {sub(xNew, xk), sub(gNew, gk)});
                if (pairs.size() > opt.memory()) pairs.removeFirst();
            }
            assertEquals(pairs.size(), r.memoryUsed(), "pairs held after step " + (k + 1));
            xk = xNew;
            gk = gNew;
            if (r.done()) break;
        }
        return most;
    }

    /** -H g by the two-loop recursion, H0 = (s.y / y.y) I of the newest pair. */
    static double[] direction(double[] g, Deque<double[][]> pairs) {
        double[] q = g.clone();
        List<double[][]> newestFirst = new ArrayList<>(pairs);
        java.util.Collections.reverse(newestFirst);
        double[] alpha = new double[newestFirst.size()];
        for (int i = 0; i < newestFirst.size(); i++) {
            double[] s = newestFirst.get(i)[0], y = newestFirst.get(i)[1];
            alpha[i] = dot(s, q) / dot(s, y);
            axpy(-alpha[i], y, q);
        }
        if (!pairs.isEmpty()) {
            double[] s = pairs.getLast()[0], y = pairs.getLast()[1];
            scale(q, dot(s, y) / dot(y, y));
        }
        for (int i = newestFirst.size() - 1; i >= 0; i--) {
            double[] s = newestFirst.get(i)[0], y = newestFirst.get(i)[1];
            double beta = dot(y, q) / dot(s, y);
            axpy(alpha[i] - beta, s, q);
        }
        scale(q, -1);
        return q;
    }

    private static double dot(double[] a, double[] b) {
        double s = 0;
        for (int i = 0; i < a.length; i++) s += a[i] * b[i];
        return s;
    }

    private static void axpy(double a, double[] x, double[] y) {
        for (int i = 0; i < y.length; i++) y[i] += a * x[i];
    }

    private static void scale(double[] v, double a) {
        for (int i = 0; i < v.length; i++) v[i] *= a;
    }

    private static double[] sub(double[] a, double[] b) {
        double[] d = new double[a.length];
        for (int i = 0; i < a.length; i++) d[i] = a[i] - b[i];
        return d;
    }

    private static double maxDiff(double[] a, double[] b) {
        double m = 0;
        for (int i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i] - b[i]));
        return m;
    }
}
