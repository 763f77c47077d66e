# %% [markdown]
# # Section 4 · Back-propagation: the chain rule, the delta rule, a gradient-descent step
#
# Tutorial: section 4 · 数学模型和公式详细讲解举例说明 (seed 002 §4) · 公式推导过程 (seed 003 §4.2)
# · 反向传播（Backpropagation） (seed 001 §3.1) · 梯度下降的数学表示 (seed 004 §4.1.4)
#
# Training moves every weight against the gradient of the loss, $w \leftarrow w - \eta\,
# \partial J / \partial w$. Back-propagation computes all those gradients in one pass from the
# output down, by the chain rule $\frac{\partial J}{\partial W} = \frac{\partial J}{\partial y}
# \frac{\partial y}{\partial W}$ (seed 000's form; seed 001 writes
# $\frac{\partial L}{\partial w} = \frac{\partial L}{\partial z} \cdot
# \frac{\partial z}{\partial w}$), organized layer by layer as the delta rule.
#
# The network: two layers, a sigmoid hidden layer and a softmax output with the cross-entropy
# (`losses.py`), on a batch of $m = 8$ random examples. This page first keeps the formulas'
# convention, one example per **column** of $X$; then it writes the rule for one layer as the
# next pages use it, with one example per row as in NumPy and Keras, in cells marked
# `#@save dlbook/scratch/dense.py` and `#@save dlbook/scratch/gradcheck.py`: those modules of the
# package run these cells, so the next pages import the layer and the central differences from
# them, written once, here.

# %%
from collections.abc import Callable

from dlbook.cli import start_page
from dlbook.scratch import Comparisons
from dlbook.scratch.activations import get_activation, sigmoid, softmax
from dlbook.scratch.losses import one_hot, softmax_cross_entropy, softmax_cross_entropy_gradient

import keras
import numpy as np
import tensorflow as tf

# %%
page = start_page("ch04_math/backprop", globals())
rng = np.random.default_rng(page.seed)
check = Comparisons(page.record)  # prints each comparison and records it in results.json

m = 8
X = rng.normal(size=(6, m))  # 6 inputs, one example per column
labels = rng.integers(0, 3, size=m)
T = one_hot(labels, 3).T  # (3, m): one-hot targets, one column per example
W1, b1 = rng.normal(scale=0.5, size=(5, 6)), rng.normal(scale=0.5, size=5)
W2, b2 = rng.normal(scale=0.5, size=(3, 5)), rng.normal(scale=0.5, size=3)
twin = keras.Sequential([keras.Input((6,), dtype="float64"),  # the same network in Keras
                        keras.layers.Dense(5, "sigmoid", dtype="float64"),
                        keras.layers.Dense(3, dtype="float64")])
twin.set_weights([W1.T, b1, W2.T, b2])  # Keras keeps a kernel as (inputs, outputs)

# %% [markdown]
# ## Forward
#
# $$H = \sigma(W_1 X + b_1), \qquad Z = W_2 H + b_2, \qquad P = \operatorname{softmax}(Z),
# \qquad J = -\frac{1}{m} \sum_{i, j} T_{ji} \log P_{ji}$$
#
# with $T$ the one-hot targets, one column per example.

# %%
Z1 = W1 @ X + b1[:, np.newaxis]  # (5, m)
H = sigmoid(Z1)
Z2 = W2 @ H + b2[:, np.newaxis]  # (3, m): the scores
P = softmax(Z2.T).T  # softmax (neuron.py) takes the scores of an example along a row
J = -np.sum(T * np.log(P)) / m
print(f"J = {J:.4f}")

keras_loss = keras.losses.CategoricalCrossentropy(from_logits=True, dtype="float64")
with tf.GradientTape() as tape:
    keras_J = keras_loss(T.T, twin(X.T))
check("J vs Keras", J, keras_J)

# %% [markdown]
# ## Backward: the delta rule, layer by layer
#
# Seed 002 writes a layer $Y = g(WX + b)$. The **delta** of the layer is the gradient of the loss
# at its pre-activation $WX + b$:
#
# $$\delta = \frac{\partial J}{\partial Y} \odot g'(WX + b)$$
#
# ($\odot$ the element-wise, Hadamard, product; $Y$ here is the layer's output, not the
# targets $T$). Seed 003 writes the same rule output by output, for $y = \sigma(Wx + b)$:
#
# $$\delta^{(i)} = \frac{\partial L}{\partial y^{(i)}}\, \sigma'\big(z^{(i)}\big), \qquad
# z^{(i)} = (W x + b)_i,$$
#
# where the seed has $\sigma'(x^{(i)})$, the derivative at the layer's *input*. It has to be at
# the pre-activation $z^{(i)}$: a layer of 5 units reading 6 inputs has five $z^{(i)}$ and six
# $x_j$, so $\sigma'(x)$ does not even have the delta's shape (printed below).
#
# One loss, one delta per layer: what flows back from the output is the gradient of the single
# loss $J$, layer by layer. Seed 001's steps instead compute a loss value for every hidden layer;
# there is none, only the gradient of $J$ with respect to each layer's output.
#
# At the output, softmax and cross-entropy together give $\delta_2 = (P - T)/m$ (`losses.py`).
# From a layer's delta follow its gradients and the gradient sent to the layer below:
#
# $$\frac{\partial J}{\partial W} = \delta X^\top, \qquad \frac{\partial J}{\partial b} =
# \sum_{\text{examples}} \delta, \qquad \frac{\partial J}{\partial X} = W^\top \delta$$
#
# For the hidden layer $X$ is the input and $g' = \sigma' = \sigma (1 - \sigma)$; for the output
# layer its "input" is $H$.

