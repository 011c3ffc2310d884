package sparselab.analysis;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import java.util.SplittableRandom;

import org.junit.jupiter.api.Test;

import sparselab.config.Choices.Activation;
import sparselab.data.Bars;
import sparselab.data.Dataset;

class FilterMeasuresTest {

    static final int D = 784; // 28 x 28; top tenth = ceil(78.4) = 79 pixels

    static float[] singlePixelFilters(int hidden, int d) {
        float[] w = new float[hidden * d];
        for (int j = 0; j < hidden; j++) w[j * d + (j * 37) % d] = (j % 2 == 0 ? 1 : -1) * (0.5f + j);
        return w;
    }

    static float[] uniformFilters(int hidden, int d, float value) {
        float[] w = new float[hidden * d];
        Arrays.fill(w, value);
        return w;
    }

    static float[] concat(float[]... parts) {
        int n = Arrays.stream(parts).mapToInt(p -> p.length).sum();
        float[] out = new float[n];
        int off = 0;
        for (float[] p : parts) {
            System.arraycopy(p, 0, out, off, p.length);
            off += p.length;
        }
        return out;
    }

    // ---- locality ---------------------------------------------------------------------------------

    @Test
    void single_pixel_filters_have_locality_one() {
        assertEquals(1.0, FilterMeasures.locality(singlePixelFilters(5, D), 5, D), 1e-12);
    }

    @Test
    void uniform_filter_has_locality_ceil_of_a_tenth_of_the_pixels_over_the_pixels() {
        assertEquals(79.0 / 784, FilterMeasures.locality(uniformFilters(3, D, 0.02f), 3, D), 1e-9);
        assertEquals(0.1, FilterMeasures.locality(uniformFilters(1, 100, -0.3f), 1, 100), 1e-9);
        // 0.1 * 30 = 3.0000000000000004 in doubles; the count must still be 3
        assertEquals(0.1, FilterMeasures.locality(uniformFilters(1, 30, 1f), 1, 30), 1e-9);
    }

    @Test
    void locality_is_the_mean_over_filters() {
        float[] w = concat(singlePixelFilters(1, D), uniformFilters(1, D, 1f));
        assertEquals((1.0 + 79.0 / 784) / 2, FilterMeasures.locality(w, 2, D), 1e-9);
    }

    @Test
    void filter_with_energy_split_between_the_top_tenth_and_the_rest_has_that_share() {
        // d = 100: 10 pixels at 3 (energy 90), 90 pixels at 1 (energy 90): top tenth holds half
        float[] w = new float[100];
        Arrays.fill(w, 1f);
        for (int p = 0; p < 100; p += 10) w[p] = -3f;
        assertEquals(0.5, FilterMeasures.locality(w, 1, 100), 1e-9);
    }

    @Test
    void bar_filters_are_fully_local() {
        // a bar of a 10 x 10 image covers exactly the top tenth of its pixels
        float[][] parts = Bars.parts(10);
        float[] w = concat(parts);
        assertEquals(1.0, FilterMeasures.locality(w, parts.length, 100), 1e-12);
    }

    @Test
    void zero_filter_counts_as_spread_evenly() {
        assertEquals(0.1, FilterMeasures.locality(new float[100], 1, 100), 1e-12);
    }

    @Test
    void random_filters_lie_between_uniform_and_single_pixel() {
        SplittableRandom rng = new SplittableRandom(7);
        float[] w = new float[10 * D];
        for (int i = 0; i < w.length; i++) w[i] = (float) rng.nextGaussian();
        double l = FilterMeasures.locality(w, 10, D);
        assertTrue(l > 79.0 / 784 && l < 0.5, "locality of Gaussian noise: " + l);
    }

    // ---- dead and saturated -----------------------------------------------------------------------

    @Test
    void dead_and_saturated_counts_on_a_chosen_rho_hat() {
        double rho = 0.05; // dead below 0.005
        double[] rhoHat = {0.001, 0.004, 0.005, 0.05, 0.5, 0.9, 0.95, 0.99};
        assertEquals(2.0 / 8, FilterMeasures.deadFraction(rhoHat, rho), 0.0);
        assertEquals(2.0 / 8, FilterMeasures.saturatedFraction(rhoHat), 0.0);
        assertEquals(0.0, FilterMeasures.deadFraction(new double[] {0.05, 0.1}, rho), 0.0);
        assertEquals(1.0, FilterMeasures.saturatedFraction(new double[] {0.91, 1.0}), 0.0);
    }

