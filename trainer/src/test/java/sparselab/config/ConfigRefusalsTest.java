package sparselab.config;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.params.provider.Arguments.arguments;

/** Every refusal names the key (or file) at fault, so the user knows what to change. */
class ConfigRefusalsTest {
    static Stream<Arguments> invalidSettings() {
        return Stream.of(
                arguments(List.of("rhoo=0.05"), "rhoo", "unknown key"),
                arguments(List.of("rho=0"), "rho", "out of range (0, 1)"),
                arguments(List.of("rho=1"), "rho", "out of range (0, 1)"),
                arguments(List.of("rho=1.5"), "rho", "out of range (0, 1)"),
                arguments(List.of("learningRate=-0.1"), "learningRate", "out of range (0,"),
                arguments(List.of("learningRate=0"), "learningRate", "out of range (0,"),
                arguments(List.of("estimator=ema-mean", "hiddenActivation=relu"), "estimator", "hiddenActivation 'relu'"),
                arguments(List.of("estimator=batch-mean", "hiddenActivation=tanh"), "estimator", "hiddenActivation 'tanh'"),
                arguments(List.of("loss=cross-entropy", "outputActivation=identity"), "loss", "outputActivation=sigmoid"),
                arguments(List.of("optimizer=adagrad"), "optimizer", "unknown value 'adagrad'; expected one of sgd, nesterov, adam"),
                arguments(List.of("hidden=many"), "hidden", "'many' is not an integer"),
                arguments(List.of("hidden=0"), "hidden", "0 is out of range: an integer, 1 to 100,000"),
                arguments(List.of("hidden=2.5"), "hidden", "'2.5' is not an integer"),
                arguments(List.of("hidden=1e-7"), "hidden", "'1e-7' is not an integer"),
                arguments(List.of("hidden=1e300"), "hidden", "1e300 is out of range: an integer, 1 to 100,000"),
                arguments(List.of("epochs=-3e9"), "epochs", "-3e9 is out of range: an integer, 1 to"),
                arguments(List.of("seed=1e30"), "seed", "1e30 is out of range: an integer, -9,223,372,036,854,775,808 to 9,223,372,036,854,775,807"),
                arguments(List.of("seed=0x10"), "seed", "'0x10' is not an integer"),
                arguments(List.of("dropout=1"), "dropout", "out of range [0, 1)"),
                arguments(List.of("holdout=0.9"), "holdout", "out of range [0, 0.5]"),
                arguments(List.of("limiter=-1"), "limiter", "out of range (0,"),
                arguments(List.of("limiter=on"), "limiter", "'on' is neither a number nor off"),
                arguments(List.of("snapshotEvery=often"), "snapshotEvery", "'often' is neither an integer nor log2"),
                arguments(List.of("snapshotEvery=2.5"), "snapshotEvery", "'2.5' is neither an integer nor log2"),
                arguments(List.of("stopOn=,"), "stopOn", "no cause in ','"),
                arguments(List.of("stopOn=+"), "stopOn", "no cause in '+'"),
                arguments(List.of("snapshotEvery=0"), "snapshotEvery", "0 is out of range: an integer, 1 to"),
                arguments(List.of("data=cifar"), "data", "unknown data set 'cifar'"),
                arguments(List.of("data=idx:"), "data", "idx: names no file; give the path of an IDX image file"),
                arguments(List.of("batchSize=-1"), "batchSize", "-1 is out of range: an integer, 0 to"),
                arguments(List.of("batchSize=0"), "batchSize", "0 (the whole training set) is for optimizer=lbfgs"),
                arguments(List.of("optimizer=lbfgs"), "batchSize", "use batchSize=0, not 100"),
                arguments(List.of("optimizer=lbfgs", "batchSize=0", "estimator=ema-mean"), "estimator", "use estimator=batch-mean"),
                arguments(List.of("optimizer=lbfgs", "batchSize=0", "estimator=ema-threshold", "hiddenActivation=relu"), "estimator",
                        "use estimator=batch-mean"),
                arguments(List.of("optimizer=lbfgs", "batchSize=0", "dropout=0.5"), "dropout", "use dropout=0"),
                arguments(List.of("optimizer=lbfgs", "batchSize=0", "limiter=3"), "limiter", "use limiter=off"),
                arguments(List.of("lrSchedule=cosine"), "lrSchedule", "unknown value 'cosine'; expected one of constant, exponential"),
                arguments(List.of("lrDecay=0"), "lrDecay", "0 is out of range (0, 1]"),
                arguments(List.of("lrSchedule=exponential", "lrDecay=1.5"), "lrDecay", "1.5 is out of range (0, 1]"),
                arguments(List.of("lrDecay=fast"), "lrDecay", "'fast' is not a number"),
                // a decimal comma, or a sweep's list given to one run: said as such
                arguments(List.of("beta=0,3"), "beta", "'0,3' is not a number (a decimal takes a point: 0.3; a list of values, 0,0.3,3, is a sweep's"),
                arguments(List.of("limit=10,000"), "limit", "'10,000' is not an integer (written without separators: 10000; a list of values, 10,20, is a sweep's"),
                // the value as it would be written, not a fixed example (found 2026-12-02: hidden=1,000 was told 10000)
                arguments(List.of("hidden=1,000"), "hidden", "'1,000' is not an integer (written without separators: 1000; a list of values, 10,20, is a sweep's"),
                arguments(List.of("hidden=1,0"), "hidden", "'1,0' is not an integer (written without separators, as 10000; a list of values, 10,20, is a sweep's"),
                arguments(List.of("learningRate=1,5"), "learningRate", "'1,5' is not a number (a decimal takes a point: 1.5; a list of values, 0,0.3,3, is a sweep's"),
                arguments(List.of("learningRate=1,000"), "learningRate", "'1,000' is not a number (written without separators: 1000, or with a decimal point: 1.000; a list"),
                arguments(List.of("learningRate=1,000,000"), "learningRate", "'1,000,000' is not a number (written without separators: 1000000; a list"),
                // a first group of 0 is a decimal comma, never a separator (0,300 is not 0300)
                arguments(List.of("rho=0,300"), "rho", "'0,300' is not a number (a decimal takes a point: 0.300; a list"),
                arguments(List.of("limit=-1"), "limit", "-1 is out of range: an integer >= 0"),
                // another script's digits: taken as 10 before (BigDecimal reads them), as no other number here is
                arguments(List.of("hidden=\u0661\u0660"), "hidden", "'\u0661\u0660' is not an integer (digits 0-9 only)"),
                arguments(List.of("beta=\u0663"), "beta", "'\u0663' is not a number"));
    }

