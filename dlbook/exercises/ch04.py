"""Chapter 4's exercises: the formulas in NumPy (softmax, cross-entropy, convolution, pooling, the
recurrent and LSTM steps, the delta rule). NumPy only."""

from __future__ import annotations

from functools import partial

from dlbook.exercises.core import Case, Exercise, Mistake, case
from dlbook.exercises.i18n import N_
from dlbook.scratch.activations import softmax

import numpy as np

# ------------------------------------------------------------------------------------------------
# 4.1 Softmax, stable for large logits


def _softmax_cases() -> list[Case]:
    rng = np.random.default_rng(41)
    return [
        case(N_("one row of three scores"), np.array([[1.0, 2.0, 3.0]])),
        case(N_("a square batch, 3 rows of 3 scores"), rng.normal(size=(3, 3))),
        case(N_("a batch of 4 rows of 5 scores"), rng.normal(size=(4, 5))),
        case(N_("one score per row (its softmax is 1)"), np.array([[0.3], [-2.0], [7.0]])),
        case(N_("large logits, near 1000 (e^1000 overflows in float64)"),
             np.array([[1000.0, 1001.0, 1002.0], [-1000.0, -999.0, -998.0]])),
        case(N_("two rows far apart, each needing its own largest score"),
             np.array([[0.0, 1.0], [1000.0, 1001.0]])),
        case(N_("a single vector (1-D: its only axis is the last)"), np.array([0.5, -1.0, 2.0])),
        case(N_("a batch of shape (2, 3, 4): the last axis"), rng.normal(size=(2, 3, 4))),
    ]


def _softmax_as_written(z):
    return np.exp(z) / np.exp(z).sum(axis=-1, keepdims=True)


def _softmax_batch_max(z):
    e = np.exp(z - z.max())
    return e / e.sum(axis=-1, keepdims=True)


def _softmax_first_axis(z):
    e = np.exp(z - z.max(axis=0, keepdims=True))
    return e / e.sum(axis=0, keepdims=True)


def _softmax_whole_sum(z):
    e = np.exp(z - z.max(axis=-1, keepdims=True))
    return e / e.sum()


def _softmax_without_keepdims(z):
    e = np.exp(z - z.max(axis=-1, keepdims=True))
    return e / e.sum(axis=-1)


SOFTMAX = Exercise(
    "4.1", "softmax", softmax, _softmax_cases,
    hint=N_("Each row of scores (the last axis) becomes its own distribution: e^z divided by the "
            "row's sum of e^z. Subtract each row's largest score before exp (it cancels in the "
            "ratio) so that no exp overflows; keep the axis (keepdims=True) so that the row sums "
            "divide their own rows."),
    mistakes=[
        Mistake(N_("the softmax as written"),
                N_("e^z overflows to inf for z above about 709, and inf / inf is nan. Subtract "
                   "each row's largest score first: the factor e^-max cancels in the ratio."),
                _softmax_as_written),
        Mistake(N_("the largest score of the whole batch"),
                N_("you subtracted the largest score of the whole batch: a row far below it "
                   "underflows to 0 / 0 = nan. Subtract each row's own largest score, "
                   "z.max(axis=-1, keepdims=True)."), _softmax_batch_max),
        Mistake(N_("the wrong axis"),
                N_("you normalized along the first axis, across the examples: each row (the "
                   "last axis, axis=-1) must sum to 1."), _softmax_first_axis),
        Mistake(N_("the sum of the whole batch"),
                N_("you divided by the sum over the whole array: each row must sum to 1 on its "
                   "own, so sum along axis=-1 with keepdims=True."), _softmax_whole_sum),
        Mistake(N_("the row sums without keepdims"),
                N_("without keepdims=True the row sums have shape (N,) and broadcast along the "
                   "last axis, dividing columns instead of rows."), _softmax_without_keepdims),
    ],
    rtol=1e-6, atol=1e-12,
)

# ------------------------------------------------------------------------------------------------
# 4.2 Cross-entropy from logits


