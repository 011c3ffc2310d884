package sparselab.model;

import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.function.IntConsumer;

/**
 * Two lanes of work that run at once on a 2-core machine, each on a core of its own: the full batch's chunks
 * ({@link FullBatchTrainer}) and the two halves of a large minibatch ({@link SparseAutoencoder}). Each lane does its
 * products on one OpenBLAS thread and its element-wise passes on its own thread. OpenBLAS's second thread spins about
 * 0.1 s after each of its products and would hold the second core through the element-wise passes; two
 * single-threaded lanes use both cores throughout (docs/performance.md, the two lanes). Elsewhere the lanes run one
 * after the other on every product thread. The arithmetic is the same either way, so the figures have the same bits.
 */
final class TwoLanes {
    static final int COUNT = 2;

    private TwoLanes() {}

    /** Lane 1's thread (lane 0 runs on the caller's), where the JVM has a second processor. */
    private static final ExecutorService SECOND = Runtime.getRuntime().availableProcessors() >= 2
            ? Executors.newSingleThreadExecutor(r -> {
                Thread t = new Thread(r, "sparselab-lane");
                t.setDaemon(true);
                return t;
            }) : null;

    /** Whether the lanes run at once: with the products on two threads and a second processor ({@link ProductThreads#lanesAtOnce}). */
    static boolean atOnce() {
        return SECOND != null && ProductThreads.lanesAtOnce();    // SECOND exists wherever lanesAtOnce() can say yes
    }

    /**
     * Runs {@code pass} for lanes 0 and 1: at once when {@code atOnce}, else lane 0 first. Returns when both have ended
     * (an interrupt meanwhile is kept in the thread's flag), throwing the first lane's failure (the second's suppressed).
     */
    static void run(boolean atOnce, IntConsumer pass) {
        if (!atOnce) {
            for (int l = 0; l < COUNT; l++) pass.accept(l);
            return;
        }
        Future<?> second = SECOND.submit(() -> pass.accept(1));
        Throwable failed = null;
        try {
            pass.accept(0);
        } catch (RuntimeException | Error e) {
            failed = e;
        }
        boolean interrupted = false;
        while (true) {                          // the second lane uses the shared arrays: always wait for its end
            try {
                second.get();
                break;
            } catch (InterruptedException e) {
                interrupted = true;
            } catch (ExecutionException e) {
                if (failed == null) failed = e.getCause();
                else failed.addSuppressed(e.getCause());
                break;
            }
        }
        if (interrupted) Thread.currentThread().interrupt();
        if (failed instanceof RuntimeException r) throw r;
        if (failed instanceof Error err) throw err;
        if (failed != null) throw new IllegalStateException(failed);
    }
}
