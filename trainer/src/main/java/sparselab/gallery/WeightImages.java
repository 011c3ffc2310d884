package sparselab.gallery;

import javax.imageio.ImageIO;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;

/**
 * Weight images: each row of W1 (one hidden unit's filter) reshaped to the input's image shape and scaled on
 * its own so that 0 is mid-gray and the filter's largest |w| is black or white; the filters are tiled into a
 * grid with a 1-pixel dark border.
 */
public final class WeightImages {
    private WeightImages() {}

    private static final int BORDER = 0x202020;

    /**
     * Checks a weight snapshot's shape (its image is its inputs) and, given its bytes, their size (W1, b1, W2, b2:
     * (2 d H + H + d) x 4): a snapshot row edited behind the log's back is named, never drawn or served as it says.
     */
    public static void check(String runId, sparselab.log.RunEvent.WeightSnapshot w, byte[] blob) {
        long need = 4L * (2L * w.hidden() * w.visible() + w.hidden() + w.visible());
        boolean shape = w.hidden() > 0 && w.visible() > 0 && (long) w.imageRows() * w.imageCols() == w.visible();
        if (!shape || blob != null && blob.length != need) {
            throw new sparselab.store.StoreException.Corrupt("the weight snapshot of run " + runId + " at " + w.epoch() + " says " + w.hidden()
                    + " hidden units of " + w.visible() + " inputs as " + w.imageRows() + "x" + w.imageCols() + " images"
                    + (shape ? " (" + need + " bytes), but its weights are " + blob.length + " bytes" : ", which do not agree")
                    + ": changed behind the log's back; ./sparselab rebuild refolds the snapshot rows from the events");
        }
    }

    /** W1 of run {@code runId}'s snapshot {@code w}, from its bytes, checked ({@link #check}). */
    public static float[] w1(String runId, sparselab.log.RunEvent.WeightSnapshot w, byte[] blob) {
        check(runId, w, blob);
        return w1(blob, w.hidden(), w.visible());
    }

    /** The first hidden x visible floats of a snapshot blob (W1, little-endian, row-major). */
    public static float[] w1(byte[] blob, int hidden, int visible) {
        long need = 4L * hidden * visible;
        if (blob.length < need) throw new IllegalStateException("snapshot blob has " + blob.length + " bytes, W1 needs " + need);
        FloatBuffer fb = ByteBuffer.wrap(blob).order(ByteOrder.LITTLE_ENDIAN).asFloatBuffer();
        float[] w = new float[hidden * visible];
        fb.get(w);
        return w;
    }

    /** The pixels of {@link #grid}'s image, computed without drawing it (in long: no overflow). */
    public static long gridPixels(int hidden, int rows, int cols, int scale) {
        long gridCols = (long) Math.ceil(Math.sqrt(hidden));
        long gridRows = (hidden + gridCols - 1) / gridCols;
        return (gridCols * ((long) cols * scale + 1) + 1) * (gridRows * ((long) rows * scale + 1) + 1);
    }

    /** The pixels of {@link #single}'s image. */
    public static long singlePixels(int rows, int cols, int scale) {
        return (long) rows * scale * ((long) cols * scale);
    }

    /** All filters as a grid PNG, each pixel drawn as scale x scale. */
    public static byte[] grid(float[] w1, int hidden, int rows, int cols, int scale) {
        return grid(w1, hidden, rows, cols, scale, null);
    }

    /**
     * All filters as a grid PNG, tile {@code p} showing unit {@code order[p]} (a permutation of the units; null = in
     * unit order).
     */
    public static byte[] grid(float[] w1, int hidden, int rows, int cols, int scale, int[] order) {
        if (order != null && order.length != hidden) throw new IllegalArgumentException("order has " + order.length + " units, not " + hidden);
        int gridCols = (int) Math.ceil(Math.sqrt(hidden));
        int gridRows = (hidden + gridCols - 1) / gridCols;
        int tileW = cols * scale + 1;
        int tileH = rows * scale + 1;
        BufferedImage img = new BufferedImage(gridCols * tileW + 1, gridRows * tileH + 1, BufferedImage.TYPE_INT_RGB);
        fill(img, BORDER);
        for (int u = 0; u < hidden; u++) {
            drawFilter(img, w1, order == null ? u : order[u], rows, cols, scale, 1 + (u % gridCols) * tileW, 1 + (u / gridCols) * tileH);
        }
        return png(img);
    }

    /** One filter, larger. */
    public static byte[] single(float[] w1, int unit, int rows, int cols, int scale) {
        BufferedImage img = new BufferedImage(cols * scale, rows * scale, BufferedImage.TYPE_INT_RGB);
        drawFilter(img, w1, unit, rows, cols, scale, 0, 0);
        return png(img);
    }

    private static void drawFilter(BufferedImage img, float[] w1, int unit, int rows, int cols, int scale, int x0, int y0) {
        int d = rows * cols;
        int off = unit * d;
        float max = 0f;
        for (int i = 0; i < d; i++) {
            float a = Math.abs(w1[off + i]);
            if (Float.isFinite(a) && a > max) max = a;
        }
        for (int i = 0; i < d; i++) {
            float v = w1[off + i];
            int g = !Float.isFinite(v) ? 0 : max == 0f ? 128 : Math.round(127.5f + 127.5f * v / max);
            g = Math.max(0, Math.min(255, g));
            int rgb = !Float.isFinite(v) ? 0xff00ff : (g << 16) | (g << 8) | g;
            int px = x0 + (i % cols) * scale;
            int py = y0 + (i / cols) * scale;
            for (int dy = 0; dy < scale; dy++) for (int dx = 0; dx < scale; dx++) img.setRGB(px + dx, py + dy, rgb);
        }
    }

    private static void fill(BufferedImage img, int rgb) {
        for (int y = 0; y < img.getHeight(); y++) for (int x = 0; x < img.getWidth(); x++) img.setRGB(x, y, rgb);
    }

    private static byte[] png(BufferedImage img) {
        try (ByteArrayOutputStream out = new ByteArrayOutputStream()) {
            ImageIO.write(img, "png", out);
            return out.toByteArray();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot encode PNG", e);
        }
    }
}
