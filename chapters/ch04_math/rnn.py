# %% [markdown]
# # Section 4 · The recurrent network and back-propagation through time
#
# Tutorial: section 4 · RNN的数学表示 (seed 004 §4.3.1); section 5 · 循环神经网络的代码实现 (seed
# 004 §5.3)
#
# A recurrent network reads a sequence one step at a time and carries a hidden state $h$ from
# each step to the next:
#
# $$h_t = f(W_{hh} h_{t-1} + W_{xh} x_t + b_h), \qquad y_t = g(W_{hy} h_t + b_y)$$
#
# with $f = \tanh$ and $h_0 = 0$. The same weights serve at every step. Seed 004's NumPy RNN
# listing (§5.3) is a class that draws $W_{xh}$, $W_{hh}$, $W_{hy}$ with `randn * 0.01`, works
# on column vectors, runs this recurrence over a list of inputs, stores the inputs and every
# hidden state (`last_inputs`, `last_hs`) without using them or saying why, and returns the last
# output and hidden state. This page runs the same forward pass, then adds a backward pass
# through time, which the listing does not have and which needs exactly what it stores.
#
# Both are written in cells marked `#@save dlbook/scratch/rnn.py`: that module of the package runs
# them, so the next page and your own code import them from it
# (`from dlbook.scratch import rnn_forward`).

# %%
from dlbook.cli import start_page
from dlbook.scratch import Comparisons

import keras
import numpy as np
import tensorflow as tf

# %%
page = start_page("ch04_math/rnn", globals())
rng = np.random.default_rng(page.seed)
check = Comparisons(page.record)  # prints each comparison and records it in results.json

T, D, H, K = 6, 3, 5, 2  # steps, input features, hidden units, outputs
xs = rng.normal(size=(T, D))  # one sequence: x_1 ... x_T
W_xh = rng.normal(size=(H, D)) * 0.5
W_hh = rng.normal(size=(H, H)) * 0.5
W_hy = rng.normal(size=(K, H)) * 0.5
b_h = rng.normal(size=H) * 0.5
b_y = rng.normal(size=K) * 0.5

# %% [markdown]
# The weights here are `randn * 0.5` rather than the listing's `randn * 0.01`: with weights of
# 0.01 every state stays near 0, where $\tanh z \approx z$, and the network is almost linear;
# at 0.5 the $\tanh$ is really at work.
#
# ## Forward, step by step
#
# Exactly the formula; $g$ is the identity (a classifier would take a softmax), and the output is
# read at the last step. `rnn_forward` runs a batch of sequences at once, shape `(N, T, D)`, one
# sequence per row as in Keras, so each step computes the formula transposed,
# $h_t^\top = \tanh(x_t^\top W_{xh}^\top + h_{t-1}^\top W_{hh}^\top + b_h)$, for every row; the
# weights keep the formula's shapes. The listing's vectors are columns of shape `(H, 1)`, which
# give the same numbers in another layout.

# %%
#@save dlbook/scratch/rnn.py
def check_sequence(xs: np.ndarray, features: int, weights: str, shape: tuple[int, ...]) -> None:
    """Raise unless ``xs`` is ``(N, T, features)``, naming the weights that expect ``features``."""
    if xs.ndim != 3 or xs.shape[2] != features:
        raise ValueError(
            f"the sequence has shape {xs.shape} but {weights} has shape {shape}; "
            f"expected a sequence of shape (N, T, {features})"
        )


Params = dict[str, np.ndarray]
"""The weights of a recurrent layer by their names in the formulas (``W_xh``, ``b_h``...)."""


