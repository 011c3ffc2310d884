package sparselab.server;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import sparselab.config.ConfigKeys;
import sparselab.log.RunEvent;
import sparselab.store.EventLog;

import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * A real {@code serve} process with a small heap and a run of many epochs (the default limits allow 800,000): its
 * figures, as JSON, CSV and the full JSON download, asked several times at once, are each answered whole, and the
 * dashboard goes on answering. Built whole in memory, one such answer of a 800,000-epoch run is 270 MB of JSON: six at
 * once took a 3 GB heap and answered 500 (OutOfMemoryError).
 */
class LongRunFaultTest {
    @TempDir Path dir;

    /** Enough that six answers built whole (some 30 MB of JSON and as much again of records each) cannot fit in 64 MB. */
    private static final int EPOCHS = 80_000;

    /** A finished run of {@link #EPOCHS} epochs of one hidden unit, appended a thousand epochs a transaction. */
    private static String longRun(EventLog log) {
        Map<String, String> cfg = ConfigKeys.build(Map.of("data", "bars", "hidden", "1", "epochs", Integer.toString(EPOCHS))).toMap();
        String id = log.create(new RunEvent.Created(cfg, null, "f00d", Map.of(), "test", null));
        log.append(id, new RunEvent.Started(1, "test-host", 1, 0, "f00d", Map.of()));
        List<RunEvent> batch = new ArrayList<>();
        for (int e = 1; e <= EPOCHS; e++) {
            batch.add(new RunEvent.EpochCompleted(e, 1.0 / e, 0.9 / e, 0.05, 0.01, 0.1, new double[] {0.1}, 0.2, 1.5, 3, 0.01, false,
                    0.95 / e, 0.2, 5000));
            if (batch.size() == 1000) {
                log.appendAll(id, batch, List.of());
                batch.clear();
            }
        }
        log.append(id, new RunEvent.Finished(EPOCHS, 1.0 / EPOCHS, 0.95 / EPOCHS));
        return id;
    }

    /** How many times {@code needle} occurs in the answer's body, read as it comes. */
    private static long count(InputStream body, String needle) throws java.io.IOException {
        byte[] n = needle.getBytes(StandardCharsets.UTF_8);
        long found = 0;
        int matched = 0;
        byte[] buf = new byte[1 << 16];
        for (int r; (r = body.read(buf)) > 0; ) {
            for (int i = 0; i < r; i++) {
                if (buf[i] == n[matched]) {
                    if (++matched == n.length) {
                        found++;
                        matched = 0;
                    }
                } else {
                    matched = buf[i] == n[0] ? 1 : 0;
                }
            }
        }
        return found;
    }

