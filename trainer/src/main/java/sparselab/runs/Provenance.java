package sparselab.runs;

import java.util.LinkedHashMap;
import java.util.Map;

/** Where and with what a run was trained (Tribuo's ModelProvenance, as flat strings). */
public final class Provenance {
    private Provenance() {}

    /** sparselab's version: what {@code --version} prints and each run's provenance records as {@code codeVersion}. */
    public static final String VERSION = "0.1.0";

    public static Map<String, String> current() {
        Map<String, String> p = new LinkedHashMap<>();
        p.put("codeVersion", VERSION);
        String commit = System.getenv("SPARSELAB_COMMIT");
        if (commit != null && !commit.isBlank()) p.put("commit", commit);
        p.put("java", System.getProperty("java.version") + " (" + System.getProperty("java.vendor") + ")");
        p.put("nd4j", "1.0.0-M2.1");
        p.put("os", System.getProperty("os.name") + " " + System.getProperty("os.version") + " " + System.getProperty("os.arch"));
        p.put("cpus", Integer.toString(Runtime.getRuntime().availableProcessors()));
        p.put("ompThreads", envOr("OMP_NUM_THREADS", "default"));
        p.put("openblasCoreType", NativeEnv.coreTypeInUse());
        return p;
    }

    /**
     * {@link #current()} of a process that trains, with the OpenBLAS its products run on ({@code openblas}:
     * {@link NativeEnv#openblasConfig()}, "OpenBLAS 0.3.31"), for a run's {@code started} event.
     */
    public static Map<String, String> ofTrainer() {
        Map<String, String> p = current();
        p.put("openblas", NativeEnv.openblasConfig());
        return p;
    }

    /** This machine's name (looked up once). */
    public static String host() {
        return sparselab.log.ThisHost.NAME;
    }

    /**
     * The products' threads of a run trained in this JVM ({@code ProductThreads.all()}: OMP_NUM_THREADS when set,
     * otherwise OpenBLAS's default as ND4J sets it, the physical cores; shared out among a worker's slots).
     */
    public static int threads() {
        return sparselab.model.ProductThreads.all();
    }

    private static String envOr(String name, String def) {
        String v = System.getenv(name);
        return v == null || v.isBlank() ? def : v;
    }
}