    @ParameterizedTest(name = "{0} is refused naming {1}")
    @MethodSource("invalidSettings")
    void refuses_an_invalid_setting_naming_its_key(List<String> settings, String key, String why) {
        ConfigException e = assertThrows(ConfigException.class, () -> ConfigLoader.resolve(null, null, settings));
        assertEquals(key, e.errors().get(0).key(), e.getMessage());
        assertTrue(e.errors().get(0).message().contains(why), e.getMessage());
    }

    /** A word of a key is taken in any case, as {@code limiter=OFF} always was; the stored text is the key's own word. */
    @Test
    void a_keys_word_is_taken_in_any_case() {
        assertEquals("log2", ConfigLoader.resolve(null, null, List.of("snapshotEvery=LOG2")).snapshotEvery());
        assertEquals(Double.POSITIVE_INFINITY, ConfigLoader.resolve(null, null, List.of("limiter=OFF")).limiter());
        // the data set's names too (refused before, while optimizer=ADAM was taken); a path after idx: as written
        assertEquals("bars", ConfigLoader.resolve(null, null, List.of("data=BARS")).data());
        assertEquals("mnist", ConfigLoader.resolve(null, null, List.of("data=Mnist")).data());
        assertEquals("idx:/Data/Train-Images", ConfigLoader.resolve(null, null, List.of("data=IDX:/Data/Train-Images")).data());
        assertEquals("adam", ConfigLoader.resolve(null, null, List.of("optimizer=ADAM")).toMap().get("optimizer"));
    }

    /** A tiny or huge number's canonical text has a power of ten, not hundreds of zeros; every default's text is plain. */
    @Test
    void canonical_numbers_are_short() {
        assertEquals("4.9e-324", RunConfig.num(4.9e-324));
        assertEquals("1e-300", RunConfig.num(1e-300));
        assertEquals("1e+25".replace("+", ""), RunConfig.num(1e25));
        assertEquals("0.000001", RunConfig.num(1e-6));
        assertEquals("0.00000000000000000001", RunConfig.num(1e-20));
        RunConfig.defaults().toMap().values().forEach(v -> assertFalse(v.contains("e-") || v.matches(".*[0-9]e[0-9].*"), v));
        assertEquals("4.9e-324", ConfigLoader.resolve(null, null, List.of("eps=4.9e-324")).toMap().get("eps"));
    }

