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
     * An append still in flight when the feed first looks at the log (its id below the end the feed finds) is sent
     * once it commits. The state is made with plain SQL: the log's end at a later id, the feed started and seen
     * reading, then the missing id written.
     */
    @Test
    void anAppendInFlightAtTheFeedsFirstLookReachesTheSubscriberWhenItCommits() throws Exception {
        String db = TestLogs.newDb(dir, "feed-first.db");
        try (EventLog log = EventLog.open(db); RunFeed feed = new RunFeed(log, Clock.systemUTC(), 4, 50)) {
            String inFlight = Fixtures.queued(log, Map.of("hidden", "8"));
            String end = Fixtures.queued(log, Map.of("hidden", "9"));
            String marker = Fixtures.queued(log, Map.of("hidden", "10"));
            long last = log.lastEventId();
            TestLogs.rawExecute(db, copyOfFirstEvent(end, last + 2, 1000));     // the end; id last + 1 is in flight
            BlockingQueue<String> got = new LinkedBlockingQueue<>();
            assertNotNull(feed.subscribe(v -> true, collect(got)));
            // the feed's first look runs in its own thread: copies of the marker's event past the end until one is sent
            String seen = null;
            for (int k = 0; k < 30 && seen == null; k++) {
                TestLogs.rawExecute(db, copyOfFirstEvent(marker, last + 3 + k, 1000 + k));
                seen = got.poll(1, TimeUnit.SECONDS);
            }
            assertEquals(marker, seen, "the feed reads past its first look");
            TestLogs.rawExecute(db, copyOfFirstEvent(inFlight, last + 1, 1000));
            assertEquals(inFlight, next(got, Set.of(marker)), "the append that committed after the first look");
            assertEquals(null, next(got, Set.of(marker), 300), "each change is sent once");
        }
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
        return copyOfFirstEvent(runId, id, 1000);
    }

    private static String copyOfFirstEvent(String runId, long id, int seqOffset) {
        return "INSERT INTO events (id, run_id, seq, type, at, payload) SELECT " + id + ", run_id, seq + " + seqOffset + ", type, at, payload"
                + " FROM events WHERE run_id = '" + runId + "' AND seq = 1";
    }
}
