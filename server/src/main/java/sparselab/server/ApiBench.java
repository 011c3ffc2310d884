package sparselab.server;

import io.javalin.Javalin;
import sparselab.cli.TempFolder;
import sparselab.config.ConfigKeys;
import sparselab.launch.LaunchPool;
import sparselab.log.Blob;
import sparselab.store.EventLog;
import sparselab.log.RunEvent;

import java.io.IOException;
import java.io.PrintWriter;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * Times the dashboard's reads over real HTTP: {@code GET /api/runs} with 10,000 runs in the log, {@code GET
 * /api/compare} of 8 runs of 1,000 epochs each with H = 196, and a run page's requests. Prints the median of 21 requests
 * after 5 warm-ups. Run by {@code sparselab bench-api} ({@link BenchApiCommand}), which checks the sizes first.
 */
public final class ApiBench {
    private ApiBench() {}

    /** The logs the bench times, as {@code --backend} names them: one backend, or both in the same run. */
    enum Backends {
        sqlite, postgresql, both;

        List<String> names() { return this == both ? List.of("sqlite", "postgresql") : List.of(name()); }
    }

    /**
     * Fills a log of each backend and times its reads, printing to {@code out}. The SQLite log is written in a
     * temporary folder and the PostgreSQL one on a throwaway server: both are deleted at the end, also when the bench
     * fails or the JVM is stopped.
     */
    static void run(PrintWriter out, int runs, int epochs, int hidden, Backends backends) throws Exception {
        Map<String, Map<String, Double>> medians = new java.util.LinkedHashMap<>();
        for (String backend : backends.names()) {
            if (backend.equals("postgresql")) {
                try (sparselab.store.LocalPostgres pg = sparselab.store.LocalPostgres.start(); EventLog log = EventLog.open(pg.newDatabase())) {
                    medians.put(backend, measure(out, backend, log, runs, epochs, hidden));
                }
            } else {
                try (TempFolder dir = TempFolder.create("sparselab-bench"); EventLog log = EventLog.open(dir.path().resolve("bench.db").toString())) {
                    medians.put(backend, measure(out, backend, log, runs, epochs, hidden));
                }
            }
        }
        if (medians.size() == 2) {
            out.printf("%npostgresql / sqlite (median time, same run):%n");
            Map<String, Double> a = medians.get("sqlite"), b = medians.get("postgresql");
            for (String k : a.keySet()) out.printf("  %-60s %.2fx%n", k, b.get(k) / a.get(k));
        }
    }

    private static Map<String, Double> measure(PrintWriter out, String backend, EventLog log, int runs, int epochs, int hidden) throws Exception {
        out.printf("%n== %s: %s%n", backend, log.describe());
        long t0 = System.nanoTime();
        out.printf("filling with %,d runs ...%n", runs);
        fillRuns(log, runs);
        out.printf("  %.1f s%nfilling 8 runs of %,d epochs, H = %d ...%n", (System.nanoTime() - t0) / 1e9, epochs, hidden);
        long t1 = System.nanoTime();
        List<String> compared = new ArrayList<>();
        for (int r = 0; r < 8; r++) compared.add(fillTrained(log, epochs, hidden, r));
        out.printf("  %.1f s%n", (System.nanoTime() - t1) / 1e9);
        log.analyze();          // as autovacuum would within a minute: a log in use has its statistics
        String lone = log.create(new RunEvent.Created(ConfigKeys.build(Map.of("beta", "3", "hidden", "777")).toMap(), null, "f00d",
                Map.of(), "bench", null));

        LaunchPool pool = new LaunchPool(log, (id, resume, name) -> { throw new IllegalStateException("the bench starts no trainer"); }, 0);
        Javalin app = new App(log, Clock.systemUTC(), pool,
                (cfg, preset, origin, group, ladder) -> { throw new IllegalStateException("the bench launches nothing"); },
                Safety.hostsFor("127.0.0.1")).build().start("127.0.0.1", 0);
        Map<String, Double> times = new java.util.LinkedHashMap<>();
        try {
            String base = "http://127.0.0.1:" + app.port();
            HttpClient http = HttpClient.newHttpClient();
            int half = Math.max(1, runs / 2);
            long middle = log.runsPage(sparselab.store.RunFilter.ALL, null, half, java.time.Instant.now()).get(half - 1).createdSeq();
            times.put("GET /api/runs (first page of 100, " + (runs + 9) + " runs)", report(out, http, base + "/api/runs", "GET /api/runs (first page of 100)"));
            times.put("GET /api/runs?before=... (a page in the middle)", report(out, http, base + "/api/runs?before=" + middle, "GET /api/runs?before=... (a page in the middle)"));
            times.put("GET /api/runs?status=diverged&q=ufldl (filtered in SQL)", report(out, http, base + "/api/runs?status=diverged&q=ufldl", "GET /api/runs?status=diverged&q=ufldl"));
            times.put("GET /api/compare (8 runs x " + epochs + " epochs)", report(out, http, base + "/api/compare?runs=" + String.join(",", compared), "GET /api/compare (8 runs x " + epochs + " epochs)"));
            times.put("GET /api/runs/{id} (a run's page)", report(out, http, base + "/api/runs/" + compared.get(0), "GET /api/runs/{id} (a run's page: its row, actions and twin)"));
            times.put("GET /api/runs/{id} (a run with no twin)", report(out, http, base + "/api/runs/" + lone, "GET /api/runs/{id} (a run with no twin: its lookup finds none)"));
            times.put("GET /api/runs/{id}/events (the run page's timeline)", report(out, http, base + "/api/runs/" + compared.get(0) + "/events?limit=100", "GET /api/runs/{id}/events?limit=100 (the run page's timeline, " + epochs + " epochs)"));
            times.put("GET /api/runs/{id}/rhohat", report(out, http, base + "/api/runs/" + compared.get(0) + "/rhohat?rows=200", "GET /api/runs/{id}/rhohat (one run, 200 of " + epochs + " epochs x " + hidden + " units)"));
        } finally {
            app.stop();
        }
        return times;
    }

