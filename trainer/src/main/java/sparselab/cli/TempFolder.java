package sparselab.cli;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;

/**
 * A bench's temporary folder (its throwaway logs), deleted with everything in it when closed, and by a shutdown hook
 * when the JVM ends first (Ctrl-C, SIGTERM): a bench leaves nothing behind, whether it ends well, fails or is stopped.
 */
public final class TempFolder implements AutoCloseable {
    private final Path path;
    private final Thread hook;

    private TempFolder(Path path) {
        this.path = path;
        this.hook = new Thread(() -> delete(path), "temp-folder-cleanup");
        Runtime.getRuntime().addShutdownHook(hook);
    }

    /** A new folder in the system's temporary folder, its name starting with {@code prefix}. */
    public static TempFolder create(String prefix) throws IOException {
        return new TempFolder(Files.createTempDirectory(prefix));
    }

    /** A new folder in {@code parent} (a test's own folder), its name starting with {@code prefix}. */
    public static TempFolder in(Path parent, String prefix) throws IOException {
        return new TempFolder(Files.createTempDirectory(parent, prefix));
    }

    public Path path() { return path; }

    /** Deletes the folder and everything in it. */
    @Override
    public void close() {
        delete(path);
        try {
            Runtime.getRuntime().removeShutdownHook(hook);
        } catch (IllegalStateException shuttingDown) {
            // the hook runs (or ran) anyway
        }
    }

    /** Deletes {@code dir} and everything in it, as far as it can: what is gone already or not ours stays as it is. */
    public static void delete(Path dir) {
        try (var paths = Files.walk(dir)) {
            paths.sorted(Comparator.reverseOrder()).forEach(f -> f.toFile().delete());
        } catch (IOException | UncheckedIOException e) {
            // gone already, or not ours to delete: nothing more to do
        }
    }
}
