package sparselab.server;

import io.javalin.Javalin;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;
import sparselab.cli.DbOption;
import sparselab.cli.ExitCodes;
import sparselab.launch.LaunchPool;
import sparselab.launch.RunCreator;
import sparselab.config.Limits;
import sparselab.store.EventLog;
import sparselab.runs.BackgroundTrainer;
import sparselab.runs.Runs;

import java.io.PrintWriter;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;

/** {@code sparselab serve}: the dashboard and its pool of background trainers, until interrupted. */
@Command(name = "serve", mixinStandardHelpOptions = true,
        description = "Serve the dashboard (runs, compare, launch) and run queued runs in the background.")
public final class ServeCommand implements Callable<Integer> {
    private static final Logger LOG = LoggerFactory.getLogger(ServeCommand.class);

    @Mixin DbOption db;
    @Spec CommandSpec spec;

    @Option(names = "--port", defaultValue = "7070", description = "port (default: ${DEFAULT-VALUE}; 0 = any free port)")
    int port;

    @Option(names = "--host", defaultValue = "127.0.0.1", description = "address to bind (default: ${DEFAULT-VALUE}, this machine only)")
    String host;

    @Mixin AllowHostsOption allowHosts;

    @Option(names = "--workers", defaultValue = "1",
            description = "trainer processes at once on this machine (default: ${DEFAULT-VALUE}; 0 = dashboard only, workers elsewhere train)")
    int workers;

    @Override
    public Integer call() throws InterruptedException {
        List<String> hosts = allowHosts.checked();
        checkBindable(host, port, workers);    // before the log is created: a busy port leaves no file behind
        EventLog log = db.open();
        sparselab.runs.NativeEnv.coreTypeNote().ifPresent(spec.commandLine().getErr()::println);   // after the refusals
        serveUntilStopped(spec, log, host, port, workers, hosts, () -> null);
        return 0;
    }

    private static void checkOptions(int port, int workers) {
        if (workers < 0 || workers > 64) throw new ExitCodes.RefusedException("--workers: " + workers + " is out of range [0, 64]");
        if (port < 0 || port > 65535) throw new ExitCodes.RefusedException("--port: " + port + " is not a port number (0-65535)");
    }

    /**
     * Refuses options that cannot work before anything is created: a bad port or worker count, and an address that
     * cannot be bound (a port in use, an unknown host), found by binding it for a moment.
     */
    static void checkBindable(String host, int port, int workers) {
        checkOptions(port, workers);
        if (host.isBlank()) {        // the server would bind every address: an unset variable (--host "$HOST") must not open it to the network
            throw new ExitCodes.RefusedException("--host: empty; nothing was created. Give an address of this machine, such as 127.0.0.1 "
                    + "(this machine only, the default) or 0.0.0.0 (every network)");
        }
        java.net.InetAddress address;
        try {
            address = java.net.InetAddress.getByName(host);
        } catch (java.net.UnknownHostException e) {
            throw new ExitCodes.RefusedException("--host: '" + sparselab.config.ConfigException.clip(host, 60)
                    + "' is no address or host name this machine can resolve; nothing was created. "
                    + "Give an address of this machine, such as 127.0.0.1 (this machine only) or 0.0.0.0 (every network).");
        }
        try (java.net.ServerSocket probe = new java.net.ServerSocket()) {
            probe.setReuseAddress(true);
            probe.bind(new java.net.InetSocketAddress(address, port));
        } catch (java.io.IOException | SecurityException e) {
            throw new ExitCodes.RefusedException(cannotListen(host, port, e.getMessage()));
        }
    }

    private static String cannotListen(String host, int port, String why) {
        boolean inUse = why != null && why.toLowerCase(java.util.Locale.ROOT).contains("in use");
        return "--port/--host: cannot listen on " + host + ":" + port + " (" + why + "); nothing was created. "
                + (inUse ? "Is a dashboard already running there? Choose another --port, or --port 0 for any free one."
                         : "Give an address of this machine, such as 127.0.0.1 (this machine only) or 0.0.0.0 (every network), and a port you may use.");
    }

