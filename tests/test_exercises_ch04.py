"""Chapter 4's exercises: the reference solutions against dlbook.scratch and Keras, and wrong
answers written as a learner would write them, each failing with the hint of its mistake."""

from dlbook.exercises import ch04
from dlbook.scratch import conv2d, dense_backward, max_pool2d, rnn_forward
from dlbook.scratch.lstm import lstm_cell_forward

import keras
import numpy as np
import pytest
from exercise_checks import wrong_answer_tests

RNG = np.random.default_rng(0)


def test_the_references_agree_with_dlbook_scratch_and_keras():
    z = RNG.normal(scale=3, size=(4, 6))
    np.testing.assert_allclose(ch04.softmax(z), keras.activations.softmax(z), rtol=1e-12)
    labels = RNG.integers(0, 6, size=4)
    keras_loss = keras.losses.SparseCategoricalCrossentropy(from_logits=True, dtype="float64")
    assert ch04.cross_entropy_from_logits(labels, z) == pytest.approx(
        float(keras_loss(labels, z)), rel=1e-12)

    x, kernel, bias = RNG.normal(size=(2, 9, 8, 3)), RNG.normal(size=(3, 2, 3, 4)), RNG.normal(
        size=4)
    layer = keras.layers.Conv2D(4, (3, 2), strides=2, dtype="float64")
    layer.build(x.shape)
    layer.set_weights([kernel, bias])
    ours = ch04.conv2d(x, kernel, bias, stride=2)
    np.testing.assert_allclose(ours, conv2d(x, kernel, bias, stride=2), rtol=1e-12)
    np.testing.assert_allclose(ours, layer(x), rtol=1e-10)
    for size, k, stride, padding in [(28, 3, 1, 0), (10, 3, 2, 0), (9, 3, 2, 1), (8, 4, 3, 2)]:
        padded = np.zeros((1, size + 2 * padding, size + 2 * padding, 1))
        shape = conv2d(padded, np.zeros((k, k, 1, 1)), np.zeros(1), stride=stride).shape
        assert ch04.conv_output_size(size, k, stride, padding) == shape[1]

    images = RNG.normal(size=(2, 7, 6, 3))
    np.testing.assert_array_equal(ch04.max_pool2d(images, 2), max_pool2d(images, 2))
    np.testing.assert_array_equal(ch04.max_pool2d(images, 3),
                                  keras.layers.MaxPooling2D(3, dtype="float64")(images))


def test_the_recurrent_steps_agree_with_dlbook_scratch():
    x, h = RNG.normal(size=(3, 2)), RNG.normal(size=(3, 4))
    params = {"W_xh": RNG.normal(size=(4, 2)), "W_hh": RNG.normal(size=(4, 4)),
              "b_h": RNG.normal(size=4)}
    np.testing.assert_allclose(ch04.rnn_step(x, h, params["W_xh"], params["W_hh"],
                                             params["b_h"]),
                               rnn_forward(x[:, None], params, h0=h)[:, 0], rtol=1e-12)
    c = RNG.normal(size=(3, 4))
    lstm = {f"{kind}_{gate}": RNG.normal(size=(4, 6) if kind == "W" else 4)
            for gate in "fico" for kind in "Wb"}
    h_t, c_t, _ = lstm_cell_forward(x, h, c, lstm)
    ours = ch04.lstm_step(x, h, c, lstm)
    np.testing.assert_allclose(ours[0], h_t, rtol=1e-12)
    np.testing.assert_allclose(ours[1], c_t, rtol=1e-12)
    dy, W = RNG.normal(size=(3, 5)), RNG.normal(size=(5, 4))
    z = RNG.normal(size=(3, 5))
    for ours, theirs in zip(ch04.dense_backward(dy, h, z, W), dense_backward(dy, h, z, W),
                            strict=True):
        np.testing.assert_allclose(ours, theirs, rtol=1e-12)


# Wrong answers, as a learner would write them -------------------------------------------------


def softmax_textbook(z):
    exps = np.exp(z)
    return exps / np.sum(exps, axis=-1, keepdims=True)


def softmax_global_shift(z):
    exps = np.exp(z - np.max(z))
    return exps / np.sum(exps, axis=-1, keepdims=True)


def softmax_columns(z):
    exps = np.exp(z - np.max(z, axis=0))
    return exps / np.sum(exps, axis=0)