    @Test
    void every_measure_is_nan_when_the_weights_or_the_rates_are_not_finite() {
        float[] w = singlePixelFilters(4, D);
        double[] rates = {0.001, 0.5, 0.95, 0.05};
        float[] held = uniformFilters(3, D, 0.5f);
        float[] b1 = new float[4];
        FilterMeasures.FilterReport fine = FilterMeasures.report(w, b1, 4, D, Activation.SIGMOID, rates, 0.05, held, null);
        assertEquals(0.25, fine.deadFraction(), 0.0);
        float[] nanW = w.clone();
        nanW[5] = Float.NaN;
        float[] infB = b1.clone();
        infB[2] = Float.POSITIVE_INFINITY;
        double[] nanRates = rates.clone();
        nanRates[0] = Double.NaN;
        float[] huge = uniformFilters(4, D, 1e30f);       // finite weights whose relu activations overflow to infinity
        for (FilterMeasures.FilterReport r : new FilterMeasures.FilterReport[] {
                FilterMeasures.report(nanW, b1, 4, D, Activation.SIGMOID, rates, 0.05, held, null),
                FilterMeasures.report(nanW, b1, 4, D, Activation.SIGMOID, rates, 0.05, null, null),
                FilterMeasures.report(w, infB, 4, D, Activation.SIGMOID, rates, 0.05, held, null),
                FilterMeasures.report(w, b1, 4, D, Activation.SIGMOID, nanRates, 0.05, null, null),
                FilterMeasures.report(huge, b1, 4, D, Activation.RELU, null, 0.05, uniformFilters(3, D, 1e30f), null)}) {
            // a NaN rate is neither below rho / 10 nor above 0.9: counted, it made a diverged run's units alive and unsaturated
            assertTrue(Double.isNaN(r.locality()) && Double.isNaN(r.deadFraction()) && Double.isNaN(r.saturatedFraction())
                    && Double.isNaN(r.lifetimeSparsity()) && Double.isNaN(r.digitLikeness()), r.toString());
        }
    }

    @Test
    void held_out_variants_count_units_never_above_and_mostly_above_the_threshold() {
        // 10 samples x 4 units: unit 0 never above 0.5; unit 1 above once; unit 2 above on all; unit 3 on 9 of 10
        int n = 10;
        int h = 4;
        float[] a = new float[n * h];
        for (int i = 0; i < n; i++) {
            a[i * h] = 0.5f;
            a[i * h + 1] = i == 3 ? 0.6f : 0.1f;
            a[i * h + 2] = 0.99f;
            a[i * h + 3] = i == 0 ? 0.2f : 0.8f;
        }
        assertEquals(1.0 / 4, FilterMeasures.deadFraction(a, n, h, 0.5f), 0.0);
        assertEquals(1.0 / 4, FilterMeasures.saturatedFraction(a, n, h, 0.5f), 0.0); // 9/10 is not above 0.9
        assertArrayEquals(new double[] {0.5, 0.15, 0.99, 0.74}, FilterMeasures.meanActivation(a, n, h), 1e-6);
    }

    // ---- lifetime sparsity ------------------------------------------------------------------------

    @Test
    void one_hot_activations_have_lifetime_sparsity_one() {
        int n = 6;
        int h = 3;
        float[] a = new float[n * h];
        a[0] = 1f;            // unit 0 responds to sample 0
        a[4 * h + 1] = 0.3f;  // unit 1 to sample 4
        a[5 * h + 2] = 7f;    // unit 2 to sample 5
        assertEquals(1.0, FilterMeasures.lifetimeSparsity(a, n, h), 1e-12);
    }

    @Test
    void constant_activations_have_lifetime_sparsity_zero() {
        int n = 5;
        float[] a = new float[n * 2];
        for (int i = 0; i < n; i++) {
            a[2 * i] = 0.25f;
            a[2 * i + 1] = 0.9f;
        }
        assertEquals(0.0, FilterMeasures.lifetimeSparsity(a, n, 2), 1e-12);
    }

