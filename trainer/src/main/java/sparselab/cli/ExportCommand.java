package sparselab.cli;

import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;
import sparselab.log.EventLog;
import sparselab.log.Json;
import sparselab.log.RunRow;
import sparselab.runs.MetricsExport;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;

@Command(name = "export", mixinStandardHelpOptions = true,
        description = "Write a run's per-epoch metrics as CSV or JSON (with the filter measures), or its filter measures as CSV.")
public class ExportCommand implements Callable<Integer> {
    @Mixin DbOption db;
    @Spec CommandSpec spec;
    @Parameters(paramLabel = "RUN") String runId;
    @Option(names = "--format", defaultValue = "csv",
            description = "csv (per epoch), json (per epoch, rho_hat, config and the filter measures) or measures-csv (per snapshot epoch) (default: ${DEFAULT-VALUE})")
    String format;
    @Option(names = "--out", paramLabel = "FILE", description = "write to FILE instead of standard output") Path out;

    @Override
    public Integer call() throws IOException {
        if (!format.equals("csv") && !format.equals("json") && !format.equals("measures-csv")) {
            throw new ExitCodes.RefusedException("--format: '" + format + "' is not csv, json or measures-csv");
        }
        EventLog log = db.open();
        RunRow run = log.run(runId).orElseThrow(() -> new ExitCodes.RefusedException("no run " + runId + " in " + log.file()));
        String text = switch (format) {
            case "csv" -> MetricsExport.csv(log.metrics(runId));
            case "measures-csv" -> MetricsExport.measuresCsv(log.measures(runId));
            default -> Json.write(MetricsExport.json(run, log.metrics(runId), log.measures(runId)));
        };
        if (out == null) {
            spec.commandLine().getOut().print(text);
            spec.commandLine().getOut().flush();
        } else {
            Files.writeString(out, text);
        }
        return ExitCodes.OK;
    }
}
