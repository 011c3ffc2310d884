package sparselab.cli;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;
import sparselab.config.ConfigLoader;
import sparselab.log.RunEvent;
import sparselab.runs.RunExecutor;
import sparselab.runs.Runs;
import sparselab.store.EventLog;
import sparselab.store.LocalPostgres;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.*;

/** copy, and the --db refusals every command shares, on real logs. */
class StoreCommandsTest {
    @TempDir Path dir;
    final StringWriter out = new StringWriter();
    final StringWriter err = new StringWriter();

    private int run(Object command, String... args) {
        CommandLine cl = ExitCodes.install(new CommandLine(command));
        cl.setOut(new PrintWriter(out, true));
        cl.setErr(new PrintWriter(err, true));
        return cl.execute(args);
    }

    @Test
    void copy_moves_a_trained_sqlite_log_with_snapshots_and_checkpoints_into_postgresql() {
        Path file = dir.resolve("history.db");
        System.setProperty(RunExecutor.CHECKPOINT_PROPERTY, "0");
        String finished, stopped;
        try (EventLog log = EventLog.open(file)) {
            var cfg = ConfigLoader.resolve(null, null, List.of("data=bars", "limit=600", "hidden=6", "epochs=5", "batchSize=10"));
            finished = Runs.create(log, cfg, null, "cli", "history");
            assertEquals("finished", new RunExecutor(log, RunExecutor.Listener.NONE).execute(finished, false).status());
            stopped = Runs.create(log, cfg.with("seed", "2"), null, "cli", "history");
            log.append(stopped, new RunEvent.Tagged(List.of("kept")));
            assertFalse(log.snapshots(finished).isEmpty());
        } finally {
            System.clearProperty(RunExecutor.CHECKPOINT_PROPERTY);
        }
        String url = LocalPostgres.testDatabase();
        assertEquals(0, run(new CopyCommand(), "--from", file.toString(), "--to", url), err.toString());
        assertTrue(out.toString().contains("projections rebuilt and equal"), out.toString());
        try (EventLog from = EventLog.open(file); EventLog to = EventLog.open(url)) {
            assertEquals(from.projectionRows(), to.projectionRows());
            assertEquals(from.events(finished).size(), to.events(finished).size());
            var snap = to.snapshots(finished).get(to.snapshots(finished).size() - 1);
            assertArrayEquals(from.blob(snap.blob()).orElseThrow(), to.blob(snap.blob()).orElseThrow());
            assertEquals(List.of("kept"), to.require(stopped).tagList());
        }
        // a second copy into the now non-empty target is refused and adds nothing
        String before = out.toString();
        assertEquals(2, run(new CopyCommand(), "--from", file.toString(), "--to", url));
        assertTrue(err.toString().contains("not empty"), err.toString());
        assertEquals(before, out.toString());
        // a refusal names the option of the log at fault
        assertEquals(2, run(new CopyCommand(), "--from", dir.resolve("none.db").toString(), "--to", url));
        assertTrue(err.toString().contains("refused: --from: no log at"), err.toString());
        assertEquals(2, run(new CopyCommand(), "--from", file.toString(), "--to", dir.toString()));
        assertTrue(err.toString().contains("refused: --to: ") && err.toString().contains("is a folder"), err.toString());
        // not from a log in use (a copy taken while trainers write ends unequal): refused before the target exists
        try (EventLog log = EventLog.open(file)) {
            log.workerBeat(new sparselab.store.WorkerInfo("box-3:7", "box-3", 7L, 2, List.of(), null, null, false));
        }
        Path target = dir.resolve("later.db");
        assertEquals(2, run(new CopyCommand(), "--from", file.toString(), "--to", target.toString()));
        assertTrue(err.toString().contains("refused: --from: the log is in use: box-3:7 serves it"), err.toString());
        assertFalse(Files.exists(target), "no target created");
    }

    @Test
    void a_bad_db_value_is_refused_with_exit_2_in_one_line_and_creates_nothing() {
        assertEquals(2, run(new RunsCommand(), "--db", "mysql://u:secret@h/db"));
        String e = err.toString();
        assertTrue(e.contains("neither a file path nor a postgresql:// URL"), e);
        assertFalse(e.contains("secret"), e);
        assertEquals(1, e.strip().lines().count(), e);
        assertEquals(2, run(new RunsCommand(), "--db", dir.resolve("none.db").toString()));
        assertTrue(Files.notExists(dir.resolve("none.db")));
    }

    @Test
    void a_command_closes_its_log_when_it_returns_so_the_db_file_alone_holds_the_run() throws Exception {
        Path file = dir.resolve("trained.db");
        assertEquals(0, run(new TrainCommand(), "--db", file.toString(), "--set", "data=bars", "--set", "limit=200",
                "--set", "hidden=4", "--set", "epochs=2", "--set", "batchSize=10"), err.toString());
        String runId = out.toString().strip();
        Path wal = dir.resolve("trained.db-wal");
        assertTrue(Files.notExists(wal) || Files.size(wal) == 0, "the WAL was checkpointed when train returned");
        Path copy = Files.createDirectories(dir.resolve("copy")).resolve("trained.db");
        Files.copy(file, copy);                                          // the .db file alone
        try (EventLog log = EventLog.openExisting(copy.toString())) {
            assertEquals("finished", log.require(runId).status());
            assertEquals(2, log.epochs(runId).size());
        }
    }
}
