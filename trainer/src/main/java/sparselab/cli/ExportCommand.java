package sparselab.cli;

import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;
import sparselab.store.EventLog;
import sparselab.log.Json;
import sparselab.log.RunEvent;
import sparselab.log.RunRow;
import sparselab.log.SnapshotRow;
import sparselab.gallery.WeightImages;
import sparselab.runs.MetricsExport;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;

@Command(name = "export", mixinStandardHelpOptions = true,
        description = "Write a run's per-epoch metrics as CSV or JSON (with the filter measures), its filter measures as CSV, or its weight-image gallery as a PNG.")
public class ExportCommand implements Callable<Integer> {
    @Mixin DbOption db;
    @Spec CommandSpec spec;
    @Parameters(paramLabel = "RUN") String runId;
    @Option(names = "--format", defaultValue = "csv",
            description = "csv (per epoch), json (per epoch, rho_hat, config and the filter measures) or measures-csv (per snapshot epoch) (default: ${DEFAULT-VALUE})")
    String format;
    @Option(names = "--out", paramLabel = "FILE", description = "write to FILE instead of standard output") Path out;
    @Option(names = "--gallery", paramLabel = "FILE.png", description = "write the weight-image gallery (W1's filters) as a PNG instead") Path gallery;
    @Option(names = "--epoch", paramLabel = "N", description = "with --gallery: the snapshot of epoch N (default: the last); a missing one is refused with the epochs there are") Integer epoch;
    @Option(names = "--nearest", description = "with --gallery --epoch N: take the snapshot nearest epoch N when there is none at N") boolean nearest;
    @Option(names = "--scale", defaultValue = "2", description = "with --gallery: pixels per weight (default: ${DEFAULT-VALUE})") int scale;

    @Override
    public Integer call() throws IOException {
        if (!format.equals("csv") && !format.equals("json") && !format.equals("measures-csv")) {
            throw new ExitCodes.RefusedException("--format: '" + format + "' is not csv, json or measures-csv");
        }
        EventLog log = db.openExisting();
        RunRow run = log.run(runId).orElseThrow(() -> new ExitCodes.RefusedException("no run " + runId + " in " + log.describe()));
        if (gallery != null) return writeGallery(log);
        if (epoch != null || nearest) throw new ExitCodes.RefusedException("--epoch and --nearest go with --gallery");
        String text = switch (format) {
            case "csv" -> MetricsExport.csv(log.metrics(runId));
            case "measures-csv" -> MetricsExport.measuresCsv(log.measures(runId));
            default -> Json.write(MetricsExport.json(run, log.metrics(runId), log.rhoHat(runId, log.epochs(runId)), log.measures(runId)));
        };
        if (out == null) {
            spec.commandLine().getOut().print(text);
            spec.commandLine().getOut().flush();
        } else {
            Files.writeString(out, text);
        }
        return ExitCodes.OK;
    }

    private int writeGallery(EventLog log) throws IOException {
        if (scale < 1 || scale > 16) throw new ExitCodes.RefusedException("--scale: " + scale + " is out of range [1, 16]");
        List<SnapshotRow> snaps = log.snapshots(runId);
        if (snaps.isEmpty()) throw new ExitCodes.RefusedException("run " + runId + " has no weight snapshot yet");
        int want = epoch == null ? Integer.MAX_VALUE : epoch;
        SnapshotRow best = snaps.stream().min(java.util.Comparator.comparingLong(r -> Math.abs((long) r.epoch() - want))).orElseThrow();
        if (epoch != null && best.epoch() != epoch && !nearest) {
            throw new ExitCodes.RefusedException("run " + runId + " has no weight snapshot at epoch " + epoch + "; it has epochs "
                    + snaps.stream().map(s -> Integer.toString(s.epoch())).collect(java.util.stream.Collectors.joining(", "))
                    + " (--nearest takes epoch " + best.epoch() + ")");
        }
        RunEvent.WeightSnapshot w = best.event();
        byte[] blob = log.blob(w.blob()).orElseThrow(() -> new IllegalStateException("snapshot blob " + w.blob() + " is missing"));
        byte[] png = WeightImages.grid(WeightImages.w1(blob, w.hidden(), w.visible()), w.hidden(), w.imageRows(), w.imageCols(), scale);
        Files.write(gallery, png);
        spec.commandLine().getOut().printf("%s: run %s, epoch %d, %d filters of %dx%d%n", gallery, runId, w.epoch(), w.hidden(),
                w.imageRows(), w.imageCols());
        return ExitCodes.OK;
    }
}
