package sparselab.model;

import org.nd4j.linalg.factory.Nd4j;

/**
 * How many threads a model's BLAS products use. The OpenBLAS that ND4J loads (nd4j-native's, threaded with OpenMP, or the
 * build's 0.3.31 with its own threads, which reads OMP_NUM_THREADS too): its thread count
 * starts as {@code OMP_NUM_THREADS} (the launcher sets every core); every training epoch sets it for its model's products
 * (process-wide: a trainer process trains one run at a time).
 *
 * <p>Products of batches above {@link #ONE_THREAD_MAX_BATCH} (and the full batch) use every thread: the 2048^3 GEMM
 * doubles from one thread to two on the 2-core development machine, and the five products of a batch of 100, called
 * as direct BLAS calls ({@link Blas}), ran 1.3-1.5x faster on two threads (1.2x at 32). Those of the smallest batches do
 * not gain (equal at 1 and 16 samples, 0.8x at 10), and a single sample's ran at about half the rate on two on a loaded
 * machine, because the threads wait for each other at every product; these use one thread. The choice depends only on
 * the configuration, so a resumed run multiplies exactly as the uninterrupted one did (docs/performance.md).
 */
public final class ProductThreads {
    /** Minibatches of at most this many samples multiply on one thread. */
    public static final int ONE_THREAD_MAX_BATCH = 16;

    private ProductThreads() {}

    /** The products' threads at start-up ({@code OMP_NUM_THREADS}, else OpenMP's default). */
    public static int all() {
        return Initial.ALL;
    }

    /** The products' threads for a run with this batch size (0 = the whole training set). */
    public static int forBatch(int batchSize) {
        int all = all();                       // read before any change
        return batchSize >= 1 && batchSize <= ONE_THREAD_MAX_BATCH ? 1 : all;
    }

    /** Sets the products' threads (a no-op when they already are {@code n}). */
    public static void use(int n) {
        all();                                 // the start-up value is read before the first change
        var blas = Nd4j.factory().blas();
        if (blas.getMaxThreads() != n) blas.setMaxThreads(n);
    }

    private static final class Initial {
        static final int ALL = Math.max(1, Nd4j.factory().blas().getMaxThreads());
    }
}
