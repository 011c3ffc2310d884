package sparselab.cli;

import picocli.CommandLine;
import java.util.List;
import sparselab.config.ConfigException;
import sparselab.data.DataException;

/** 0 ok, 2 refused input (named), 1 failure. Refusals print their message, never a stack trace. */
public final class ExitCodes {
    public static final int OK = 0;
    public static final int FAILURE = 1;
    public static final int REFUSED = 2;
    /** Standard output's reader stopped early: the status of a tool ended by SIGPIPE (128 + 13). */
    public static final int READER_GONE = 141;

    private ExitCodes() {}

    /** Installs the mapping on a command line. */
    public static CommandLine install(CommandLine cl) {
        cl.setExecutionExceptionHandler((ex, cmd, parsed) -> {
            if (ex instanceof ConfigException ce) {
                cmd.getErr().println("refused: " + String.join("\n  ", ce.errors().stream().map(e -> line(asOption(cmd, e))).toList())
                        + (ce.omitted() > 0 ? "\n  and " + ce.omitted() + " more" : ""));
                return REFUSED;
            }
            if (ex instanceof DataException de) {
                boolean full = noSpace(de);          // the data could not be written: this machine's state, not the input's
                // as it is: a failed fetch ends with the last lines of npm's output, one a line
                cmd.getErr().println((full ? "error: " : "refused: ") + de.getMessage());
                return full ? FAILURE : REFUSED;
            }
            if (ex instanceof sparselab.store.StoreException.Corrupt corrupt) {    // damage in the log, not the input: a failure
                String m = corrupt.getMessage();
                cmd.getErr().println("error: " + line(m) + (m.contains("./sparselab ") ? "" : "; ./sparselab verify names what it belongs to"));
                return FAILURE;
            }
            sparselab.store.StoreException.Full full = sparselab.store.StoreException.Full.in(ex);
            if (full != null) {                                                 // no room for the write: a failure, not the input's
                cmd.getErr().println("error: " + line(full.getMessage()));
                return FAILURE;
            }
            if (ex instanceof sparselab.store.StoreException.NoSqlite no) {     // this machine's state, not the input's
                cmd.getErr().println("error: " + line(no.getMessage()));
                return FAILURE;
            }
            if (ex instanceof sparselab.store.StoreException se) {
                cmd.getErr().println("refused: " + line(se.getMessage()));
                return REFUSED;
            }
            if (ex instanceof RefusedException re) {
                cmd.getErr().println("refused: " + line(re.getMessage()));
                return REFUSED;
            }
            if (ex instanceof ReaderGoneException) return READER_GONE;   // quiet, as `cat file | head`
            if (ex instanceof FailedException fe) {
                cmd.getErr().println("error: " + line(fe.getMessage()));
                return FAILURE;
            }
            String readOnly = readOnly(ex);
            if (readOnly != null) {
                String db = dbOption(cmd).map(d -> "--db: " + d).orElse("a log");
                cmd.getErr().println("refused: " + db + " cannot be written (" + readOnly + "): this command writes to the log; "
                        + "give the file and its folder write permission, or work on a copy");
                return REFUSED;
            }
            String damage = sparselab.store.StoreException.damaged(ex);
            if (damage != null) {                  // a page of the file that SQLite cannot read: the file's state, not the input's
                String db = dbOption(cmd).orElse(null);
                cmd.getErr().println("error: the log " + (db == null ? "" : db + " ") + "is damaged (" + damage + "): a part of the file "
                        + "cannot be read; ./sparselab verify" + (db == null ? "" : " --db " + db) + " lists what can still be read; "
                        + "restore the file from a copy");
                return FAILURE;
            }
            // anything else, in one line: never the SQL statement and arguments that a database error carries
            cmd.getErr().println("error: " + sparselab.store.StoreException.oneLine(ex));
            org.slf4j.LoggerFactory.getLogger(ExitCodes.class).debug("command failed", ex);
            return FAILURE;
        });
        // the options' numbers in the words of the configuration keys' refusals, not picocli's "is not an int"
        cl.registerConverter(Integer.class, t -> (int) whole(t, Integer.MIN_VALUE, Integer.MAX_VALUE));
        cl.registerConverter(int.class, t -> (int) whole(t, Integer.MIN_VALUE, Integer.MAX_VALUE));
        cl.registerConverter(Long.class, t -> whole(t, Long.MIN_VALUE, Long.MAX_VALUE));
        cl.registerConverter(long.class, t -> whole(t, Long.MIN_VALUE, Long.MAX_VALUE));
        cl.registerConverter(Double.class, ExitCodes::decimal);
        cl.registerConverter(double.class, ExitCodes::decimal);
        cl.setParameterExceptionHandler(ExitCodes::badCommandLine);
        cl.setExitCodeExceptionMapper(ex -> REFUSED);
        cl.setExecutionStrategy(parsed -> {
            try {
                return new CommandLine.RunLast().execute(parsed);
            } finally {
                closeLogs(parsed);
            }
        });
        return cl;
    }

