package sparselab.launch;

/** A launch was refused because the queue already holds the most runs allowed; nothing was written. */
public final class QueueFullException extends RuntimeException {
    public QueueFullException(String message) { super(message); }
}
