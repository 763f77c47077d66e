"""The LeNet of the listing of section 5.2 (seed 003 §5.2), a LeNet-like network.

conv 6@5x5 relu -> max-pool 2x2 -> conv 16@5x5 relu -> max-pool 2x2 -> flatten -> dense 120 relu
-> dense 84 relu -> dense 10: 44,426 parameters on 28x28 images. The LeNet-5 of LeCun et al.
(1998) has the same widths, but took 32x32 images and had scaled-tanh units, trainable
subsampling where this one takes a maximum, a partly connected third layer and an output of
radial-basis-function units: about 60,000 parameters (`chapters/ch05_practice/lenet.py`).
Unlike the listing, the last layer has no softmax: the model returns logits and the loss is built
with ``from_logits=True``, which takes the log-softmax of the scores in one step.
"""

from __future__ import annotations

import keras
from keras import layers


@keras.saving.register_keras_serializable(package="dlbook")
class LeNet(keras.Model):
    """LeNet-5 for 28x28 grayscale images (MNIST, Fashion-MNIST); returns logits."""

    def __init__(
        self,
        num_classes: int = 10,
        image_shape: tuple[int, int, int] = (28, 28, 1),
        **kwargs,
    ) -> None:
        super().__init__(**kwargs)
        self.num_classes = num_classes
        self.image_shape = tuple(image_shape)
        self.conv1 = layers.Conv2D(6, 5, activation="relu")
        self.pool1 = layers.MaxPooling2D(2)
        self.conv2 = layers.Conv2D(16, 5, activation="relu")
        self.pool2 = layers.MaxPooling2D(2)
        self.flatten = layers.Flatten()
        self.fc1 = layers.Dense(120, activation="relu")
        self.fc2 = layers.Dense(84, activation="relu")
        self.fc3 = layers.Dense(num_classes)

    def call(self, images, training=False):
        if tuple(images.shape[1:]) != self.image_shape:
            raise ValueError(
                f"LeNet expects images of shape (batch, {', '.join(map(str, self.image_shape))}), "
                f"got {tuple(images.shape)}"
            )
        x = self.pool1(self.conv1(images))
        x = self.pool2(self.conv2(x))
        x = self.fc2(self.fc1(self.flatten(x)))
        return self.fc3(x)

    def get_config(self) -> dict:
        return {**super().get_config(), "num_classes": self.num_classes,
                "image_shape": self.image_shape}