    /** {@code --set hidden=2.0} means what {@code "hidden": 2.0} means in a config file or a web launch. */
    @Test
    void reads_a_whole_number_with_a_fraction_or_an_exponent_as_the_integer_it_equals() {
        RunConfig c = ConfigLoader.resolve(null, null, List.of("hidden=2.0", "epochs=1e2", "seed=-7.000", "batchSize=+10"));
        assertEquals(2, c.hidden());
        assertEquals(100, c.epochs());
        assertEquals(-7L, c.seed());
        assertEquals(10, c.batchSize());
    }

    @Test
    void refuses_an_unknown_preset_naming_the_known_ones() {
        ConfigException e = assertThrows(ConfigException.class, () -> ConfigLoader.resolve("ufdl", null, List.of()));
        assertEquals("preset", e.errors().get(0).key());
        assertTrue(e.getMessage().contains("unknown preset 'ufdl'"), e.getMessage());
        assertTrue(e.getMessage().contains("ufldl"), e.getMessage());
    }

    @Test
    void a_preset_in_the_config_file_and_another_given_by_preset_are_refused_naming_both(@TempDir Path dir) throws IOException {
        Path file = dir.resolve("f.json");
        Files.writeString(file, "{\"preset\": \"okatani\", \"data\": \"bars\", \"hidden\": 4, \"epochs\": 1}");
        ConfigException both = assertThrows(ConfigException.class, () -> ConfigLoader.resolve("ufldl", file, List.of()));
        assertEquals("preset", both.errors().get(0).key());
        assertTrue(both.getMessage().contains("--preset ufldl") && both.getMessage().contains("'okatani'")
                && both.getMessage().contains(file.toString()), both.getMessage());
        assertThrows(ConfigException.class, () -> ConfigLoader.preset("ufldl", file));
        // the same preset in both is the one preset; the file's preset alone is the run's preset
        assertEquals(ConfigLoader.resolve(null, file, List.of()), ConfigLoader.resolve("okatani", file, List.of()));
        assertEquals("okatani", ConfigLoader.preset("okatani", file));
        assertEquals("okatani", ConfigLoader.preset(null, file));
        assertEquals("ufldl", ConfigLoader.preset("ufldl", null));
        Files.writeString(file, "{\"data\": \"bars\"}");
        assertEquals("ufldl", ConfigLoader.preset("ufldl", file));
        assertEquals(null, ConfigLoader.preset(null, file));
    }

    @Test
    void refuses_set_text_without_an_equals_sign_naming_the_text() {
        ConfigException e = assertThrows(ConfigException.class, () -> ConfigLoader.resolve(null, null, List.of("hidden=100", "beta0.1")));
        assertEquals(1, e.errors().size());
        assertEquals("beta0.1", e.errors().get(0).key());
        assertTrue(e.errors().get(0).message().contains("expected key=value"));
    }

    @Test
    void a_key_set_twice_takes_the_last_value_and_a_note_says_so() {
        // a wrapper's defaults, then the user's own: the last is used, as before, and said (it was dropped without a word)
        List<String> sets = List.of("learningRate=0.1", "beta=0.3", "learningRate=0.2", "beta=0.3");
        assertEquals(0.2, ConfigLoader.resolve("plain", null, sets).learningRate());
        assertEquals(List.of("note: --set learningRate given 2 times ('0.1', '0.2'): the last, '0.2', is used"), ConfigLoader.repeats(sets, false),
                "the same value twice is no note");
        assertEquals(List.of("note: --set beta given 2 times ('0', '3'): the last, '3', is used; to sweep several values, give one --set beta=v1,v2"),
                ConfigLoader.repeats(List.of("beta=0", "beta=3"), true));
        assertEquals(List.of(), ConfigLoader.repeats(List.of("beta=0", "rho=0.1"), true));
    }

    @Test
    void a_long_key_with_a_line_break_is_quoted_on_one_line_and_clipped_once() {
        String key = "k\n" + "x".repeat(98);
        ConfigException.FieldError f = new ConfigException.FieldError(key, "unknown key");
        assertTrue(f.key().startsWith("k\\nxxx") && f.key().endsWith("... (100 characters)") && !f.key().contains("\n"), f.key());
        assertEquals(f.key(), new ConfigException.FieldError(f.key(), "unknown key").key(), "a clipped key is not clipped again");
    }

