"""Chapter 2's exercises: the perceptron rule, the activations' derivatives, attention, the graph
convolution's adjacency and the parameters of a layer. NumPy only."""

from __future__ import annotations

from functools import partial

from dlbook.exercises.core import Case, Exercise, Mistake, case
from dlbook.exercises.i18n import N_

import numpy as np

# ------------------------------------------------------------------------------------------------
# 2.1 The perceptron's update


def perceptron_update(w: np.ndarray, b: float, x: np.ndarray, y: int,
                      rate: float) -> tuple[np.ndarray, float]:
    """One step of the perceptron rule on example ``(x, y)``: predict ``1 if w.x + b > 0 else
    0``, then move ``w`` and ``b`` by ``rate (y - prediction)`` times ``x`` and 1."""
    prediction = 1 if x @ w + b > 0 else 0
    error = y - prediction
    return w + rate * error * x, b + rate * error


def _perceptron_cases() -> list[Case]:
    return [
        case(N_("a right answer: nothing changes"), np.array([0.5, -0.2]), 0.1,
             np.array([1.0, 0.0]), 1, 0.1),
        case(N_("a missed 1 (w.x + b below 0)"), np.array([-0.3, 0.2]), -0.1,
             np.array([1.0, 1.0]), 1, 0.1),
        case(N_("a false 1 (w.x + b above 0)"), np.array([0.4, 0.4]), 0.05,
             np.array([0.0, 1.0]), 0, 0.5),
        case(N_("exactly on the line, w.x + b = 0: the prediction is 0"), np.array([0.0, 0.0]),
             0.0, np.array([1.0, 1.0]), 1, 0.1),
        case(N_("the input (0, 0) answered wrongly: only the bias moves"), np.array([0.2, 0.3]),
             0.2, np.array([0.0, 0.0]), 0, 0.1),
        case(N_("three inputs"), np.array([0.1, -0.4, 0.25]), 0.0, np.array([1.0, 2.0, -1.0]),
             1, 0.2),
    ]


def _perceptron_with(w, b, x, y, rate, *, at_zero=0, sign=1.0, move_bias=True, linear=False):
    total = x @ w + b
    prediction = total if linear else (1 if total > 0 or (total == 0 and at_zero) else 0)
    error = sign * (y - prediction)
    return w + rate * error * x, b + rate * error if move_bias else b


PERCEPTRON = Exercise(
    "2.1", "perceptron_update", perceptron_update, _perceptron_cases,
    hint=N_("First the prediction: 1 if w.x + b > 0, else 0 (strictly above 0). Then the error "
            "y - prediction, which is 0, 1 or -1: w + rate * error * x and b + rate * error."),
    outputs=("w", "b"),
    mistakes=[
        Mistake(N_("the weighted sum in place of the prediction"),
                N_("the perceptron's error is y minus its 0-or-1 prediction, not minus the sum "
                   "w.x + b (that is the delta rule of a linear unit): a right answer changes "
                   "nothing."), partial(_perceptron_with, linear=True)),
        Mistake(N_("the update's sign"),
                N_("move towards the right answer: add rate * (y - prediction) * x, so that a "
                   "missed 1 raises w.x + b."), partial(_perceptron_with, sign=-1.0)),
        Mistake(N_("the bias left out"),
                N_("the bias learns too: b + rate * (y - prediction), as if it were the weight "
                   "of an input that is always 1."), partial(_perceptron_with, move_bias=False)),
        Mistake(N_("1 on the line"),
                N_("the page's step function says 1 only for w.x + b > 0: a point exactly on "
                   "the line is predicted 0."), partial(_perceptron_with, at_zero=1)),
    ],
)

# ------------------------------------------------------------------------------------------------
# 2.2 The derivatives of the activations


def activation_derivatives(z: np.ndarray) -> dict[str, np.ndarray]:
    """``f'(z)`` of the sigmoid, tanh, ReLU and leaky ReLU (slope 0.2), element-wise."""
    sigmoid = 1 / (1 + np.exp(-z))
    return {
        "sigmoid": sigmoid * (1 - sigmoid),
        "tanh": 1 - np.tanh(z) ** 2,
        "relu": np.where(z > 0, 1.0, 0.0),
        "leaky_relu": np.where(z > 0, 1.0, 0.2),
    }


def _derivative_cases() -> list[Case]:
    return [
        case(N_("11 points from -5 to 5, 0 among them"), np.linspace(-5.0, 5.0, 11)),
        case(N_("z = 0 alone (ReLU has no derivative there: TensorFlow takes 0)"),
             np.array([0.0])),
        case(N_("large |z|: the sigmoid and tanh saturate"), np.array([-50.0, -20.0, 20.0, 50.0])),
        case(N_("a 2-D array: the shape is kept"), np.array([[-1.5, 0.25], [3.0, -0.5]])),
    ]


