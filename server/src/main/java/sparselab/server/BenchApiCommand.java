package sparselab.server;

import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;

/** {@code sparselab bench-api}: the median time of the runs and compare APIs on a large log ({@link ApiBench}). */
@Command(name = "bench-api", mixinStandardHelpOptions = true,
        description = "Median time of GET /api/runs (pages, filters) with 10,000 runs and of GET /api/compare for 8 runs of 1,000 epochs "
                + "(H = 196), over real HTTP, on SQLite and on PostgreSQL in the same run, with their ratio.")
public final class BenchApiCommand implements Callable<Integer> {
    @Option(names = "--runs", defaultValue = "10000", description = "runs in the log (default: ${DEFAULT-VALUE})") int runs;
    @Option(names = "--epochs", defaultValue = "1000", description = "epochs of each compared run (default: ${DEFAULT-VALUE})") int epochs;
    @Option(names = "--hidden", defaultValue = "196", description = "hidden units of the compared runs (default: ${DEFAULT-VALUE})") int hidden;
    @Option(names = "--backend", defaultValue = "both",
            description = "sqlite, postgresql (a throwaway server from the installed binaries) or both, in one run (default: ${DEFAULT-VALUE})") String backend;

    @Override
    public Integer call() throws Exception {
        List<String> args = new ArrayList<>(List.of("--runs", Integer.toString(runs), "--epochs", Integer.toString(epochs),
                "--hidden", Integer.toString(hidden), "--backend", backend));
        ApiBench.main(args.toArray(String[]::new));
        return 0;
    }
}
