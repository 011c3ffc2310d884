package sparselab.runs;

import org.junit.jupiter.api.Test;
import sparselab.config.ConfigException;
import sparselab.config.ConfigKeys;
import sparselab.config.ConfigLoader;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class LadderTest {
    private static Map<String, String> config(String... sets) {
        return ConfigLoader.resolve(null, null, List.of(sets)).toMap();
    }

    private static Map<String, String> with(Map<String, String> base, String... kv) {
        Map<String, String> m = new LinkedHashMap<>(base);
        for (int i = 0; i < kv.length; i += 2) m.put(kv[i], kv[i + 1]);
        return m;
    }

    @Test
    void a_two_key_difference_yields_three_steps_from_a_to_b() {
        Map<String, String> a = config("beta=0.1", "weightDecay=0");
        Map<String, String> b = config("beta=3", "weightDecay=0.003");

        List<Ladder.Step> steps = Ladder.plan(a, b, List.of());

        assertEquals(3, steps.size());
        assertEquals(a, steps.get(0).config());
        assertEquals(List.of(), steps.get(0).changedKeys());
        // default order: the regulariser before the sparsity weight
        assertEquals(List.of("weightDecay"), steps.get(1).changedKeys());
        assertEquals(with(a, "weightDecay", "0.003"), steps.get(1).config());
        assertEquals(Map.of("weightDecay", "0"), steps.get(1).from());
        assertEquals(Map.of("weightDecay", "0.003"), steps.get(1).to());
        assertEquals(List.of("beta"), steps.get(2).changedKeys());
        assertEquals(b, steps.get(2).config());
        steps.forEach(s -> assertNull(s.note()));
        steps.forEach(s -> ConfigKeys.build(s.config()));
    }

    @Test
    void the_asked_order_comes_first_and_the_other_keys_follow_in_the_default_order() {
        Map<String, String> a = config("beta=0.1", "weightDecay=0", "hidden=100", "seed=1");
        Map<String, String> b = config("beta=3", "weightDecay=0.003", "hidden=196", "seed=2");

        assertEquals(List.of("seed", "hidden", "weightDecay", "beta"), Ladder.order(a, b, List.of()));
        List<Ladder.Step> steps = Ladder.plan(a, b, List.of("beta", "hidden"));

        assertEquals(List.of("beta", "hidden", "seed", "weightDecay"), steps.stream().skip(1).map(s -> s.changedKeys().get(0)).toList());
        assertEquals(with(a, "beta", "3"), steps.get(1).config());
        assertEquals(with(a, "beta", "3", "hidden", "196"), steps.get(2).config());
        assertEquals(b, steps.get(4).config());
        ConfigException typo = assertThrows(ConfigException.class, () -> Ladder.plan(a, b, List.of("betta", "zzzzzz")));
        // the key it most likely meant, as the launch form says it, and the keys the order may name (found 2026-12-03:
        // `--order nokey` named no key to give)
        assertEquals("unknown keys betta (did you mean beta?), zzzzzz; the keys that differ: hidden, seed, weightDecay, beta",
                typo.errors().get(0).message());
        ConfigException same = assertThrows(ConfigException.class, () -> Ladder.plan(a, b, List.of("beta", "rho")));
        assertTrue(same.getMessage().contains("rho (") && same.getMessage().contains("the same in both runs")
                && same.getMessage().contains("weightDecay"), same.getMessage());
        // keys separated by spaces, and an empty key (found 2026-12-02 by a new user's walkthrough: --order 'beta rho' was
        // an unknown key "beta rho" with no word of commas, and --order 'beta,' was taken as beta)
        ConfigException spaced = assertThrows(ConfigException.class, () -> Ladder.plan(a, b, List.of("beta hidden")));
        assertEquals("'beta hidden' is one key; separate keys by commas: beta,hidden", spaced.errors().get(0).message());
        for (List<String> empty : List.of(List.of("beta", ""), List.of("", "hidden"), List.of("beta", " ", "hidden"))) {
            ConfigException e = assertThrows(ConfigException.class, () -> Ladder.plan(a, b, empty));
            assertEquals("order", e.errors().get(0).key());
            assertTrue(e.errors().get(0).message().startsWith("an empty key in the list"), e.getMessage());
        }
    }

    @Test
    void a_key_that_would_be_refused_waits_for_the_key_that_makes_it_valid() {
        // batch-mean with tanh is refused while beta > 0; sigmoid with ema-threshold is fine
        Map<String, String> a = config("hiddenActivation=tanh", "estimator=ema-threshold");
        Map<String, String> b = config("hiddenActivation=sigmoid", "estimator=batch-mean");

        List<Ladder.Step> steps = Ladder.plan(a, b, List.of("estimator", "hiddenActivation"));

        assertEquals(3, steps.size());
        assertEquals(List.of("hiddenActivation"), steps.get(1).changedKeys());
        assertNotNull(steps.get(1).note());
        assertEquals(List.of("estimator"), steps.get(2).changedKeys());
        assertEquals(b, steps.get(2).config());
    }

    @Test
    void keys_that_are_only_valid_together_are_merged_into_one_step() {
        // as with a full-batch optimizer that needs batchSize 0 while batchSize 0 needs it
        Predicate<Map<String, String>> valid = c -> c.get("optimizer").equals("adam") == c.get("batchSize").equals("7");
        Map<String, String> a = config("optimizer=sgd", "batchSize=100", "beta=0.1");
        Map<String, String> b = config("optimizer=adam", "batchSize=7", "beta=3");

        List<Ladder.Step> steps = Ladder.plan(a, b, List.of(), valid);

        assertEquals(3, steps.size());
        assertEquals(List.of("optimizer", "batchSize"), steps.get(1).changedKeys());
        assertNotNull(steps.get(1).note());
        assertEquals(List.of("beta"), steps.get(2).changedKeys());
        assertEquals(b, steps.get(2).config());
    }

    @Test
    void keys_added_while_looking_for_a_valid_step_stay_out_of_it_when_it_is_valid_without_them() {
        // optimizer needs batchSize and estimator together: no single key completes it, so the search adds the keys in
        // order (learningRate and eps among them) until it is valid; those two are not needed and get steps of their own
        Predicate<Map<String, String>> valid = c -> c.get("optimizer").equals("lbfgs")
                == (c.get("batchSize").equals("0") && c.get("estimator").equals("batch-mean"));
        Map<String, String> a = config("optimizer=sgd", "batchSize=1", "learningRate=0.01", "eps=0.001", "estimator=ema-threshold");
        Map<String, String> b = with(a, "optimizer", "lbfgs", "batchSize", "0", "learningRate", "0.1", "eps", "0.000001", "estimator", "batch-mean");

        List<Ladder.Step> steps = Ladder.plan(a, b, List.of("optimizer", "learningRate", "eps", "batchSize", "estimator"), valid);

        assertEquals(List.of("optimizer", "batchSize", "estimator"), steps.get(1).changedKeys());
        assertEquals(List.of(List.of("learningRate"), List.of("eps")), steps.stream().skip(2).map(Ladder.Step::changedKeys).toList());
        assertEquals(b, steps.get(steps.size() - 1).config());
        steps.forEach(s -> assertEquals(true, valid.test(s.config()), s.toString()));
    }

    @Test
    void refuses_two_equal_configurations() {
        Map<String, String> a = config("beta=0.1");
        assertThrows(ConfigException.class, () -> Ladder.plan(a, a, List.of()));
    }
}
