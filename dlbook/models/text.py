"""The recurrent text classifier of section 5.3: raw text in, class logits out.

text -> TextVectorization (10,000 words, 100 tokens) -> Embedding(10000, 64) -> LSTM(64)
-> dense 64 relu -> dense ``num_classes``.

The listing feeds the network integer sequences prepared outside the model. Here the model holds
its own ``TextVectorization``, adapted on the training texts, so a saved ``.keras`` file takes a
raw sentence. Short texts are padded with token 0; ``Embedding(mask_zero=True)`` marks those steps
and the recurrent layer skips them, so padding does not change the result. The GRU and the
bidirectional variants (``rnn="gru" | "bilstm" | "bigru"``) swap only the recurrent layer.
The last layer returns logits: train it with ``from_logits=True``.
"""

from __future__ import annotations

import keras
import tensorflow as tf
from keras import layers

RNN_KINDS = ("lstm", "gru", "bilstm", "bigru")
"""Recurrent layers `TextClassifier` can use; ``bi`` reads the text in both directions."""


def recurrent_layer(rnn: str, units: int) -> layers.Layer:
    """The recurrent layer named ``rnn`` (one of `RNN_KINDS`) with ``units`` units."""
    if rnn not in RNN_KINDS:
        raise ValueError(f"unknown rnn {rnn!r}; expected one of {', '.join(RNN_KINDS)}")
    cell = layers.LSTM(units) if rnn.endswith("lstm") else layers.GRU(units)
    return layers.Bidirectional(cell) if rnn.startswith("bi") else cell


@keras.saving.register_keras_serializable(package="dlbook")
class TextClassifier(keras.Model):
    """A batch of strings ``[batch]`` -> logits ``[batch, num_classes]``.

    Call `adapt` on the training texts before training: it builds the vocabulary.
    """

    def __init__(
        self,
        num_classes: int = 2,
        rnn: str = "lstm",
        vocab_size: int = 10_000,
        sequence_length: int = 100,
        embedding_dim: int = 64,
        units: int = 64,
        **kwargs,
    ) -> None:
        super().__init__(**kwargs)
        self.num_classes = num_classes
        self.rnn = rnn
        self.vocab_size = vocab_size
        self.sequence_length = sequence_length
        self.embedding_dim = embedding_dim
        self.units = units
        # Token 0 pads, token 1 stands for words outside the vocabulary.
        self.vectorizer = layers.TextVectorization(
            max_tokens=vocab_size, output_sequence_length=sequence_length
        )
        self.network = keras.Sequential(
            [
                keras.Input((sequence_length,), dtype="int64"),
                layers.Embedding(vocab_size, embedding_dim, mask_zero=True),
                recurrent_layer(rnn, units),
                layers.Dense(units, activation="relu"),
                layers.Dense(num_classes),
            ],
            name="network",
        )

    def adapt(self, texts: tf.data.Dataset) -> None:
        """Build the vocabulary from the most frequent words of ``texts``: batches of strings,
        or of ``(strings, labels)`` such as ``load_text(...).train``."""
        if isinstance(texts.element_spec, tuple):
            texts = texts.map(lambda text, label: text)
        self.vectorizer.adapt(texts)

    def build(self, input_shape) -> None:
        """Nothing left to create: the network is built from its ``keras.Input`` and the
        vocabulary comes from `adapt` (or, loading a ``.keras`` file, from the file)."""

    def call(self, texts, training=False):
        if keras.backend.standardize_dtype(texts.dtype) != "string" or len(texts.shape) != 1:
            raise ValueError(
                f"TextClassifier expects a batch of strings of shape (batch,), got "
                f"{keras.backend.standardize_dtype(texts.dtype)} of shape {tuple(texts.shape)}"
            )
        if tf.executing_eagerly() and self.vectorizer.vocabulary_size() <= 2:
            raise RuntimeError(
                "TextClassifier has no vocabulary yet: call model.adapt(training_texts) first"
            )
        return self.network(self.vectorizer(texts), training=training)

    def get_config(self) -> dict:
        return {**super().get_config(), "num_classes": self.num_classes, "rnn": self.rnn,
                "vocab_size": self.vocab_size, "sequence_length": self.sequence_length,
                "embedding_dim": self.embedding_dim, "units": self.units}
