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
        lateIdReachesTheSubscriber("feed.db", 2);
    }

    /** Of a long run of skipped ids (ids used up in bulk), the feed follows the newest, nearest the appends in flight. */
    @Test
    void ofAThousandsLongGapTheIdsNearestTheNextEventAreFollowed() throws Exception {
        lateIdReachesTheSubscriber("feed-gap.db", 3000);
    }

    /**
     * Past the log's end: an event at id + {@code ahead} first (after ahead - 1 skipped ids), then one at the id just
     * before it; each reaches the subscriber once.
     */
    private void lateIdReachesTheSubscriber(String file, int ahead) throws Exception {
        String db = TestLogs.newDb(dir, file);
        try (EventLog log = EventLog.open(db); RunFeed feed = new RunFeed(log, Clock.systemUTC(), 4, 50)) {
            String early = Fixtures.queued(log, Map.of("hidden", "8"));
            String late = Fixtures.queued(log, Map.of("hidden", "9"));
            BlockingQueue<String> got = new LinkedBlockingQueue<>();
            assertNotNull(feed.subscribe(v -> true, collect(got)));
            Set<String> markers = reading(log, got);
            long last = log.lastEventId();

            TestLogs.rawExecute(db, copyOfFirstEvent(late, last + ahead));
            assertEquals(late, next(got, markers), "the event with the larger id");
            TestLogs.rawExecute(db, copyOfFirstEvent(early, last + ahead - 1));
            assertEquals(early, next(got, markers), "the event that became visible after a larger id was read");
            assertEquals(null, next(got, markers, 300), "each change is sent once");
        }
    }

    /**
     * The feed's first look finds where the log ends, in its own thread: new runs are created until one reaches the
     * subscriber, so the feed reads past its start (a marker created before that look is never sent). Returns the
     * markers, which may still arrive late.
     */
    private static Set<String> reading(EventLog log, BlockingQueue<String> got) throws InterruptedException {
        Set<String> markers = new HashSet<>();
        String seen = null;
        for (int i = 0; i < 30 && seen == null; i++) {
            markers.add(Fixtures.queued(log, Map.of("hidden", Integer.toString(10 + i))));
            seen = got.poll(1, TimeUnit.SECONDS);
        }
        assertTrue(seen != null && markers.contains(seen), "the feed sends a new run's change: " + seen);
        return markers;
    }

    private static RunFeed.Subscriber collect(BlockingQueue<String> got) {
        return new RunFeed.Subscriber() {
            @Override public boolean send(RunView run) { return got.add(run.runId()); }
            @Override public boolean ping() { return true; }
        };
    }

    /** The next run sent, within 10 s, past any late marker. */
    private static String next(BlockingQueue<String> got, Set<String> markers) throws InterruptedException {
        return next(got, markers, 10_000);
    }

    private static String next(BlockingQueue<String> got, Set<String> markers, long millis) throws InterruptedException {
        String id;
        do {
            id = got.poll(millis, TimeUnit.MILLISECONDS);
        } while (id != null && markers.contains(id));
        return id;
    }

    /** An INSERT of a copy of the run's first event under the given id (and a per-run seq no append uses). */
    private static String copyOfFirstEvent(String runId, long id) {
        return "INSERT INTO events (id, run_id, seq, type, at, payload) SELECT " + id + ", run_id, seq + 1000, type, at, payload"
                + " FROM events WHERE run_id = '" + runId + "' AND seq = 1";
    }
}
