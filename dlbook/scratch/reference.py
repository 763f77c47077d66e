"""What TensorFlow computes for the same formula: the reference the NumPy code is checked against.

The rest of `dlbook.scratch` is NumPy only; this module (used by the tests and the chapter 4
scripts) runs the equivalent Keras layer or loss, with the same weights, and takes its gradients
with ``tf.GradientTape``.

A layer's gradients are those of ``L = sum(y * dy)`` for a chosen ``dy``: then ``dL/dy = dy``, so
they are exactly what back-propagation computes from ``dL/dy = dy``.
"""

from __future__ import annotations

from collections.abc import Callable

import keras
import numpy as np
import tensorflow as tf

from dlbook.scratch.gradcheck import relative_error


def randomize_weights(layer: keras.layers.Layer, rng: np.random.Generator,
                      scale: float = 0.5) -> list[np.ndarray]:
    """Give every weight of a built ``layer`` random normal values (biases too, so that a wrong
    bias mapping shows); returns them, in Keras's layout."""
    weights = [rng.normal(scale=scale, size=w.shape) for w in layer.get_weights()]
    layer.set_weights(weights)
    return layer.get_weights()


def layer_output_and_gradients(
    layer: keras.layers.Layer, x: np.ndarray, dy: np.ndarray | None = None
) -> tuple[np.ndarray, np.ndarray, list[np.ndarray]]:
    """``(y, dL/dx, [dL/dw for each weight])`` of ``layer`` at ``x``, with ``dL/dy = dy``
    (ones if not given), in the layer's dtype."""
    x = tf.constant(x, dtype=layer.dtype)
    with tf.GradientTape() as tape:
        tape.watch(x)
        y = layer(x)
        loss = tf.reduce_sum(y * (tf.ones_like(y) if dy is None else tf.cast(dy, y.dtype)))
    dx, *dw = tape.gradient(loss, [x, *layer.trainable_weights])
    return y.numpy(), dx.numpy(), [g.numpy() for g in dw]


def loss_and_gradient(
    loss: Callable[[tf.Tensor, tf.Tensor], tf.Tensor], y: np.ndarray, p: np.ndarray
) -> tuple[float, np.ndarray]:
    """``(L, dL/dp)`` of a Keras loss (``keras.losses.MeanSquaredError()``...) at ``(y, p)``."""
    p = tf.constant(p)
    with tf.GradientTape() as tape:
        tape.watch(p)
        value = loss(tf.constant(y, dtype=p.dtype), p)
    return float(value), tape.gradient(value, p).numpy()


COMPARISON_HEADER = f"{'formula':<44} {'NumPy':>24} {'TensorFlow':>24} {'rel. error':>10}"


def _preview(value: np.ndarray | float) -> str:
    flat = np.ravel(value)
    text = " ".join(f"{v:+.5f}" for v in flat[:2])
    return text + (f" ..{flat.size}" if flat.size > 2 else "")


def compare(formula: str, numpy_value: np.ndarray | float, tf_value: np.ndarray | float) -> float:
    """Print the formula, both values (the first entries of an array) and their relative error
    (`relative_error`); return the error."""
    error = relative_error(numpy_value, tf_value)
    print(f"{formula:<44} {_preview(numpy_value):>24} {_preview(tf_value):>24} {error:>10.1e}")
    return error
