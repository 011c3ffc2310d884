package sparselab.config;

import java.util.List;
import java.util.stream.Collectors;

/** A configuration was refused; each error names the key (or file) at fault. Nothing has been written. */
public final class ConfigException extends RuntimeException {
    /** One refused field: the configuration key (or {@code "file"}, {@code "preset"}) and why. */
    public record FieldError(String key, String message) {
        @Override public String toString() { return key + ": " + message; }
    }

    private final List<FieldError> errors;

    public ConfigException(List<FieldError> errors) {
        super(errors.stream().map(FieldError::toString).collect(Collectors.joining("; ")));
        this.errors = List.copyOf(errors);
    }

    public ConfigException(String key, String message) {
        this(List.of(new FieldError(key, message)));
    }

    public List<FieldError> errors() { return errors; }
}
