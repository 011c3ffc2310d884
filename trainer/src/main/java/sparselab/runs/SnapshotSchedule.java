package sparselab.runs;

/** Which epochs get a weight snapshot: always 0 and the last; {@code log2} adds 1, 2, 4, 8, ...; N adds every Nth. */
public record SnapshotSchedule(String spec, int lastEpoch) {
    public boolean at(int epoch) {
        if (epoch == 0 || epoch == lastEpoch) return true;
        if (spec.equals("log2")) return Integer.bitCount(epoch) == 1;
        return epoch % Integer.parseInt(spec) == 0;
    }
}