    @Test
    void a_long_runs_figures_asked_several_times_at_once_are_each_answered_whole_by_a_small_heap() throws Exception {
        Path db = dir.resolve("long.db");
        String run;
        try (EventLog log = EventLog.open(db)) {
            run = longRun(log);
        }
        Path out = dir.resolve("serve.out");
        Process server = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-Xmx64m",
                "-cp", System.getProperty("java.class.path"), "sparselab.Main", "serve", "--db", db.toString(), "--port", "0",
                "--workers", "0").redirectErrorStream(true).redirectOutput(out.toFile()).start();
        ExecutorService clients = Executors.newFixedThreadPool(6);
        try {
            int port = -1;
            long deadline = System.nanoTime() + 120_000_000_000L;
            Pattern at = Pattern.compile("dashboard on http://127\\.0\\.0\\.1:(\\d+)/");
            while (port < 0) {
                Matcher m = at.matcher(Files.exists(out) ? Files.readString(out) : "");
                if (m.find()) port = Integer.parseInt(m.group(1));
                else if (!server.isAlive() || System.nanoTime() > deadline) fail("serve did not start:\n" + Files.readString(out));
                else Thread.sleep(200);
            }
            HttpClient http = HttpClient.newHttpClient();
            String base = "http://127.0.0.1:" + port + "/api/runs/" + run;
            // [path, what occurs once per epoch in its answer]
            List<String[]> asks = List.of(new String[] {"/metrics", "{\"epoch\":"}, new String[] {"/metrics", "{\"epoch\":"},
                    new String[] {"/metrics", "{\"epoch\":"}, new String[] {"/metrics.csv", "\n"}, new String[] {"/metrics.csv", "\n"},
                    new String[] {"/metrics.json", "{\"epoch\":"});
            List<Future<String>> answers = new ArrayList<>();
            for (String[] ask : asks) {
                answers.add(clients.submit(() -> {
                    HttpResponse<InputStream> r = http.send(HttpRequest.newBuilder(URI.create(base + ask[0])).timeout(java.time.Duration.ofMinutes(3)).build(),
                            HttpResponse.BodyHandlers.ofInputStream());
                    try (InputStream body = r.body()) {
                        return ask[0] + " " + r.statusCode() + " " + count(body, ask[1]);
                    }
                }));
            }
            for (int i = 0; i < asks.size(); i++) {
                long lines = asks.get(i)[0].endsWith(".csv") ? EPOCHS + 1 : EPOCHS;      // the CSV's header line
                assertEquals(asks.get(i)[0] + " 200 " + lines, answers.get(i).get(4, TimeUnit.MINUTES), "every epoch, once:\n" + tail(out));
            }
            HttpResponse<String> still = http.send(HttpRequest.newBuilder(URI.create(base)).build(), HttpResponse.BodyHandlers.ofString());
            assertEquals(200, still.statusCode(), "the dashboard still answers");
            assertTrue(!Files.readString(out).contains("OutOfMemoryError"), tail(out));

            // a download the log fails part way: cut, not ended as if whole (it ended cleanly, a 200 lacking its last
            // epochs). A client that reads slowly, so that the server waits on it a few pages in; meanwhile the
            // figures' table is dropped behind the server's back, and its next page fails.
            try (java.net.Socket socket = new java.net.Socket()) {
                socket.setReceiveBufferSize(8192);
                socket.connect(new java.net.InetSocketAddress("127.0.0.1", port));
                socket.setSoTimeout(20_000);
                socket.getOutputStream().write(("GET /api/runs/" + run + "/metrics.csv HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n")
                        .getBytes(StandardCharsets.US_ASCII));
                InputStream in = socket.getInputStream();
                byte[] head = in.readNBytes(4096);
                String start = new String(head, StandardCharsets.ISO_8859_1);
                assertTrue(start.startsWith("HTTP/1.1 200") && start.toLowerCase(java.util.Locale.ROOT).contains("transfer-encoding: chunked"), start);
                TestLogs.rawExecute(db.toString(), "DROP TABLE epoch_metrics");
                java.io.ByteArrayOutputStream rest = new java.io.ByteArrayOutputStream();
                byte[] buf = new byte[1 << 16];
                boolean ended = false;
                try {
                    for (int r; (r = in.read(buf)) > 0; ) {
                        rest.write(buf, 0, r);
                        String tail = new String(buf, Math.max(0, r - 5), Math.min(5, r), StandardCharsets.ISO_8859_1);
                        if (tail.equals("0\r\n\r\n")) { ended = true; break; }       // the last chunk: a clean end
                    }
                } catch (java.net.SocketTimeoutException e) {
                    fail("the connection was neither ended nor cut within 20 s:\n" + tail(out));
                }
                assertFalse(ended, "the answer ended cleanly though its last epochs were never read (" + rest.size() + " bytes after the first 4 KB)");
                long lines = new String(rest.toByteArray(), StandardCharsets.ISO_8859_1).chars().filter(c -> c == '\n').count();
                assertTrue(lines < EPOCHS, lines + " lines: the server waited on the client a few pages in, so most epochs were still to read");
                assertTrue(Files.readString(out).contains("/metrics.csv: the answer was cut part way"), tail(out));
            }
        } finally {
            clients.shutdownNow();
            server.destroyForcibly();
            server.waitFor(30, TimeUnit.SECONDS);
        }
    }

    private static String tail(Path out) throws java.io.IOException {
        String s = Files.exists(out) ? Files.readString(out) : "";
        return s.length() <= 4000 ? s : s.substring(s.length() - 4000);
    }
}
