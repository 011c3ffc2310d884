package sparselab.store;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * A throwaway PostgreSQL server from the installed binaries (Debian's {@code postgresql} package): initdb into a
 * temporary folder, a free port on 127.0.0.1, started as the {@code postgres} user when this process runs as root
 * (PostgreSQL refuses to run as root), stopped and deleted when {@link #close()}d or at exit. Used by the tests and by
 * {@code bench-workers}; {@code SPARSELAB_TEST_PG_URL} points the tests ({@link #testDatabase}) at an existing server
 * instead, while {@code bench-workers} always starts its own.
 *
 * <p>Host connections from 127.0.0.1 are trusted, except for the role {@link #PASSWORD_ROLE}, which needs its
 * password (the wrong-password test).
 */
public final class LocalPostgres implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(LocalPostgres.class);
    public static final String PASSWORD_ROLE = "sparselab_pw";
    public static final String PASSWORD = "s3cret-pw";

    private final Path dir;
    private final Path bin;
    private final int port;
    private final boolean root;
    private volatile boolean stopped;

    private LocalPostgres(Path dir, Path bin, int port, boolean root) {
        this.dir = dir;
        this.bin = bin;
        this.port = port;
        this.root = root;
    }

    /** The folder of the server binaries (initdb, pg_ctl), newest installed version, or empty. */
    public static java.util.Optional<Path> binaries() {
        Path lib = Path.of("/usr/lib/postgresql");
        if (Files.isDirectory(lib)) {
            try (Stream<Path> s = Files.list(lib)) {
                java.util.Optional<Path> best = s.filter(p -> Files.isExecutable(p.resolve("bin/initdb")))
                        .max(Comparator.comparingInt(p -> version(p.getFileName().toString())));
                if (best.isPresent()) return best.map(p -> p.resolve("bin"));
            } catch (IOException e) {
                // fall through
            }
        }
        for (String dirName : System.getenv().getOrDefault("PATH", "").split(":")) {
            Path p = Path.of(dirName, "initdb");
            if (Files.isExecutable(p) && Files.isExecutable(Path.of(dirName, "pg_ctl"))) return java.util.Optional.of(Path.of(dirName));
        }
        return java.util.Optional.empty();
    }

    private static int version(String s) {
        try {
            return Integer.parseInt(s.replaceAll("[^0-9].*", ""));
        } catch (NumberFormatException e) {
            return 0;
        }
    }

    /** Starts a new server; fails with a message naming the package to install when the binaries are missing. */
    public static LocalPostgres start() {
        return start(LocalPostgres::freePort);
    }

    /** A port free on this machine now (another process may take it before it is bound). */
    private static int freePort() {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        } catch (IOException e) {
            throw new IllegalStateException("cannot find a free port: " + e.getMessage(), e);
        }
    }

    /** {@link #start()} on the ports {@code ports} gives: a port taken meanwhile is given up for the next (twice at most). */
    static LocalPostgres start(java.util.function.IntSupplier ports) {
        Path bin = binaries().orElseThrow(() -> new IllegalStateException(
                "PostgreSQL server binaries (initdb, pg_ctl) not found; install Debian's postgresql package (apt-get install -y postgresql)"));
        boolean root = "root".equals(System.getProperty("user.name"));
        for (int attempt = 1; ; attempt++) {
            LocalPostgres pg;
            try {
                pg = new LocalPostgres(Files.createTempDirectory("sparselab-pg-"), bin, ports.getAsInt(), root);
            } catch (IOException e) {
                throw new IllegalStateException("cannot start a PostgreSQL server: " + e.getMessage(), e);
            }
            try {
                pg.init();
            } catch (IOException | RuntimeException e) {
                // the port was free when picked, and another process (another test JVM's server) may bind it before
                // this server does: then a new folder and another port
                boolean taken = pg.serverLog().contains("Address already in use");
                pg.close();
                if (taken && attempt < 3) {
                    LOG.info("port {} was taken before the PostgreSQL test server bound it; trying another", pg.port);
                    continue;
                }
                throw e instanceof IOException io ? new IllegalStateException("cannot start a PostgreSQL server: " + io.getMessage(), io)
                        : (RuntimeException) e;
            }
            Runtime.getRuntime().addShutdownHook(new Thread(pg::close, "pg-stop"));
            return pg;
        }
    }

    /** What the server wrote to its log so far ("" when there is none). */
    private String serverLog() {
        try {
            Path log = dir.resolve("server.log");
            return Files.exists(log) ? Files.readString(log) : "";
        } catch (IOException e) {
            return "";
        }
    }

    private void init() throws IOException {
        if (root) exec(List.of("chown", "-R", "postgres:postgres", dir.toString()), false);
        Path data = dir.resolve("data");
        exec(List.of(bin.resolve("initdb").toString(), "-D", data.toString(), "-U", "postgres", "-A", "trust", "-E", "UTF8",
                "--no-sync", "--locale=C"), true);
        Path hba = data.resolve("pg_hba.conf");
        String rule = "host all " + PASSWORD_ROLE + " 127.0.0.1/32 scram-sha-256\n";
        if (root) {
            exec(List.of("sh", "-c", "printf '%s' '" + rule + "' | cat - " + hba + " > " + hba + ".new && mv " + hba + ".new " + hba), true);
        } else {
            Files.writeString(hba, rule + Files.readString(hba));
        }
        startServer();
        try (Connection c = connect("postgres"); Statement st = c.createStatement()) {
            st.execute("CREATE ROLE " + PASSWORD_ROLE + " LOGIN SUPERUSER PASSWORD '" + PASSWORD + "'");
        } catch (SQLException e) {
            throw new IllegalStateException("cannot prepare the PostgreSQL server: " + e.getMessage(), e);
        }
        LOG.info("PostgreSQL test server on 127.0.0.1:{} in {}", port, dir);
    }

    private void startServer() throws IOException {
        exec(List.of(bin.resolve("pg_ctl").toString(), "-D", dir.resolve("data").toString(), "-l", dir.resolve("server.log").toString(), "-w",
                "-t", "60", "-o", "-p " + port + " -k " + dir + " -c listen_addresses=127.0.0.1 -c fsync=off "
                        + "-c synchronous_commit=off -c full_page_writes=off -c max_connections=200", "start"), true);
    }

    /** Stops the server at once, keeping its folder: {@link #restart} starts it again on the same port (outage tests). */
    public synchronized void pause() throws IOException {
        exec(List.of(bin.resolve("pg_ctl").toString(), "-D", dir.resolve("data").toString(), "-m", "immediate", "-w", "stop"), true);
    }

    /** Starts a server {@link #pause}d before, on the same port, with its databases. */
    public synchronized void restart() throws IOException {
        startServer();
    }

    private Connection connect(String db) throws SQLException {
        return DriverManager.getConnection("jdbc:postgresql://127.0.0.1:" + port + "/" + db, "postgres", "");
    }

    public int port() { return port; }

    private static LocalPostgres shared;

    /**
     * A new empty database for a test: on the server {@code SPARSELAB_TEST_PG_URL} names (its user must be allowed to
     * create databases), else on one throwaway server per JVM, started on first use.
     */
    public static synchronized String testDatabase() {
        String external = System.getenv("SPARSELAB_TEST_PG_URL");
        if (external != null && !external.isBlank()) {
            Backend b = Backend.parse(external, true);
            String name = "t_" + UUID.randomUUID().toString().replace("-", "").substring(0, 12);
            try (Connection c = DriverManager.getConnection(b.jdbcUrl(), b.user(), b.password()); Statement st = c.createStatement()) {
                st.execute("CREATE DATABASE " + name);
            } catch (SQLException e) {
                throw new IllegalStateException("SPARSELAB_TEST_PG_URL: cannot create a test database: " + e.getMessage(), e);
            }
            return b.display().substring(0, b.display().lastIndexOf('/') + 1) + name;
        }
        if (shared == null) shared = start();
        return shared.newDatabase();
    }

    /**
     * Opens the PostgreSQL log {@code db} with a pool that waits {@code ms} for a connection instead of the default 15 s
     * ({@link EventLog#PG_POOL_WAIT_PROPERTY}): for the outage tests, which stop a server under a log, each read then
     * waiting for the pool once.
     */
    public static EventLog openWithPoolWait(String db, int ms) {
        System.setProperty(EventLog.PG_POOL_WAIT_PROPERTY, Integer.toString(ms));
        try {
            return EventLog.open(db);
        } finally {
            System.clearProperty(EventLog.PG_POOL_WAIT_PROPERTY);
        }
    }

    /** Creates a new, empty database and returns its URL ({@code postgresql://postgres@127.0.0.1:PORT/NAME}). */
    public String newDatabase() {
        String name = "t_" + UUID.randomUUID().toString().replace("-", "").substring(0, 12);
        try (Connection c = connect("postgres"); Statement st = c.createStatement()) {
            st.execute("CREATE DATABASE " + name);
        } catch (SQLException e) {
            throw new IllegalStateException("cannot create a database: " + e.getMessage(), e);
        }
        return "postgresql://postgres@127.0.0.1:" + port + "/" + name;
    }

    /** Stops the server at once and deletes its folder. */
    @Override
    public synchronized void close() {
        if (stopped) return;
        stopped = true;
        try {
            exec(List.of(bin.resolve("pg_ctl").toString(), "-D", dir.resolve("data").toString(), "-m", "immediate", "-w", "stop"), true);
        } catch (IOException | RuntimeException e) {
            LOG.debug("stopping the PostgreSQL server: {}", e.getMessage());
        }
        try (Stream<Path> s = Files.walk(dir)) {
            s.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException e) {
            LOG.debug("deleting {}: {}", dir, e.getMessage());
        }
    }

    private void exec(List<String> cmd, boolean asPostgres) throws IOException {
        List<String> full = new ArrayList<>();
        if (asPostgres && root) full.addAll(List.of("runuser", "-u", "postgres", "--"));
        full.addAll(cmd);
        ProcessBuilder pb = new ProcessBuilder(full).redirectErrorStream(true).directory(dir.toFile());
        Process p = pb.start();
        String out = new String(p.getInputStream().readAllBytes());
        try {
            if (!p.waitFor(120, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                throw new IllegalStateException(String.join(" ", cmd) + " did not finish in 120 s");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        }
        if (p.exitValue() != 0) throw new IllegalStateException(String.join(" ", full) + " failed (" + p.exitValue() + "): " + out.trim());
    }
}
