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
 * The body of {@code POST /api/ladder}: {@code {"a": run id, "b": run id, "order": ["key", ...] or "key,key", "name": group,
 * "seeds": N}}; {@code order}, {@code name} and {@code seeds} (replicates of every step, as {@code ladder --seeds}; 1
 * when left out) may be left out.
 */
public record LadderRequest(String a, String b, List<String> order, String name, int seeds) {
    private static final Set<String> FIELDS = Set.of("a", "b", "order", "name", "seeds");

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
                    if (k.isTextual()) order.add(k.asText().trim());      // an empty one is refused by the ladder, naming it
                    else errors.add(new FieldError("order", "expected configuration keys as strings, not " + ConfigException.clip(k.toString(), 60)));
                }
            } else {
                errors.add(new FieldError("order", "expected a list of configuration keys"));
            }
        }
        int seeds = 1;
        JsonNode n = root.get("seeds");
        if (n != null && !n.isNull()) {
            // a whole number (2, 2.0 or "2", as a launch's values are read); its range is the ladder's to check
            java.math.BigDecimal v = null;
            try {
                // text as a launch's values are read ("2", "2.0", "1e1"), digits 0-9 only, and not as long as a book
                String t = n.isTextual() ? n.asText().trim() : null;
                if (n.isNumber()) v = n.decimalValue();
                else if (t != null && t.length() <= 60 && t.chars().allMatch(c -> c < 128)) v = new java.math.BigDecimal(t);
            } catch (NumberFormatException e) {
                v = null;
            }
            if (v == null || v.stripTrailingZeros().scale() > 0) {
                errors.add(new FieldError("seeds", "expected a whole number of replicates, 1 to " + sparselab.runs.Sweeps.MAX_SEEDS + ", not "
                        + ConfigException.clip(n.toString(), 60)));
            } else if (v.compareTo(java.math.BigDecimal.ONE) < 0 || v.compareTo(java.math.BigDecimal.valueOf(sparselab.runs.Sweeps.MAX_SEEDS)) > 0) {
                // quoted as read, never written out (1e999999999 in full would be a billion digits)
                errors.add(new FieldError("seeds", ConfigException.clip(n.isTextual() ? n.asText().trim() : n.toString(), 60) + " is out of range: 1 to "
                        + sparselab.runs.Sweeps.MAX_SEEDS));
            } else {
                seeds = v.intValueExact();
            }
        }
        if (a != null && a.equals(b)) errors.add(new FieldError("b", "a ladder needs two different runs"));
        if (!errors.isEmpty()) throw new ConfigException(errors);
        return new LadderRequest(a, b, List.copyOf(order), name, seeds);
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
