package sparselab.config;

import sparselab.config.Choices.Activation;
import sparselab.config.Choices.Estimator;
import sparselab.config.Choices.Loss;
import sparselab.config.Choices.LrSchedule;
import sparselab.config.Choices.Optimizer;

import sparselab.model.DivergenceWatch;

import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The one place for the configuration keys: their defaults, their documentation and their checks.
 * The command line ({@code --set}), JSON config files, the launch form and the diff all go through here.
 */
public final class ConfigKeys {
    private ConfigKeys() {}

    /**
     * One key: its name, default text, what it means, the accepted values in words, and its type (which parses and
     * checks a value and tells a form which input to draw). A number's or an integer's values are written from its
     * type's range ({@link #words}), never by hand, so that the key table says what the check accepts.
     */
    public record Key(String name, String defaultValue, String doc, String values, Type type) {
        Object parse(String text) { return type.parse(name, text); }

        /** How a form should ask for this key. */
        public Input input() { return type.input(); }
    }

    /**
     * How a form asks for a key, derived from its type.
     *
     * @param kind    {@code choice} (one of {@code choices}), {@code boolean}, {@code integer} or {@code number} (within
     *                min/max, each bound inclusive or not; null = unbounded), or {@code text}
     * @param choices the accepted names of a choice; for other kinds, words also accepted besides a number ({@code off})
     */
    public record Input(String kind, List<String> choices, Double min, boolean minInclusive, Double max, boolean maxInclusive) {}

    /** A key's type: parses and checks a value, and describes its input. */
    public interface Type {
        Object parse(String key, String text);

        Input input();
    }

    private static Type type(Input input, java.util.function.BiFunction<String, String, Object> parser) {
        return new Type() {
            public Object parse(String key, String text) { return parser.apply(key, text); }

            public Input input() { return input; }
        };
    }

    private static Type integer(int min, int max) {
        return type(new Input("integer", List.of(), (double) min, true, (double) max, true), (k, t) -> intIn(k, t, min, max));
    }

    private static Type number(double lo, double hi, boolean loIn, boolean hiIn) {
        return type(new Input("number", List.of(), lo, loIn, hi, hiIn), (k, t) -> dblIn(k, t, lo, hi, loIn, hiIn));
    }

    /** {@code in} that also accepts the word {@code word}. */
    private static Input alsoWord(Input in, String word) {
        return new Input(in.kind(), List.of(word), in.min(), in.minInclusive(), in.max(), in.maxInclusive());
    }

    /**
     * {@code type}'s value of {@code t}, for a key that also takes the word {@code word}: a text that is no number at
     * all is refused naming both ("'on' is neither a number nor off"), a number out of range as {@code type} refuses it.
     */
    private static Object orWord(Type type, String key, String t, String word) {
        try {
            return type.parse(key, t);
        } catch (ConfigException e) {
            if (e.errors().size() != 1) throw e;
            String m = e.errors().get(0).message();
            for (String what : List.of("a number", "an integer")) {
                if (m.endsWith("is not " + what)) {
                    throw new ConfigException(key, m.substring(0, m.length() - ("is not " + what).length()) + "is neither " + what + " nor " + word);
                }
            }
            throw e;
        }
    }

    private static Type bool() {
        return type(new Input("boolean", List.of("true", "false"), null, false, null, false), ConfigKeys::bool);
    }

    @SafeVarargs
    private static <E extends Enum<E> & Choices.Named> Type choice(Class<E> type, E... offered) {
        List<String> names = java.util.Arrays.stream(offered.length > 0 ? offered : type.getEnumConstants()).map(Choices.Named::key).toList();
        return type(new Input("choice", names, null, false, null, false), (k, t) -> Choices.parse(type, k, t));
    }

    private static final Map<String, Key> KEYS = new LinkedHashMap<>();
    private static final String KNOWN;

    /** A number or integer key: its values in words are those of its type's range. */
    private static void key(String name, String def, String doc, Type type) {
        KEYS.put(name, new Key(name, def, doc, words(type.input()), type));
    }

