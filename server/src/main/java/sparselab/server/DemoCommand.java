package sparselab.server;

import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;
import sparselab.cli.DbOption;
import sparselab.config.ConfigLoader;
import sparselab.config.RunConfig;
import sparselab.data.MnistNpm;
import sparselab.store.EventLog;
import sparselab.runs.Runs;

import java.util.List;
import java.util.concurrent.Callable;

/**
 * {@code sparselab demo}: the demo digits, the dashboard, and a sparse run ({@code ufldl}) with its non-sparse twin
 * queued for the background trainers.
 */
@Command(name = "demo", mixinStandardHelpOptions = true,
        description = "Fetch the demo digits, start the dashboard and launch a sparse run (ufldl) and its non-sparse twin.")
public final class DemoCommand implements Callable<Integer> {
    @Mixin DbOption db;
    @Mixin AllowHostsOption allowHosts;
    @Spec CommandSpec spec;

    @Option(names = "--port", defaultValue = "7070", description = "port (default: ${DEFAULT-VALUE}; 0 = any free port)") int port;
    @Option(names = "--host", defaultValue = "127.0.0.1", description = "address to bind (default: ${DEFAULT-VALUE})") String host;
    @Option(names = "--workers", defaultValue = "1", description = "trainer processes at once (default: ${DEFAULT-VALUE})") int workers;
    @Option(names = "--set", paramLabel = "key=value", description = "change the demo runs' configuration (repeatable)") List<String> sets = List.of();
    @Option(names = "--again", description = "queue a new pair even when the log holds this demo's pair already") boolean again;

    @Override
    public Integer call() throws InterruptedException {
        List<String> hosts = allowHosts.checked();
        ServeCommand.checkBindable(host, port, workers);    // a busy port is refused before anything is fetched or created
        // the demo digits under the user's settings (a --set data=... of the user's is theirs, not a key given twice)
        java.util.Map<String, String> values = new java.util.LinkedHashMap<>(java.util.Map.of("data", "mnist"));
        values.putAll(ConfigLoader.parseSettings(sets));
        RunConfig sparse = ConfigLoader.resolve("ufldl", values);
        ConfigLoader.repeats(sets, false).forEach(spec.commandLine().getErr()::println);
        if (sparse.beta() == 0) {                // the twin would be the same run: nothing to compare
            throw new sparselab.cli.ExitCodes.RefusedException("--set beta=0: the demo compares a sparse run with its non-sparse twin "
                    + "(beta 0); give a beta above 0, or train one run with ./sparselab train --preset ufldl --set beta=0");
        }
        if (sparse.data().equals("mnist")) MnistNpm.fetch(Runs.dataDir());   // a demo on other data needs no digits
        EventLog log = db.open();
        // after the checks, the fetch and the log's opening: a refusal says only what is wrong
        sparselab.runs.NativeEnv.coreTypeNote().ifPresent(spec.commandLine().getErr()::println);
        var out = spec.commandLine().getOut();
        // the runs are queued only once the dashboard listens: a busy port leaves nothing behind
        ServeCommand.serveUntilStopped(spec, log, host, port, workers, hosts, () -> {
            String group = "demo-" + EventLog.newRunId().substring(1, 7);
            // both checked against the limits and queued in one transaction: never the sparse run without its twin
            sparselab.config.Limits limits = sparselab.config.Limits.fromEnvironment();
            List<Runs.Prepared> pair = Runs.prepare(List.of(sparse, sparse.nonSparseTwin()), Runs.dataDir(), limits, log.shared());
            if (!again) {
                // a second demo on the same log: training is deterministic, so the same pair again only repeats it
                List<sparselab.log.RunRow> held = heldPair(log, pair);
                if (held != null) {
                    java.time.Instant now = log.clock().instant();
                    String a = held.get(0).runId(), b = held.get(1).runId();
                    out.printf("the log holds this demo's pair already: the sparse run %s (%s) and its non-sparse twin %s (%s); nothing "
                            + "queued (--again queues a new pair)%n", a, held.get(0).effectiveStatus(now), b, held.get(1).effectiveStatus(now));
                    return "compare.html?runs=" + a + "," + b;
                }
            }
            List<String> ids = Runs.createAll(log, pair, List.of(Runs.created(pair.get(0), "ufldl", "demo", group, null),
                    Runs.created(pair.get(1), "ufldl", "twin", group, null)), limits);
            String a = ids.get(0), b = ids.get(1);
            out.printf("queued the sparse run %s (ufldl, beta %s) and its non-sparse twin %s (beta 0)%n", a, RunConfig.num(sparse.beta()), b);
            return "compare.html?runs=" + a + "," + b;
        });
        return 0;
    }

    /**
     * The log's newest run of this configuration and its twin in the same group, [sparse, twin], where both are
     * finished, training (a trainer of the demo stopped with Ctrl-C goes on) or queued (the dashboard's pool trains
     * them), without a cancel asked, on the same data; null when there is no such pair. Two queries on the
     * configuration index, whatever the size of the log.
     */
    static List<sparselab.log.RunRow> heldPair(EventLog log, List<Runs.Prepared> pair) {
        java.time.Instant now = log.clock().instant();
        String a = log.withConfig(sparselab.log.Json.write(pair.get(0).config().toMap()), "", null);
        sparselab.log.RunRow ra = a == null ? null : log.run(a).orElse(null);
        if (ra == null || ra.runGroup() == null || !reusable(ra, pair.get(0), now)) return null;
        String b = log.withConfig(sparselab.log.Json.write(pair.get(1).config().toMap()), "", ra.runGroup());
        sparselab.log.RunRow rb = b == null ? null : log.run(b).orElse(null);
        // the twin queued with it, not one of another pair that happens to have the same configuration
        return rb == null || !ra.runGroup().equals(rb.runGroup()) || !reusable(rb, pair.get(1), now) ? null : List.of(ra, rb);
    }

    private static boolean reusable(sparselab.log.RunRow r, Runs.Prepared p, java.time.Instant now) {
        String status = r.effectiveStatus(now);
        boolean live = !r.cancelRequested() && (status.equals("finished") || status.equals("running") || status.equals("queued"));
        return live && java.util.Objects.equals(r.dataFingerprint(), p.dataFingerprint());
    }
}
