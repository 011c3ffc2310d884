package sparselab.runs;

import org.junit.jupiter.api.Test;
import sparselab.config.ConfigLoader;
import sparselab.config.RunConfig;
import sparselab.log.EpochMetrics;
import sparselab.log.RunEvent;
import sparselab.log.StoredEvent;
import sparselab.store.EventLog;
import sparselab.store.LocalPostgres;
import sparselab.store.StoreException;

import java.net.URI;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.stream.IntStream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A trainer whose connections the PostgreSQL server drops while it trains (as a restart of the server, or a crash of
 * one of its backends, does): the writes are tried again, the run is not marked failed, and every epoch is in the log
 * once and in order.
 */
class LogOutageTest {
    private static RunConfig config(int epochs) {
        return ConfigLoader.resolve(null, null, List.of("data=bars", "limit=1000", "hidden=8", "epochs=" + epochs,
                "batchSize=5", "seed=3", "snapshotEvery=2"));
    }

    private static Connection admin(String db) throws Exception {
        URI u = URI.create(db);
        return DriverManager.getConnection("jdbc:postgresql://" + u.getHost() + ":" + u.getPort() + u.getPath(),
                u.getUserInfo(), System.getenv("PGPASSWORD"));
    }

    @Test
    void a_trainer_whose_connections_the_server_drops_writes_every_epoch_once_and_finishes() throws Exception {
        String db = LocalPostgres.testDatabase();
        int epochs = 80;
        try (EventLog log = EventLog.open(db); Connection admin = admin(db); Statement st = admin.createStatement()) {
            String run = Runs.create(log, config(epochs), null, "test", null);
            CompletableFuture<RunExecutor.Outcome> training = CompletableFuture.supplyAsync(
                    () -> new RunExecutor(log, RunExecutor.Listener.NONE).execute(run, false));
            int drops = 0, seen = 0;
            long deadline = System.currentTimeMillis() + 180_000;
            while (!training.isDone() && System.currentTimeMillis() < deadline) {
                int done;
                try {
                    done = log.run(run).orElseThrow().epochsDone();
                } catch (RuntimeException e) {
                    assertTrue(StoreException.unreachable(e), "only a dropped connection: " + e);
                    continue;
                }
                if (done >= seen + 8 && done < epochs - 8) {            // every few epochs, every session but this one
                    st.execute("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = current_database() "
                            + "AND pid <> pg_backend_pid()");
                    drops++;
                    seen = done;
                }
                Thread.sleep(10);
            }
            RunExecutor.Outcome o = training.get(60, TimeUnit.SECONDS);
            assertTrue(drops >= 3, drops + " drops");
            assertEquals("finished", o.status(), o.message());
            List<String> types = log.events(run).stream().map(StoredEvent::type).toList();
            assertFalse(types.contains("failed"), types.toString());
            assertEquals(IntStream.rangeClosed(1, epochs).boxed().toList(),
                    log.metrics(run).stream().map(EpochMetrics::epoch).toList(), "every epoch once and in order");
            assertEquals(epochs, log.events(run).stream().filter(e -> e.event() instanceof RunEvent.EpochCompleted).count());
            assertTrue(log.verify().clean(), log.verify().toString());
        }
    }

