package sparselab.runs;

import org.junit.jupiter.api.Test;
import sparselab.config.ConfigException;
import sparselab.config.ConfigLoader;
import sparselab.config.Presets;

import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class SweepsTest {

    @Test
    void a_two_by_two_sweep_yields_four_configurations_with_the_swept_values_over_the_base() {
        Sweeps.Settings s = Sweeps.parse(List.of("beta=0,3", "rho=0.05,0.1", "hidden=32", "data=bars"));
        assertEquals(Map.of("hidden", "32", "data", "bars"), s.fixed());
        assertEquals(List.of(new Sweeps.Axis("beta", List.of("0", "3")), new Sweeps.Axis("rho", List.of("0.05", "0.1"))), s.axes());

        List<Sweeps.Point> points = Sweeps.grid(ConfigLoader.merge("ufldl", null, s.fixed()), s.axes());

        assertEquals(4, points.size());
        List<String> labels = points.stream().map(p -> Sweeps.label(p.swept())).toList();
        assertEquals(List.of("beta=0 rho=0.05", "beta=0 rho=0.1", "beta=3 rho=0.05", "beta=3 rho=0.1"), labels);
        // swept in another --set order: the points follow it, each label lists its keys as `group` does (the key table's order)
        List<Sweeps.Point> turned = Sweeps.grid(ConfigLoader.merge("ufldl", null, s.fixed()), Sweeps.parse(List.of("rho=0.05,0.1", "beta=0,3")).axes());
        assertEquals(List.of("beta=0 rho=0.05", "beta=3 rho=0.05", "beta=0 rho=0.1", "beta=3 rho=0.1"),
                turned.stream().map(p -> Sweeps.label(p.swept())).toList());
        double[][] expected = {{0, 0.05}, {0, 0.1}, {3, 0.05}, {3, 0.1}};
        for (int i = 0; i < 4; i++) {
            var c = points.get(i).config();
            assertEquals(expected[i][0], c.beta());
            assertEquals(expected[i][1], c.rho());
            assertEquals(32, c.hidden(), "fixed key");
            assertEquals("bars", c.data(), "fixed key");
            assertEquals(Double.parseDouble(Presets.get("ufldl").get("weightDecay")), c.weightDecay(), "the preset's keys");
        }
    }

    /**
     * A swept value is kept as the configuration writes it (found 2026-12-02 by a new user's walkthrough: {@code
     * optimizer=sgd,ADAM} was echoed and labelled {@code ADAM} while its run stored {@code adam}).
     */
    @Test
    void swept_values_are_written_as_the_configuration_writes_them() {
        Sweeps.Settings s = Sweeps.parse(List.of("optimizer=sgd,ADAM", "beta=0,0.10", "data=BARS"));
        List<Sweeps.Point> points = Sweeps.grid(s.fixed(), s.axes());
        assertEquals(List.of("optimizer=sgd beta=0", "optimizer=sgd beta=0.1", "optimizer=adam beta=0", "optimizer=adam beta=0.1"),
                points.stream().map(p -> Sweeps.label(p.swept())).toList());
        points.forEach(p -> assertEquals(p.config().toMap().get("optimizer"), p.swept().get("optimizer")));
        assertEquals("bars", points.get(0).config().data());
    }

    /** {@code hidden=1,000} in a sweep: the values 1 and 000, said as a thousands separator before anything is built. */
    @Test
    void a_thousands_separator_in_a_sweep_is_named_as_such() {
        ConfigException e = assertThrows(ConfigException.class, () -> Sweeps.parse(List.of("hidden=1,000")));
        assertEquals("hidden", e.errors().get(0).key());
        assertEquals("'1,000' is a list of values here (1, 000): a sweep splits its values at commas; a number is written without "
                + "separators: 1000", e.errors().get(0).message());
        // a decimal comma: the values 0 and 001 (beta 0 and 1) were swept without a word
        ConfigException decimal = assertThrows(ConfigException.class, () -> Sweeps.parse(List.of("beta=0,001")));
        assertEquals("'0,001' is a list of values here (0, 001): a sweep splits its values at commas; a decimal takes a point: 0.001",
                decimal.errors().get(0).message());
        // three-digit values that do not start with 0 are a list, as written
        assertEquals(List.of("64", "128", "256"), Sweeps.parse(List.of("hidden=64,128,256")).axes().get(0).values());
    }

    @Test
    void one_bad_value_refuses_the_whole_grid_naming_the_key_and_the_value() {
        Sweeps.Settings s = Sweeps.parse(List.of("beta=0,0.1,-3", "rho=0.05,0.1"));
        ConfigException e = assertThrows(ConfigException.class, () -> Sweeps.grid(Map.of(), s.axes()));
        assertEquals(1, e.errors().size(), e.getMessage());
        assertEquals("beta", e.errors().get(0).key());
        assertTrue(e.getMessage().contains("beta=-3"), e.getMessage());
    }

    @Test
    void a_combination_refused_at_some_points_names_them() {
        // a mean-rate estimator needs a sigmoid hidden layer while beta > 0
        Sweeps.Settings s = Sweeps.parse(List.of("hiddenActivation=sigmoid,relu", "beta=0,1"));
        ConfigException e = assertThrows(ConfigException.class, () -> Sweeps.grid(Map.of(), s.axes()));
        assertTrue(e.getMessage().contains("hiddenActivation=relu beta=1"), e.getMessage());
        assertTrue(!e.getMessage().contains("hiddenActivation=relu beta=0"), e.getMessage());
    }

    @Test
    void refuses_malformed_settings_unknown_keys_and_an_empty_sweep() {
        assertThrows(ConfigException.class, () -> Sweeps.parse(List.of("beta=0,,1")));
        assertThrows(ConfigException.class, () -> Sweeps.parse(List.of("beta=0,0")));
        assertThrows(ConfigException.class, () -> Sweeps.parse(List.of("beta=0,1", "beta=2")));
        assertThrows(ConfigException.class, () -> Sweeps.parse(List.of("nobeta")));
        // a key fixed twice: the last (ConfigLoader.repeats says so)
        assertEquals(Map.of("beta", "3", "rho", "0.1"), Sweeps.parse(List.of("beta=0", "rho=0.1", "beta=3")).fixed());
        // an IDX path with a comma (found 2026-12-04 by a new user: "data=b.gz is refused: unknown data set 'b.gz'")
        ConfigException comma = assertThrows(ConfigException.class, () -> Sweeps.parse(List.of("data=idx:/tmp/a,b.gz")));
        assertTrue(comma.errors().get(0).message().contains("a sweep splits its values at commas") && comma.getMessage().contains("idx:/tmp/a,b.gz"), comma.getMessage());
        assertEquals(List.of("idx:/tmp/a.gz", "bars"), Sweeps.parse(List.of("data=idx:/tmp/a.gz,bars")).axes().get(0).values());
        ConfigException unknown = assertThrows(ConfigException.class, () -> Sweeps.grid(Map.of(), Sweeps.parse(List.of("betta=0,1")).axes()));
        assertEquals("betta", unknown.errors().get(0).key());
        assertThrows(ConfigException.class, () -> Sweeps.grid(Map.of(), List.of()));
        // several stopOn causes as one value of a sweep: joined by +
        assertEquals(2, Sweeps.grid(Map.of(), Sweeps.parse(List.of("stopOn=none,loss_rising+non_finite")).axes()).size());
        ConfigException same = assertThrows(ConfigException.class, () -> Sweeps.grid(Map.of(), Sweeps.parse(List.of("beta=0,0.0,3")).axes()));
        assertTrue(same.getMessage().contains("values '0' and '0.0' are the same value"), same.getMessage());
    }

    /** --seeds counts up from the seed: at the top of the range it would wrap round to negative seeds, silently. */
    @Test
    void seeds_that_would_pass_the_largest_seed_are_refused_naming_seed() {
        assertEquals(List.of(String.valueOf(Long.MAX_VALUE - 1), String.valueOf(Long.MAX_VALUE)), Sweeps.seedValues(Long.MAX_VALUE - 1, 2));
        ConfigException e = assertThrows(ConfigException.class, () -> Sweeps.seedValues(Long.MAX_VALUE, 2));
        assertEquals("seed", e.errors().get(0).key());
        assertTrue(e.getMessage().contains("give a seed of at most " + (Long.MAX_VALUE - 1)), e.getMessage());
        assertEquals(List.of(String.valueOf(Long.MAX_VALUE)), Sweeps.seedValues(Long.MAX_VALUE, 1), "one seed is the seed itself");
    }
}