def cross_entropy_from_logits(labels: np.ndarray, logits: np.ndarray) -> float:
    """Mean over the examples of ``-log softmax(logits)[label]``, by the log-sum-exp."""
    shifted = logits - logits.max(axis=1, keepdims=True)
    log_p = shifted - np.log(np.exp(shifted).sum(axis=1, keepdims=True))
    return float(-log_p[np.arange(len(labels)), labels].mean())


def _cross_entropy_cases() -> list[Case]:
    rng = np.random.default_rng(42)
    return [
        case(N_("a batch of 4 examples, 3 classes"), np.array([0, 2, 1, 2]),
             rng.normal(size=(4, 3))),
        case(N_("a batch of one"), np.array([1]), np.array([[0.5, 2.0, -1.0]])),
        case(N_("large logits, the true class the largest"), np.array([0, 1]),
             np.array([[1000.0, 999.0], [-5.0, 700.0]])),
        case(N_("large logits, the true class far below the largest"), np.array([2, 0]),
             np.array([[1000.0, 0.0, -1000.0], [0.0, 800.0, 5.0]])),
        case(N_("confidently right (a loss near 0)"), np.array([0, 1]),
             np.array([[50.0, 0.0, 0.0], [0.0, 40.0, -3.0]])),
        case(N_("10 classes, 5 examples"), np.array([9, 0, 3, 3, 7]),
             rng.normal(scale=3, size=(5, 10))),
    ]


def _log_softmax(z):
    shifted = z - z.max(axis=1, keepdims=True)
    return shifted - np.log(np.exp(shifted).sum(axis=1, keepdims=True))


def _cross_entropy_summed(labels, logits):
    return float(-_log_softmax(logits)[np.arange(len(labels)), labels].sum())


def _cross_entropy_of_probabilities(labels, logits):
    p = np.exp(logits) / np.exp(logits).sum(axis=1, keepdims=True)
    return float(-np.log(p[np.arange(len(labels)), labels]).mean())


def _cross_entropy_log_of_softmax(labels, logits):
    return float(-np.log(softmax(logits)[np.arange(len(labels)), labels]).mean())


def _cross_entropy_logits_as_probabilities(labels, logits):
    return float(-np.log(logits[np.arange(len(labels)), labels]).mean())


def _cross_entropy_rows(labels, logits):
    return float(-_log_softmax(logits)[labels].mean())


def _cross_entropy_positive(labels, logits):
    return float(_log_softmax(logits)[np.arange(len(labels)), labels].mean())


CROSS_ENTROPY = Exercise(
    "4.2", "cross_entropy_from_logits", cross_entropy_from_logits, _cross_entropy_cases,
    hint=N_("log softmax(z)_k = z_k - log sum_j e^{z_j}; shift each row by its largest score "
            "first (z - max - log sum e^{z - max}), take each example's entry at its label "
            "(log_p[np.arange(N), labels]), negate and average over the examples."),
    mistakes=[
        Mistake(N_("a sum instead of a mean"),
                N_("the loss is the mean over the batch, not the sum: divide by the number of "
                   "examples (the gradient of a sum grows with the batch size)."),
                _cross_entropy_summed),
        Mistake(N_("the softmax as written, then its log"),
                N_("e^z overflows for large logits (inf / inf = nan). Work in logs: z - max(z) - "
                   "log(sum(e^(z - max(z))))."), _cross_entropy_of_probabilities),
        Mistake(N_("the log of a probability rounded to 0"),
                N_("the stable softmax is right, but a probability below about 5e-324, float64's "
                   "smallest, rounds to 0 and log 0 = -inf. Take the log-sum-exp form, which "
                   "never forms the tiny probability."), _cross_entropy_log_of_softmax),
        Mistake(N_("the logits taken for probabilities (the missing from_logits=True)"),
                N_("the inputs are logits, any real numbers, not probabilities: apply the "
                   "(log-)softmax first."), _cross_entropy_logits_as_probabilities),
        Mistake(N_("rows picked by the labels"),
                N_("log_p[labels] picks whole rows; each example needs its own entry at its "
                   "label: log_p[np.arange(N), labels]."), _cross_entropy_rows),
        Mistake(N_("the sign"),
                N_("the loss is minus the mean log-probability: it is positive, 0 only for a "
                   "certain right answer."), _cross_entropy_positive),
    ],
    rtol=1e-6, atol=1e-9,
)

