package sparselab.model;

import org.bytedeco.javacpp.DoublePointer;
import org.bytedeco.javacpp.FloatPointer;
import org.bytedeco.javacpp.Pointer;
import org.bytedeco.openblas.global.openblas_nolapack;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

import static org.bytedeco.openblas.global.openblas_nolapack.CblasNoTrans;
import static org.bytedeco.openblas.global.openblas_nolapack.CblasRowMajor;
import static org.bytedeco.openblas.global.openblas_nolapack.CblasTrans;

/**
 * The products of a training step as direct calls of the OpenBLAS that ND4J loads ({@code cblas_sgemm},
 * {@code cblas_sgemv}, {@code cblas_sger}), on the arrays' own memory. {@code Nd4j.gemm} ends in the same
 * {@code sgemm}, with the same results bit for bit, but first builds and checks a libnd4j {@code matmul} op: measured
 * at 35-60 µs a call, which was half of a batch-1 step's five products and a tenth of a batch-100 step's. A sum of
 * rows as a product of ones through {@code Nd4j.gemm} took 70-250 µs, against 1-45 µs as {@code sgemv}.
 *
 * <p>Arrays must be rank 2, c-ordered, with contiguous rows (a row-interval view is fine); others go through
 * {@code Nd4j.gemm}. The products' threads are OpenBLAS's ({@link ProductThreads}).
 */
public final class Blas {
    private Blas() {}

    /** c = alpha op(a) op(b) + beta c, as {@code Nd4j.gemm(a, b, c, transA, transB, alpha, beta)}. */
    public static void gemm(INDArray a, INDArray b, INDArray c, boolean transA, boolean transB, double alpha, double beta) {
        DataType t = c.dataType();
        if (!fits(a, t) || !fits(b, t) || !fits(c, t)) {
            Nd4j.gemm(a, b, c, transA, transB, alpha, beta);
            return;
        }
        int m = (int) (transA ? a.columns() : a.rows()), k = (int) (transA ? a.rows() : a.columns());
        int n = (int) (transB ? b.rows() : b.columns());
        if ((transB ? b.columns() : b.rows()) != k || c.rows() != m || c.columns() != n) {
            throw new IllegalArgumentException("shapes do not multiply: " + a.shapeInfoToString() + (transA ? "^T" : "") + " x "
                    + b.shapeInfoToString() + (transB ? "^T" : "") + " into " + c.shapeInfoToString());
        }
        int ta = transA ? CblasTrans : CblasNoTrans, tb = transB ? CblasTrans : CblasNoTrans;
        if (t == DataType.FLOAT) {
            openblas_nolapack.cblas_sgemm(CblasRowMajor, ta, tb, m, n, k, (float) alpha, floats(a), ld(a), floats(b), ld(b),
                    (float) beta, floats(c), ld(c));
        } else {
            openblas_nolapack.cblas_dgemm(CblasRowMajor, ta, tb, m, n, k, alpha, doubles(a), ld(a), doubles(b), ld(b),
                    beta, doubles(c), ld(c));
        }
    }

    /** target (1 x w) = alpha (sum of z's rows) + beta target; {@code ones} holds z.rows() ones (contiguous). */
    static void sumRows(INDArray z, INDArray ones, INDArray target, double alpha, double beta) {
        DataType t = z.dataType();
        if (!fits(z, t) || ones.dataType() != t || target.dataType() != t || ones.elementWiseStride() != 1 || target.elementWiseStride() != 1) {
            Nd4j.gemm(ones, z, target, false, false, alpha, beta);
            return;
        }
        int n = (int) z.rows(), w = (int) z.columns();
        if (t == DataType.FLOAT) {
            openblas_nolapack.cblas_sgemv(CblasRowMajor, CblasTrans, n, w, (float) alpha, floats(z), ld(z), floats(ones), 1,
                    (float) beta, floats(target), 1);
        } else {
            openblas_nolapack.cblas_dgemv(CblasRowMajor, CblasTrans, n, w, alpha, doubles(z), ld(z), doubles(ones), 1,
                    beta, doubles(target), 1);
        }
    }

    /** target (h x 1, contiguous) = alpha (sum of z's columns: z 1) + beta target; {@code ones} holds z.columns() ones (contiguous). */
    static void sumColumns(INDArray z, INDArray ones, INDArray target, double alpha, double beta) {
        DataType t = z.dataType();
        if (!fits(z, t) || ones.dataType() != t || target.dataType() != t || ones.elementWiseStride() != 1 || target.elementWiseStride() != 1) {
            Nd4j.gemm(z, ones, target, false, true, alpha, beta);          // target h x 1
            return;
        }
        int h = (int) z.rows(), w = (int) z.columns();
        if (t == DataType.FLOAT) {
            openblas_nolapack.cblas_sgemv(CblasRowMajor, CblasNoTrans, h, w, (float) alpha, floats(z), ld(z), floats(ones), 1,
                    (float) beta, floats(target), 1);
        } else {
            openblas_nolapack.cblas_dgemv(CblasRowMajor, CblasNoTrans, h, w, alpha, doubles(z), ld(z), doubles(ones), 1,
                    beta, doubles(target), 1);
        }
    }

    /** Every row of z += row (1 x w); {@code ones} holds z.rows() ones (contiguous). */
    static void addRow(INDArray z, INDArray ones, INDArray row) {
        DataType t = z.dataType();
        if (!fits(z, t) || ones.dataType() != t || row.dataType() != t || ones.elementWiseStride() != 1 || row.elementWiseStride() != 1) {
            Nd4j.gemm(ones, row, z, true, false, 1.0, 1.0);
            return;
        }
        int n = (int) z.rows(), w = (int) z.columns();
        if (t == DataType.FLOAT) {
            openblas_nolapack.cblas_sger(CblasRowMajor, n, w, 1f, floats(ones), 1, floats(row), 1, floats(z), ld(z));
        } else {
            openblas_nolapack.cblas_dger(CblasRowMajor, n, w, 1.0, doubles(ones), 1, doubles(row), 1, doubles(z), ld(z));
        }
    }

    /** Rank 2, c-ordered, contiguous rows, of type t (FLOAT or DOUBLE). */
    private static boolean fits(INDArray a, DataType t) {
        return a.dataType() == t && (t == DataType.FLOAT || t == DataType.DOUBLE) && a.rank() == 2 && a.ordering() == 'c'
                && (a.columns() == 1 || a.stride(1) == 1) && (a.rows() == 1 || a.stride(0) >= a.columns());
    }

    /** The leading dimension: the distance between rows (the columns for a single row). */
    private static int ld(INDArray a) {
        return Math.toIntExact(a.rows() > 1 ? a.stride(0) : Math.max(1, a.columns()));
    }

    /** The array's first element (a view's buffer starts at the view's offset). */
    private static Pointer address(INDArray a) {
        return a.data().addressPointer();
    }

    private static FloatPointer floats(INDArray a) {
        return new FloatPointer(address(a));
    }

    private static DoublePointer doubles(INDArray a) {
        return new DoublePointer(address(a));
    }
}