def rnn_forward(xs: np.ndarray, params: Params, h0: np.ndarray | None = None) -> np.ndarray:
    """Every hidden state ``h_t = tanh(W_xh x_t + W_hh h_{t-1} + b_h)`` (seed 004 §4.3.1) of the
    sequences ``xs`` (N, T, D): shape ``(N, T, H)``; ``h_0`` is zeros by default."""
    W_xh, W_hh, b_h = params["W_xh"], params["W_hh"], params["b_h"]
    check_sequence(xs, W_xh.shape[1], "W_xh", W_xh.shape)
    h = np.zeros((xs.shape[0], W_hh.shape[0]), dtype=xs.dtype) if h0 is None else h0
    hs = []
    for t in range(xs.shape[1]):
        h = np.tanh(xs[:, t] @ W_xh.T + h @ W_hh.T + b_h)
        hs.append(h)
    return np.stack(hs, axis=1)


# %%
params = {"W_xh": W_xh, "W_hh": W_hh, "b_h": b_h}
hs = rnn_forward(xs[np.newaxis], params)[0]  # (T, H): every hidden state, kept for later
h = hs[-1]
y = W_hy @ h + b_y  # the output at the last step
print("h_T =", h.round(4), " y_T =", y.round(4))

# %% [markdown]
# Keras's `SimpleRNN` computes the same recurrence and stores $W_{xh}^\top$ as its `kernel` and
# $W_{hh}^\top$ as its `recurrent_kernel`; `rnn_params_from_keras` reads them back into the
# formula's names.

# %%
#@save dlbook/scratch/rnn.py
def rnn_params_from_keras(kernel: np.ndarray, recurrent_kernel: np.ndarray,
                          bias: np.ndarray) -> Params:
    """``{"W_xh", "W_hh", "b_h"}`` from the weights of a Keras ``SimpleRNN``."""
    return {"W_xh": kernel.T, "W_hh": recurrent_kernel.T, "b_h": bias}


# %%
keras_rnn = keras.layers.SimpleRNN(H, return_sequences=True, dtype="float64")
keras_rnn.build((None, T, D))
keras_rnn.set_weights([W_xh.T, W_hh.T, b_h])
keras_output = keras.layers.Dense(K, dtype="float64")
keras_output.build((None, H))
keras_output.set_weights([W_hy.T, b_y])
check("h_1..h_T vs keras.layers.SimpleRNN", hs, keras_rnn(xs[np.newaxis])[0])
check("y_T vs keras.layers.Dense on the last state", y, keras_output(hs[np.newaxis, -1])[0])

# %% [markdown]
# ## Backward through time
#
# Take the squared error of the last output, $L = \frac{1}{2} \| y_T - \text{target} \|^2$.
# Its gradient reaches $h_T$ through $W_{hy}$; then, walking back in time, each step applies the
# delta rule of `backprop.py` to its $\tanh$ ($\tanh' = 1 - h_t^2$) and passes the rest on to
# $h_{t-1}$ through $W_{hh}$:
#
# $$\delta_t = \frac{\partial L}{\partial h_t} \odot (1 - h_t^2), \qquad
# \frac{\partial L}{\partial h_{t-1}} = W_{hh}^\top \delta_t$$
#
# Every step used the same weights, so their gradients add up over the steps:
#
# $$\frac{\partial L}{\partial W_{xh}} = \sum_t \delta_t x_t^\top, \qquad
# \frac{\partial L}{\partial W_{hh}} = \sum_t \delta_t h_{t-1}^\top, \qquad
# \frac{\partial L}{\partial b_h} = \sum_t \delta_t$$
#
# `rnn_backward` takes the gradient of the loss at every hidden state, $\partial L / \partial h_t$
# from the outputs read at step $t$ (here 0 except at the last); the gradient that reaches $h_t$
# is that plus what $h_{t+1}$ sends back. It returns the weights' gradients and the inputs',
# $\partial L / \partial x_t = W_{xh}^\top \delta_t$.

