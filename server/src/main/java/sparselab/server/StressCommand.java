package sparselab.server;

import io.javalin.Javalin;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;
import sparselab.cli.DbOption;
import sparselab.cli.ExitCodes;
import sparselab.config.Limits;
import sparselab.launch.LaunchPool;
import sparselab.launch.RunCreator;
import sparselab.log.Json;
import sparselab.log.RunRow;
import sparselab.runs.Runs;
import sparselab.store.EventLog;
import sparselab.store.VerifyReport;

import java.io.PrintWriter;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.Callable;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;

@Command(name = "stress", mixinStandardHelpOptions = true, usageHelpWidth = 110,
        description = {"Load a live dashboard on this machine (loopback only) for a bounded time: concurrent clients launch small "
                + "runs, read pages and the API, cancel and resume runs, while the dashboard's pool trains them in real trainer "
                + "processes. Then every unfinished run it launched is cancelled, its trainers are waited for, and `verify` checks the log.",
                "Give it a throwaway log (--db stress.db): a log that already holds runs is refused unless --allow-existing, "
                        + "and there its pool also trains the runs queued before it.",
                "Prints the requests by status, every 5xx, lost or duplicated epochs, the peak heap and the log's size; exit 0 "
                        + "only when there was no 5xx and verify is clean."})
public final class StressCommand implements Callable<Integer> {
    @Mixin DbOption db;
    @Spec CommandSpec spec;
    @Option(names = "--seconds", defaultValue = "60", description = "how long the clients run (default: ${DEFAULT-VALUE}; at most 3600)") int seconds;
    @Option(names = "--clients", defaultValue = "16", description = "concurrent clients (default: ${DEFAULT-VALUE}; at most 64)") int clients;
    @Option(names = "--trainers", defaultValue = "2", description = "trainer processes of the pool (default: ${DEFAULT-VALUE}; at most 8)") int trainers;
    @Option(names = "--allow-existing", description = "load a log that already holds runs (they are left alone, but its "
            + "pool trains the queued ones); without it such a log is refused") boolean allowExisting;

    private static final String LAUNCH = "{\"config\":{\"data\":\"bars\",\"limit\":\"500\",\"hidden\":\"8\",\"epochs\":\"%d\","
            + "\"batchSize\":\"10\",\"seed\":\"%d\"}}";

    @Override
    public Integer call() throws Exception {
        if (seconds < 1 || seconds > 3600) throw new ExitCodes.RefusedException("--seconds: " + seconds + " is out of range [1, 3600]");
        if (clients < 1 || clients > 64) throw new ExitCodes.RefusedException("--clients: " + clients + " is out of range [1, 64]");
        if (trainers < 1 || trainers > 8) throw new ExitCodes.RefusedException("--trainers: " + trainers + " is out of range [1, 8]");
        PrintWriter out = spec.commandLine().getOut();
        EventLog log = db.open();
        int before = log.runs().size();
        if (before > 0 && !allowExisting) {
            throw new ExitCodes.RefusedException("--db: " + log.describe() + " already holds " + before + " run" + (before == 1 ? "" : "s")
                    + "; give stress a throwaway log (--db stress.db), or pass --allow-existing to load this one");
        }
        Limits limits = Limits.fromEnvironment();
        LaunchPool pool = new LaunchPool(log, sparselab.launch.TrainerSpawner.background(log, trainers), trainers);
        Javalin app = new App(log, log.clock(), pool, RunCreator.inLog(log, Runs.dataDir(), limits), Safety.hostsFor("127.0.0.1"), limits)
                .build().start("127.0.0.1", 0);
        pool.start(500);
        String base = "http://127.0.0.1:" + app.port();
        out.printf("stress: %s, %d clients, %d trainers, %d s, log %s%n", base, clients, trainers, seconds, log.describe());
        out.flush();

        Map<Integer, LongAdder> byStatus = new ConcurrentHashMap<>();
        ConcurrentLinkedQueue<String> fiveXx = new ConcurrentLinkedQueue<>();
        List<String> ids = java.util.Collections.synchronizedList(new ArrayList<>());
        AtomicLong peakHeap = new AtomicLong();
        long end = System.nanoTime() + seconds * 1_000_000_000L;
        HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();
        List<Thread> threads = new ArrayList<>();
        for (int c = 0; c < clients; c++) {
            int seed = c;
            Thread t = new Thread(() -> client(http, base, new SplittableRandom(seed), end, ids, byStatus, fiveXx), "stress-client-" + c);
            threads.add(t);
            t.start();
        }
        Thread sampler = new Thread(() -> {
            while (System.nanoTime() < end) {
                Runtime rt = Runtime.getRuntime();
                peakHeap.accumulateAndGet(rt.totalMemory() - rt.freeMemory(), Math::max);
                try {
                    Thread.sleep(200);
                } catch (InterruptedException e) {
                    return;
                }
            }
        }, "stress-heap");
        sampler.start();
        for (Thread t : threads) t.join();
        sampler.join();

        // wind down: cancel what is left of the runs launched here (never another's), let their trainers end, then check the whole log
        java.util.Set<String> own = java.util.Set.copyOf(ids);
        long deadline = System.currentTimeMillis() + 180_000;
        List<RunRow> unfinished = unfinished(log, own);
        while ((!unfinished.isEmpty() || pool.active().stream().anyMatch(own::contains)) && System.currentTimeMillis() < deadline) {
            for (RunRow r : unfinished) send(http, base, "POST", "/api/runs/" + r.runId() + "/cancel", null, byStatus, fiveXx);
            Thread.sleep(250);
            unfinished = unfinished(log, own);
        }
        pool.close();
        app.stop();
        VerifyReport v = log.verify();
        long requests = byStatus.values().stream().mapToLong(LongAdder::sum).sum();
        out.printf("requests: %,d; by status: %s%n", requests, new java.util.TreeMap<>(byStatus.entrySet().stream()
                .collect(java.util.stream.Collectors.toMap(Map.Entry::getKey, e -> e.getValue().sum()))));
        out.printf("5xx: %d%s%n", fiveXx.size(), fiveXx.isEmpty() ? "" : " " + fiveXx.stream().limit(5).toList());
        out.printf("runs launched: %d; in the log: %d; epochs logged: %,d%n", ids.size(), v.runs(),
                log.runs().stream().mapToLong(RunRow::epochsDone).sum());
        out.printf("verify: %s (damage in the file %d; blobs re-hashed %d, bad %d, missing %d; runs with a gap or an epoch twice %d; projection differences %d)%n",
                v.clean() ? "clean" : "PROBLEMS", v.damage().size(), v.blobs(), v.badBlobs().size(), v.missingBlobs().size(), v.sequenceErrors().size(),
                v.projectionDiffs().size());
        out.printf("peak heap: %.0f MB; log size: %.1f MB%n", peakHeap.get() / 1e6, log.sizeBytes() / 1e6);
        log.close();
        return fiveXx.isEmpty() && v.clean() ? ExitCodes.OK : ExitCodes.FAILURE;
    }

