"""The DCGAN that chapter 5 trains as its demo of section 2's GAN: a generator that draws images
from noise, a discriminator that judges them.

The networks of TensorFlow's DCGAN example (Radford et al., 2015), for 28x28 images:

* generator: noise (100) -> dense 7*7*256 -> reshape 7x7x256 -> transposed convolutions
  128@5x5 (stride 1, 7x7) -> 64@5x5 (stride 2, 14x14) -> ``channels``@5x5 (stride 2, 28x28,
  tanh), with batch normalization and LeakyReLU between them. Images come out in [-1, 1], so the
  real images it learns to imitate are scaled to [-1, 1] too.
* discriminator: conv 64@5x5 (stride 2) -> conv 128@5x5 (stride 2), each with LeakyReLU and
  dropout 0.3 -> dense 1: one logit, "real" when positive.
"""

from __future__ import annotations

from collections.abc import Sequence

from dlbook.errors import DlbookError
from dlbook.models.layers import ExpectShape

import keras
from keras import layers

NOISE_DIM = 100
"""Length of the noise vector the generator turns into an image."""

IMAGE_SIZE = 28
"""Height and width of the images the generator draws (7 doubled twice)."""


class ImageSizeError(DlbookError):
    """The images are not the size the DCGAN draws."""


def check_image_shape(image_shape: Sequence[int]) -> tuple[int, int, int]:
    """``image_shape`` as ``(28, 28, channels)``, or `ImageSizeError` naming the fix."""
    image_shape = tuple(image_shape)
    if len(image_shape) != 3 or image_shape[:2] != (IMAGE_SIZE, IMAGE_SIZE):
        raise ImageSizeError(
            f"the DCGAN draws {IMAGE_SIZE}x{IMAGE_SIZE} images, the dataset's have shape "
            f"{image_shape}; resize the images to {IMAGE_SIZE}x{IMAGE_SIZE}"
        )
    return image_shape


def make_generator(
    noise_dim: int = NOISE_DIM, image_shape: Sequence[int] = (28, 28, 1)
) -> keras.Sequential:
    """Noise ``[batch, noise_dim]`` -> images ``[batch, 28, 28, channels]`` in [-1, 1]."""
    channels = check_image_shape(image_shape)[2]
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
            layers.Conv2DTranspose(channels, 5, strides=2, padding="same", use_bias=False,
                                   activation="tanh"),
        ],
        name="generator",
    )


def make_discriminator(image_shape: Sequence[int] = (28, 28, 1)) -> keras.Sequential:
    """Images ``[batch, 28, 28, channels]`` in [-1, 1] -> one logit per image (positive: "real")."""
    image_shape = check_image_shape(image_shape)
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
