package sparselab.server;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import io.javalin.http.BadRequestResponse;
import io.javalin.http.ContentTooLargeResponse;
import io.javalin.http.HttpResponseException;
import io.javalin.http.Context;
import sparselab.config.ConfigException;
import sparselab.config.ConfigException.FieldError;
import sparselab.log.Json;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.Iterator;
import java.util.List;
import java.util.Set;

/**
 * Request bodies: read through {@link #text} only, which stops at {@link #MAX_BYTES} bytes actually read (a chunked
 * body has no Content-Length to check beforehand), and parsed by {@link #object} as one JSON object with known fields.
 */
public final class JsonBody {
    /** The largest request body read, in bytes (also Javalin's limit on a declared Content-Length). */
    public static final int MAX_BYTES = 1_000_000;
    /** Unknown fields listed by name in a refusal, as many as a configuration's refusal lists; the others are counted. */
    private static final int MAX_UNKNOWN_LISTED = ConfigException.MAX_LISTED;

    private JsonBody() {}

    /**
     * The request body as UTF-8 text, read up to {@link #MAX_BYTES}: a longer body, declared or chunked, is refused
     * with 413 after reading at most one byte more than the limit (the rest is never buffered).
     */
    public static String text(Context ctx) {
        checkType(ctx.header("Content-Type"));
        if (ctx.req().getContentLengthLong() > MAX_BYTES) {
            throw new ContentTooLargeResponse("body: larger than the limit of " + MAX_BYTES + " bytes");
        }
        byte[] bytes;
        try {
            bytes = ctx.req().getInputStream().readNBytes(MAX_BYTES + 1);
        } catch (IOException e) {
            throw new BadRequestResponse("body: " + unread(e, ctx.req().getContentLengthLong()));
        }
        if (bytes.length > MAX_BYTES) {
            throw new ContentTooLargeResponse("body: larger than the limit of " + MAX_BYTES + " bytes");
        }
        return new String(bytes, StandardCharsets.UTF_8);
    }

    /**
     * The body of an action that takes none (cancel, resume, twin): none, or {@code {}} as the pages send it; anything
     * else is refused as a body of the wrong shape (415 for another type, 413 over the limit, 400 for anything but an
     * empty object), before the action is taken. A form posted from elsewhere or a mistyped request changes nothing.
     */
    public static void none(Context ctx) {
        String text = text(ctx);
        if (text.isBlank()) return;
        JsonNode root = object(text, "with no fields: {} (this action takes no body)", null, new java.util.ArrayList<>());
        List<FieldError> errors = new java.util.ArrayList<>();
        for (Iterator<String> it = root.fieldNames(); it.hasNext() && errors.size() < MAX_UNKNOWN_LISTED; ) {
            errors.add(new FieldError(it.next(), "unknown field; this action takes no body (send none, or {})"));
        }
        if (!errors.isEmpty()) throw new ConfigException(errors, root.size() - errors.size());
    }

    /**
     * Why a body could not be read, in words, without Jetty's exception names: it stopped coming (the server's idle
     * timeout, 30 s), or it ended before its declared length or with a chunk that is not one.
     */
    static String unread(IOException e, long declared) {
        boolean idle = false;
        for (Throwable t = e; t != null; t = t.getCause()) idle |= t instanceof java.util.concurrent.TimeoutException;
        if (idle) {
            return "not received in full: nothing more came for 30 s" + (declared >= 0 ? " (Content-Length: " + declared + " bytes)" : "");
        }
        return declared >= 0
                ? "ended before its Content-Length of " + declared + " bytes"
                : "ended early, or a chunk of it is not valid (Transfer-Encoding: chunked: each chunk a hex size, CRLF, the bytes, CRLF)";
    }

    /**
     * A body's declared type must be JSON ({@code application/json} or {@code application/...+json}) in UTF-8, or not
     * declared at all; otherwise 415 naming the type sent (clipped). {@code curl -d} without {@code -H} declares a form.
     */
    static void checkType(String contentType) {
        if (contentType == null || contentType.isBlank()) return;
        String[] parts = contentType.split(";", -1);        // ";" alone is two empty parts: no type, refused
        String type = parts[0].trim().toLowerCase(java.util.Locale.ROOT);
        boolean json = type.equals("application/json") || (type.startsWith("application/") && type.endsWith("+json"));
        String charset = null;
        for (int i = 1; i < parts.length; i++) {
            String[] kv = parts[i].split("=", 2);
            if (kv.length == 2 && kv[0].trim().equalsIgnoreCase("charset")) charset = kv[1].trim().replace("\"", "");
        }
        if (json && (charset == null || charset.equalsIgnoreCase("utf-8") || charset.equalsIgnoreCase("utf8"))) return;
        throw new HttpResponseException(415, "body: Content-Type must be application/json (UTF-8); this request sent "
                + ConfigException.clip(contentType, 80) + " (with curl: -H 'Content-Type: application/json')");
    }

