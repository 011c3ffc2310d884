package sparselab.model;

import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;

import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** The float64 sums on whole arrays and on row-block views (the batches), against a Java loop in float64. */
class ExactSumsTest {
    @Test
    void float32_sums_of_views_and_whole_arrays_equal_a_float64_loop() {
        int n = 700, d = 784;
        float[] xs = new float[n * d], ys = new float[n * d];
        SplittableRandom rng = new SplittableRandom(9);
        for (int i = 0; i < xs.length; i++) {
            xs[i] = (float) rng.nextDouble();
            ys[i] = (float) (rng.nextDouble() - 0.25);
        }
        INDArray x = Nd4j.create(xs, new long[] {n, d}, 'c');
        INDArray y = Nd4j.create(ys, new long[] {n, d}, 'c');
        for (int[] rows : new int[][] {{0, n}, {100, 400}, {699, 700}}) {
            INDArray xv = x.get(NDArrayIndex.interval(rows[0], rows[1]), NDArrayIndex.all());
            INDArray yv = y.get(NDArrayIndex.interval(rows[0], rows[1]), NDArrayIndex.all());
            double dot = 0, sq = 0, sum = 0;
            for (int i = rows[0] * d; i < rows[1] * d; i++) {
                dot += (double) xs[i] * ys[i];
                sq += (double) ys[i] * ys[i];
                sum += ys[i];
            }
            String at = "rows " + rows[0] + ".." + rows[1];
            // float64 accumulation: within 1e-7 (the reported figures must be within 1e-6; one float32 accumulator is off by
            // up to 1e-3 on the large arrays). The dsdot kernels differ by core type and threads: measured 1e-10 to 3e-9
            assertEquals(dot, ExactSums.dot(xv, yv), 1e-7 * Math.abs(dot), "dot, " + at);
            assertEquals(sq, ExactSums.squaredNorm(yv), 1e-7 * sq, "squared norm, " + at);
            assertEquals(sum, ExactSums.sum(yv), 1e-7 * Math.abs(sum), "sum, " + at);
        }
    }

    @Test
    void float64_arrays_use_the_float64_dot() {
        INDArray a = Nd4j.createFromArray(1e8, 1.0, -1e8, 3.0).castTo(DataType.DOUBLE);
        assertEquals(1e16 + 1 + 1e16 + 9, ExactSums.squaredNorm(a), 0.0);
        assertEquals(1e8 + 1 - 1e8 + 3, ExactSums.sum(a), 0.0);
    }
}
