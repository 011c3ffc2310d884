package sparselab.runs;

import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.ndarray.INDArray;
import sparselab.config.ConfigLoader;
import sparselab.config.RunConfig;
import sparselab.data.DataSets;
import sparselab.data.Dataset;

import java.lang.ref.WeakReference;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;

/** A run's samples ({@link RunExecutor.Samples}): the split's images, in native memory, holding none of the heap's. */
class SamplesTest {
    @Test
    void the_samples_are_the_splits_images_and_hold_no_array_of_the_heap() throws Exception {
        RunConfig cfg = ConfigLoader.resolve(null, null, List.of("data=bars", "limit=500", "hidden=6", "holdout=0.2", "seed=7"));
        Dataset data = DataSets.load(cfg.data(), Runs.dataDir(), cfg.limit());
        DataSets.Split split = DataSets.split(data, cfg.holdout(), cfg.seed());
        RunExecutor.Samples samples = RunExecutor.Samples.of(data, cfg);
        assertEquals(split.train().count(), samples.train().rows());
        assertEquals(split.heldout().count(), samples.heldOut().rows());
        assertEquals(data.dim(), samples.train().columns());
        assertArrayEquals(split.train().pixels(), samples.train().data().asFloat(), "the training images, in the split's order");
        assertArrayEquals(split.heldout().pixels(), samples.heldOut().data().asFloat(), "the held-out images");
        assertNotNull(samples.measures());

        // with the data set and this test's own split let go, nothing the samples hold keeps their pixels on the heap
        WeakReference<float[]> all = new WeakReference<>(data.pixels()), train = new WeakReference<>(split.train().pixels());
        data = null;
        split = null;
        for (int i = 0; i < 50 && (all.get() != null || train.get() != null); i++) {
            System.gc();
            Thread.sleep(20);
        }
        assertNull(all.get(), "the data set's pixels are collected while the samples live");
        assertNull(train.get());
        assertEquals(400, samples.train().rows(), "and the samples are still there");
        assertEquals(100, samples.heldOut().rows());

        RunConfig none = ConfigLoader.resolve(null, null, List.of("data=bars", "limit=50", "hidden=6", "holdout=0"));
        assertNull(RunExecutor.Samples.of(DataSets.load(none.data(), Runs.dataDir(), none.limit()), none).heldOut(),
                "no held-out samples: no array");
    }
}
