# %% [markdown]
# # Section 4 · A neuron, a layer of neurons and the activation functions
#
# Tutorial: section 4 · 数学模型构建 (seeds 000 §4.1, 003 §4.1) · 公式推导过程 (seed 003 §4.2) ·
# 单个神经元的数学表示 (seed 004 §4.1.1) · 多层感知机的数学表示 (seed 004 §4.1.2)
#
# Section 4 starts from one artificial neuron: it weighs its inputs, adds a bias and passes the
# sum through an activation function $f$. A layer is several neurons reading the same inputs,
# and a network is layers stacked so that each reads the previous one's outputs.
#
# Each cell below writes one formula in NumPy, then checks it with one line against Keras given
# the same weights. Everything runs in float64, so the two agree to rounding
# ($\approx 10^{-16}$).
#
# The activation functions are written as functions, in cells whose first line is
# `#@save dlbook/scratch/activations.py`. Such a cell is part of the package as well as of the
# page: the module `dlbook/scratch/activations.py` runs these cells, and the next pages (and your
# own code) import the functions from it, `from dlbook.scratch import sigmoid`. So each is written
# once, here, where it is explained.

# %%
from collections.abc import Callable

from dlbook.cli import start_page
from dlbook.plots import plot_functions
from dlbook.scratch import Comparisons

import keras
import numpy as np
import tensorflow as tf

# %%
page = start_page("ch04_math/neuron", globals())
rng = np.random.default_rng(page.seed)
check = Comparisons(page.record)  # prints each comparison and records it in results.json

# %% [markdown]
# ## One neuron
#
# $$y = f\Big(\sum_i w_i x_i + b\Big)$$
#
# Three inputs $x_i$, three weights $w_i$, a bias $b$, and for $f$ the sigmoid
# $\sigma(z) = 1 / (1 + e^{-z})$, which squashes any sum into $(0, 1)$.
#
# Written as a function, the sigmoid needs one care: for a large negative $z$, $e^{-z}$
# overflows (`np.exp(1000.0)` is `inf`). So the function computes $e^{-|z|}$, at most 1, and
# uses $\sigma(z) = 1 / (1 + e^{-z})$ where $z \ge 0$ and the same value written
# $e^{z} / (1 + e^{z})$ where $z < 0$.

# %%
#@save dlbook/scratch/activations.py
def sigmoid(z: np.ndarray) -> np.ndarray:
    """Section 4's sigmoid ``sigma(z) = 1 / (1 + e^-z)``, in (0, 1), without overflow."""
    e = np.exp(-np.abs(z))
    return np.where(z >= 0, 1 / (1 + e), e / (1 + e))


# %%
x = rng.normal(size=3)
w, b = rng.normal(size=3), rng.normal()
z = np.sum(w * x) + b
y = sigmoid(z)
print(f"z = sum w_i x_i + b = {z:.4f},  y = sigmoid(z) = {y:.4f}")

neuron = keras.layers.Dense(1, activation="sigmoid", dtype="float64")
neuron.build((None, 3))
neuron.set_weights([w[:, np.newaxis], np.array([b])])  # Keras's kernel is (inputs, outputs)
check("one neuron vs keras.layers.Dense(1, 'sigmoid')", y, neuron(x[np.newaxis])[0, 0])

# %% [markdown]
# ## A layer: the output is a vector
#
# Four neurons reading the same three inputs: row $i$ of the matrix $W$ holds neuron $i$'s
# weights, and
#
# $$y_i = \sigma\Big(\sum_j w_{ij} x_j + b_i\Big), \qquad \text{that is} \qquad
# y = \sigma(W x + b),$$
#
# one output per neuron. Seed 003 (§4.2) slips twice here. It gives $W$ $m$ rows and $n$ columns
# for an input $x$ of $n$ numbers and writes $y = \sigma(W^\top x + b)$: with that $W$,
# $W^\top x$ cannot even be formed ($n \times m$ times $n$), the product is $W x$, as above.
# ($W^\top x$ is right when $W$ is stored $n \times m$, one column per neuron, as seed 000's
# $h = \varphi(W^\top x + b)$ and Keras's `kernel` store it.) And its worked example adds up all
# the outputs and all the biases of the layer into a single number,
# $\sigma(\sum_i \sum_j w_{ij} x_j + \sum_i b_i)$. A layer outputs the vector $y$, four numbers
# here, and the next layer's weights tell apart which neuron said what; a sum would throw that
# away.

