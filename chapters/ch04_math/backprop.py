"""Section 4.1: back-propagation by the delta rule, and one step of gradient descent.

For each layer, top down::

    delta = dL/dy * f'(z)        dL/dW = delta x^T        dL/db = delta        dL/dx = W^T delta

and then every weight moves against its gradient, ``w <- w - eta dL/dw``. The network is the
tutorial's two-layer sigmoid MLP (`dlbook.scratch.mlp.MLP`) on a small random batch; its
gradients are compared with GradientTape on the same Keras model, and with central differences;
the step with a step of Keras's ``SGD``.
"""

from dlbook.cli import chapter_args, save_results
from dlbook.scratch import MLP, gradient_descent_step, numerical_gradient, relative_error
from dlbook.scratch.losses import one_hot, softmax_cross_entropy, softmax_cross_entropy_gradient
from dlbook.scratch.reference import COMPARISON_HEADER, compare, keras_mlp

import keras
import numpy as np
import tensorflow as tf

LEARNING_RATE = 0.5

args = chapter_args(__doc__, script=__file__, epochs=1, dataset=None)
rng = np.random.default_rng(args.seed)
x, labels = rng.normal(size=(8, 6)), rng.integers(0, 3, size=8)
targets = one_hot(labels, 3)
model = MLP(inputs=6, hidden=5, outputs=3, seed=args.seed)
twin = keras_mlp(model)
keras_loss = keras.losses.CategoricalCrossentropy(from_logits=True, dtype="float64")

# Forward, then backward: the output delta is dL/dz2 = (softmax(z2) - y) / N.
logits = model.forward(x)
loss = softmax_cross_entropy(targets, logits)
grads = model.backward(softmax_cross_entropy_gradient(targets, logits))
with tf.GradientTape() as tape:
    loss_tf = keras_loss(targets, twin(x))
grads_tf = tape.gradient(loss_tf, twin.trainable_weights)

print(COMPARISON_HEADER)
errors = {"loss": compare("L = CE(y, W2 sigmoid(W1 x + b1) + b2)", loss, float(loss_tf))}
names = ["dL/dW1 = delta1 x^T", "dL/db1 = delta1", "dL/dW2 = delta2 h^T", "dL/db2 = delta2"]
for name, grad, grad_tf in zip(names, grads, grads_tf, strict=True):
    errors[name] = compare(name, grad, grad_tf.numpy().T)  # Keras's kernels are W transposed

# The same gradients by central differences: nudge each weight, measure the loss.
print("\nthe delta rule against central differences (L(w + h) - L(w - h)) / 2h, h = 1e-6:")
numerical_errors = {}
for name, param, grad in zip(names, model.parameters(), grads, strict=True):
    numerical = numerical_gradient(lambda: softmax_cross_entropy(targets, model.forward(x)), param)
    numerical_errors[name] = relative_error(grad, numerical)
    print(f"  {name:<24} relative error {numerical_errors[name]:.1e}")

# One gradient-descent step, here and in Keras.
gradient_descent_step(model.parameters(), grads, LEARNING_RATE)
keras.optimizers.SGD(LEARNING_RATE).apply_gradients(zip(grads_tf, twin.trainable_weights,
                                                        strict=True))
print()
for name, param, param_tf in zip(["W1", "b1", "W2", "b2"], model.parameters(),
                                 twin.get_weights(), strict=True):
    errors[f"{name} after a step"] = compare(f"{name} <- {name} - eta dL/d{name}", param,
                                             param_tf.T)
loss_after = softmax_cross_entropy(targets, model.forward(x))
print(f"\nloss before the step {loss:.4f}, after {loss_after:.4f}")
save_results(args, max_relative_error=max(errors.values()), relative_errors=errors,
             numerical_relative_errors=numerical_errors)
