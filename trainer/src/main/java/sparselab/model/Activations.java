package sparselab.model;

import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.ops.impl.scalar.RectifiedLinear;
import org.nd4j.linalg.api.ops.impl.scalar.RectifiedLinearDerivative;
import org.nd4j.linalg.api.ops.impl.transforms.gradient.SigmoidDerivative;
import org.nd4j.linalg.api.ops.impl.transforms.gradient.TanhDerivative;
import org.nd4j.linalg.api.ops.impl.transforms.strict.Sigmoid;
import org.nd4j.linalg.api.ops.impl.transforms.strict.Tanh;
import org.nd4j.linalg.factory.Nd4j;
import sparselab.config.Choices.Activation;

/** f and f' of the configured activations as single ND4J ops into preallocated arrays. */
final class Activations {
    private Activations() {}

    /** Below this many elements the single exponential op is cheaper than three cheap ones (batch size 1). */
    static final long FROM_ACTIVATION_MIN = 4096;

    /** out &lt;- f(z). */
    static void activate(Activation f, INDArray z, INDArray out) {
        switch (f) {
            case SIGMOID -> Nd4j.getExecutioner().exec(new Sigmoid(z, out));
            case TANH -> Nd4j.getExecutioner().exec(new Tanh(z, out));
            case RELU -> Nd4j.getExecutioner().exec(new RectifiedLinear(z, out, 0.0));
            case IDENTITY -> out.assign(z);
        }
    }

    /**
     * delta &lt;- delta * f'(z), in place, from the activation a = f(z) where that is cheaper: sigmoid' = a (1 - a) and
     * tanh' = 1 - a^2 take three cheap passes instead of one pass of exponentials (measured 40 against 280 µs on
     * 100 x 784). {@code tmp} is scratch of delta's shape.
     */
    static void backprop(Activation f, INDArray z, INDArray a, INDArray delta, INDArray tmp) {
        if (delta.length() < FROM_ACTIVATION_MIN) {          // small arrays: one op's fixed cost beats three
            backprop(f, z, delta);
            return;
        }
        switch (f) {
            case SIGMOID -> {
                a.rsub(1.0, tmp);
                tmp.muli(a);
                delta.muli(tmp);
            }
            case TANH -> {
                a.mul(a, tmp);
                tmp.rsubi(1.0);
                delta.muli(tmp);
            }
            default -> backprop(f, z, delta);
        }
    }

    /** delta &lt;- delta * f'(z), in place. */
    static void backprop(Activation f, INDArray z, INDArray delta) {
        switch (f) {
            case SIGMOID -> Nd4j.exec(new SigmoidDerivative(z, delta, delta));
            case TANH -> Nd4j.exec(new TanhDerivative(z, delta, delta));
            case RELU -> Nd4j.exec(new RectifiedLinearDerivative(z, delta, delta));
            case IDENTITY -> { }
        }
    }
}
