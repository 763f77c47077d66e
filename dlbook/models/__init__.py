"""Reusable Keras 3 models for the tutorial's sections; the classifiers and the DCGAN's
discriminator return logits, the generator images in [-1, 1].

Each model is written on the chapter page that teaches it, in cells marked ``#@save``, and its
module runs those cells (`dlbook.pages`; the module's docstring names the page); `layers`,
`loading`, `pretrained` and `saving` are the package's own.

Importing this package registers every custom layer and model, so ``keras.saving.load_model``
with ``safe_mode=True`` can rebuild them.
"""

import dlbook.tf_startup  # noqa: F401  (TensorFlow imported without its start-up notices)
from dlbook.models.cnn import build_cnn
from dlbook.models.dcgan import make_discriminator, make_generator
from dlbook.models.layers import ExpectShape
from dlbook.models.lenet import LeNet
from dlbook.models.mlp import build_image_mlp, build_mlp
from dlbook.models.mlp_binary import build_binary_mlp
from dlbook.models.text import RNN_KINDS, TextClassifier

__all__ = [
    "RNN_KINDS",
    "ExpectShape",
    "LeNet",
    "TextClassifier",
    "build_binary_mlp",
    "build_cnn",
    "build_image_mlp",
    "build_mlp",
    "make_discriminator",
    "make_generator",
]
