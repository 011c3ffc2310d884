package sparselab.model;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Arrays;

/**
 * Everything needed to continue training exactly where it stopped, at an epoch boundary.
 *
 * <p>{@link #toBytes()} layout, all little-endian:
 * <pre>
 *   bytes 0..3   magic "SLMS"
 *   int32        format version (1)
 *   int32        dim d
 *   int32        hidden H
 *   int32        epoch (the last epoch trained)
 *   int64        iteration (updates applied so far)
 *   float64      firstEpochLoss (NaN when no epoch was trained)
 *   int32 n, then n float64   params, flat layout [W1 (H x d) | W2 (d x H) | b1 (H) | b2 (d)], row-major
 *   int32 n, then n float64   updater state (ND4J's state view, layout of the updater)
 *   int32 n, then n float64   rho_hat (H)
 * </pre>
 * Values are stored as float64 so that a float32 model round-trips exactly.
 */
public record ModelState(int dim, int hidden, int epoch, long iteration, double firstEpochLoss,
                         double[] params, double[] updaterState, double[] rhoHat) {
    private static final int MAGIC = 0x534D4C53; // "SLMS" read little-endian
    private static final int VERSION = 1;

    public byte[] toBytes() {
        int size = 4 + 4 + 4 + 4 + 4 + 8 + 8 + 3 * 4 + 8 * (params.length + updaterState.length + rhoHat.length);
        ByteBuffer b = ByteBuffer.allocate(size).order(ByteOrder.LITTLE_ENDIAN);
        b.putInt(MAGIC).putInt(VERSION).putInt(dim).putInt(hidden).putInt(epoch).putLong(iteration).putDouble(firstEpochLoss);
        for (double[] a : new double[][] {params, updaterState, rhoHat}) {
            b.putInt(a.length);
            for (double v : a) b.putDouble(v);
        }
        return b.array();
    }

    public static ModelState fromBytes(byte[] bytes) {
        ByteBuffer b = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN);
        if (bytes.length < 36 || b.getInt() != MAGIC) throw new IllegalArgumentException("not a sparselab model state (bad magic)");
        int version = b.getInt();
        if (version != VERSION) throw new IllegalArgumentException("unsupported model state version " + version);
        int dim = b.getInt(), hidden = b.getInt(), epoch = b.getInt();
        long iteration = b.getLong();
        double first = b.getDouble();
        double[][] arrays = new double[3][];
        for (int k = 0; k < 3; k++) {
            int n = b.getInt();
            if (n < 0 || n > b.remaining() / 8) throw new IllegalArgumentException("truncated model state");
            arrays[k] = new double[n];
            for (int i = 0; i < n; i++) arrays[k][i] = b.getDouble();
        }
        return new ModelState(dim, hidden, epoch, iteration, first, arrays[0], arrays[1], arrays[2]);
    }

    @Override public boolean equals(Object o) {
        return o instanceof ModelState s && dim == s.dim && hidden == s.hidden && epoch == s.epoch && iteration == s.iteration
                && Double.compare(firstEpochLoss, s.firstEpochLoss) == 0 && Arrays.equals(params, s.params)
                && Arrays.equals(updaterState, s.updaterState) && Arrays.equals(rhoHat, s.rhoHat);
    }

    @Override public int hashCode() {
        return Arrays.hashCode(params) * 31 + Long.hashCode(iteration);
    }

    @Override public String toString() {
        return "ModelState[d=" + dim + ", H=" + hidden + ", epoch=" + epoch + ", iteration=" + iteration + "]";
    }
}
