package sparselab.server;

import sparselab.config.ConfigException;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The body of every refused API request, bounded whatever was sent: at most {@link ConfigException#MAX_FIELDS}
 * fields (every field of a form at fault), each name and message clipped, the error text clipped, listing
 * {@link ConfigException#MAX_LISTED} errors; a refusal with more errors says "and N more".
 *
 * @param status HTTP status
 * @param error  what was wrong, naming the field or limit at fault
 * @param fields field name to message, for forms (empty when no single field is at fault)
 */
public record ApiError(int status, String error, Map<String, String> fields) {
    static final int MAX_ERROR_CHARS = 4_000;
    static final int MAX_KEY_CHARS = 100;
    static final int MAX_MESSAGE_CHARS = 600;

    /** A refused configuration: its listed errors as fields, and the message that names them. */
    static ApiError of(int status, ConfigException e) {
        Map<String, String> fields = new LinkedHashMap<>();
        e.fieldErrors().forEach(f -> fields.merge(clip(f.key(), MAX_KEY_CHARS), clip(f.message(), MAX_MESSAGE_CHARS), (a, b) -> clip(a + "; " + b, MAX_MESSAGE_CHARS)));
        return new ApiError(status, clip(e.getMessage(), MAX_ERROR_CHARS), fields);
    }

    /** One message; with {@code field}, that field is the one at fault. */
    static ApiError of(int status, String field, String message) {
        String m = clip(message == null ? "" : message, MAX_ERROR_CHARS);
        return new ApiError(status, m, field == null ? Map.of() : Map.of(field, clip(m, MAX_MESSAGE_CHARS)));
    }

    /** {@link #of(int, String, String)} with the field's own words (the message without the field's name before it). */
    static ApiError of(int status, String field, String message, String fieldMessage) {
        return new ApiError(status, clip(message, MAX_ERROR_CHARS), Map.of(field, clip(fieldMessage, MAX_MESSAGE_CHARS)));
    }

    private static String clip(String s, int max) {
        return s == null || s.length() <= max ? s : s.substring(0, max) + "...";
    }
}
