package sparselab.server;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import sparselab.live.RunFeed;
import sparselab.runs.RunView;
import sparselab.store.EventLog;

import java.nio.file.Path;
import java.time.Clock;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The live feed on a real log (SQLite, or PostgreSQL in this module's second test run). */
class RunFeedTest {
    @TempDir Path dir;

    /**
     * On PostgreSQL an append can become visible after one with a larger id (concurrent transactions commit in their
     * own order). The test makes that state with plain SQL on either backend: the event with the larger id is written
     * first, the one with the id before it second; both must reach the subscriber.
     */
    @Test
    void anEventVisibleOnlyAfterALaterIdStillReachesTheSubscriber() throws Exception {
        String db = TestLogs.newDb(dir, "feed.db");
        try (EventLog log = EventLog.open(db); RunFeed feed = new RunFeed(log, Clock.systemUTC(), 4, 50)) {
            String early = Fixtures.queued(log, Map.of("hidden", "8"));
            String late = Fixtures.queued(log, Map.of("hidden", "9"));
            BlockingQueue<String> got = new LinkedBlockingQueue<>();
            assertNotNull(feed.subscribe(v -> true, new RunFeed.Subscriber() {
                @Override public boolean send(RunView run) { return got.add(run.runId()); }
                @Override public boolean ping() { return true; }
            }));
            // the feed's first look finds where the log ends, in its own thread: new runs are created until one reaches
            // the subscriber, so the feed reads past its start (a marker created before that look is never sent)
            Set<String> markers = new HashSet<>();
            String seen = null;
            for (int i = 0; i < 30 && seen == null; i++) {
                markers.add(Fixtures.queued(log, Map.of("hidden", Integer.toString(10 + i))));
                seen = got.poll(1, TimeUnit.SECONDS);
            }
            assertTrue(seen != null && markers.contains(seen), "the feed sends a new run's change: " + seen);
            long last = log.lastEventId();

            TestLogs.rawExecute(db, copyOfFirstEvent(late, last + 2));
            assertEquals(late, next(got, markers), "the event with the larger id");
            TestLogs.rawExecute(db, copyOfFirstEvent(early, last + 1));
            assertEquals(early, next(got, markers), "the event that became visible after a larger id was read");
            assertEquals(null, got.poll(300, TimeUnit.MILLISECONDS), "each change is sent once");
        }
    }

    /** The next run sent, within 10 s, past any late marker. */
    private static String next(BlockingQueue<String> got, Set<String> markers) throws InterruptedException {
        String id;
        do {
            id = got.poll(10, TimeUnit.SECONDS);
        } while (id != null && markers.contains(id));
        return id;
    }

    /** An INSERT of a copy of the run's first event under the given id (and a per-run seq no append uses). */
    private static String copyOfFirstEvent(String runId, long id) {
        return "INSERT INTO events (id, run_id, seq, type, at, payload) SELECT " + id + ", run_id, seq + 1000, type, at, payload"
                + " FROM events WHERE run_id = '" + runId + "' AND seq = 1";
    }
}
