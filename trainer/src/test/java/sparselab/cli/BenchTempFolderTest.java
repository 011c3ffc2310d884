package sparselab.cli;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import sparselab.config.ConfigLoader;
import sparselab.config.RunConfig;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** bench's logging-cost rounds write a throwaway log each: its folder is deleted when the round ends or fails. */
class BenchTempFolderTest {
    @TempDir Path dir;

    private List<Path> left() throws Exception {
        try (var files = Files.list(dir)) {
            return files.toList();
        }
    }

    @Test
    void a_logged_round_leaves_no_folder_behind() throws Exception {
        RunConfig cfg = ConfigLoader.resolve(null, null, List.of("data=bars", "limit=200", "hidden=4", "epochs=3", "batchSize=20", "holdout=0"));
        BenchCommand.Logged round = BenchCommand.loggedRound(cfg, dir);
        assertTrue(round.seconds() > 0 && round.logBytes() > 0, round.toString());
        assertEquals(List.of(), left());
    }

    @Test
    void a_logged_round_that_fails_leaves_no_folder_behind_either() throws Exception {
        Path missing = dir.resolve("no-such-images.idx");
        RunConfig cfg = ConfigLoader.resolve(null, null, List.of("data=idx:" + missing, "hidden=4", "epochs=3"));
        assertThrows(RuntimeException.class, () -> BenchCommand.loggedRound(cfg, dir));
        assertEquals(List.of(), left());
    }
}
