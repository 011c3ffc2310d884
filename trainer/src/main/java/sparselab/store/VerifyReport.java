package sparselab.store;

import java.util.List;

/**
 * What {@link EventLog#verify()} found.
 *
 * @param runs            runs checked
 * @param events          events read
 * @param blobs           blobs re-hashed
 * @param damage          damage in the log's file itself (SQLite's quick_check), and the lists the checks start from that
 *                        could not be read
 * @param badBlobs        hashes whose bytes do not match
 * @param sequenceErrors  runs whose event numbers have a gap or a repeat, or an epoch logged twice
 * @param projectionDiffs runs whose projection rows differ from a fold of their events
 * @param missingBlobs    weights and checkpoints that a run points at and whose bytes are not in the log
 */
public record VerifyReport(int runs, long events, int blobs, List<String> damage, List<String> badBlobs, List<String> sequenceErrors,
                           List<String> projectionDiffs, List<String> missingBlobs) {
    public boolean clean() { return damage.isEmpty() && badBlobs.isEmpty() && sequenceErrors.isEmpty() && projectionDiffs.isEmpty() && missingBlobs.isEmpty(); }
}
