package sparselab.server;

import com.fasterxml.jackson.databind.JsonNode;
import io.javalin.testtools.HttpClient;
import okhttp3.MediaType;
import okhttp3.RequestBody;
import okhttp3.Response;
import sparselab.config.ConfigKeys;
import sparselab.config.RunConfig;
import sparselab.launch.RunCreator;
import sparselab.log.Blob;
import sparselab.store.EventLog;
import sparselab.log.Json;
import sparselab.log.RunEvent;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Map;

/** Runs for tests, written as real events into a real log. */
final class Fixtures {
    private Fixtures() {}

    /** Creates runs without loading their data: the created event alone, as Runs.create appends it. */
    static RunCreator directCreator(EventLog log) {
        return (cfg, preset, origin, group, ladder) -> log.create(new RunEvent.Created(cfg.toMap(), preset, null, Map.of("java", "17"), origin, group, ladder));
    }

    /**
     * The dashboard on {@code log} as the page tests use it, started on a free port of 127.0.0.1: runs created without
     * loading their data, and a pool of one trainer that starts no process ({@link FakeTrainers}).
     */
    static io.javalin.Javalin pagesServer(EventLog log) {
        return app(log).start("127.0.0.1", 0);
    }

    /** The dashboard on {@code log}, not started (for {@code JavalinTest}): the system clock, a pool of one fake trainer. */
    static io.javalin.Javalin app(EventLog log) {
        return new App(log, java.time.Clock.systemUTC(), new sparselab.launch.LaunchPool(log, new FakeTrainers(), 1), directCreator(log),
                Safety.hostsFor("127.0.0.1")).build();
    }

    /**
     * A trainer's heartbeat for run {@code id}, appended every second at the epoch {@code epoch} holds, until closed:
     * the run reads as running however long a page takes to load (the tests' takeover timeout is a few seconds, and
     * a first page load in a loaded machine's browser took longer).
     */
    static AutoCloseable beating(EventLog log, String id, java.util.concurrent.atomic.AtomicInteger epoch) {
        java.util.concurrent.ScheduledExecutorService beat = java.util.concurrent.Executors.newSingleThreadScheduledExecutor();
        beat.scheduleWithFixedDelay(() -> {
            try {
                log.append(id, new sparselab.log.RunEvent.Heartbeat(epoch.get(), 0));
            } catch (RuntimeException busy) {
                // one beat lost (the log busy a moment): the next comes a second later; a thrown task would end them all
            }
        }, 0, 1, java.util.concurrent.TimeUnit.SECONDS);
        return () -> {
            beat.shutdownNow();
            beat.awaitTermination(10, java.util.concurrent.TimeUnit.SECONDS);
        };
    }

    /**
     * The end of a page test class: its server stopped, its log closed (its pool's connections: the PostgreSQL suite
     * shares one server) and its temporary folder deleted; each may be null (a start that failed part way).
     */
    static void stopPages(io.javalin.Javalin app, EventLog log, java.nio.file.Path dir) {
        if (app != null) app.stop();
        if (log != null) log.close();
        if (dir != null) sparselab.cli.TempFolder.delete(dir);
    }

    static String queued(EventLog log, Map<String, String> overrides) {
        return queued(log, overrides, "cli", null);
    }

    static String queued(EventLog log, Map<String, String> overrides, String origin, String group) {
        RunConfig cfg = ConfigKeys.build(overrides);
        return log.create(new RunEvent.Created(cfg.toMap(), null, "f00d", Map.of("java", "17"), origin, group));
    }

    /**
     * A run that trained {@code epochs} epochs of a {@code side} x {@code side} input with {@code hidden} units,
     * a snapshot at 0, 1, 2, 4, ... and the last, and (unless it diverged) finished.
     */
    static String trained(EventLog log, Map<String, String> overrides, int epochs, int hidden, int side, Integer divergeAt) {
        String id = queued(log, overrides);
        return train(log, id, epochs, hidden, side, divergeAt, false);
    }

    /** As above, created by {@code origin} in {@code group}; each snapshot also gets its filter measures. */
    static String trained(EventLog log, Map<String, String> overrides, int epochs, int hidden, int side, Integer divergeAt,
                          String origin, String group) {
        return train(log, queued(log, overrides, origin, group), epochs, hidden, side, divergeAt, true);
    }

