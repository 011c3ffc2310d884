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

    /** out &lt;- f(z). */
    static void activate(Activation f, INDArray z, INDArray out) {
        switch (f) {
            case SIGMOID -> Nd4j.getExecutioner().exec(new Sigmoid(z, out));
            case TANH -> Nd4j.getExecutioner().exec(new Tanh(z, out));
            case RELU -> Nd4j.getExecutioner().exec(new RectifiedLinear(z, out, 0.0));
            case IDENTITY -> out.assign(z);
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