    /**
     * Binds the dashboard on {@code log}, then runs {@code afterBind} (which may queue runs and returns a compare page's
     * path to print, or null), then starts the pool of trainers, prints the URL, and blocks until the JVM is stopped.
     * A port that cannot be bound is refused before anything is queued or started.
     */
    static void serveUntilStopped(CommandSpec spec, EventLog log, String host, int port, int workers, List<String> allowHosts,
                                  java.util.function.Supplier<String> afterBind) throws InterruptedException {
        checkOptions(port, workers);
        Limits limits = Limits.fromEnvironment();
        LaunchPool pool = new LaunchPool(log, sparselab.launch.TrainerSpawner.background(log, workers), workers);
        Javalin app;
        try {
            app = new App(log, log.clock(), pool, RunCreator.inLog(log, Runs.dataDir(), limits), Safety.hostsFor(host, allowHosts), limits)
                    .build().start(host, port);
        } catch (RuntimeException e) {
            throw new ExitCodes.RefusedException(cannotListen(host, port, e.getCause() != null ? e.getCause().getMessage() : e.getMessage()));
        }
        String comparePath = afterBind.get();
        pool.start(1000);
        if (!loopback(host)) {
            LOG.warn("the dashboard is bound to {}: anyone who can reach this address can launch runs", host);
        }
        boolean wildcard = Safety.isWildcard(host);
        String shown = wildcard ? machineName() : host.contains(":") ? "[" + host + "]" : host;
        PrintWriter out = spec.commandLine().getOut();
        // the pool's size, not the `sparselab worker` processes that serve the log (the Workers page lists those)
        out.printf("sparselab dashboard on http://%s:%d/ (log %s, %s)%s; Ctrl-C stops it%s%n",
                shown, app.port(), log.describe(), workers == 0 ? "its pool starts no trainers: --workers 0"
                        : "its pool starts up to " + workers + " trainer" + (workers == 1 ? "" : "s") + " at once",
                wildcard ? ", reachable from other machines by this machine's name or addresses" : "",
                BackgroundTrainer.detachesSession() ? ", trainers already started go on" : "");
        out.println(limits.describe());
        if (comparePath != null) out.printf("compare: http://%s:%d/%s%n", shown, app.port(), comparePath);
        out.flush();
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            // the pool and the server are stopped on a thread of their own, for at most STOP_SECONDS: a stop that
            // waits on the log (a busy writer) or on a connection must not keep the process alive after Ctrl-C
            Thread closer = new Thread(() -> {
                List<String> training = pool.active();
                pool.close();
                app.stop();
                out.println(stopMessage(training, BackgroundTrainer.detachesSession(), BackgroundTrainer.logs(log.locator())));
                out.flush();
            }, "serve-stop");
            closer.setDaemon(true);
            closer.start();
            try {
                closer.join(STOP_SECONDS * 1000L);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            if (closer.isAlive()) {
                out.println("the dashboard stopped without waiting for its pool (" + STOP_SECONDS + " s); trainers already started go on");
                out.flush();
            }
            stopped.countDown();
        }, "serve-shutdown"));
        stopped.await();
    }

    /** This machine's host name, as other machines are likely to reach it; localhost when it has none. */
    static String machineName() {
        try {
            String name = java.net.InetAddress.getLocalHost().getHostName();
            return name.contains(":") ? "[" + name + "]" : name;
        } catch (java.io.IOException e) {
            return "localhost";
        }
    }

    /** How long Ctrl-C waits for the pool and the server to stop before the process ends anyway. */
    static final int STOP_SECONDS = 10;

    /**
     * What the server says when it stops: which trainers go on, where their output is ({@code logs}, the folder
     * {@code BackgroundTrainer.logs} gives: beside an SQLite log, the current folder's for a PostgreSQL one), where
     * their runs can be watched again, how to stop them.
     */
    static String stopMessage(List<String> training, boolean detached, java.nio.file.Path logs) {
        if (training.isEmpty()) return "sparselab dashboard stopped; no trainer was running";
        String runs = String.join(", ", training);
        if (!detached) {
            return "sparselab dashboard stopped; the trainers of runs " + runs + " share this terminal and may stop with it";
        }
        return "sparselab dashboard stopped; " + (training.size() == 1 ? "the trainer of run " : "the trainers of runs ") + runs
                + (training.size() == 1 ? " goes" : " go") + " on training in the background (output in " + logs.toAbsolutePath() + java.io.File.separator + "); "
                + "`./sparselab serve` shows them again, `./sparselab runs` lists them, `./sparselab cancel " + runs.replace(",", "")
                + "` stops " + (training.size() == 1 ? "it" : "them");
    }

    /** True when {@code host} (bound already, so it resolves) is this machine's loopback: localhost in any case, 127.x, ::1. */
    static boolean loopback(String host) {
        try {
            return java.net.InetAddress.getByName(host).isLoopbackAddress();
        } catch (java.net.UnknownHostException e) {
            return false;
        }
    }
}