# %%
W, b = rng.normal(size=(4, 3)), rng.normal(size=4)
y = sigmoid(W @ x + b)
print(f"W {W.shape} @ x {x.shape} + b {b.shape} -> y {y.shape}: {y.round(4)}")
print(f"(their sum, {y.sum():.4f}, is not what the next layer reads)")

# %% [markdown]
# ## A batch of examples, one per row
#
# Keras and `dlbook.scratch` hold a batch as a matrix $X$ with one example per row. Computing
# $W x + b$ for every row at once is $X W^\top + b$; Keras stores $W^\top$ as its `kernel`.
# (`backprop.py` writes this line as the function `dense_forward`, for any activation, beside
# its backward pass.)

# %%
X = rng.normal(size=(5, 3))
Y = sigmoid(X @ W.T + b)
print(f"X {X.shape} @ W.T {W.T.shape} + b -> Y {Y.shape}")

layer = keras.layers.Dense(4, activation="sigmoid", dtype="float64")
layer.build((None, 3))
layer.set_weights([W.T, b])
check("a layer, batch of 5 vs keras.layers.Dense(4, 'sigmoid')", Y, layer(X))

# %% [markdown]
# A network stacks such layers, $h_1 = \varphi(W_0 x + b_0)$ up to $y = f(W_L h_L + b_L)$:
# `backprop.py` computes a stack of two and its gradients, `mlp_from_scratch.py` trains one.
#
# ## The activation functions and their derivatives
#
# The four of the tutorial's FAQ (section 9), and the derivatives $f'(z)$ that back-propagation
# multiplies by (the delta rule, `backprop.py`):
#
# | $f$ | $f(z)$ | $f'(z)$ |
# | --- | --- | --- |
# | sigmoid | $1 / (1 + e^{-z})$ | $\sigma(z)\,(1 - \sigma(z))$ |
# | tanh | $(e^z - e^{-z}) / (e^z + e^{-z})$ | $1 - \tanh^2 z$ |
# | ReLU | $\max(0, z)$ | $1$ if $z > 0$, else $0$ |
# | leaky ReLU | $z$ if $z > 0$, else $\alpha z$ | $1$ if $z > 0$, else $\alpha$ |
#
# with $\alpha = 0.2$, the default of `keras.activations.leaky_relu` (the `LeakyReLU` layer's
# is 0.3). One more, `linear`, $f(z) = z$, is no activation at all: the layer that gives a
# classifier's scores (logits) has it.

# %%
#@save dlbook/scratch/activations.py
def tanh(z: np.ndarray) -> np.ndarray:
    """``tanh(z) = (e^z - e^-z) / (e^z + e^-z)``, in (-1, 1)."""
    return np.tanh(z)


def relu(z: np.ndarray) -> np.ndarray:
    """``ReLU(z) = max(0, z)``."""
    return np.maximum(z, 0)


def leaky_relu(z: np.ndarray, alpha: float = 0.2) -> np.ndarray:
    """``LeakyReLU(z) = z if z > 0 else alpha z``, with the slope of
    ``keras.activations.leaky_relu`` by default."""
    return np.where(z > 0, z, alpha * z)


def linear(z: np.ndarray) -> np.ndarray:
    """``f(z) = z``: no activation, as for the logits of an output layer."""
    return z


# %%
z = np.linspace(-4, 4, 161)
values = {"sigmoid": sigmoid(z), "tanh": tanh(z), "relu": relu(z), "leaky_relu": leaky_relu(z)}