def _derivatives_with(z, **changes):
    derivatives = activation_derivatives(z)
    derivatives.update({name: change(z) for name, change in changes.items()})
    return derivatives


DERIVATIVES = Exercise(
    "2.2", "activation_derivatives", activation_derivatives, _derivative_cases,
    hint=N_("Each derivative is a function of z: sigma'(z) = s (1 - s) with s = sigmoid(z); "
            "tanh'(z) = 1 - tanh(z)^2; ReLU'(z) = 1 where z > 0, else 0 (0 at z = 0); leaky "
            "ReLU'(z) = 1 where z > 0, else 0.2. np.where keeps the shape."),
    mistakes=[
        Mistake(N_("sigma'(z) as z (1 - z)"),
                N_("s (1 - s) holds for s = sigmoid(z), the neuron's output; given z, compute "
                   "s = 1 / (1 + e^-z) first."),
                partial(_derivatives_with, sigmoid=lambda z: z * (1 - z))),
        Mistake(N_("tanh' without the square"),
                N_("tanh'(z) = 1 - tanh(z)^2: the square keeps it at most 1, its peak at z = 0, "
                   "and the same on both sides of 0."),
                partial(_derivatives_with, tanh=lambda z: 1 - np.tanh(z))),
        Mistake(N_("tanh'(z) as 1 - z^2"),
                N_("1 - t^2 holds for t = tanh(z); given z, take np.tanh(z) first."),
                partial(_derivatives_with, tanh=lambda z: 1 - z**2)),
        Mistake(N_("ReLU'(0) = 1"),
                N_("at z = 0 ReLU has no derivative; TensorFlow (and the page) take 0: use "
                   "z > 0, not z >= 0."),
                partial(_derivatives_with, relu=lambda z: np.where(z >= 0, 1.0, 0.0))),
        Mistake(N_("the leaky ReLU itself"),
                N_("below 0 the leaky ReLU is 0.2 z, so its derivative there is the constant "
                   "0.2, not 0.2 z."),
                partial(_derivatives_with, leaky_relu=lambda z: np.where(z > 0, 1.0, 0.2 * z))),
        Mistake(N_("another leaky slope"),
                N_("this page's leaky ReLU is Keras's function, slope 0.2 below 0 (the FAQ's "
                   "page uses 0.01)."),
                partial(_derivatives_with, leaky_relu=lambda z: np.where(z > 0, 1.0, 0.01))),
    ],
)

# ------------------------------------------------------------------------------------------------
# 2.3 Scaled dot-product attention


