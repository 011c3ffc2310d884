package sparselab.runs;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.HashSet;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * The environment a training JVM needs before ND4J's native code loads: the bundled OpenBLAS does not recognise
 * recent CPUs and must be told a core type, but only one whose instructions the CPU has; and the threads, all cores
 * for the products and one for libnd4j's element-wise loops (docs/performance.md has the measurements).
 */
public final class NativeEnv {
    /**
     * JVM flags of every trainer process (and the launcher's default): G1 gives back heap it does not need (at most 30%
     * free after a collection, and a collection after 3 idle seconds), so resident memory follows the live data. A
     * {@code ufldl} run holds ~85 MB of live heap, but without these G1 grew the heap to 0.6-1.4 GB between checkpoints
     * (28.4 MB each), more so on a loaded machine: peak resident memory of 60 iterations 0.80-0.82 GB against 0.53-0.55
     * GB with them (docs/performance.md, Memory). GCTimeRatio=1: G1 grows the heap only while collections take over half
     * the time. Until the JIT has compiled the vector loops ({@code sparselab.model.VectorLoops}), their vectors are
     * objects, and at G1's default ratio that first minute's garbage grew the heap by 100-200 MB.
     * G1ExpandByPercentOfAvailable=2 (an experimental flag, hence the unlock before it): while the heap is small beside
     * its limit, G1 takes a few per cent of the time in collections as a reason to grow it, and grows it each time by a
     * fifth of what it has not yet committed (by default). With a 3 GB limit, a {@code ufldl} run's first seconds grew
     * its heap to 260-300 MB committed, against 140 MB with a 512 MB limit; steps of 2% keep it at 160-190 MB without
     * lowering the limit that large runs need. Peak resident memory of such a run through the launcher (3 GB), runs
     * alternating with and without the flag: 545-555 MB against 592-651 MB in five pairs, but no difference one could
     * see in four pairs half an hour later (522-610 against 548-605 MB). The trainer processes' 2 GB limit was not
     * measured apart.
     */
    public static final java.util.List<String> HEAP_SHAPING =
            java.util.List.of("-XX:MaxHeapFreeRatio=30", "-XX:MinHeapFreeRatio=10", "-XX:G1PeriodicGCInterval=3000", "-XX:GCTimeRatio=1",
                    "-XX:+UnlockExperimentalVMOptions", "-XX:G1ExpandByPercentOfAvailable=2");

    /**
     * JVM flags of every JVM that trains (the trainer processes, and the launcher's training commands): the JDK's
     * vector module, in which the element-wise work of a step runs 5-10x faster than in libnd4j's ops
     * ({@code sparselab.model.Elementwise}; docs/performance.md). The JVM notes the module on stderr once, at start.
     */
    public static final java.util.List<String> VECTOR_MODULE = java.util.List.of("--add-modules", sparselab.model.Elementwise.MODULE);

    private NativeEnv() {}

    /**
     * JVM flags of every trainer process: the products' OpenBLAS as this JVM loads it. The launcher and the tests load
     * a newer OpenBLAS than nd4j-native's from a folder of the build ({@code target/openblas-VERSION}: JavaCPP looks in
     * {@code java.library.path} first with {@code pathsFirst}); a child gets the same folder, so that it multiplies as
     * its parent does. Nothing when this JVM loads the bundled one.
     */
    public static java.util.List<String> openblasFlags() {
        if (!Boolean.getBoolean("org.bytedeco.javacpp.pathsFirst")) return java.util.List.of();
        return java.util.List.of("-Djava.library.path=" + System.getProperty("java.library.path"), "-Dorg.bytedeco.javacpp.pathsFirst=true");
    }

    /** {@link #openblasConfig()}, read once: the libraries a JVM has loaded do not change. */
    private static volatile String openblas;

    /**
     * The OpenBLAS this JVM multiplies with, as the library files JavaCPP loaded say it ("OpenBLAS 0.3.31"; 0.3.19 and
     * 0.3.31 both hold that version string), a file's path where one holds none; both files JavaCPP loads (libopenblas
     * and the copy it makes for the BLAS-only binding) are read, and named apart when they differ. Read once per JVM
     * (each run's started event asks; the files are tens of MB); loads ND4J's native code when not loaded yet.
     */
    public static String openblasConfig() {
        String known = openblas;
        if (known != null) return known;
        org.nd4j.linalg.factory.Nd4j.getBackend();
        java.util.Set<String> said = new java.util.LinkedHashSet<>();
        for (String f : org.bytedeco.javacpp.Loader.getLoadedLibraries().values()) {
            if (f == null || !Path.of(f).getFileName().toString().startsWith("libopenblas")) continue;
            String v = versionIn(Path.of(f));
            said.add(v != null ? v : f);
        }
        openblas = said.isEmpty() ? "unknown" : String.join("; ", said);
        return openblas;
    }

