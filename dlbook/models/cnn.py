"""The tutorial's Sequential CNN (section 5): two conv/pool stages, then a small dense head.

conv 32@3x3 relu -> max-pool 2x2 -> conv 64@3x3 relu -> max-pool 2x2 -> flatten -> dense 64 relu
-> dense ``num_classes``. As everywhere in dlbook the last layer returns logits (no softmax); train
it with ``SparseCategoricalCrossentropy(from_logits=True)``. The dense 64 layer is named
``"features"``: its output is the image representation `dlbook.gan_scores` measures distances in.

One addition to the listing: dropout (Srivastava et al., 2014) on the flattened conv features;
``dropout=0`` builds the listing's layers (ending in logits). Trained as listed (Adam 1e-3,
batches of 32) it overfits Fashion-MNIST: 95.0% training and 90.62% test accuracy after 10
epochs; with dropout 0.5 and Adam 2e-3 decayed along a cosine, 92.6% and 91.54%
(``chapters/ch05_practice/cnn.py``).
"""

from __future__ import annotations

from collections.abc import Sequence

from dlbook.models.layers import ExpectShape

import keras
from keras import layers


def build_cnn(
    num_classes: int = 10, input_shape: Sequence[int] = (28, 28, 1), dropout: float = 0.5
) -> keras.Sequential:
    """The CNN for small images, e.g. 28x28x1 (121,930 parameters for 10 classes)."""
    model = keras.Sequential(name="cnn")
    model.add(keras.Input(tuple(input_shape)))
    model.add(ExpectShape(input_shape))
    model.add(layers.Conv2D(32, 3, activation="relu"))
    model.add(layers.MaxPooling2D(2))
    model.add(layers.Conv2D(64, 3, activation="relu"))
    model.add(layers.MaxPooling2D(2))
    model.add(layers.Flatten())
    if dropout:
        model.add(layers.Dropout(dropout))
    model.add(layers.Dense(64, activation="relu", name="features"))
    model.add(layers.Dense(num_classes))
    return model
