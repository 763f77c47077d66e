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
# (`losses.py`), on a batch of $m = 8$ random examples. This page keeps the formulas'
# convention, one example per **column** of $X$; `dlbook.scratch` and Keras keep one per row,
# so their check lines transpose.

# %%
from dlbook.cli import chapter_args
from dlbook.results import save_results
from dlbook.scratch import MLP, Comparisons, gradient_descent_step, numerical_gradient
from dlbook.scratch.losses import softmax_cross_entropy, softmax_cross_entropy_gradient

import keras
import numpy as np
import tensorflow as tf

args = chapter_args("ch04_math/backprop", "Back-propagation by the delta rule and one step of "
                    "gradient descent, against dlbook.scratch and Keras (section 4)", epochs=1,
                    dataset=None)
rng = np.random.default_rng(args.seed)
check = Comparisons()

m = 8
X = rng.normal(size=(6, m))  # 6 inputs, one example per column
labels = rng.integers(0, 3, size=m)
T = np.eye(3)[labels].T  # (3, m): one-hot targets, one column per example
model = MLP(inputs=6, hidden=5, outputs=3, seed=args.seed)  # dlbook.scratch's network
W1, b1, W2, b2 = (weight.copy() for weight in model.parameters())  # the same weights, ours
twin = keras.Sequential([keras.Input((6,), dtype="float64"),  # and Keras's, in float64
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
H = 1 / (1 + np.exp(-Z1))
Z2 = W2 @ H + b2[:, np.newaxis]  # (3, m): the scores
P = np.exp(Z2) / np.exp(Z2).sum(axis=0)
J = -np.sum(T * np.log(P)) / m
print(f"J = {J:.4f}")


def scratch_loss():
    """The same loss computed by `dlbook.scratch.MLP` from its current weights."""
    return softmax_cross_entropy(T.T, model.forward(X.T))


keras_loss = keras.losses.CategoricalCrossentropy(from_logits=True, dtype="float64")
with tf.GradientTape() as tape:
    keras_J = keras_loss(T.T, twin(X.T))
check("J vs dlbook.scratch.MLP", J, scratch_loss())
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
# ## Checks
#
# Against `dlbook.scratch.MLP.backward` (the same rule, one example per row), against
# `tf.GradientTape` on the Keras twin (its kernels are $W^\top$), and against central
# differences $\big(J(w + h) - J(w - h)\big) / 2h$, which know nothing of the chain rule.

# %%
scratch_dW1, scratch_db1, scratch_dW2, scratch_db2 = model.backward(
    softmax_cross_entropy_gradient(T.T, model.forward(X.T)))
keras_dW1, keras_db1, keras_dW2, keras_db2 = tape.gradient(keras_J, twin.trainable_weights)

check("dJ/dW1 vs dlbook.scratch", dW1, scratch_dW1)
check("dJ/db1 vs dlbook.scratch", db1, scratch_db1)
check("dJ/dW2 vs dlbook.scratch", dW2, scratch_dW2)
check("dJ/db2 vs dlbook.scratch", db2, scratch_db2)
check("dJ/dW1 vs GradientTape", dW1, keras_dW1.numpy().T)
check("dJ/db1 vs GradientTape", db1, keras_db1)
check("dJ/dW2 vs GradientTape", dW2, keras_dW2.numpy().T)
check("dJ/db2 vs GradientTape", db2, keras_db2)
check("dJ/dW1 vs central differences", dW1, numerical_gradient(scratch_loss, model.W1))
check("dJ/db1 vs central differences", db1, numerical_gradient(scratch_loss, model.b1))

# %% [markdown]
# ## One step of gradient descent
#
# $$w \leftarrow w - \eta \frac{\partial J}{\partial w}, \qquad \eta = 0.5$$
#
# (seed 004's form; seed 002 writes it in two steps, $\Delta W = -\eta \nabla W$, then
# $W = W + \Delta W$).
#
# Ours; `dlbook.scratch.gradient_descent_step` on the scratch network; Keras's `SGD` on the
# twin. Then the loss again, from the stepped weights.

# %%
eta = 0.5
W1 = W1 - eta * dW1
b1 = b1 - eta * db1
W2 = W2 - eta * dW2
b2 = b2 - eta * db2

gradient_descent_step(model.parameters(), [scratch_dW1, scratch_db1, scratch_dW2, scratch_db2],
                      eta)
keras.optimizers.SGD(eta).apply_gradients(
    zip([keras_dW1, keras_db1, keras_dW2, keras_db2], twin.trainable_weights, strict=True))
check("W1 after the step vs dlbook.scratch", W1, model.W1)
check("W2 after the step vs dlbook.scratch", W2, model.W2)
check("W1 after the step vs keras.optimizers.SGD", W1, twin.layers[0].kernel.numpy().T)
check("W2 after the step vs keras.optimizers.SGD", W2, twin.layers[1].kernel.numpy().T)
J_after = scratch_loss()  # the scratch network now holds our stepped weights (checked above)
print(f"J before the step {J:.4f}, after {J_after:.4f}")

results_file = save_results(args, max_relative_error=check.largest,
                            relative_errors=check.errors, loss_before_step=J,
                            loss_after_step=J_after)
print(f"Results in {results_file}")

# %% [markdown]
# ## What to notice
#
# - The delta rule, `dlbook.scratch` and GradientTape agree to float64 rounding; the central
#   differences agree to about $10^{-9}$, the accuracy of a finite difference with
#   $h = 10^{-6}$.
# - The two deltas are the whole backward pass: each layer's weight gradient is its delta times
#   its input transposed, a **matrix** product that sums over the examples.
# - One step along the negative gradient lowers the loss on this batch.
