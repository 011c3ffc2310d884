package sparselab.model;

import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import sparselab.config.ConfigLoader;
import sparselab.data.Bars;
import sparselab.data.Dataset;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A model's products run on one thread for minibatches of at most 16 samples and on every thread otherwise (the full
 * batch and minibatches of at least 64 samples on one thread a lane where their two lanes run at once), whatever ran before in the same JVM. In a separate JVM with
 * OMP_NUM_THREADS=2, since the start-up thread count is fixed when OpenBLAS loads.
 */
class ProductThreadsTest {
    @Test
    void the_thread_count_follows_the_batch_size() {
        assertEquals(1, ProductThreads.forBatch(1));
        assertEquals(1, ProductThreads.forBatch(ProductThreads.ONE_THREAD_MAX_BATCH));
        assertEquals(ProductThreads.all(), ProductThreads.forBatch(ProductThreads.ONE_THREAD_MAX_BATCH + 1));
        // the full batch: one thread a lane where its two lanes run at once (two product threads), else every thread
        assertEquals(ProductThreads.all() == 2 ? 1 : ProductThreads.all(), ProductThreads.forBatch(0));
        try {
            ProductThreads.useLanes(ProductThreads.Lanes.IN_TURN);
            assertEquals(ProductThreads.all(), ProductThreads.forBatch(0));
            ProductThreads.useLanes(ProductThreads.Lanes.AT_ONCE);
            assertEquals(1, ProductThreads.forBatch(0));
        } finally {
            ProductThreads.useLanes(ProductThreads.Lanes.AUTO);
        }
    }

    @Test
    void every_epoch_sets_the_products_threads_for_its_batch_size() throws Exception {
        // the full batch and batch 1000 in two lanes at once, one product thread each
        assertEquals(List.of("start 2", "batch 10: 1", "lbfgs: 1", "batch 1000: 1", "batch 50: 2"),
                ThreadsDeterminismTest.runMain(Probe.class, "2"));
        // with the lanes in turn, their products take every thread
        assertEquals(List.of("start 2", "batch 10: 1", "lbfgs: 2", "batch 1000: 2", "batch 50: 2"),
                ThreadsDeterminismTest.runMain(Probe.class, "2", "-Dsparselab.lanes=false"));
    }

    /** Prints the calling thread's product threads after an epoch of each kind. */
    public static final class Probe {
        public static void main(String[] args) {
            System.out.println("start " + Nd4j.factory().blas().getMaxThreads());
            Dataset ds = Bars.generate(8, 1200, 2.0 / 8, 4);
            INDArray x = Nd4j.create(ds.pixels(), new long[] {ds.count(), ds.dim()}, 'c');
            for (String opt : List.of("batch 10:batchSize=10", "lbfgs:optimizer=lbfgs,batchSize=0",
                    "batch 1000:batchSize=1000", "batch 50:batchSize=50")) {
                String[] parts = opt.split(":");
                var sets = new java.util.ArrayList<>(List.of("data=bars", "hidden=6"));
                sets.addAll(List.of(parts[1].split(",")));
                new SparseAutoencoder(ConfigLoader.resolve(null, null, sets), ds.dim(), DataType.FLOAT).trainEpoch(1, x, () -> false);
                System.out.println(parts[0] + ": " + Nd4j.factory().blas().getMaxThreads());
            }
        }
    }
}
