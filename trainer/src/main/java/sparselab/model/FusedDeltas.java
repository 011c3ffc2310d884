package sparselab.model;

import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import sparselab.config.Choices.Activation;

import java.nio.DoubleBuffer;
import java.nio.FloatBuffer;

/**
 * The element-wise work of the full-batch objective after the products, one pass each, with the sums in float64.
 *
 * <p>With ND4J ops the output delta {@code d3 = (Y - X) * g'(Y)} and the squared error take five passes over the
 * n x d arrays ({@code sub}, a reduction, {@code rsub}, two {@code muli}) and the reduction sums in float32; the
 * hidden delta {@code d2 = (d2 + sp) * f'(A)} takes four over n x H. ND4J has no op that fuses them, so they are
 * plain loops over the arrays' buffers here: one read of each input, one write, the sum in a double (measured on
 * 9 chunks of 1000 x 784: 14-30 ms against 38-44 ms for the ND4J sequence). The derivatives are taken from the
 * activation's value: sigmoid' = a (1 - a), tanh' = 1 - a^2, relu' = [a &gt; 0], identity' = 1.
 *
 * <p>All arrays are c-ordered and contiguous, except X, which is read as {@code rows} rows of {@code cols} values
 * at {@code xOffset + r * xStride} (the full batch's X+^T, a row per pixel, with its row of ones after them).
 */
final class FusedDeltas {
    private FusedDeltas() {}

    /**
     * d3 &lt;- (y - x) * g'(y); returns sum (y - x)^2 in float64.
     */
    static double squaredLoss(Activation g, INDArray y, INDArray x, long xOffset, int xStride, INDArray d3, int rows, int cols) {
        if (y.dataType() == DataType.FLOAT) {
            FloatBuffer yb = floats(y), xb = floats(x), db = floats(d3);
            double sum = 0;
            for (int r = 0; r < rows; r++) {
                int o = r * cols;
                int xo = Math.toIntExact(xOffset + (long) r * xStride);
                for (int c = 0; c < cols; c++) {
                    float yi = yb.get(o + c), e = yi - xb.get(xo + c);
                    sum += (double) e * e;
                    db.put(o + c, e * derivative(g, yi));
                }
            }
            return sum;
        }
        DoubleBuffer yb = doubles(y), xb = doubles(x), db = doubles(d3);
        double sum = 0;
        for (int r = 0; r < rows; r++) {
            int o = r * cols;
            int xo = Math.toIntExact(xOffset + (long) r * xStride);
            for (int c = 0; c < cols; c++) {
                double yi = yb.get(o + c), e = yi - xb.get(xo + c);
                sum += e * e;
                db.put(o + c, e * derivative(g, yi));
            }
        }
        return sum;
    }

    /**
     * Sigmoid output with cross-entropy: d3 &lt;- y - x; returns sum [softplus(z) - x z] in float64, given
     * {@code softplus} = softplus(z) already computed.
     */
    static double crossEntropy(INDArray softplus, INDArray z, INDArray y, INDArray x, long xOffset, int xStride, INDArray d3,
                               int rows, int cols) {
        double sum = 0;
        if (y.dataType() == DataType.FLOAT) {
            FloatBuffer sb = floats(softplus), zb = floats(z), yb = floats(y), xb = floats(x), db = floats(d3);
            for (int r = 0; r < rows; r++) {
                int o = r * cols;
                int xo = Math.toIntExact(xOffset + (long) r * xStride);
                for (int c = 0; c < cols; c++) {
                    float xi = xb.get(xo + c);
                    sum += (double) sb.get(o + c) - (double) xi * zb.get(o + c);
                    db.put(o + c, yb.get(o + c) - xi);
                }
            }
            return sum;
        }
        DoubleBuffer sb = doubles(softplus), zb = doubles(z), yb = doubles(y), xb = doubles(x), db = doubles(d3);
        for (int r = 0; r < rows; r++) {
            int o = r * cols;
            int xo = Math.toIntExact(xOffset + (long) r * xStride);
            for (int c = 0; c < cols; c++) {
                double xi = xb.get(xo + c);
                sum += sb.get(o + c) - xi * zb.get(o + c);
                db.put(o + c, yb.get(o + c) - xi);
            }
        }
        return sum;
    }

    /** d2 &lt;- (d2 + sp) * f'(a), row by row; {@code sp} has one entry per row (null: no sparse term). */
    static void hiddenByRow(Activation f, INDArray a, double[] sp, INDArray d2, int rows, int cols) {
        if (a.dataType() == DataType.FLOAT) {
            FloatBuffer ab = floats(a), db = floats(d2);
            for (int r = 0; r < rows; r++) {
                int o = r * cols;
                float s = sp != null ? (float) sp[r] : 0f;
                for (int c = 0; c < cols; c++) db.put(o + c, (db.get(o + c) + s) * derivative(f, ab.get(o + c)));
            }
            return;
        }
        DoubleBuffer ab = doubles(a), db = doubles(d2);
        for (int r = 0; r < rows; r++) {
            int o = r * cols;
            double s = sp != null ? sp[r] : 0;
            for (int c = 0; c < cols; c++) db.put(o + c, (db.get(o + c) + s) * derivative(f, ab.get(o + c)));
        }
    }

    /** f' from f's value (shared with {@link VectorLoops}' scalar tails). */
    static float derivative(Activation f, float a) {
        return switch (f) {
            case SIGMOID -> a * (1 - a);
            case TANH -> 1 - a * a;
            case RELU -> a > 0 ? 1f : 0f;
            case IDENTITY -> 1f;
        };
    }

    private static double derivative(Activation f, double a) {
        return switch (f) {
            case SIGMOID -> a * (1 - a);
            case TANH -> 1 - a * a;
            case RELU -> a > 0 ? 1 : 0;
            case IDENTITY -> 1;
        };
    }

    private static FloatBuffer floats(INDArray a) {
        check(a);
        return a.data().asNioFloat();
    }

    private static DoubleBuffer doubles(INDArray a) {
        check(a);
        return a.data().asNioDouble();
    }

    /** The buffers are read from element 0: the arrays must be whole, c-ordered buffers (not views). */
    private static void check(INDArray a) {
        if (a.isView() || a.ordering() != 'c' || a.offset() != 0) {
            throw new IllegalArgumentException("a whole c-ordered array is needed, got " + a.shapeInfoToString());
        }
    }
}
