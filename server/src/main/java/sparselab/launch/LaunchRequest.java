package sparselab.launch;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import sparselab.config.ConfigException;
import sparselab.config.ConfigException.FieldError;
import sparselab.config.ConfigLoader;
import sparselab.log.Json;
import sparselab.server.JsonBody;

import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The body of {@code POST /api/launch}: {@code {"preset": name or null, "config": {key: value}, "group": name}}.
 * Values may be strings, numbers or booleans, converted to text as a {@code --config} file's are
 * ({@link ConfigLoader#text}); the configuration's own rules check them afterwards.
 */
public record LaunchRequest(String preset, Map<String, String> config, String group) {
    private static final Set<String> FIELDS = Set.of("preset", "config", "group");

    /** Parses the body, refusing with a {@link ConfigException} naming the field at fault. */
    public static LaunchRequest parse(String body) {
        List<FieldError> errors = new ArrayList<>();
        JsonNode root = JsonBody.object(body, "{\"preset\": ..., \"config\": {key: value}}", FIELDS, errors);
        String preset = JsonBody.optionalText(root, "preset", "a preset's name (" + String.join(", ", sparselab.config.Presets.names()) + ")", errors);
        String group = JsonBody.optionalText(root, "group", "1 to 80 letters, digits or _.:+-", errors);
        Map<String, String> config = new LinkedHashMap<>();
        JsonNode c = root.get("config");
        if (c != null && !c.isNull()) {
            if (!c.isObject()) {
                errors.add(new FieldError("config", "expected an object of key: value"));
            } else {
                for (Iterator<Map.Entry<String, JsonNode>> it = c.fields(); it.hasNext(); ) {
                    Map.Entry<String, JsonNode> e = it.next();
                    JsonNode v = e.getValue();
                    if (v.isTextual() || v.isNumber() || v.isBoolean()) {
                        config.put(e.getKey(), ConfigLoader.text(v));      // as a --config file's values: 2.0 is the integer 2
                    } else {
                        errors.add(new FieldError(e.getKey(), "expected a string, number or boolean, not " + v.getNodeType().toString().toLowerCase()));
                    }
                }
            }
        }
        if (!errors.isEmpty()) throw new ConfigException(errors);
        return new LaunchRequest(preset, config, group);
    }
}