# %%
delta2 = (P - T) / m  # (3, m)
dW2 = delta2 @ H.T  # (3, m) @ (m, 5) -> (3, 5), the shape of W2
db2 = delta2.sum(axis=1)
delta1 = (W2.T @ delta2) * H * (1 - H)  # dJ/dH, Hadamard sigma'(Z1)
dW1 = delta1 @ X.T  # (5, m) @ (m, 6) -> (5, 6), the shape of W1
db1 = delta1.sum(axis=1)

# %% [markdown]
# ## Two slips to avoid: $\sigma'$ of the input, and $\delta X^\top$ as a Hadamard product
#
# Seed 002 writes the weight gradient as
# $\nabla W = \frac{\partial L}{\partial WX} = \frac{\partial L}{\partial Y} \odot g'(WX + b)
# \odot X^\top$. The middle term, the gradient at $WX$, is the delta, not the weight gradient;
# and the last product has to be the matrix product $\delta X^\top$: $\delta$ has one column per
# example ($5 \times m$), $X^\top$ one row per example ($m \times 6$), and only the matrix
# product sums over the examples and gives the $5 \times 6$ shape of $W_1$. The element-wise
# product of the two cannot even be formed, nor can seed 003's $\sigma'(x)$ stand in for
# $\sigma'(z)$:

# %%
print(f"delta1 {delta1.shape} @ X.T {X.T.shape} -> {(delta1 @ X.T).shape} = W1 {W1.shape}")
try:
    delta1 * X.T
except ValueError as error:
    print(f"delta1 * X.T (Hadamard): {error}")
print(f"sigma'(Z1) {(H * (1 - H)).shape}, the delta's shape; sigma'(X) {X.shape}, the input's")

# %% [markdown]
# ## One layer, as the next pages compute it
#
# The pages that follow (the MLP trained from scratch, the LSTM's gates) hold a batch as NumPy
# and Keras do, one example per **row** (`neuron.py`), and apply the rule one layer at a time.
# Transposing every matrix above, a layer with activation $g$ computes $Z = X W^\top + b$ and
# $Y = g(Z)$, and from the gradient $\partial J / \partial Y$ at its output:
#
# $$\delta = \frac{\partial J}{\partial Y} \odot g'(Z), \qquad
# \frac{\partial J}{\partial W} = \delta^\top X, \qquad
# \frac{\partial J}{\partial b} = \sum_{\text{rows}} \delta, \qquad
# \frac{\partial J}{\partial X} = \delta W$$
#
# `dense_forward` and `dense_backward` are these lines, for any activation of `neuron.py` named
# as Keras names it; the forward pass returns $Z$ too, since the backward pass needs $g'(Z)$.
# `W` keeps the formula's shape (outputs, inputs), the transpose of Keras's `kernel`.

# %%
#@save dlbook/scratch/dense.py
def check_inputs(x: np.ndarray, W: np.ndarray) -> None:
    """Raise if the last axis of ``x`` is not the number of inputs ``W`` expects."""
    if W.ndim != 2 or x.shape[-1] != W.shape[1]:
        raise ValueError(
            f"x has shape {x.shape} but W has shape {W.shape}; "
            "W of shape (out, in) needs x of shape (N, in)"
        )


def dense_forward(
    x: np.ndarray, W: np.ndarray, b: np.ndarray, activation: str = "sigmoid"
) -> tuple[np.ndarray, np.ndarray]:
    """Section 4's layer ``y = f(Wx + b)`` for a batch ``x`` of shape ``(N, inputs)``, one
    example per row: ``z = x W^T + b``. Returns ``(y, z)``: the backward pass needs ``z``."""
    check_inputs(x, W)
    f, _ = get_activation(activation)
    z = x @ W.T + b
    return f(z), z


