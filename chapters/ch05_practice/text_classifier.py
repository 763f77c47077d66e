# %% [markdown]
# # Section 5 · A simple RNN for text classification
#
# Tutorial: section 5 · 使用Python和TensorFlow实现简单的RNN (seed 001 §4.3)
#
# One listing of section 5 is a simple recurrent network (RNN) that classifies texts, a
# `keras.Sequential`: an embedding of 10,000 words in 64 dimensions (`input_length=100`), an
# LSTM of 64 units, dense 64 (ReLU) and dense 10 with a softmax. It is compiled with Adam, sparse
# categorical cross-entropy and the accuracy metric, and trained for 10 epochs in batches of 32.
# The listing does not say which texts it reads, nor how a text becomes the 100 word numbers its
# embedding takes.
#
# This page trains that network as listed, then dlbook's version of it, then a model that cannot
# read word order, to see what the recurrent layer is for. Where we depart from the listing:
#
# - **Data**: none there; here IMDB film reviews (negative or positive) when they are on disk or
#   can be downloaded, else a generated sentiment task whose labels depend on word order
#   (`--dataset auto`); or your own texts: a CSV/TSV table or a folder of text files.
# - **Text to numbers**: a `TextVectorization` layer of 10,000 tokens (the padding, one token for
#   every unknown word, and the 9,998 most frequent words of the training texts) cuts or pads
#   each text to 100 word numbers. In dlbook's model it is the first layer, so the saved model
#   takes raw text.
# - **`input_length=100`**: Keras 3 no longer has it (it warns and ignores it); a
#   `keras.Input((100,))` says the length instead.
# - **Output**: ten softmax units there, whatever the number of classes; dlbook's model has one
#   unit per class of the data and returns logits, the loss applies the softmax itself.
# - **Padding**: masked in dlbook's model, so that the LSTM skips it; **gradients** clipped
#   (section 3 clips them when it trains an RNN); **early stopping**: training stops when the
#   validation loss has not fallen by more than 0.001 for 2 epochs and keeps the best epoch's
#   weights (section 3 iterates until the validation performance stops improving).
#
# Each change is measured against the listing at the end of the page.

# %%
from typing import Literal

from dlbook.cli import start_page
from dlbook.data import load_text
from dlbook.models.saving import save_model
from dlbook.plots import plot_confusion_matrix, plot_history, plot_runs
from dlbook.training import EpochTimer, Trainer, keras_verbose, resumable_run

import keras
import numpy as np
import tensorflow as tf
from keras import layers

# %% [markdown]
# ## Settings
#
# Each constant is also a flag of the page (`--rnn gru`, `--dataset reviews.csv`; `--help`
# lists them). `--quick` trains one epoch on 2,048 texts.

# %%
EPOCHS = 10  # epochs of each model at most, the listing's 10 (early stopping may end sooner)
BATCH_SIZE = 32  # texts per gradient step, the listing's 32
RNN: Literal["lstm", "gru", "bilstm", "bigru"] = "lstm"  # the recurrent layer of dlbook's model
DATASET = "auto"  # auto, imdb, synthetic, a folder of texts, or a CSV/TSV file
TEXT_COLUMN: str | None = None  # a table's text column, by header name or number from 1
LABEL_COLUMN: str | None = None  # a table's label column, by header name or number from 1
ENCODING = "utf-8"  # the text encoding of a table (e.g. latin-1)

page = start_page("ch05_practice/text_classifier", globals(), resumable=True)

# %% [markdown]
# ## The data
#
# Batches of raw texts (`tf.string`) and their class numbers. A table is read by what its columns
# hold: the label and the text column are found by their header (`label`, `sentiment`, `text`,
# `review`...) or by their content (few distinct short values; long varied texts); the line
# printed below says which, and `LABEL_COLUMN`, `TEXT_COLUMN` name them. A table whose
# labels cannot be classes (thousands of distinct values, a class of one text) is refused here,
# before any training. A table keeps a fifth of each class for the test (IMDB and folders have
# their own test split), and a tenth of the training texts is held out for validation.
#
# Offline, `auto` generates reviews of two clauses, one with a positive and one with a negative
# adjective, one of the two negated: "not" flips the adjective after it ("not good" is negative,
# "not dull" positive), the clauses then agree, and the review has their sentiment. Every review
# holds the same kinds of words; only their order tells the label (`dlbook/data/sentiment.py`).

