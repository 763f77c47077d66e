"""The text classifier of section 5 (a simple RNN), and its order-blind bag-of-words twin."""

from dlbook.data.sentiment import read_sentiment
from dlbook.models.text import TextClassifier
from dlbook.training import Trainer

import keras
import numpy as np
import pytest
import tensorflow as tf

TEXTS = ["a great movie, I loved it", "a terrible film; I hated it", "wonderful acting",
         "boring plot and awful dialogue", "great fun", "awful, just awful"]
LABELS = [1, 0, 1, 0, 1, 0]


def text_batches(batch_size=6):
    return tf.data.Dataset.from_tensor_slices((TEXTS, LABELS)).batch(batch_size)


def adapted(**kwargs):
    keras.utils.set_random_seed(0)
    model = TextClassifier(**kwargs)
    model.adapt(text_batches())
    return model


EMBEDDING = 10_000 * 64
HEAD = {1: (64 * 64 + 64) + (64 * 2 + 2), 2: (128 * 64 + 64) + (64 * 2 + 2)}
LSTM = 4 * (64 * (64 + 64) + 64)  # four gates, each on [input, state] plus a bias
GRU = 3 * (64 * (64 + 64) + 2 * 64)  # three gates; Keras's reset_after GRU has two biases each


@pytest.mark.parametrize(
    ("rnn", "expected"),
    [("lstm", EMBEDDING + LSTM + HEAD[1]), ("gru", EMBEDDING + GRU + HEAD[1]),
     ("bilstm", EMBEDDING + 2 * LSTM + HEAD[2]), ("bigru", EMBEDDING + 2 * GRU + HEAD[2])],
)
def test_each_rnn_gives_logits_and_the_listings_parameter_count(rnn, expected):
    model = adapted(rnn=rnn, sequence_length=10)  # the weights do not depend on the length
    logits = model(tf.constant(TEXTS[:3]))
    assert logits.shape == (3, 2)
    assert model.count_params() == expected


def test_unknown_rnn_lists_the_known_ones():
    with pytest.raises(ValueError, match="unknown rnn 'rnn'; expected one of lstm, gru, bilstm, "
                       "bigru, bag"):
        TextClassifier(rnn="rnn")


def test_the_bag_of_words_is_the_mean_of_the_word_vectors_whatever_their_order():
    model = adapted(rnn="bag", sequence_length=12)
    texts = tf.constant(["not good and dull", "good and not dull", "dull and good not",
                         "not good and dull, not good and dull"])
    logits = model(texts).numpy()
    assert model.count_params() == EMBEDDING + HEAD[1]  # no recurrent weights
    np.testing.assert_allclose(logits[1:], np.repeat(logits[:1], 3, axis=0), rtol=1e-5, atol=1e-6)
    embedding = model.network.layers[0]
    words = model.vectorizer(texts[:1])[0]
    words = words[words != 0]
    mean = tf.reduce_mean(embedding(words), axis=0, keepdims=True)
    head = keras.Sequential(model.network.layers[2:])
    np.testing.assert_allclose(head(mean), logits[:1], rtol=1e-5, atol=1e-6)
    lstm = adapted(sequence_length=12)
    assert not np.allclose(lstm(texts[:1]), lstm(texts[1:2]))  # the LSTM reads the order


def test_vocabulary_and_sequence_length_are_configurable():
    model = adapted(vocab_size=50, sequence_length=7, num_classes=3)
    tokens = model.vectorizer(tf.constant(TEXTS))
    assert tokens.shape == (6, 7)
    assert model(tf.constant(TEXTS)).shape == (6, 3)
    assert model.count_params() == 50 * 64 + LSTM + (64 * 64 + 64) + (64 * 3 + 3)


