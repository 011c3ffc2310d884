package sparselab.model;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The two lanes' handover: each pass runs once a lane, its writes seen by the caller, failures and interrupts kept. A
 * lost wake-up would park for ever: every test has a time limit.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class TwoLanesTest {

    private static final boolean TWO = Runtime.getRuntime().availableProcessors() >= 2;

    @AfterEach
    void spinAsBuilt() {
        TwoLanes.spin(TwoLanes.SPIN_NANOS);
    }

    @Test
    void withoutSpinningEveryMeetingParksAndWakes() {
        // no spin: lane 1's thread parks before each pass and the caller before each end, the paths a lost wake-up
        // would hang in; each pass's work makes the other side reach its park first in some of the meetings
        TwoLanes.spin(0);
        long[] cells = new long[2];
        for (int i = 1; i <= 3_000; i++) {
            int spinFor = i % 3;
            TwoLanes.run(true, l -> {
                if (l == spinFor) {
                    long until = System.nanoTime() + 20_000;
                    while (System.nanoTime() < until) Thread.onSpinWait();
                }
                cells[l]++;
            });
            assertEquals(i, cells[0]);
            assertEquals(i, cells[1], "lane 1's pass " + i);
        }
    }

    @Test
    void lanesRunOnTwoThreadsAndTheCallerSeesBothLanesWrites() {
        Thread caller = Thread.currentThread();
        Thread[] ran = new Thread[2];
        long[] cells = new long[2];                     // plain fields: run() must make lane 1's writes visible
        long expect = 0;
        for (int i = 1; i <= 20_000; i++) {
            int step = i;
            TwoLanes.run(true, l -> {
                ran[l] = Thread.currentThread();
                cells[l] += step * (l + 1L);
            });
            expect += i;
            assertEquals(expect, cells[0]);
            assertEquals(2 * expect, cells[1], "lane 1's write at pass " + i);
        }
        assertSame(caller, ran[0]);
        if (TWO) assertNotEquals(caller, ran[1], "lane 1 ran on the caller's thread with two processors");
        else assertSame(caller, ran[1]);
    }

    @Test
    void inTurnRunsBothLanesOnTheCallerInOrder() {
        List<String> seen = new ArrayList<>();
        TwoLanes.run(false, l -> seen.add(l + "@" + Thread.currentThread().getName()));
        assertEquals(List.of("0@" + Thread.currentThread().getName(), "1@" + Thread.currentThread().getName()), seen);
    }

    @Test
    void aLaneThatOutlastsTheSpinAndAnIdleLaneAreWaitedFor() throws InterruptedException {
        long spinMs = TwoLanes.SPIN_NANOS / 1_000_000;
        AtomicInteger done = new AtomicInteger();
        // lane 1 takes longer than the caller spins: the caller parks and lane 1's end wakes it
        TwoLanes.run(true, l -> {
            if (l == 1) sleep(3 * spinMs);
            done.incrementAndGet();
        });
        assertEquals(2, done.get());
        // lane 1's thread idle longer than it spins: it has parked, and the next pass wakes it
        Thread.sleep(3 * spinMs);
        TwoLanes.run(true, l -> done.incrementAndGet());
        assertEquals(4, done.get());
    }

    @Test
    void failuresReachTheCallerAndTheLanesWorkAfterThem() {
        IllegalStateException second = assertThrows(IllegalStateException.class, () -> TwoLanes.run(true, l -> {
            if (l == 1) throw new IllegalStateException("lane 1 failed");
        }));
        assertEquals("lane 1 failed", second.getMessage());

        AtomicInteger ended = new AtomicInteger();
        IllegalArgumentException both = assertThrows(IllegalArgumentException.class, () -> TwoLanes.run(true, l -> {
            if (l == 1) sleep(5);
            ended.incrementAndGet();
            throw l == 0 ? new IllegalArgumentException("lane 0 failed") : new IllegalStateException("lane 1 failed");
        }));
        assertEquals("lane 0 failed", both.getMessage());
        if (TWO) {                                      // at once: lane 1 ran too, and its failure is kept
            assertEquals(2, ended.get(), "the caller returned before lane 1 ended");
            assertEquals(1, both.getSuppressed().length);
            assertEquals("lane 1 failed", both.getSuppressed()[0].getMessage());
        } else {                                        // one processor: in turn, lane 0's failure ends the pass
            assertEquals(1, ended.get());
        }

        // a checked exception thrown through the lambda: lane 1 is still waited for
        AtomicInteger laneOneEnded = new AtomicInteger();
        Throwable checked = assertThrows(Throwable.class, () -> TwoLanes.run(true, l -> {
            if (l == 0) throwUnchecked(new java.io.IOException("lane 0's checked failure"));
            sleep(5);
            laneOneEnded.incrementAndGet();
        }));
        Throwable cause = TWO ? checked.getCause() : checked;    // at once wrapped in an IllegalStateException
        if (TWO) assertEquals(IllegalStateException.class, checked.getClass());
        assertEquals("lane 0's checked failure", cause.getMessage());
        assertEquals(TWO ? 1 : 0, laneOneEnded.get(), "the caller returned before lane 1 ended");

        AssertionError error = assertThrows(AssertionError.class, () -> TwoLanes.run(true, l -> {
            if (l == 1) throw new AssertionError("an error in lane 1");
        }));
        assertEquals("an error in lane 1", error.getMessage());

        AtomicInteger ran = new AtomicInteger();
        TwoLanes.run(true, l -> ran.incrementAndGet());
        assertEquals(2, ran.get());
    }

    @Test
    void anInterruptedCallerWaitsForLaneOneAndKeepsItsFlag() {
        long spinMs = TwoLanes.SPIN_NANOS / 1_000_000;
        AtomicInteger ended = new AtomicInteger();
        try {
            TwoLanes.run(true, l -> {
                if (l == 0) Thread.currentThread().interrupt();
                else busy(3 * spinMs);                  // not sleep: on one processor lane 1 runs on the interrupted caller
                ended.incrementAndGet();
            });
            assertEquals(2, ended.get(), "the caller returned before lane 1 ended");
            assertTrue(Thread.currentThread().isInterrupted());
        } finally {
            Thread.interrupted();
        }
        assertFalse(Thread.currentThread().isInterrupted());
    }

    @Test
    void callersOnSeveralThreadsEachGetBothLanesOfTheirOwnPass() throws InterruptedException {
        int callers = 3, passes = 3_000;
        CountDownLatch start = new CountDownLatch(1);
        AtomicReference<Throwable> failed = new AtomicReference<>();
        List<Thread> threads = new ArrayList<>();
        for (int c = 0; c < callers; c++) {
            Thread t = new Thread(() -> {
                try {
                    start.await();
                    for (int i = 0; i < passes; i++) {
                        int[] hits = new int[2];
                        TwoLanes.run(true, l -> hits[l]++);
                        if (hits[0] != 1 || hits[1] != 1) throw new AssertionError("pass " + i + ": lanes ran " + hits[0] + " and " + hits[1] + " times");
                    }
                } catch (Throwable e) {
                    failed.compareAndSet(null, e);
                }
            });
            threads.add(t);
            t.start();
        }
        start.countDown();
        for (Thread t : threads) t.join(120_000);
        for (Thread t : threads) assertFalse(t.isAlive(), "a caller did not end");
        if (failed.get() != null) throw new AssertionError(failed.get());
    }

    private static void busy(long ms) {
        long until = System.nanoTime() + ms * 1_000_000;
        while (System.nanoTime() < until) Thread.onSpinWait();
    }

    @SuppressWarnings("unchecked")
    private static <T extends Throwable> void throwUnchecked(Throwable e) throws T {
        throw (T) e;
    }

    private static void sleep(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            throw new IllegalStateException(e);
        }
    }
}
