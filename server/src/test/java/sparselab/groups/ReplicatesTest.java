package sparselab.groups;

import org.junit.jupiter.api.Test;

import java.util.Arrays;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

/** The statistics of replicates against numbers a reader can check by hand or in any t table. */
class ReplicatesTest {

    @Test
    void t_quantiles_are_the_table_values_and_a_df_between_entries_takes_the_one_below() {
        assertEquals(12.706205, Replicates.t975(1), 1e-6);
        assertEquals(4.302653, Replicates.t975(2), 1e-6);
        assertEquals(2.776445, Replicates.t975(4), 1e-6);
        assertEquals(2.228139, Replicates.t975(10), 1e-6);
        assertEquals(2.042272, Replicates.t975(30), 1e-6);
        assertEquals(4.302653, Replicates.t975(2.94), 1e-6, "a Welch df of 2.94 reads as 2: wider, never narrower");
        assertEquals(2.042272, Replicates.t975(35), 1e-6);
        assertEquals(2.000298, Replicates.t975(60), 1e-6);
        assertEquals(1.979930, Replicates.t975(5000), 1e-6);
        assertEquals(1.959964, Replicates.t975(Double.POSITIVE_INFINITY), 1e-6);
        assertThrows(IllegalArgumentException.class, () -> Replicates.t975(0.5));
        assertThrows(IllegalArgumentException.class, () -> Replicates.t975(Double.NaN));
    }

    @Test
    void a_three_value_sample_has_mean_2_sd_1_and_the_t2_half_width() {
        Replicates.Summary s = Replicates.Summary.of(List.of(1.0, 2.0, 3.0));
        assertEquals(3, s.n());
        assertEquals(2.0, s.mean(), 1e-12);
        assertEquals(1.0, s.sd(), 1e-12, "sample sd: sum of squares 2 over n - 1 = 2");
        assertEquals(4.302653 / Math.sqrt(3), s.half(), 1e-6);
        assertEquals(2.484138, s.half(), 1e-6);
    }

    @Test
    void non_finite_and_missing_values_are_left_out_and_one_value_has_no_spread() {
        Replicates.Summary s = Replicates.Summary.of(Arrays.asList(4.0, null, Double.NaN, 6.0, Double.POSITIVE_INFINITY));
        assertEquals(2, s.n());
        assertEquals(5.0, s.mean(), 1e-12);
        assertEquals(Math.sqrt(2), s.sd(), 1e-12);
        assertEquals(12.706205 * Math.sqrt(2) / Math.sqrt(2), s.half(), 1e-6);

        Replicates.Summary one = Replicates.Summary.of(List.of(7.0));
        assertEquals(1, one.n());
        assertEquals(7.0, one.mean(), 1e-12);
        assertNull(one.sd());
        assertNull(one.half());
        Replicates.Summary none = Replicates.Summary.of(Arrays.asList(null, Double.NaN));
        assertEquals(0, none.n());
        assertNull(none.mean());
    }

    @Test
    void the_welch_interval_of_a_difference_of_means() {
        Replicates.Summary a = Replicates.Summary.of(List.of(1.0, 2.0, 3.0));   // mean 2, variance 1
        Replicates.Summary b = Replicates.Summary.of(List.of(2.0, 4.0, 6.0));   // mean 4, variance 4
        Replicates.Difference d = Replicates.Difference.of(a, b);
        assertEquals(2.0, d.diff(), 1e-12);
        // se^2 = 1/3 + 4/3 = 5/3; df = (5/3)^2 / ((1/3)^2 / 2 + (4/3)^2 / 2) = 50/17 = 2.94, read as 2
        assertEquals(50.0 / 17, d.df(), 1e-12);
        assertEquals(4.302653 * Math.sqrt(5.0 / 3), d.half(), 1e-6);

        Replicates.Summary same = Replicates.Summary.of(List.of(10.0, 10.0));
        Replicates.Difference flat = Replicates.Difference.of(same, Replicates.Summary.of(List.of(11.0, 11.0)));
        assertEquals(1.0, flat.diff(), 1e-12);
        assertEquals(0.0, flat.half(), 0.0);
        assertNull(flat.df());

        Replicates.Difference lone = Replicates.Difference.of(a, Replicates.Summary.of(List.of(5.0)));
        assertEquals(3.0, lone.diff(), 1e-12);
        assertNull(lone.half(), "no interval without a spread on both sides");
    }
}
