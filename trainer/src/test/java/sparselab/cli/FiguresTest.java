package sparselab.cli;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;

/**
 * `runs`' and `group`'s figures are written as the pages' {@code fmtAlike} (web/static/js/api.js) writes them; the
 * expected texts are JavaScript's for the same numbers (Number(v.toPrecision(d)) and v.toExponential(2)).
 */
class FiguresTest {
    private static void alike(String[] expected, double[] values, int... digits) {
        assertArrayEquals(expected, Figures.alike(values, digits), java.util.Arrays.toString(values));
    }

    @Test
    void plain_decimals_keep_their_significant_digits_without_trailing_zeros() {
        alike(new String[] {"0.05483", "0.000199"}, new double[] {0.05483, 0.000199}, 4, 3);
        alike(new String[] {"0.1189", "0.0000231"}, new double[] {0.11893, 0.000023087}, 4, 3);     // the terminal said 2.309e-05
        alike(new String[] {"2", "1.41"}, new double[] {2.0, Math.sqrt(2)}, 4, 3);
        alike(new String[] {"-0.5", "0"}, new double[] {-0.5, 0.0}, 4, 3);
        alike(new String[] {"12350"}, new double[] {12345.6}, 4);
    }

    @Test
    void every_figure_is_an_exponent_when_the_largest_is_small_or_large_or_one_is_below_a_millionth() {
        alike(new String[] {"1.23e-5", "4.00e-7"}, new double[] {1.23e-5, 4e-7}, 4, 3);
        alike(new String[] {"1.23e+5", "1.20e+1"}, new double[] {123456, 12}, 4, 3);
        alike(new String[] {"5.00e-1", "2.00e-7"}, new double[] {0.5, 2e-7}, 4, 3);
        alike(new String[] {"1.00e-3"}, new double[] {9.9996e-4}, 4);               // rounds up into the next power
        alike(new String[] {"-3.14e-4", "0"}, new double[] {-3.14159e-4, 0.0}, 4, 3);
    }

    @Test
    void values_that_are_not_finite_are_named_and_leave_the_others_alone() {
        alike(new String[] {"NaN", "0.25"}, new double[] {Double.NaN, 0.25}, 4, 3);
        alike(new String[] {"Infinity"}, new double[] {Double.POSITIVE_INFINITY}, 4);
    }
}
