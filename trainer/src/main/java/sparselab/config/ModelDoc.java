package sparselab.config;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * The generated parts of docs/model.md: the table of configuration keys (from {@link ConfigKeys}' declarations) and
 * the table of presets (from {@link Presets}). Each lies between {@code <!-- NAME:begin -->} and {@code <!-- NAME:end -->};
 * {@code java -cp trainer/target/classes sparselab.config.ModelDoc docs/model.md} rewrites them in place, and a test
 * checks that the file holds what this class generates.
 */
public final class ModelDoc {
    private ModelDoc() {}

    /** Every key: name, default, accepted values, meaning. */
    public static String keysTable() {
        StringBuilder sb = new StringBuilder("| key | default | values | meaning |\n| --- | --- | --- | --- |\n");
        for (ConfigKeys.Key k : ConfigKeys.all()) {
            sb.append("| `").append(k.name()).append("` | `").append(k.defaultValue()).append("` | ").append(cell(k.values()))
                    .append(" | ").append(cell(k.doc())).append(" |\n");
        }
        return sb.toString();
    }

    /** Every preset with the keys it sets (the others keep their defaults). */
    public static String presetsTable() {
        StringBuilder sb = new StringBuilder("| preset | keys it sets |\n| --- | --- |\n");
        for (String name : Presets.names()) {
            Map<String, String> p = Presets.get(name);
            String keys = ConfigKeys.all().stream().filter(k -> p.containsKey(k.name()))
                    .map(k -> "`" + k.name() + "=" + p.get(k.name()) + "`").collect(Collectors.joining(", "));
            sb.append("| `").append(name).append("` | ").append(keys).append(" |\n");
        }
        return sb.toString();
    }

    private static String cell(String s) {
        return s.replace("|", "\\|");
    }

    /** {@code text} with the section {@code name} replaced by {@code body}; refused when the markers are missing. */
    public static String replaceSection(String text, String name, String body) {
        String begin = "<!-- " + name + ":begin -->\n", end = "<!-- " + name + ":end -->";
        int b = text.indexOf(begin), e = text.indexOf(end);
        if (b < 0 || e < b) throw new IllegalArgumentException("no section " + name + " (" + begin.trim() + " ... " + end + ")");
        return text.substring(0, b + begin.length()) + body + text.substring(e);
    }

    /** The section {@code name} of {@code text}, or null. */
    public static String section(String text, String name) {
        String begin = "<!-- " + name + ":begin -->\n", end = "<!-- " + name + ":end -->";
        int b = text.indexOf(begin), e = text.indexOf(end);
        return b < 0 || e < b ? null : text.substring(b + begin.length(), e);
    }

    /** Rewrites the generated sections of the file given as the only argument. */
    public static void main(String[] args) throws IOException {
        if (args.length != 1) {
            System.err.println("usage: ModelDoc docs/model.md");
            System.exit(2);
        }
        Path file = Path.of(args[0]);
        String text = Files.readString(file);
        text = replaceSection(text, "keys", keysTable());
        text = replaceSection(text, "presets", presetsTable());
        Files.writeString(file, text);
    }
}
