package sparselab.store;

import java.util.List;
import java.util.Locale;

/**
 * Which runs a page of the runs list keeps: a status as a user sees it ({@code interrupted} included) and a text of
 * words apart ({@link #terms}), each of which a run must match: a word occurs, in any case, in the run's id, status (as a user sees it),
 * preset, group or origin, in one of its tags, or in one key or value of its configuration (or, written key=value,
 * equals one configuration value). A word is matched as it is written, against what a user reads: never against the
 * JSON the configuration and tags are stored as, so a quote, brace, colon or comma matches only a run that has one in
 * a value or tag. Null or blank keeps everything.
 */
public record RunFilter(String status, String text) {
    public static final RunFilter ALL = new RunFilter(null, null);

    /** A key compared with a value: {@code hidden>10}, {@code beta<=1}, {@code beta!=0}. */
    private static final java.util.regex.Pattern COMPARISON = java.util.regex.Pattern.compile("([A-Za-z]+)(<=|>=|!=|<>|<|>)(.*)");

    /** The longest text, and the most words, a filter takes (each word is a condition of the query). */
    public static final int MAX_CHARS = 200, MAX_TERMS = 16;

    /**
     * Why {@code text} is refused as a filter (too long, or too many words), or null when it is taken: the one rule of
     * the dashboard's {@code q} and {@code runs -q}.
     */
    public static String refusal(String text) {
        // characters as a reader counts them (an emoji is one, not the two UTF-16 units Java stores)
        int chars = text == null ? 0 : text.codePointCount(0, text.length());
        if (chars > MAX_CHARS) return "at most " + MAX_CHARS + " characters (" + chars + " given)";
        // a control character other than whitespace (NUL, a terminal escape): no run's text holds one, and PostgreSQL
        // refuses a NUL in any text it is sent (the query failed with a 500)
        for (int i = 0, at = 1; text != null && i < text.length(); at++) {
            int cp = text.codePointAt(i);
            if (Character.isISOControl(cp) && !Character.isWhitespace(cp)) {
                return String.format(java.util.Locale.ROOT, "a control character (U+%04X) at character %d; give words to match", cp, at);
            }
            i += Character.charCount(cp);
        }
        int n = terms(text).size();
        if (n > MAX_TERMS) return "at most " + MAX_TERMS + " terms (words apart, each of which a run must match; " + n + " given)";
        return null;
    }

    /**
     * For a filter that matched nothing: its key=value words whose key is no configuration key (a typo such as
     * {@code hiden=16} matches no run, and would otherwise look like a filter that found none), each as "hiden=16:
     * unknown key (did you mean hidden?)", and those of a known key without a value ("beta=: no value after '='"),
     * joined by "; ", and with {@code knownKeys} the configuration's keys once at
     * the end ("; known keys: ..."); "" when there are none. The one note of `runs -q` and the dashboard's runs page.
     */
    public static String unknownKeys(String text, boolean knownKeys) {
        List<String> notes = new java.util.ArrayList<>();
        String known = null;
        // the words as typed (the filter compares them in lower case), each unknown key once, the known keys once at the end
        String t = text == null ? "" : text.trim().replaceAll("\\s*=\\s*", "=");
        for (String term : new java.util.LinkedHashSet<>(t.isEmpty() ? List.<String>of() : List.of(t.split("\\s+")))) {
            // a comparison of a known key ("hidden>10", "beta<=1", "beta!=0") is no filter: it was matched as a word
            java.util.regex.Matcher cmp = COMPARISON.matcher(term);
            if (cmp.matches() && sparselab.config.ConfigKeys.all().stream().anyMatch(k -> k.name().equalsIgnoreCase(cmp.group(1)))) {
                notes.add(sparselab.config.ConfigException.clip(term, 60) + ": a comparison, which the filter does not make; give "
                        + cmp.group(1) + "=VALUE for the runs of one value");
                continue;
            }
            int eq = term.indexOf('=');
            if (eq <= 0) continue;
            String key = term.substring(0, eq);
            if (sparselab.config.ConfigKeys.all().stream().anyMatch(k -> k.name().equalsIgnoreCase(key))) {
                // a known key without its value (typed half-way): it matches no run, and the rule of whole values is beside the point
                if (eq == term.length() - 1) notes.add(sparselab.config.ConfigException.clip(term, 60) + ": no value after '='");
                continue;
            }
            String why = sparselab.config.ConfigKeys.unknownKey(key);
            int list = why.indexOf("; known keys: ");
            if (list >= 0) {
                known = why.substring(list);
                why = why.substring(0, list);
            }
            notes.add(sparselab.config.ConfigException.clip(term, 60) + ": " + why);
        }
        return String.join("; ", notes) + (knownKeys && known != null ? known : "");
    }

    /** The text's words, in lower case; a key=value with spaces around its '=' is one word. */
    public List<String> terms() {
        return terms(text);
    }

    /** {@link #terms()} of {@code text} (null or blank: none). */
    public static List<String> terms(String text) {
        String t = text == null ? "" : text.trim().toLowerCase(Locale.ROOT).replaceAll("\\s*=\\s*", "=");
        return t.isEmpty() ? List.of() : List.of(t.split("\\s+"));
    }

    /**
     * A key=value word's value as a run's configuration writes it, when the key is a configuration key and the value a
     * number of it: {@code beta=3.0} and {@code beta=03} look for 3, {@code hidden=16.0} for 16, as {@code --set} reads
     * them. Any other value (a word, one the key refuses) is compared as written. {@code key} in any case.
     */
    public static String canonicalValue(String key, String value) {
        for (sparselab.config.ConfigKeys.Key k : sparselab.config.ConfigKeys.all()) {
            if (!k.name().equalsIgnoreCase(key)) continue;
            try {
                Object v = k.type().parse(k.name(), value);
                if (v instanceof Double d && Double.isFinite(d)) return sparselab.config.RunConfig.num(d);
                if (v instanceof Integer || v instanceof Long) return v.toString();
            } catch (RuntimeException e) {
                // not a value of this key: compared as written
            }
            return value;
        }
        return value;
    }
}