# %%
data = load_text(DATASET, batch_size=BATCH_SIZE, encoding=ENCODING, label_column=LABEL_COLUMN,
                 text_column=TEXT_COLUMN, **page.data_options)
print(data)
page.record(dataset=data.name, classes=data.class_names)  # chapter 6 reads the classes here
texts, labels = next(iter(data.train))
for text, label in zip(texts[:4].numpy(), labels[:4].numpy(), strict=True):
    print(f"  {data.class_names[label]:>10}: {text.decode(errors='replace')[:90]!r}")

# %% [markdown]
# ## From text to word numbers
#
# The listing's embedding takes word numbers. `TextVectorization` splits each text into
# lower-case words without punctuation and keeps `max_tokens=10_000` tokens: 0 for padding, 1 for
# any word it does not keep (`[UNK]`), and the numbers 2 to 9,999 for the 9,998 most frequent
# words of the training texts. It pads or cuts each text to 100 numbers.

# %%
vectorize = layers.TextVectorization(max_tokens=10_000, output_sequence_length=100)
vectorize.adapt(data.train.map(lambda text, label: text))
print(f"{vectorize.vocabulary_size():,} tokens in the vocabulary (padding, [UNK] and "
      f"{vectorize.vocabulary_size() - 2:,} words); the first text as numbers:")
print(vectorize(texts[:1]).numpy()[0, :24], "...")


def as_word_numbers(text, label):
    return vectorize(text), label


# %% [markdown]
# ## The listing's model
#
# The listing's `Sequential`, in Keras 3: `keras.Input((100,))` replaces `input_length=100`.
# An embedding is a table of 10,000 rows of 64 numbers: word number $i$ becomes row $i$, learnt
# like any weight. The LSTM reads the 100 vectors in order and keeps a state $h_t$ that depends
# on the state before it (section 4 writes that recurrence for a plain RNN,
# $h_t = f(W_{hh} h_{t-1} + W_{xh} x_t + b_h)$, and the LSTM's gates around it,
# `chapters/ch04_math/lstm_gru.py`); its last state goes to the two dense layers.
# Compiled and trained as listed: Adam, sparse categorical cross-entropy on the softmax and the
# accuracy metric.
# `resumable_run` lets an interrupted page resume at the last finished epoch.

# %%
listing = keras.Sequential([
    keras.Input((100,), dtype="int64"),
    layers.Embedding(10000, 64),
    layers.LSTM(64),
    layers.Dense(64, activation="relu"),
    layers.Dense(10, activation="softmax"),
], name="listing")
listing.compile(optimizer="adam", loss="sparse_categorical_crossentropy", metrics=["accuracy"])
listing.summary()

listing_timer = EpochTimer()
listing_validation = data.validation.map(as_word_numbers) if data.validation else None
listing_history = listing.fit(
    data.train.map(as_word_numbers), epochs=EPOCHS, validation_data=listing_validation,
    shuffle=False, verbose=keras_verbose(),
    callbacks=[*resumable_run(page.output_dir / "checkpoints" / f"{data.name}-listing", listing,
                              EPOCHS, data.identity, page.restart, data.train),
               listing_timer])
_, listing_accuracy = listing.evaluate(data.test.map(as_word_numbers), verbose=0)
print(f"The listing's model: test accuracy {listing_accuracy:.4f} on {data.name}")
page.record(listing_test_accuracy=listing_accuracy,
            listing_seconds_per_epoch=listing_timer.seconds_per_epoch)

# %% [markdown]
# ## dlbook's model
#
# `TextClassifier` is the same network with the changes listed at the top: its own
# `TextVectorization` first (`adapt` builds its vocabulary from the training texts), an
# embedding that marks the padding (`mask_zero=True`) so that the LSTM skips those steps, and a
# last layer of one logit per class. `rnn` picks the layer that reads the word vectors: the
# listing's LSTM, a GRU, either of them reading the text in both directions (`bilstm`,
# `bigru`), or `bag`, below, no recurrent layer at all.
#
# Saved as a `.keras` file, the model keeps its vocabulary in its configuration (JSON), not in
# Keras's `vocabulary.txt` of one word per line: a word that holds a line separator other than
# `\n` (U+0085, which a Windows ellipsis becomes when read as Latin-1, or U+2028) would split
# that file's line in two, and the model would not load back.
#
# The cell's first line, `#@save dlbook/models/text.py`, makes it part of the package as well
# (that module runs this page's cells so marked): chapter 6's sentiment page, the tests and
# your own code take it with `from dlbook.models import TextClassifier`, and a saved model
# loads back wherever `dlbook.models` is imported.