def dense_backward(
    dL_dy: np.ndarray, x: np.ndarray, z: np.ndarray, W: np.ndarray, activation: str = "sigmoid"
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The delta rule for a batch: ``delta = dL/dy * f'(z)``, then ``(dL/dx, dL/dW, dL/db) =
    (delta W, delta^T x, delta summed over the examples)``."""
    _, f_derivative = get_activation(activation)
    delta = dL_dy * f_derivative(z)
    return delta @ W, delta.T @ x, delta.sum(axis=0)


# %% [markdown]
# The two layers of the network are two calls each way; the output layer is `linear` (its
# output is the scores) and its delta comes from the loss, $(P - T)/m$, one row per example.

# %%
H_rows, Z1_rows = dense_forward(X.T, W1, b1, "sigmoid")
Z2_rows, _ = dense_forward(H_rows, W2, b2, "linear")
dJ_dH, layer_dW2, layer_db2 = dense_backward(
    softmax_cross_entropy_gradient(T.T, Z2_rows), H_rows, Z2_rows, W2, "linear")
_, layer_dW1, layer_db1 = dense_backward(dJ_dH, X.T, Z1_rows, W1, "sigmoid")

# %% [markdown]
# ## Checks
#
# The rule written out above (columns) and the two calls of `dense_backward` (rows), both
# against `tf.GradientTape` on the Keras twin, whose kernels are $W^\top$:

# %%
keras_dW1, keras_db1, keras_dW2, keras_db2 = tape.gradient(keras_J, twin.trainable_weights)

check("dJ/dW1 vs GradientTape", dW1, keras_dW1.numpy().T)
check("dJ/db1 vs GradientTape", db1, keras_db1)
check("dJ/dW2 vs GradientTape", dW2, keras_dW2.numpy().T)
check("dJ/db2 vs GradientTape", db2, keras_db2)
check("dJ/dW1, dense_backward vs GradientTape", layer_dW1, keras_dW1.numpy().T)
check("dJ/db1, dense_backward vs GradientTape", layer_db1, keras_db1)
check("dJ/dW2, dense_backward vs GradientTape", layer_dW2, keras_dW2.numpy().T)
check("dJ/db2, dense_backward vs GradientTape", layer_db2, keras_db2)

# %% [markdown]
# A third check knows nothing of the chain rule: nudge one weight up and down by a small $h$ and
# watch the loss,
#
# $$\frac{\partial J}{\partial w} \approx \frac{J(w + h) - J(w - h)}{2h},$$
#
# the central difference, whose error shrinks as $h^2$. It costs two forward passes per weight
# (back-propagation gives them all for about the price of one), so it serves to check, not to
# train. Run it in float64: in float32 the rounding of $J$ swamps a difference this small.

# %%
#@save dlbook/scratch/gradcheck.py
def numerical_gradient(
    loss: Callable[[], float], param: np.ndarray, h: float = 1e-6
) -> np.ndarray:
    """``dL/dparam`` by central differences ``(L(w + h) - L(w - h)) / 2h``, nudging each entry
    of ``param`` in place and putting it back.

    ``loss`` takes no argument: it recomputes the loss from the current arrays, ``param`` among
    them, so the same function checks a weight, a bias or an input.
    """
    grad = np.zeros_like(param, dtype=np.float64)
    for index in np.ndindex(param.shape):
        original = param[index]
        param[index] = original + h
        loss_plus = loss()
        param[index] = original - h
        loss_minus = loss()
        param[index] = original
        grad[index] = (loss_plus - loss_minus) / (2 * h)
    return grad


# %%
def loss():
    """J from the current weights: the central differences nudge them in place."""
    hidden, _ = dense_forward(X.T, W1, b1, "sigmoid")
    scores, _ = dense_forward(hidden, W2, b2, "linear")
    return softmax_cross_entropy(T.T, scores)


check("dJ/dW1 vs central differences", dW1, numerical_gradient(loss, W1))
check("dJ/db1 vs central differences", db1, numerical_gradient(loss, b1))

# %% [markdown]
# ## One step of gradient descent
#
# $$w \leftarrow w - \eta \frac{\partial J}{\partial w}, \qquad \eta = 0.5$$
#
# (seed 004's form; seed 002 writes it in two steps, $\Delta W = -\eta \nabla W$, then
# $W = W + \Delta W$).
#
# Ours, on every weight in place; Keras's `SGD` on the twin. Then the loss again, from the
# stepped weights.

# %%
#@save dlbook/scratch/dense.py
def gradient_descent_step(
    params: list[np.ndarray], grads: list[np.ndarray], learning_rate: float
) -> None:
    """``w <- w - eta dL/dw`` for every parameter, in place (seed 004 §4.1.4)."""
    for param, grad in zip(params, grads, strict=True):
        param -= learning_rate * grad


# %%
eta = 0.5
gradient_descent_step([W1, b1, W2, b2], [dW1, db1, dW2, db2], eta)
keras.optimizers.SGD(eta).apply_gradients(
    zip([keras_dW1, keras_db1, keras_dW2, keras_db2], twin.trainable_weights, strict=True))
check("W1 after the step vs keras.optimizers.SGD", W1, twin.layers[0].kernel.numpy().T)
check("W2 after the step vs keras.optimizers.SGD", W2, twin.layers[1].kernel.numpy().T)
J_after = loss()
print(f"J before the step {J:.4f}, after {J_after:.4f}")
page.record(loss_before_step=J, loss_after_step=J_after)

# %% [markdown]
# ## What to notice
#
# - The delta rule, in either layout, and GradientTape agree to float64 rounding; the central
#   differences agree to $10^{-8}$ or better (1.2e-8 at most, on `db1`), the accuracy of a
#   finite difference with $h = 10^{-6}$.
# - The two deltas are the whole backward pass: each layer's weight gradient is its delta times
#   its input transposed, a **matrix** product that sums over the examples.
# - One step along the negative gradient lowers the loss on this batch.
