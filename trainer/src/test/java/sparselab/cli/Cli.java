package sparselab.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/** The trainer's commands as a user runs them: in a JVM of its own, which ends, exiting with the command's code. */
public final class Cli {
    private Cli() {}

    @Command(name = "sparselab", subcommands = {TrainCommand.class, RunsCommand.class, ExportCommand.class,
            RebuildCommand.class, ResumeCommand.class, SweepCommand.class})
    static final class Root {}

    public static void main(String[] args) {
        System.exit(ExitCodes.install(new CommandLine(new Root())).execute(args));
    }

    /** What a command run by {@link #run} did: its exit code, standard output and standard error. */
    public record Ran(int code, String out, String err) {}

    /** The java command that starts {@link Cli} with these JVM options and the tests' class path. */
    public static List<String> command(List<String> jvm) {
        List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp", System.getProperty("java.class.path")));
        cmd.addAll(sparselab.runs.NativeEnv.openblasFlags());      // the OpenBLAS this JVM multiplies with
        cmd.addAll(jvm);
        cmd.add(Cli.class.getName());
        return cmd;
    }

    /** The command {@code args} in a process of its own, with these JVM options and {@code env} added to its environment. */
    public static Ran run(List<String> jvm, Map<String, String> env, String... args) throws Exception {
        List<String> cmd = command(jvm);
        cmd.addAll(List.of(args));
        Path err = Files.createTempFile("sparselab-cli", ".err");
        try {
            ProcessBuilder pb = new ProcessBuilder(cmd).redirectError(err.toFile());
            pb.environment().putAll(env);
            Process p = pb.start();
            String out = new String(p.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
            if (!p.waitFor(120, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                throw new AssertionError("the command did not end: " + Files.readString(err));
            }
            return new Ran(p.exitValue(), out, Files.readString(err));
        } finally {
            Files.deleteIfExists(err);
        }
    }
}