check("sigmoid vs keras.activations.sigmoid", values["sigmoid"], keras.activations.sigmoid(z))
check("tanh vs keras.activations.tanh", values["tanh"], keras.activations.tanh(z))
check("ReLU vs keras.activations.relu", values["relu"], keras.activations.relu(z))
check("leaky ReLU vs keras.activations.leaky_relu", values["leaky_relu"],
      keras.activations.leaky_relu(z))

# %% [markdown]
# The derivatives take the pre-activation $z$, not $f(z)$: the delta rule of `backprop.py`
# multiplies by $f'(z)$ at $z = Wx + b$. At $z = 0$, where ReLU has no derivative, they take 0,
# as TensorFlow does. The layers of the next pages name their activation as Keras's layers do
# (`activation="sigmoid"`), and `get_activation` finds the pair $(f, f')$ by that name.

# %%
#@save dlbook/scratch/activations.py
def sigmoid_derivative(z: np.ndarray) -> np.ndarray:
    """``sigma'(z) = sigma(z) (1 - sigma(z))``."""
    s = sigmoid(z)
    return s * (1 - s)


def tanh_derivative(z: np.ndarray) -> np.ndarray:
    """``tanh'(z) = 1 - tanh(z)^2``."""
    return 1 - np.tanh(z) ** 2


def relu_derivative(z: np.ndarray) -> np.ndarray:
    """``ReLU'(z) = 1 if z > 0 else 0`` (0 at ``z = 0``, as TensorFlow takes it)."""
    return (z > 0).astype(z.dtype)


def leaky_relu_derivative(z: np.ndarray, alpha: float = 0.2) -> np.ndarray:
    """``LeakyReLU'(z) = 1 if z > 0 else alpha``."""
    return np.where(z > 0, 1, alpha).astype(z.dtype)


def linear_derivative(z: np.ndarray) -> np.ndarray:
    """``f'(z) = 1``."""
    return np.ones_like(z)


Activation = tuple[Callable[[np.ndarray], np.ndarray], Callable[[np.ndarray], np.ndarray]]

ACTIVATIONS: dict[str, Activation] = {
    "sigmoid": (sigmoid, sigmoid_derivative),
    "tanh": (tanh, tanh_derivative),
    "relu": (relu, relu_derivative),
    "leaky_relu": (leaky_relu, leaky_relu_derivative),
    "linear": (linear, linear_derivative),
}
"""Each element-wise activation by name, as ``(f, f')``."""


def get_activation(name: str) -> Activation:
    """``(f, f')`` for ``name``; a clear error for an unknown name."""
    if name not in ACTIVATIONS:
        raise ValueError(f"unknown activation {name!r}; expected one of {sorted(ACTIVATIONS)}")
    return ACTIVATIONS[name]


# %% [markdown]
# Checked against TensorFlow's own derivatives, which `tf.GradientTape` takes through the Keras
# function (of an element-wise $f$, the gradient of $\sum f(z)$ is $f'(z)$):

# %%
z_tensor = tf.constant(z)
with tf.GradientTape(persistent=True) as tape:
    tape.watch(z_tensor)
    outputs = {name: keras.activations.get(name)(z_tensor) for name in values}
derivatives = {name: get_activation(name)[1](z) for name in values}

check("sigmoid' vs GradientTape", derivatives["sigmoid"],
      tape.gradient(outputs["sigmoid"], z_tensor))
check("tanh' vs GradientTape", derivatives["tanh"], tape.gradient(outputs["tanh"], z_tensor))
check("ReLU' vs GradientTape", derivatives["relu"], tape.gradient(outputs["relu"], z_tensor))
check("leaky ReLU' vs GradientTape", derivatives["leaky_relu"],
      tape.gradient(outputs["leaky_relu"], z_tensor))