    /**
     * A worker whose log cannot be reached (found 2026-12-03 by a walkthrough: its log said "heartbeat failed:
     * ConnectionException: java.sql.SQLTransientConnectionException: sparselab-log - Connection is not available, request
     * timed out after 15000ms (total=0, ...)", the pool's words, and nothing when the server was back). Now each failed
     * beat gives the database's own reason and its count, and one line says when the log answers again.
     */
    @Test
    void a_worker_says_why_its_heartbeat_fails_and_when_the_log_answers_again() throws Exception {
        String db = LocalPostgres.testDatabase();
        String name = URI.create(db).getPath().substring(1);
        ch.qos.logback.classic.Logger logger = (ch.qos.logback.classic.Logger) org.slf4j.LoggerFactory.getLogger(WorkerLoop.class);
        var lines = new ch.qos.logback.core.read.ListAppender<ch.qos.logback.classic.spi.ILoggingEvent>();
        lines.start();
        logger.addAppender(lines);
        // from another database of the server: a database cannot shut out connections to itself from within; each
        // try of a beat waits 2 s for a connection
        try (EventLog log = LocalPostgres.openWithPoolWait(db, 2000); Connection admin = admin(db.replaceFirst("/[^/?]*(\\?.*)?$", "/postgres"));
             Statement st = admin.createStatement()) {
            WorkerLoop worker = new WorkerLoop(log, "w-outage", 1, 500, 0);
            Thread serving = new Thread(worker::run, "w-outage");
            serving.start();
            try {
                long deadline = System.nanoTime() + 30_000_000_000L;
                while (log.workers().stream().noneMatch(w -> w.name().equals("w-outage"))) {
                    assertTrue(System.nanoTime() < deadline, "the worker did not beat");
                    Thread.sleep(20);
                }
                // no new connection to the database, and the open ones cut: as a server that went away
                st.execute("ALTER DATABASE \"" + name + "\" ALLOW_CONNECTIONS false");
                st.execute("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = '" + name + "'");
                java.util.function.Supplier<List<String>> said = () -> lines.list.stream()
                        .map(ch.qos.logback.classic.spi.ILoggingEvent::getFormattedMessage).filter(m -> m.startsWith("worker w-outage: ")).toList();
                deadline = System.nanoTime() + 60_000_000_000L;
                while (said.get().stream().noneMatch(m -> m.contains("heartbeat failed (1 in a row)"))) {
                    assertTrue(System.nanoTime() < deadline, () -> "no failed beat said: " + said.get());
                    Thread.sleep(50);
                }
                String failed = said.get().stream().filter(m -> m.contains("heartbeat failed (1 in a row)")).findFirst().orElseThrow();
                assertTrue(failed.contains("is not currently accepting connections"), failed);   // the server's words
                assertFalse(failed.contains("Connection is not available") || failed.contains("Exception"), failed);
                st.execute("ALTER DATABASE \"" + name + "\" ALLOW_CONNECTIONS true");
                deadline = System.nanoTime() + 60_000_000_000L;
                while (said.get().stream().noneMatch(m -> m.contains("the log answers again; its heartbeat goes on (") && m.contains(" failed; the first "))) {
                    assertTrue(System.nanoTime() < deadline, () -> "the beat's return not said: " + said.get());
                    Thread.sleep(50);
                }
            } finally {
                st.execute("ALTER DATABASE \"" + name + "\" ALLOW_CONNECTIONS true");
                worker.stop();
                serving.join(60_000);
            }
        } finally {
            logger.detachAppender(lines);
        }
    }

    @Test
    void a_failure_s_one_line_has_no_statement_and_a_dropped_connection_is_told_from_a_refusal() {
        var jdbi = new IllegalStateException("writing failed: org.jdbi.v3.core.statement.UnableToExecuteStatementException: "
                + "org.postgresql.util.PSQLException: An I/O error occurred while sending to the backend. [statement:\"INSERT INTO "
                + "blobs (hash, size, bytes) VALUES (:h, :s, :b)\", arguments:{positional:{}, named:{b:[B@e88547c}}]",
                new java.sql.SQLException("An I/O error occurred while sending to the backend.", "08006"));
        assertEquals("IllegalStateException: writing failed: org.jdbi.v3.core.statement.UnableToExecuteStatementException: "
                + "org.postgresql.util.PSQLException: An I/O error occurred while sending to the backend.", StoreException.oneLine(jdbi));
        assertTrue(StoreException.unreachable(jdbi));
        assertTrue(StoreException.unreachable(new RuntimeException(new java.sql.SQLException("terminating connection", "57P01"))));
        assertFalse(StoreException.unreachable(new RuntimeException(new java.sql.SQLException("duplicate key", "23505"))));
        assertFalse(StoreException.unreachable(new StoreException.LeaseLost("r1", 1, 2, "running")));
        assertFalse(StoreException.unreachable(new IllegalStateException("a damaged checkpoint", new java.io.EOFException())));
        assertFalse(StoreException.unreachable(new java.sql.SQLTransientConnectionException("pool - Connection is not available, "
                + "request timed out after 15000ms")), "a full pool is not a server that cannot be reached");
        assertTrue(StoreException.unreachable(new java.sql.SQLTransientConnectionException("pool - Connection is not available",
                "08001", new java.sql.SQLException("Connection refused", "08001"))));
    }
}
