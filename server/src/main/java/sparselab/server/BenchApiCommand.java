package sparselab.server;

import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import sparselab.cli.ExitCodes;

import java.util.Arrays;
import java.util.Iterator;
import java.util.concurrent.Callable;

/** {@code sparselab bench-api}: the median time of the runs and compare APIs on a large log ({@link ApiBench}). */
@Command(name = "bench-api", mixinStandardHelpOptions = true,
        description = "Median time of GET /api/runs (pages, filters) with 10,000 runs and of GET /api/compare for 8 runs of 1,000 epochs "
                + "(H = 196), over real HTTP, on SQLite and on PostgreSQL in the same run, with their ratio.")
public final class BenchApiCommand implements Callable<Integer> {
    @Spec CommandSpec spec;
    @Option(names = "--runs", defaultValue = "10000", description = "runs in the log, 1 to 1,000,000 (default: ${DEFAULT-VALUE})") int runs;
    @Option(names = "--epochs", defaultValue = "1000", description = "epochs of each compared run, 1 to 100,000 (default: ${DEFAULT-VALUE})") int epochs;
    @Option(names = "--hidden", defaultValue = "196", description = "hidden units of the compared runs, 1 to 10,000 (default: ${DEFAULT-VALUE})") int hidden;
    @Option(names = "--backend", defaultValue = "both", completionCandidates = BackendNames.class,
            description = "the logs timed, one of ${COMPLETION-CANDIDATES} (postgresql: a throwaway server from the installed binaries; "
                    + "both: the two in one run, with their ratio) (default: ${DEFAULT-VALUE})") String backend;

    /**
     * {@code --backend}'s names, for its help, from {@link ApiBench.Backends}. Checked in {@link #call} rather than by
     * picocli's enum conversion, which would print the whole usage after its line: a refusal is one line, as elsewhere.
     */
    static final class BackendNames implements Iterable<String> {
        @Override
        public Iterator<String> iterator() {
            return Arrays.stream(ApiBench.Backends.values()).map(Enum::name).iterator();
        }
    }

    @Override
    public Integer call() throws Exception {
        // before anything is written: a size the bench cannot fill was refused only after 10,000 runs were
        range("--runs", runs, 1, 1_000_000);
        range("--epochs", epochs, 1, 100_000);
        range("--hidden", hidden, 1, 10_000);
        ApiBench.Backends backends = Arrays.stream(ApiBench.Backends.values()).filter(b -> b.name().equalsIgnoreCase(backend)).findFirst()
                .orElseThrow(() -> new ExitCodes.RefusedException("--backend: '" + backend + "' is not known; known: "
                        + String.join(", ", new BackendNames())));
        ApiBench.run(spec.commandLine().getOut(), runs, epochs, hidden, backends);
        return ExitCodes.OK;
    }

    private static void range(String option, int value, int min, int max) {
        if (value < min || value > max) throw new ExitCodes.RefusedException(option + ": " + value + " is out of range [" + min + ", " + max + "]");
    }
}
