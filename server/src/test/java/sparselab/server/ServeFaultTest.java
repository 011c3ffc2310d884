package sparselab.server;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import sparselab.config.ConfigLoader;
import sparselab.store.EventLog;
import sparselab.log.RunEvent;
import sparselab.log.RunRow;
import sparselab.runs.BackgroundTrainer;
import sparselab.runs.Runs;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/** A real {@code serve} process and its real trainer: Ctrl-C (SIGINT to the terminal's process group) stops the server only. */
class ServeFaultTest {
    @TempDir Path dir;

    private static void await(String what, int seconds, BooleanSupplier done) throws InterruptedException {
        long deadline = System.nanoTime() + seconds * 1_000_000_000L;
        while (!done.getAsBoolean()) {
            assertTrue(System.nanoTime() < deadline, what + " did not happen in " + seconds + " s");
            Thread.sleep(200);
        }
    }

    /** The server's threads (jstack from this JDK), to see where a stop hangs. */
    private static String threadDump(long pid) {
        try {
            Process p = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "jstack").toString(), Long.toString(pid))
                    .redirectErrorStream(true).start();
            String dump = new String(p.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
            p.waitFor(30, TimeUnit.SECONDS);
            return dump;
        } catch (Exception e) {
            return "no thread dump: " + e;
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
    void ctrl_c_on_serve_stops_the_server_and_leaves_its_trainer_training() throws Exception {
        assumeTrue(BackgroundTrainer.detachesSession(), "setsid is not on the PATH");
        Path db = dir.resolve("serve.db");
        Path out = dir.resolve("serve.out");
        EventLog log = EventLog.open(db);
        String run = Runs.create(log, ConfigLoader.resolve(null, null, List.of("data=bars", "limit=4000", "hidden=16", "epochs=100000",
                "batchSize=1", "optimizer=adam", "learningRate=0.01")), null, "test", null);
        // setsid: the server leads its own process group, as a shell's foreground job does in its terminal. perl (Debian's
        // perl-base is essential) gives it SIGINT's default disposition, as a terminal's foreground job has: when this
        // test runs under a background job of a script, SIGINT is ignored from there down, and a JVM started with SIGINT
        // ignored never sees Ctrl-C.
        List<String> serve = new java.util.ArrayList<>(List.of("setsid", "perl", "-e", "$SIG{INT} = 'DEFAULT'; exec { $ARGV[0] } @ARGV or die \"exec: $!\"",
                Path.of(System.getProperty("java.home"), "bin", "java").toString()));
        serve.addAll(sparselab.runs.NativeEnv.openblasFlags());     // its trainers multiply as this JVM does
        serve.addAll(List.of("-cp", System.getProperty("java.class.path"), "sparselab.Main", "serve", "--db", db.toString(), "--port", "0"));
        Process server = new ProcessBuilder(serve)
                .redirectErrorStream(true).redirectOutput(out.toFile()).start();
        Long trainerPid = null;
        try {
            await("the dashboard's start", 120, () -> read(out).contains("sparselab dashboard on"));
            await("the trainer's first epoch", 180, () -> log.run(run).map(r -> r.pid() != null && r.epochsDone() >= 1).orElse(false));
            trainerPid = log.run(run).orElseThrow().pid();
            long pid = trainerPid;
            assertTrue(ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false), "the trainer runs before Ctrl-C");

            Process kill = new ProcessBuilder("kill", "-INT", "--", "-" + server.pid()).inheritIO().start();    // Ctrl-C
            assertEquals(0, kill.waitFor());
            if (!server.waitFor(60, TimeUnit.SECONDS)) fail("serve did not stop on SIGINT:\n" + read(out) + "\n" + threadDump(server.pid()));
            String said = read(out);
            assertTrue(said.contains("the trainer of run " + run + " goes on training in the background"), said);
            assertTrue(said.contains("(output in " + dir.resolve("logs").toAbsolutePath() + java.io.File.separator + ")"), said);   // the real folder

            int epochsAtStop = log.run(run).orElseThrow().epochsDone();
            await("an epoch after the server stopped", 120, () -> log.run(run).orElseThrow().epochsDone() > epochsAtStop);
            assertTrue(ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false), "the trainer died with the server");
            RunRow row = log.run(run).orElseThrow();
            assertEquals("running", row.status());
            assertEquals(pid, row.pid());
        } finally {
            if (server.isAlive()) server.destroyForcibly();
            log.append(run, new RunEvent.CancelRequested("test"));           // the trainer honours it within a heartbeat
            if (trainerPid != null) {
                Optional<ProcessHandle> t = ProcessHandle.of(trainerPid);
                long deadline = System.nanoTime() + 60_000_000_000L;
                while (t.map(ProcessHandle::isAlive).orElse(false) && System.nanoTime() < deadline) Thread.sleep(200);
                t.filter(ProcessHandle::isAlive).ifPresent(ProcessHandle::destroyForcibly);
            }
            log.close();
        }
    }
}
