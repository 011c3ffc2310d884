package sparselab.log;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.util.List;
import java.util.Map;

/** The log's JSON: one shared, configured Jackson mapper. */
public final class Json {
    private Json() {}

    public static final ObjectMapper MAPPER = new ObjectMapper()
            .configure(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES, false);

    /**
     * For what people send (request bodies, --config files): exactly one JSON value, nothing after it (a second object,
     * a comment), no key given twice, so that what is acted on is never a guess between two readings; a number with a
     * fraction or an exponent is read exactly (a DecimalNode).
     */
    public static final com.fasterxml.jackson.databind.ObjectReader STRICT = MAPPER.reader()
            .with(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
            // numbers as they were written (1e-400 is not 0, 1e400 not Infinity): a refusal quotes what was sent
            .with(DeserializationFeature.USE_BIG_DECIMAL_FOR_FLOATS)
            .with(com.fasterxml.jackson.core.JsonParser.Feature.STRICT_DUPLICATE_DETECTION);

    public static String write(Object o) {
        try {
            return MAPPER.writeValueAsString(o);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot write JSON for " + o.getClass().getSimpleName(), e);
        }
    }

    public static <T> T read(String json, Class<T> type) {
        try {
            return MAPPER.readValue(json, type);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("corrupt JSON in the log for " + type.getSimpleName() + ": " + e.getOriginalMessage(), e);
        }
    }

    public static Map<String, String> stringMap(String json) {
        try {
            return MAPPER.readValue(json, new TypeReference<java.util.LinkedHashMap<String, String>>() {});
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("corrupt JSON object in the log: " + e.getOriginalMessage(), e);
        }
    }

    public static List<String> stringList(String json) {
        try {
            return MAPPER.readValue(json, new TypeReference<List<String>>() {});
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("corrupt JSON list in the log: " + e.getOriginalMessage(), e);
        }
    }

    /**
     * A Jackson error in plain words: its message without the names of Jackson's own settings ("from `...`", "enable
     * `...` to allow", "(for `...`)", "not allowed as per `...`", "(bound as `...`)") and with the place as "line L, column C".
     */
    public static String plain(com.fasterxml.jackson.core.JsonProcessingException e) {
        String m = plain(e.getOriginalMessage());
        var at = e.getLocation();
        return at == null || at.getLineNr() < 0 ? m : m + " at line " + at.getLineNr() + ", column " + at.getColumnNr();
    }

    /**
     * The parser's refusal of a number no decimal holds (its exponent beyond any range: 1e999999999999), which it
     * throws as a {@code NumberFormatException} that names Java types, in plain words: "the number 1e999999999999 has
     * an exponent beyond any range".
     */
    public static String plain(NumberFormatException e) {
        java.util.regex.Matcher v = java.util.regex.Pattern.compile("\"([^\"]*)\"").matcher(String.valueOf(e.getMessage()));
        return (v.find() ? "the number " + sparselab.config.ConfigException.clip(v.group(1), 60) : "a number") + " has an exponent beyond any range";
    }

    /** {@link #plain(com.fasterxml.jackson.core.JsonProcessingException)} of a message alone. */
    public static String plain(String message) {
        if (message == null) return "";
        return message.replaceAll(",? from `[^`]*`", "").replaceAll(": enable `[^`]*` to allow", "")
                .replaceAll("\\s*\\(for `[^`]*`\\)", "").replaceAll(":? not allowed as per `[^`]*`", "")
                .replaceAll("\\s*\\(bound as `[^`]*`\\)", "")
                // a start marker's "(start marker at [Source: REDACTED (StreamReadFeature...); line: 1, column: 1])"
                .replaceAll("\\s*\\(start marker at \\[Source:[^\\]]*\\]\\)", "").replaceAll("\\s*\\[Source:[^\\]]*\\]", "")
                .replaceAll("\\s+", " ").strip();
    }
}
