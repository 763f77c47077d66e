"""Section 4.1: softmax and the loss functions (MSE, cross-entropy, binary cross-entropy, KL
divergence), with the gradients that start back-propagation.

Each line shows a formula, its value in NumPy (`dlbook.scratch`), TensorFlow's (the Keras loss in
float64, gradients by GradientTape) and their relative error. ``N`` examples, ``K`` classes;
the losses are means over the examples, as Keras computes them.
"""

from dlbook.cli import chapter_args, save_results
from dlbook.scratch import activations, losses
from dlbook.scratch.reference import (
    COMPARISON_HEADER,
    compare,
    loss_and_gradient,
    output_and_gradient,
)

import keras
import numpy as np
import tensorflow as tf

args = chapter_args(__doc__, script=__file__, epochs=1, dataset=None)
rng = np.random.default_rng(args.seed)
print(COMPARISON_HEADER)
errors = {}

# Softmax turns K scores (logits) into a distribution; its backward pass is a Jacobian product.
z = rng.normal(scale=2, size=(4, 5))
dL_ds = rng.normal(size=z.shape)
s_tf, dL_dz_tf = output_and_gradient(tf.nn.softmax, z, dL_ds)
s = activations.softmax(z)
errors["softmax"] = compare("s = e^z_i / sum_j e^z_j", s, s_tf)
errors["softmax backward"] = compare(
    "dL/dz = s * (dL/ds - sum(dL/ds * s))", activations.softmax_backward(dL_ds, s), dL_dz_tf)

# The four losses, and their gradients dL/dp.
y = losses.one_hot(rng.integers(0, 5, size=4), 5)
p = activations.softmax(rng.normal(size=(4, 5)))
bits = rng.integers(0, 2, size=(4, 5)).astype(np.float64)
cases = [  # (formula, gradient formula, NumPy loss, Keras loss, target)
    ("MSE = 1/NK sum (p - y)^2", "dMSE/dp = 2 (p - y) / NK",
     "mse", keras.losses.MeanSquaredError, y),
    ("BCE = -1/NK sum y log p + (1-y) log(1-p)", "dBCE/dp = (p - y) / (p (1 - p)) / NK",
     "binary_cross_entropy", keras.losses.BinaryCrossentropy, bits),
    ("KL = 1/N sum y log(y / p)", "dKL/dp = -y / p / N",
     "kl_divergence", keras.losses.KLDivergence, activations.softmax(rng.normal(size=(4, 5)))),
]
for formula, gradient_formula, name, keras_loss, target in cases:
    value_tf, gradient_tf = loss_and_gradient(keras_loss(dtype="float64"), target, p)
    errors[name] = compare(formula, getattr(losses, name)(target, p), value_tf)
    errors[f"{name} gradient"] = compare(
        gradient_formula, getattr(losses, f"{name}_gradient")(target, p), gradient_tf)

# Cross-entropy after a softmax: the gradient at the logits simplifies to (softmax(z) - y) / N.
keras_cross_entropy = keras.losses.CategoricalCrossentropy(from_logits=True, dtype="float64")
value_tf, gradient_tf = loss_and_gradient(keras_cross_entropy, y, z)
errors["cross_entropy"] = compare("CE = -1/N sum y log softmax(z)",
                                  losses.softmax_cross_entropy(y, z), value_tf)
errors["cross_entropy gradient"] = compare(
    "dCE/dz = (softmax(z) - y) / N", losses.softmax_cross_entropy_gradient(y, z), gradient_tf)

# Why softmax subtracts max(z): e^1000 overflows, the shifted exponentials do not.
large = np.array([[1000.0, 1001.0, 1002.0]])
with np.errstate(over="ignore", invalid="ignore"):
    naive = np.exp(large) / np.exp(large).sum()
print(f"\nsoftmax([1000, 1001, 1002]): naive {naive.ravel()}, "
      f"stable {activations.softmax(large).ravel().round(5)}")
save_results(args, max_relative_error=max(errors.values()), relative_errors=errors)
