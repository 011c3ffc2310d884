package sparselab.config;

import com.fasterxml.jackson.databind.JsonNode;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Resolves defaults, then a preset, then a JSON config file, then {@code key=value} settings, into one checked config. */
public final class ConfigLoader {
    private ConfigLoader() {}

    /**
     * @param preset   a preset name or null
     * @param file     a JSON object of key: value (may name a "preset") or null
     * @param settings {@code key=value} strings, applied last
     */
    public static RunConfig resolve(String preset, Path file, List<String> settings) {
        Map<String, String> set = parseSettings(settings);
        Map<String, String> merged = merge(preset, file, set);
        try {
            return ConfigKeys.build(merged);
        } catch (ConfigException e) {
            throw fromFile(e, file, set.keySet());
        }
    }

    /**
     * {@code e} with the config file named in each error about a key whose value came from the file (not one of
     * {@code setKeys}, the keys the command line sets over it), so that a refused value says where it was written.
     */
    public static ConfigException fromFile(ConfigException e, Path file, java.util.Set<String> setKeys) {
        if (file == null) return e;
        Map<String, String> inFile = readJson(file);
        List<ConfigException.FieldError> named = new ArrayList<>();
        boolean changed = false;
        for (ConfigException.FieldError f : e.fieldErrors()) {
            if (inFile.containsKey(f.key()) && !setKeys.contains(f.key())) {
                named.add(new ConfigException.FieldError(f.key(), f.message() + " (in " + file + ")"));
                changed = true;
            } else {
                named.add(f);
            }
        }
        return changed ? e.withFieldErrors(named) : e;
    }

    /**
     * The key/value text of a preset, then a JSON config file, then {@code settings}, unchecked: what
     * {@link ConfigKeys#build} is given (a sweep lays its swept values over it).
     */
    public static Map<String, String> merge(String preset, Path file, Map<String, String> settings) {
        Map<String, String> fromFile = file == null ? Map.of() : readJson(file);
        Map<String, String> merged = new LinkedHashMap<>();
        String filePreset = Presets.canonical(fromFile.get("preset"));
        preset = Presets.canonical(preset);
        refuseTwoPresets(preset, filePreset, file);
        if (filePreset != null) {
            try {
                merged.putAll(Presets.get(filePreset));
            } catch (ConfigException e) {                       // the refusal says where the preset was written
                throw new ConfigException("preset", e.errors().get(0).message() + " (in " + file + ")");
            }
        }
        if (preset != null) merged.putAll(Presets.get(preset));
        fromFile.forEach((k, v) -> { if (!k.equals("preset")) merged.put(k, v); });
        merged.putAll(settings);
        return merged;
    }

    /**
     * The run's preset, as its {@code created} event records it: {@code --preset}, or else the one the config file
     * names (null when neither names one). Refused when both name a preset and they differ.
     */
    public static String preset(String preset, Path file) {
        String filePreset = file == null ? null : Presets.canonical(readJson(file).get("preset"));
        preset = Presets.canonical(preset);
        refuseTwoPresets(preset, filePreset, file);
        return preset != null ? preset : filePreset;
    }

    private static void refuseTwoPresets(String preset, String filePreset, Path file) {
        if (preset != null && filePreset != null && !preset.equals(filePreset)) {
            throw new ConfigException("preset", "--preset " + ConfigException.clip(preset, 60) + " and the preset '"
                    + ConfigException.clip(filePreset, 60) + "' of " + file + " differ; give one of them");
        }
    }

    /** Resolves a preset name (or null) and a key/value map, as the launch API sends them. */
    public static RunConfig resolve(String preset, Map<String, String> values) {
        Map<String, String> merged = new LinkedHashMap<>();
        if (preset != null && !preset.isBlank()) merged.putAll(Presets.get(preset));
        merged.putAll(values);
        return ConfigKeys.build(merged);
    }