    /** Trains the queued run {@code id} as {@link #trained} describes; with {@code measures}, each snapshot gets its filter measures. */
    static String train(EventLog log, String id, int epochs, int hidden, int side, Integer divergeAt, boolean measures) {
        log.append(id, new RunEvent.Started(4242, "test-host", 1, 0, "f00d", Map.of()));
        snapshot(log, id, 0, hidden, side, measures);
        for (int e = 1; e <= epochs; e++) {
            boolean diverged = divergeAt != null && e == divergeAt;
            double[] rho = new double[hidden];
            for (int j = 0; j < hidden; j++) rho[j] = 0.05 + 0.4 * ((j * 7 + e) % 10) / 10.0 / e;
            double loss = diverged ? Double.POSITIVE_INFINITY : 10.0 / e;
            log.append(id, new RunEvent.EpochCompleted(e, loss, 8.0 / e, 1.0 / e, 0.1, 0.1 + 0.01 * e, rho, 0.3 / e, 0.9,
                    e * 3L, 0.01 * e, diverged, 9.0 / e, 0.5, 1000));
            if (diverged) {
                log.append(id, new RunEvent.Diverged(e, "loss is infinite"));
                return id;
            }
            if (Integer.bitCount(e) == 1 || e == epochs) snapshot(log, id, e, hidden, side, measures);
        }
        log.append(id, new RunEvent.Finished(epochs, 10.0 / epochs, 9.0 / epochs));
        return id;
    }

    /** One set of weights of {@code hidden} units over {@code d} inputs (W1 a sine pattern, the rest 0): many snapshots may share it. */
    static Blob weights(int hidden, int d) {
        ByteBuffer b = ByteBuffer.allocate(4 * (2 * hidden * d + hidden + d)).order(ByteOrder.LITTLE_ENDIAN);
        for (int i = 0; i < hidden * d; i++) b.putFloat((float) Math.sin(0.3 * i));
        return Blob.of(b.array());
    }

    /** Weights whose filter u is a diagonal stripe pattern that shifts with the epoch, so images differ by epoch. */
    static void snapshot(EventLog log, String id, int epoch, int hidden, int side) {
        snapshot(log, id, epoch, hidden, side, false);
    }

    static void snapshot(EventLog log, String id, int epoch, int hidden, int side, boolean measures) {
        int d = side * side;
        ByteBuffer b = ByteBuffer.allocate(4 * (2 * hidden * d + hidden + d)).order(ByteOrder.LITTLE_ENDIAN);
        for (int u = 0; u < hidden; u++) for (int i = 0; i < d; i++) b.putFloat((float) Math.sin(0.3 * (i + u + epoch * 1.7)));
        for (int u = 0; u < hidden; u++) b.putFloat(0f);
        for (int i = 0; i < d * hidden; i++) b.putFloat(0.01f);
        for (int i = 0; i < d; i++) b.putFloat(0f);
        Blob blob = Blob.of(b.array());
        log.append(id, new RunEvent.WeightSnapshot(epoch, blob.hash(), d, hidden, side, side), blob);
        if (measures) log.append(id, measures(epoch));
    }

    /** Filter measures that move with the epoch: locality rises, the dead fraction falls. */
    static RunEvent.FilterMeasures measures(int epoch) {
        return new RunEvent.FilterMeasures(epoch, 0.2 + 0.05 * epoch, 0.5 / (1 + epoch), 0.01 * epoch, 0.3 + 0.02 * epoch, 0.1 + 0.03 * epoch);
    }

    // ---- HTTP helpers of the API tests

    private static final MediaType JSON = MediaType.get("application/json");

    static JsonNode json(Response r) throws IOException {
        return Json.MAPPER.readTree(r.body().string());
    }

    static Response post(HttpClient client, String path, String body) {
        return client.request(path, b -> b.post(RequestBody.Companion.create(body, JSON)));
    }

    /** Every event in the log, to check that a refused request wrote nothing. */
    static int eventCount(EventLog log) { return log.eventsAfter(0, Integer.MAX_VALUE).size(); }
}
