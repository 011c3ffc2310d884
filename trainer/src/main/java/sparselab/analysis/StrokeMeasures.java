package sparselab.analysis;

import java.util.Arrays;

/**
 * Tells pen-stroke filters from single-pixel dots, pixel speckle and whole-digit templates, from the filter alone.
 *
 * <p>With {@code e_i = w_i^2 / sum w^2} a filter's energy per pixel, its <b>core</b> is the smallest set of pixels that
 * holds half of the energy (the brightest and darkest pixels first). Per filter:
 * <ul>
 *   <li><b>core pixels</b>: the size of the core. A dot has 3 to 7, a stroke 6 to 20, a template or tangle that covers
 *       the digit area 20 to 60, speckle more.</li>
 *   <li><b>core length</b>: the square root of the larger eigenvalue of the core's energy-weighted covariance of pixel
 *       positions, in pixels: the core's half-length along its main direction (under 0.8 for a dot).</li>
 *   <li><b>core connected</b>: the fraction of the core's energy in its largest 8-connected piece: 1 for one stroke,
 *       low for a template made of blobs spread over the image.</li>
 *   <li><b>effective pixels</b>: {@code 1 / sum e_i^2} (the participation ratio), 1 for one pixel.</li>
 *   <li><b>roughness</b>: {@code sum over neighbouring pixel pairs (w_i - w_j)^2 / sum w_i^2} (4-neighbourhood, each
 *       pair once): 0 for a constant image, about 4 for white noise, about 1 for the smooth filters of a trained
 *       network.</li>
 * </ul>
 * A filter is a <b>stroke</b> when its core is bigger than a dot and smaller than a template
 * ({@link #MIN_CORE} &lt;= core pixels &lt;= {@link #MAX_CORE}, core length &gt;= {@link #MIN_LENGTH}), mostly one piece
 * (core connected &gt;= {@link #MIN_CONNECTED}) and not noise (roughness &lt;= {@link #MAX_ROUGHNESS}). The thresholds were
 * chosen by looking at filters labelled by eye (trainer/src/test/resources/labels), where a test holds the
 * classifier's precision and recall. They are calibrated on 28 x 28 digit filters; on other image sizes the figures are
 * computed the same way but mean less.
 */
public final class StrokeMeasures {
    private StrokeMeasures() {}

    public static final int MIN_CORE = 5;
    public static final int MAX_CORE = 20;
    public static final double MIN_LENGTH = 0.8;
    public static final double MIN_CONNECTED = 0.6;
    public static final double MAX_ROUGHNESS = 2.0;

    /** The shape of one filter; all NaN (and 0 core pixels) for a filter that is all zero or not finite. */
    public record Shape(int corePixels, double coreLength, double coreConnected, double effectivePixels, double roughness) {
        public boolean finite() {
            return corePixels > 0 && Double.isFinite(coreLength) && Double.isFinite(roughness);
        }

        /** Whether this reads as a pen stroke (see the class comment). */
        public boolean stroke() {
            return finite() && corePixels >= MIN_CORE && corePixels <= MAX_CORE && coreLength >= MIN_LENGTH
                    && coreConnected >= MIN_CONNECTED && roughness <= MAX_ROUGHNESS;
        }
    }

    private static final Shape NONE = new Shape(0, Double.NaN, Double.NaN, Double.NaN, Double.NaN);

    /** The shape of filter {@code unit} of {@code w1} (hidden x rows*cols, row-major). */
    public static Shape shape(float[] w1, int unit, int rows, int cols) {
        int d = rows * cols, off = unit * d;
        double total = 0;
        for (int i = 0; i < d; i++) total += (double) w1[off + i] * w1[off + i];
        if (!(total > 0) || !Double.isFinite(total)) return NONE;
        double[] e = new double[d];
        double sumE2 = 0, rough = 0;
        for (int i = 0; i < d; i++) {
            e[i] = (double) w1[off + i] * w1[off + i] / total;
            sumE2 += e[i] * e[i];
            double w = w1[off + i];
            if (i % cols + 1 < cols) rough += sq(w - w1[off + i + 1]);
            if (i / cols + 1 < rows) rough += sq(w - w1[off + i + cols]);
        }
        int[] core = core(e);
        return new Shape(core.length, coreLength(core, e, cols), connected(core, e, rows, cols), 1 / sumE2, rough / total);
    }

