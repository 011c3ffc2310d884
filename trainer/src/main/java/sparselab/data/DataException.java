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

    /** The file at fault, when the problem is with one file. */
    public Optional<Path> file() { return Optional.ofNullable(file); }
}
