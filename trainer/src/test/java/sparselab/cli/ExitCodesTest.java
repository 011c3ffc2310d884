package sparselab.cli;

import org.junit.jupiter.api.Test;
import org.sqlite.SQLiteErrorCode;
import org.sqlite.SQLiteException;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.concurrent.Callable;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** How failures end a command: SQLite's read-only codes are a refusal naming --db, not a failure with the SQL. */
class ExitCodesTest {
    /** A command whose write fails as a log without write permission makes it fail (as root, permissions never do). */
    @Command(name = "writes")
    static final class Writes implements Callable<Integer> {
        @Mixin DbOption db;
        final SQLiteErrorCode code;

        Writes(SQLiteErrorCode code) { this.code = code; }

        @Override
        public Integer call() {
            throw new org.jdbi.v3.core.statement.UnableToExecuteStatementException(
                    new SQLiteException("[" + code.name() + "] attempt to write a readonly database", code), null);
        }
    }

    @Test
    void a_log_that_cannot_be_written_is_a_refusal_naming_db() {
        for (SQLiteErrorCode code : new SQLiteErrorCode[] {SQLiteErrorCode.SQLITE_READONLY, SQLiteErrorCode.SQLITE_READONLY_DIRECTORY}) {
            StringWriter err = new StringWriter();
            CommandLine cl = ExitCodes.install(new CommandLine(new Writes(code)));
            cl.setErr(new PrintWriter(err, true));
            assertEquals(ExitCodes.REFUSED, cl.execute("--db", "/logs/ro.db"));
            String text = err.toString();
            assertTrue(text.startsWith("refused: --db: /logs/ro.db cannot be written (" + code.name() + ")"), text);
            assertFalse(text.contains("INSERT") || text.contains("Exception"), text);
        }
    }

    /** A command whose data cannot be written, with the system's reason. */
    @Command(name = "data")
    static final class DataWrite implements Callable<Integer> {
        final java.io.IOException cause;

        DataWrite(java.io.IOException cause) { this.cause = cause; }

        @Override
        public Integer call() {
            throw new sparselab.data.DataException(java.nio.file.Path.of("data/mnist"), "cannot write the demo digits (" + cause + ")", cause);
        }
    }

    /**
     * `data mnist` on a full disk (noted 2026-12-01 by a probe of a full disk) ended "refused: ...", exit 2, as if the
     * input were wrong: a write the disk had no room for is a failure, exit 1; other data errors stay refusals.
     */
    @Test
    void data_that_cannot_be_written_for_want_of_space_is_a_failure_not_a_refusal() {
        java.io.IOException[] full = {new java.nio.file.FileSystemException("data/mnist/x.part", null, "No space left on device"),
                new java.io.IOException("No space left on device")};
        for (java.io.IOException cause : full) {
            StringWriter err = new StringWriter();
            CommandLine cl = ExitCodes.install(new CommandLine(new DataWrite(cause)));
            cl.setErr(new PrintWriter(err, true));
            assertEquals(ExitCodes.FAILURE, cl.execute(), err.toString());
            assertTrue(err.toString().startsWith("error: data: data/mnist: cannot write the demo digits ("), err.toString());
        }
        StringWriter err = new StringWriter();
        CommandLine cl = ExitCodes.install(new CommandLine(new DataWrite(new java.nio.file.AccessDeniedException("data/mnist/x"))));
        cl.setErr(new PrintWriter(err, true));
        assertEquals(ExitCodes.REFUSED, cl.execute(), err.toString());
        assertTrue(err.toString().startsWith("refused: "), err.toString());
    }

    /** A command whose write meets a full log (SQLite's page limit standing in for a full disk: SQLITE_FULL). */
    @Command(name = "fills")
    static final class Fills implements Callable<Integer> {
        @Mixin DbOption db;

        @Override
        public Integer call() {
            sparselab.store.EventLog log = db.open();
            for (int i = 0; ; i++) log.create(new sparselab.log.RunEvent.Created(java.util.Map.of("pad", "x".repeat(4000) + i), null, "f", java.util.Map.of(), "cli", null));
        }
    }

    /**
     * A foreground train whose run another trainer took over (found 2026-12-04 by a probe of many machines: it printed
     * "superseded" and exited 0, so a script's `train && export` went on while the run trained elsewhere) exits 1, as a
     * failed run or an unreachable log does; a run it ended exits 0.
     */
    @Test
    void a_foreground_train_exits_0_only_for_a_run_it_ended() {
        for (String ended : new String[] {"finished", "diverged", "cancelled"}) {
            assertEquals(ExitCodes.OK, TrainCommand.exitCode(new sparselab.runs.RunExecutor.Outcome("r0123456789", ended, "")), ended);
        }
        for (String not : new String[] {"superseded", "failed", sparselab.runs.RunExecutor.UNREACHABLE}) {
            assertEquals(ExitCodes.FAILURE, TrainCommand.exitCode(new sparselab.runs.RunExecutor.Outcome("r0123456789", not, "")), not);
        }
    }

    /** Reads every run's events (the command a damaged index of the events fails). */
    @Command(name = "reads")
    static final class Reads implements Callable<Integer> {
        @Mixin DbOption db;

        @Override
        public Integer call() {
            sparselab.store.EventLog log = db.open();
            for (var r : log.runs()) log.events(r.runId());
            return 0;
        }
    }

