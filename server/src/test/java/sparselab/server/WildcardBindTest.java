package sparselab.server;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import sparselab.launch.LaunchPool;
import sparselab.store.EventLog;

import java.io.InputStream;
import java.io.OutputStream;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.NetworkInterface;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A dashboard bound to every address ({@code serve --host 0.0.0.0}) answers a browser on another machine, which sends
 * this machine's name or address as Host, and still refuses a foreign Host name (DNS rebinding).
 */
class WildcardBindTest {
    @TempDir Path dir;

    /** The status code of a GET of {@code path} on 127.0.0.1:{@code port} sent with {@code host} as its Host header. */
    static int statusWithHost(int port, String path, String host) throws Exception {
        try (Socket s = new Socket(InetAddress.getLoopbackAddress(), port)) {
            s.setSoTimeout(30_000);
            OutputStream out = s.getOutputStream();
            out.write(("GET " + path + " HTTP/1.1\r\nHost: " + host + "\r\nConnection: close\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
            out.flush();
            InputStream in = s.getInputStream();
            String status = new String(in.readNBytes(12), StandardCharsets.US_ASCII);    // "HTTP/1.1 200"
            return Integer.parseInt(status.substring(9, 12));
        }
    }

    private static String read(Path p) {
        try {
            return Files.exists(p) ? Files.readString(p) : "";
        } catch (Exception e) {
            return "";
        }
    }

    @Test
    void serve_on_0_0_0_0_answers_this_machines_name_and_addresses_prints_its_name_and_refuses_other_hosts() throws Exception {
        String name = InetAddress.getLocalHost().getHostName();
        Path out = dir.resolve("serve.out");
        Process server = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp", System.getProperty("java.class.path"), "sparselab.Main", "serve", "--db", dir.resolve("wild.db").toString(),
                "--host", "0.0.0.0", "--port", "0", "--workers", "0")
                .redirectErrorStream(true).redirectOutput(out.toFile()).start();
        try {
            Pattern line = Pattern.compile("sparselab dashboard on http://([^/]+):(\\d+)/ .*");
            Matcher m = null;
            long deadline = System.nanoTime() + 120_000_000_000L;
            while (m == null) {
                assertTrue(server.isAlive() && System.nanoTime() < deadline, "serve did not start:\n" + read(out));
                Matcher found = line.matcher(read(out));
                if (found.find()) m = found;
                else Thread.sleep(200);
            }
            assertEquals(name, m.group(1), "a wildcard bind prints the machine's name, not localhost:\n" + read(out));
            assertTrue(read(out).contains("reachable from other machines"), read(out));
            // the pool's size, not read as the `sparselab worker` processes (noted 2026-12-02: "0 workers" beside two of them)
            assertTrue(read(out).contains("(log " + dir.resolve("wild.db") + ", its pool starts no trainers: --workers 0)"), read(out));
            int port = Integer.parseInt(m.group(2));

            assertEquals(200, statusWithHost(port, "/api/runs", name + ":" + port));
            assertEquals(200, statusWithHost(port, "/index.html", name.toUpperCase() + ":" + port));
            String canonical = InetAddress.getLocalHost().getCanonicalHostName();
            assertEquals(200, statusWithHost(port, "/api/runs", canonical + ":" + port));
            for (NetworkInterface nic : Collections.list(NetworkInterface.getNetworkInterfaces())) {
                for (InetAddress a : Collections.list(nic.getInetAddresses())) {
                    if (a instanceof Inet4Address) assertEquals(200, statusWithHost(port, "/api/runs", a.getHostAddress() + ":" + port), a.toString());
                }
            }
            assertEquals(200, statusWithHost(port, "/api/runs", "localhost:" + port));
            assertEquals(200, statusWithHost(port, "/api/runs", "[::1]:" + port));
            for (String foreign : List.of("evil.example", "evil.example:" + port, name + ".evil.example:" + port, "0.0.0.0:" + port)) {
                assertEquals(403, statusWithHost(port, "/api/runs", foreign), foreign);
            }
        } finally {
            server.destroy();
            if (!server.waitFor(30, TimeUnit.SECONDS)) server.destroyForcibly();
        }
    }

    @Test
    void allow_host_adds_a_name_to_a_loopback_bind_which_refuses_the_machines_name_without_it() throws Exception {
        String name = InetAddress.getLocalHost().getHostName();
        try (EventLog log = EventLog.open(dir.resolve("alias.db"))) {
            LaunchPool pool = new LaunchPool(log, new FakeTrainers(), 1);
            var plain = new App(log, Clock.systemUTC(), pool, Fixtures.directCreator(log), Safety.hostsFor("127.0.0.1")).build().start("127.0.0.1", 0);
            var alias = new App(log, Clock.systemUTC(), pool, Fixtures.directCreator(log),
                    Safety.hostsFor("127.0.0.1", List.of("Dash.Example"))).build().start("127.0.0.1", 0);
            try {
                if (!name.equals("localhost")) assertEquals(403, statusWithHost(plain.port(), "/api/runs", name));
                assertEquals(403, statusWithHost(plain.port(), "/api/runs", "dash.example"));
                assertEquals(200, statusWithHost(alias.port(), "/api/runs", "dash.example:" + alias.port()));
                assertEquals(200, statusWithHost(alias.port(), "/api/runs", "127.0.0.1:" + alias.port()));
                assertEquals(200, statusWithHost(alias.port(), "/api/runs", "[0:0:0:0:0:0:0:1]:" + alias.port()));
                assertEquals(403, statusWithHost(alias.port(), "/api/runs", "evil.example"));
            } finally {
                plain.stop();
                alias.stop();
                pool.close();
            }
        }
    }
}
