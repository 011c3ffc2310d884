package sparselab.store;

import org.junit.jupiter.api.Test;

import java.net.InetAddress;
import java.net.ServerSocket;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.List;

import static org.junit.jupiter.api.Assertions.*;

/** The throwaway test server: a port taken between its pick and the server's bind is given up for another. */
class LocalPostgresTest {
    @Test
    void a_port_taken_before_the_server_binds_it_is_given_up_for_another() throws Exception {
        try (ServerSocket taken = new ServerSocket(0, 50, InetAddress.getByName("127.0.0.1"))) {
            int free;
            try (ServerSocket s = new ServerSocket(0)) {
                free = s.getLocalPort();
            }
            Deque<Integer> ports = new ArrayDeque<>(List.of(taken.getLocalPort(), free));
            try (LocalPostgres pg = LocalPostgres.start(ports::pop)) {
                assertEquals(free, pg.port(), "the server went on to the next port");
                String url = pg.newDatabase();
                try (Connection c = DriverManager.getConnection("jdbc:postgresql://127.0.0.1:" + free + url.substring(url.lastIndexOf('/')),
                        "postgres", "");
                     Statement st = c.createStatement(); ResultSet rs = st.executeQuery("SELECT 1")) {
                    assertTrue(rs.next());
                }
            }
        }
    }

    @Test
    void a_start_that_fails_for_another_reason_is_not_tried_again() {
        // port 1 is privileged: the postgres user cannot bind it, and that is not a port taken meanwhile
        Deque<Integer> ports = new ArrayDeque<>(List.of(1, 1, 1));
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> LocalPostgres.start(ports::pop).close());
        assertEquals(2, ports.size(), "one try only: " + e.getMessage());
    }

    /**
     * A log whose server is gone (found 2026-12-02 by a walkthrough of the many-machines set-up: a worker's and a
     * trainer's retry lines said only the pool's "Connection is not available, request timed out after 15000ms
     * (total=0, active=0, idle=0, waiting=2)"): the line for the log's outage names the driver's cause.
     */
    @Test
    void the_reason_a_log_cannot_be_reached_is_the_drivers_not_the_pools() {
        System.setProperty(EventLog.PG_POOL_WAIT_PROPERTY, "1500");
        try (LocalPostgres pg = LocalPostgres.start()) {
            try (EventLog log = EventLog.open(pg.newDatabase())) {
                pg.close();                                 // the server stopped under an open log
                // a connection the pool held breaks on its first use ("An I/O error occurred while sending to the
                // backend", said as it is); the next read waits for a new one, and the pool's timeout is what is thrown
                RuntimeException e = null;
                for (int i = 0; i < 4 && (e == null || !StoreException.oneLine(e).contains("Connection is not available")); i++) {
                    e = assertThrows(RuntimeException.class, () -> log.runs());
                    assertTrue(StoreException.unreachable(e), e.toString());
                    assertFalse(StoreException.unreachableWhy(e).contains("Exception"), StoreException.unreachableWhy(e));
                }
                String why = StoreException.unreachableWhy(e);
                assertTrue(why.contains("refused"), why);
                assertFalse(why.contains("Connection is not available") || why.contains("total="), why);
                assertTrue(StoreException.oneLine(e).contains("Connection is not available"), "the pool's line, as before: " + StoreException.oneLine(e));
            }
        } finally {
            System.clearProperty(EventLog.PG_POOL_WAIT_PROPERTY);
        }
    }

    /**
     * The pool's timeout with no driver error beneath it (a trainer's heartbeat while its log's server was down, found
     * 2026-12-03 by a probe of an outage: "ConnectionException: java.sql.SQLTransientConnectionException: sparselab-log
     * - Connection is not available, ..."): said in words, with the wait.
     */
    @Test
    void the_pools_timeout_alone_is_said_in_words() {
        var pool = new java.sql.SQLTransientConnectionException("sparselab-log - Connection is not available, request timed out after 15007ms "
                + "(total=0, active=0, idle=0, waiting=1)");
        RuntimeException e = new org.jdbi.v3.core.ConnectionException(pool);
        assertEquals("no connection to the log within 15 s (its server is down or cannot be reached, or every connection is busy)",
                StoreException.unreachableWhy(e));
        assertEquals("no connection to the log within 500 ms (its server is down or cannot be reached, or every connection is busy)",
                StoreException.unreachableWhy(new org.jdbi.v3.core.ConnectionException(new java.sql.SQLTransientConnectionException(
                        "sparselab-log - Connection is not available, request timed out after 500ms (total=0, active=0, idle=0, waiting=1)"))));
        // a driver's reason beneath it is still the one given
        pool.initCause(new java.sql.SQLException("Connection to 127.0.0.1:5 refused."));
        assertEquals("Connection to 127.0.0.1:5 refused.", StoreException.unreachableWhy(e));
    }
}