def softmax_one_total(z):
    exps = np.exp(z - z.max(axis=-1, keepdims=True))
    return exps / exps.sum()


def cross_entropy_summed(labels, logits):
    total = 0.0
    for row, label in zip(logits, labels, strict=True):
        shifted = row - row.max()
        total -= shifted[label] - np.log(np.exp(shifted).sum())
    return total


def cross_entropy_naive(labels, logits):
    probabilities = np.exp(logits) / np.exp(logits).sum(axis=1, keepdims=True)
    return -np.mean(np.log(probabilities[range(len(labels)), labels]))


def cross_entropy_logits_as_probabilities(labels, logits):
    return -np.mean(np.log(logits[np.arange(len(labels)), labels]))


def cross_entropy_rows(labels, logits):
    shifted = logits - logits.max(axis=1, keepdims=True)
    log_p = shifted - np.log(np.exp(shifted).sum(axis=1, keepdims=True))
    return -np.mean(log_p[labels])


def conv_size_steps(size, kernel, stride=1, padding=0):
    return (size - kernel + 2 * padding) // stride


def conv_size_float(size, kernel, stride=1, padding=0):
    return (size - kernel + 2 * padding) / stride + 1


def conv_size_ceil(size, kernel, stride=1, padding=0):
    return int(np.ceil((size - kernel + 2 * padding) / stride)) + 1


def conv_size_one_pad(size, kernel, stride=1, padding=0):
    return (size + padding - kernel) // stride + 1


def conv_true_convolution(x, kernel, bias, stride=1):
    kh, kw, _, filters = kernel.shape
    out_h, out_w = (x.shape[1] - kh) // stride + 1, (x.shape[2] - kw) // stride + 1
    y = np.zeros((x.shape[0], out_h, out_w, filters))
    flipped = np.flip(kernel, axis=(0, 1))
    for n in range(x.shape[0]):
        for i in range(out_h):
            for j in range(out_w):
                patch = x[n, i * stride : i * stride + kh, j * stride : j * stride + kw]
                for f in range(filters):
                    y[n, i, j, f] = np.sum(patch * flipped[..., f]) + bias[f]
    return y


def conv_no_bias(x, kernel, bias, stride=1):
    kh, kw, _, filters = kernel.shape
    out_h, out_w = (x.shape[1] - kh) // stride + 1, (x.shape[2] - kw) // stride + 1
    y = np.zeros((x.shape[0], out_h, out_w, filters))
    for i in range(out_h):
        for j in range(out_w):
            patch = x[:, i * stride : i * stride + kh, j * stride : j * stride + kw]
            y[:, i, j] = np.einsum("npqc,pqcf->nf", patch, kernel)
    return y


def conv_unstrided_windows(x, kernel, bias, stride=1):
    kh, kw, _, filters = kernel.shape
    out_h, out_w = (x.shape[1] - kh) // stride + 1, (x.shape[2] - kw) // stride + 1
    y = np.zeros((x.shape[0], out_h, out_w, filters))
    for i in range(out_h):
        for j in range(out_w):
            patch = x[:, i : i + kh, j : j + kw]
            y[:, i, j] = np.einsum("npqc,pqcf->nf", patch, kernel) + bias
    return y


