"""`CheckedBinaryCrossentropy`: binary cross-entropy that refuses labels other than 0 and 1."""

from __future__ import annotations

import dlbook.tf_startup  # noqa: F401  (TensorFlow imported without its start-up notices)

import keras
import tensorflow as tf


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
