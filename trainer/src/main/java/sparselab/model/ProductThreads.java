package sparselab.model;

import org.nd4j.linalg.factory.Nd4j;

/**
 * How many threads a model's BLAS products use. The OpenBLAS that ND4J loads (nd4j-native's 0.3.19 or the
 * build's 0.3.31, each with threads of its own: neither links an OpenMP runtime, both read OMP_NUM_THREADS): its thread count
 * starts as {@code OMP_NUM_THREADS} (the launcher sets every core); every training epoch sets it for its model's products
 * (process-wide: a trainer process trains one run at a time; a worker with several slots trains several in one JVM,
 * and they share it: {@link #shareAmong} divides the threads among them where the user left the count to the
 * launcher, as a pool's trainer processes get a share each through their environment).
 *
 * <p>Products of batches above {@link #ONE_THREAD_MAX_BATCH} use every thread: the 2048^3 GEMM
 * doubles from one thread to two on the 2-core development machine, and the five products of a batch of 100, called
 * as direct BLAS calls ({@link Blas}), ran 1.3-1.5x faster on two threads (1.2x at 32). Those of the smallest batches do
 * not gain (equal at 1 and 16 samples, 0.8x at 10), and a single sample's ran at about half the rate on two on a loaded
 * machine, because the threads wait for each other at every product; these use one thread. The choice depends only on
 * the configuration and the products' threads ({@link #all}), so a run resumed with as many threads (the same
 * OMP_NUM_THREADS, the same share of a pool or a worker's slots: its {@code started} event records them) multiplies
 * exactly as the uninterrupted one did (docs/performance.md).
 *
 * <p>The full batch and minibatches of at least 64 samples (in the vector loops), where the products have two threads,
 * multiply on one: their samples are in two lanes that run at once, each on a core of its own ({@link TwoLanes}); with
 * more or fewer threads the lanes run in turn on all of them, and so they do in a worker that trains several runs at
 * once in one JVM ({@link #useLanes}: the lanes' one thread each would be undone by the other runs' epochs). Either way
 * the lanes do the same arithmetic.
 */
public final class ProductThreads {
    /** Minibatches of at most this many samples multiply on one thread. */
    public static final int ONE_THREAD_MAX_BATCH = 16;

    private ProductThreads() {}

    /**
     * The products' threads of a run: those at start-up ({@code OMP_NUM_THREADS}, else OpenBLAS's default: the cores),
     * shared out among the runs this JVM trains at once ({@link #shareAmong}), at least one.
     */
    public static int all() {
        return Math.max(1, Initial.ALL / share);
    }

    private static volatile int share = 1;

    /**
     * Shares the products' threads among {@code runs} runs trained at once in this JVM (a worker's slots, where the user
     * left OMP_NUM_THREADS to the launcher): each run's products then use {@link #all()} = the start-up count divided
     * among them, as the trainers of a pool do (their environment says so). 1 ends the sharing.
     */
    public static void shareAmong(int runs) {
        share = Math.max(1, runs);
    }

    /**
     * The products' threads for a run with this batch size (0 = the whole training set), minibatches not cut into lanes
     * (a minibatch in lanes that run at once multiplies on one thread: SparseAutoencoder.LANES_MIN).
     */
    public static int forBatch(int batchSize) {
        int all = all();                       // read before any change
        if (batchSize == 0) return lanesAtOnce() ? 1 : all;
        return batchSize <= ONE_THREAD_MAX_BATCH ? 1 : all;
    }

    /** How two lanes run: by the rule below, at once, or in turn. */
    public enum Lanes { AUTO, AT_ONCE, IN_TURN }

    private static volatile Lanes lanes = "false".equals(System.getProperty("sparselab.lanes")) ? Lanes.IN_TURN : Lanes.AUTO;

    /**
     * Whether two lanes (the full batch's, a large minibatch's) run at once, one product thread each: when the products
     * have two threads (unless {@code -Dsparselab.lanes=false} or {@link #useLanes} says otherwise).
     */
    public static boolean lanesAtOnce() {
        Lanes l = lanes;
        return Runtime.getRuntime().availableProcessors() >= 2 && (l == Lanes.AT_ONCE || l == Lanes.AUTO && all() == 2);
    }

    /** How two lanes run now (see {@link #useLanes}). */
    public static Lanes lanes() {
        return lanes;
    }

    /** Runs two lanes by the rule, at once or in turn: for A/B measurements, tests, and workers with several slots. */
    public static void useLanes(Lanes how) {
        lanes = how;
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
