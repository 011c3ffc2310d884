package sparselab.runs;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import sparselab.config.ConfigLoader;
import sparselab.log.EpochMetrics;
import sparselab.log.RunEvent;
import sparselab.log.RunRow;
import sparselab.store.EventLog;
import sparselab.store.Lease;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.IntStream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A trainer whose process is alive but whose training thread is stuck (here: in the listener, in its 30th batch):
 * the heartbeat stops after {@link RunExecutor#STALL_PROPERTY}, the run reads as interrupted and a worker's claim takes
 * it over; when the stuck thread moves again it writes nothing more.
 */
class StalledTrainerTest {
    @TempDir Path dir;

    @Test
    void a_stuck_training_thread_stops_the_heartbeat_and_its_run_is_taken_over() throws Exception {
        String before = System.getProperty(RunExecutor.STALL_PROPERTY);
        System.setProperty(RunExecutor.STALL_PROPERTY, "1");
        try (EventLog log = EventLog.open(dir.resolve("stall.db"))) {
            String run = Runs.create(log, ConfigLoader.resolve(null, null, List.of("data=bars", "limit=200", "hidden=8", "epochs=20",
                    "batchSize=10", "seed=3")), null, "test", null);
            CountDownLatch unstick = new CountDownLatch(1);
            AtomicInteger batches = new AtomicInteger();
            RunExecutor.Listener stuck = new RunExecutor.Listener() {
                @Override
                public void batch() {
                    if (batches.incrementAndGet() == 30) {
                        try {
                            unstick.await();
                        } catch (InterruptedException e) {
                            Thread.currentThread().interrupt();
                        }
                    }
                }
            };
            CompletableFuture<RunExecutor.Outcome> training = CompletableFuture.supplyAsync(() -> new RunExecutor(log, stuck).execute(run, false));
            long deadline = System.currentTimeMillis() + 60_000;
            while (batches.get() < 30 && System.currentTimeMillis() < deadline) Thread.sleep(5);
            long stuckAt = System.currentTimeMillis();
            Optional<Lease> taken = Optional.empty();
            while (taken.isEmpty() && System.currentTimeMillis() < deadline) {
                taken = log.claimNext(new RunEvent.Started(9, "other", 1, 0, null, Map.of()), RunRow.HEARTBEAT_TIMEOUT, Set.of(), r -> true);
                Thread.sleep(100);
            }
            assertTrue(taken.isPresent(), "the run was taken over while its trainer's process lived");
            // not before its heartbeat lapsed (less a second: this thread sees the block a little after it began)
            assertTrue(System.currentTimeMillis() - stuckAt >= RunRow.HEARTBEAT_TIMEOUT.toMillis() - 1000, "not before its heartbeat lapsed");
            assertEquals(2, taken.get().number());
            int epochsWhenTaken = log.run(run).orElseThrow().epochsDone();
            assertTrue(epochsWhenTaken >= 1, "the epoch before the stuck batch is written");
            unstick.countDown();
            RunExecutor.Outcome o = training.get(60, TimeUnit.SECONDS);
            assertEquals("superseded", o.status(), o.message());
            RunRow r = log.run(run).orElseThrow();
            assertEquals(epochsWhenTaken, r.epochsDone(), "the stuck trainer wrote nothing after it moved again");
            assertEquals(IntStream.rangeClosed(1, epochsWhenTaken).boxed().toList(),
                    log.metrics(run).stream().map(EpochMetrics::epoch).toList());
        } finally {
            if (before == null) System.clearProperty(RunExecutor.STALL_PROPERTY);
            else System.setProperty(RunExecutor.STALL_PROPERTY, before);
        }
    }
}