    /** The "OpenBLAS x.y.z" a library file holds (its version string), or null when it holds none. */
    static String versionIn(Path file) {
        try (java.nio.channels.FileChannel ch = java.nio.channels.FileChannel.open(file)) {
            java.nio.MappedByteBuffer b = ch.map(java.nio.channels.FileChannel.MapMode.READ_ONLY, 0, ch.size());
            byte[] key = "OpenBLAS 0.".getBytes(java.nio.charset.StandardCharsets.US_ASCII);
            for (int i = 0, n = b.limit() - key.length - 16; i < n; i++) {
                int k = 0;
                while (k < key.length && b.get(i + k) == key[k]) k++;
                if (k < key.length) continue;
                StringBuilder v = new StringBuilder("OpenBLAS 0.");
                for (int j = i + key.length; j < b.limit() && (Character.isDigit(b.get(j)) || b.get(j) == '.'); j++) v.append((char) b.get(j));
                return v.toString();
            }
        } catch (IOException | RuntimeException e) {
            // said by the file's path
        }
        return null;
    }

    /** The version of the OpenBLAS the build unpacks into target/openblas-VERSION (the pom's openblas.products.version, "0.3.31-1.5.13"). */
    public static String productsVersion() {
        try (var in = NativeEnv.class.getResourceAsStream("/sparselab/openblas.properties")) {
            java.util.Properties p = new java.util.Properties();
            if (in != null) p.load(in);
            return p.getProperty("products.version", "unknown");
        } catch (IOException e) {
            return "unknown";
        }
    }

    /** The OpenBLAS core type for this CPU from /proc/cpuinfo flags, if one is known to be safe and faster. */
    public static Optional<String> coreTypeFor(Set<String> cpuFlags) {
        if (cpuFlags.containsAll(Set.of("avx512f", "avx512bw", "avx512vl", "avx512dq"))) return Optional.of("SkylakeX");
        if (cpuFlags.containsAll(Set.of("avx2", "fma"))) return Optional.of("Haswell");
        return Optional.empty();
    }

