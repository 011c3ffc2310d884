package sparselab.runs;

import org.junit.jupiter.api.Test;
import sparselab.config.ConfigLoader;
import sparselab.config.RunConfig;
import sparselab.log.EpochMetrics;
import sparselab.log.RunEvent;
import sparselab.store.EventLog;
import sparselab.store.LocalPostgres;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.stream.IntStream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The answer of an epoch's commit lost, and its retry sent before that commit took effect: the trainer's connection
 * to PostgreSQL (through a proxy in this test) breaks after it sent the COMMIT of an epoch's write, while the COMMIT
 * itself reaches the server only once the trainer's retry asks for the run's lock. The trainer's retry reads "not written" and writes the epoch again; that
 * write waits for the run's lock, which the held transaction has, and once the held COMMIT takes effect the store
 * refuses it ({@code StoreException.EpochWritten}): the trainer takes the refusal as "written". Without the store's
 * check the epoch would be in the log twice.
 */
class LostCommitTest {
    private static final byte[] COMMIT = "COMMIT".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] EPOCH = "epoch_completed".getBytes(StandardCharsets.US_ASCII);
    /**
     * What the retry's append sends first and waits on while the held transaction is open: the run's lock (heartbeats
     * update the row without it), or before it the epoch's snapshot bytes, which the held transaction inserted too.
     */
    private static final byte[] LOCK = "FOR UPDATE".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] BLOB = "INSERT INTO blobs".getBytes(StandardCharsets.US_ASCII);

    /**
     * Forwards bytes between clients and the server. Once armed, the first transaction of a client that carries an
     * epoch_completed event has its COMMIT held: the client's socket is closed at once, and the COMMIT goes to the
     * server after {@code holdMs}, then the server's side is closed too.
     */
    static final class Proxy implements AutoCloseable {
        final ServerSocket listen;
        final String host;
        final int port;
        final long holdMs;
        final AtomicBoolean armed = new AtomicBoolean();
        final AtomicBoolean fired = new AtomicBoolean();
        final AtomicBoolean released = new AtomicBoolean();
        /** Counted down when another client asks for the run's lock while the COMMIT is held: the retry's append. */
        final java.util.concurrent.CountDownLatch retryLocking = new java.util.concurrent.CountDownLatch(1);
        final List<Socket> sockets = new CopyOnWriteArrayList<>();

        Proxy(String host, int port, long holdMs) throws IOException {
            this.host = host;
            this.port = port;
            this.holdMs = holdMs;
            listen = new ServerSocket(0, 50, java.net.InetAddress.getLoopbackAddress());
            Thread t = new Thread(this::accept, "proxy-accept");
            t.setDaemon(true);
            t.start();
        }

        int port() { return listen.getLocalPort(); }

        private void accept() {
            while (!listen.isClosed()) {
                try {
                    Socket client = listen.accept();
                    Socket server = new Socket();
                    server.connect(new InetSocketAddress(host, port));
                    sockets.add(client);
                    sockets.add(server);
                    daemon(() -> upstream(client, server));
                    daemon(() -> pipe(server, client));
                } catch (IOException e) {
                    return;
                }
            }
        }

        private static void daemon(Runnable r) {
            Thread t = new Thread(r, "proxy-pipe");
            t.setDaemon(true);
            t.start();
        }

        private static void pipe(Socket from, Socket to) {
            try (InputStream in = from.getInputStream(); OutputStream out = to.getOutputStream()) {
                in.transferTo(out);
            } catch (IOException ignored) {
                // either side closed
            } finally {
                closeQuietly(from);
                closeQuietly(to);
            }
        }

        /** Client to server, watching for the epoch's COMMIT (the driver sends a statement's messages in one write). */
        private void upstream(Socket client, Socket server) {
            boolean epochInTxn = false;
            byte[] buf = new byte[1 << 16];
            try (InputStream in = client.getInputStream(); OutputStream out = server.getOutputStream()) {
                int n;
                while ((n = in.read(buf)) >= 0) {
                    if (contains(buf, n, EPOCH)) epochInTxn = true;
                    if (fired.get() && !released.get() && (contains(buf, n, LOCK) || contains(buf, n, BLOB))) retryLocking.countDown();
                    if (epochInTxn && contains(buf, n, COMMIT) && armed.get() && fired.compareAndSet(false, true)) {
                        byte[] held = java.util.Arrays.copyOf(buf, n);
                        closeQuietly(client);                  // the trainer never hears the answer
                        // until the retry, having read "not written", waits for the run's lock (at most holdMs)
                        retryLocking.await(holdMs, java.util.concurrent.TimeUnit.MILLISECONDS);
                        Thread.sleep(300);
                        out.write(held);                        // and the commit takes effect now
                        out.flush();
                        Thread.sleep(500);
                        released.set(true);
                        closeQuietly(server);
                        return;
                    }
                    if (contains(buf, n, COMMIT)) epochInTxn = false;
                    out.write(buf, 0, n);
                    out.flush();
                }
            } catch (IOException | InterruptedException ignored) {
                // either side closed
            } finally {
                closeQuietly(client);
                closeQuietly(server);
            }
        }

        private static boolean contains(byte[] buf, int n, byte[] what) {
            outer:
            for (int i = 0; i + what.length <= n; i++) {
                for (int j = 0; j < what.length; j++) if (buf[i + j] != what[j]) continue outer;
                return true;
            }
            return false;
        }

        private static void closeQuietly(Socket s) {
            try {
                s.close();
            } catch (IOException ignored) {
                // already closed
            }
        }

        @Override
        public void close() throws IOException {
            listen.close();
            for (Socket s : sockets) closeQuietly(s);
        }
    }

    @Test
    void an_epoch_whose_commit_answer_was_lost_and_was_retried_before_it_took_effect_is_in_the_log_once() throws Exception {
        String db = LocalPostgres.testDatabase();
        URI u = URI.create(db);
        int epochs = 40;
        ch.qos.logback.classic.Logger logger = (ch.qos.logback.classic.Logger) org.slf4j.LoggerFactory.getLogger(RunExecutor.class);
        var warnings = new ch.qos.logback.core.read.ListAppender<ch.qos.logback.classic.spi.ILoggingEvent>();
        warnings.start();
        logger.addAppender(warnings);
        try (Proxy proxy = new Proxy(u.getHost(), u.getPort(), 20_000);
             // every statement with its text (no server-side prepared statements), so that the proxy sees the COMMIT
             EventLog log = EventLog.open(db.replace(":" + u.getPort() + "/", ":" + proxy.port() + "/")
                     + (db.contains("?") ? "&" : "?") + "prepareThreshold=0")) {
            RunConfig cfg = ConfigLoader.resolve(null, null, List.of("data=bars", "limit=1000", "hidden=8", "epochs=" + epochs,
                    "batchSize=5", "seed=3", "snapshotEvery=4"));
            String run = Runs.create(log, cfg, null, "test", null);
            CompletableFuture<RunExecutor.Outcome> training = CompletableFuture.supplyAsync(
                    () -> new RunExecutor(log, RunExecutor.Listener.NONE).execute(run, false));
            long deadline = System.currentTimeMillis() + 60_000;
            while (log.run(run).orElseThrow().epochsDone() < 3 && System.currentTimeMillis() < deadline) Thread.sleep(5);
            proxy.armed.set(true);
            RunExecutor.Outcome o = training.get(120, TimeUnit.SECONDS);
            assertTrue(proxy.fired.get(), "an epoch's commit was held");
            assertTrue(warnings.list.stream().anyMatch(e -> e.getFormattedMessage().contains("was written by the try whose answer was lost")),
                    "the retry ran before the held commit took effect, and the store refused it: "
                            + warnings.list.stream().map(ch.qos.logback.classic.spi.ILoggingEvent::getFormattedMessage).toList());
            assertEquals("finished", o.status(), o.message());
            assertEquals(IntStream.rangeClosed(1, epochs).boxed().toList(),
                    log.metrics(run).stream().map(EpochMetrics::epoch).toList(), "every epoch once and in order");
            assertEquals(epochs, log.events(run).stream().filter(e -> e.event() instanceof RunEvent.EpochCompleted).count());
            assertTrue(log.verify().clean(), log.verify().toString());
        } finally {
            logger.detachAppender(warnings);
        }
    }
}
