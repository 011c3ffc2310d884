package sparselab.model;

import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

/** The direct BLAS calls compute what Nd4j.gemm and ND4J's sums compute, on whole arrays and on views at an offset. */
class BlasTest {
    @Test
    void gemm_equals_nd4j_gemm_bit_for_bit_with_every_transpose_on_views_at_an_offset() {
        for (DataType t : new DataType[] {DataType.FLOAT, DataType.DOUBLE}) {
            Nd4j.getRandom().setSeed(7);
            // a parameter vector with two matrix blocks, as the model lays out W1 and W2
            INDArray flat = Nd4j.rand(t, 1, 13 * 7 + 7 * 13 + 5);
            INDArray w1 = flat.get(NDArrayIndex.point(0), NDArrayIndex.interval(0, 91)).reshape('c', 13, 7);
            INDArray w2 = flat.get(NDArrayIndex.point(0), NDArrayIndex.interval(91, 182)).reshape('c', 7, 13);
            INDArray rows = Nd4j.rand(t, 20, 7).get(NDArrayIndex.interval(5, 16), NDArrayIndex.all());    // 11 x 7 at row 5
            for (boolean ta : new boolean[] {false, true}) {
                for (boolean tb : new boolean[] {false, true}) {
                    INDArray a = ta ? rows.transpose().dup('c') : rows;                 // op(a): 11 x 7
                    INDArray b = tb ? w1 : w2.dup().reshape('c', 7, 13).get(NDArrayIndex.all(), NDArrayIndex.interval(0, 13)); // op(b): 7 x 13
                    INDArray mine = Nd4j.rand(t, 11, 13), theirs = mine.dup();
                    Blas.gemm(a, b, mine, ta, tb, 0.5, 2.0);
                    Nd4j.gemm(a, b, theirs, ta, tb, 0.5, 2.0);
                    assertArrayEquals(theirs.reshape(143).toDoubleVector(), mine.reshape(143).toDoubleVector(), t + " transA=" + ta + " transB=" + tb);
                }
            }
            // into a view at an offset (the fused SGD writes W2 -= ... straight into the parameters)
            INDArray d3 = Nd4j.rand(t, 11, 7), a = Nd4j.rand(t, 11, 13);
            INDArray expected = w2.dup();
            Nd4j.gemm(d3, a, expected, true, false, -0.1, 1.0);
            Blas.gemm(d3, a, w2, true, false, -0.1, 1.0);
            assertArrayEquals(expected.reshape(91).toDoubleVector(), w2.reshape(91).toDoubleVector(), t + ": into a view of the parameters");
            assertEquals(flat.getDouble(0, 0), w1.getDouble(0, 0), "W1 untouched");
        }
    }

    @Test
    void sumRows_and_addRow_equal_nd4j_on_a_row_view() {
        INDArray z = Nd4j.rand(DataType.FLOAT, 40, 9).get(NDArrayIndex.interval(3, 33), NDArrayIndex.all());   // 30 x 9
        INDArray ones = Nd4j.ones(DataType.FLOAT, 1, 30);
        INDArray target = Nd4j.rand(DataType.FLOAT, 1, 9), expected = target.mul(0.25).addi(z.sum(true, 0).mul(2.0));
        Blas.sumRows(z, ones, target, 2.0, 0.25);
        for (int j = 0; j < 9; j++) assertEquals(expected.getDouble(0, j), target.getDouble(0, j), 1e-5, "column " + j);
        INDArray row = Nd4j.rand(DataType.FLOAT, 1, 9), before = z.dup();
        Blas.addRow(z, ones, row);
        assertArrayEquals(before.addRowVector(row).reshape(270).toDoubleVector(), z.dup().reshape(270).toDoubleVector());
    }

    @Test
    void sumColumns_equals_nd4j_on_a_column_view_in_both_types() {
        for (DataType t : List.of(DataType.FLOAT, DataType.DOUBLE)) {
            INDArray z = Nd4j.rand(t, 9, 40).get(NDArrayIndex.all(), NDArrayIndex.interval(3, 33));   // 9 x 30, rows 40 apart
            INDArray ones = Nd4j.ones(t, 1, 30);
            INDArray target = Nd4j.rand(t, 9, 1), expected = target.mul(0.25).addi(z.sum(true, 1).mul(2.0));
            Blas.sumColumns(z, ones, target, 2.0, 0.25);
            for (int j = 0; j < 9; j++) assertEquals(expected.getDouble(j, 0), target.getDouble(j, 0), 1e-5, t + " row " + j);
            // an f-ordered matrix does not fit the direct call: the same sums through Nd4j.gemm
            INDArray f = z.dup('f'), viaNd4j = Nd4j.rand(t, 9, 1), want = viaNd4j.mul(0.25).addi(z.sum(true, 1).mul(2.0));
            Blas.sumColumns(f, ones, viaNd4j, 2.0, 0.25);
            for (int j = 0; j < 9; j++) assertEquals(want.getDouble(j, 0), viaNd4j.getDouble(j, 0), 1e-5, t + " f-ordered, row " + j);
        }
    }

    @Test
    void shapes_that_do_not_multiply_are_refused() {
        INDArray a = Nd4j.rand(DataType.FLOAT, 3, 4), b = Nd4j.rand(DataType.FLOAT, 5, 6), c = Nd4j.create(DataType.FLOAT, 3, 6);
        assertThrows(IllegalArgumentException.class, () -> Blas.gemm(a, b, c, false, false, 1, 0));
    }
}