    @Test
    void refuses_a_json_config_file_that_is_not_an_object_naming_the_file(@TempDir Path dir) throws IOException {
        Path file = dir.resolve("run.json");
        Files.writeString(file, "[\"beta=3\"]");
        ConfigException e = assertThrows(ConfigException.class, () -> ConfigLoader.resolve(null, file, List.of()));
        assertEquals("--config", e.errors().get(0).key());
        assertTrue(e.getMessage().contains(file.toString()), e.getMessage());
        assertTrue(e.getMessage().contains("must be a JSON object"), e.getMessage());
    }

    @Test
    void refuses_a_json_config_file_read_two_ways_or_missing_naming_the_file(@TempDir Path dir) throws IOException {
        for (String text : List.of("{\"epochs\": 2, \"epochs\": 3}", "{\"epochs\": 2} garbage", "{\"epochs\": 2}{\"x\": 1}", "{", "{\"epochs\": [")) {
            Path file = dir.resolve("loose.json");
            Files.writeString(file, text);
            ConfigException e = assertThrows(ConfigException.class, () -> ConfigLoader.resolve(null, file, List.of()), text);
            assertTrue(e.getMessage().contains(file.toString()) && e.getMessage().contains("not valid JSON"), e.getMessage());
            assertTrue(e.getMessage().contains("at line 1, column"), e.getMessage());
            assertFalse(e.getMessage().contains("`"), "no names of Jackson's settings: " + e.getMessage());
            assertFalse(e.getMessage().contains("Source") || e.getMessage().contains("REDACTED"), "no parser source text: " + e.getMessage());
        }
        ConfigException missing = assertThrows(ConfigException.class, () -> ConfigLoader.resolve(null, dir.resolve("none.json"), List.of()));
        assertTrue(missing.getMessage().contains("none.json: no such file"), missing.getMessage());
        ConfigException folder = assertThrows(ConfigException.class, () -> ConfigLoader.resolve(null, dir, List.of()));
        assertTrue(folder.getMessage().contains("is a folder"), folder.getMessage());
        Path latin1 = dir.resolve("latin1.json");                          // saved by an editor in another encoding
        Files.write(latin1, new byte[] {'{', '"', 'r', 'h', 'o', '"', ':', ' ', '0', '.', '1', '}', ' ', (byte) 0xe9});
        ConfigException encoding = assertThrows(ConfigException.class, () -> ConfigLoader.resolve(null, latin1, List.of()));
        assertTrue(encoding.getMessage().contains("latin1.json: not UTF-8 text"), encoding.getMessage());
    }

