"""Multilayer perceptrons (section 4.1 and the MLP project of section 5), returning logits.

An MLP is a stack of dense layers ``h = relu(W h + b)`` ending in a linear layer: the logits.
The section 4.1 listing ends in ``Dense(1, activation="sigmoid")`` and the loss takes the log of
that probability; here the last layer stays linear and the loss is built with
``from_logits=True``, which computes ``log(sigmoid(z))`` stably (no rounding to 0 for large ``z``).

Also here, because every model of chapter 5 uses them: `ExpectShape`, a first layer that names
the model's expected input when given a batch of another shape, and `CheckedBinaryCrossentropy`,
which rejects labels other than 0 and 1.
"""

from __future__ import annotations

from collections.abc import Sequence

import keras
import tensorflow as tf
from keras import layers


@keras.saving.register_keras_serializable(package="dlbook")
class ExpectShape(layers.Layer):
    """Pass a batch through unchanged if each example has ``shape``, else raise a clear error.

    Without it Keras reports the first inner layer that trips over a wrong input, e.g. "layer
    'features' expected axis -1 to have value 1600" for a 32x32 image fed to the 28x28 CNN.
    """

    def __init__(self, shape: Sequence[int], **kwargs) -> None:
        super().__init__(**kwargs)
        self.expected_shape = tuple(shape)

    def call(self, inputs):
        got = tuple(inputs.shape)
        if len(got) != len(self.expected_shape) + 1 or any(
            dim is not None and dim != want
            for dim, want in zip(got[1:], self.expected_shape, strict=True)
        ):
            expected = ", ".join(map(str, ("batch", *self.expected_shape)))
            raise ValueError(f"expected a batch of shape ({expected}), got {got}")
        return inputs

    def get_config(self) -> dict:
        return {**super().get_config(), "shape": self.expected_shape}


@keras.saving.register_keras_serializable(package="dlbook")
class CheckedBinaryCrossentropy(keras.losses.BinaryCrossentropy):
    """``keras.losses.BinaryCrossentropy`` that first checks every label is 0 or 1.

    Keras takes any number as a label. On logits ``z`` the loss is
    ``max(z, 0) - z y + log(1 + exp(-|z|))``: for a label ``y = 2`` it has no minimum, and
    training drives ``z`` (and the loss) towards minus infinity without a word.
    """

    def call(self, y_true, y_pred):
        is_binary = tf.reduce_all((y_true == 0) | (y_true == 1))
        tf.debugging.Assert(is_binary, ["expected binary labels 0 or 1, got", y_true], summarize=8)
        return super().call(y_true, y_pred)


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
    """Section 4.1's listing: Dense 64 relu, Dense 64 relu, Dense 1; one logit per example."""
    return build_mlp((num_features,), (64, 64), 1, name="binary_mlp")


def build_image_mlp(
    num_classes: int = 10,
    input_shape: Sequence[int] = (28, 28, 1),
    hidden_units: Sequence[int] = (256, 128),
) -> keras.Sequential:
    """The MLP project: flatten the image, two hidden dense layers, one logit per class."""
    return build_mlp(input_shape, hidden_units, num_classes, name="image_mlp")