    /** The runs of {@code own} that have not ended yet. */
    private static List<RunRow> unfinished(EventLog log, java.util.Set<String> own) {
        return log.runs().stream().filter(r -> own.contains(r.runId()) && !r.ended()).toList();
    }

    private static void client(HttpClient http, String base, SplittableRandom rng, long end, List<String> ids,
                               Map<Integer, LongAdder> byStatus, ConcurrentLinkedQueue<String> fiveXx) {
        while (System.nanoTime() < end) {
            String some = ids.isEmpty() ? "r0000000000" : ids.get(rng.nextInt(ids.size()));
            int op = rng.nextInt(100);
            if (op < 12) {
                String body = String.format(LAUNCH, 5 + rng.nextInt(30), rng.nextInt(1000));
                String answer = send(http, base, "POST", "/api/launch", body, byStatus, fiveXx);
                if (answer != null && answer.contains("\"runId\"")) ids.add(Json.MAPPER.convertValue(Json.read(answer, Map.class).get("runId"), String.class));
            } else if (op < 20) {
                send(http, base, "POST", "/api/runs/" + some + "/cancel", null, byStatus, fiveXx);
            } else if (op < 26) {
                send(http, base, "POST", "/api/runs/" + some + "/resume", null, byStatus, fiveXx);
            } else if (op < 45) {
                send(http, base, "GET", "/api/runs" + (rng.nextBoolean() ? "" : "?status=running&q=bars"), null, byStatus, fiveXx);
            } else if (op < 60) {
                send(http, base, "GET", "/api/runs/" + some, null, byStatus, fiveXx);
            } else if (op < 72) {
                send(http, base, "GET", "/api/runs/" + some + "/metrics", null, byStatus, fiveXx);
            } else if (op < 80) {
                send(http, base, "GET", "/api/runs/" + some + "/events", null, byStatus, fiveXx);
            } else if (op < 88) {
                String other = ids.isEmpty() ? some : ids.get(rng.nextInt(ids.size()));
                send(http, base, "GET", "/api/compare?runs=" + some + "," + other, null, byStatus, fiveXx);
            } else if (op < 94) {
                send(http, base, "GET", "/api/runs/" + some + "/snapshots", null, byStatus, fiveXx);
            } else {
                send(http, base, "GET", "/index.html", null, byStatus, fiveXx);
            }
        }
    }

    /** One request; returns the body of a 2xx, else null. */
    private static String send(HttpClient http, String base, String method, String path, String body,
                               Map<Integer, LongAdder> byStatus, ConcurrentLinkedQueue<String> fiveXx) {
        try {
            HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(base + path)).timeout(Duration.ofSeconds(60));
            if (method.equals("POST")) {
                b.header("Content-Type", "application/json").POST(body == null ? HttpRequest.BodyPublishers.noBody()
                        : HttpRequest.BodyPublishers.ofString(body));
            }
            HttpResponse<String> r = http.send(b.build(), HttpResponse.BodyHandlers.ofString());
            byStatus.computeIfAbsent(r.statusCode(), k -> new LongAdder()).increment();
            if (r.statusCode() >= 500) fiveXx.add(method + " " + path + " -> " + r.statusCode() + " " + r.body().substring(0, Math.min(200, r.body().length())));
            return r.statusCode() / 100 == 2 ? r.body() : null;
        } catch (Exception e) {
            byStatus.computeIfAbsent(-1, k -> new LongAdder()).increment();
            return null;
        }
    }
}
