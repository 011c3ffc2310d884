package sparselab.config;

import org.junit.jupiter.api.Test;
import sparselab.runs.SnapshotSchedule;

import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.*;

/** The limits of a log: their defaults, their environment variables, and the log estimate they are checked against. */
class LimitsFaultTest {

    @Test
    void defaults_fit_a_workstation_and_every_variable_changes_its_limit() {
        Limits d = Limits.from(Map.of());
        assertEquals(Limits.defaults(), d);
        assertEquals(1L << 30, d.maxRunBytes());
        assertEquals(10L << 30, d.maxLogBytes());
        assertEquals(100, d.maxQueuedRuns());
        assertEquals(16_000_000L, d.maxImagePixels());
        Limits set = Limits.from(Map.of(Limits.RUN_BYTES, "512M", Limits.LOG_BYTES, "2g", Limits.QUEUED_RUNS, "7", Limits.IMAGE_PIXELS, "4000000"));
        assertEquals(new Limits(512L << 20, 2L << 30, 7, 4_000_000L), set);
        assertTrue(set.describe().contains(", 7 queued runs (" + Limits.QUEUED_RUNS + "), 4,000,000 pixels per image"), set.describe());
        Limits one = Limits.from(Map.of(Limits.QUEUED_RUNS, "1", Limits.IMAGE_PIXELS, "1"));
        assertTrue(one.describe().contains(", 1 queued run (" + Limits.QUEUED_RUNS + "), 1 pixel per image"), one.describe());
    }

    @Test
    void a_malformed_limit_is_refused_naming_its_variable() {
        for (String bad : List.of("lots", "-5", "0", "99999999999T", "1.5G")) {
            ConfigException e = assertThrows(ConfigException.class, () -> Limits.from(Map.of(Limits.LOG_BYTES, bad)), bad);
            assertEquals(Limits.LOG_BYTES, e.errors().get(0).key(), bad);
        }
        assertThrows(ConfigException.class, () -> Limits.from(Map.of(Limits.QUEUED_RUNS, "3G")));
        // a whole number that is too large says so, not "not a positive whole number"
        ConfigException huge = assertThrows(ConfigException.class, () -> Limits.from(Map.of(Limits.RUN_BYTES, "99999999999T")));
        assertEquals("'99999999999T' is too large (less than 8 EiB)", huge.errors().get(0).message());
        ConfigException word = assertThrows(ConfigException.class, () -> Limits.from(Map.of(Limits.RUN_BYTES, "lots")));
        assertTrue(word.errors().get(0).message().startsWith("'lots' is not a positive whole number"), word.getMessage());
    }

    @Test
    void sizes_take_the_binary_suffixes_as_they_are_written() {
        Limits set = Limits.from(Map.of(Limits.RUN_BYTES, "1KiB", Limits.LOG_BYTES, "3 MiB", Limits.IMAGE_PIXELS, "2GB"));
        assertEquals(1024L, set.maxRunBytes());
        assertEquals(3L << 20, set.maxLogBytes());
        assertEquals(2L << 30, set.maxImagePixels());
        assertEquals(1L << 62, Limits.from(Map.of(Limits.LOG_BYTES, "4194304T")).maxLogBytes());
        assertThrows(ConfigException.class, () -> Limits.from(Map.of(Limits.LOG_BYTES, "8388608T")), "2^63 bytes");
    }

    @Test
    void the_estimate_counts_the_snapshots_the_schedule_takes() {
        for (String spec : List.of("log2", "1", "3", "7", "64")) {
            for (int epochs : new int[] {1, 2, 3, 4, 5, 8, 30, 63, 64, 65, 400, 1000}) {
                SnapshotSchedule s = new SnapshotSchedule(spec, epochs);
                long taken = 0;
                for (int e = 0; e <= epochs; e++) if (s.at(e)) taken++;
                assertEquals(taken, LogEstimate.snapshots(spec, epochs), spec + " over " + epochs + " epochs");
            }
        }
    }