    /** A JSON value that is not the one expected, in words, clipped: "the number 1", "the boolean true", "null", "a list", "an object". */
    public static String describe(JsonNode v) {
        if (v.isNumber()) return "the number " + ConfigException.clip(sparselab.config.ConfigLoader.text(v), 60);
        if (v.isBoolean()) return "the boolean " + v.asText();
        if (v.isNull()) return "null";
        if (v.isArray()) return "a list";
        if (v.isObject()) return "an object";
        return "the string \"" + ConfigException.clip(v.asText(), 60) + "\"";
    }

    /**
     * Jackson's reason for refusing a body, in short: no source description or feature names (a start marker's
     * "[Source: REDACTED (StreamReadFeature...); line: 1, column: 1]" is left out), a token it quotes clipped to 60
     * characters, and where it stopped: "Unexpected end-of-input: expected close marker for Object, line 1, column 2".
     */
    static String reason(JsonProcessingException e) {
        String m = Json.plain(e.getOriginalMessage());
        java.util.regex.Matcher quoted = java.util.regex.Pattern.compile("'([^']*)'").matcher(m);
        StringBuilder out = new StringBuilder();
        while (quoted.find()) quoted.appendReplacement(out, java.util.regex.Matcher.quoteReplacement("'" + ConfigException.clip(quoted.group(1), 60) + "'"));
        quoted.appendTail(out);
        String why = ConfigException.clip(out.toString(), 300);
        var at = e.getLocation();
        return at == null || at.getLineNr() < 0 ? why : why + ", line " + at.getLineNr() + ", column " + at.getColumnNr();
    }

    /**
     * An optional string field of {@code root}, trimmed: absent or null is null (left out); anything but a string, or
     * an empty or blank one, adds an error naming the field ({@code give}: what to give instead) and is null. An empty
     * name is a mistake to say, not a field left out.
     */
    public static String optionalText(JsonNode root, String field, String give, List<FieldError> errors) {
        JsonNode v = root.get(field);
        if (v == null || v.isNull()) return null;
        if (!v.isTextual()) {
            errors.add(new FieldError(field, "expected a string, not " + describe(v)));
            return null;
        }
        if (v.asText().isBlank()) {
            errors.add(new FieldError(field, (v.asText().isEmpty() ? "empty" : "blank") + "; give " + give + ", or leave it out"));
            return null;
        }
        return v.asText().trim();
    }

    /**
     * The body as a JSON object; malformed JSON or another shape is refused at once (field {@code body}), each unknown
     * field is added to {@code errors}.
     *
     * @param shape  what the object should look like, for the message
     * @param fields the fields it may have; null: any (the caller checks them)
     */
    public static JsonNode object(String body, String shape, Set<String> fields, List<FieldError> errors) {
        JsonNode root;
        try {
            root = Json.STRICT.readTree(body == null ? "" : body);
        } catch (JsonProcessingException e) {
            throw new ConfigException("body", "not valid JSON (" + reason(e) + ")");
        } catch (NumberFormatException e) {
            // a number whose exponent no decimal can hold (1e999999999999): Jackson's reason names Java types
            throw new ConfigException("body", "not valid JSON (" + Json.plain(e) + ")");
        }
        if (root == null || root.isMissingNode() || !root.isObject()) {
            throw new ConfigException("body", "expected a JSON object " + shape);
        }
        if (fields == null) return root;                 // any fields: the caller reads them (none: every one refused)
        String expected = String.join(", ", fields.stream().sorted().toList());
        int unknown = 0;
        for (Iterator<String> it = root.fieldNames(); it.hasNext(); ) {
            String f = it.next();
            if (fields.contains(f)) continue;
            if (++unknown <= MAX_UNKNOWN_LISTED) errors.add(new FieldError(f, "unknown field; expected " + expected));  // quoted clipped
        }
        if (unknown > MAX_UNKNOWN_LISTED) throw new ConfigException(errors, unknown - MAX_UNKNOWN_LISTED);
        return root;
    }
}