    private static double report(PrintWriter out, HttpClient http, String url, String what) throws IOException, InterruptedException {
        HttpRequest req = HttpRequest.newBuilder(URI.create(url)).GET().build();
        long bytes = 0;
        for (int i = 0; i < 5; i++) bytes = check(http.send(req, HttpResponse.BodyHandlers.ofByteArray()), url).length;
        double[] ms = new double[21];
        for (int i = 0; i < ms.length; i++) {
            long t = System.nanoTime();
            check(http.send(req, HttpResponse.BodyHandlers.ofByteArray()), url);
            ms[i] = (System.nanoTime() - t) / 1e6;
        }
        Arrays.sort(ms);
        out.printf("%-70s median %7.1f ms  (min %.1f, max %.1f; %,d bytes)%n", what, ms[ms.length / 2], ms[0], ms[ms.length - 1], bytes);
        return ms[ms.length / 2];
    }

    private static byte[] check(HttpResponse<byte[]> r, String url) {
        if (r.statusCode() != 200) throw new IllegalStateException(url + " answered " + r.statusCode() + ": " + new String(r.body()));
        return r.body();
    }

    private static final String[] STATUSES = {"finished", "finished", "finished", "diverged", "cancelled", "queued"};

    private static void fillRuns(EventLog log, int n) throws Exception {
        int threads = log.shared() ? 4 : 1;
        java.util.concurrent.ExecutorService pool = java.util.concurrent.Executors.newFixedThreadPool(threads);
        List<java.util.concurrent.Future<?>> parts = new ArrayList<>();
        for (int t = 0; t < threads; t++) {
            int from = t * n / threads, to = (t + 1) * n / threads;
            parts.add(pool.submit(() -> { fillRuns(log, from, to); return null; }));
        }
        for (var f : parts) f.get();
        pool.shutdown();
    }

    /** Runs {@code from} until {@code to}, 500 runs per transaction (created, started and an end event each). */
    private static void fillRuns(EventLog log, int from, int to) {
        SplittableRandom rng = new SplittableRandom(1 + from);
        java.util.LinkedHashMap<String, List<RunEvent>> batch = new java.util.LinkedHashMap<>();
        for (int i = from; i < to; i++) {
            Map<String, String> cfg = ConfigKeys.build(Map.of("beta", Double.toString(rng.nextInt(5) * 0.5), "rho",
                    Double.toString(0.01 + rng.nextInt(10) * 0.02), "hidden", Integer.toString(16 + rng.nextInt(200)))).toMap();
            List<RunEvent> events = new ArrayList<>();
            events.add(new RunEvent.Created(cfg, i % 3 == 0 ? "ufldl" : null, "f00d", Map.of(), "cli", null));
            String status = STATUSES[i % STATUSES.length];
            if (!status.equals("queued")) {
                events.add(new RunEvent.Started(1, "h", 1, 0, "f00d", Map.of()));
                events.add(switch (status) {
                    case "diverged" -> new RunEvent.Diverged(3, "loss is NaN");
                    case "cancelled" -> new RunEvent.Cancelled(2);
                    default -> new RunEvent.Finished(10, rng.nextDouble(), rng.nextDouble());
                });
            }
            batch.put(EventLog.newRunId(), events);
            if (batch.size() == 500 || i == to - 1) {
                log.appendMany(batch);
                batch = new java.util.LinkedHashMap<>();
            }
        }
    }

    private static String fillTrained(EventLog log, int epochs, int hidden, int r) {
        Map<String, String> cfg = ConfigKeys.build(Map.of("beta", r % 2 == 0 ? "3" : "0", "rho", "0.1", "hidden", Integer.toString(hidden),
                "epochs", Integer.toString(epochs))).toMap();
        String id = log.create(new RunEvent.Created(cfg, "ufldl", "f00d", Map.of(), "bench", "bench"));
        log.append(id, new RunEvent.Started(1, "h", 1, 0, "f00d", Map.of()));
        SplittableRandom rng = new SplittableRandom(r);
        List<RunEvent> batch = new ArrayList<>();
        for (int e = 1; e <= epochs; e++) {
            double[] rho = new double[hidden];
            for (int j = 0; j < hidden; j++) rho[j] = rng.nextDouble() * 0.3;
            batch.add(new RunEvent.EpochCompleted(e, 1.0 / e, 0.9 / e, 0.05, 0.01, 0.1, rho, 0.2, 1.5, 3, 0.01, false,
                    0.95 / e, 0.2, 5000));
            if (batch.size() == 50 || e == epochs) {
                log.appendAll(id, batch, List.of());
                batch.clear();
            }
            if (Integer.bitCount(e) == 1 || e == epochs) snapshot(log, id, e, hidden, rng);
        }
        log.append(id, new RunEvent.Finished(epochs, 1.0 / epochs, 0.95 / epochs));
        return id;
    }

    private static void snapshot(EventLog log, String id, int epoch, int hidden, SplittableRandom rng) {
        int d = 784;
        ByteBuffer b = ByteBuffer.allocate(4 * (2 * hidden * d + hidden + d)).order(ByteOrder.LITTLE_ENDIAN);
        while (b.hasRemaining()) b.putFloat((float) rng.nextGaussian());
        Blob blob = Blob.of(b.array());
        log.append(id, new RunEvent.WeightSnapshot(epoch, blob.hash(), d, hidden, 28, 28), blob);
    }
}