    /** The pixels holding half of the energy, largest energy first. */
    static int[] core(double[] e) {
        Integer[] order = new Integer[e.length];
        for (int i = 0; i < e.length; i++) order[i] = i;
        Arrays.sort(order, (a, b) -> Double.compare(e[b], e[a]));
        double cum = 0;
        int k = 0;
        while (k < e.length && cum < 0.5) cum += e[order[k++]];
        int[] out = new int[k];
        for (int i = 0; i < k; i++) out[i] = order[i];
        return out;
    }

    /** sqrt of the larger eigenvalue of the core's energy-weighted position covariance, in pixels. */
    private static double coreLength(int[] core, double[] e, int cols) {
        double m = 0, mr = 0, mc = 0;
        for (int i : core) {
            m += e[i];
            mr += e[i] * (i / cols);
            mc += e[i] * (i % cols);
        }
        mr /= m;
        mc /= m;
        double vrr = 0, vcc = 0, vrc = 0;
        for (int i : core) {
            double dr = i / cols - mr, dc = i % cols - mc, w = e[i] / m;
            vrr += w * dr * dr;
            vcc += w * dc * dc;
            vrc += w * dr * dc;
        }
        double half = (vrr + vcc) / 2, disc = Math.sqrt(sq((vrr - vcc) / 2) + vrc * vrc);
        return Math.sqrt(half + disc);
    }

    /** The fraction of the core's energy in its largest 8-connected piece. */
    private static double connected(int[] core, double[] e, int rows, int cols) {
        boolean[] in = new boolean[rows * cols], seen = new boolean[rows * cols];
        double coreEnergy = 0;
        for (int i : core) {
            in[i] = true;
            coreEnergy += e[i];
        }
        int[] stack = new int[core.length];
        double best = 0;
        for (int start : core) {
            if (seen[start]) continue;
            int top = 0;
            stack[top++] = start;
            seen[start] = true;
            double piece = 0;
            while (top > 0) {
                int p = stack[--top];
                piece += e[p];
                int r = p / cols, c = p % cols;
                for (int dr = -1; dr <= 1; dr++) {
                    for (int dc = -1; dc <= 1; dc++) {
                        int rr = r + dr, cc = c + dc, q = rr * cols + cc;
                        if (rr >= 0 && rr < rows && cc >= 0 && cc < cols && in[q] && !seen[q]) {
                            seen[q] = true;
                            stack[top++] = q;
                        }
                    }
                }
            }
            best = Math.max(best, piece);
        }
        return best / coreEnergy;
    }

    /**
     * The fraction of a snapshot's filters that are strokes, over the filters that have a shape (an all-zero filter
     * has none); NaN when none has, and NaN when any weight is not finite (a diverged run's snapshot), as its filter
     * measures are then all null: a share over the filters that happen to be finite would be a figure of a model
     * that no longer exists.
     */
    public static double strokeShare(float[] w1, int hidden, int rows, int cols) {
        for (int i = 0; i < hidden * rows * cols; i++) if (!Float.isFinite(w1[i])) return Double.NaN;
        int strokes = 0, finite = 0;
        for (int j = 0; j < hidden; j++) {
            Shape s = shape(w1, j, rows, cols);
            if (!s.finite()) continue;
            finite++;
            if (s.stroke()) strokes++;
        }
        return finite == 0 ? Double.NaN : (double) strokes / finite;
    }

    private static double sq(double v) { return v * v; }
}
