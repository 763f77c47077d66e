"""The recurrent text classifier of section 5 (the tutorial presents it as a simple RNN; its
recurrent layer is an LSTM): raw text in, class logits out.

text -> TextVectorization (10,000 tokens: padding, [UNK] and 9,998 words; 100 per text)
-> Embedding(10000, 64) -> LSTM(64) -> dense 64 relu -> dense ``num_classes``.

The listing's Sequential model starts at its ``Embedding(10000, 64, input_length=100)``: it takes
sequences of 100 word numbers, and the tutorial does not show how texts become such sequences.
Here the model holds its own ``TextVectorization``, adapted on the training texts, so it takes raw
strings and a saved ``.keras`` file classifies a raw sentence. The vocabulary is saved in the
model's configuration (JSON), not in Keras's ``vocabulary.txt`` of one word per line: a word that
holds another line separator than ``\n`` (U+0085, which a Windows ellipsis becomes when read
as Latin-1, or U+2028) splits that file's line in two, and the model would not load back.
Short texts are padded with token 0; ``Embedding(mask_zero=True)`` marks those steps and the
recurrent layer skips them, so padding does not change the result. The listing ends in
``Dense(10, activation="softmax")``; here the last layer has one unit per class of the data and
returns logits: train it with ``from_logits=True``.

``rnn`` picks the layer that reads the sequence of word vectors: ``lstm`` (the listing's),
``gru``, the bidirectional ``bilstm`` and ``bigru``, or ``bag``, no recurrent layer at all but the
mean of the word vectors: a bag-of-words baseline, blind to word order by construction.
"""

from __future__ import annotations

import keras
import tensorflow as tf
from keras import layers

RNN_KINDS = ("lstm", "gru", "bilstm", "bigru")
"""Recurrent layers `TextClassifier` can use; ``bi`` reads the text in both directions."""

SEQUENCE_READERS = (*RNN_KINDS, "bag")
"""What `TextClassifier` can read the word vectors with: a recurrent layer, or ``bag``, their
mean (order-blind)."""


def sequence_reader(rnn: str, units: int) -> layers.Layer:
    """The layer named ``rnn`` (one of `SEQUENCE_READERS`): a recurrent layer of ``units`` units,
    or for ``bag`` the mean of the unmasked word vectors, which no reordering of the words
    changes."""
    if rnn not in SEQUENCE_READERS:
        raise ValueError(f"unknown rnn {rnn!r}; expected one of {', '.join(SEQUENCE_READERS)}")
    if rnn == "bag":
        return layers.GlobalAveragePooling1D()
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
        vocabulary: list[str] | None = None,
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
            max_tokens=vocab_size, output_sequence_length=sequence_length, vocabulary=vocabulary
        )
        self.network = keras.Sequential(
            [
                keras.Input((sequence_length,), dtype="int64"),
                layers.Embedding(vocab_size, embedding_dim, mask_zero=True),
                sequence_reader(rnn, units),
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
        """The settings, and the vocabulary once `adapt` has built it (see the module
        docstring)."""
        vocabulary = [str(word) for word in self.vectorizer.get_vocabulary()]
        return {**super().get_config(), "num_classes": self.num_classes, "rnn": self.rnn,
                "vocab_size": self.vocab_size, "sequence_length": self.sequence_length,
                "embedding_dim": self.embedding_dim, "units": self.units,
                "vocabulary": vocabulary if len(vocabulary) > 2 else None}
