package sparselab.data;

import java.util.SplittableRandom;

/**
 * Földiák's bars: size x size images in which each of the 2*size horizontal and vertical bars is on,
 * independently, with probability p; pixels covered by any bar are 1. The true parts are the bars.
 */
public final class Bars {
    private Bars() {}

    /** {@code count} images from {@code seed}; each pixel is the OR of the bars that are on. */
    public static Dataset generate(int size, int count, double p, long seed) {
        SplittableRandom rng = new SplittableRandom(seed);
        int d = size * size;
        float[] px = new float[count * d];
        for (int i = 0; i < count; i++) {
            int off = i * d;
            for (int b = 0; b < 2 * size; b++) {
                if (rng.nextDouble() >= p) continue;
                for (int k = 0; k < size; k++) {
                    int pixel = b < size ? b * size + k : k * size + (b - size);
                    px[off + pixel] = 1f;
                }
            }
        }
        return new Dataset("bars", px, count, size, size, new int[0], Fingerprint.of(px, count, size, size));
    }

    /** The 2*size true parts: bar b &lt; size is row b, bar b &gt;= size is column b - size; each a 0/1 image. */
    public static float[][] parts(int size) {
        float[][] parts = new float[2 * size][size * size];
        for (int b = 0; b < 2 * size; b++) {
            for (int k = 0; k < size; k++) {
                parts[b][b < size ? b * size + k : k * size + (b - size)] = 1f;
            }
        }
        return parts;
    }
}
