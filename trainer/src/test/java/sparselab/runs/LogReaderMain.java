package sparselab.runs;

import sparselab.store.EventLog;
import sparselab.log.RunRow;

import java.nio.file.Files;
import java.nio.file.Path;

/**
 * A second process reading the log while trainers write it (TrainerProcessTest): runs, metrics and events in a loop
 * until the stop file appears. Prints {@code reads N} and exits 0, or prints the first error and exits 3.
 */
public final class LogReaderMain {
    private LogReaderMain() {}

    public static void main(String[] args) throws Exception {
        Path db = Path.of(args[0]);
        Path stop = Path.of(args[1]);
        long reads = 0;
        try (EventLog log = EventLog.open(db)) {
            while (!Files.exists(stop)) {
                for (RunRow r : log.runs()) {
                    log.metrics(r.runId());
                    log.events(r.runId());
                }
                if (reads++ == 0) {
                    System.out.println("ready");           // the test starts the trainers once the reader reads
                    System.out.flush();
                }
            }
        } catch (Throwable t) {
            System.out.println("error: " + t);
            System.exit(3);
        }
        System.out.println("reads " + reads);
        System.exit(0);
    }
}
