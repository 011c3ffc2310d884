package sparselab;

import picocli.CommandLine;
import picocli.CommandLine.Command;
import sparselab.cli.BenchCommand;
import sparselab.cli.BenchWorkersCommand;
import sparselab.cli.CopyCommand;
import sparselab.cli.VerifyCommand;
import sparselab.cli.WorkerCommand;
import sparselab.cli.DataCommand;
import sparselab.cli.ExitCodes;
import sparselab.cli.ExportCommand;
import sparselab.cli.LadderCommand;
import sparselab.cli.RebuildCommand;
import sparselab.cli.ResumeCommand;
import sparselab.cli.RunsCommand;
import sparselab.cli.SweepCommand;
import sparselab.cli.TrainCommand;
import sparselab.compare.DiffCommand;
import sparselab.groups.GroupCommand;
import sparselab.server.BenchApiCommand;
import sparselab.server.DemoCommand;
import sparselab.server.ServeCommand;
import sparselab.server.StressCommand;

/** The launcher's entry point: {@code ./sparselab COMMAND ...}. */
@Command(name = "sparselab", mixinStandardHelpOptions = true, version = "sparselab " + sparselab.runs.Provenance.VERSION,
        description = "Train sparse autoencoders, log every epoch, compare runs.",
        subcommands = {TrainCommand.class, SweepCommand.class, LadderCommand.class, RunsCommand.class, ExportCommand.class, ResumeCommand.class, sparselab.runs.CancelCommand.class, sparselab.runs.TagCommand.class,
                RebuildCommand.class, sparselab.cli.MigrateCommand.class, WorkerCommand.class, CopyCommand.class, VerifyCommand.class, BenchWorkersCommand.class, DataCommand.class, BenchCommand.class, ServeCommand.class, DemoCommand.class, GroupCommand.class, DiffCommand.class, BenchApiCommand.class, StressCommand.class,
                CommandLine.HelpCommand.class})
public final class Main implements Runnable {
    @CommandLine.Spec CommandLine.Model.CommandSpec spec;

    /** Without a command: the usage on stderr and exit 2, as for any other incomplete command line. */
    @Override
    public void run() {
        throw new CommandLine.ParameterException(spec.commandLine(), "a command is needed (./sparselab --help lists them)");
    }

    /** Usage help is this wide when the terminal's width is unknown (each description line is one sentence that fits). */
    public static final int HELP_WIDTH = 140;

    /** The command line with every command, its exit codes and its help width. */
    public static CommandLine commandLine() {
        CommandLine cl = ExitCodes.install(new CommandLine(new Main()));
        cl.setUsageHelpWidth(HELP_WIDTH);
        cl.setUsageHelpAutoWidth(true);
        // every command offers -V, --version: each prints the program's version, as the top level does
        for (CommandLine sub : cl.getSubcommands().values()) {
            if (sub.getCommandSpec().version().length == 0) sub.getCommandSpec().version(cl.getCommandSpec().version());
        }
        return cl;
    }

    public static void main(String[] args) {
        // numbers and words the same on every machine: 5.8704, not 5,8704 under a German locale (as the pages write them)
        java.util.Locale.setDefault(java.util.Locale.ROOT);
        System.exit(commandLine().execute(args));
    }
}
