"""Chapter 9's exercises: the reference solutions against tf.GradientTape and Keras's KL
divergence, and wrong answers written as a learner would write them, each failing with the hint
of its mistake."""

from dlbook.exercises import ch09

import keras
import numpy as np
import pytest
import tensorflow as tf
from exercise_checks import wrong_answer_tests

RNG = np.random.default_rng(9)


def test_the_logit_gradients_are_the_tapes():
    z, y = tf.constant(RNG.normal(scale=4, size=20)), RNG.integers(0, 2, size=20).astype(float)
    with tf.GradientTape(persistent=True) as tape:
        tape.watch(z)
        p = tf.sigmoid(z)
        cross_entropy = tf.nn.sigmoid_cross_entropy_with_logits(y, z)
        squared = (p - y) ** 2
    ce, mse = ch09.logit_gradients(z.numpy(), y)
    np.testing.assert_allclose(ce, tape.gradient(cross_entropy, z), rtol=1e-10, atol=1e-15)
    np.testing.assert_allclose(mse, tape.gradient(squared, z), rtol=1e-10, atol=1e-15)


@pytest.mark.parametrize("activation", ["sigmoid", "tanh", "relu"])
def test_the_chain_gradient_is_the_tapes(activation):
    weights = [1.5, -0.7, 2.0, 0.9]
    x = tf.constant(0.4, tf.float64)
    with tf.GradientTape() as tape:
        tape.watch(x)
        h = x
        for w in weights:
            h = keras.activations.get(activation)(w * h)
    output, gradient = ch09.chain_gradient(0.4, weights, activation)
    assert output == pytest.approx(float(h), rel=1e-12)
    assert gradient == pytest.approx(float(tape.gradient(h, x)), rel=1e-10, abs=1e-15)


def test_the_kl_divergence_is_keras():
    q = np.array([[0.6, 0.3, 0.1], [1.0, 0.0, 0.0]])
    p = np.array([[0.7, 0.2, 0.1], [0.5, 0.25, 0.25]])
    keras_kl = keras.losses.KLDivergence(dtype="float64")
    assert ch09.kl_divergence(q, p) == pytest.approx(float(keras_kl(q, p)), rel=1e-5)
    assert ch09.kl_divergence(q[:1], p[:1]) == pytest.approx(float(keras_kl(q[:1], p[:1])),
                                                             rel=1e-12)  # Keras clips q's 0s


def test_translate_moves_the_pixels_and_fills_zeros():
    image = np.arange(1.0, 7.0).reshape(2, 3)
    np.testing.assert_array_equal(ch09.translate(image, 1, -1), [[0, 0, 0], [2, 3, 0]])
    np.testing.assert_array_equal(ch09.translate(image, 0, 0), image)


# Wrong answers, as a learner would write them -------------------------------------------------


def gradients_at_p(z, y):
    p = 1 / (1 + np.exp(-z))
    return p - y, 2 * (p - y)


def gradients_of_the_loss_at_p(z, y):
    p = 1 / (1 + np.exp(-z))
    return (p - y) / (p * (1 - p)), 2 * (p - y) * p * (1 - p)


def gradients_reversed(z, y):
    p = 1 / (1 + np.exp(-z))
    return y - p, 2 * (y - p) * p * (1 - p)


def gradients_without_two(z, y):
    p = 1 / (1 + np.exp(-z))
    return p - y, (p - y) * p * (1 - p)


def _derivative(name, z):
    if name == "sigmoid":
        s = 1 / (1 + np.exp(-z))
        return s * (1 - s)
    if name == "tanh":
        return 1 - np.tanh(z) ** 2
    return float(z > 0)


def _function(name, z):
    return {"sigmoid": 1 / (1 + np.exp(-z)), "tanh": np.tanh(z), "relu": max(z, 0.0)}[name]


def chain_slope_of_output(x, weights, activation):
    h, gradient = x, 1.0
    for w in weights:
        h = _function(activation, w * h)
        gradient *= w * _derivative(activation, h)
    return h, gradient


def chain_slopes_only(x, weights, activation):
    h, gradient = x, 1.0
    for w in weights:
        gradient *= _derivative(activation, w * h)
        h = _function(activation, w * h)
    return h, gradient


def chain_added(x, weights, activation):
    h, gradient = x, 0.0
    for w in weights:
        gradient += w * _derivative(activation, w * h)
        h = _function(activation, w * h)
    return h, gradient


def kl_backwards(q, p):
    ratio = np.where(p > 0, p / np.where(q > 0, q, 1.0), 1.0)
    return np.mean(np.sum(p * np.log(ratio), axis=1))


def kl_plain(q, p):
    return np.mean(np.sum(q * np.log(q / p), axis=1))


def kl_summed(q, p):
    total = 0.0
    for row_q, row_p in zip(q, p, strict=True):
        kept = row_q > 0
        total += np.sum(row_q[kept] * np.log(row_q[kept] / row_p[kept]))
    return total


def kl_cross_entropy(q, p):
    return -np.mean(np.sum(q * np.log(p), axis=1))


def translate_rolled(image, down, right):
    return np.roll(np.roll(image, down, axis=0), right, axis=1)


def translate_sideways(image, down, right):
    out = np.zeros_like(image)
    height, width = image.shape
    for i in range(height):
        for j in range(width):
            if 0 <= i - right < height and 0 <= j - down < width:
                out[i, j] = image[i - right, j - down]
    return out


def translate_backwards(image, down, right):
    out = np.zeros_like(image)
    height, width = image.shape
    for i in range(height):
        for j in range(width):
            if 0 <= i + down < height and 0 <= j + right < width:
                out[i, j] = image[i + down, j + right]
    return out


WRONG = {
    "9.1": [(gradients_at_p, "the MSE's gradient at p, not at z"),
            (gradients_of_the_loss_at_p, "the cross-entropy's gradient at p"),
            (gradients_reversed, "the sign"),
            (gradients_without_two, "the 2 of the square")],
    "9.2": [(chain_slope_of_output, "f' taken at the layer's output"),
            (chain_slopes_only, "the weights left out of the product"),
            (chain_added, "a sum of the factors")],
    "9.3": [(kl_backwards, "q and p swapped"),
            (kl_plain, "0 log 0 as nan"),
            (kl_summed, "a sum over the rows"),
            (kl_cross_entropy, "the cross-entropy")],
    "9.4": [(translate_rolled, "pixels wrapped around"),
            (translate_sideways, "rows and columns swapped"),
            (translate_backwards, "the wrong direction")],
}


(test_a_wrong_answer_fails_with_the_hint_of_its_mistake,
 test_every_exercise_has_three_wrong_answers_with_their_own_hints) = wrong_answer_tests(WRONG, "9")
