package sparselab.server;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import sparselab.config.ConfigKeys;
import sparselab.log.Json;
import sparselab.log.RunEvent;
import sparselab.store.EventLog;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * A real {@code serve} process with a small heap compares long runs (the default limits allow 800,000 epochs): the
 * compare answer, the run page's curves and the heat map's rates hold at most 2,000 epochs a run, thinned by one stride
 * common to all the runs, each run's first, last and flagged epochs kept, so that replicates still line up epoch by
 * epoch; short runs are answered with every epoch, as before. Built whole, the compare answer of 2 runs of 800,000
 * epochs ran a 256 MB server out of memory.
 */
class ThinnedCurvesFaultTest {
    @TempDir Path dir;

    static final int LONG = 50_001;
    static final int SHORTER = 20_001;
    static final int FLAG_AT = 12_345;

    /** A finished run of {@code epochs} epochs of one hidden unit, a thousand epochs a transaction; flagged at {@code flagAt} (or not, 0). */
    static String longRun(EventLog log, int epochs, int seed, int flagAt) {
        Map<String, String> cfg = ConfigKeys.build(Map.of("data", "bars", "hidden", "1", "epochs", Integer.toString(epochs),
                "seed", Integer.toString(seed))).toMap();
        String id = log.create(new RunEvent.Created(cfg, null, "f00d", Map.of(), "test", null));
        log.append(id, new RunEvent.Started(1, "test-host", 1, 0, "f00d", Map.of()));
        List<RunEvent> batch = new ArrayList<>();
        for (int e = 1; e <= epochs; e++) {
            batch.add(new RunEvent.EpochCompleted(e, (1.0 + seed) / e, 0.9 / e, 0.05, 0.01, 0.1, new double[] {0.1}, 0.2, 1.5, 3, 0.01, false,
                    0.95 / e, 0.2, 5000));
            if (e == flagAt) batch.add(new RunEvent.DivergenceFlag(e, "saturated", "test", 1));
            if (batch.size() >= 1000 || e == epochs) {
                log.appendAll(id, batch, List.of());
                batch.clear();
            }
        }
        log.append(id, new RunEvent.Finished(epochs, (1.0 + seed) / epochs, 0.95 / epochs));
        return id;
    }

    static List<Integer> ints(JsonNode a) {
        List<Integer> out = new ArrayList<>();
        a.forEach(n -> out.add(n.asInt()));
        return out;
    }