# %%
#@save dlbook/scratch/rnn.py
def rnn_backward(
    dhs: np.ndarray, xs: np.ndarray, hs: np.ndarray, params: Params,
    h0: np.ndarray | None = None,
) -> tuple[np.ndarray, Params]:
    """Back-propagation through time: ``(dL/dxs, gradients of params)`` from ``dhs = dL/dh_t``
    (N, T, H), the gradient the loss puts on each hidden state directly."""
    W_xh, W_hh = params["W_xh"], params["W_hh"]
    h0 = np.zeros_like(hs[:, 0]) if h0 is None else h0
    grads = {name: np.zeros_like(value) for name, value in params.items()}
    dxs = np.zeros_like(xs)
    dh_from_next = np.zeros_like(h0)
    for t in reversed(range(xs.shape[1])):
        h_prev = hs[:, t - 1] if t > 0 else h0
        delta = (dhs[:, t] + dh_from_next) * (1 - hs[:, t] ** 2)
        grads["W_xh"] += delta.T @ xs[:, t]
        grads["W_hh"] += delta.T @ h_prev
        grads["b_h"] += delta.sum(axis=0)
        dxs[:, t] = delta @ W_xh
        dh_from_next = delta @ W_hh
    return dxs, grads


# %% [markdown]
# GradientTape differentiates the same loss through the Keras layers:

# %%
target = rng.normal(size=K)
dL_dy = y - target
dW_hy, db_y = np.outer(dL_dy, h), dL_dy  # the output layer's gradients
dL_dhs = np.zeros((1, T, H))
dL_dhs[0, -1] = W_hy.T @ dL_dy  # the loss reaches the last hidden state only
_, grads = rnn_backward(dL_dhs, xs[np.newaxis], hs[np.newaxis], params)

with tf.GradientTape() as tape:
    keras_y = keras_output(keras_rnn(xs[np.newaxis])[:, -1])
    keras_loss = 0.5 * tf.reduce_sum((keras_y - target) ** 2)
keras_rnn_grads, (keras_dW_hy, keras_db_y) = tape.gradient(
    keras_loss, [keras_rnn.trainable_weights, keras_output.trainable_weights])
keras_grads = rnn_params_from_keras(*(gradient.numpy() for gradient in keras_rnn_grads))

check("dL/dW_xh vs GradientTape", grads["W_xh"], keras_grads["W_xh"])
check("dL/dW_hh vs GradientTape", grads["W_hh"], keras_grads["W_hh"])
check("dL/db_h vs GradientTape", grads["b_h"], keras_grads["b_h"])
check("dL/dW_hy vs GradientTape", dW_hy, keras_dW_hy.numpy().T)
check("dL/db_y vs GradientTape", db_y, keras_db_y)

# %% [markdown]
# ## The gradient fades going back in time
#
# Each step back multiplies the gradient by $W_{hh}^\top$ and by $\tanh'$, which is at most 1.
# Unless $W_{hh}$ makes up for it, the signal from the loss shrinks step after step: the early
# inputs barely change the weights. This is the vanishing gradient that seed 000 lists among
# deep learning's weaknesses (in section 3), and the reason for the LSTM's cell state
# (`lstm_gru.py`). Following $\partial L / \partial h_t$ back from the last step:

# %%
dL_dh = W_hy.T @ dL_dy  # at h_T
gradient_norms = []  # |dL/dh_t|, from t = T back to 1
for t in reversed(range(T)):
    gradient_norms.append(np.linalg.norm(dL_dh))
    dL_dh = W_hh.T @ (dL_dh * (1 - hs[t] ** 2))  # the delta, sent on to h_{t-1}
for t, norm in zip(range(T, 0, -1), gradient_norms, strict=True):
    print(f"|dL/dh_{t}| = {norm:.4f}")
page.record(gradient_norms_from_last_step=gradient_norms)

# %% [markdown]
# ## What to notice
#
# - The recurrence is one line of `rnn_forward`, and with the same weights it is exactly what
#   Keras's `SimpleRNN` computes.
# - The hidden states the listing keeps are what the backward pass needs: $h_t$ for $\tanh'$ and
#   $h_{t-1}$ for $\partial L / \partial W_{hh}$.
# - $|\partial L / \partial h_t|$ falls as $t$ goes back from $T$ (with seed 0, by a factor
#   of about 800 over six steps): the first steps of the sequence receive a tiny part of the
#   gradient.
