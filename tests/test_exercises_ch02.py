"""Chapter 2's exercises: the reference solutions against dlbook.scratch, Keras and the pages'
definitions, and wrong answers written as a learner would write them, each failing with the hint
of its mistake."""

from dlbook.exercises import ch02
from dlbook.scratch.activations import ACTIVATIONS

import keras
import numpy as np
import pytest
import tensorflow as tf
from exercise_checks import wrong_answer_tests

RNG = np.random.default_rng(2)


def test_the_perceptron_rule_learns_and_leaves_right_answers_alone():
    w, b = ch02.perceptron_update(np.array([0.0, 0.0]), 0.0, np.array([1.0, 1.0]), 1, 0.5)
    np.testing.assert_array_equal(w, [0.5, 0.5])
    assert b == 0.5
    same = ch02.perceptron_update(w, b, np.array([1.0, 0.0]), 1, 0.5)
    np.testing.assert_array_equal(same[0], w)
    inputs, targets = np.array([[0, 0], [0, 1], [1, 0], [1, 1]], float), [0, 0, 0, 1]
    w, b = np.zeros(2), 0.0
    for _ in range(20):  # AND is separable: the rule converges
        for x, y in zip(inputs, targets, strict=True):
            w, b = ch02.perceptron_update(w, b, x, y, 0.1)
    assert [int(x @ w + b > 0) for x in inputs] == targets


def test_the_derivatives_agree_with_dlbook_scratch():
    z = np.linspace(-6, 6, 25)
    ours = ch02.activation_derivatives(z)
    for name in ("sigmoid", "tanh", "relu", "leaky_relu"):
        np.testing.assert_allclose(ours[name], ACTIVATIONS[name][1](z), rtol=1e-12)


def test_attention_agrees_with_tensorflow():
    q, k, v = RNG.normal(size=(2, 3, 4)), RNG.normal(size=(2, 5, 4)), RNG.normal(size=(2, 5, 6))
    weights = tf.nn.softmax(tf.matmul(q, k, transpose_b=True) / 2.0, axis=-1)
    output, ours = ch02.attention(q, k, v)
    np.testing.assert_allclose(ours, weights, rtol=1e-12)
    np.testing.assert_allclose(output, tf.matmul(weights, v), rtol=1e-12)


def test_the_normalized_adjacency_of_a_path():
    a_hat = ch02.normalized_adjacency(np.array([[0, 1, 0], [1, 0, 1], [0, 1, 0]], float))
    # degrees with the self-loops: 2, 3, 2
    expected = np.array([[1 / 2, 1 / np.sqrt(6), 0], [1 / np.sqrt(6), 1 / 3, 1 / np.sqrt(6)],
                         [0, 1 / np.sqrt(6), 1 / 2]])
    np.testing.assert_allclose(a_hat, expected, rtol=1e-12)


@pytest.mark.parametrize(("kind", "inputs", "units", "kernel_size", "layer", "shape"), [
    ("dense", 784, 256, 1, keras.layers.Dense(256), (None, 784)),
    ("conv2d", 32, 64, 3, keras.layers.Conv2D(64, 3), (None, 13, 13, 32)),
    ("lstm", 64, 64, 1, keras.layers.LSTM(64), (None, 10, 64)),
    ("gru", 3, 5, 1, keras.layers.GRU(5), (None, 10, 3)),
])
def test_the_parameter_counts_are_keras_counts(kind, inputs, units, kernel_size, layer, shape):
    layer.build(shape)
    assert ch02.layer_parameters(kind, inputs, units, kernel_size) == layer.count_params()


# Wrong answers, as a learner would write them -------------------------------------------------


def perceptron_delta_rule(w, b, x, y, rate):
    output = np.dot(w, x) + b
    return w + rate * (y - output) * x, b + rate * (y - output)


def perceptron_backwards(w, b, x, y, rate):
    guess = int(np.dot(w, x) + b > 0)
    return w - rate * (y - guess) * x, b - rate * (y - guess)


def perceptron_without_bias(w, b, x, y, rate):
    guess = 1 if np.dot(w, x) + b > 0 else 0
    return w + rate * (y - guess) * x, b


def perceptron_step_at_zero(w, b, x, y, rate):
    guess = 1 if np.dot(w, x) + b >= 0 else 0
    return w + rate * (y - guess) * x, b + rate * (y - guess)


def derivatives_of_outputs(z):
    return {"sigmoid": z * (1 - z), "tanh": 1 - np.tanh(z) ** 2,
            "relu": (z > 0).astype(float), "leaky_relu": np.where(z > 0, 1.0, 0.2)}


def derivatives_tanh_unsquared(z):
    s = 1 / (1 + np.exp(-z))
    return {"sigmoid": s * (1 - s), "tanh": 1 - np.tanh(z),
            "relu": (z > 0).astype(float), "leaky_relu": np.where(z > 0, 1.0, 0.2)}


