"""`ExpectShape`: a first layer that names the input a model expects when it gets another."""

from __future__ import annotations

from collections.abc import Sequence

import keras
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
