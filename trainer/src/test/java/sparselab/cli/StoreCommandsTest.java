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
        // a new file only in a folder that exists, as --db (found 2026-12-03 by a walkthrough: copy made the folders)
        Path deep = dir.resolve("nodir").resolve("deeper").resolve("x.db");
        assertEquals(2, run(new CopyCommand(), "--from", file.toString(), "--to", deep.toString()));
        assertTrue(err.toString().contains("refused: --to: the folder " + deep.getParent() + " does not exist"), err.toString());
        assertFalse(Files.exists(dir.resolve("nodir")), "no folder made");
        // not from a log in use (a copy taken while trainers write ends unequal): refused before the target exists
        try (EventLog log = EventLog.open(file)) {
            log.workerBeat(new sparselab.store.WorkerInfo("box-3:7", "box-3", 7L, 2, List.of(), null, null, false));
        }
        Path target = dir.resolve("later.db");
        assertEquals(2, run(new CopyCommand(), "--from", file.toString(), "--to", target.toString()));
        assertTrue(err.toString().contains("refused: --from: the log is in use: box-3:7 serves it"), err.toString());
        assertFalse(Files.exists(target), "no target created");
    }

    /**
     * A source changed by hand (found 2026-12-01 by a probe of tampering): per-unit rates that are not JSON, or an event
     * of a type no version wrote, ended `error: IllegalStateException: corrupt JSON...` or `IllegalArgumentException...`,
     * naming neither run nor event, and left an empty 118 KB log at --to. Now the rates make the copy differ (which
     * sends the user to verify), the event is named, and the target this command created is gone again.
     */
    @Test
    void a_copy_of_a_log_changed_by_hand_names_what_and_leaves_no_empty_target() throws Exception {
        Path file = dir.resolve("edited.db");
        String run;
        try (EventLog log = EventLog.open(file)) {
            var cfg = ConfigLoader.resolve(null, null, List.of("data=bars", "limit=200", "hidden=4", "epochs=2"));
            run = Runs.create(log, cfg, null, "cli", null);
            assertEquals("finished", new RunExecutor(log, RunExecutor.Listener.NONE).execute(run, false).status());
        }
        try (java.sql.Connection c = java.sql.DriverManager.getConnection("jdbc:sqlite:" + file); java.sql.Statement st = c.createStatement()) {
            st.executeUpdate("UPDATE epoch_metrics SET rho_hat = 'nonsense' WHERE run_id = '" + run + "' AND epoch = 1");
        }
        Path target = dir.resolve("target.db");
        assertEquals(1, run(new CopyCommand(), "--from", file.toString(), "--to", target.toString()), err.toString());
        assertTrue(err.toString().contains("error: the copied projections differ from the source's"), err.toString());
        assertFalse(Files.exists(target), "no empty log left at --to");
        try (EventLog log = EventLog.open(file)) {
            log.rebuild();
        }
        long id;
        try (java.sql.Connection c = java.sql.DriverManager.getConnection("jdbc:sqlite:" + file); java.sql.Statement st = c.createStatement()) {
            var rs = st.executeQuery("SELECT MAX(id), MAX(seq) FROM events");
            rs.next();
            id = rs.getLong(1) + 1;
            st.executeUpdate("INSERT INTO events (id, run_id, seq, type, at, payload) VALUES (" + id + ", '" + run + "', " + (rs.getLong(2) + 100)
                    + ", 'bogus', '2026-12-01T00:00:00Z', '{}')");
        }
        err.getBuffer().setLength(0);
        assertEquals(1, run(new CopyCommand(), "--from", file.toString(), "--to", target.toString()), err.toString());
        assertTrue(err.toString().startsWith("error: event " + id + " (number "), err.toString());
        assertTrue(err.toString().contains("of run " + run + ", type 'bogus') cannot be read: unknown event type in the log: bogus"), err.toString());
        assertFalse(Files.exists(target), "no empty log left at --to");
    }

    /**
     * The source's file under another name (found 2026-12-03 by a probe of the command line: a link to the source was
     * refused as a target that "is not empty"): said to be the same log, and left as it was.
     */
    @Test
    void copy_to_the_source_under_another_name_is_refused_as_the_same_log() throws Exception {
        Path file = dir.resolve("one.db");
        try (EventLog log = EventLog.open(file)) {
            Runs.create(log, ConfigLoader.resolve(null, null, List.of("data=bars", "hidden=4")), null, "cli", null);
        }
        long events;
        try (EventLog log = EventLog.open(file)) {
            events = log.lastEventId();
        }
        Path link = Files.createSymbolicLink(dir.resolve("link.db"), file);
        for (String to : List.of(link.toString(), dir.resolve(".").resolve("one.db").toString())) {
            err.getBuffer().setLength(0);
            assertEquals(2, run(new CopyCommand(), "--from", file.toString(), "--to", to), err.toString());
            assertTrue(err.toString().contains("--to: the same log as --from (" + to + " is " + file + ")"), err.toString());
        }
        assertTrue(Files.isSymbolicLink(link), "the link is left as it was");
        try (EventLog log = EventLog.open(file)) {
            assertEquals(events, log.lastEventId(), "nothing written");
        }
    }

    @Test
    void copy_refuses_a_target_that_a_worker_or_a_dashboard_pool_serves_and_writes_nothing_to_it() throws Exception {
        Path file = dir.resolve("queued.db");
        String queued;
        try (EventLog log = EventLog.open(file)) {
            var cfg = ConfigLoader.resolve(null, null, List.of("data=bars", "limit=600", "hidden=6", "epochs=5", "batchSize=10"));
            queued = Runs.create(log, cfg, null, "cli", "history");
        }
        for (String server : List.of("box-5:9", "serve@box-8:7")) {
            String url = LocalPostgres.testDatabase();
            try (EventLog target = EventLog.open(url)) {         // a worker (or pool) idles on the empty target
                target.workerBeat(new sparselab.store.WorkerInfo(server, "box", 9L, 2, List.of(), null, null, false));
            }
            err.getBuffer().setLength(0);
            assertEquals(2, run(new CopyCommand(), "--from", file.toString(), "--to", url), err.toString());
            assertTrue(err.toString().contains("refused: --to: the log is in use: " + server + " serves it"), err.toString());
            try (EventLog target = EventLog.open(url)) {
                assertEquals(0, target.lastEventId(), "nothing written to the target");
                assertTrue(target.runs().isEmpty());
                // the store's own guard, for any caller: the check a schema upgrade makes, naming them
                try (EventLog source = EventLog.openReadOnly(file.toString())) {
                    var refused = assertThrows(sparselab.store.StoreException.Conflict.class, () -> EventLog.copy(source, target));
                    assertTrue(refused.getMessage().contains("is in use (worker " + server + ")"), refused.getMessage());
                }
                assertEquals(0, target.lastEventId());
            }
        }
        // a copy whose projections differ (here: the source's are stale) is rolled back whole: the copy, the rebuild
        // and the comparison are one transaction, which nothing else sees (or claims from) before it has passed
        sparselab.store.Logs.rawExecute(file.toString(), "UPDATE runs SET epochs_total = 7 WHERE run_id = '" + queued + "'");
        String url = LocalPostgres.testDatabase();
        err.getBuffer().setLength(0);
        assertEquals(1, run(new CopyCommand(), "--from", file.toString(), "--to", url), err.toString());
        assertTrue(err.toString().contains("error: the copied projections differ from the source's") && err.toString().contains("rolled back")
                && err.toString().contains("verify --db " + file), err.toString());
        try (EventLog target = EventLog.open(url)) {
            assertEquals(0, target.lastEventId(), "nothing written to the target");
            assertTrue(target.runs().isEmpty() && target.blobHashes().isEmpty());
        }
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