    @Test
    void a_config_files_whole_numbers_written_with_a_fraction_are_integers_and_its_bad_values_name_the_file(@TempDir Path dir) throws IOException {
        Path file = dir.resolve("run.json");
        Files.writeString(file, "{\"epochs\": 2.0, \"hidden\": 3e1, \"beta\": 3.0, \"rho\": 0.05}");
        RunConfig c = ConfigLoader.resolve(null, file, List.of());
        assertEquals(2, c.epochs());
        assertEquals(30, c.hidden());
        assertEquals(3.0, c.beta());
        assertEquals(0.05, c.rho());
        // a fraction is still refused for an integer key, and the error says which file it was written in
        Files.writeString(file, "{\"epochs\": 2.5, \"rho\": 2}");
        ConfigException e = assertThrows(ConfigException.class, () -> ConfigLoader.resolve(null, file, List.of("hidden=0")));
        assertEquals(List.of("hidden", "epochs", "rho"), e.errors().stream().map(ConfigException.FieldError::key).toList());
        for (ConfigException.FieldError f : e.errors()) {
            assertEquals(!f.key().equals("hidden"), f.message().contains("(in " + file + ")"), f::toString);
        }
        // a number is quoted as it was written, also one that a double cannot hold (1e-400 is not 0, 1e400 not Infinity)
        Files.writeString(file, "{\"rho\": 1e-400, \"beta\": 1e400, \"eps\": 0.0000000000000000000000000000001}");
        ConfigException exact = assertThrows(ConfigException.class, () -> ConfigLoader.resolve(null, file, List.of()));
        assertEquals(List.of("beta: '1e400' is not a finite number (in " + file + ")", "rho: 1e-400 is too small: it would be read as 0 (the smallest size, but 0, a number here can have is 4.9e-324) (in " + file + ")"),
                exact.errors().stream().map(Object::toString).sorted().toList());
        // a number so small that it would be read as 0 is refused, not queued as 0: beta = 1e-400 was a run without the
        // sparse term (found 2026-12-03 by a probe of the API); 0 written any way, and the smallest doubles, are kept
        for (String tiny : List.of("1e-400", "16e-999", "0.5e-330", "-1e-400")) {
            ConfigException t = assertThrows(ConfigException.class, () -> ConfigLoader.resolve(null, null, List.of("beta=" + tiny)), tiny);
            assertEquals("beta: " + tiny + " is too small: it would be read as 0 (the smallest size, but 0, a number here can have is 4.9e-324)", t.errors().get(0).toString());
        }
        for (String zero : List.of("0", "0.0", "0e-400", "0.000e5", "-0", ".0")) assertEquals(0.0, ConfigLoader.resolve(null, null, List.of("beta=" + zero)).beta() + 0.0, zero);   // -0 is 0
        // Java's reading of hex floats and suffixes is no number here (0xEp-1100 was read as 0 past the check above)
        for (String odd : List.of("0xEp-1100", "0x1p3", "1d", "2f", "1e", "e5", "1.2.3")) {
            ConfigException t = assertThrows(ConfigException.class, () -> ConfigLoader.resolve(null, null, List.of("beta=" + odd)), odd);
            assertTrue(t.errors().get(0).toString().startsWith("beta: '" + odd + "' is not a number"), t.errors().get(0).toString());
        }
        for (String fine : List.of("+1", "1.", ".5", "1E+1", "3e0")) assertTrue(ConfigLoader.resolve(null, null, List.of("beta=" + fine)).beta() > 0, fine);
        // the same exponent refusal in a config file as in a web launch (it ended as a NumberFormatException, exit 1)
        Path huge = dir.resolve("huge.json");
        Files.writeString(huge, "{\"beta\": 1e999999999999}");
        ConfigException h = assertThrows(ConfigException.class, () -> ConfigLoader.resolve(null, huge, List.of()));
        assertEquals("--config: " + huge + ": not valid JSON: the number 1e999999999999 has an exponent beyond any range", h.errors().get(0).toString());
        assertEquals(1e-300, ConfigLoader.resolve(null, null, List.of("beta=1e-300")).beta());
        // a preset the file names that does not exist names the file too
        Files.writeString(file, "{\"preset\": \"nope\"}");
        ConfigException preset = assertThrows(ConfigException.class, () -> ConfigLoader.resolve(null, file, List.of()));
        assertTrue(preset.getMessage().contains("unknown preset 'nope'") && preset.getMessage().contains("(in " + file + ")"), preset.getMessage());
        Files.writeString(file, "{\"epochs\": 2.5, \"rho\": 2}");
        // a key of the file replaced by --set is not the file's fault
        ConfigException set = assertThrows(ConfigException.class, () -> ConfigLoader.resolve(null, file, List.of("epochs=0", "rho=0.1")));
        assertEquals(1, set.errors().size(), set::getMessage);
        assertFalse(set.getMessage().contains(file.toString()), set.getMessage());
    }

    @Test
    void collects_every_field_error_before_refusing() {
        ConfigException e = assertThrows(ConfigException.class,
                () -> ConfigLoader.resolve(null, null, List.of("rho=2", "hidden=0", "nosuch=1")));
        assertEquals(List.of("nosuch", "hidden", "rho"), e.errors().stream().map(ConfigException.FieldError::key).toList());
    }

    /** A long unknown key is quoted clipped once, with the length sent (it was clipped twice: "(80 characters)"). */
    @Test
    void a_long_unknown_key_is_quoted_with_the_length_sent() {
        String clipped = "k".repeat(60) + "... (100 characters)";
        ConfigException e = assertThrows(ConfigException.class,
                () -> ConfigLoader.resolve(null, null, List.of("k".repeat(100) + "=1")));
        assertEquals(List.of(clipped), e.errors().stream().map(ConfigException.FieldError::key).toList());
        assertTrue(e.getMessage().startsWith(clipped + ": unknown key"), e.getMessage());
        // an error built again from it (its message extended) keeps it as it is
        assertEquals(clipped, new ConfigException.FieldError(clipped, "more").key());
        assertEquals("k".repeat(60) + "... (79 characters)", new ConfigException.FieldError("k".repeat(79), "x").key());
    }

