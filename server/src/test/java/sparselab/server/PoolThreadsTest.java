package sparselab.server;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import sparselab.config.ConfigLoader;
import sparselab.log.RunEvent;
import sparselab.log.StoredEvent;
import sparselab.runs.NativeEnv;
import sparselab.runs.Runs;
import sparselab.store.EventLog;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A real {@code serve} process with a pool of two trainers: where the user left the products' threads to sparselab, each
 * trainer gets the cores shared out (its {@code started} event and provenance say how many); a count the user set is kept.
 */
class PoolThreadsTest {
    @TempDir Path dir;

    private static String read(Path p) {
        try {
            return Files.exists(p) ? Files.readString(p) : "";
        } catch (Exception e) {
            return "";
        }
    }

    /** The started events of the runs that {@code serve --workers 2} trains, with {@code omp} as its OMP_NUM_THREADS (null: unset). */
    private List<RunEvent.Started> startedUnderPoolOfTwo(String omp) throws Exception {
        Path db = dir.resolve("pool-" + omp + ".db");
        Path out = dir.resolve("serve-" + omp + ".out");
        List<String> runs = new ArrayList<>();
        try (EventLog log = EventLog.open(db)) {
            for (int seed = 1; seed <= 2; seed++) {
                runs.add(Runs.create(log, ConfigLoader.resolve(null, null, List.of("data=bars", "limit=300", "hidden=8", "epochs=2",
                        "batchSize=20", "seed=" + seed)), null, "test", null));
            }
        }
        List<String> serve = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString()));
        serve.addAll(NativeEnv.openblasFlags());
        serve.addAll(List.of("-cp", System.getProperty("java.class.path"), "sparselab.Main", "serve", "--db", db.toString(), "--port", "0",
                "--workers", "2"));
        ProcessBuilder pb = new ProcessBuilder(serve).redirectErrorStream(true).redirectOutput(out.toFile());
        Map<String, String> env = pb.environment();
        env.remove(NativeEnv.THREADS_DEFAULTED);
        if (omp == null) env.remove("OMP_NUM_THREADS");
        else env.put("OMP_NUM_THREADS", omp);
        Process server = pb.start();
        try (EventLog log = EventLog.open(db)) {
            long deadline = System.nanoTime() + 240_000_000_000L;
            while (!runs.stream().allMatch(r -> log.run(r).map(row -> row.status().equals("finished")).orElse(false))) {
                assertTrue(server.isAlive(), "serve ended:\n" + read(out));
                assertTrue(System.nanoTime() < deadline, "the pool's runs did not end in 240 s:\n" + read(out));
                Thread.sleep(200);
            }
            List<RunEvent.Started> started = new ArrayList<>();
            for (String r : runs) {
                started.add(log.events(r).stream().map(StoredEvent::event).filter(e -> e instanceof RunEvent.Started)
                        .map(e -> (RunEvent.Started) e).findFirst().orElseThrow());
            }
            return started;
        } finally {
            server.destroy();
            if (!server.waitFor(30, TimeUnit.SECONDS)) server.destroyForcibly();
        }
    }

    @Test
    void a_pool_of_two_shares_the_cores_out_among_its_trainers_where_the_user_left_the_threads_to_it() throws Exception {
        int cores = Runtime.getRuntime().availableProcessors();
        int each = NativeEnv.threadsEach(cores, 2);
        assertEquals(Math.max(1, cores / 2), each);
        for (RunEvent.Started s : startedUnderPoolOfTwo(null)) {
            assertEquals(each, s.threads(), "the products' threads of each of two trainers on " + cores + " cores");
            assertEquals(Integer.toString(each), s.provenance().get("ompThreads"));
        }
    }

    @Test
    void a_thread_count_the_user_set_is_kept_for_every_trainer_of_the_pool() throws Exception {
        for (RunEvent.Started s : startedUnderPoolOfTwo("3")) {
            assertEquals(3, s.threads());
            assertEquals("3", s.provenance().get("ompThreads"));
        }
    }
}
