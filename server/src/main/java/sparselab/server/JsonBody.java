package sparselab.server;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import sparselab.config.ConfigException;
import sparselab.config.ConfigException.FieldError;
import sparselab.log.Json;

import java.util.Iterator;
import java.util.List;
import java.util.Set;

/** Request bodies that must be one JSON object with known fields. */
public final class JsonBody {
    private JsonBody() {}

    /**
     * The body as a JSON object; malformed JSON or another shape is refused at once (field {@code body}), each unknown
     * field is added to {@code errors}.
     *
     * @param shape what the object should look like, for the message
     */
    public static JsonNode object(String body, String shape, Set<String> fields, List<FieldError> errors) {
        JsonNode root;
        try {
            root = Json.MAPPER.readTree(body == null ? "" : body);
        } catch (JsonProcessingException e) {
            throw new ConfigException("body", "not valid JSON: " + e.getOriginalMessage());
        }
        if (root == null || root.isMissingNode() || !root.isObject()) {
            throw new ConfigException("body", "expected a JSON object " + shape);
        }
        for (Iterator<String> it = root.fieldNames(); it.hasNext(); ) {
            String f = it.next();
            if (!fields.contains(f)) errors.add(new FieldError(f, "unknown field; expected " + String.join(", ", fields.stream().sorted().toList())));
        }
        return root;
    }
}
