package sparselab.server;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import sparselab.config.ConfigLoader;
import sparselab.config.RunConfig;
import sparselab.log.RunEvent;
import sparselab.runs.Runs;
import sparselab.store.EventLog;

import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

/**
 * A second `./sparselab demo` on the same log (found 2026-12-02 by a new user's walkthrough: it queued and trained the
 * same pair again, seven minutes for figures already in the log): the pair the log holds, finished, training or still
 * queued, is shown instead; a pair cancelled, of other data, of another configuration, or whose twin is of another
 * pair, is not.
 */
class DemoPairTest {
    @TempDir Path dir;

    private static List<Runs.Prepared> pair(EventLog log, String... sets) {
        RunConfig sparse = ConfigLoader.resolve("ufldl", null, List.of(sets));
        return Runs.prepare(List.of(sparse, sparse.nonSparseTwin()), log.shared());
    }

    private static List<String> queue(EventLog log, List<Runs.Prepared> pair, String group) {
        return Runs.createAll(log, pair, List.of(Runs.created(pair.get(0), "ufldl", "demo", group, null),
                Runs.created(pair.get(1), "ufldl", "twin", group, null)), sparselab.config.Limits.fromEnvironment());
    }

    /** The run started on data of {@code fingerprint} and finished after one epoch. */
    private static void finish(EventLog log, String id, String fingerprint) {
        log.append(id, new RunEvent.Started(4242, "test-host", 1, 0, fingerprint, java.util.Map.of()));
        log.append(id, new RunEvent.EpochCompleted(1, 1.0, 0.8, 0.1, 0.1, 0.1, new double[] {0.1, 0.1, 0.1, 0.1}, 0.3, 0.9, 0, 0.0, false,
                0.9, 0.5, 1000));
        log.append(id, new RunEvent.Finished(1, 1.0, 0.9));
    }

    /** The ids of the pair {@link DemoCommand#heldPair} finds, or null. */
    private static List<String> held(EventLog log, List<Runs.Prepared> pair) {
        List<sparselab.log.RunRow> rows = DemoCommand.heldPair(log, pair);
        return rows == null ? null : rows.stream().map(sparselab.log.RunRow::runId).toList();
    }

    @Test
    void the_pair_the_log_holds_is_found_finished_or_queued_and_a_cancelled_or_other_one_is_not() {
        try (EventLog log = EventLog.open(dir.resolve("demo.db"))) {
            List<Runs.Prepared> pair = pair(log, "data=bars", "limit=200", "hidden=4");
            assertNull(held(log, pair), "an empty log holds no pair");
            List<String> first = queue(log, pair, "demo-1");
            assertEquals(first, held(log, pair), "a queued pair: the dashboard's pool trains it");
            assertNull(held(log, pair(log, "data=bars", "limit=200", "hidden=5")), "another configuration");

            finish(log, first.get(0), pair.get(0).dataFingerprint());
            log.append(first.get(1), new RunEvent.CancelRequested("test"));
            assertNull(held(log, pair), "a twin whose cancel was asked for is no pair to show");

            List<String> second = queue(log, pair, "demo-2");
            finish(log, second.get(1), pair.get(1).dataFingerprint());
            assertEquals(second, held(log, pair), "the newest pair, one of it finished");
            finish(log, second.get(0), "0ther");
            assertNull(held(log, pair), "a run that trained on other data than the demo's now");

            // a demo stopped with Ctrl-C while its sparse run trains: the trainer goes on, and the pair is shown
            List<String> third = queue(log, pair, "demo-3");
            log.append(third.get(0), new RunEvent.Started(4242, "test-host", 1, 0, pair.get(0).dataFingerprint(), java.util.Map.of()));
            assertEquals(third, held(log, pair), "a pair whose sparse run is training");

            // a twin of another pair is not this one's: the newest sparse run's own twin was cancelled before its first epoch
            List<String> fourth = queue(log, pair, "demo-4");
            log.append(fourth.get(1), new RunEvent.Cancelled(0));
            assertNull(held(log, pair), "the twin found is of another group");
        }
    }
}
