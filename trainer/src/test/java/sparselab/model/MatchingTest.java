package sparselab.model;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

class MatchingTest {

    @Test
    void hungarian_finds_the_known_optimum_of_a_small_assignment() {
        // the greedy choice (row 0 -> column 0, cost 1) is wrong; the optimum is 0->1, 1->0, 2->2 with cost 2 + 2 + 3 = 7
        double[][] cost = {
                {1, 2, 9},
                {2, 8, 9},
                {4, 9, 3},
        };
        int[] a = Matching.minCost(cost);
        assertArrayEquals(new int[] {1, 0, 2}, a);
        assertEquals(7.0, cost[0][a[0]] + cost[1][a[1]] + cost[2][a[2]]);
    }

    @Test
    void hungarian_on_a_rectangular_matrix_leaves_the_worst_column_unused() {
        double[][] sim = {
                {0.9, 0.8, 0.1, 0.0},
                {0.85, 0.2, 0.0, 0.1},
        };
        assertArrayEquals(new int[] {1, 0}, Matching.maxSimilarity(sim));
    }

    @Test
    void a_part_matched_by_a_scaled_copy_counts_as_recovered() {
        float[][] parts = {{1, 1, 0, 0}, {0, 0, 1, 1}};
        float[][] filters = {{0, 0.1f, 3, 3}, {0.2f, 0, 0, 0}, {2, 2, 0, 0.1f}};
        assertEquals(2, Matching.partsRecovered(parts, filters, 0.9));
    }

    @Test
    void a_nan_or_infinite_cost_is_refused_at_once_instead_of_searching_for_ever() {
        // a diverged run's NaN filter has a NaN cosine with every filter; no column is ever cheaper than NaN, and the
        // search for one used not to end
        for (double bad : new double[] {Double.NaN, Double.POSITIVE_INFINITY, Double.NEGATIVE_INFINITY}) {
            double[][] sim = {{0.1, 0.8}, {bad, bad}};
            IllegalArgumentException e = assertTimeoutPreemptively(java.time.Duration.ofSeconds(5),
                    () -> assertThrows(IllegalArgumentException.class, () -> Matching.maxSimilarity(sim)), "cost " + bad);
            assertEquals("cost[1][0] is " + (-bad) + ", not finite", e.getMessage());
        }
    }
}
