package sparselab.config;

import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** docs/model.md documents every configuration key and preset as they are declared. */
class ModelDocTest {
    private static final String REGENERATE = "; regenerate with: java -cp trainer/target/classes sparselab.config.ModelDoc docs/model.md";

    static String modelMd() throws IOException {
        Path dir = Path.of("").toAbsolutePath();
        while (dir != null && !Files.exists(dir.resolve("docs/model.md"))) dir = dir.getParent();
        assertNotNull(dir, "docs/model.md in the repository");
        return Files.readString(dir.resolve("docs/model.md"));
    }

    @Test
    void names_every_key_with_its_default_as_declared() throws IOException {
        String doc = modelMd();
        assertEquals(ModelDoc.keysTable(), ModelDoc.section(doc, "keys"), "the key table is out of date" + REGENERATE);
        for (ConfigKeys.Key k : ConfigKeys.all()) {
            assertTrue(doc.contains("| `" + k.name() + "` | `" + k.defaultValue() + "` |"), k.name());
        }
    }

    private static final Pattern INTERVAL = Pattern.compile("([\\[(])(-?[0-9.]+(?:e-?[0-9]+)?), (-?[0-9.]+(?:e-?[0-9]+)?)([\\])])");
    private static final Pattern INTEGERS = Pattern.compile("integer, (-?[0-9,]+) to (-?[0-9,]+)");
    private static final Pattern AT_LEAST = Pattern.compile("integer >= (-?[0-9,]+)");

    /**
     * The range each number and integer key's row of the table states is the one its check applies: both bounds of
     * an interval as written ("(0, 1)", "[0, 1e6]"; a bracket includes its bound), "integer, 1 to 100,000",
     * "integer >= 0", "integer"; a value at an included bound is accepted, one at an excluded bound or just beyond
     * either is refused naming the key, and the words the row adds ("off", "log2") are accepted.
     */
    @Test
    void every_range_the_key_table_states_is_the_one_its_check_applies() throws IOException {
        String table = ModelDoc.section(modelMd(), "keys");
        for (ConfigKeys.Key k : ConfigKeys.all()) {
            String kind = k.input().kind();
            if (!kind.equals("number") && !kind.equals("integer")) continue;
            String row = table.lines().filter(l -> l.startsWith("| `" + k.name() + "` |")).findFirst().orElseThrow();
            String values = row.split(" \\| ")[2];
            for (String word : k.input().choices()) {
                assertTrue(values.contains(word), k.name() + " documents " + word + ": " + values);
                k.parse(word);
            }
            Matcher interval = INTERVAL.matcher(values), integers = INTEGERS.matcher(values), atLeast = AT_LEAST.matcher(values);
            if (kind.equals("number")) {
                assertTrue(interval.find(), k.name() + ": its row states no interval: " + values);
                double lo = Double.parseDouble(interval.group(2)), hi = Double.parseDouble(interval.group(3));
                boolean loIn = interval.group(1).equals("["), hiIn = interval.group(4).equals("]");
                atBound(k, lo, loIn, Math.nextUp(lo));
                atBound(k, hi, hiIn, Math.nextDown(hi));
                refused(k, Double.toString(Math.nextDown(lo)));
                String beyond = refused(k, Double.toString(Math.nextUp(hi)));
                assertTrue(beyond.endsWith("is out of range " + interval.group()), k.name() + ": the refusal states the table's range: " + beyond);
            } else if (integers.find()) {
                // as big integers: the seed's row states the whole 64-bit range
                java.math.BigInteger lo = new java.math.BigInteger(integers.group(1).replace(",", "")),
                        hi = new java.math.BigInteger(integers.group(2).replace(",", ""));
                k.parse(lo.toString());
                k.parse(hi.toString());
                refused(k, lo.subtract(java.math.BigInteger.ONE).toString());
                String beyond = refused(k, hi.add(java.math.BigInteger.ONE).toString());
                assertTrue(beyond.endsWith("is out of range: an " + integers.group()), k.name() + ": the refusal states the table's range: " + beyond);
            } else if (atLeast.find()) {
                long lo = Long.parseLong(atLeast.group(1).replace(",", ""));
                k.parse(Long.toString(lo));
                k.parse(Integer.toString(Integer.MAX_VALUE));
                String below = refused(k, Long.toString(lo - 1));
                assertTrue(below.endsWith("is out of range: an " + atLeast.group()), k.name() + ": the refusal states the table's range: " + below);
            } else {
                assertEquals("integer", values, k.name() + ": its row states no range");
                k.parse(Long.toString(Long.MIN_VALUE));
                k.parse(Long.toString(Long.MAX_VALUE));
            }
        }
    }

    /** {@code bound} is accepted when {@code included}, else refused while {@code inside} (next to it, in range) is accepted. */
    private static void atBound(ConfigKeys.Key k, double bound, boolean included, double inside) {
        if (included) {
            k.parse(Double.toString(bound));
        } else {
            refused(k, Double.toString(bound));
            k.parse(Double.toString(inside));
        }
    }

    /** The message of the refusal of {@code value}, which names the key. */
    private static String refused(ConfigKeys.Key k, String value) {
        ConfigException e = assertThrows(ConfigException.class, () -> k.parse(value), k.name() + "=" + value + " is outside the range its row states");
        assertEquals(k.name(), e.errors().get(0).key());
        return e.errors().get(0).message();
    }

    @Test
    void lists_every_preset_with_the_keys_it_sets() throws IOException {
        String doc = modelMd();
        assertEquals(ModelDoc.presetsTable(), ModelDoc.section(doc, "presets"), "the preset table is out of date" + REGENERATE);
        for (String p : Presets.names()) assertTrue(doc.contains("`" + p + "`"), p);
    }
}