def derivatives_relu_one_at_zero(z):
    s = 1 / (1 + np.exp(-z))
    return {"sigmoid": s * (1 - s), "tanh": 1 - np.tanh(z) ** 2,
            "relu": (z >= 0).astype(float), "leaky_relu": np.where(z >= 0, 1.0, 0.2)}


def derivatives_leaky_function(z):
    s = 1 / (1 + np.exp(-z))
    leaky = np.ones_like(z)
    leaky[z <= 0] = 0.2 * z[z <= 0]
    return {"sigmoid": s * (1 - s), "tanh": 1 - np.tanh(z) ** 2,
            "relu": (z > 0).astype(float), "leaky_relu": leaky}


def attention_unscaled(queries, keys, values):
    scores = np.einsum("bqd,bkd->bqk", queries, keys)
    weights = np.exp(scores - scores.max(axis=-1, keepdims=True))
    weights /= weights.sum(axis=-1, keepdims=True)
    return weights @ values, weights


def attention_by_d(queries, keys, values):
    d = queries.shape[-1]
    scores = np.einsum("bqd,bkd->bqk", queries, keys) / d
    weights = np.exp(scores - scores.max(axis=-1, keepdims=True))
    weights /= weights.sum(axis=-1, keepdims=True)
    return weights @ values, weights


def attention_softmax_over_queries(queries, keys, values):
    scores = queries @ np.transpose(keys, (0, 2, 1)) / np.sqrt(keys.shape[2])
    weights = np.exp(scores - scores.max(axis=1, keepdims=True))
    weights /= weights.sum(axis=1, keepdims=True)
    return weights @ values, weights


def attention_overflowing(queries, keys, values):
    scores = queries @ np.transpose(keys, (0, 2, 1)) / np.sqrt(keys.shape[2])
    weights = np.exp(scores) / np.exp(scores).sum(axis=2, keepdims=True)
    return weights @ values, weights


def adjacency_plain(adjacency):
    degrees = adjacency.sum(axis=0)
    d = np.diag(degrees ** -0.5)
    return d @ adjacency @ d


def adjacency_mean_of_neighbours(adjacency):
    a = adjacency + np.identity(adjacency.shape[0])
    return np.diag(1 / a.sum(axis=1)) @ a


def adjacency_degrees_before_loops(adjacency):
    d = np.diag(1 / np.sqrt(adjacency.sum(axis=1)))
    return d @ (adjacency + np.identity(adjacency.shape[0])) @ d


def parameters_weights_only(kind, inputs, units, kernel_size=1):
    if kind == "dense":
        return inputs * units
    if kind == "conv2d":
        return kernel_size * kernel_size * inputs * units
    gates = 4 if kind == "lstm" else 3
    return gates * units * (inputs + units)


def parameters_one_lstm_gate(kind, inputs, units, kernel_size=1):
    if kind == "dense":
        return (inputs + 1) * units
    if kind == "conv2d":
        return (kernel_size**2 * inputs + 1) * units
    return units * (inputs + units) + units


def parameters_gru_like_lstm(kind, inputs, units, kernel_size=1):
    if kind == "dense":
        return (inputs + 1) * units
    if kind == "conv2d":
        return (kernel_size**2 * inputs + 1) * units
    gates = 4 if kind == "lstm" else 3
    return gates * (units * (inputs + units) + units)


WRONG = {
    "2.1": [(perceptron_delta_rule, "the weighted sum in place of the prediction"),
            (perceptron_backwards, "the update's sign"),
            (perceptron_without_bias, "the bias left out"),
            (perceptron_step_at_zero, "1 on the line")],
    "2.2": [(derivatives_of_outputs, "sigma'(z) as z (1 - z)"),
            (derivatives_tanh_unsquared, "tanh' without the square"),
            (derivatives_relu_one_at_zero, "ReLU'(0) = 1"),
            (derivatives_leaky_function, "the leaky ReLU itself")],
    "2.3": [(attention_unscaled, "no scaling"),
            (attention_by_d, "divided by d"),
            (attention_softmax_over_queries, "the softmax over the queries"),
            (attention_overflowing, "an overflowing softmax")],
    "2.4": [(adjacency_plain, "no self-loops"),
            (adjacency_mean_of_neighbours, "the rows normalized"),
            (adjacency_degrees_before_loops, "the degrees of A without its self-loops")],
    "2.5": [(parameters_weights_only, "the biases forgotten"),
            (parameters_one_lstm_gate, "one gate counted"),
            (parameters_gru_like_lstm, "one bias per GRU gate")],
}


(test_a_wrong_answer_fails_with_the_hint_of_its_mistake,
 test_every_exercise_has_three_wrong_answers_with_their_own_hints) = wrong_answer_tests(WRONG, "2")
