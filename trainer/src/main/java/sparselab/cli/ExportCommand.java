package sparselab.cli;

import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;
import sparselab.log.EpochRow;
import sparselab.log.EventLog;
import sparselab.log.Json;
import sparselab.log.RunRow;
import sparselab.runs.MetricsExport;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;

@Command(name = "export", mixinStandardHelpOptions = true, description = "Write a run's per-epoch metrics as CSV or JSON.")
public class ExportCommand implements Callable<Integer> {
    @Mixin DbOption db;
    @Spec CommandSpec spec;
    @Parameters(paramLabel = "RUN") String runId;
    @Option(names = "--format", defaultValue = "csv", description = "csv or json (default: ${DEFAULT-VALUE})") String format;
    @Option(names = "--out", paramLabel = "FILE", description = "write to FILE instead of standard output") Path out;

    @Override
    public Integer call() throws IOException {
        if (!format.equals("csv") && !format.equals("json")) {
            throw new ExitCodes.RefusedException("--format: '" + format + "' is not csv or json");
        }
        EventLog log = db.open();
        RunRow run = log.run(runId).orElseThrow(() -> new ExitCodes.RefusedException("no run " + runId + " in " + log.file()));
        List<EpochRow> rows = log.metrics(runId);
        String text = format.equals("csv") ? MetricsExport.csv(rows) : Json.write(MetricsExport.json(run, rows));
        if (out == null) {
            spec.commandLine().getOut().print(text);
            spec.commandLine().getOut().flush();
        } else {
            Files.writeString(out, text);
        }
        return ExitCodes.OK;
    }
}
