package sparselab.model;

import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertTrue;

/** A wrong OPENBLAS_CORETYPE can crash or compute garbage: Nd4j.gemm must agree with a plain Java product. */
class GemmSanityTest {

    @Test
    void gemm_of_random_float32_matrices_agrees_with_a_plain_java_product() {
        int m = 67, k = 300, n = 45;
        SplittableRandom rng = new SplittableRandom(11);
        float[][] a = new float[m][k], b = new float[n][k];
        for (float[] row : a) for (int j = 0; j < k; j++) row[j] = (float) (2 * rng.nextDouble() - 1);
        for (float[] row : b) for (int j = 0; j < k; j++) row[j] = (float) (2 * rng.nextDouble() - 1);
        INDArray A = Nd4j.createFromArray(a), B = Nd4j.createFromArray(b);
        INDArray C = Nd4j.create(DataType.FLOAT, new long[] {m, n}, 'f');
        Nd4j.gemm(A, B, C, false, true, 1.0, 0.0);   // C = A B^T, the shape of the training step's products
        double worst = 0;
        for (int i = 0; i < m; i++) {
            for (int j = 0; j < n; j++) {
                double s = 0, norm = 0;
                for (int t = 0; t < k; t++) {
                    s += (double) a[i][t] * b[j][t];
                    norm += Math.abs((double) a[i][t] * b[j][t]);
                }
                worst = Math.max(worst, Math.abs(C.getDouble(i, j) - s) / Math.max(norm, 1e-12));
            }
        }
        assertTrue(worst < 1e-4, "gemm disagrees with the Java product: relative error " + worst
                + " (OPENBLAS_CORETYPE=" + System.getenv("OPENBLAS_CORETYPE") + ")");
    }
}