    /** A key of names (a choice, a boolean, text): its values in words as given. */
    private static void key(String name, String def, String doc, String values, Type type) {
        String kind = type.input().kind();
        if (kind.equals("integer") || kind.equals("number")) throw new IllegalArgumentException(name + ": a " + kind + "'s values come from its range");
        KEYS.put(name, new Key(name, def, doc, values, type));
    }

    /**
     * The values of a number or integer input in words: "(0, 1)" or "[0, 1e6]" (a bracket includes its bound),
     * "integer, 1 to 100,000", "integer >= 0" (no bound but the type's), "integer"; after the words also accepted
     * ("log2, or an integer, 1 to 1,000,000"; "(0, 1e9], or off").
     */
    static String words(Input in) {
        String range;
        if (in.kind().equals("integer")) {
            if (in.min() == null) range = SEED_WORDS.substring("an ".length());
            else if (in.max() == null || in.max() >= Integer.MAX_VALUE) range = "integer >= " + String.format(Locale.ROOT, "%,d", in.min().longValue());
            else range = String.format(Locale.ROOT, "integer, %,d to %,d", in.min().longValue(), in.max().longValue());
        } else {
            range = (in.minInclusive() ? "[" : "(") + bound(in.min()) + ", " + bound(in.max()) + (in.maxInclusive() ? "]" : ")");
        }
        if (in.choices().isEmpty()) return range;
        return in.kind().equals("integer") ? String.join(", ", in.choices()) + ", or an " + range : range + ", or " + String.join(", ", in.choices());
    }

    /** The range of a 64-bit integer (the seed's), in words. */
    private static final String SEED_WORDS = String.format(Locale.ROOT, "an integer, %,d to %,d", Long.MIN_VALUE, Long.MAX_VALUE);

    /** A bound as the table writes it: "0.5", "1", "1e6" (with an exponent from 1e5 up). */
    private static String bound(double v) {
        java.math.BigDecimal b = java.math.BigDecimal.valueOf(v).stripTrailingZeros();
        return Math.abs(v) >= 1e5 ? b.toString().replace("E+", "e") : b.toPlainString();
    }