def pool_mean(x, size=2):
    n, h, w, c = x.shape
    y = np.zeros((n, h // size, w // size, c))
    for i in range(h // size):
        for j in range(w // size):
            window = x[:, i * size : (i + 1) * size, j * size : (j + 1) * size]
            y[:, i, j] = window.mean(axis=(1, 2))
    return y


def pool_from_zero(x, size=2):
    n, h, w, c = x.shape
    y = np.zeros((n, h // size, w // size, c))
    for p in range(size):
        for q in range(size):
            y = np.maximum(y, x[:, p : (h // size) * size : size, q : (w // size) * size : size])
    return y


def pool_all_channels(x, size=2):
    n, h, w, c = x.shape
    y = np.zeros((n, h // size, w // size, 1))
    for i in range(h // size):
        for j in range(w // size):
            y[:, i, j, 0] = x[:, i * size : (i + 1) * size, j * size : (j + 1) * size].max(
                axis=(1, 2, 3))
    return y


def rnn_kernel_layout(x_t, h_prev, W_xh, W_hh, b_h):
    return np.tanh(np.dot(x_t, W_xh) + np.dot(h_prev, W_hh) + b_h)


def rnn_linear(x_t, h_prev, W_xh, W_hh, b_h):
    return x_t @ W_xh.T + h_prev @ W_hh.T + b_h


def rnn_forgets(x_t, h_prev, W_xh, W_hh, b_h):
    return np.tanh(x_t @ W_xh.T + b_h)


def lstm_gates(stacked, params):
    """A learner's four gates from the stacked vector: (f, i, o, candidate)."""
    def sigmoid(v):
        return 1 / (1 + np.exp(-v))

    return (sigmoid(stacked @ params["W_f"].T + params["b_f"]),
            sigmoid(stacked @ params["W_i"].T + params["b_i"]),
            sigmoid(stacked @ params["W_o"].T + params["b_o"]),
            np.tanh(stacked @ params["W_c"].T + params["b_c"]))


def lstm_xh(x_t, h_prev, c_prev, params):
    f, i, o, candidate = lstm_gates(np.hstack([x_t, h_prev]), params)
    c = f * c_prev + i * candidate
    return o * np.tanh(c), c


def lstm_raw_cell(x_t, h_prev, c_prev, params):
    f, i, o, candidate = lstm_gates(np.hstack([h_prev, x_t]), params)
    c = f * c_prev + i * candidate
    return o * c, c


def lstm_shows_old_cell(x_t, h_prev, c_prev, params):
    f, i, o, candidate = lstm_gates(np.hstack([h_prev, x_t]), params)
    return o * np.tanh(c_prev), f * c_prev + i * candidate


def dense_backward_xT_delta(dL_dy, x, z, W):
    s = 1 / (1 + np.exp(-z))
    delta = dL_dy * s * (1 - s)
    return delta @ W, x.T @ delta, np.sum(delta, axis=0)


def dense_backward_without_slope(dL_dy, x, z, W):
    return dL_dy @ W, dL_dy.T @ x, dL_dy.sum(axis=0)


def dense_backward_slope_of_z(dL_dy, x, z, W):
    delta = dL_dy * z * (1 - z)
    return delta @ W, delta.T @ x, delta.sum(axis=0)


def dense_backward_mean_bias(dL_dy, x, z, W):
    s = 1 / (1 + np.exp(-z))
    delta = dL_dy * s * (1 - s)
    return delta @ W, delta.T @ x, delta.mean(axis=0)


WRONG = {
    "4.1": [(softmax_textbook, "the softmax as written"),
            (softmax_global_shift, "the largest score of the whole batch"),
            (softmax_columns, "the wrong axis"),
            (softmax_one_total, "the sum of the whole batch")],
    "4.2": [(cross_entropy_summed, "a sum instead of a mean"),
            (cross_entropy_naive, "the softmax as written, then its log"),
            (cross_entropy_logits_as_probabilities,
             "the logits taken for probabilities (the missing from_logits=True)"),
            (cross_entropy_rows, "rows picked by the labels")],
    "4.3": [(conv_size_steps, "the first position forgotten"),
            (conv_size_float, "a fraction of a window"),
            (conv_size_ceil, "rounded up"),
            (conv_size_one_pad, "padding on one side")],
    "4.4": [(conv_true_convolution, "the kernel flipped"),
            (conv_no_bias, "the bias forgotten"),
            (conv_unstrided_windows, "the window not moved by the stride")],
    "4.5": [(pool_mean, "average pooling"),
            (pool_from_zero, "a maximum started at 0"),
            (pool_all_channels, "the maximum across channels")],
    "4.6": [(rnn_kernel_layout, "transposed weights"),
            (rnn_linear, "no activation"),
            (rnn_forgets, "the previous state ignored")],
    "4.7": [(lstm_xh, "[x_t, h_prev] stacked the other way round"),
            (lstm_raw_cell, "h_t without the tanh"),
            (lstm_shows_old_cell, "h_t from the old cell state")],
    "4.8": [(dense_backward_xT_delta, "dW transposed"),
            (dense_backward_without_slope, "the activation's derivative forgotten"),
            (dense_backward_slope_of_z, "sigmoid'(z) as z (1 - z)"),
            (dense_backward_mean_bias, "db averaged")],
}


(test_a_wrong_answer_fails_with_the_hint_of_its_mistake,
 test_every_exercise_has_three_wrong_answers_with_their_own_hints) = wrong_answer_tests(WRONG, "4")