    @Test
    void collects_every_combination_that_is_refused() {
        // L-BFGS with a minibatch, dropout and the limiter: three refusals at once, not one per try
        ConfigException e = assertThrows(ConfigException.class,
                () -> ConfigLoader.resolve("ufldl", null, List.of("batchSize=100", "dropout=0.5", "limiter=3")));
        assertEquals(List.of("batchSize", "dropout", "limiter"), e.errors().stream().map(ConfigException.FieldError::key).toList());
    }

    @Test
    void ufldl_is_full_batch_lbfgs_and_ufldl_sgd_and_okatani_strokes_its_minibatch_twins() {
        RunConfig lbfgs = ConfigLoader.resolve("ufldl", null, List.of());
        assertEquals(Choices.Optimizer.LBFGS, lbfgs.optimizer());
        assertEquals(0, lbfgs.batchSize());
        assertEquals(400, lbfgs.epochs());
        RunConfig sgd = ConfigLoader.resolve("ufldl-sgd", null, List.of());
        assertEquals(Choices.Optimizer.ADAM, sgd.optimizer());
        assertEquals(100, sgd.batchSize());
        RunConfig strokes = ConfigLoader.resolve("okatani-strokes", null, List.of());
        assertEquals(Choices.Optimizer.NESTEROV, strokes.optimizer());
        assertEquals(Choices.LrSchedule.EXPONENTIAL, strokes.lrSchedule());
        for (String key : List.of("hidden", "rho", "beta", "weightDecay", "hiddenActivation", "outputActivation", "estimator")) {
            assertEquals(lbfgs.toMap().get(key), sgd.toMap().get(key), key);
            if (!key.equals("beta")) assertEquals(lbfgs.toMap().get(key), strokes.toMap().get(key), key);
        }
        assertEquals(0.3, strokes.beta(), "a tenth of ufldl's sparsity weight");
    }

    @Test
    void accepts_the_same_combinations_when_they_are_valid() {
        RunConfig c = ConfigLoader.resolve(null, null, List.of("estimator=ema-threshold", "hiddenActivation=relu", "rho=0.5", "holdout=0.5"));
        assertEquals(Choices.Activation.RELU, c.hiddenActivation());
        RunConfig plainTanh = ConfigLoader.resolve("plain", null, List.of("hiddenActivation=tanh"));
        assertEquals(0.0, plainTanh.beta());
    }

    @Test
    void more_unknown_keys_than_are_listed_still_leave_every_known_key_checked() {
        // found 2026-12-03 by a probe of the API: with 9 unknown keys the known keys were not checked, so a form could
        // not mark `hidden`, and the count of the rest was one short
        java.util.Map<String, String> values = new java.util.LinkedHashMap<>();
        for (int i = 0; i < 9; i++) values.put("k" + i, "1");
        values.put("hidden", "x");
        ConfigException e = assertThrows(ConfigException.class, () -> ConfigLoader.resolve(null, values));
        assertTrue(e.getMessage().endsWith("; and 2 more"), e.getMessage());
        assertTrue(e.fieldErrors().stream().anyMatch(f -> f.key().equals("hidden") && f.message().contains("'x' is not an integer")), e.fieldErrors()::toString);
        assertEquals(8, e.fieldErrors().stream().filter(f -> f.key().startsWith("k")).count(), "of unknown keys the first 8");
    }

    @Test
    void an_unknown_key_a_slip_away_from_a_known_one_names_it() {
        for (String[] c : new String[][] {{"bta", "beta"}, {"Beta", "beta"}, {"learningrate", "learningRate"}, {"hiden", "hidden"}, {"beat", "beta"}}) {
            ConfigException e = assertThrows(ConfigException.class, () -> ConfigLoader.resolve(null, null, List.of(c[0] + "=3")));
            assertTrue(e.getMessage().contains("did you mean " + c[1] + "?"), e.getMessage());
        }
        ConfigException far = assertThrows(ConfigException.class, () -> ConfigLoader.resolve(null, null, List.of("colour=3")));
        assertFalse(far.getMessage().contains("did you mean"), far.getMessage());
        assertTrue(far.getMessage().contains("known keys: data"), far.getMessage());
    }
}