# %%
names = {"sigmoid": "sigmoid", "tanh": "tanh", "relu": "ReLU", "leaky_relu": "leaky ReLU"}
path = plot_functions(z, {
    "f(z)": {names[name]: value for name, value in values.items()},
    "f'(z)": {names[name]: value for name, value in derivatives.items()},
}, page.output_dir / "activations.png")
print(f"The activations and their derivatives: {path}")

# %% [markdown]
# ## The softmax: one activation for the whole output layer
#
# A classifier's last layer gives one score $z_j$ per class, and seed 000 (§3.2) turns the
# scores into probabilities with the softmax (`losses.py` takes it up with the cross-entropy):
#
# $$s_j = \operatorname{softmax}(z)_j = \frac{e^{z_j}}{\sum_k e^{z_k}}$$
#
# Unlike the four above it is not element-wise: every $s_j$ depends on every score, so its
# derivative is a matrix, $\partial s_j / \partial z_k = s_j (\delta_{jk} - s_k)$. The backward
# pass needs only that matrix times the gradient arriving at $s$:
#
# $$\frac{\partial L}{\partial z_k} = \sum_j \frac{\partial L}{\partial s_j}\, s_j
# (\delta_{jk} - s_k) = s_k \Big(\frac{\partial L}{\partial s_k} - \sum_j
# \frac{\partial L}{\partial s_j} s_j\Big)$$
#
# The function subtracts each row's largest score before the exponentials: the factor
# $e^{-\max z}$ cancels in the ratio, and no exponential exceeds 1 (`losses.py` shows what
# happens without it).

# %%
#@save dlbook/scratch/activations.py
def softmax(z: np.ndarray) -> np.ndarray:
    """``softmax(z)_j = e^{z_j} / sum_k e^{z_k}`` over the last axis (seed 000 §3.2), the
    largest score subtracted first so that no ``exp`` overflows."""
    e = np.exp(z - z.max(axis=-1, keepdims=True))
    return e / e.sum(axis=-1, keepdims=True)


def softmax_backward(dL_ds: np.ndarray, s: np.ndarray) -> np.ndarray:
    """``dL/dz`` from ``dL/ds`` at ``s = softmax(z)``:
    ``dL/dz_k = s_k (dL/ds_k - sum_j dL/ds_j s_j)``."""
    return s * (dL_ds - np.sum(dL_ds * s, axis=-1, keepdims=True))


# %%
scores = rng.normal(scale=2, size=(4, 5))  # 4 examples, 5 classes
dL_ds = rng.normal(size=scores.shape)  # a gradient arriving at the probabilities
s = softmax(scores)
print("softmax of 4 rows of scores, row sums:", s.sum(axis=1))

scores_tensor = tf.constant(scores)
with tf.GradientTape() as tape:  # L = sum(s * dL/ds): its gradient at s is dL/ds
    tape.watch(scores_tensor)
    keras_s = keras.activations.softmax(scores_tensor)
    weighted_sum = tf.reduce_sum(keras_s * dL_ds)
check("softmax vs keras.activations.softmax", s, keras_s)
check("softmax backward vs GradientTape", softmax_backward(dL_ds, s),
      tape.gradient(weighted_sum, scores_tensor))

# %% [markdown]
# ## What to notice
#
# - Every line agrees to float64 rounding ($10^{-16}$), except leaky ReLU against Keras and
#   TensorFlow, a few $10^{-9}$: TensorFlow keeps the slope 0.2 as a float32 (0.200000003) even
#   in a float64 computation.
# - A layer turns a vector into a vector, one value per neuron, never into one number.
# - `activations.png`: the sigmoid's derivative is at most 0.25 and below 0.02 beyond
#   $|z| > 4$; tanh's is at most 1 and below 0.002 there. A gradient multiplied by such factors
#   layer after layer shrinks (the vanishing gradient that seed 000 counts among deep learning's
#   weaknesses in section 3); ReLU's derivative is 1 wherever the unit is active.
