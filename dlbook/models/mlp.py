"""Multilayer perceptrons (sections 2 and 5), returning logits.

An MLP is a stack of dense layers ``h = relu(W h + b)`` ending in a linear layer: the logits.
Section 5's binary-classification listing ends in ``Dense(1, activation="sigmoid")``; here the
last layer stays linear and the loss is built with ``from_logits=True``, so that it never takes
the log of a probability rounded to 1 (``chapters/ch05_practice/mlp_binary.py`` shows the
difference).
"""

from __future__ import annotations

from collections.abc import Sequence

from dlbook.models.layers import ExpectShape

import keras
from keras import layers


def build_mlp(
    input_shape: Sequence[int],
    hidden_units: Sequence[int],
    num_outputs: int,
    name: str = "mlp",
) -> keras.Sequential:
    """``[Flatten] -> Dense(units, relu) for each hidden layer -> Dense(num_outputs)`` (logits).

    The flatten is there only for inputs of more than one axis, such as images.
    """
    model = keras.Sequential(name=name)
    model.add(keras.Input(tuple(input_shape)))
    model.add(ExpectShape(input_shape))
    if len(input_shape) > 1:
        model.add(layers.Flatten())
    for units in hidden_units:
        model.add(layers.Dense(units, activation="relu"))
    model.add(layers.Dense(num_outputs))
    return model


def build_binary_mlp(num_features: int = 10) -> keras.Sequential:
    """Section 5's MLP listing: Dense 64 relu, Dense 64 relu, Dense 1; one logit per example."""
    return build_mlp((num_features,), (64, 64), 1, name="binary_mlp")


def build_image_mlp(
    num_classes: int = 10,
    input_shape: Sequence[int] = (28, 28, 1),
    hidden_units: Sequence[int] = (256, 128),
) -> keras.Sequential:
    """An MLP for images (the MLP project section 5 describes without code): flatten the image,
    two hidden dense layers, one logit per class."""
    return build_mlp(input_shape, hidden_units, num_classes, name="image_mlp")
