"""The DCGAN of section 2: a generator that draws images from noise, a discriminator that judges.

As in the TensorFlow DCGAN tutorial (Radford et al., 2015, for 28x28 grayscale images):

* generator: noise (100) -> dense 7*7*256 -> reshape 7x7x256 -> transposed convolutions
  128@5x5 (stride 1, 7x7) -> 64@5x5 (stride 2, 14x14) -> 1@5x5 (stride 2, 28x28, tanh), with batch
  normalization and LeakyReLU between them. Images come out in [-1, 1], so the real images it
  learns to imitate are scaled to [-1, 1] too.
* discriminator: conv 64@5x5 (stride 2) -> conv 128@5x5 (stride 2), each with LeakyReLU and
  dropout 0.3 -> dense 1: one logit, "real" when positive.
"""

from __future__ import annotations

from dlbook.models.layers import ExpectShape

import keras
from keras import layers

NOISE_DIM = 100
"""Length of the noise vector the generator turns into an image."""


def make_generator(noise_dim: int = NOISE_DIM) -> keras.Sequential:
    """Noise ``[batch, noise_dim]`` -> images ``[batch, 28, 28, 1]`` in [-1, 1]."""
    return keras.Sequential(
        [
            keras.Input((noise_dim,)),
            ExpectShape((noise_dim,)),
            layers.Dense(7 * 7 * 256, use_bias=False),
            layers.BatchNormalization(),
            layers.LeakyReLU(),
            layers.Reshape((7, 7, 256)),
            layers.Conv2DTranspose(128, 5, strides=1, padding="same", use_bias=False),
            layers.BatchNormalization(),
            layers.LeakyReLU(),
            layers.Conv2DTranspose(64, 5, strides=2, padding="same", use_bias=False),
            layers.BatchNormalization(),
            layers.LeakyReLU(),
            layers.Conv2DTranspose(1, 5, strides=2, padding="same", use_bias=False,
                                   activation="tanh"),
        ],
        name="generator",
    )


def make_discriminator(image_shape: tuple[int, int, int] = (28, 28, 1)) -> keras.Sequential:
    """Images ``[batch, 28, 28, 1]`` in [-1, 1] -> one logit per image (positive: "real")."""
    return keras.Sequential(
        [
            keras.Input(image_shape),
            ExpectShape(image_shape),
            layers.Conv2D(64, 5, strides=2, padding="same"),
            layers.LeakyReLU(),
            layers.Dropout(0.3),
            layers.Conv2D(128, 5, strides=2, padding="same"),
            layers.LeakyReLU(),
            layers.Dropout(0.3),
            layers.Flatten(),
            layers.Dense(1),
        ],
        name="discriminator",
    )