    static {
        key("data", "mnist", "data set", "mnist, bars, idx:PATH",
                type(new Input("choice", List.of("mnist", "bars"), null, false, null, false), (k, t) -> parseData(t)));
        key("limit", "0", "samples used (0 = all)", integer(0, Integer.MAX_VALUE));
        key("holdout", "0.1", "fraction of the samples kept out of training for the held-out error", number(0, 0.5, true, true));
        key("hidden", "196", "hidden units H", integer(1, 100_000));
        key("hiddenActivation", "sigmoid", "hidden activation f", "sigmoid, tanh, relu", choice(Activation.class, Activation.SIGMOID, Activation.TANH, Activation.RELU));
        key("outputActivation", "sigmoid", "output activation g", "sigmoid, tanh, relu, identity", choice(Activation.class));
        key("loss", "squared", "reconstruction loss", "squared, cross-entropy", choice(Loss.class));
        key("optimizer", "sgd", "update rule: ND4J updaters, or full-batch L-BFGS (one epoch = one iteration)", "sgd, nesterov, adam, lbfgs", choice(Optimizer.class));
        key("learningRate", "0.1", "step size", number(0, 1e6, false, true));
        key("lrSchedule", "constant", "how the step size changes over the epochs: constant, or exponential: learningRate x lrDecay^(e-1) "
                + "in epoch e = 1, 2, ... (ND4J's ExponentialSchedule; not used by lbfgs)", "constant, exponential", choice(LrSchedule.class));
        key("lrDecay", "1", "the factor per epoch of lrSchedule=exponential", number(0, 1, false, true));
        key("momentum", "0.9", "momentum of nesterov; beta1 of adam", number(0, 1, true, false));
        key("epochs", "10", "passes over the training samples (lbfgs: iterations)", integer(1, 1_000_000));
        key("batchSize", "100", "samples per update (1 = online; 0 = the whole training set, for lbfgs)", integer(0, 10_000_000));
        key("shuffle", "true", "reshuffle the samples every epoch", "true, false", bool());
        key("seed", "1", "the seed every random choice derives from",
                type(new Input("integer", List.of(), null, false, null, false), ConfigKeys::longOf));
        key("weightDecay", "0", "lambda of the weight decay", number(0, 1e6, true, true));
        key("dropout", "0", "probability a hidden unit is dropped", number(0, 1, true, false));
        key("beta", "0.1", "weight of the sparsity term", number(0, 1e6, true, true));
        key("rho", "0.05", "target activation rate", number(0, 1, false, false));
        key("estimator", "batch-mean", "how rho_hat is estimated", "batch-mean, ema-mean, ema-threshold", choice(Estimator.class));
        key("rhoMomentum", "0.99", "lam of the ema estimators", number(0, 1, true, false));
        key("threshold", "0.5", "theta of ema-threshold", number(-1e6, 1e6, true, true));
        key("eps", "0.000001", "the small constant of the sparse term (the original's \"10e-4\" is 0.001)", number(0, 1, false, false));
        key("epsInEstimate", "false", "also add eps to rho_hat at every update (the original's first version)", "true, false", bool());
        Type bound = number(0, 1e9, false, true);
        key("limiter", "off", "clip bound L of the sparse term",
                type(alsoWord(bound.input(), "off"), (k, t) -> t.equalsIgnoreCase("off") ? Double.POSITIVE_INFINITY : orWord(bound, k, t, "off")));
        Type every = integer(1, 1_000_000);
        key("snapshotEvery", "log2", "weight-snapshot schedule: epochs 0, 1, 2, 4, 8, ... and the last; or every N epochs",
                type(alsoWord(every.input(), "log2"), (k, t) -> t.equalsIgnoreCase("log2") ? "log2" : orWord(every, k, t, "log2").toString()));
        key("stopOn", "none", "divergence flags that stop the run (non-finite weights always stop it); the causes are "
                + DivergenceWatch.causeNames() + " (the rho_hat ones only when beta > 0)", "none, any, or a list of causes joined by commas or + (+ in a sweep)",
                type(new Input("text", List.of("none", "any"), null, false, null, false), (k, t) -> stopOn(t)));
        KNOWN = String.join(", ", KEYS.keySet());
    }

    /**
     * The keys of {@code config} (canonical text, as {@link RunConfig#toMap()} writes it) that have no effect on
     * training with the rest of that configuration, each with the reason.
     */
    public static Map<String, String> ignored(Map<String, String> config) {
        Map<String, String> out = new LinkedHashMap<>();
        String optimizer = config.getOrDefault("optimizer", "");
        String estimator = config.getOrDefault("estimator", "");
        if (optimizer.equals("lbfgs")) {
            out.put("learningRate", "L-BFGS chooses its own step by line search");
            out.put("lrSchedule", "L-BFGS chooses its own step by line search");
            out.put("lrDecay", "L-BFGS chooses its own step by line search");
            out.put("momentum", "L-BFGS has no momentum");
            out.put("shuffle", "L-BFGS uses the whole training set at every iteration");
        } else if (optimizer.equals("sgd")) {
            out.put("momentum", "plain sgd has no momentum");
        }
        if (!optimizer.equals("lbfgs") && "constant".equals(config.get("lrSchedule"))) out.put("lrDecay", "lrSchedule=constant does not decay");
        if (!estimator.equals("ema-threshold")) out.put("threshold", "only ema-threshold counts units above a threshold");
        if (estimator.equals("batch-mean")) out.put("rhoMomentum", "batch-mean keeps no running average");
        if ("0".equals(config.get("beta"))) {
            for (String k : List.of("rho", "limiter", "eps")) out.putIfAbsent(k, "beta = 0: the sparse term is off");
        }
        return out;
    }

    /** All keys, in the order of docs/model.md's table. */
    public static Collection<Key> all() { return KEYS.values(); }

    public static boolean exists(String name) { return KEYS.containsKey(name); }

