package sparselab.cli;

/**
 * Figures written for the terminal as the pages write them ({@code fmt} and {@code fmtAlike} in
 * web/static/js/api.js), so that `runs`, `group` and the dashboard print the same text for the same number.
 */
public final class Figures {
    private Figures() {}

    /** One figure as the pages write it (api.js fmt): 0.1189, 12.5, 3.40e-4; "-" for none. */
    public static String f(Double v) {
        return f(v, 4);
    }

    /** {@link #f(Double)} to {@code digits} significant digits, as fmt(v, digits) (the pages' filter measures: 3). */
    public static String f(Double v, int digits) {
        return v == null ? "-" : alike(new double[] {v}, new int[] {digits})[0];
    }

    /**
     * Numbers shown together, in one style, as the pages' {@code fmtAlike} (web/static/js/api.js) writes them, so
     * that the terminal and the group page print the same text: plain decimals of {@code digits[i]} significant
     * digits without trailing zeros, or every non-zero one as 1.23e-5 (three digits) when the largest is below 1e-3
     * or from 1e5 up, or a non-zero one is below 1e-6. Both round halves away from zero, as JavaScript does.
     */
    public static String[] alike(double[] values, int[] digits) {
        double largest = 0;
        boolean tiny = false;
        for (double v : values) {
            if (!Double.isFinite(v)) continue;
            largest = Math.max(largest, Math.abs(v));
            tiny |= v != 0 && Math.abs(v) < 1e-6;
        }
        boolean exponent = (largest != 0 && (largest < 1e-3 || largest >= 1e5)) || tiny;
        String[] out = new String[values.length];
        for (int i = 0; i < values.length; i++) {
            double v = values[i];
            if (!Double.isFinite(v)) out[i] = Double.toString(v);                      // NaN, Infinity, as String(v)
            else if (v == 0) out[i] = "0";
            else if (exponent) out[i] = exponential(v);
            else out[i] = new java.math.BigDecimal(v).round(new java.math.MathContext(digits[i], java.math.RoundingMode.HALF_UP))
                    .stripTrailingZeros().toPlainString();
        }
        return out;
    }

    /** JavaScript's {@code v.toExponential(2)}: 1.23e-5, -4.00e+7. */
    private static String exponential(double v) {
        java.math.BigDecimal r = new java.math.BigDecimal(Math.abs(v)).round(new java.math.MathContext(3, java.math.RoundingMode.HALF_UP));
        int exp = r.precision() - r.scale() - 1;
        String d = (r.unscaledValue().toString() + "00").substring(0, 3);
        return (v < 0 ? "-" : "") + d.charAt(0) + "." + d.substring(1) + "e" + (exp < 0 ? "-" : "+") + Math.abs(exp);
    }
}
