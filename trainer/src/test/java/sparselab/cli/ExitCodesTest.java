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
}
