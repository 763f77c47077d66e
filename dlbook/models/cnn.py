"""The tutorial's Sequential CNN (section 5): two conv/pool stages, then a small dense head.

conv 32@3x3 relu -> max-pool 2x2 -> conv 64@3x3 relu -> max-pool 2x2 -> flatten -> dense 64 relu
-> dense ``num_classes``. As everywhere in dlbook the last layer returns logits (no softmax); train
it with ``SparseCategoricalCrossentropy(from_logits=True)``. The dense 64 layer is named
``"features"``: its output is the image representation `dlbook.metrics` measures distances in.
"""

from __future__ import annotations

from collections.abc import Sequence

import keras
from keras import layers

from dlbook.models.mlp import ExpectShape


def build_cnn(num_classes: int = 10, input_shape: Sequence[int] = (28, 28, 1)) -> keras.Sequential:
    """The CNN for small images, e.g. 28x28x1 (121,930 parameters for 10 classes)."""
    return keras.Sequential(
        [
            keras.Input(tuple(input_shape)),
            ExpectShape(input_shape),
            layers.Conv2D(32, 3, activation="relu"),
            layers.MaxPooling2D(2),
            layers.Conv2D(64, 3, activation="relu"),
            layers.MaxPooling2D(2),
            layers.Flatten(),
            layers.Dense(64, activation="relu", name="features"),
            layers.Dense(num_classes),
        ],
        name="cnn",
    )