    /**
     * One note for each key that {@code settings} give more than once with different values: the last is used, as a wrapper
     * script's defaults followed by the user's own settings expect, and the note says so (found 2026-12-04 by a new
     * user: the first value was dropped without a word). With {@code sweep}, the note adds how to sweep several values.
     */
    public static List<String> repeats(List<String> settings, boolean sweep) {
        Map<String, List<String>> values = new LinkedHashMap<>();
        for (String s : settings == null ? List.<String>of() : settings) {
            int eq = s.indexOf('=');
            if (eq > 0) values.computeIfAbsent(s.substring(0, eq).trim(), k -> new ArrayList<>()).add(s.substring(eq + 1).trim());
        }
        List<String> notes = new ArrayList<>();
        values.forEach((key, vs) -> {
            if (vs.stream().distinct().count() < 2) return;
            String last = vs.get(vs.size() - 1);
            notes.add("note: --set " + ConfigException.clip(key, 60) + " given " + vs.size() + " times ("
                    + String.join(", ", vs.stream().limit(4).map(v -> "'" + ConfigException.clip(v, 30) + "'").toList()) + (vs.size() > 4 ? ", ..." : "")
                    + "): the last, '" + ConfigException.clip(last, 30) + "', is used"
                    + (sweep && !last.contains(",") ? "; to sweep several values, give one --set " + ConfigException.clip(key, 60) + "=v1,v2" : ""));
        });
        return notes;
    }

    /** Parses {@code key=value} strings; a missing '=' or empty key is refused naming the setting; a key given twice takes the last. */
    public static Map<String, String> parseSettings(List<String> settings) {
        Map<String, String> m = new LinkedHashMap<>();
        List<ConfigException.FieldError> errors = new ArrayList<>();
        for (String s : settings == null ? List.<String>of() : settings) {
            int eq = s.indexOf('=');
            if (eq <= 0) {
                errors.add(new ConfigException.FieldError(s, "expected key=value"));
                continue;
            }
            m.put(s.substring(0, eq).trim(), s.substring(eq + 1).trim());      // the last of a key given twice (repeats)
        }
        if (!errors.isEmpty()) throw new ConfigException(errors);
        return m;
    }

    /** Reads a JSON object of scalar values as key/value text. */
    public static Map<String, String> readJson(Path file) {
        JsonNode root;
        if (file.toString().isBlank()) throw new ConfigException("--config", "empty; give a JSON config file, or leave --config out");
        if (!Files.exists(file)) throw new ConfigException("--config", file + ": no such file");
        if (Files.isDirectory(file)) throw new ConfigException("--config", file + ": is a folder, not a JSON config file");
        try {
            root = sparselab.log.Json.STRICT.readTree(Files.readString(file));
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new ConfigException("--config", file + ": not valid JSON: " + sparselab.log.Json.plain(e));
        } catch (NumberFormatException e) {             // 1e999999999999, as the API refuses it
            throw new ConfigException("--config", file + ": not valid JSON: " + sparselab.log.Json.plain(e));
        } catch (java.nio.charset.CharacterCodingException e) {     // Java's own message says only "Input length = 1"
            throw new ConfigException("--config", file + ": not UTF-8 text; save the JSON file as UTF-8");
        } catch (IOException e) {
            throw new ConfigException("--config", file + ": cannot be read (" + e.getMessage() + ")");
        }
        if (root == null || !root.isObject()) throw new ConfigException("--config", file + ": a config file must be a JSON object of key: value");
        Map<String, String> m = new LinkedHashMap<>();
        for (Iterator<Map.Entry<String, JsonNode>> it = root.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> e = it.next();
            if (!e.getValue().isValueNode() || e.getValue().isNull()) {
                throw new ConfigException(e.getKey(), file + ": value must be a number, string or boolean");
            }
            m.put(e.getKey(), text(e.getValue()));
        }
        return m;
    }

    /**
     * A JSON value (string, number or boolean) as key/value text: the one conversion of a config file's values and of
     * a web launch's. JSON has one kind of number, so a whole number written with a fraction or an exponent
     * ({@code 2.0}, {@code 1e2}, as many tools write every number) is the integer it equals; another number is written
     * as people write it ({@code 2.5}, {@code 1e300}, {@code 1e-7}), never in Java's {@code 1.0E300}; any other value
     * is its own text.
     */
    public static String text(JsonNode v) {
        if (v.isFloatingPointNumber()) {
            java.math.BigDecimal exact;
            if (v.isBigDecimal()) {
                exact = v.decimalValue();                      // as written (Json.STRICT reads numbers exactly)
            } else if (Double.isFinite(v.doubleValue())) {
                exact = java.math.BigDecimal.valueOf(v.doubleValue());
            } else {
                return v.asText();
            }
            java.math.BigDecimal b = exact.stripTrailingZeros();
            if (b.scale() <= 0 && b.abs().compareTo(TWO_TO_53) < 0) return b.toBigIntegerExact().toString();
            int exponent = b.precision() - b.scale() - 1;
            return exponent < -6 || exponent > 20 ? RunConfig.withPowerOfTen(b) : b.toPlainString();
        }
        return v.asText();
    }

    private static final java.math.BigDecimal TWO_TO_53 = java.math.BigDecimal.valueOf(1L << 53);
}
