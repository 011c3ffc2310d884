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
import static org.junit.jupiter.api.Assertions.assertTrue;

/** A run's samples ({@link RunExecutor.Samples}): the split's images, in native memory, holding none of the heap's. */
class SamplesTest {
    @Test
    void the_samples_are_the_splits_images_and_hold_no_array_of_the_heap() throws Exception {
        RunConfig cfg = ConfigLoader.resolve(null, null, List.of("data=bars", "limit=500", "hidden=6", "holdout=0.2", "seed=7"));
        Dataset data = DataSets.load(cfg.data(), Runs.dataDir(), cfg.limit());
        DataSets.Split split = DataSets.split(data, cfg.holdout(), cfg.seed());
        float[] trainImages = split.train().pixels().clone(), heldImages = split.heldout().pixels().clone();
        RunExecutor.Samples samples = RunExecutor.Samples.of(split, cfg);
        assertEquals(400, samples.train().rows());
        assertEquals(100, samples.heldOut().rows());
        assertEquals(data.dim(), samples.train().columns());
        assertArrayEquals(trainImages, samples.train().data().asFloat(), "the training images, in the split's order");
        assertArrayEquals(heldImages, samples.heldOut().data().asFloat(), "the held-out images");
        assertNotNull(samples.measures());

        // with the split let go, nothing the samples hold keeps its images on the heap
        WeakReference<float[]> train = new WeakReference<>(split.train().pixels()), held = new WeakReference<>(split.heldout().pixels());
        split = null;
        for (int i = 0; i < 50 && (train.get() != null || held.get() != null); i++) {
            System.gc();
            Thread.sleep(20);
        }
        assertTrue(train.get() == null, "the split's training images are collected while the samples live");
        assertTrue(held.get() == null, "and its held-out images");
        assertEquals(400, samples.train().rows(), "the samples are still there");

        // from the data set: the same split by the run's seed
        RunExecutor.Samples again = RunExecutor.Samples.of(data, cfg);
        assertArrayEquals(trainImages, again.train().data().asFloat());
        assertArrayEquals(heldImages, again.heldOut().data().asFloat());

        RunConfig none = ConfigLoader.resolve(null, null, List.of("data=bars", "limit=50", "hidden=6", "holdout=0"));
        assertNull(RunExecutor.Samples.of(DataSets.load(none.data(), Runs.dataDir(), none.limit()), none).heldOut(),
                "no held-out samples: no array");
    }
}
