package sparselab.config;

import java.util.List;
import java.util.stream.Collectors;

/**
 * A configuration was refused; each error names the key (or file) at fault. Nothing has been written. At most
 * {@link #MAX_LISTED} errors are listed in the message (a request with thousands of bad keys gets a short answer); the
 * rest are counted in {@link #omitted()} and the message ends with "and N more". A form marks each of its fields at
 * fault, so up to {@link #MAX_FIELDS} errors are kept for it ({@link #fieldErrors()}): a form of every key, each one
 * wrong, has each named.
 */
public final class ConfigException extends RuntimeException {
    /** Errors listed in the message; the others are only counted there. */
    public static final int MAX_LISTED = 8;
    /** Errors kept for a form's fields: more than the configuration's keys, still a bounded answer. */
    public static final int MAX_FIELDS = 64;

    /**
     * One refused field: the configuration key (or {@code "file"}, {@code "preset"}) and why; a key longer than any
     * real one (whatever was sent) is quoted clipped to 60 characters, then its length. A key clipped already (an error
     * built again from another's key, with its message extended) is kept as it is, so its length stays the one sent.
     */
    public record FieldError(String key, String message) {
        public FieldError {
            if (!isClipped(key, 60)) key = clip(key, 60);
        }

        @Override public String toString() { return key + ": " + message; }
    }

    private final List<FieldError> errors;
    private final List<FieldError> kept;
    private final int omitted;
    private final int notKept;

    public ConfigException(List<FieldError> errors) {
        this(errors, 0);
    }

    /** @param alsoOmitted errors the caller did not even build (counted, not listed) */
    public ConfigException(List<FieldError> errors, int alsoOmitted) {
        super(message(errors, alsoOmitted));
        this.kept = List.copyOf(errors.subList(0, Math.min(errors.size(), MAX_FIELDS)));
        this.errors = kept.subList(0, Math.min(kept.size(), MAX_LISTED));
        this.omitted = Math.max(0, errors.size() - MAX_LISTED) + alsoOmitted;
        this.notKept = Math.max(0, errors.size() - MAX_FIELDS) + alsoOmitted;
    }

    /** The same refusal with its kept errors replaced (a message extended, a key named otherwise), the count of the rest kept. */
    public ConfigException withFieldErrors(List<FieldError> replaced) {
        return new ConfigException(replaced, notKept);
    }

    public ConfigException(String key, String message) {
        this(List.of(new FieldError(key, message)));
    }

    /** The listed errors (at most {@link #MAX_LISTED}). */
    public List<FieldError> errors() { return errors; }

    /** The errors kept for a form's fields (at most {@link #MAX_FIELDS}); the message lists the first of them. */
    public List<FieldError> fieldErrors() { return kept; }

    /** How many more errors there were than {@link #errors()} lists. */
    public int omitted() { return omitted; }

    private static String message(List<FieldError> errors, int alsoOmitted) {
        String listed = errors.stream().limit(MAX_LISTED).map(FieldError::toString).collect(Collectors.joining("; "));
        int more = Math.max(0, errors.size() - MAX_LISTED) + alsoOmitted;
        return more == 0 ? listed : listed + "; and " + more + " more";
    }

    /** Whether {@code text} is what {@link #clip} made of a longer text: its first {@code max} characters, then its length. */
    static boolean isClipped(String text, int max) {
        if (text == null || text.length() <= max) return false;
        // its first max characters may be longer written (a control character as an escape): the suffix at the end
        java.util.regex.Matcher m = java.util.regex.Pattern.compile("(?s)(.*)\\.\\.\\. \\(([0-9]{1,10}) characters\\)").matcher(text);
        return m.matches() && m.group(1).length() >= max && Long.parseLong(m.group(2)) > max;
    }

    /**
     * At most {@code max} characters of a text the user sent, for quoting it in a message; a line break, tab or other
     * control character in it written as an escape ({@code \n}, {@code \t}, or backslash, u and its four hex digits), so that a one-line
     * refusal stays one line (found 2026-12-04 by a new user: {@code --set "hidden=1<newline>6"} was quoted over two).
     */
    public static String clip(String text, int max) {
        if (text == null) return null;
        String cut = text.length() <= max ? text : text.substring(0, max);
        String shown = visible(cut);
        return text.length() <= max ? shown : shown + "... (" + text.length() + " characters)";
    }

    /** {@code text} with its control characters written as escapes. */
    public static String visible(String text) {
        if (text.chars().noneMatch(Character::isISOControl)) return text;
        StringBuilder b = new StringBuilder(text.length() + 8);
        for (char c : text.toCharArray()) {
            if (!Character.isISOControl(c)) b.append(c);
            else if (c == '\n') b.append("\\n");
            else if (c == '\r') b.append("\\r");
            else if (c == '\t') b.append("\\t");
            else b.append(String.format(java.util.Locale.ROOT, "\\u%04x", (int) c));
        }
        return b.toString();
    }
}