    /** The flags of the first processor in /proc/cpuinfo; empty where there is no such file. */
    public static Set<String> cpuFlags() {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/cpuinfo"))) {
                if (line.startsWith("flags")) {
                    return new HashSet<>(Arrays.asList(line.substring(line.indexOf(':') + 1).trim().split("\\s+")));
                }
            }
        } catch (IOException e) {
            return Set.of();
        }
        return Set.of();
    }

    /**
     * Set to 1 by the launcher where it chose {@code OMP_NUM_THREADS} itself (every core) because the user had not: a
     * pool or worker that trains several runs at once may then share the cores out among them instead.
     */
    public static final String THREADS_DEFAULTED = "SPARSELAB_OMP_DEFAULT";

    /**
     * Sets, in a child's environment, each of these that the user has not set: OPENBLAS_CORETYPE for this CPU,
     * OMP_NUM_THREADS = the cores (the OpenBLAS that ND4J loads takes its own threads' count from it: this is the products'
     * thread count) and SD_MASTER_THREADS = 1 (libnd4j's element-wise loops on one thread: on two cores a second thread only
     * contends with BLAS's threads, batch 100 measured 2-20x slower with it).
     */
    public static void prepare(Map<String, String> childEnv) {
        prepare(childEnv, 1);
    }

    /**
     * As {@link #prepare(Map)}, for one of {@code atOnce} trainers that may run at once on this machine (a pool's): the
     * products' threads are the cores shared out, {@link #threadsEach}, unless the user set OMP_NUM_THREADS.
     */
    public static void prepare(Map<String, String> childEnv, int atOnce) {
        if (isUnset(childEnv.get("OPENBLAS_CORETYPE"))) {
            coreTypeFor(cpuFlags()).ifPresent(t -> childEnv.put("OPENBLAS_CORETYPE", t));
        }
        if (threadsAreOurs(childEnv)) {                 // marked as ours in the child too: a worker's slots may share them out
            childEnv.put("OMP_NUM_THREADS", Integer.toString(threadsEach(cores(), atOnce)));
            childEnv.put(THREADS_DEFAULTED, "1");
        }
        if (isUnset(childEnv.get("SD_MASTER_THREADS"))) childEnv.put("SD_MASTER_THREADS", "1");
    }

    /**
     * The products' threads of each of {@code atOnce} trainers on {@code cores} cores: the cores shared out, at least one
     * each (as joblib's workers and Ray's do). Two trainers on two cores each with both cores' OpenBLAS threads ran 4.4-4.9x
     * slower each at batch 32 and 100 than each with one (docs/performance.md, several trainers at once).
     */
    public static int threadsEach(int cores, int atOnce) {
        return Math.max(1, cores / Math.max(1, atOnce));
    }

    /** Whether the products' thread count in {@code env} is not the user's: OMP_NUM_THREADS unset, or set by the launcher. */
    public static boolean threadsAreOurs(Map<String, String> env) {
        return isUnset(env.get("OMP_NUM_THREADS")) || "1".equals(env.get(THREADS_DEFAULTED));
    }

    /** The processors this JVM may use. */
    public static int cores() {
        return Runtime.getRuntime().availableProcessors();
    }

    private static boolean isUnset(String v) {
        return v == null || v.isBlank();
    }

    /**
     * One line for the user when OPENBLAS_CORETYPE (a preset of the environment, say) names a weaker core than this
     * CPU can run, or is unset so that the bundled OpenBLAS picks its own; empty when the type in use is the one
     * suggested for this CPU, or when none is known to be safe here. Printed by train, sweep and ladder (when they train
     * here), demo, serve, worker and bench, each once its input is checked.
     */
    public static Optional<String> coreTypeNote() {
        return coreTypeNote(System.getenv("OPENBLAS_CORETYPE"), coreTypeFor(cpuFlags()));
    }

    public static Optional<String> coreTypeNote(String inUse, Optional<String> suggested) {
        if (suggested.isEmpty() || (!isUnset(inUse) && inUse.trim().equalsIgnoreCase(suggested.get()))) return Optional.empty();
        String best = suggested.get();
        if (!isUnset(inUse) && !KNOWN.contains(inUse.trim().toUpperCase(java.util.Locale.ROOT))) {
            return Optional.of("note: OPENBLAS_CORETYPE=" + inUse.trim() + " is not a core type OpenBLAS knows, so it picks its own, older "
                    + "than this CPU; float32 products run about 1.5-5x slower than with OPENBLAS_CORETYPE=" + best);
        }
        if (!isUnset(inUse) && tier(inUse) > tier(best)) {
            return Optional.of("note: OPENBLAS_CORETYPE=" + inUse.trim() + " names instructions this CPU may lack (it can run " + best
                    + "): expect wrong results or a crash; unset it or set OPENBLAS_CORETYPE=" + best);
        }
        String what = isUnset(inUse) ? "OPENBLAS_CORETYPE is unset, so the bundled OpenBLAS picks a core type older than this CPU"
                : "OPENBLAS_CORETYPE=" + inUse.trim() + " is weaker than this CPU, which can run " + best;
        return Optional.of("note: " + what + "; float32 products run about 1.5-5x slower than with OPENBLAS_CORETYPE=" + best
                + " (compare ./sparselab bench with both)");
    }

    /** The core types the dynamic OpenBLAS accepts in OPENBLAS_CORETYPE (any case); it ignores any other value. */
    private static final java.util.Set<String> KNOWN = java.util.Set.of("KATMAI", "COPPERMINE", "NORTHWOOD", "PRESCOTT", "BANIAS",
            "ATOM", "CORE2", "PENRYN", "DUNNINGTON", "NEHALEM", "ATHLON", "OPTERON", "OPTERON_SSE3", "BARCELONA", "NANO",
            "SANDYBRIDGE", "BULLDOZER", "PILEDRIVER", "HASWELL", "STEAMROLLER", "EXCAVATOR", "ZEN", "SKYLAKEX", "COOPERLAKE",
            "SAPPHIRERAPIDS");

    /** 3: AVX-512 kernels, 2: AVX2 kernels, 1: older. */
    private static int tier(String coreType) {
        return switch (coreType.trim().toUpperCase(java.util.Locale.ROOT)) {
            case "SKYLAKEX", "COOPERLAKE", "SAPPHIRERAPIDS" -> 3;
            case "HASWELL", "ZEN" -> 2;
            default -> 1;
        };
    }

    /** The core type this JVM runs with, as its environment says ("auto" when unset). */
    public static String coreTypeInUse() {
        String t = System.getenv("OPENBLAS_CORETYPE");
        return t == null || t.isBlank() ? "auto" : t;
    }
}
