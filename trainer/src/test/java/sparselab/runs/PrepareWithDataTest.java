package sparselab.runs;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import sparselab.config.ConfigLoader;
import sparselab.data.Idx;

import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

/**
 * The preparation hands on the data set it checked (a foreground `train` trains on it instead of loading the file a
 * second time, when a file changed in between was caught only by comparing fingerprints): the set handed on is the one
 * whose fingerprint the run records, whatever happens to the file after.
 */
class PrepareWithDataTest {
    @TempDir Path dir;

    @Test
    void the_prepared_runs_data_is_the_set_whose_fingerprint_it_records_even_when_the_file_changes_after() {
        Path file = dir.resolve("four-idx3-ubyte");
        byte[] first = {0, 10, 20, 30, 40, 50, 60, 70, 80, 90, 100, (byte) 110, (byte) 120, (byte) 130, (byte) 140, (byte) 150};
        Idx.writeImages(file, first, 4, 2, 2);
        Runs.PreparedWithData p = Runs.prepareWithData(ConfigLoader.resolve(null, null,
                List.of("data=idx:" + file, "hidden=2", "epochs=1", "holdout=0.25")), false);
        assertEquals(p.prepared().dataFingerprint(), p.data().fingerprint());
        assertEquals(4, p.data().count());
        float[] kept = p.data().pixels().clone();

        byte[] second = first.clone();
        second[0] = (byte) 255;
        Idx.writeImages(file, second, 4, 2, 2);
        String now = Runs.prepare(List.of(p.prepared().config()), false).get(0).dataFingerprint();
        assertNotEquals(p.prepared().dataFingerprint(), now, "the file did change");
        assertArrayEquals(kept, p.data().pixels(), "the kept samples are those that were checked");
        assertEquals(p.prepared().dataFingerprint(), p.data().fingerprint());
    }
}
