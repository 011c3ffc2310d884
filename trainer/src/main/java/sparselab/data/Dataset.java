package sparselab.data;

/**
 * Images as rows of pixels in [0, 1], row-major: sample i occupies {@code pixels[i*rows*cols .. (i+1)*rows*cols)}.
 *
 * @param name        what it was loaded from ({@code mnist}, {@code bars}, {@code idx:PATH})
 * @param pixels      count * rows * cols values in [0, 1]
 * @param count       number of images
 * @param rows        image height
 * @param cols        image width
 * @param labels      class of each image, or an empty array when unknown
 * @param fingerprint SHA-256 (hex) of the shape and the pixel values; part of the run's record
 */
public record Dataset(String name, float[] pixels, int count, int rows, int cols, int[] labels, String fingerprint) {
    public int dim() { return rows * cols; }

    /** The first {@code n} images (all when n is 0 or at least count); the fingerprint is recomputed. */
    public Dataset limit(int n) {
        if (n <= 0 || n >= count) return this;
        float[] p = java.util.Arrays.copyOf(pixels, n * dim());
        int[] l = labels.length == 0 ? labels : java.util.Arrays.copyOf(labels, n);
        return new Dataset(name, p, n, rows, cols, l, Fingerprint.of(p, n, rows, cols));
    }
}