    /** The refusal of an unknown key: the nearest known key when one is a small slip away (case, a letter or two), then every key. */
    public static String unknownKey(String key) {
        return "unknown key" + meant(key) + "; known keys: " + KNOWN;
    }

    /** " (did you mean beta?)" when a known key is a small slip away from {@code key} (case, a letter or two), else "". */
    public static String meant(String key) {
        String near = nearest(key, KEYS.keySet());
        return near != null ? " (did you mean " + near + "?)" : "";
    }

    /** The one of {@code names} a small slip away from {@code key} (case, a letter or two), or null. */
    public static String nearest(String key, Iterable<String> names) {
        String near = null;
        int best = 3;
        if (key.length() <= 60) {
            for (String k : names) {
                int d = k.equalsIgnoreCase(key) ? 0 : editDistance(k.toLowerCase(java.util.Locale.ROOT), key.toLowerCase(java.util.Locale.ROOT));
                if (d < best && d < Math.max(2, k.length() / 3)) {
                    best = d;
                    near = k;
                }
            }
        }
        return near;
    }

    /** Edit distance with insertions, deletions, substitutions and swaps of two neighbours (optimal string alignment). */
    private static int editDistance(String a, String b) {
        int[][] d = new int[a.length() + 1][b.length() + 1];
        for (int i = 0; i <= a.length(); i++) d[i][0] = i;
        for (int j = 0; j <= b.length(); j++) d[0][j] = j;
        for (int i = 1; i <= a.length(); i++) {
            for (int j = 1; j <= b.length(); j++) {
                int cost = a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1;
                d[i][j] = Math.min(Math.min(d[i - 1][j] + 1, d[i][j - 1] + 1), d[i - 1][j - 1] + cost);
                if (i > 1 && j > 1 && a.charAt(i - 1) == b.charAt(j - 2) && a.charAt(i - 2) == b.charAt(j - 1)) {
                    d[i][j] = Math.min(d[i][j], d[i - 2][j - 2] + 1);
                }
            }
        }
        return d[a.length()][b.length()];
    }

    /**
     * Builds a configuration from key/value text over the defaults, checking every key, every value and
     * the combinations. All field errors are collected before throwing.
     */
    public static RunConfig build(Map<String, String> overrides) {
        List<ConfigException.FieldError> errors = new ArrayList<>();
        int unknownNotListed = 0;
        for (String k : overrides.keySet()) {
            if (KEYS.containsKey(k)) continue;
            // thousands of unknown keys get a short answer: the first few are listed, the rest only counted
            if (errors.size() < ConfigException.MAX_LISTED) {
                errors.add(new ConfigException.FieldError(k, unknownKey(k)));  // the error quotes it clipped
            } else {
                unknownNotListed++;
            }
        }
        // the known keys' values are checked too, however many unknown keys came: a form marks each field at fault
        Map<String, Object> v = new LinkedHashMap<>();
        for (Key key : KEYS.values()) {
            String text = overrides.getOrDefault(key.name(), key.defaultValue());
            if (text == null || text.isBlank()) {
                errors.add(new ConfigException.FieldError(key.name(), "empty value; expected " + key.values()));
                continue;
            }
            try {
                v.put(key.name(), key.parse(text.trim()));
            } catch (ConfigException e) {
                errors.addAll(e.errors());
            }
        }
        if (!errors.isEmpty() || unknownNotListed > 0) throw new ConfigException(errors, unknownNotListed);
        return new RunConfig(
                (String) v.get("data"), (Integer) v.get("limit"), (Double) v.get("holdout"), (Integer) v.get("hidden"),
                (Activation) v.get("hiddenActivation"), (Activation) v.get("outputActivation"), (Loss) v.get("loss"),
                (Optimizer) v.get("optimizer"), (Double) v.get("learningRate"),
                (LrSchedule) v.get("lrSchedule"), (Double) v.get("lrDecay"), (Double) v.get("momentum"),
                (Integer) v.get("epochs"), (Integer) v.get("batchSize"), (Boolean) v.get("shuffle"), (Long) v.get("seed"),
                (Double) v.get("weightDecay"), (Double) v.get("dropout"), (Double) v.get("beta"), (Double) v.get("rho"),
                (Estimator) v.get("estimator"), (Double) v.get("rhoMomentum"), (Double) v.get("threshold"), (Double) v.get("eps"),
                (Boolean) v.get("epsInEstimate"), (Double) v.get("limiter"), (String) v.get("snapshotEvery"), (String) v.get("stopOn")).validate();
    }