# ------------------------------------------------------------------------------------------------
# 4.3 The output size of a convolution


def conv_output_size(size: int, kernel: int, stride: int = 1, padding: int = 0) -> int:
    """How many positions a ``kernel`` wide window takes along an axis of ``size``, moved by
    ``stride``, with ``padding`` zeros on each side: ``floor((n + 2p - k) / s) + 1``."""
    return (size + 2 * padding - kernel) // stride + 1


def _conv_size_cases() -> list[Case]:
    return [
        case(N_("28 pixels, a 3x3 kernel (section 5's CNN)"), 28, 3, 1, 0),
        case(N_("10 pixels, kernel 3, stride 2: the last window does not fit"), 10, 3, 2, 0),
        case(N_("28 pixels, kernel 5, padding 2: the size is kept"), 28, 5, 1, 2),
        case(N_("9 pixels, kernel 3, stride 2, padding 1 (the convolution page)"), 9, 3, 2, 1),
        case(N_("a kernel as large as the input"), 7, 7, 1, 0),
        case(N_("a 1x1 kernel"), 5, 1, 1, 0),
        case(N_("32 pixels, kernel 4, stride 3, padding 1"), 32, 4, 3, 1),
    ]


def _conv_size_no_plus_one(size, kernel, stride=1, padding=0):
    return (size + 2 * padding - kernel) // stride


def _conv_size_true_division(size, kernel, stride=1, padding=0):
    return (size + 2 * padding - kernel) / stride + 1