# %%
#@save dlbook/models/text.py
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
    """Section 5's text model reading raw text: a batch of strings ``[batch]`` -> logits
    ``[batch, num_classes]``, through TextVectorization (``vocab_size`` tokens: padding, [UNK]
    and the most frequent words; ``sequence_length`` per text), a masked embedding, the layer
    ``rnn`` and dense ``units`` (ReLU).

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
        """The settings, and the vocabulary once `adapt` has built it: in the configuration,
        not in a file of one word per line, which a word holding a line separator such as
        U+0085 or U+2028 would break."""
        vocabulary = [str(word) for word in self.vectorizer.get_vocabulary()]
        return {**super().get_config(), "num_classes": self.num_classes, "rnn": self.rnn,
                "vocab_size": self.vocab_size, "sequence_length": self.sequence_length,
                "embedding_dim": self.embedding_dim, "units": self.units,
                "vocabulary": vocabulary if len(vocabulary) > 2 else None}


# %% [markdown]
# It trains with dlbook's `Trainer` (the GradientTape loop of `lenet.py`, with checkpoints) on
# the batch mean of the cross-entropy, the gradients clipped to a global norm of 1, with early
# stopping on the validation loss. A fall of 0.001 or less counts as none (`min_delta`): on the
# generated task the LSTM is right about every validation text after one epoch, and its loss,
# already near 0, then falls by millionths an epoch, which would keep it training to the last.

# %%
model = TextClassifier(num_classes=len(data.class_names), rnn=RNN)
model.adapt(data.train)
model.network.summary()

patience = 2 if data.validation else None  # early stopping watches the validation loss
min_delta = 1e-3  # and counts a fall of 0.001 or less as no improvement
trainer = Trainer(model, keras.optimizers.Adam(), clip_norm=1.0)
history = trainer.fit(data.train, epochs=EPOCHS, validation_data=data.validation,
                      checkpoint_dir=page.output_dir / "checkpoints" / f"{data.name}-{RNN}",
                      log_dir=page.output_dir / "logs" / f"{data.name}-{RNN}",
                      identity=data.identity, restart=page.restart, patience=patience,
                      min_delta=min_delta)
test = trainer.evaluate(data.test)
print(f"Test accuracy of the {RNN.upper()} on {data.name}: {test['accuracy']:.4f} "
      f"(loss {test['loss']:.4f})")
page.record(test_accuracy=test["accuracy"], parameters=model.count_params(),
            epochs_trained=trainer.epochs_done, best_epoch=trainer.best_epoch,
            seconds_per_epoch=trainer.seconds_per_epoch, identity=trainer.identity)

# %% [markdown]
# ## Accuracy is not enough on unbalanced classes
#
# In the SMS Spam Collection 87% of the messages are ham: a model that answers "ham" every time
# is 87% accurate and useless. The $F_1$ score of the second class (positive, spam),
# $F_1 = \frac{2 P R}{P + R}$, the harmonic mean of its precision $P$ (how many texts called
# spam are spam) and recall $R$ (how many spams are found), is 0 for such a model.

# %%
logits = model.predict(data.test, verbose=0)
texts, labels = map(np.concatenate, zip(*data.test.as_numpy_iterator(), strict=True))
if len(data.class_names) == 2:
    f1_per_class = keras.metrics.F1Score(average=None)  # on the arg-max of each row
    f1_per_class.update_state(keras.ops.one_hot(labels, 2), keras.ops.softmax(logits))
    f1 = float(f1_per_class.result()[1])
    print(f"F1 of the class {data.class_names[1]!r}: {f1:.4f}")
    page.record(f1=f1)
plot_history(history, page.output_dir / "curves.png")
plot_confusion_matrix(labels, np.argmax(logits, axis=1), data.class_names,
                      page.output_dir / "confusion_matrix.png")

# %% [markdown]
# ## Does the order of the words matter?
#
# A model blind to word order: the same embedding, then the **mean** of the word vectors instead
# of the LSTM (`rnn="bag"`), then the same dense layers. Every reordering of a text's words gives
# it the same mean, so it sees a text as a bag of words. Trained the same way.

# %%
bag = TextClassifier(num_classes=len(data.class_names), rnn="bag")
bag.adapt(data.train)
bag_trainer = Trainer(bag, keras.optimizers.Adam(), clip_norm=1.0)
bag_history = bag_trainer.fit(data.train, epochs=EPOCHS, validation_data=data.validation,
                              checkpoint_dir=page.output_dir / "checkpoints" / f"{data.name}-bag",
                              identity=data.identity, restart=page.restart, patience=patience,
                              min_delta=min_delta, verbose=0)
bag_accuracy = bag_trainer.evaluate(data.test)["accuracy"]
print(f"Test accuracy on {data.name}: {RNN.upper()} {test['accuracy']:.4f}, bag of words "
      f"{bag_accuracy:.4f}")
page.record(bag_of_words_test_accuracy=bag_accuracy)
plot_runs({"the listing": listing_history, f"dlbook's {RNN.upper()}": history,
           "bag of words": bag_history}, page.output_dir / "models.png",
          metrics=("loss", "val_accuracy" if data.validation else "accuracy"))

# %% [markdown]
# The same words in two orders. The bag of words must give both the same probabilities; the
# LSTM can tell them apart, and on the generated task (and on film reviews) it should call the
# first negative and the second positive.

# %%
pair = tf.constant(["the plot was not good and the music was dull",
                    "the plot was good and the music was not dull"])
for name, classifier in ((RNN.upper(), model), ("bag of words", bag)):
    probabilities = keras.ops.softmax(classifier(pair)).numpy()
    print(f"{name:>12}: " + "; ".join(
        f"{data.class_names[p.argmax()]} ({p.max():.2f})" for p in probabilities))

# %% [markdown]
# ## The saved model reads raw text
#
# The `.keras` file holds the vocabulary with the weights: loaded back, it classifies a string.
# The first test text of each class:

# %%
model_path = save_model(model, page.output_dir / f"{data.name}-{RNN}.keras",
                        trained_on={**data.identity, "class_names": data.class_names})
reloaded = keras.saving.load_model(model_path)
examples = [np.flatnonzero(labels == label)[0] for label in np.unique(labels)]
probabilities = keras.ops.softmax(reloaded(tf.constant(texts[examples]))).numpy()
for text, label, p in zip(texts[examples], labels[examples], probabilities, strict=True):
    print(f"  predicted {data.class_names[p.argmax()]} ({p.max():.2f}), "
          f"true {data.class_names[label]}: {text.decode(errors='replace')[:70]!r}")
print(f"Model in {model_path}; plots, checkpoints and TensorBoard logs in {page.output_dir}/")

# %% [markdown]
# ## What to look at
#
# Test accuracy in full runs (10 epochs at most, batches of 32; `make bench`,
# `benchmarks/results/models.md`):
#
# | data | the listing | dlbook's LSTM | bag of words |
# | --- | ---: | ---: | ---: |
# | generated sentiment task (`--dataset synthetic`) | 49.80% | 100.00% | 49.90% |
# | SMS Spam Collection (a TSV file, 5,574 messages) | 86.62% | 98.11% | 97.40% |
#
# On the generated task the bag of words stays at chance, 50%, whatever it learns: every
# review holds one positive adjective, one negative adjective and one negation, so the words
# alone say nothing. The LSTM reads them in order and finds the rule. On real texts much of the
# label is in the words themselves, and the bag of words comes close to the LSTM.
#
# The listing's model learns nothing on either: on the SMS messages its validation accuracy
# stays at the share of "ham" for all 10 epochs (86.62% on the test set is that share), and on
# the generated task it stays at chance (`models.png`). The likeliest culprit is the padding:
# a short text becomes its words followed by zeros up to 100, and without a mask the listing's
# LSTM reads all those zeros after the last word; its last state, which is all the dense layers
# see, has by then let the words fade. dlbook's embedding marks the padding
# (`mask_zero=True`) and the LSTM stops at the last word.
#
# `curves.png`: the LSTM's loss and accuracy per epoch, training beside validation; the last
# epochs are those early stopping waited through before keeping the best one.
