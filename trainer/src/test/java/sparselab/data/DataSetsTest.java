package sparselab.data;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.Arrays;
import java.util.stream.IntStream;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class DataSetsTest {
    /** Pinned: a change here changes every bars run's recorded data set. */
    private static final String BARS_FINGERPRINT = "021ffed323e2e4defb8846aac461426db259cc76cb17332d1f484a8c94d35c78";

    @Test
    void bars_are_the_same_data_set_in_every_run(@TempDir Path dir) {
        Dataset a = DataSets.load("bars", dir, 0);
        assertEquals("bars", a.name());
        assertEquals(10_000, a.count());
        assertEquals(8, a.rows());
        assertEquals(8, a.cols());
        assertEquals(BARS_FINGERPRINT, a.fingerprint());
        assertEquals(a.fingerprint(), DataSets.load("bars", dir, 0).fingerprint());
    }

    @Test
    void limit_keeps_the_first_samples_and_refingerprints_them(@TempDir Path dir) {
        Dataset all = DataSets.load("bars", dir, 0);
        Dataset some = DataSets.load("bars", dir, 100);
        assertEquals(100, some.count());
        assertArrayEquals(Arrays.copyOf(all.pixels(), 100 * 64), some.pixels());
        assertNotEquals(all.fingerprint(), some.fingerprint());
    }

    @Test
    void loads_idx_files_by_path_under_the_name_of_the_spec(@TempDir Path dir) {
        Path images = dir.resolve("train-images-idx3-ubyte.gz");
        byte[] px = new byte[4 * 2 * 2];
        for (int i = 0; i < px.length; i++) px[i] = (byte) (i * 16);
        Idx.writeImages(images, px, 4, 2, 2);
        Idx.writeLabels(dir.resolve("train-labels-idx1-ubyte.gz"), new byte[] {3, 1, 4, 1});

        Dataset d = DataSets.load("idx:" + images, dir.resolve("elsewhere"), 3);
        assertEquals("idx:" + images, d.name());
        assertEquals(3, d.count());
        assertArrayEquals(new int[] {3, 1, 4}, d.labels());
        assertEquals(16 / 255f, d.pixels()[1]);
    }

    @Test
    void refuses_an_idx_path_that_does_not_exist(@TempDir Path dir) {
        Path missing = dir.resolve("nope-images-idx3-ubyte.gz");
        DataException e = assertThrows(DataException.class, () -> DataSets.load("idx:" + missing, dir, 0));
        assertEquals(missing, e.file().orElseThrow());
        assertTrue(e.getMessage().contains(missing.toString()), e.getMessage());
    }

    @Test
    void refuses_an_unknown_data_set_naming_it(@TempDir Path dir) {
        DataException e = assertThrows(DataException.class, () -> DataSets.load("cifar", dir, 0));
        assertTrue(e.getMessage().contains("unknown data set 'cifar'"), e.getMessage());
    }

    @Test
    void split_is_deterministic_disjoint_complete_and_keeps_the_order(@TempDir Path dir) {
        Dataset data = numbered(dir, 1000);
        DataSets.Split a = DataSets.split(data, 0.1, 42);
        DataSets.Split b = DataSets.split(data, 0.1, 42);
        assertEquals(900, a.train().count());
        assertEquals(100, a.heldout().count());
        assertArrayEquals(ids(a.train()), ids(b.train()));
        assertArrayEquals(ids(a.heldout()), ids(b.heldout()));
        assertEquals(a.heldout().fingerprint(), b.heldout().fingerprint());
        assertNotEquals(a.heldout().fingerprint(), DataSets.split(data, 0.1, 43).heldout().fingerprint());

        int[] all = IntStream.concat(IntStream.of(ids(a.train())), IntStream.of(ids(a.heldout()))).sorted().toArray();
        assertArrayEquals(IntStream.range(0, 1000).toArray(), all);
        assertArrayEquals(IntStream.of(ids(a.train())).sorted().toArray(), ids(a.train()));
        assertArrayEquals(IntStream.of(ids(a.heldout())).sorted().toArray(), ids(a.heldout()));
        for (Dataset part : new Dataset[] {a.train(), a.heldout()}) {
            int[] id = ids(part);
            for (int i = 0; i < part.count(); i++) assertEquals(id[i] % 10, part.labels()[i]);
        }
    }

    @Test
    void holdout_zero_gives_an_empty_heldout_set(@TempDir Path dir) {
        Dataset bars = DataSets.load("bars", dir, 50);
        DataSets.Split s = DataSets.split(bars, 0, 1);
        assertEquals(0, s.heldout().count());
        assertEquals(0, s.heldout().pixels().length);
        assertEquals(bars.fingerprint(), s.train().fingerprint());
    }

    @Test
    void a_positive_holdout_keeps_at_least_one_sample_out_and_one_in(@TempDir Path dir) {
        DataSets.Split s = DataSets.split(DataSets.load("bars", dir, 3), 0.01, 1);
        assertEquals(1, s.heldout().count());
        assertEquals(2, s.train().count());
        DataSets.Split one = DataSets.split(DataSets.load("bars", dir, 1), 0.5, 1);
        assertEquals(1, one.train().count());
        assertEquals(0, one.heldout().count());
    }

    /** n labelled 1x2 images whose two bytes spell their index; label = index % 10. */
    private static Dataset numbered(Path dir, int n) {
        Path images = dir.resolve("n-images-idx3-ubyte");
        byte[] px = new byte[2 * n];
        byte[] labels = new byte[n];
        for (int i = 0; i < n; i++) {
            px[2 * i] = (byte) (i / 256);
            px[2 * i + 1] = (byte) (i % 256);
            labels[i] = (byte) (i % 10);
        }
        Idx.writeImages(images, px, n, 1, 2);
        Idx.writeLabels(dir.resolve("n-labels-idx1-ubyte"), labels);
        return DataSets.load("idx:" + images, dir, 0);
    }

    private static int[] ids(Dataset d) {
        int[] id = new int[d.count()];
        for (int i = 0; i < d.count(); i++) id[i] = Math.round(d.pixels()[2 * i] * 255) * 256 + Math.round(d.pixels()[2 * i + 1] * 255);
        return id;
    }
}
