package sparselab.model;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

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
}
