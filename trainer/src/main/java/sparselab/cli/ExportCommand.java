package sparselab.cli;

import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;
import sparselab.store.EventLog;
import sparselab.analysis.StrokeMeasures;
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
    @Parameters(paramLabel = "RUN", description = "the run id (`runs` lists them)") String runId;
    @Option(names = "--format", defaultValue = "csv",
            description = {"csv (per epoch), json (per epoch, rho_hat, config and the filter measures), measures-csv (per snapshot epoch),",
                    "strokes-csv (the stroke share of every snapshot, computed now from its weights) or",
                    "filters-csv (the stroke measures of every filter of the snapshot at --epoch, the last without it) (default: ${DEFAULT-VALUE})"})
    String format;
    @Option(names = "--out", paramLabel = "FILE", description = "write to FILE instead of standard output (- is standard output)") Path out;
    @Option(names = "--gallery", paramLabel = "FILE.png", description = "write the weight-image gallery (W1's filters) as a PNG instead") Path gallery;
    @Option(names = "--epoch", paramLabel = "N", description = "with --gallery or filters-csv: the snapshot of epoch N, for an L-BFGS run iteration N (default: the last); a missing one is refused with the ones there are") Integer epoch;
    @Option(names = "--nearest", description = "with --epoch N (--gallery or filters-csv): take the snapshot nearest N when there is none at N") boolean nearest;
    @Option(names = "--scale", defaultValue = "2", description = "with --gallery: pixels per weight, 1 to 16 (default: ${DEFAULT-VALUE})") int scale;

    @Override
    public Integer call() throws IOException {
        if (!List.of("csv", "json", "measures-csv", "strokes-csv", "filters-csv").contains(format.toLowerCase(java.util.Locale.ROOT))) {
            throw new ExitCodes.RefusedException("--format: '" + sparselab.config.ConfigException.clip(format, 40)
                    + "' is not csv, json, measures-csv, strokes-csv or filters-csv");
        }
        format = format.toLowerCase(java.util.Locale.ROOT);                      // CSV as csv, as config values are read
        if (gallery != null) {
            for (String other : List.of("--format", "--out")) {
                if (spec.commandLine().getParseResult().hasMatchedOption(other)) {
                    throw new ExitCodes.RefusedException(other + " does not go with --gallery, which names its own PNG file; export the two separately");
                }
            }
            if (gallery.toString().equals("-")) {
                throw new ExitCodes.RefusedException("--gallery: - is not a file; the gallery is a PNG file: give its name (FILE.png)");
            }
            String name = gallery.getFileName() == null ? "" : gallery.getFileName().toString();
            int dot = name.lastIndexOf('.');
            if (dot > 0 && name.substring(dot + 1).toLowerCase(java.util.Locale.ROOT)
                    .matches("jpe?g|gif|bmp|tiff?|webp|svg|pdf|eps|ppm|pgm")) {
                throw new ExitCodes.RefusedException("--gallery: " + name + " names another image format; the gallery is a PNG: name it "
                        + name.substring(0, dot) + ".png");
            }
            writable(gallery, "--gallery");
            notTheLog(gallery, "--gallery");
            // any other ending (g.txt, g.csv) would be a PNG under a name that says otherwise; none at all is taken as it is
            if (dot > 0 && dot == name.length() - 1) {
                throw new ExitCodes.RefusedException("--gallery: " + name + " ends in a dot; the gallery is a PNG image: name it "
                        + name.substring(0, dot) + ".png");
            }
            if (dot > 0 && !name.substring(dot + 1).equalsIgnoreCase("png")) {
                throw new ExitCodes.RefusedException("--gallery: " + name + " ends in ." + name.substring(dot + 1)
                        + ", but the gallery is a PNG image: name it " + name.substring(0, dot) + ".png (or " + name + ".png)");
            }
        }
        if (out != null && out.toString().equals("-")) out = null;      // standard output, as for other tools (it wrote a file named -)
        if (out != null) {
            writable(out, "--out");
            notTheLog(out, "--out");
        }
        EventLog log = db.openReadOnly();
        RunRow run = RunLookup.require(log, runId);
        if (epoch != null && epoch < 0) {
            throw new ExitCodes.RefusedException("--epoch: " + epoch + " is below 0; snapshots are at "
                    + sparselab.config.Choices.Optimizer.stepWord(run.configMap().get("optimizer")) + "s 0 and up");
        }
        if (nearest && epoch == null) {              // it would be dropped: the last snapshot is taken without --epoch
            throw new ExitCodes.RefusedException("--nearest goes with --epoch N (the snapshot nearest N); without --epoch the last snapshot is taken");
        }
        if (gallery != null) return writeGallery(log);
        if (spec.commandLine().getParseResult().hasMatchedOption("--scale")) {
            throw new ExitCodes.RefusedException("--scale goes with --gallery (the pixels per weight of its image)");
        }
        if ((epoch != null || nearest) && !format.equals("filters-csv")) {
            throw new ExitCodes.RefusedException("--epoch and --nearest go with --gallery or --format filters-csv");
        }
        // streamed: a long run's rates are hundreds of megabytes, its figures tens
        if (format.equals("json")) return streamed(w -> MetricsExport.writeJson(w, log, run));
        if (format.equals("csv")) {
            MetricsExport.Pages pages = MetricsExport.Pages.of(log, runId, MetricsExport.FIGURES_AT_ONCE);
            return streamed(w -> MetricsExport.writeCsv(w, pages));
        }
        String text = switch (format) {
            case "measures-csv" -> MetricsExport.measuresCsv(log.measures(runId));
            case "strokes-csv" -> strokesCsv(log);
            default -> filtersCsv(log, nearest(log));
        };
        if (out == null) {
            spec.commandLine().getOut().print(text);
            stdoutWritten();
        } else {
            writeWhole(out, "--out", o -> o.write(text.getBytes(java.nio.charset.StandardCharsets.UTF_8)));
        }
        return ExitCodes.OK;
    }

    /**
     * Writes an export as it is read, to {@code --out} (whole or not at all) or standard output. A reader of standard
     * output that stopped early (`| head`) stops the export at its next chunk, not after the whole run is read.
     */
    private int streamed(MetricsExport.Chunks chunks) throws IOException {
        if (out == null) {
            java.io.PrintWriter o = spec.commandLine().getOut();
            java.io.Writer checked = new java.io.FilterWriter(o) {
                @Override
                public void flush() throws IOException {
                    super.flush();
                    if (o.checkError()) throw new IOException("standard output could not be written");
                }
            };
            try {
                chunks.writeTo(checked);
            } catch (IOException e) {
                if (!o.checkError()) throw e;       // else said by stdoutWritten, which tells a closed pipe from a full disk
            }
            stdoutWritten();
        } else {
            writeWhole(out, "--out", o -> {
                java.io.Writer w = new java.io.BufferedWriter(new java.io.OutputStreamWriter(o, java.nio.charset.StandardCharsets.UTF_8));
                chunks.writeTo(w);
                w.flush();
            });
        }
        return ExitCodes.OK;
    }

    /** Writes bytes to a stream that may fail (a full disk). */
    private interface Content {
        void writeTo(java.io.OutputStream o) throws IOException;
    }

    /**
     * Writes {@code file} whole or not at all: into FILE.part beside it, then moved into place. On a failure (a full
     * disk) the part is deleted and a file there before is kept, and the failure names the option, the file and the
     * system's reason, exit 1.
     */
    private static void writeWhole(Path file, String option, Content content) {
        // only a plain file (or none yet) in a folder this process may write in is replaced through FILE.part: a device
        // (/dev/stdout, /dev/null), a pipe (--out >(gzip > f)), a link, or a file in a read-only folder is written in place
        Path parent = file.toAbsolutePath().getParent();
        boolean whole = (Files.notExists(file, java.nio.file.LinkOption.NOFOLLOW_LINKS)
                || Files.isRegularFile(file, java.nio.file.LinkOption.NOFOLLOW_LINKS)) && parent != null && Files.isWritable(parent);
        if (!whole) {
            try (java.io.OutputStream o = Files.newOutputStream(file)) {
                content.writeTo(o);
            } catch (IOException e) {
                throw new ExitCodes.FailedException(option + ": cannot write " + file + ": " + reason(e));
            }
            return;
        }
        Path part = file.resolveSibling(file.getFileName() + ".part");
        try {
            try (java.io.OutputStream o = Files.newOutputStream(part)) {
                content.writeTo(o);
            }
            Files.move(part, file, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        } catch (IOException | RuntimeException e) {
            try {
                Files.deleteIfExists(part);
            } catch (IOException ignored) {
                // the failure to report is the write's
            }
            if (e instanceof RuntimeException re) throw re;
            throw new ExitCodes.FailedException(option + ": cannot write " + file + ": " + reason((IOException) e) + "; nothing was written"
                    + (Files.exists(file) ? ", the file there before is kept" : ""));
        }
    }

    /** The system's reason for a failed write ("No space left on device", "permission denied"), not a bare path. */
    private static String reason(IOException e) {
        if (e instanceof java.nio.file.AccessDeniedException) return "permission denied";
        if (e instanceof java.nio.file.FileSystemException f && f.getReason() != null) return f.getReason();
        // no reason given (a file in /proc, whose folder takes no new files): the path alone read as the reason
        if (e instanceof java.nio.file.FileSystemException f) return "the system refused to create or write " + (f.getFile() == null ? "it" : f.getFile());
        return e.getMessage();
    }

    /**
     * Flushes standard output and fails when any of it could not be written (its writer and System.out keep such
     * errors to themselves): never exit 0 with a cut export. Into a pipe that is a reader that stopped early
     * ({@code export R | head}): quiet, exit 141, as a tool ended by SIGPIPE. Anything else (a file on a full disk):
     * exit 1, saying so.
     */
    private void stdoutWritten() {
        java.io.PrintWriter o = spec.commandLine().getOut();
        o.flush();
        System.out.flush();
        if (o.checkError() || System.out.checkError()) {
            if (ExitCodes.stdoutIsPipe()) throw new ExitCodes.ReaderGoneException();
            throw new ExitCodes.FailedException("standard output could not be written whole (a full disk?): the export is incomplete");
        }
    }

    /**
     * Refuses an output file that is the log being read, or one of its files (-wal, -shm), by any name (a link, ./x.db):
     * the export would replace the log with a CSV or PNG, or cut it while it is read.
     */
    private void notTheLog(Path file, String option) {
        for (Path f : EventLog.sqliteFiles(db.db)) {
            try {
                // the same file (a link, another spelling), or the same name in the same folder (a -wal not there yet)
                boolean same = Files.exists(f) && Files.exists(file) ? Files.isSameFile(f, file) : realName(f).equals(realName(file));
                if (same) {
                    throw new ExitCodes.RefusedException(option + ": " + file + " is " + (f.getFileName().toString().matches(".*-(wal|shm|journal)$")
                            ? "a file of the log " + db.db : "the log " + db.db) + " that this export reads; give another file");
                }
            } catch (IOException e) {
                // cannot be told: the write itself says what is wrong
            }
        }
    }

    /** The file's name in its folder's real path (links and ".." resolved), whether or not the file exists. */
    private static Path realName(Path file) throws IOException {
        Path abs = file.toAbsolutePath().normalize();
        Path dir = abs.getParent();
        return dir == null || !Files.isDirectory(dir) ? abs : dir.toRealPath().resolve(abs.getFileName());
    }

    /** Refuses, naming {@code option}, a file that cannot be written: a folder, or one in a folder that is missing. */
    private static void writable(Path file, String option) {
        if (file.toString().isBlank()) throw new ExitCodes.RefusedException(option + ": empty; give a file name");
        Path abs = file.toAbsolutePath();
        if (Files.isDirectory(abs)) throw new ExitCodes.RefusedException(option + ": " + file + " is a folder; give a file name");
        Path dir = abs.getParent();
        if (dir != null && !Files.isDirectory(dir)) throw new ExitCodes.RefusedException(option + ": the folder " + dir + " does not exist");
        if (dir != null && !Files.isWritable(dir) && !Files.isWritable(abs)) {
            throw new ExitCodes.RefusedException(option + ": cannot write in " + dir);
        }
    }

    /** The snapshot nearest --epoch (the last without it). */
    private RunEvent.WeightSnapshot nearest(EventLog log) {
        List<SnapshotRow> snaps = log.snapshots(runId);
        if (snaps.isEmpty()) throw new ExitCodes.RefusedException("run " + runId + " has no weight snapshot yet");
        int want = epoch == null ? Integer.MAX_VALUE : epoch;
        SnapshotRow best = snaps.stream().min(java.util.Comparator.comparingLong(r -> Math.abs((long) r.epoch() - want))).orElseThrow();
        if (epoch != null && best.epoch() != epoch && !nearest) {
            String step = stepWord(log);
            throw new ExitCodes.RefusedException("run " + runId + " has no weight snapshot at " + step + " " + epoch + "; it has " + step + "s "
                    + snaps.stream().map(s -> Integer.toString(s.epoch())).collect(java.util.stream.Collectors.joining(", "))
                    + " (--nearest takes " + step + " " + best.epoch() + ")");
        }
        return best.event();
    }

    /** The run's word for a step of training, as the dashboard says it: an L-BFGS run's --epoch N is iteration N. */
    private String stepWord(EventLog log) {
        return sparselab.config.Choices.Optimizer.stepWord(log.require(runId).configMap().get("optimizer"));
    }

    private float[] w1(EventLog log, RunEvent.WeightSnapshot w) {
        byte[] blob = log.blob(w.blob()).orElseThrow(() -> new ExitCodes.FailedException("the weights of run " + runId + " at " + stepWord(log) + " " + w.epoch()
                + " (blob " + w.blob() + ") are missing from the log; ./sparselab verify names what else is"));
        return WeightImages.w1(runId, w, blob);
    }

    /** epoch,stroke_share for every snapshot, from its stored weights (also for snapshots logged before the measure existed). */
    private String strokesCsv(EventLog log) {
        StringBuilder sb = new StringBuilder("epoch,stroke_share\n");
        for (SnapshotRow r : log.snapshots(runId)) {
            RunEvent.WeightSnapshot w = r.event();
            double share = StrokeMeasures.strokeShare(w1(log, w), w.hidden(), w.imageRows(), w.imageCols());
            // written as measures-csv writes its column (Double.toString: 0.0, 0.7908...), so the two files read alike
            sb.append(w.epoch()).append(',').append(Double.isFinite(share) ? Double.toString(share) : "").append('\n');
        }
        return sb.toString();
    }

    /** One row per filter of one snapshot: the stroke measures and the verdict. */
    private String filtersCsv(EventLog log, RunEvent.WeightSnapshot w) {
        float[] w1 = w1(log, w);
        StringBuilder sb = new StringBuilder("epoch,unit,core_pixels,core_length,core_connected,effective_pixels,roughness,stroke\n");
        int d = w.imageRows() * w.imageCols();
        for (int j = 0; j < w.hidden(); j++) {
            boolean finite = true;
            for (int i = j * d; i < (j + 1) * d && finite; i++) finite = Float.isFinite(w1[i]);
            if (!finite) {                 // a diverged run's filter: no shape and no verdict, as strokes-csv and measures-csv say
                sb.append(w.epoch()).append(',').append(j).append(",,,,,,\n");
                continue;
            }
            StrokeMeasures.Shape s = StrokeMeasures.shape(w1, j, w.imageRows(), w.imageCols());
            sb.append(String.format(java.util.Locale.ROOT, "%d,%d,%d,%.4f,%.4f,%.2f,%.4f,%b%n", w.epoch(), j, s.corePixels(), s.coreLength(),
                    s.coreConnected(), s.effectivePixels(), s.roughness(), s.stroke()));
        }
        return sb.toString();
    }

    private int writeGallery(EventLog log) throws IOException {
        if (scale < 1 || scale > 16) throw new ExitCodes.RefusedException("--scale: " + scale + " is out of range [1, 16]");
        RunEvent.WeightSnapshot w = nearest(log);
        byte[] png = WeightImages.grid(w1(log, w), w.hidden(), w.imageRows(), w.imageCols(), scale);
        writeWhole(gallery, "--gallery", o -> o.write(png));
        spec.commandLine().getOut().printf("%s: run %s, %s %d, %d filters of %dx%d%n", gallery, runId, stepWord(log), w.epoch(), w.hidden(),
                w.imageRows(), w.imageCols());
        return ExitCodes.OK;
    }
}
