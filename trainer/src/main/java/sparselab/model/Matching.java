package sparselab.model;

import java.util.Arrays;

/**
 * One-to-one matching of learned filters to known parts: the Hungarian algorithm (Kuhn-Munkres with potentials,
 * O(r^2 c)) on a rectangular matrix, and cosine similarity.
 */
public final class Matching {
    private Matching() {}

    /**
     * The assignment of rows to distinct columns that minimises the total cost; needs rows &lt;= columns and finite
     * costs (a NaN or infinite cost is refused: no column would ever be cheaper than it, and the search would not end).
     *
     * @return for each row, its column
     */
    public static int[] minCost(double[][] cost) {
        int n = cost.length, m = n == 0 ? 0 : cost[0].length;
        if (n > m) throw new IllegalArgumentException("need rows <= columns, got " + n + " x " + m);
        for (int i = 0; i < n; i++) {
            if (cost[i].length != m) throw new IllegalArgumentException("row " + i + " has " + cost[i].length + " costs, not " + m);
            for (int j = 0; j < m; j++) {
                if (!Double.isFinite(cost[i][j])) throw new IllegalArgumentException("cost[" + i + "][" + j + "] is " + cost[i][j] + ", not finite");
            }
        }
        double[] u = new double[n + 1], v = new double[m + 1];
        int[] p = new int[m + 1], way = new int[m + 1];   // p[j]: row (1-based) assigned to column j
        for (int i = 1; i <= n; i++) {
            p[0] = i;
            int j0 = 0;
            double[] minv = new double[m + 1];
            Arrays.fill(minv, Double.POSITIVE_INFINITY);
            boolean[] used = new boolean[m + 1];
            do {
                used[j0] = true;
                int i0 = p[j0], j1 = 0;
                double delta = Double.POSITIVE_INFINITY;
                for (int j = 1; j <= m; j++) {
                    if (used[j]) continue;
                    double cur = cost[i0 - 1][j - 1] - u[i0] - v[j];
                    if (cur < minv[j]) {
                        minv[j] = cur;
                        way[j] = j0;
                    }
                    if (minv[j] < delta) {
                        delta = minv[j];
                        j1 = j;
                    }
                }
                for (int j = 0; j <= m; j++) {
                    if (used[j]) {
                        u[p[j]] += delta;
                        v[j] -= delta;
                    } else {
                        minv[j] -= delta;
                    }
                }
                if (j1 == 0) throw new IllegalStateException("no free column for row " + i);   // cannot happen with finite costs
                j0 = j1;
            } while (p[j0] != 0);
            do {
                int j1 = way[j0];
                p[j0] = p[j1];
                j0 = j1;
            } while (j0 != 0);
        }
        int[] assignment = new int[n];
        for (int j = 1; j <= m; j++) if (p[j] != 0) assignment[p[j] - 1] = j - 1;
        return assignment;
    }

    /** The assignment of rows to distinct columns that maximises the total similarity; needs rows &lt;= columns. */
    public static int[] maxSimilarity(double[][] sim) {
        double[][] cost = new double[sim.length][];
        for (int i = 0; i < sim.length; i++) {
            cost[i] = new double[sim[i].length];
            for (int j = 0; j < sim[i].length; j++) cost[i][j] = -sim[i][j];
        }
        return minCost(cost);
    }

    /** cos(a, b); 0 when either is zero. */
    public static double cosine(float[] a, float[] b) {
        double dot = 0, na = 0, nb = 0;
        for (int i = 0; i < a.length; i++) {
            dot += (double) a[i] * b[i];
            na += (double) a[i] * a[i];
            nb += (double) b[i] * b[i];
        }
        return na == 0 || nb == 0 ? 0 : dot / Math.sqrt(na * nb);
    }

    /** Cosine similarity of every part (rows) with every filter (columns). */
    public static double[][] cosineMatrix(float[][] parts, float[][] filters) {
        double[][] s = new double[parts.length][filters.length];
        for (int i = 0; i < parts.length; i++) for (int j = 0; j < filters.length; j++) s[i][j] = cosine(parts[i], filters[j]);
        return s;
    }

    /** How many parts are matched one-to-one (Hungarian on cosine) with a filter of cosine above {@code threshold}. */
    public static int partsRecovered(float[][] parts, float[][] filters, double threshold) {
        double[][] s = cosineMatrix(parts, filters);
        int[] match = maxSimilarity(s);
        int count = 0;
        for (int i = 0; i < parts.length; i++) if (s[i][match[i]] > threshold) count++;
        return count;
    }
}