    @Test
    void half_on_activations_have_lifetime_sparsity_two_thirds() {
        // a = (1, 1, 0, 0): (1 - 0.25 / 0.5) / (1 - 1/4) = 2/3
        float[] a = {1, 1, 0, 0};
        assertEquals(2.0 / 3, FilterMeasures.lifetimeSparsity(a, 4, 1), 1e-12);
    }

    @Test
    void silent_units_are_left_out_of_lifetime_sparsity() {
        // unit 1 is zero everywhere; unit 0 is one-hot
        float[] a = {1, 0, 0, 0, 0, 0};
        assertEquals(1.0, FilterMeasures.lifetimeSparsity(a, 3, 2), 1e-12);
        assertTrue(Double.isNaN(FilterMeasures.lifetimeSparsity(new float[6], 3, 2)));
    }

    // ---- digit-likeness ---------------------------------------------------------------------------

    static Dataset tinyDigits() {
        // 2 x 2 images of three classes; class 0 twice
        float[] px = {
                1, 0, 0, 0,   // class 0
                0.5f, 0, 0, 0, // class 0
                0, 1, 1, 0,   // class 1
                0, 0, 0.2f, 1, // class 2
        };
        return new Dataset("tiny", px, 4, 2, 2, new int[] {0, 0, 1, 2}, "test");
    }

    @Test
    void class_means_average_the_images_of_each_label() {
        float[] means = FilterMeasures.classMeans(tinyDigits());
        assertArrayEquals(new float[] {0.75f, 0, 0, 0, 0, 1, 1, 0, 0, 0, 0.2f, 1}, means, 1e-7f);
    }

    @Test
    void class_means_need_labels() {
        assertThrows(IllegalArgumentException.class, () -> FilterMeasures.classMeans(Bars.generate(4, 3, 0.2, 1)));
    }

    @Test
    void filter_equal_to_a_class_mean_image_has_digit_likeness_one() {
        float[] means = FilterMeasures.classMeans(tinyDigits());
        float[] filter = Arrays.copyOfRange(means, 4, 8);
        assertEquals(1.0, FilterMeasures.digitLikeness(filter, 1, 4, means), 1e-6);
    }

    @Test
    void negated_and_rescaled_class_means_are_as_digit_like() {
        float[] means = FilterMeasures.classMeans(tinyDigits());
        float[] w = new float[8];
        for (int p = 0; p < 4; p++) {
            w[p] = -means[8 + p];             // negated class 2
            w[4 + p] = 3 * means[p] + 0.5f;   // scaled and shifted class 0
        }
        assertEquals(1.0, FilterMeasures.digitLikeness(w, 2, 4, means), 1e-6);
    }

    @Test
    void constant_filter_has_digit_likeness_zero_and_others_their_best_correlation() {
        float[] means = {1, 0, 0, 0, /* */ 0, 0, 0, 1};
        // filter (1, 1, 0, 0): centred (.5, .5, -.5, -.5); class 0 centred (.75, -.25, -.25, -.25)
        // r = (.375 - .125 + .125 + .125) / (1 * sqrt(.75)) = .5 / .866 = 0.57735; with class 1 it is -0.57735
        float[] w = {2, 2, 2, 2, /* */ 1, 1, 0, 0};
        assertEquals((0 + 1 / Math.sqrt(3)) / 2, FilterMeasures.digitLikeness(w, 2, 4, means), 1e-6);
    }

    // ---- hidden code and the report ---------------------------------------------------------------

    @Test
    void hidden_activations_match_a_plain_product() {
        SplittableRandom rng = new SplittableRandom(3);
        int n = 7, h = 5, d = 11;
        float[] x = random(rng, n * d);
        float[] w = random(rng, h * d);
        float[] b = random(rng, h);
        for (Activation f : Activation.values()) {
            float[] a = FilterMeasures.hiddenActivations(x, n, w, b, h, d, f);
            assertEquals(n * h, a.length);
            for (int i = 0; i < n; i++) {
                for (int j = 0; j < h; j++) {
                    double z = b[j];
                    for (int p = 0; p < d; p++) z += (double) x[i * d + p] * w[j * d + p];
                    double expected = switch (f) {
                        case SIGMOID -> 1 / (1 + Math.exp(-z));
                        case TANH -> Math.tanh(z);
                        case RELU -> Math.max(0, z);
                        case IDENTITY -> z;
                    };
                    assertEquals(expected, a[i * h + j], 1e-5, f + " at " + i + "," + j);
                }
            }
        }
    }