    @Test
    void long_runs_compared_by_a_small_heap_are_thinned_by_one_stride_keeping_first_last_and_flagged_epochs() throws Exception {
        String db = TestLogs.newDb(dir, "thin.db");
        String a, b, c, shortRun, edge;
        try (EventLog log = EventLog.open(db)) {
            a = longRun(log, LONG, 1, FLAG_AT);
            b = longRun(log, LONG, 2, 0);             // a replicate of a: the same configuration but its seed
            c = longRun(log, SHORTER, 3, 0);
            shortRun = longRun(log, 6, 4, 3);
            edge = longRun(log, 2_000, 5, 0);         // as long as a curve may be: every epoch
        }
        Path out = dir.resolve("serve.out");
        Process server = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-Xmx64m",
                "-cp", System.getProperty("java.class.path"), "sparselab.Main", "serve", "--db", db, "--port", "0",
                "--workers", "0").redirectErrorStream(true).redirectOutput(out.toFile()).start();
        try {
            int port = port(server, out);
            HttpClient http = HttpClient.newHttpClient();
            String base = "http://127.0.0.1:" + port + "/api";

            HttpResponse<String> r = get(http, base + "/compare?runs=" + a + "," + b + "," + c);
            assertEquals(200, r.statusCode(), r.body() + "\n" + tail(out));
            JsonNode doc = Json.MAPPER.readTree(r.body());
            JsonNode thinned = doc.get("thinned");
            assertTrue(thinned != null && thinned.isObject(), "the answer says its curves are thinned: " + doc.get("thinned"));
            int k = thinned.get("stride").asInt();
            assertEquals(26, k, "the coarsest: the least stride whose multiples of 50,001, with a first and a last, fit in 2,000");
            assertEquals(2_000, thinned.get("points").asInt());
            assertEquals(LONG, thinned.get("epochs").asInt(), "the longest run's epochs");
            Map<String, Integer> lastOf = Map.of(a, LONG, b, LONG, c, SHORTER);
            // a and b are replicates (the same configuration but for the seed): one stride, the longest's; c, of another
            // configuration (fewer epochs), its own: the least whose multiples of 20,001, with a first and a last, fit
            Map<String, Integer> strideOf = Map.of(a, 26, b, 26, c, 11);
            Map<String, List<Integer>> epochsOf = new java.util.HashMap<>();
            // besides the stride's: every replicate's flagged, diverged and last epochs, in each replicate that has them
            Map<String, Set<Integer>> keptOf = Map.of(a, Set.of(FLAG_AT, LONG), b, Set.of(FLAG_AT, LONG), c, Set.of(SHORTER));
            for (JsonNode s : doc.get("runs")) {
                String id = s.get("run").get("runId").asText();
                List<Integer> epochs = ints(s.get("epoch"));
                epochsOf.put(id, epochs);
                int last = lastOf.get(id);
                int stride = strideOf.get(id);
                assertEquals(stride, s.get("thinned").get("stride").asInt(), id + ": " + s.get("thinned"));
                assertEquals(last, s.get("thinned").get("epochs").asInt(), id + ": the longest of its replicates");
                assertEquals(2_000, s.get("thinned").get("points").asInt());
                java.util.TreeSet<Integer> expected = new java.util.TreeSet<>(List.of(1, last));
                for (int e = stride; e <= last; e += stride) expected.add(e);
                Set<Integer> kept = keptOf.get(id);
                kept.stream().filter(e -> e <= last).forEach(expected::add);
                assertEquals(List.copyOf(expected), epochs, id + ": the multiples of the stride, its first and last, and the epochs kept for all");
                assertTrue(epochs.size() <= 2_000 + kept.size(), id + ": " + epochs.size() + " points");
                assertEquals(epochs.size(), s.get("loss").size(), "each figure aligned with the epochs");
                for (int j : kept.contains(FLAG_AT) ? new int[] {1, epochs.indexOf(FLAG_AT)} : new int[] {1}) {
                    assertEquals(1.0 * (1 + (id.equals(a) ? 1 : id.equals(b) ? 2 : 3)) / epochs.get(j), s.get("loss").get(j).asDouble(), 1e-12,
                            "the figures of the epoch drawn");
                }
            }
            assertTrue(epochsOf.get(a).contains(FLAG_AT), "the flagged epoch is drawn, where the page marks the flag");
            // replicates line up epoch by epoch, the flagged one too (the page's mean ± sd over seeds is taken at each epoch)
            assertEquals(epochsOf.get(a), epochsOf.get(b), "a and b are drawn at the same epochs");
            assertEquals(SHORTER / 11 + 2, epochsOf.get(c).size(), "the shorter run at its own stride, not at the longer runs' 26");

            // a short run compared with a long one of another configuration: every epoch of it, as on its own
            JsonNode mixed = Json.MAPPER.readTree(get(http, base + "/compare?runs=" + a + "," + shortRun).body());
            assertEquals(26, mixed.get("thinned").get("stride").asInt(), "the coarsest thinning of the answer");
            assertEquals(26, mixed.get("runs").get(0).get("thinned").get("stride").asInt());
            assertFalse(mixed.get("runs").get(1).has("thinned"), "the short run is not thinned: " + mixed.get("runs").get(1).get("thinned"));
            assertEquals(List.of(1, 2, 3, 4, 5, 6), ints(mixed.get("runs").get(1).get("epoch")), "every epoch of the short run");
            assertEquals(LONG / 26 + 3, mixed.get("runs").get(0).get("epoch").size(), "the long run as on its own: multiples of 26, first, last, flagged");

            // the run page's curves and the heat map's rates of a long run: bounded the same way
            JsonNode curves = Json.MAPPER.readTree(get(http, base + "/runs/" + a + "/curves").body());
            assertEquals(26, curves.get("thinned").get("stride").asInt());
            assertEquals(LONG / 26 + 3, curves.get("metrics").size(), "multiples of 26, first, last and flagged");
            JsonNode rates = Json.MAPPER.readTree(get(http, base + "/runs/" + a + "/rhohat?rows=100000").body());
            assertTrue(rates.get("epochs").size() <= 2_000, rates.get("epochs").size() + " rows of rates");
            assertEquals(LONG, ints(rates.get("epochs")).get(rates.get("epochs").size() - 1), "the last epoch's rates");

            // short runs: every epoch, and no word of thinning
            JsonNode plain = Json.MAPPER.readTree(get(http, base + "/compare?runs=" + shortRun + "," + edge).body());
            assertFalse(plain.has("thinned"), "nothing thinned: " + plain.get("thinned"));
            assertEquals(List.of("runs", "diff"), iterable(plain.fieldNames()));
            assertEquals(6, plain.get("runs").get(0).get("epoch").size());
            assertEquals(2_000, plain.get("runs").get(1).get("epoch").size(), "a run of 2,000 epochs is drawn whole");
            String edgeMetrics = get(http, base + "/runs/" + edge + "/metrics").body();
            assertTrue(("{\"metrics\":" + edgeMetrics + "}").equals(get(http, base + "/runs/" + edge + "/curves").body()),
                    "a short run's curves are its figures, every epoch, byte for byte");
            assertFalse(Files.readString(out).contains("OutOfMemoryError"), tail(out));
        } finally {
            server.destroyForcibly();
            server.waitFor(30, TimeUnit.SECONDS);
        }
    }

    static List<String> iterable(java.util.Iterator<String> it) {
        List<String> out = new ArrayList<>();
        it.forEachRemaining(out::add);
        return out;
    }

    static HttpResponse<String> get(HttpClient http, String url) throws Exception {
        return http.send(HttpRequest.newBuilder(URI.create(url)).timeout(java.time.Duration.ofMinutes(3)).build(), HttpResponse.BodyHandlers.ofString());
    }

    static int port(Process server, Path out) throws Exception {
        long deadline = System.nanoTime() + 120_000_000_000L;
        Pattern at = Pattern.compile("dashboard on http://127\\.0\\.0\\.1:(\\d+)/");
        while (true) {
            Matcher m = at.matcher(Files.exists(out) ? Files.readString(out) : "");
            if (m.find()) return Integer.parseInt(m.group(1));
            if (!server.isAlive() || System.nanoTime() > deadline) fail("serve did not start:\n" + Files.readString(out));
            Thread.sleep(200);
        }
    }

    static String tail(Path out) throws java.io.IOException {
        String s = Files.exists(out) ? Files.readString(out) : "";
        return s.length() <= 4000 ? s : s.substring(s.length() - 4000);
    }
}
