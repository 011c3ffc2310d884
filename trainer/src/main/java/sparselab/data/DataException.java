package sparselab.data;

import java.nio.file.Path;
import java.util.Optional;

/**
 * A data set could not be loaded or fetched. The message starts with {@code data:}, names the file (when there is
 * one) and says what is wrong, e.g. {@code data: /x/y.idx: truncated: expected 7840016 bytes, found 1000}.
 */
public final class DataException extends RuntimeException {
    private final transient Path file;

    /** A problem with one file. */
    public DataException(Path file, String problem) {
        this(file, problem, null);
    }

    /** A problem with one file, caused by {@code cause} (kept for the log, not needed to understand the message). */
    public DataException(Path file, String problem, Throwable cause) {
        super("data: " + file + ": " + problem, cause);
        this.file = file;
    }

    /** A problem that concerns no single file (an unknown data set, npm missing). */
    public DataException(String problem) {
        this(problem, null);
    }

    public DataException(String problem, Throwable cause) {
        super("data: " + problem, cause);
        this.file = null;
    }

    /**
     * Why a file operation failed, in words and without Java's class names: "Not a directory: /data/mnist",
     * "permission denied: /data/mnist", "/data: is a file, not a folder" (a data folder that names a file).
     */
    public static String reason(java.io.IOException e) {
        if (e instanceof java.nio.file.FileSystemException f && f.getFile() != null) {
            if (f instanceof java.nio.file.AccessDeniedException) return "permission denied: " + f.getFile();
            // what stands where a folder should be is a file: the data folder ($SPARSELAB_DATA) names a file
            Path target = Path.of(f.getFile());
            for (Path p = target; p != null; p = p.getParent()) {
                if (java.nio.file.Files.isDirectory(p)) break;
                if (java.nio.file.Files.isRegularFile(p) && (!p.equals(target) || f instanceof java.nio.file.FileAlreadyExistsException)) {
                    return p + " is a file, not a folder";
                }
            }
            if (f instanceof java.nio.file.NoSuchFileException) return "no such file or folder: " + f.getFile();
            return (f.getReason() == null ? "refused by the system" : f.getReason()) + ": " + f.getFile();
        }
        return e.getMessage() == null ? "an input/output error" : e.getMessage();
    }

    /** The file at fault, when the problem is with one file. */
    public Optional<Path> file() { return Optional.ofNullable(file); }
}