    @Test
    void report_gathers_every_measure() {
        Dataset digits = tinyDigits();
        float[] means = FilterMeasures.classMeans(digits);
        int h = 3, d = 4;
        float[] w = concat(Arrays.copyOfRange(means, 0, 4), new float[] {0, 0, 1, 0}, new float[] {1, 1, 1, 1});
        float[] b = {0.1f, -0.2f, 0.3f};
        double[] rhoHat = {0.001, 0.2, 0.95};
        FilterMeasures.FilterReport r = FilterMeasures.report(w, b, h, d, Activation.RELU, rhoHat, 0.1,
                digits.pixels(), means);
        float[] a = FilterMeasures.hiddenActivations(digits.pixels(), 4, w, b, h, d, Activation.RELU);
        assertEquals(FilterMeasures.locality(w, h, d), r.locality(), 0.0);
        assertEquals(1.0 / 3, r.deadFraction(), 0.0);
        assertEquals(1.0 / 3, r.saturatedFraction(), 0.0);
        assertEquals(FilterMeasures.lifetimeSparsity(a, 4, h), r.lifetimeSparsity(), 0.0);
        assertEquals(FilterMeasures.digitLikeness(w, h, d, means), r.digitLikeness(), 0.0);
        assertTrue(r.lifetimeSparsity() > 0 && r.lifetimeSparsity() < 1);
    }

    @Test
    void report_without_held_out_images_or_class_means_leaves_those_measures_nan() {
        float[] w = singlePixelFilters(2, 9);
        FilterMeasures.FilterReport r = FilterMeasures.report(w, new float[2], 2, 9, Activation.SIGMOID,
                new double[] {0.1, 0.1}, 0.1, null, null);
        assertEquals(1.0, r.locality(), 1e-12);
        assertEquals(0.0, r.deadFraction(), 0.0);
        assertTrue(Double.isNaN(r.lifetimeSparsity()));
        assertTrue(Double.isNaN(r.digitLikeness()));
    }

    @Test
    void report_without_rho_hat_uses_the_mean_activation_on_held_out_images() {
        // W1 = 0 and b1 = (-10, 0, 10): sigmoid rates ~0, 0.5, ~1 -> one dead (rho = 0.1), one saturated
        float[] images = new float[5 * 4];
        FilterMeasures.FilterReport r = FilterMeasures.report(new float[3 * 4], new float[] {-10, 0, 10}, 3, 4,
                Activation.SIGMOID, null, 0.1, images, null);
        assertEquals(1.0 / 3, r.deadFraction(), 0.0);
        assertEquals(1.0 / 3, r.saturatedFraction(), 0.0);
    }

    @Test
    void mismatched_shapes_are_refused() {
        assertThrows(IllegalArgumentException.class, () -> FilterMeasures.locality(new float[10], 3, 4));
        assertThrows(IllegalArgumentException.class, () -> FilterMeasures.digitLikeness(new float[8], 2, 4, new float[7]));
    }

    static float[] random(SplittableRandom rng, int n) {
        float[] v = new float[n];
        for (int i = 0; i < n; i++) v[i] = (float) rng.nextGaussian();
        return v;
    }

    @Test
    void selecting_the_top_values_puts_the_k_largest_last() {
        java.util.Random r = new java.util.Random(3);
        for (int trial = 0; trial < 200; trial++) {
            int n = 1 + r.nextInt(60);
            int k = 1 + r.nextInt(n);
            double[] a = new double[n];
            for (int i = 0; i < n; i++) a[i] = r.nextInt(8) * 0.5;       // many ties
            double[] sorted = a.clone();
            java.util.Arrays.sort(sorted);
            FilterMeasures.selectTop(a, k);
            double[] top = java.util.Arrays.copyOfRange(a, n - k, n);
            java.util.Arrays.sort(top);
            org.junit.jupiter.api.Assertions.assertArrayEquals(java.util.Arrays.copyOfRange(sorted, n - k, n), top, 0.0, "n=" + n + " k=" + k);
        }
    }
}