    private static String parseData(String t) {
        // the names in any case, as every other named value (MNIST: mnist); a path after idx: as it is written
        String lower = t.toLowerCase(Locale.ROOT);
        if (lower.equals("mnist") || lower.equals("bars")) return lower;
        if (lower.startsWith("idx:") && t.length() > 4) return "idx:" + t.substring(4);
        if (lower.equals("idx:")) throw new ConfigException("data", "idx: names no file; give the path of an IDX image file, idx:PATH");
        throw new ConfigException("data", "unknown data set '" + ConfigException.clip(t, 60) + "'; expected mnist, bars or idx:PATH");
    }

    private static int intIn(String key, String t, int min, int max) {
        java.math.BigDecimal v = whole(key, t);
        if (v.compareTo(java.math.BigDecimal.valueOf(min)) < 0 || v.compareTo(java.math.BigDecimal.valueOf(max)) > 0) {
            // in the words of the key's hint ("integer, 1 to 100,000"), not in another notation
            throw new ConfigException(key, ConfigException.clip(t, 60) + " is out of range: " + (max >= Integer.MAX_VALUE
                    ? String.format(Locale.ROOT, "an integer >= %,d", min) : String.format(Locale.ROOT, "an integer, %,d to %,d", min, max)));
        }
        return v.intValueExact();
    }

    private static Object longOf(String key, String t) {
        java.math.BigDecimal v = whole(key, t);
        if (v.compareTo(java.math.BigDecimal.valueOf(Long.MIN_VALUE)) < 0 || v.compareTo(java.math.BigDecimal.valueOf(Long.MAX_VALUE)) > 0) {
            throw new ConfigException(key, ConfigException.clip(t, 60) + " is out of range: " + SEED_WORDS);
        }
        return v.longValueExact();
    }

    /**
     * An integer key's text as the whole number it writes: {@code 12}, and also {@code 2.0} or {@code 1e2}, as a
     * config file's JSON number or a web launch's is read (ConfigLoader.text), so that {@code --set hidden=2.0} means
     * what {@code "hidden": 2.0} means. The range check compares without expanding the number, so {@code 1e300} is
     * out of range rather than "not an integer".
     */
    private static java.math.BigDecimal whole(String key, String t) {
        java.math.BigDecimal v;
        // digits 0-9 only: BigDecimal reads any script's digits ('١٠' as 10), which no other number here takes
        if (!t.chars().allMatch(c -> c < 128)) throw new ConfigException(key, "'" + ConfigException.clip(t, 60) + "' is not an integer (digits 0-9 only)");
        try {
            v = new java.math.BigDecimal(t).stripTrailingZeros();
        } catch (NumberFormatException | ArithmeticException e) {
            v = null;
        }
        if (v == null || v.scale() > 0) throw new ConfigException(key, "'" + ConfigException.clip(t, 60) + "' is not an integer" + comma(t, true));
        return v;
    }

    /** Digits in groups of three after the first, which is no 0: a thousands separator (1,000 or 10,000,000; 0,001 is a decimal comma). */
    private static final java.util.regex.Pattern THOUSANDS = java.util.regex.Pattern.compile("[+-]?[1-9][0-9]{0,2}(,[0-9]{3})+");
    /** Digits, one comma, digits: a decimal comma (0,3). */
    private static final java.util.regex.Pattern DECIMAL_COMMA = java.util.regex.Pattern.compile("[+-]?[0-9]+,[0-9]+");

