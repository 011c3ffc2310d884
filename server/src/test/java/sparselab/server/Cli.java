package sparselab.server;

import picocli.CommandLine;
import sparselab.Main;

import java.io.PrintWriter;
import java.io.StringWriter;

/** The launcher's command line run in the test's JVM, its output captured. */
final class Cli {
    private Cli() {}

    /** A command's exit code and what it printed. */
    record Result(int code, String out, String err) {}

    /** Runs {@code sparselab ARGS} as {@link Main} does and returns its exit code and output. */
    static Result run(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        CommandLine cl = Main.commandLine();
        cl.setOut(new PrintWriter(out, true));
        cl.setErr(new PrintWriter(err, true));
        int code = cl.execute(args);
        return new Result(code, out.toString(), err.toString());
    }
}