    @Test
    void the_checkpoints_held_are_two_in_a_file_and_those_of_an_autovacuum_round_on_a_server() {
        assertEquals(2, LogEstimate.checkpointsHeld(false, 10, 400));
        assertEquals(2, LogEstimate.checkpointsHeld(false, 0, 400));
        assertEquals(8, LogEstimate.checkpointsHeld(true, 10, 400), "60 s of checkpoints every 10 s, and two");
        assertEquals(62, LogEstimate.checkpointsHeld(true, 1, 400));
        assertEquals(401, LogEstimate.checkpointsHeld(true, 0, 400), "a checkpoint every epoch: at most one an epoch");
        assertEquals(5, LogEstimate.checkpointsHeld(true, 10, 4));
    }

    @Test
    void the_estimate_grows_with_hidden_units_epochs_snapshots_and_inputs_and_never_overflows() {
        RunConfig base = ConfigLoader.resolve(null, null, List.of("data=bars", "hidden=16", "epochs=10"));
        int file = LogEstimate.checkpointsHeld(false, 10, 10);
        long b = LogEstimate.bytes(base, 64, file);
        assertTrue(LogEstimate.bytes(base.with("hidden", "32"), 64, file) > b);
        assertTrue(LogEstimate.bytes(base.with("epochs", "20"), 64, file) > b);
        assertTrue(LogEstimate.bytes(base.with("snapshotEvery", "1"), 64, file) > b);
        assertTrue(LogEstimate.bytes(base, 784, file) > b);
        assertTrue(LogEstimate.bytes(base, 64, LogEstimate.checkpointsHeld(true, 10, 10)) > b,
                "on a server the space of replaced checkpoints is free later");
        RunConfig huge = ConfigLoader.resolve(null, null, List.of("data=bars", "hidden=100000", "epochs=1000000", "snapshotEvery=1"));
        assertTrue(LogEstimate.bytes(huge, Integer.MAX_VALUE, LogEstimate.checkpointsHeld(true, 0, huge.epochs())) > 0);
        RunConfig ufldl = ConfigLoader.resolve("ufldl", null, List.of("data=mnist"));
        for (boolean shared : new boolean[] {false, true}) {
            assertNull(LogEstimate.overLimit(ufldl, 784, LogEstimate.checkpointsHeld(shared, 10, ufldl.epochs()), Limits.defaults()),
                    "the demo's run must fit the default limit");
            assertNotNull(LogEstimate.overLimit(huge, 64, LogEstimate.checkpointsHeld(shared, 10, huge.epochs()), Limits.defaults()));
        }
        // one byte over the limit (found 2026-12-01 by a probe of the limits: "would write about 30.6 KiB ... the limit per
        // run is 30.6 KiB"): said in bytes where the rounded figures are alike; in KiB/MiB where they differ
        Limits d = Limits.defaults();
        int held = LogEstimate.checkpointsHeld(false, 10, base.epochs());
        long need = LogEstimate.bytes(base, 64, held);
        Limits tight = new Limits(need - 1, d.maxLogBytes(), d.maxQueuedRuns(), d.maxImagePixels());
        String m = LogEstimate.overLimit(base, 64, held, tight).toString();
        assertTrue(m.contains(String.format(java.util.Locale.ROOT, "would write about %,d bytes", need)), m);
        assertTrue(m.contains(String.format(java.util.Locale.ROOT, "the limit per run is %,d bytes", need - 1)), m);
        assertNull(LogEstimate.overLimit(base, 64, held, new Limits(need, d.maxLogBytes(), d.maxQueuedRuns(), d.maxImagePixels())));
        String far = LogEstimate.overLimit(base, 64, held, new Limits(need / 4, d.maxLogBytes(), d.maxQueuedRuns(), d.maxImagePixels())).toString();
        assertTrue(far.contains("the limit per run is " + Limits.bytes(need / 4) + " ("), far);
    }

    /** The filter's 200 characters are counted as a reader counts them: an emoji is one (it was two UTF-16 units). */
    @Test
    void the_filters_length_counts_characters_not_utf16_units() {
        String smile = new String(Character.toChars(0x1F600));
        assertNull(sparselab.store.RunFilter.refusal(smile.repeat(200)));
        assertEquals("at most 200 characters (201 given)", sparselab.store.RunFilter.refusal(smile.repeat(201)));
        // a control character is named with where it is, counted the same way
        assertEquals("a control character (U+0007) at character 3; give words to match", sparselab.store.RunFilter.refusal(smile + "a\u0007"));
        assertNull(sparselab.store.RunFilter.refusal("bars\tbeta=3\n"));
    }
}
