package sparselab.config;

import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
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

    @Test
    void lists_every_preset_with_the_keys_it_sets() throws IOException {
        String doc = modelMd();
        assertEquals(ModelDoc.presetsTable(), ModelDoc.section(doc, "presets"), "the preset table is out of date" + REGENERATE);
        for (String p : Presets.names()) assertTrue(doc.contains("`" + p + "`"), p);
    }
}
