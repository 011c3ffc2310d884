package sparselab.model;

import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.locks.LockSupport;
import java.util.function.IntConsumer;

/**
 * Two lanes of work that run at once on a 2-core machine, each on a core of its own: the full batch's chunks
 * ({@link FullBatchTrainer}) and the two halves of a large minibatch ({@link SparseAutoencoder}). Each lane does its
 * products on one OpenBLAS thread and its element-wise passes on its own thread. OpenBLAS's second thread spins about
 * 0.1 s after each of its products and would hold the second core through the element-wise passes; two
 * single-threaded lanes use both cores throughout (docs/performance.md, the two lanes). Elsewhere the lanes run one
 * after the other on every product thread. The arithmetic is the same either way, so the figures have the same bits.
 */
final class TwoLanes {
    static final int COUNT = 2;

    private TwoLanes() {}

    /**
     * How long lane 1's thread, and the caller waiting for it, spin before they park: a step of a minibatch meets three
     * times, and on the development machine a handover through an executor started lane 1 0.1-0.3 ms after lane 0 at
     * every meeting, and a thread woken from a park took about 1.8 ms (docs/performance.md, where the lanes meet). Past the
     * first {@link #BUSY_NANOS} they yield between looks, so that where fewer cores are free than the JVM counts (a CPU
     * quota, a busy host) the thread they wait for gets one. Tests set it shorter ({@link #spin}).
     */
    static final long SPIN_NANOS = 10_000_000;

    /** How long the spinning stays busy (no yield). */
    static final long BUSY_NANOS = 50_000;

    private static volatile long spinNanos = SPIN_NANOS;

    /** Tests only: spin this long (0: park at once) before parking. */
    static void spin(long nanos) {
        spinNanos = nanos;
    }

    /** Waits a moment in a spin loop that began at {@code start}: busy at first, then yielding the core. */
    private static void pause(long start, long now) {
        if (now - start < BUSY_NANOS) Thread.onSpinWait();
        else Thread.yield();
    }

    /** Lane 1's thread (lane 0 runs on the caller's), where the JVM has a second processor. */
    private static final Second SECOND = Runtime.getRuntime().availableProcessors() >= 2 ? new Second() : null;

    /** Whether the lanes run at once: with the products on two threads and a second processor ({@link ProductThreads#lanesAtOnce}). */
    static boolean atOnce() {
        return SECOND != null && ProductThreads.lanesAtOnce();    // SECOND exists wherever lanesAtOnce() can say yes
    }

    /**
     * Runs {@code pass} for lanes 0 and 1: at once when {@code atOnce}, else lane 0 first (and in turn, too, while
     * another thread's lanes hold lane 1's thread). Returns when both have ended (an interrupt meanwhile is kept in
     * the thread's flag), throwing the first lane's failure (the second's suppressed).
     */
    static void run(boolean atOnce, IntConsumer pass) {
        if (!atOnce || SECOND == null || !SECOND.claim()) {
            for (int l = 0; l < COUNT; l++) pass.accept(l);
            return;
        }
        Throwable failed = null;
        try {
            SECOND.start(pass);
            try {
                pass.accept(0);
            } catch (Throwable e) {                     // anything: lane 1 must be waited for before the next caller
                failed = e;
            }
            Throwable second = SECOND.await();          // the second lane uses the shared arrays: always wait for its end
            if (second != null) {
                if (failed == null) failed = second;
                else failed.addSuppressed(second);
            }
        } finally {
            SECOND.release();
        }
        if (failed instanceof RuntimeException r) throw r;
        if (failed instanceof Error err) throw err;
        if (failed != null) throw new IllegalStateException(failed);
    }

    /**
     * Lane 1's thread: it takes one pass at a time, handed over in a volatile field, and spins {@link #SPIN_NANOS}
     * for the next before it parks; the caller spins as long for the pass's end. A pass handed over and its end are
     * volatile writes read by the other thread, so each sees everything the other wrote before them.
     */
    private static final class Second implements Runnable {
        private final Thread thread;
        private final AtomicBoolean owned = new AtomicBoolean();
        private volatile IntConsumer pass;              // the pass to run; null once taken
        private volatile boolean done;                  // the pass handed over last has ended
        private volatile boolean parked;                // lane 1's thread is parked, or about to be
        private volatile Thread waiter;                 // the caller, parked or about to be, waiting for the end
        private Throwable failure;                      // the last pass's failure (written before done)

        Second() {
            thread = new Thread(this, "sparselab-lane");
            thread.setDaemon(true);
            thread.start();
        }

        boolean claim() {
            return owned.compareAndSet(false, true);
        }

        void release() {
            owned.set(false);
        }

        void start(IntConsumer p) {
            failure = null;
            done = false;
            pass = p;
            if (parked) LockSupport.unpark(thread);
        }

        /** Waits for the pass's end; returns its failure, or null. */
        Throwable await() {
            long start = System.nanoTime(), spin = spinNanos;
            boolean interrupted = false;
            while (!done) {
                long now = System.nanoTime();
                if (now - start < spin) {
                    pause(start, now);
                    continue;
                }
                waiter = Thread.currentThread();
                if (!done) LockSupport.park(this);
                waiter = null;
                if (Thread.interrupted()) interrupted = true;   // park returns at once while the flag is set
            }
            if (interrupted) Thread.currentThread().interrupt();
            return failure;
        }

        @Override
        public void run() {
            while (true) {
                IntConsumer p = take();
                Thread.interrupted();                       // a flag left by the pass before is not this pass's
                try {
                    p.accept(1);
                } catch (Throwable e) {
                    failure = e;
                }
                done = true;
                Thread w = waiter;
                if (w != null) LockSupport.unpark(w);
            }
        }

        private IntConsumer take() {
            long start = System.nanoTime(), spin = spinNanos;
            while (true) {
                IntConsumer p = pass;
                if (p != null) {
                    pass = null;
                    return p;
                }
                long now = System.nanoTime();
                if (now - start < spin) {
                    pause(start, now);
                    continue;
                }
                parked = true;
                if (pass == null) LockSupport.park(this);
                parked = false;
                Thread.interrupted();                   // nothing interrupts this thread; a stray flag must not make it spin
            }
        }
    }
}
