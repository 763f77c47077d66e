"""Section 4.1: a neuron, a layer of neurons, ``y = f(Wx + b)``, and the activations ``f``.

Each line shows a formula of the section, its value computed from scratch in NumPy
(`dlbook.scratch`), the value TensorFlow computes (the Keras layer with the same weights, in
float64) and their relative error. Only the first two entries of an array are shown.
"""

from dlbook.cli import chapter_args, save_results
from dlbook.scratch.activations import ACTIVATIONS
from dlbook.scratch.dense import dense_forward
from dlbook.scratch.reference import (
    COMPARISON_HEADER,
    compare,
    output_and_gradient,
    randomize_weights,
)

import keras
import numpy as np

args = chapter_args(__doc__, script=__file__, epochs=1, dataset=None)
rng = np.random.default_rng(args.seed)
print(COMPARISON_HEADER)
errors = {}

# One neuron: a weighted sum of three inputs, plus a bias, through the sigmoid.
x = rng.normal(size=(1, 3))
w, b = rng.normal(size=(1, 3)), rng.normal(size=1)
neuron = keras.layers.Dense(1, activation="sigmoid", dtype="float64")
neuron.build(x.shape)
neuron.set_weights([w.T, b])  # Keras keeps W transposed, as (inputs, outputs)
errors["neuron"] = compare("y = sigmoid(w . x + b)", dense_forward(x, w, b)[0], neuron(x).numpy())

# A layer: four neurons on a batch of five examples, one line per activation.
x = rng.normal(size=(5, 3))
for name in ["sigmoid", "tanh", "relu", "leaky_relu"]:
    layer = keras.layers.Dense(4, activation=name, dtype="float64")
    layer.build(x.shape)
    kernel, bias = randomize_weights(layer, rng)
    y, _ = dense_forward(x, kernel.T, bias, name)
    errors[f"layer {name}"] = compare(f"y = {name}(Wx + b)", y, layer(x).numpy())

# The derivatives f'(z) that back-propagation needs; TensorFlow's by GradientTape.
z = rng.normal(scale=3, size=(5, 4))
for name in ["sigmoid", "tanh", "relu", "leaky_relu"]:
    f, f_derivative = ACTIVATIONS[name]
    _, derivative_tf = output_and_gradient(keras.activations.get(name), z)
    errors[f"{name}'"] = compare(f"{name}'(z)", f_derivative(z), derivative_tf)

print("\nleaky_relu differs by ~1e-8: TensorFlow stores its slope 0.2 as a float32 (0.200000003)"
      "\neven in float64. Everything else agrees to float64 rounding.")
save_results(args, max_relative_error=max(errors.values()), relative_errors=errors)
