package sparselab.config;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The resource limits of one log and its dashboard, with defaults that fit a workstation. Each can be changed with an
 * environment variable, read once by every command (train, sweep, ladder, serve, demo), so the command line and the
 * dashboard refuse the same things. Sizes take a suffix K, M, G or T (powers of 1024), e.g. {@code 2G}.
 *
 * @param maxRunBytes    the estimated log bytes of one run ({@link LogEstimate}); {@code SPARSELAB_MAX_RUN_BYTES}, default 1 GiB
 * @param maxLogBytes    the log file's bytes plus the estimates of the runs being queued; {@code SPARSELAB_MAX_LOG_BYTES}, default 10 GiB
 * @param maxQueuedRuns  queued runs a web launch may add to; {@code SPARSELAB_MAX_QUEUED_RUNS}, default 100
 * @param maxImagePixels pixels of one weight image the dashboard draws; {@code SPARSELAB_MAX_IMAGE_PIXELS}, default 16,000,000
 */
public record Limits(long maxRunBytes, long maxLogBytes, int maxQueuedRuns, long maxImagePixels) {
    public static final String RUN_BYTES = "SPARSELAB_MAX_RUN_BYTES";
    public static final String LOG_BYTES = "SPARSELAB_MAX_LOG_BYTES";
    public static final String QUEUED_RUNS = "SPARSELAB_MAX_QUEUED_RUNS";
    public static final String IMAGE_PIXELS = "SPARSELAB_MAX_IMAGE_PIXELS";

    private static final long GIB = 1L << 30;

    public Limits {
        if (maxRunBytes < 1 || maxLogBytes < 1 || maxQueuedRuns < 1 || maxImagePixels < 1) {
            throw new IllegalArgumentException("every limit must be at least 1");
        }
    }

    /** The defaults, whatever the environment says. */
    public static Limits defaults() {
        return new Limits(GIB, 10 * GIB, 100, 16_000_000L);
    }

    /** The defaults, changed by the process environment. */
    public static Limits fromEnvironment() {
        return from(System.getenv());
    }

    /** The defaults, changed by the variables of {@code env} that are set; a malformed value is refused naming the variable. */
    public static Limits from(Map<String, String> env) {
        Limits d = defaults();
        List<ConfigException.FieldError> errors = new ArrayList<>();
        long run = size(env, RUN_BYTES, d.maxRunBytes, errors);
        long log = size(env, LOG_BYTES, d.maxLogBytes, errors);
        long queued = size(env, QUEUED_RUNS, d.maxQueuedRuns, errors);
        long pixels = size(env, IMAGE_PIXELS, d.maxImagePixels, errors);
        if (queued > Integer.MAX_VALUE) errors.add(new ConfigException.FieldError(QUEUED_RUNS, queued + " is too large"));
        if (!errors.isEmpty()) throw new ConfigException(errors);
        return new Limits(run, log, (int) queued, pixels);
    }

    private static long size(Map<String, String> env, String name, long def, List<ConfigException.FieldError> errors) {
        String v = env.get(name);
        if (v == null || v.isBlank()) return def;
        try {
            long n = parseSize(v);
            if (n < 1) throw new NumberFormatException();
            return n;
        } catch (TooLarge e) {
            errors.add(new ConfigException.FieldError(name, "'" + ConfigException.clip(v, 40) + "' is too large (less than 8 EiB)"));
            return def;
        } catch (NumberFormatException e) {
            errors.add(new ConfigException.FieldError(name, "'" + ConfigException.clip(v, 40) + "' is not a positive whole number (suffix K, M, G or T allowed, or KiB, MB ...)"));
            return def;
        }
    }

    /** {@code 1500}, {@code 512M}, {@code 2G}, {@code 1T} (powers of 1024). */
    /** A size beyond what a long counts in bytes. */
    private static final class TooLarge extends NumberFormatException {
        TooLarge(String text) { super(text); }
    }

    static long parseSize(String text) {
        String t = text.trim().toUpperCase(Locale.ROOT);
        if (t.endsWith("B")) t = t.substring(0, t.length() - 1);
        if (t.endsWith("I") && t.length() > 1 && "KMGT".indexOf(t.charAt(t.length() - 2)) >= 0) t = t.substring(0, t.length() - 1);  // KiB, MiB ...
        int shift = 0;
        if (!t.isEmpty()) {
            switch (t.charAt(t.length() - 1)) {
                case 'K' -> shift = 10;
                case 'M' -> shift = 20;
                case 'G' -> shift = 30;
                case 'T' -> shift = 40;
                default -> { }
            }
        }
        if (shift > 0) t = t.substring(0, t.length() - 1).trim();
        if (!t.matches("[0-9]{1,30}")) throw new NumberFormatException(text);
        java.math.BigInteger n = new java.math.BigInteger(t).shiftLeft(shift);
        if (n.bitLength() > 63) throw new TooLarge(text);         // beyond a long (8 EiB): no disk holds it
        return n.longValueExact();
    }

    /** {@code 1.5 GiB}, {@code 300 MiB}, {@code 900 bytes}. */
    public static String bytes(long n) {
        if (n < 1024) return n + " bytes";
        String[] units = {"KiB", "MiB", "GiB", "TiB", "PiB", "EiB"};
        double v = n;
        int u = -1;
        while (v >= 1024 && u < units.length - 1) {
            v /= 1024;
            u++;
        }
        return (v >= 100 ? String.format(Locale.ROOT, "%.0f", v) : String.format(Locale.ROOT, "%.1f", v)) + " " + units[u];
    }

    /** One line for a server's start: the limits in force and how to change them. */
    public String describe() {
        return String.format(Locale.ROOT, "limits: %s per run (%s), %s per log (%s), %d queued %s (%s), %,d %s per image (%s)",
                bytes(maxRunBytes), RUN_BYTES, bytes(maxLogBytes), LOG_BYTES, maxQueuedRuns, maxQueuedRuns == 1 ? "run" : "runs", QUEUED_RUNS,
                maxImagePixels, maxImagePixels == 1 ? "pixel" : "pixels", IMAGE_PIXELS);
    }
}