    /**
     * A log whose file is damaged in a page of the events' indexes (found 2026-12-04 by a new user's walkthrough: `group`,
     * `tag`, `rebuild` and `verify` printed the driver's exception with the SQL statement and its bound run ids): a command
     * that meets the damage fails in one line naming the log, and `verify` lists it, with SQLite's own check, instead of
     * failing.
     */
    @Test
    void a_damaged_log_file_fails_a_command_in_one_line_naming_it_and_verify_lists_the_damage() throws Exception {
        java.nio.file.Path file = java.nio.file.Files.createTempDirectory("damaged").resolve("damaged.db");
        try (sparselab.store.EventLog log = sparselab.store.EventLog.open(file)) {
            for (int i = 0; i < 40; i++) log.create(new sparselab.log.RunEvent.Created(java.util.Map.of("pad", "x".repeat(500) + i), null, "f", java.util.Map.of(), "cli", null));
        }
        // the root pages of the events' indexes, overwritten with bytes no page holds
        java.util.List<Integer> roots = new java.util.ArrayList<>();
        int pageSize;
        try (var c = java.sql.DriverManager.getConnection("jdbc:sqlite:" + file); var st = c.createStatement()) {
            try (var rs = st.executeQuery("SELECT rootpage FROM sqlite_master WHERE type = 'index' AND tbl_name = 'events'")) {
                while (rs.next()) roots.add(rs.getInt(1));
            }
            try (var rs = st.executeQuery("PRAGMA page_size")) {
                rs.next();
                pageSize = rs.getInt(1);
            }
        }
        assertFalse(roots.isEmpty(), "the events have indexes");
        byte[] junk = new byte[pageSize];
        java.util.Arrays.fill(junk, (byte) 0xff);
        try (var f = new java.io.RandomAccessFile(file.toFile(), "rw")) {
            for (int root : roots) {
                f.seek((long) (root - 1) * pageSize);
                f.write(junk);
            }
        }
        StringWriter err = new StringWriter();
        CommandLine cl = ExitCodes.install(new CommandLine(new Reads()));
        cl.setErr(new PrintWriter(err, true));
        assertEquals(ExitCodes.FAILURE, cl.execute("--db", file.toString()), err.toString());
        assertEquals("error: the log " + file + " is damaged (database disk image is malformed): a part of the file cannot be read; "
                + "./sparselab verify --db " + file + " lists what can still be read; restore the file from a copy", err.toString().strip());
        try (sparselab.store.EventLog log = sparselab.store.EventLog.openExisting(file.toString())) {
            sparselab.store.VerifyReport r = log.verify();
            assertFalse(r.clean(), r.toString());
            assertTrue(r.damage().stream().anyMatch(d -> d.startsWith("SQLite's quick_check: ")), r.toString());
            assertTrue(r.damage().stream().noneMatch(d -> d.contains("statement")), r.toString());
        }
    }

    /**
     * A full log (found 2026-12-01 by a probe of a full disk: `resume` on it said "error: TransactionException: Failed to
     * commit transaction") ends the command with exit 1 and one line naming the log and that it is full.
     */
    @Test
    void a_full_log_is_a_failure_naming_the_log_in_one_line() throws Exception {
        java.nio.file.Path file = java.nio.file.Files.createTempDirectory("full").resolve("full.db");
        try (sparselab.store.EventLog log = sparselab.store.EventLog.open(file)) {
            log.runs();
        }
        StringWriter err = new StringWriter();
        CommandLine cl = ExitCodes.install(new CommandLine(new Fills()));
        cl.setErr(new PrintWriter(err, true));
        System.setProperty(sparselab.store.EventLog.SQLITE_MAX_PAGES_PROPERTY, Long.toString(java.nio.file.Files.size(file) / 4096 + 20));
        try {
            assertEquals(ExitCodes.FAILURE, cl.execute("--db", file.toString()));
        } finally {
            System.clearProperty(sparselab.store.EventLog.SQLITE_MAX_PAGES_PROPERTY);
        }
        assertEquals("error: the log " + file + " is full (database or disk is full): nothing of this write was stored and what it held "
                + "before is intact; free space on its disk, then try again", err.toString().strip());
        try (sparselab.store.EventLog log = sparselab.store.EventLog.open(file)) {
            assertTrue(log.verify().clean(), log.verify().toString());
            assertFalse(log.runs().isEmpty(), "the runs created before it was full are kept");
        }
    }

    /**
     * A new log on a full disk (found 2026-12-01 by a probe of a full disk: "refused: cannot open the log X: [SQLITE_FULL]
     * Insertion failed because database is full", exit 2, as if the input were wrong): a failure naming the full log.
     */
    @Test
    void a_new_log_that_does_not_fit_is_a_failure_naming_the_full_log() throws Exception {
        java.nio.file.Path file = java.nio.file.Files.createTempDirectory("full").resolve("new.db");
        StringWriter err = new StringWriter();
        CommandLine cl = ExitCodes.install(new CommandLine(new Fills()));
        cl.setErr(new PrintWriter(err, true));
        System.setProperty(sparselab.store.EventLog.SQLITE_MAX_PAGES_PROPERTY, "3");     // the schema takes more pages
        try {
            assertEquals(ExitCodes.FAILURE, cl.execute("--db", file.toString()));
        } finally {
            System.clearProperty(sparselab.store.EventLog.SQLITE_MAX_PAGES_PROPERTY);
        }
        assertTrue(err.toString().startsWith("error: the log " + file + " is full (database or disk is full)"), err.toString());
    }
}
