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
 *   int32        format version (1, or 2 when there is an optimizer state)
 *   int32        dim d
 *   int32        hidden H
 *   int32        epoch (the last epoch trained)
 *   int64        iteration (updates applied so far)
 *   float64      firstEpochLoss (NaN when no epoch was trained)
 *   int32 n, then n float64   params, flat layout [W1 (H x d) | W2 (d x H) | b1 (H) | b2 (d)], row-major
 *   int32 n, then n float64   updater state (ND4J's state view, layout of the updater)
 *   int32 n, then n float64   rho_hat (H)
 *   version 2 only:
 *   int32 n, then n bytes     optimizer state: an opaque blob of an optimizer that is not an ND4J updater
 *                             (optimizer=lbfgs: {@link FullBatchTrainer#saveState()})
 * </pre>
 * Values are stored as float64 so that a float32 model round-trips exactly. A state without an optimizer blob is
 * written as version 1, byte for byte as before, so that older readers keep reading the checkpoints of the other
 * optimizers; both versions are read.
 *
 * @param optimizerState the optimizer's own state; empty when the optimizer keeps none outside {@code updaterState}
 */
public record ModelState(int dim, int hidden, int epoch, long iteration, double firstEpochLoss,
                         double[] params, double[] updaterState, double[] rhoHat, byte[] optimizerState) {
    private static final int MAGIC = 0x534D4C53; // "SLMS" read little-endian
    private static final int VERSION_1 = 1;
    private static final int VERSION_2 = 2;

    public ModelState {
        optimizerState = optimizerState == null ? new byte[0] : optimizerState;
    }

    /** A state without an optimizer blob (the ND4J updaters keep theirs in {@code updaterState}). */
    public ModelState(int dim, int hidden, int epoch, long iteration, double firstEpochLoss,
                      double[] params, double[] updaterState, double[] rhoHat) {
        this(dim, hidden, epoch, iteration, firstEpochLoss, params, updaterState, rhoHat, new byte[0]);
    }

    /** This state with {@code blob} as its optimizer state. */
    public ModelState withOptimizerState(byte[] blob) {
        return new ModelState(dim, hidden, epoch, iteration, firstEpochLoss, params, updaterState, rhoHat, blob);
    }

    public byte[] toBytes() {
        return write(optimizerState.length, b -> b.put(optimizerState));
    }

    /**
     * {@link #toBytes()} of this state with an optimizer state that {@code optimizer} writes, {@code optimizerBytes}
     * long, straight into the one buffer; this state must carry none of its own. A checkpoint of a 196-unit L-BFGS
     * model is 28 MB, and this spares the trainer's peak memory a second copy of the optimizer's 26 MB.
     */
    public byte[] toBytes(int optimizerBytes, java.util.function.Consumer<ByteBuffer> optimizer) {
        if (optimizerState.length > 0) throw new IllegalStateException("this state already carries an optimizer state");
        return write(optimizerBytes, optimizer);
    }

    /** The bytes, version 2 with the optimizer's when {@code optimizerBytes} > 0, else version 1. */
    private byte[] write(int optimizerBytes, java.util.function.Consumer<ByteBuffer> optimizer) {
        boolean v2 = optimizerBytes > 0;
        long size = 4 + 4 + 4 + 4 + 4 + 8 + 8 + 3 * 4 + 8L * (params.length + updaterState.length + rhoHat.length)
                + (v2 ? 4L + optimizerBytes : 0);
        if (size > Integer.MAX_VALUE - 64) throw new IllegalStateException("model state of " + size + " bytes is too large to save");
        ByteBuffer b = ByteBuffer.allocate((int) size).order(ByteOrder.LITTLE_ENDIAN);
        b.putInt(MAGIC).putInt(v2 ? VERSION_2 : VERSION_1).putInt(dim).putInt(hidden).putInt(epoch).putLong(iteration)
                .putDouble(firstEpochLoss);
        for (double[] a : new double[][] {params, updaterState, rhoHat}) {
            b.putInt(a.length);
            b.asDoubleBuffer().put(a);
            b.position(b.position() + 8 * a.length);
        }
        if (v2) {
            b.putInt(optimizerBytes);
            int start = b.position();
            optimizer.accept(b);
            if (b.position() - start != optimizerBytes) {
                throw new IllegalStateException("the optimizer wrote " + (b.position() - start) + " bytes, not " + optimizerBytes);
            }
        }
        return b.array();
    }

    public static ModelState fromBytes(byte[] bytes) {
        ByteBuffer b = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN);
        if (bytes.length < 36 || b.getInt() != MAGIC) throw new IllegalArgumentException("not a sparselab model state (bad magic)");
        int version = b.getInt();
        if (version != VERSION_1 && version != VERSION_2) throw new IllegalArgumentException("unsupported model state version " + version);
        int dim = b.getInt(), hidden = b.getInt(), epoch = b.getInt();
        long iteration = b.getLong();
        double first = b.getDouble();
        double[][] arrays = new double[3][];
        for (int k = 0; k < 3; k++) {
            int n = b.remaining() >= 4 ? b.getInt() : -1;
            if (n < 0 || n > b.remaining() / 8) throw new IllegalArgumentException("truncated model state");
            arrays[k] = new double[n];
            for (int i = 0; i < n; i++) arrays[k][i] = b.getDouble();
        }
        byte[] optimizer = new byte[0];
        if (version == VERSION_2) {
            int n = b.remaining() >= 4 ? b.getInt() : -1;
            if (n < 0 || n > b.remaining()) throw new IllegalArgumentException("truncated model state");
            optimizer = new byte[n];
            b.get(optimizer);
        }
        if (b.hasRemaining()) throw new IllegalArgumentException("trailing bytes after the model state");
        return new ModelState(dim, hidden, epoch, iteration, first, arrays[0], arrays[1], arrays[2], optimizer);
    }

    @Override public boolean equals(Object o) {
        return o instanceof ModelState s && dim == s.dim && hidden == s.hidden && epoch == s.epoch && iteration == s.iteration
                && Double.compare(firstEpochLoss, s.firstEpochLoss) == 0 && Arrays.equals(params, s.params)
                && Arrays.equals(updaterState, s.updaterState) && Arrays.equals(rhoHat, s.rhoHat)
                && Arrays.equals(optimizerState, s.optimizerState);
    }

    @Override public int hashCode() {
        return Arrays.hashCode(params) * 31 + Long.hashCode(iteration);
    }

    @Override public String toString() {
        return "ModelState[d=" + dim + ", H=" + hidden + ", epoch=" + epoch + ", iteration=" + iteration
                + (optimizerState.length > 0 ? ", optimizer state " + optimizerState.length + " bytes" : "") + "]";
    }
}