def _conv_size_rounded_up(size, kernel, stride=1, padding=0):
    return -(-(size + 2 * padding - kernel) // stride) + 1


def _conv_size_one_side(size, kernel, stride=1, padding=0):
    return (size + padding - kernel) // stride + 1


def _conv_size_no_stride(size, kernel, stride=1, padding=0):
    return size + 2 * padding - kernel + 1


CONV_SIZE = Exercise(
    "4.3", "conv_output_size", conv_output_size, _conv_size_cases,
    hint=N_("Pad first: the axis is n + 2p long. A window of k fits at positions 0, s, 2s, ... "
            "as long as it ends inside: floor((n + 2p - k) / s) + 1 positions. Floor division "
            "(//) keeps the result an integer."),
    mistakes=[
        Mistake(N_("the first position forgotten"),
                N_("count the positions, not the steps between them: a kernel as large as the "
                   "input still fits once, so add 1."), _conv_size_no_plus_one),
        Mistake(N_("a fraction of a window"),
                N_("a window that does not fit entirely is not used: floor the division (//), "
                   "and the result is a whole number."), _conv_size_true_division),
        Mistake(N_("rounded up"),
                N_("rounding up counts a last window that sticks out of the input; valid "
                   "positions round down: //."), _conv_size_rounded_up),
        Mistake(N_("padding on one side"),
                N_("padding adds p zeros on each side: the padded axis is n + 2p long."),
                _conv_size_one_side),
        Mistake(N_("the stride ignored"),
                N_("a stride s moves the window s pixels at a time: divide the room it has by "
                   "s."), _conv_size_no_stride),
    ],
    rtol=0.0, atol=0.0,
)

# ------------------------------------------------------------------------------------------------
# 4.4 Conv2D forward (a cross-correlation)


def conv2d(x: np.ndarray, kernel: np.ndarray, bias: np.ndarray, stride: int = 1) -> np.ndarray:
    """Keras's ``Conv2D`` with "valid" padding: ``y[n, i, j, f] = b[f] + sum_{p, q, c}
    x[n, i s + p, j s + q, c] K[p, q, c, f]``, one window position at a time."""
    kh, kw, _, filters = kernel.shape
    out_h = (x.shape[1] - kh) // stride + 1
    out_w = (x.shape[2] - kw) // stride + 1
    y = np.zeros((x.shape[0], out_h, out_w, filters))
    for i in range(out_h):
        for j in range(out_w):
            window = x[:, i * stride : i * stride + kh, j * stride : j * stride + kw, :]
            y[:, i, j, :] = np.tensordot(window, kernel, axes=([1, 2, 3], [0, 1, 2])) + bias
    return y


def _conv_cases() -> list[Case]:
    rng = np.random.default_rng(44)
    emboss = np.array([[-2.0, -1.0, 0.0], [-1.0, 1.0, 1.0], [0.0, 1.0, 2.0]])
    return [
        case(N_("one 5x5 image, the 3x3 'emboss' kernel of the convolution page"),
             rng.normal(size=(1, 5, 5, 1)), emboss[:, :, None, None], np.array([0.5]), 1),
        case(N_("a batch of 2, 2 channels in, 3 filters out"), rng.normal(size=(2, 4, 4, 2)),
             rng.normal(size=(3, 3, 2, 3)), rng.normal(size=3), 1),
        case(N_("odd sizes: a 6x7 image, a 3x2 kernel"), rng.normal(size=(1, 6, 7, 1)),
             rng.normal(size=(3, 2, 1, 2)), rng.normal(size=2), 1),
        case(N_("stride 2 on a 7x7 image"), rng.normal(size=(1, 7, 7, 2)),
             rng.normal(size=(3, 3, 2, 1)), rng.normal(size=1), 2),
        case(N_("a 1x1 kernel"), rng.normal(size=(2, 3, 3, 3)), rng.normal(size=(1, 1, 3, 2)),
             rng.normal(size=2), 1),
        case(N_("a kernel as large as the image: a 1x1 output"), rng.normal(size=(1, 3, 3, 1)),
             rng.normal(size=(3, 3, 1, 1)), np.zeros(1), 1),
    ]


def _conv_flipped(x, kernel, bias, stride=1):
    return conv2d(x, kernel[::-1, ::-1], bias, stride)


def _conv_without_bias(x, kernel, bias, stride=1):
    return conv2d(x, kernel, np.zeros_like(bias), stride)


def _conv_rows_and_columns_swapped(x, kernel, bias, stride=1):
    return conv2d(x, kernel.transpose(1, 0, 2, 3), bias, stride)


def _conv_first_channel_only(x, kernel, bias, stride=1):
    return conv2d(x[..., :1], kernel[:, :, :1], bias, stride)


def _conv_window_not_strided(x, kernel, bias, stride=1):
    kh, kw, _, filters = kernel.shape
    out_h, out_w = (x.shape[1] - kh) // stride + 1, (x.shape[2] - kw) // stride + 1
    full = conv2d(x, kernel, bias, 1)
    return full[:, :out_h, :out_w, :]


CONV2D = Exercise(
    "4.4", "conv2d", conv2d, _conv_cases,
    hint=N_("For each output position (i, j), cut the window x[:, i*s : i*s + kh, j*s : j*s + "
            "kw, :], multiply it entry by entry with each filter's kernel K[:, :, :, f], sum over "
            "rows, columns and channels, and add the filter's bias. The kernel is not flipped: "
            "Conv2D computes a cross-correlation."),
    mistakes=[
        Mistake(N_("the kernel flipped"),
                N_("you flipped the kernel: that is the convolution of section 4's formula. "
                   "Conv2D computes the cross-correlation: K[p, q] multiplies x[i + p, j + q]."),
                _conv_flipped),
        Mistake(N_("the bias forgotten"),
                N_("each filter adds its bias b[f] to every output of its map."),
                _conv_without_bias),
        Mistake(N_("kernel rows and columns swapped"),
                N_("K[p, q] multiplies the pixel p rows down and q columns right of the "
                   "window's corner: the kernel's first axis runs along the image's rows."),
                _conv_rows_and_columns_swapped),
        Mistake(N_("one input channel only"),
                N_("each output sums over every input channel c: x[..., c] * K[:, :, c, f] for "
                   "all c, not only the first."), _conv_first_channel_only),
        Mistake(N_("the window not moved by the stride"),
                N_("the output size is right, but output (i, j) reads the window at (i*s, j*s), "
                   "not at (i, j)."), _conv_window_not_strided),
    ],
    rtol=1e-6, atol=1e-9,
)

# ------------------------------------------------------------------------------------------------
# 4.5 Max pooling


def max_pool2d(x: np.ndarray, size: int = 2) -> np.ndarray:
    """The largest value of each ``size x size`` window, windows side by side ("valid": rows and
    columns that do not fill a window are dropped); ``(N, H, W, C)`` in and out."""
    n, height, width, channels = x.shape
    out_h, out_w = height // size, width // size
    windows = x[:, : out_h * size, : out_w * size].reshape(n, out_h, size, out_w, size, channels)
    return windows.max(axis=(2, 4))


def _pool_cases() -> list[Case]:
    rng = np.random.default_rng(45)
    return [
        case(N_("a 4x4 image, one channel"), rng.permutation(16).reshape(1, 4, 4, 1) * 1.0, 2),
        case(N_("odd sizes: 5x5, the last row and column fill no window"),
             rng.normal(size=(1, 5, 5, 1)), 2),
        case(N_("only negative values"), -rng.uniform(1, 2, size=(2, 4, 4, 1)), 2),
        case(N_("two channels, pooled separately"), rng.normal(size=(1, 4, 6, 2)), 2),
        case(N_("3x3 windows on a 6x7 image"), rng.normal(size=(1, 6, 7, 3)), 3),
        case(N_("a batch of one 2x2 image: one window"), rng.normal(size=(1, 2, 2, 1)), 2),
    ]


def _pool_average(x, size=2):
    n, h, w, c = x.shape
    out_h, out_w = h // size, w // size
    return x[:, : out_h * size, : out_w * size].reshape(n, out_h, size, out_w, size, c).mean(
        axis=(2, 4))


def _pool_overlapping(x, size=2):
    n, h, w, c = x.shape
    y = np.full((n, h - size + 1, w - size + 1, c), -np.inf)
    for p in range(size):
        for q in range(size):
            y = np.maximum(y, x[:, p : p + h - size + 1, q : q + w - size + 1])
    return y


def _pool_across_channels(x, size=2):
    return max_pool2d(x, size).max(axis=3, keepdims=True)


def _pool_partial_windows(x, size=2):
    n, h, w, c = x.shape
    padded = np.full((n, -(-h // size) * size, -(-w // size) * size, c), -np.inf)
    padded[:, :h, :w] = x
    return max_pool2d(padded, size)


def _pool_from_zero(x, size=2):
    return np.maximum(max_pool2d(x, size), 0.0)


MAX_POOL = Exercise(
    "4.5", "max_pool2d", max_pool2d, _pool_cases,
    hint=N_("Windows of size x size side by side (stride = size): output (i, j) is the largest "
            "value of x[:, i*size : (i+1)*size, j*size : (j+1)*size, :] over its rows and "
            "columns, channel by channel. The output has H // size rows and W // size columns."),
    mistakes=[
        Mistake(N_("average pooling"),
                N_("you took the mean of each window; max pooling keeps its largest value."),
                _pool_average),
        Mistake(N_("overlapping windows"),
                N_("you moved the window one pixel at a time; pooling windows sit side by side "
                   "(stride = size), which divides the height and the width by size."),
                _pool_overlapping),
        Mistake(N_("the maximum across channels"),
                N_("each channel is pooled on its own: take the maximum over rows and columns "
                   "only, never over the channel axis."), _pool_across_channels),
        Mistake(N_("partial windows kept"),
                N_("Keras's pooling (padding 'valid') drops the last rows and columns that do "
                   "not fill a window: the output has H // size rows."), _pool_partial_windows),
        Mistake(N_("a maximum started at 0"),
                N_("a window of negative values has a negative maximum: start from the window's "
                   "own values (or -inf), not from 0."), _pool_from_zero),
    ],
    rtol=0.0, atol=0.0,
)

# ------------------------------------------------------------------------------------------------
# 4.6 One step of a recurrent network


def rnn_step(x_t: np.ndarray, h_prev: np.ndarray, W_xh: np.ndarray, W_hh: np.ndarray,
             b_h: np.ndarray) -> np.ndarray:
    """``h_t = tanh(W_xh x_t + W_hh h_{t-1} + b_h)`` for a batch, one example per row."""
    return np.tanh(x_t @ W_xh.T + h_prev @ W_hh.T + b_h)


def _rnn_case(label: str, rng: np.random.Generator, batch: int, inputs: int, hidden: int,
              scale: float = 0.7, first: bool = False) -> Case:
    h_prev = np.zeros((batch, hidden)) if first else rng.normal(size=(batch, hidden))
    return case(label, rng.normal(size=(batch, inputs)), h_prev,
                rng.normal(scale=scale, size=(hidden, inputs)),
                rng.normal(scale=scale, size=(hidden, hidden)), rng.normal(size=hidden))


def _rnn_cases() -> list[Case]:
    rng = np.random.default_rng(46)
    return [
        _rnn_case(N_("3 inputs, 3 hidden units, a batch of 2"), rng, 2, 3, 3),
        _rnn_case(N_("3 inputs, 4 hidden units, a batch of 5"), rng, 5, 3, 4),
        _rnn_case(N_("a batch of one"), rng, 1, 2, 3),
        _rnn_case(N_("the first step, h_0 = 0"), rng, 2, 3, 4, first=True),
        _rnn_case(N_("large weights: tanh saturates"), rng, 2, 3, 3, scale=10.0),
    ]


def _rnn_transposed(x_t, h_prev, W_xh, W_hh, b_h):
    return np.tanh(x_t @ W_xh + h_prev @ W_hh + b_h)


def _rnn_no_tanh(x_t, h_prev, W_xh, W_hh, b_h):
    return x_t @ W_xh.T + h_prev @ W_hh.T + b_h


def _rnn_sigmoid(x_t, h_prev, W_xh, W_hh, b_h):
    return 1 / (1 + np.exp(-(x_t @ W_xh.T + h_prev @ W_hh.T + b_h)))


def _rnn_weights_swapped(x_t, h_prev, W_xh, W_hh, b_h):
    return np.tanh(x_t @ W_hh.T + h_prev @ W_xh.T + b_h)


def _rnn_no_state(x_t, h_prev, W_xh, W_hh, b_h):
    return np.tanh(x_t @ W_xh.T + b_h)


RNN_STEP = Exercise(
    "4.6", "rnn_step", rnn_step, _rnn_cases,
    hint=N_("The weights have the formula's (out, in) shapes and a batch holds one example per "
            "row, so W x becomes x @ W.T: tanh(x_t @ W_xh.T + h_prev @ W_hh.T + b_h)."),
    mistakes=[
        Mistake(N_("transposed weights"),
                N_("W_xh has shape (hidden, inputs) as in the formula; with one example per "
                   "row, W_xh x_t is x_t @ W_xh.T (and h_prev @ W_hh.T)."), _rnn_transposed),
        Mistake(N_("no activation"),
                N_("the new state is tanh of the sum: without it the recurrence is linear and "
                   "the state can grow without bound."), _rnn_no_tanh),
        Mistake(N_("a sigmoid in place of tanh"),
                N_("a simple RNN's state uses tanh, centred on 0, in (-1, 1); the sigmoid is "
                   "for gates."), _rnn_sigmoid),
        Mistake(N_("the two weight matrices swapped"),
                N_("W_xh multiplies the input x_t and W_hh the previous state h_prev."),
                _rnn_weights_swapped),
        Mistake(N_("the previous state ignored"),
                N_("the previous state enters every step through W_hh: that is what makes the "
                   "network recurrent."), _rnn_no_state),
    ],
    rtol=1e-6, atol=1e-9,
)

# ------------------------------------------------------------------------------------------------
# 4.7 One step of an LSTM, gate by gate


def lstm_step(x_t: np.ndarray, h_prev: np.ndarray, c_prev: np.ndarray,
              params: dict[str, np.ndarray]) -> tuple[np.ndarray, np.ndarray]:
    """One LSTM step for a batch: every gate a dense layer on ``[h_{t-1}, x_t]``; returns
    ``(h_t, C_t)``."""
    hx = np.concatenate([h_prev, x_t], axis=1)

    def gate(name: str) -> np.ndarray:
        return hx @ params[f"W_{name}"].T + params[f"b_{name}"]

    def sigmoid(z: np.ndarray) -> np.ndarray:
        return 1 / (1 + np.exp(-z))

    forget, keep_new, output = sigmoid(gate("f")), sigmoid(gate("i")), sigmoid(gate("o"))
    candidate = np.tanh(gate("c"))
    c_t = forget * c_prev + keep_new * candidate
    return output * np.tanh(c_t), c_t


def _lstm_case(label: str, rng: np.random.Generator, batch: int, inputs: int,
               hidden: int) -> Case:
    params = {}
    for gate in "fico":
        params[f"W_{gate}"] = rng.normal(scale=0.6, size=(hidden, hidden + inputs))
        params[f"b_{gate}"] = rng.normal(scale=0.5, size=hidden)
    return case(label, rng.normal(size=(batch, inputs)), rng.normal(size=(batch, hidden)),
                rng.normal(size=(batch, hidden)), params)


def _lstm_cases() -> list[Case]:
    rng = np.random.default_rng(47)
    return [
        _lstm_case(N_("3 inputs, 3 units, a batch of 2"), rng, 2, 3, 3),
        _lstm_case(N_("3 inputs, 4 units, a batch of 3"), rng, 3, 3, 4),
        _lstm_case(N_("a batch of one, 2 inputs, 5 units"), rng, 1, 2, 5),
        _lstm_case(N_("one unit"), rng, 2, 4, 1),
    ]


def _lstm_with(x_t, h_prev, c_prev, params, *, order="hx", tanh_out=True, candidate=True,
               candidate_activation=np.tanh, old_cell=False):
    stacked = [h_prev, x_t] if order == "hx" else [x_t, h_prev]
    hx = np.concatenate(stacked, axis=1)

    def sigmoid(z):
        return 1 / (1 + np.exp(-z))

    def gate(name):
        return hx @ params[f"W_{name}"].T + params[f"b_{name}"]

    forget, keep_new, output = sigmoid(gate("f")), sigmoid(gate("i")), sigmoid(gate("o"))
    c_t = forget * c_prev + keep_new * (candidate_activation(gate("c")) if candidate else 1.0)
    shown = c_prev if old_cell else c_t
    return output * (np.tanh(shown) if tanh_out else shown), c_t


LSTM_STEP = Exercise(
    "4.7", "lstm_step", lstm_step, _lstm_cases,
    hint=N_("Stack hx = [h_prev, x_t] (h first) along axis 1. Each gate is hx @ W.T + b through "
            "its activation: f, i, o a sigmoid, the candidate C~ a tanh. Then C_t = f * C_prev + "
            "i * C~ and h_t = o * tanh(C_t)."),
    outputs=("h_t", "C_t"),
    mistakes=[
        Mistake(N_("[x_t, h_prev] stacked the other way round"),
                N_("the weights' first H columns multiply h_{t-1} and the last D the input: "
                   "stack [h_prev, x_t], in that order."), partial(_lstm_with, order="xh")),
        Mistake(N_("h_t without the tanh"),
                N_("the hidden state shows the squashed cell: h_t = o * tanh(C_t)."),
                partial(_lstm_with, tanh_out=False)),
        Mistake(N_("the candidate left out"),
                N_("the input gate scales the new content, the candidate C~ = tanh(W_c [h, x] + "
                   "b_c): C_t = f * C_prev + i * C~."), partial(_lstm_with, candidate=False)),
        Mistake(N_("a sigmoid for the candidate"),
                N_("the gates are sigmoids (how much, from 0 to 1); the candidate is content "
                   "and takes tanh, in (-1, 1)."),
                partial(_lstm_with, candidate_activation=lambda z: 1 / (1 + np.exp(-z)))),
        Mistake(N_("h_t from the old cell state"),
                N_("update the cell first, then show it: h_t = o * tanh(C_t), with the new "
                   "C_t."), partial(_lstm_with, old_cell=True)),
    ],
    rtol=1e-6, atol=1e-9,
)

# ------------------------------------------------------------------------------------------------
# 4.8 A dense layer's backward pass (the delta rule)


def dense_backward(dL_dy: np.ndarray, x: np.ndarray, z: np.ndarray,
                   W: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """For ``y = sigmoid(z)``, ``z = x @ W.T + b``: ``delta = dL/dy * sigmoid'(z)``, then
    ``(dL/dx, dL/dW, dL/db) = (delta @ W, delta.T @ x, delta summed over the batch)``."""
    s = 1 / (1 + np.exp(-z))
    delta = dL_dy * s * (1 - s)
    return delta @ W, delta.T @ x, delta.sum(axis=0)


def _dense_case(label: str, rng: np.random.Generator, batch: int, inputs: int, outputs: int,
                upstream: float = 1.0, z_scale: float = 1.0) -> Case:
    x = rng.normal(size=(batch, inputs))
    W = rng.normal(size=(outputs, inputs))
    z = z_scale * (x @ W.T + rng.normal(size=outputs))
    return case(label, upstream * rng.normal(size=(batch, outputs)), x, z, W)


def _dense_cases() -> list[Case]:
    rng = np.random.default_rng(48)
    return [
        _dense_case(N_("3 inputs, 3 outputs, a batch of 4"), rng, 4, 3, 3),
        _dense_case(N_("4 inputs, 2 outputs, a batch of 3"), rng, 3, 4, 2),
        _dense_case(N_("a batch of one"), rng, 1, 3, 2),
        _dense_case(N_("a zero gradient from above"), rng, 2, 3, 2, upstream=0.0),
        _dense_case(N_("large pre-activations: the sigmoid saturates"), rng, 2, 2, 3,
                    z_scale=20.0),
    ]


def _delta(dL_dy, z):
    s = 1 / (1 + np.exp(-z))
    return dL_dy * s * (1 - s)


def _dense_transposed_dW(dL_dy, x, z, W):
    delta = _delta(dL_dy, z)
    return delta @ W, x.T @ delta, delta.sum(axis=0)


def _dense_no_derivative(dL_dy, x, z, W):
    return dL_dy @ W, dL_dy.T @ x, dL_dy.sum(axis=0)


def _dense_derivative_of_z(dL_dy, x, z, W):
    delta = dL_dy * z * (1 - z)
    return delta @ W, delta.T @ x, delta.sum(axis=0)


def _dense_mean_db(dL_dy, x, z, W):
    dx, dW, db = dense_backward(dL_dy, x, z, W)
    return dx, dW, db / len(x)


def _dense_transposed_dx(dL_dy, x, z, W):
    delta = _delta(dL_dy, z)
    return delta @ W.T, delta.T @ x, delta.sum(axis=0)


DENSE_BACKWARD = Exercise(
    "4.8", "dense_backward", dense_backward, _dense_cases,
    hint=N_("delta = dL/dy * sigmoid'(z), with sigmoid'(z) = s (1 - s) for s = sigmoid(z). "
            "Then dL/dW = delta.T @ x (shape of W, summing the examples), dL/db = delta summed "
            "over the batch, dL/dx = delta @ W (one row per example)."),
    outputs=("dL/dx", "dL/dW", "dL/db"),
    mistakes=[
        Mistake(N_("dW transposed"),
                N_("dL/dW must have W's shape (outputs, inputs): delta.T @ x, not x.T @ "
                   "delta."), _dense_transposed_dW),
        Mistake(N_("the activation's derivative forgotten"),
                N_("the gradient passes through the sigmoid: multiply dL/dy by sigmoid'(z) "
                   "before anything else (that product is the delta)."), _dense_no_derivative),
        Mistake(N_("sigmoid'(z) as z (1 - z)"),
                N_("sigma' = s (1 - s) holds for the output s = sigmoid(z); the argument here "
                   "is z, so compute s first."), _dense_derivative_of_z),
        Mistake(N_("db averaged"),
                N_("like dW, db sums the examples' contributions (any 1/N is already in "
                   "dL/dy): delta.sum(axis=0)."), _dense_mean_db),
        Mistake(N_("dx through W transposed"),
                N_("z = x @ W.T, so dL/dx = delta @ W, which has x's shape."),
                _dense_transposed_dx),
    ],
    rtol=1e-6, atol=1e-9,
)

EXERCISES = [SOFTMAX, CROSS_ENTROPY, CONV_SIZE, CONV2D, MAX_POOL, RNN_STEP, LSTM_STEP,
             DENSE_BACKWARD]