    /**
     * What a comma in a number most likely is: a thousands separator (1,000: "written without separators: 1000") or a
     * decimal comma (0,3: "a decimal takes a point: 0.3"), each with the value as it would be written, or a sweep's list.
     */
    private static String comma(String t, boolean integer) {
        if (!t.contains(",")) return "";
        String list = "; a list of values, " + (integer ? "10,20" : "0,0.3,3") + ", is a sweep's: ./sparselab sweep)";
        boolean thousands = THOUSANDS.matcher(t).matches();
        if (integer) return thousands ? " (written without separators: " + t.replace(",", "") + list : " (written without separators, as 10000" + list;
        if (thousands && t.indexOf(',') == t.lastIndexOf(',')) {
            return " (written without separators: " + t.replace(",", "") + ", or with a decimal point: " + t.replace(',', '.') + list;
        }
        if (thousands) return " (written without separators: " + t.replace(",", "") + list;
        if (DECIMAL_COMMA.matcher(t).matches()) return " (a decimal takes a point: " + t.replace(',', '.') + list;
        return " (a decimal takes a point, as 0.3" + list;
    }

    /** A number as a person writes it: digits 0-9, a point, an exponent. */
    private static final java.util.regex.Pattern DECIMAL = java.util.regex.Pattern.compile("[+-]?(\\d+\\.?\\d*|\\.\\d+)([eE][+-]?\\d+)?");

    /**
     * Whether {@code t} is a number as this tool reads one (the keys and the command line's options): decimals, or NaN
     * and Infinity, read to be refused as not finite; not Java's hex floats (0x1p-3) or suffixes (1d, 1f).
     */
    public static boolean readsAsNumber(String t) {
        return DECIMAL.matcher(t).matches() || t.matches("(?i)[+-]?(nan|infinity)");
    }

    private static double dbl(String key, String t) {
        double v = number(key, t);
        if (!Double.isFinite(v)) throw new ConfigException(key, "'" + ConfigException.clip(t, 60) + "' is not a finite number");
        return v;
    }

    /**
     * The number written, infinite when it is beyond a double's range; refused when it is no number, or when it is not
     * zero but so small that it would be read as 0 (1e-400: beta = 1e-400 was queued as a run without the sparse term).
     */
    private static double number(String key, String t) {
        double v;
        try {
            // decimals only (Java's own reading also takes hex floats, 0x1p-3, and the suffixes 1d and 1f); NaN and
            // Infinity are read, to be refused as not finite
            if (!readsAsNumber(t)) throw new NumberFormatException(t);
            v = Double.parseDouble(t);
        } catch (NumberFormatException e) {
            throw new ConfigException(key, "'" + ConfigException.clip(t, 60) + "' is not a number" + comma(t, false));
        }
        if (v == 0 && t.split("[eE]", 2)[0].matches(".*[1-9].*")) {
            throw new ConfigException(key, ConfigException.clip(t, 60) + " is too small: it would be read as 0 (the smallest size, but 0, a number here can have is 4.9e-324)");
        }
        return v;
    }

    private static double dblIn(String key, String t, double lo, double hi, boolean loIn, boolean hiIn) {
        double v = dbl(key, t);
        boolean ok = (loIn ? v >= lo : v > lo) && (hiIn ? v <= hi : v < hi);
        if (!ok) {
            // the value as it was sent, clipped (1e300 is not quoted as its 301 digits), and the range as the key table writes it
            throw new ConfigException(key, ConfigException.clip(t, 60) + " is out of range " + (loIn ? "[" : "(") + bound(lo) + ", "
                    + bound(hi) + (hiIn ? "]" : ")"));
        }
        return v;
    }

    private static Object bool(String key, String t) {
        return switch (t.toLowerCase(Locale.ROOT)) {
            case "true" -> true;
            case "false" -> false;
            default -> throw new ConfigException(key, "'" + ConfigException.clip(t, 60) + "' is not true or false");
        };
    }

    private static String stopOn(String t) {
        try {
            return DivergenceWatch.stopOnText(DivergenceWatch.parseStopOn(t));
        } catch (IllegalArgumentException e) {
            throw new ConfigException("stopOn", e.getMessage());
        }
    }
}