def attention(queries: np.ndarray, keys: np.ndarray,
              values: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """``softmax(Q K^T / sqrt(d)) V`` for ``[batch, positions, d]`` arrays; returns the output and
    the weights (each query's weights over the keys sum to 1)."""
    scores = queries @ keys.swapaxes(-1, -2) / np.sqrt(keys.shape[-1])
    scores = scores - scores.max(axis=-1, keepdims=True)
    weights = np.exp(scores) / np.exp(scores).sum(axis=-1, keepdims=True)
    return weights @ values, weights


def _attention_case(label: str, rng: np.random.Generator, batch: int, queries: int, keys: int,
                    d: int, d_values: int, scale: float = 1.0) -> Case:
    return case(label, scale * rng.normal(size=(batch, queries, d)),
                scale * rng.normal(size=(batch, keys, d)), rng.normal(size=(batch, keys, d_values)))


def _attention_cases() -> list[Case]:
    rng = np.random.default_rng(23)
    return [
        _attention_case(N_("3 queries, 4 keys of length 4, values of length 2"), rng, 1, 3, 4, 4,
                        2),
        _attention_case(N_("a batch of 2: 2 queries, 5 keys of length 3, values of length 4"),
                        rng, 2, 2, 5, 3, 4),
        _attention_case(N_("a single key: all the weight on it"), rng, 1, 2, 1, 3, 2),
        _attention_case(N_("large scores (long, large vectors)"), rng, 1, 2, 3, 8, 2, scale=40.0),
    ]


def _attention_with(queries, keys, values, *, divide_by=None, axis=-1, transpose=True,
                    stable=True):
    scores = queries @ (keys.swapaxes(-1, -2) if transpose else keys)
    scores = scores / (np.sqrt(keys.shape[-1]) if divide_by is None else divide_by(keys))
    if stable:
        scores = scores - scores.max(axis=axis, keepdims=True)
    weights = np.exp(scores) / np.exp(scores).sum(axis=axis, keepdims=True)
    return weights @ values, weights


ATTENTION = Exercise(
    "2.3", "attention", attention, _attention_cases,
    hint=N_("Compare each query with each key: scores = Q @ K^T (swap the last two axes of K), "
            "shape [batch, queries, keys]; divide by sqrt(d), d the length of a key; softmax "
            "over the keys (the last axis), stably; the output is weights @ V."),
    outputs=(N_("output"), N_("weights")),
    mistakes=[
        Mistake(N_("no scaling"),
                N_("divide the scores by sqrt(d), the square root of a key's length: without it "
                   "long vectors give large scores and a saturated softmax."),
                partial(_attention_with, divide_by=lambda keys: 1.0)),
        Mistake(N_("divided by d"),
                N_("the scale is sqrt(d), not d: it brings the scores of random vectors back "
                   "to unit size."),
                partial(_attention_with, divide_by=lambda keys: keys.shape[-1])),
        Mistake(N_("scaled by the number of keys"),
                N_("d is the length of one key (the last axis of K), not the number of keys."),
                partial(_attention_with, divide_by=lambda keys: np.sqrt(keys.shape[-2]))),
        Mistake(N_("the softmax over the queries"),
                N_("each query's weights over the keys sum to 1: the softmax runs along the "
                   "keys axis, the last one."), partial(_attention_with, axis=-2)),
        Mistake(N_("K not transposed"),
                N_("a score is a dot product of a query and a key: Q @ K^T, with K's last two "
                   "axes swapped (keys.swapaxes(-1, -2))."),
                partial(_attention_with, transpose=False)),
        Mistake(N_("an overflowing softmax"),
                N_("large scores overflow exp: subtract each row's largest score before the "
                   "softmax."), partial(_attention_with, stable=False)),
    ],
)

# ------------------------------------------------------------------------------------------------
# 2.4 The normalized adjacency of a graph convolution


def normalized_adjacency(adjacency: np.ndarray) -> np.ndarray:
    """``D^{-1/2} (A + I) D^{-1/2}``, ``D`` the diagonal matrix of the degrees of ``A + I``."""
    with_self_loops = adjacency + np.eye(len(adjacency))
    scale = 1 / np.sqrt(with_self_loops.sum(axis=1))
    return scale[:, None] * with_self_loops * scale[None, :]


def _path(n: int) -> np.ndarray:
    adjacency = np.zeros((n, n))
    for i in range(n - 1):
        adjacency[i, i + 1] = adjacency[i + 1, i] = 1.0
    return adjacency


def _adjacency_cases() -> list[Case]:
    star = np.zeros((5, 5))
    star[0, 1:] = star[1:, 0] = 1.0
    triangle_and_loner = np.zeros((4, 4))
    for i, j in [(0, 1), (1, 2), (0, 2)]:
        triangle_and_loner[i, j] = triangle_and_loner[j, i] = 1.0
    rng = np.random.default_rng(24)
    upper = np.triu(rng.random((7, 7)) < 0.4, 1).astype(float)
    return [
        case(N_("a path of 3 nodes"), _path(3)),
        case(N_("a star: one centre, 4 leaves"), star),
        case(N_("a triangle and a node with no edge"), triangle_and_loner),
        case(N_("a random graph of 7 nodes"), upper + upper.T),
    ]


def _adjacency_without_self_loops(adjacency):
    scale = 1 / np.sqrt(adjacency.sum(axis=1))
    return scale[:, None] * adjacency * scale[None, :]


def _adjacency_row_normalized(adjacency):
    with_self_loops = adjacency + np.eye(len(adjacency))
    return with_self_loops / with_self_loops.sum(axis=1, keepdims=True)


def _adjacency_degrees_without_loops(adjacency):
    scale = 1 / np.sqrt(adjacency.sum(axis=1))
    return scale[:, None] * (adjacency + np.eye(len(adjacency))) * scale[None, :]


def _adjacency_one_side(adjacency):
    with_self_loops = adjacency + np.eye(len(adjacency))
    return with_self_loops / np.sqrt(with_self_loops.sum(axis=1, keepdims=True))


ADJACENCY = Exercise(
    "2.4", "normalized_adjacency", normalized_adjacency, _adjacency_cases,
    hint=N_("Add the self-loops first, A~ = A + I; the degrees are A~'s row sums; then divide "
            "entry (i, j) of A~ by sqrt(degree_i) * sqrt(degree_j)."),
    mistakes=[
        Mistake(N_("no self-loops"),
                N_("add I to A before anything else: each node belongs to its own "
                   "neighbourhood, and a node without edges still has degree 1."),
                _adjacency_without_self_loops),
        Mistake(N_("the rows normalized"),
                N_("D^-1 (A + I) averages each row; the graph convolution divides by "
                   "sqrt(degree) on both sides, D^-1/2 (A + I) D^-1/2, which keeps it "
                   "symmetric."), _adjacency_row_normalized),
        Mistake(N_("the degrees of A without its self-loops"),
                N_("the degrees are counted in A + I, self-loops included (a node without "
                   "edges would otherwise divide by 0)."), _adjacency_degrees_without_loops),
        Mistake(N_("D^-1/2 on one side only"),
                N_("scale both the rows and the columns: entry (i, j) is divided by "
                   "sqrt(d_i) sqrt(d_j)."), _adjacency_one_side),
    ],
)

# ------------------------------------------------------------------------------------------------
# 2.5 The parameters of a layer


def layer_parameters(kind: str, inputs: int, units: int, kernel_size: int = 1) -> int:
    """The weights of a Keras layer: ``"dense"`` (``inputs`` features), ``"conv2d"`` (``inputs``
    channels, a square kernel), ``"lstm"`` or ``"gru"`` (``inputs`` features per step)."""
    if kind == "dense":
        return (inputs + 1) * units
    if kind == "conv2d":
        return (kernel_size * kernel_size * inputs + 1) * units
    if kind == "lstm":
        return 4 * (units * (units + inputs) + units)
    if kind == "gru":
        return 3 * (units * (units + inputs) + 2 * units)
    raise ValueError(f"unknown kind of layer {kind!r}")


def _parameter_cases() -> list[Case]:
    return [
        case(N_("a dense layer, 784 inputs, 256 units"), "dense", 784, 256),
        case(N_("a dense layer, 1 input, 1 unit"), "dense", 1, 1),
        case(N_("a 3x3 convolution, 1 channel in, 32 filters"), "conv2d", 1, 32, 3),
        case(N_("a 3x3 convolution, 32 channels in, 64 filters"), "conv2d", 32, 64, 3),
        case(N_("an LSTM, 64 inputs, 64 units"), "lstm", 64, 64),
        case(N_("an LSTM, 3 inputs, 2 units"), "lstm", 3, 2),
        case(N_("a GRU, 64 inputs, 64 units (Keras: two biases a gate)"), "gru", 64, 64),
    ]


def _parameters_without_biases(kind, inputs, units, kernel_size=1):
    return {"dense": inputs * units, "conv2d": kernel_size**2 * inputs * units,
            "lstm": 4 * units * (units + inputs), "gru": 3 * units * (units + inputs)}[kind]


def _parameters_one_channel(kind, inputs, units, kernel_size=1):
    if kind == "conv2d":
        return (kernel_size**2 + 1) * units
    return layer_parameters(kind, inputs, units, kernel_size)


def _parameters_one_gate(kind, inputs, units, kernel_size=1):
    if kind in ("lstm", "gru"):
        return units * (units + inputs) + units
    return layer_parameters(kind, inputs, units, kernel_size)


def _parameters_no_recurrent_weights(kind, inputs, units, kernel_size=1):
    gates = {"lstm": 4, "gru": 3}.get(kind)
    if gates:
        return gates * (units * inputs + units)
    return layer_parameters(kind, inputs, units, kernel_size)


def _parameters_gru_one_bias(kind, inputs, units, kernel_size=1):
    if kind == "gru":
        return 3 * (units * (units + inputs) + units)
    return layer_parameters(kind, inputs, units, kernel_size)


PARAMETERS = Exercise(
    "2.5", "layer_parameters", layer_parameters, _parameter_cases,
    hint=N_("Count the weights and the biases. Dense: a weight per input and unit, a bias per "
            "unit. Conv2D: a k x k x channels kernel and a bias per filter. LSTM: 4 dense "
            "layers (3 gates, the candidate) on [h, x], units + inputs wide. GRU: 3, each with "
            "two bias vectors in Keras."),
    mistakes=[
        Mistake(N_("the biases forgotten"),
                N_("every unit, filter or gate unit has a bias too: (inputs + 1) * units for a "
                   "dense layer."), _parameters_without_biases),
        Mistake(N_("the input channels forgotten"),
                N_("a filter sees a k x k window of every input channel: k * k * channels "
                   "weights, plus its bias."), _parameters_one_channel),
        Mistake(N_("one gate counted"),
                N_("an LSTM computes 4 things from [h_{t-1}, x_t] (forget, input and output "
                   "gates and the candidate), a GRU 3: multiply by them."),
                _parameters_one_gate),
        Mistake(N_("the recurrent weights forgotten"),
                N_("each gate reads the previous state too: its weights span units + inputs "
                   "columns, not inputs alone."), _parameters_no_recurrent_weights),
        Mistake(N_("one bias per GRU gate"),
                N_("Keras's GRU (reset_after=True, its default) keeps two bias vectors for "
                   "each of its 3 parts: 3 (units (units + inputs) + 2 units)."),
                _parameters_gru_one_bias),
    ],
    rtol=0.0, atol=0.0,
)

EXERCISES = [PERCEPTRON, DERIVATIVES, ATTENTION, ADJACENCY, PARAMETERS]
