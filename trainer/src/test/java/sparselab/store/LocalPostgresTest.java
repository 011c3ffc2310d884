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
}