@pytest.mark.parametrize("rnn", ["lstm", "bigru", "bag"])
def test_padding_is_masked(rnn):
    text = tf.constant(["a great movie"])
    padded = adapted(rnn=rnn, vocab_size=100, units=8, sequence_length=30)  # 27 padding tokens
    unpadded = adapted(rnn=rnn, vocab_size=100, units=8, sequence_length=3)
    unpadded.network.set_weights(padded.network.get_weights())
    assert np.count_nonzero(padded.vectorizer(text)) == 3
    np.testing.assert_allclose(unpadded(text), padded(text), rtol=1e-5, atol=1e-6)
    # In a batch, each text gets its own amount of padding.
    np.testing.assert_allclose(padded(tf.constant(TEXTS))[0], padded(tf.constant(TEXTS[:1]))[0],
                               rtol=1e-5, atol=1e-6)


@pytest.mark.parametrize(
    "bad", [np.zeros((2, 100), np.float32), np.array([[3, 4]]), np.array([["two dims"]])]
)
def test_non_string_input_says_a_batch_of_strings_was_expected(bad):
    with pytest.raises(ValueError, match=r"expects a batch of strings of shape \(batch,\), got"):
        adapted()(bad)


def test_using_the_model_before_adapt_says_so():
    with pytest.raises(RuntimeError, match=r"call model.adapt\(training_texts\) first"):
        TextClassifier()(tf.constant(["no vocabulary yet"]))


def test_adapt_takes_texts_alone_or_with_labels():
    texts_only = TextClassifier()
    texts_only.adapt(text_batches().map(lambda text, label: text))
    assert texts_only.vectorizer.get_vocabulary() == adapted().vectorizer.get_vocabulary()


@pytest.mark.parametrize("rnn", ["lstm", "bigru"])
def test_keras_file_round_trip_classifies_raw_strings(rnn, tmp_path):
    model = adapted(rnn=rnn, num_classes=3, sequence_length=12)
    sentences = tf.constant(["a great movie", "an unseen word: zyzzyva", ""])
    expected = model(sentences)
    model.save(tmp_path / "text.keras")
    loaded = keras.saving.load_model(tmp_path / "text.keras", safe_mode=True)
    assert isinstance(loaded, TextClassifier)
    assert (loaded.rnn, loaded.num_classes, loaded.sequence_length) == (rnn, 3, 12)
    assert loaded.vectorizer.get_vocabulary() == model.vectorizer.get_vocabulary()
    np.testing.assert_array_equal(loaded(sentences), expected)
    # a batch of one, not three: the float sums may differ in the last bits, nothing more
    from_numpy = loaded.predict(np.array(["a great movie"], dtype=object), verbose=0)
    np.testing.assert_allclose(from_numpy, expected[:1], rtol=1e-5, atol=1e-7)


def test_the_lstm_learns_the_negation_rule_that_the_bag_of_words_cannot():
    """Section 4's recurrence reads words in order: on the synthetic task, whose words alone say
    nothing, the LSTM learns the rule and the bag of words stays at chance."""
    (train_texts, train_labels), (test_texts, test_labels), _ = read_sentiment(2000, 1000)
    train = tf.data.Dataset.from_tensor_slices((train_texts.astype(str), train_labels))
    train = train.shuffle(2000, seed=0).batch(32)
    test = tf.data.Dataset.from_tensor_slices((test_texts.astype(str), test_labels)).batch(500)
    accuracy, losses = {}, {}
    for rnn in ("lstm", "bag"):
        model = adapted(rnn=rnn, vocab_size=100, sequence_length=16, units=32)
        model.adapt(train)
        trainer = Trainer(model, keras.optimizers.Adam(3e-3), clip_norm=1.0)
        losses[rnn] = trainer.fit(train, epochs=3, verbose=0).history["loss"]
        accuracy[rnn] = trainer.evaluate(test)["accuracy"]
    assert losses["lstm"][-1] < 0.2 * losses["lstm"][0], losses
    assert accuracy["lstm"] > 0.95, accuracy
    assert 0.4 < accuracy["bag"] < 0.6, accuracy
