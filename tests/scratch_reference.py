"""Shared checks of the `dlbook.scratch` tests: what TensorFlow computes for the same formula
(the reference the NumPy code is checked against), tolerances, and the numerical gradient.

The reference runs the equivalent Keras layer or loss, with the same weights, and takes its
gradients with ``tf.GradientTape``. A layer's gradients are those of ``L = sum(y * dy)`` for a
chosen ``dy``: then ``dL/dy = dy``, so they are exactly what back-propagation computes from
``dL/dy = dy``. (`dlbook.scratch` itself is NumPy only; the pages write their tape inline.)
"""

from collections.abc import Callable

import dlbook.tf_startup  # noqa: F401  (TensorFlow imported without its start-up notices)
from dlbook.scratch import numerical_gradient, relative_error
from dlbook.scratch.mlp import MLP

import keras
import numpy as np
import tensorflow as tf

TOLERANCE = {"float32": 1e-5, "float64": 1e-10}
"""Largest relative error between NumPy and TensorFlow, by the dtype TensorFlow runs in."""

NUMERICAL_TOLERANCE = 1e-6
"""Central differences with h = 1e-6 in float64 are good to about 1e-8 relative."""


def assert_close(numpy_value, tf_value, dtype: str) -> None:
    error = relative_error(numpy_value, tf_value)
    assert error < TOLERANCE[dtype], f"relative error {error:.2e} >= {TOLERANCE[dtype]:.0e}"


def assert_matches_numerical(loss: Callable[[], float], param: np.ndarray,
                             analytic: np.ndarray) -> None:
    """``analytic`` is ``dL/dparam`` as central differences of ``loss`` measure it."""
    error = relative_error(analytic, numerical_gradient(loss, param))
    assert error < NUMERICAL_TOLERANCE, f"relative error {error:.2e} vs the numerical gradient"


def randomize_weights(layer: keras.layers.Layer, rng: np.random.Generator,
                      scale: float = 0.5) -> list[np.ndarray]:
    """Give every weight of a built ``layer`` random normal values (biases too, so that a wrong
    bias mapping shows); returns them, in Keras's layout."""
    weights = [rng.normal(scale=scale, size=w.shape) for w in layer.get_weights()]
    layer.set_weights(weights)
    return layer.get_weights()


def _weighted_sum(y: tf.Tensor, dy: np.ndarray | None) -> tf.Tensor:
    """``L = sum(y * dy)``, whose gradient at ``y`` is ``dy`` (ones if ``dy`` is None)."""
    return tf.reduce_sum(y if dy is None else y * tf.cast(dy, y.dtype))


def layer_output_and_gradients(
    layer: keras.layers.Layer, x: np.ndarray, dy: np.ndarray | None = None
) -> tuple[np.ndarray, np.ndarray, list[np.ndarray]]:
    """``(y, dL/dx, [dL/dw for each weight])`` of ``layer`` at ``x``, with ``dL/dy = dy``
    (ones if not given), in the layer's dtype."""
    x = tf.constant(x, dtype=layer.dtype)
    with tf.GradientTape() as tape:
        tape.watch(x)
        y = layer(x)
        loss = _weighted_sum(y, dy)
    dx, *dw = tape.gradient(loss, [x, *layer.trainable_weights])
    return y.numpy(), dx.numpy(), [g.numpy() for g in dw]


def output_and_gradient(
    f: Callable[[tf.Tensor], tf.Tensor], x: np.ndarray, dy: np.ndarray | None = None
) -> tuple[np.ndarray, np.ndarray]:
    """``(y, dL/dx)`` of a TensorFlow function ``y = f(x)`` with ``dL/dy = dy`` (ones if not
    given): for an element-wise ``f`` and no ``dy``, ``dL/dx`` is the derivative ``f'(x)``."""
    x = tf.constant(x)
    with tf.GradientTape() as tape:
        tape.watch(x)
        y = f(x)
        loss = _weighted_sum(y, dy)
    return y.numpy(), tape.gradient(loss, x).numpy()


def loss_and_gradient(
    loss: Callable[[tf.Tensor, tf.Tensor], tf.Tensor], y: np.ndarray, p: np.ndarray
) -> tuple[float, np.ndarray]:
    """``(L, dL/dp)`` of a Keras loss (``keras.losses.MeanSquaredError()``...) at ``(y, p)``."""
    p = tf.constant(p)
    with tf.GradientTape() as tape:
        tape.watch(p)
        value = loss(tf.constant(y, dtype=p.dtype), p)
    return float(value), tape.gradient(value, p).numpy()


def keras_mlp(model: MLP) -> keras.Sequential:
    """The Keras twin of a `dlbook.scratch.mlp.MLP`, in float64, with the same weights."""
    hidden, inputs = model.W1.shape
    twin = keras.Sequential([keras.Input((inputs,), dtype="float64"),
                             keras.layers.Dense(hidden, "sigmoid", dtype="float64"),
                             keras.layers.Dense(model.W2.shape[0], dtype="float64")])
    twin.set_weights([model.W1.T, model.b1, model.W2.T, model.b2])
    return twin


def keras_recurrent(
    layer_class: type[keras.layers.Layer],
    params_from_keras: Callable[..., dict[str, np.ndarray]],
    input_shape: tuple[int, int, int],
    hidden: int,
    rng: np.random.Generator,
    dtype: str = "float64",
) -> tuple[keras.layers.Layer, dict[str, np.ndarray]]:
    """A Keras ``SimpleRNN``, ``LSTM`` or ``GRU`` returning every step, with random weights, and
    the same weights in `dlbook.scratch`'s layout (``params_from_keras``, e.g.
    `dlbook.scratch.lstm.lstm_params_from_keras`)."""
    layer = layer_class(hidden, return_sequences=True, dtype=dtype)
    layer.build(input_shape)
    return layer, params_from_keras(*randomize_weights(layer, rng))

