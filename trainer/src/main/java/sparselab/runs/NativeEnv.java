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
 * The environment a training JVM needs before ND4J's native code loads (docs/performance.md): the bundled OpenBLAS
 * does not recognise recent CPUs and must be told a core type, but only one whose instructions the CPU has.
 */
public final class NativeEnv {
    private NativeEnv() {}

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
     * Sets OPENBLAS_CORETYPE and OMP_NUM_THREADS=1 in a child's environment unless the user has set them. One OpenMP
     * thread is for libnd4j's element-wise ops: on 2 cores their OpenMP threads and OpenBLAS's own threads fight
     * (batch 100 measured 2-7x slower with two); OpenBLAS keeps its own threads for the products.
     */
    public static void prepare(Map<String, String> childEnv) {
        if (childEnv.get("OPENBLAS_CORETYPE") == null || childEnv.get("OPENBLAS_CORETYPE").isBlank()) {
            coreTypeFor(cpuFlags()).ifPresent(t -> childEnv.put("OPENBLAS_CORETYPE", t));
        }
        if (childEnv.get("OMP_NUM_THREADS") == null || childEnv.get("OMP_NUM_THREADS").isBlank()) {
            childEnv.put("OMP_NUM_THREADS", "1");
        }
    }

    /** The core type this JVM runs with, as its environment says ("auto" when unset). */
    public static String coreTypeInUse() {
        String t = System.getenv("OPENBLAS_CORETYPE");
        return t == null || t.isBlank() ? "auto" : t;
    }
}
