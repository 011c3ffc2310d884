package sparselab.groups;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import sparselab.config.ConfigException;
import sparselab.config.ConfigException.FieldError;
import sparselab.log.Json;
import sparselab.server.JsonBody;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Iterator;
import java.util.List;
import java.util.Set;

/**
 * The body of {@code POST /api/ladder}: {@code {"a": run id, "b": run id, "order": ["key", ...] or "key,key", "name": group}};
 * {@code order} and {@code name} may be left out.
 */
public record LadderRequest(String a, String b, List<String> order, String name) {
    private static final Set<String> FIELDS = Set.of("a", "b", "order", "name");

    /** Parses the body, refusing with a {@link ConfigException} naming the field at fault. */
    public static LadderRequest parse(String body) {
        List<FieldError> errors = new ArrayList<>();
        JsonNode root = JsonBody.object(body, "{\"a\": run id, \"b\": run id, \"order\": [key, ...]}", FIELDS, errors);
        String a = runId(root, "a", errors);
        String b = runId(root, "b", errors);
        String name = JsonBody.optionalText(root, "name", "1 to 80 letters, digits or _.:+-", errors);
        List<String> order = new ArrayList<>();
        JsonNode o = root.get("order");
        if (o != null && !o.isNull()) {
            if (o.isTextual()) {
                // "" is no order; an empty key inside one ("beta,,rho", "beta,") is refused by the ladder, naming it
                if (!o.asText().isBlank()) Arrays.stream(o.asText().split(",", -1)).map(String::trim).forEach(order::add);
            } else if (o.isArray()) {
                for (JsonNode k : o) {
                    if (k.isTextual() && !k.asText().isBlank()) order.add(k.asText().trim());
                    else errors.add(new FieldError("order", "expected configuration keys as strings, not " + ConfigException.clip(k.toString(), 60)));
                }
            } else {
                errors.add(new FieldError("order", "expected a list of configuration keys"));
            }
        }
        if (a != null && a.equals(b)) errors.add(new FieldError("b", "a ladder needs two different runs"));
        if (!errors.isEmpty()) throw new ConfigException(errors);
        return new LadderRequest(a, b, List.copyOf(order), name);
    }

    /** A run id: missing, null or blank is refused as missing. */
    private static String runId(JsonNode root, String field, List<FieldError> errors) {
        JsonNode v = root.get(field);
        if (v == null || v.isNull() || (v.isTextual() && v.asText().isBlank())) {
            errors.add(new FieldError(field, "missing; give a run id"));
            return null;
        }
        if (!v.isTextual()) {
            errors.add(new FieldError(field, "expected a run id as a string, not " + JsonBody.describe(v)));
            return null;
        }
        return v.asText().trim();
    }
}
