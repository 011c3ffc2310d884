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
import sparselab.launch.LaunchPool;
import sparselab.launch.RunCreator;
import sparselab.log.EventLog;
import sparselab.runs.BackgroundTrainer;

import java.time.Clock;
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

    @Option(names = "--workers", defaultValue = "1", description = "trainer processes at once (default: ${DEFAULT-VALUE})")
    int workers;

    @Override
    public Integer call() throws InterruptedException {
        EventLog log = db.open();
        serveUntilStopped(spec, log, host, port, workers, null);
        return 0;
    }

    /** Starts the dashboard and its pool on {@code log}, prints the URL, and blocks until the JVM is stopped. */
    static void serveUntilStopped(CommandSpec spec, EventLog log, String host, int port, int workers, String comparePath)
            throws InterruptedException {
        if (workers < 1) throw new picocli.CommandLine.ParameterException(spec.commandLine(), "--workers must be at least 1");
        LaunchPool pool = new LaunchPool(log, BackgroundTrainer::spawn, workers).start(1000);
        Javalin app = new App(log, Clock.systemUTC(), pool,
                RunCreator.inLog(log), Safety.hostsFor(host))
                .build().start(host, port);
        if (!host.equals("127.0.0.1") && !host.equals("localhost") && !host.equals("::1")) {
            LOG.warn("the dashboard is bound to {}: anyone who can reach this address can launch runs", host);
        }
        String shown = host.equals("0.0.0.0") || host.equals("::") ? "localhost" : host.contains(":") ? "[" + host + "]" : host;
        spec.commandLine().getOut().printf("sparselab dashboard on http://%s:%d/ (log %s, %d worker%s); Ctrl-C stops it%n",
                shown, app.port(), log.file(), workers, workers == 1 ? "" : "s");
        if (comparePath != null) spec.commandLine().getOut().printf("compare: http://%s:%d/%s%n", shown, app.port(), comparePath);
        spec.commandLine().getOut().flush();
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            pool.close();
            app.stop();
            stopped.countDown();
        }, "serve-shutdown"));
        stopped.await();
    }
}