    /**
     * A refusal's or failure's message as one line: a line break or other control character that came with the input
     * it quotes written as an escape (`no group 'a\nb'`), whatever part of the program wrote the message (but a failed
     * fetch of the data, which ends with npm's own lines).
     */
    static String line(String message) {
        return message == null ? "" : ConfigException.visible(message);
    }

    /** The --db value of the command, when it has that option. */
    private static java.util.Optional<String> dbOption(CommandLine cmd) {
        return cmd.getCommandSpec().mixins().values().stream().map(m -> m.userObject())
                .filter(o -> o instanceof DbOption).map(o -> ((DbOption) o).db).filter(java.util.Objects::nonNull).findFirst();
    }

    /** An option's whole number: digits 0-9 (a sign allowed); beyond {@code [min, max]} out of range, not "not an int". */
    static long whole(String t, long min, long max) {
        String v = t.trim();
        if (!v.matches("[+-]?[0-9]+")) throw new CommandLine.TypeConversionException("'" + ConfigException.clip(t, 60) + "' is not an integer");
        java.math.BigInteger b = new java.math.BigInteger(v);
        if (b.compareTo(java.math.BigInteger.valueOf(min)) < 0 || b.compareTo(java.math.BigInteger.valueOf(max)) > 0) {
            throw new CommandLine.TypeConversionException(ConfigException.clip(t, 60) + " is out of range: an integer, "
                    + String.format(java.util.Locale.ROOT, "%,d to %,d", min, max));
        }
        return b.longValue();
    }

    /** An option's number: decimals as a person writes them (not Java's hex floats or 1d); NaN and Infinity read, for the option's range to refuse. */
    static double decimal(String t) {
        String v = t.trim();
        if (!sparselab.config.ConfigKeys.readsAsNumber(v)) {
            throw new CommandLine.TypeConversionException("'" + ConfigException.clip(t, 60) + "' is not a number");
        }
        double d = Double.parseDouble(v);
        // a decimal past the largest double reads as Infinity: said as written, not as "Infinity is out of range"
        if (Double.isInfinite(d) && !v.matches("[+-]?Infinity")) {
            throw new CommandLine.TypeConversionException("'" + ConfigException.clip(t, 60) + "' is out of range: beyond the largest number");
        }
        return d;
    }

    /**
     * A refusal as the command line says it: a field that is an option given on this command line is named as the
     * option ({@code --seeds: 0 is out of range}, where the API's answer says {@code seeds}), unless the message starts
     * with it already (one that names it further on, "... or leave out --seeds", still gets it in front); anything else (a configuration key of {@code --set} or {@code --config}, a key named in a file, an
     * option not given) as it is.
     */
    static String asOption(CommandLine cmd, ConfigException.FieldError e) {
        // a limit's refusal names its variable at its end (SPARSELAB_MAX_RUN_BYTES): its field's name, the API's, is
        // nothing a command-line user set
        if (e.key().equals("maxRunBytes") || e.key().equals("maxLogBytes")) return e.message();
        // a field of the API's with no option of that name ("runs: a ladder needs two different runs"), and a message
        // that names its key already ("beta=-3 is refused: ...", a sweep's): the message alone
        if (e.key().equals("runs") || e.message().startsWith(e.key() + "=")) return e.message();
        String option = "--" + e.key();
        boolean given = cmd.getParseResult() != null && cmd.getParseResult().hasMatchedOption(option);
        return given && !e.message().startsWith(option) ? option + ": " + e.message() : e.toString();
    }

    /**
     * A command line picocli cannot parse (an unknown option, a missing or malformed value): the reason, picocli's
     * suggestions for a mistyped name, then the command's synopsis and where its options are explained, not its whole
     * help (a typo should not scroll the reason away). Without a command, the whole help: the list of commands. Exit 2.
     */
    static int badCommandLine(CommandLine.ParameterException ex, String[] args) {
        CommandLine cmd = ex.getCommandLine();
        java.io.PrintWriter err = cmd.getErr();
        err.println(line(ex.getMessage()));
        // a word where a command goes, not close to any (`./sparselab bogus`): said in words, the commands below
        if (cmd.getParent() == null && ex instanceof CommandLine.UnmatchedArgumentException u && !u.getUnmatched().isEmpty()
                && !u.getUnmatched().get(0).startsWith("-")) {
            err.println("'" + ConfigException.clip(u.getUnmatched().get(0), 60) + "' is not a command of " + cmd.getCommandName());
        }
        configKeyHints(ex, cmd).forEach(err::println);
        if (!CommandLine.UnmatchedArgumentException.printSuggestions(ex, err) && cmd.getParent() == null) {
            cmd.usage(err);
            return REFUSED;
        }
        CommandLine.Help help = cmd.getHelp();
        err.print(help.synopsisHeading() + help.synopsis(help.synopsisHeadingLength()));
        err.println("(./" + cmd.getCommandSpec().qualifiedName() + " --help " + (cmd.getSubcommands().isEmpty() ? "explains every option)" : "lists the commands)"));
        return REFUSED;
    }

    /**
     * For an unknown option that is a configuration key ({@code train --epochs 3}) of a command that takes {@code --set}:
     * "--epochs: a configuration key; set it with --set epochs=3" (the option's value when one follows it).
     */
    static List<String> configKeyHints(CommandLine.ParameterException ex, CommandLine cmd) {
        if (!(ex instanceof CommandLine.UnmatchedArgumentException u) || cmd.getCommandSpec().findOption("--set") == null) return List.of();
        List<String> unmatched = u.getUnmatched();
        List<String> hints = new java.util.ArrayList<>();
        for (int i = 0; i < unmatched.size(); i++) {
            String arg = unmatched.get(i);
            if (!arg.startsWith("--") || arg.length() < 3) continue;
            String name = arg.substring(2), value = null;
            int eq = name.indexOf('=');
            if (eq >= 0) {
                value = name.substring(eq + 1);
                name = name.substring(0, eq);
            } else if (i + 1 < unmatched.size() && !unmatched.get(i + 1).startsWith("-")) {
                value = unmatched.get(i + 1);
            }
            String key = name, shown = value == null ? "VALUE" : sparselab.config.ConfigException.clip(value, 60);
            sparselab.config.ConfigKeys.all().stream().filter(k -> k.name().equalsIgnoreCase(key)).findFirst().ifPresent(k ->
                    hints.add(sparselab.config.ConfigException.clip(arg, 60) + ": a configuration key; set it with --set " + k.name() + "=" + shown));
        }
        return hints;
    }

    /** True when {@code ex} or a cause is the system's "No space left on device" (ENOSPC). */
    static boolean noSpace(Throwable ex) {
        for (Throwable t = ex; t != null; t = t.getCause() == t ? null : t.getCause()) {
            String why = t instanceof java.nio.file.FileSystemException f ? f.getReason() : t.getMessage();
            if (t instanceof java.io.IOException && why != null && why.contains("No space left on device")) return true;
        }
        return false;
    }

    /** SQLite's read-only code (a log file, or its folder, without write permission) in the cause chain, or null. */
    static String readOnly(Throwable ex) {
        return sparselab.store.StoreException.sqliteCodeName(ex, "SQLITE_READONLY");
    }

    /** A command's input was refused (unknown run id, wrong state, ...). */
    public static final class RefusedException extends RuntimeException {
        public RefusedException(String message) { super(message); }
    }

    /** A command could not do its work, said in one line (a file it could not write: a full disk, ...): exit 1. */
    public static final class FailedException extends RuntimeException {
        public FailedException(String message) { super(message); }
    }

    /** Standard output's reader stopped early (a pipe closed before the output was written): exit 141, no message. */
    public static final class ReaderGoneException extends RuntimeException {
        public ReaderGoneException() { super("standard output's reader stopped early"); }
    }

    /** True when standard output is a pipe (Linux: fd 1 reads as pipe:[N]); false where that cannot be told. */
    static boolean stdoutIsPipe() {
        try {
            return java.nio.file.Files.readSymbolicLink(java.nio.file.Path.of("/proc/self/fd/1")).toString().startsWith("pipe:");
        } catch (java.io.IOException | UnsupportedOperationException e) {
            return false;
        }
    }

    /** Closes the logs the executed command opened through its {@code --db} option (a WAL checkpoint on SQLite). */
    private static void closeLogs(CommandLine.ParseResult parsed) {
        List<CommandLine> chain = parsed.asCommandLineList();
        CommandLine.Model.CommandSpec spec = chain.get(chain.size() - 1).getCommandSpec();
        for (CommandLine.Model.CommandSpec mixin : spec.mixins().values()) {
            if (mixin.userObject() instanceof DbOption db) db.closeOpened();
        }
    }
}
