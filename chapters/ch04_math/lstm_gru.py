# %% [markdown]
# # Section 4 · The LSTM cell, gate by gate (and the GRU)
#
# Tutorial: section 4 · LSTM的数学表示 (seed 004 §4.3.2); section 2 · 门控循环单元（GRU） (seed 004
# §2.5.3)
#
# The LSTM adds to the recurrent network (`rnn.py`) a second state, the **cell state** $C_t$,
# and three **gates**, vectors of numbers between 0 and 1 that decide, unit by unit, how much of
# the old cell state to keep, how much new content to write, and how much of the cell to show as
# the hidden state. Section 4 computes each from the previous hidden state and the input stacked
# into one vector $[h_{t-1}, x_t]$:
#
# $$\begin{aligned}
# f_t &= \sigma(W_f [h_{t-1}, x_t] + b_f) && \text{forget gate} \\
# i_t &= \sigma(W_i [h_{t-1}, x_t] + b_i) && \text{input gate} \\
# \tilde C_t &= \tanh(W_C [h_{t-1}, x_t] + b_C) && \text{candidate cell state} \\
# C_t &= f_t \odot C_{t-1} + i_t \odot \tilde C_t && \text{cell state update} \\
# o_t &= \sigma(W_o [h_{t-1}, x_t] + b_o) && \text{output gate} \\
# h_t &= o_t \odot \tanh(C_t) && \text{hidden state}
# \end{aligned}$$
#
# The GRU, which section 2's family tree names beside the LSTM but section 4 does not write out,
# closes the page, as Keras computes it (chapter 5's text classifier offers both cells).
#
# Both cells, forward and backward through time, are written in cells marked
# `#@save dlbook/scratch/lstm.py` and `#@save dlbook/scratch/gru.py`: those two modules of the
# package run them, so the tests and your own code import the cells written here, not a copy.

# %%
from dlbook.cli import start_page
from dlbook.scratch import Comparisons
from dlbook.scratch.activations import sigmoid
from dlbook.scratch.dense import dense_backward, dense_forward
from dlbook.scratch.rnn import Params, check_sequence

import keras
import numpy as np
import tensorflow as tf

# %%
page = start_page("ch04_math/lstm_gru", globals())
rng = np.random.default_rng(page.seed)
check = Comparisons(page.record)  # prints each comparison and records it in results.json

T, D, H = 5, 3, 4  # steps, input features, hidden units
xs = rng.normal(size=(T, D))  # one sequence: x_1 ... x_T

# %% [markdown]
# ## The LSTM, forward
#
# Each gate is a dense layer on $[h_{t-1}, x_t]$ (`dense_forward`, `backprop.py`), so its $W$ is
# $H \times (H + D)$. `lstm_cell_forward` is the six equations, line by line, for a batch with
# one example per row; it keeps what the backward pass will need (each gate's output and
# pre-activation, $[h_{t-1}, x_t]$, $C_{t-1}$ and $C_t$). `lstm_forward` runs it along the
# sequences, from $h_0 = C_0 = 0$.

# %%
#@save dlbook/scratch/lstm.py
def lstm_cell_forward(
    x: np.ndarray, h_prev: np.ndarray, c_prev: np.ndarray, params: Params
) -> tuple[np.ndarray, np.ndarray, dict]:
    """One step of section 4's LSTM (seed 004 §4.3.2): ``(h_t, C_t, cache)`` from ``x_t``
    (N, D), ``h_{t-1}`` and ``C_{t-1}`` (N, H); the weights ``W_g`` are ``(H, H + D)``."""
    hx = np.concatenate([h_prev, x], axis=1)  # [h_{t-1}, x_t]
    f, z_f = dense_forward(hx, params["W_f"], params["b_f"], "sigmoid")  # forget gate
    i, z_i = dense_forward(hx, params["W_i"], params["b_i"], "sigmoid")  # input gate
    c_candidate, z_c = dense_forward(hx, params["W_c"], params["b_c"], "tanh")
    c = f * c_prev + i * c_candidate  # cell state update
    o, z_o = dense_forward(hx, params["W_o"], params["b_o"], "sigmoid")  # output gate
    h = o * np.tanh(c)  # hidden state
    cache = {"hx": hx, "c_prev": c_prev, "c": c,
             "gates": {"f": f, "i": i, "c": c_candidate, "o": o},
             "pre_activations": {"f": z_f, "i": z_i, "c": z_c, "o": z_o}}
    return h, c, cache


def lstm_forward(
    xs: np.ndarray, params: Params, h0: np.ndarray | None = None, c0: np.ndarray | None = None
) -> tuple[np.ndarray, list[dict]]:
    """Every hidden state ``(N, T, H)`` of the sequences ``xs`` (N, T, D), and the caches that
    `lstm_backward` needs. ``h_0`` and ``C_0`` are zeros by default."""
    hidden, stacked = params["W_f"].shape
    check_sequence(xs, stacked - hidden, "W_f (H, H + D)", params["W_f"].shape)
    h = np.zeros((xs.shape[0], hidden), dtype=xs.dtype) if h0 is None else h0
    c = np.zeros_like(h) if c0 is None else c0
    hs, caches = [], []
    for t in range(xs.shape[1]):
        h, c, cache = lstm_cell_forward(xs[:, t], h, c, params)
        hs.append(h)
        caches.append(cache)
    return np.stack(hs, axis=1), caches


# %%
W_f, W_i, W_C, W_o = (rng.normal(size=(H, H + D)) * 0.5 for _ in range(4))
b_f, b_i, b_C, b_o = (rng.normal(size=H) * 0.5 for _ in range(4))
params = {"W_f": W_f, "b_f": b_f, "W_i": W_i, "b_i": b_i,
          "W_c": W_C, "b_c": b_C, "W_o": W_o, "b_o": b_o}

hs, caches = lstm_forward(xs[np.newaxis], params)
last = caches[-1]
print("h_T =", hs[0, -1].round(4), " C_T =", last["c"][0].round(4),
      "\nforget gate at T:", last["gates"]["f"][0].round(3))

# %% [markdown]
# Keras's `LSTM` keeps the four gates side by side in the order $i, f, C, o$, and splits each
# $W$ into its input half (`kernel`, the columns that multiply $x_t$) and its recurrent half
# (`recurrent_kernel`, those that multiply $h_{t-1}$), transposed. `lstm_params_from_keras`
# reads Keras's weights (or their gradients) back into the formulas' names:

# %%
#@save dlbook/scratch/lstm.py
KERAS_LSTM_GATES = "ifco"
"""The order of the gates in the weights of Keras's ``LSTM``."""


def lstm_params_from_keras(kernel: np.ndarray, recurrent_kernel: np.ndarray,
                           bias: np.ndarray) -> Params:
    """``{"W_f", "b_f", ..., "W_o", "b_o"}`` from the weights of a Keras ``LSTM``: gate ``g`` at
    block ``k`` is ``W_g = [recurrent_kernel[:, block].T, kernel[:, block].T]`` side by side and
    ``b_g = bias[block]``, ``block = k H ... (k + 1) H``."""
    hidden = recurrent_kernel.shape[0]
    params = {}
    for k, gate in enumerate(KERAS_LSTM_GATES):
        block = slice(k * hidden, (k + 1) * hidden)
        params[f"W_{gate}"] = np.concatenate([recurrent_kernel[:, block], kernel[:, block]]).T
        params[f"b_{gate}"] = bias[block]
    return params


# %%
keras_lstm = keras.layers.LSTM(H, return_sequences=True, dtype="float64")
keras_lstm.build((None, T, D))
keras_lstm.set_weights([
    np.concatenate([W_i[:, H:], W_f[:, H:], W_C[:, H:], W_o[:, H:]]).T,  # kernel (D, 4H)
    np.concatenate([W_i[:, :H], W_f[:, :H], W_C[:, :H], W_o[:, :H]]).T,  # recurrent (H, 4H)
    np.concatenate([b_i, b_f, b_C, b_o]),
])
check("LSTM h_1..h_T vs keras.layers.LSTM", hs[0], keras_lstm(xs[np.newaxis])[0])

# %% [markdown]
# ## Why the cell state helps the gradient
#
# Back through time, the cell state's update gives
# $\partial C_t / \partial C_{t-1} = f_t$: along the cell state the gradient is multiplied only
# by the forget gate, not by $W_{hh}$ and a $\tanh'$ at every step as in `rnn.py`. Where the
# forget gate is near 1, the gradient passes back almost unchanged.
#
# The whole step back, from the gradients at $h_t$ and at $C_t$ (what step $t + 1$ sends back
# plus what the loss puts there). The cell state also reaches the loss through
# $h_t = o_t \odot \tanh C_t$, so its gradient gathers both:
#
# $$\frac{\partial L}{\partial C_t} \mathrel{+}= \frac{\partial L}{\partial h_t} \odot o_t
# \odot (1 - \tanh^2 C_t)$$
#
# Each gate's output then gets its gradient from the update and from $h_t$:
#
# $$\frac{\partial L}{\partial f_t} = \frac{\partial L}{\partial C_t} \odot C_{t-1}, \quad
# \frac{\partial L}{\partial i_t} = \frac{\partial L}{\partial C_t} \odot \tilde C_t, \quad
# \frac{\partial L}{\partial \tilde C_t} = \frac{\partial L}{\partial C_t} \odot i_t, \quad
# \frac{\partial L}{\partial o_t} = \frac{\partial L}{\partial h_t} \odot \tanh C_t$$
#
# and each gate, a dense layer, takes it through the delta rule (`dense_backward`): its weights'
# gradients and its share of the gradient at $[h_{t-1}, x_t]$. The four shares add up and split
# into $\partial L / \partial h_{t-1}$ and $\partial L / \partial x_t$; and
# $\partial L / \partial C_{t-1} = \partial L / \partial C_t \odot f_t$. The weights serve at
# every step, so their gradients add up over the steps.

# %%
#@save dlbook/scratch/lstm.py
GATES = {"f": "sigmoid", "i": "sigmoid", "c": "tanh", "o": "sigmoid"}
"""Each gate of the LSTM and its activation."""


def lstm_cell_backward(
    dh: np.ndarray, dc: np.ndarray, cache: dict, params: Params
) -> tuple[np.ndarray, np.ndarray, np.ndarray, Params]:
    """One step back: ``(dL/dx_t, dL/dh_{t-1}, dL/dC_{t-1}, gradients of params)`` from
    ``dL/dh_t`` and the part of ``dL/dC_t`` that comes from step ``t + 1``."""
    gates, hx = cache["gates"], cache["hx"]
    tanh_c = np.tanh(cache["c"])
    dc = dc + dh * gates["o"] * (1 - tanh_c**2)
    d_gates = {"f": dc * cache["c_prev"], "i": dc * gates["c"], "c": dc * gates["i"],
               "o": dh * tanh_c}
    dhx = np.zeros_like(hx)
    grads = {}
    for gate, activation in GATES.items():
        d_input, grads[f"W_{gate}"], grads[f"b_{gate}"] = dense_backward(
            d_gates[gate], hx, cache["pre_activations"][gate], params[f"W_{gate}"], activation)
        dhx += d_input
    hidden = dc.shape[1]
    return dhx[:, hidden:], dhx[:, :hidden], dc * gates["f"], grads


def lstm_backward(
    dhs: np.ndarray, caches: list[dict], params: Params
) -> tuple[np.ndarray, Params]:
    """Back-propagation through time: ``(dL/dxs, gradients of params)`` from ``dhs = dL/dh_t``
    (N, T, H); both ``h`` and ``C`` carry gradient from step ``t + 1`` back to step ``t``."""
    grads = {name: np.zeros_like(value) for name, value in params.items()}
    dxs = []
    dh_from_next = np.zeros_like(dhs[:, 0])
    dc_from_next = np.zeros_like(dh_from_next)
    for t in reversed(range(dhs.shape[1])):
        dx, dh_from_next, dc_from_next, step = lstm_cell_backward(
            dhs[:, t] + dh_from_next, dc_from_next, caches[t], params)
        for name, grad in step.items():
            grads[name] += grad
        dxs.append(dx)
    return np.stack(dxs[::-1], axis=1), grads


# %% [markdown]
# For a loss whose gradient at $h_T$ is a random vector, it agrees with GradientTape through
# Keras's layer:

# %%
dL_dhs = np.zeros((1, T, H))
dL_dhs[0, -1] = rng.normal(size=H)
dxs, grads = lstm_backward(dL_dhs, caches, params)
xs_tensor = tf.constant(xs[np.newaxis])
with tf.GradientTape() as tape:  # L = sum(h * dL/dh): its gradient at each h_t is dL/dh_t
    tape.watch(xs_tensor)
    weighted_sum = tf.reduce_sum(keras_lstm(xs_tensor) * dL_dhs)
keras_dxs, *keras_weight_grads = (gradient.numpy() for gradient in tape.gradient(
    weighted_sum, [xs_tensor, *keras_lstm.trainable_weights]))
keras_grads = lstm_params_from_keras(*keras_weight_grads)  # Keras's layout -> W_f, b_f, ...

check("LSTM dL/dx_t vs GradientTape", dxs, keras_dxs)
check("LSTM dL/dW_f vs GradientTape", grads["W_f"], keras_grads["W_f"])
check("LSTM dL/dW_i vs GradientTape", grads["W_i"], keras_grads["W_i"])
check("LSTM dL/dW_C vs GradientTape", grads["W_c"], keras_grads["W_c"])
check("LSTM dL/dW_o vs GradientTape", grads["W_o"], keras_grads["W_o"])

# %% [markdown]
# ## The GRU, as Keras computes it
#
# Two gates and no separate cell state: an update gate $z_t$ that mixes the old state with a
# candidate, and a reset gate $r_t$ that decides how much of the old state the candidate sees.
# Keras (`reset_after=True`, its default) applies $r_t$ after the recurrent product, which needs
# a second bias $b^h$ inside:
#
# $$\begin{aligned}
# z_t &= \sigma(W_z x_t + b^x_z + U_z h_{t-1} + b^h_z) \\
# r_t &= \sigma(W_r x_t + b^x_r + U_r h_{t-1} + b^h_r) \\
# \tilde h_t &= \tanh\big(W_h x_t + b^x_h + r_t \odot (U_h h_{t-1} + b^h_h)\big) \\
# h_t &= z_t \odot h_{t-1} + (1 - z_t) \odot \tilde h_t
# \end{aligned}$$
#
# The GRU of Cho et al. (2014) resets $h_{t-1}$ before the product,
# $\tilde h_t = \tanh\big(W_h x_t + U_h (r_t \odot h_{t-1})\big)$, and mixes the two states as
# Keras does, $h_t = z_t \odot h_{t-1} + (1 - z_t) \odot \tilde h_t$ (their equation 7). Chung
# et al. (2014) write the update gate the other way round,
# $h_t = (1 - z_t) \odot h_{t-1} + z_t \odot \tilde h_t$, which only renames $z_t$ as $1 - z_t$.
# All are GRUs.
#
# In the code the candidate's weights are named with a `c` (`W_c`, `U_c`), as the LSTM's
# candidate is; `gru_cell_forward` keeps each gate's two products apart, the input one
# $W_g x_t + b^x_g$ and the recurrent one $U_g h_{t-1} + b^h_g$.

# %%
#@save dlbook/scratch/gru.py
def gru_cell_forward(x: np.ndarray, h_prev: np.ndarray,
                     params: Params) -> tuple[np.ndarray, tuple]:
    """One step of the GRU as Keras computes it (``reset_after=True``): ``(h_t, cache)`` from
    ``x_t`` (N, D) and ``h_{t-1}`` (N, H); ``W_g`` is ``(H, D)``, ``U_g`` ``(H, H)``."""
    def products(gate: str) -> tuple[np.ndarray, np.ndarray]:
        return (x @ params[f"W_{gate}"].T + params[f"bx_{gate}"],
                h_prev @ params[f"U_{gate}"].T + params[f"bh_{gate}"])

    x_z, h_z = products("z")
    x_r, h_r = products("r")
    x_c, h_c = products("c")
    z = sigmoid(x_z + h_z)  # update gate
    r = sigmoid(x_r + h_r)  # reset gate
    candidate = np.tanh(x_c + r * h_c)
    h = z * h_prev + (1 - z) * candidate
    return h, (x, h_prev, z, r, h_c, candidate)


def gru_forward(
    xs: np.ndarray, params: Params, h0: np.ndarray | None = None
) -> tuple[np.ndarray, list[tuple]]:
    """Every hidden state ``(N, T, H)`` of the sequences ``xs`` (N, T, D), and the caches that
    `gru_backward` needs. ``h_0`` is zeros by default."""
    check_sequence(xs, params["W_z"].shape[1], "W_z", params["W_z"].shape)
    h = np.zeros((xs.shape[0], params["U_z"].shape[0]), dtype=xs.dtype) if h0 is None else h0
    hs, caches = [], []
    for t in range(xs.shape[1]):
        h, cache = gru_cell_forward(xs[:, t], h, params)
        hs.append(h)
        caches.append(cache)
    return np.stack(hs, axis=1), caches


# %%
W_z, W_r, W_h = (rng.normal(size=(H, D)) * 0.5 for _ in range(3))
U_z, U_r, U_h = (rng.normal(size=(H, H)) * 0.5 for _ in range(3))
bx_z, bx_r, bx_h, bh_z, bh_r, bh_h = (rng.normal(size=H) * 0.5 for _ in range(6))
gru_params = {"W_z": W_z, "U_z": U_z, "bx_z": bx_z, "bh_z": bh_z,
              "W_r": W_r, "U_r": U_r, "bx_r": bx_r, "bh_r": bh_r,
              "W_c": W_h, "U_c": U_h, "bx_c": bx_h, "bh_c": bh_h}

gru_hs, gru_caches = gru_forward(xs[np.newaxis], gru_params)
print("GRU h_T =", gru_hs[0, -1].round(4))

keras_gru = keras.layers.GRU(H, return_sequences=True, dtype="float64")
keras_gru.build((None, T, D))
keras_gru.set_weights([
    np.concatenate([W_z, W_r, W_h]).T,  # kernel (D, 3H), gates in the order z, r, h
    np.concatenate([U_z, U_r, U_h]).T,  # recurrent kernel (H, 3H)
    np.stack([np.concatenate([bx_z, bx_r, bx_h]), np.concatenate([bh_z, bh_r, bh_h])]),
])
check("GRU h_1..h_T vs keras.layers.GRU", gru_hs[0], keras_gru(xs[np.newaxis])[0])

# %% [markdown]
# ### The GRU's backward pass
#
# From the gradient $g = \partial L / \partial h_t$, the mixing line sends $g \odot z_t$ straight
# back to $h_{t-1}$, and the gradients at the three pre-activations follow from
# $\sigma' = \sigma (1 - \sigma)$ and $\tanh' = 1 - \tanh^2$:
#
# $$\delta_{\tilde h} = g \odot (1 - z_t) \odot (1 - \tilde h_t^2), \quad
# \delta_z = g \odot (h_{t-1} - \tilde h_t) \odot z_t (1 - z_t), \quad
# \delta_r = \delta_{\tilde h} \odot (U_h h_{t-1} + b^h_h) \odot r_t (1 - r_t)$$
#
# The input products $W_g x_t + b^x_g$ receive $\delta_z$, $\delta_r$ and $\delta_{\tilde h}$;
# the recurrent ones receive $\delta_z$, $\delta_r$ and $r_t \odot \delta_{\tilde h}$, since
# the reset gate multiplies that product. Each product is a dense layer without activation:
# $\partial L / \partial W_g = \delta^\top x_t$ (one example per row),
# $\partial L / \partial U_g = \delta^\top h_{t-1}$, the biases the sums of the deltas, and
# $\partial L / \partial x_t$ and $\partial L / \partial h_{t-1}$ gather $\delta W_g$ and
# $\delta U_g$ over the three gates. `gru_params_from_keras` reads Keras's weights (or their
# gradients) back into these names: its `kernel` holds the $W_g^\top$ side by side in the order
# $z, r, \tilde h$, its `recurrent_kernel` the $U_g^\top$, and its `bias` two rows, the $b^x$
# and the $b^h$.

# %%
#@save dlbook/scratch/gru.py
KERAS_GRU_GATES = "zrc"
"""The order of the gates in the weights of Keras's ``GRU``: update, reset, candidate."""


def gru_cell_backward(dh: np.ndarray, cache: tuple,
                      params: Params) -> tuple[np.ndarray, np.ndarray, Params]:
    """One step back: ``(dL/dx_t, dL/dh_{t-1}, gradients of params)`` from ``dL/dh_t``."""
    x, h_prev, z, r, h_c, candidate = cache
    d_candidate = dh * (1 - z) * (1 - candidate**2)
    d_z = dh * (h_prev - candidate) * z * (1 - z)
    d_r = d_candidate * h_c * r * (1 - r)
    d_input = {"z": d_z, "r": d_r, "c": d_candidate}  # at W_g x + bx_g
    d_recurrent = {"z": d_z, "r": d_r, "c": d_candidate * r}  # at U_g h + bh_g
    dx = np.zeros_like(x)
    dh_prev = dh * z
    grads = {}
    for gate in KERAS_GRU_GATES:
        grads[f"W_{gate}"] = d_input[gate].T @ x
        grads[f"bx_{gate}"] = d_input[gate].sum(axis=0)
        grads[f"U_{gate}"] = d_recurrent[gate].T @ h_prev
        grads[f"bh_{gate}"] = d_recurrent[gate].sum(axis=0)
        dx += d_input[gate] @ params[f"W_{gate}"]
        dh_prev += d_recurrent[gate] @ params[f"U_{gate}"]
    return dx, dh_prev, grads


def gru_backward(
    dhs: np.ndarray, caches: list[tuple], params: Params
) -> tuple[np.ndarray, Params]:
    """Back-propagation through time: ``(dL/dxs, gradients of params)`` from ``dhs = dL/dh_t``
    (N, T, H)."""
    grads = {name: np.zeros_like(value) for name, value in params.items()}
    dxs = []
    dh_from_next = np.zeros_like(dhs[:, 0])
    for t in reversed(range(dhs.shape[1])):
        dx, dh_from_next, step = gru_cell_backward(dhs[:, t] + dh_from_next, caches[t], params)
        for name, grad in step.items():
            grads[name] += grad
        dxs.append(dx)
    return np.stack(dxs[::-1], axis=1), grads


def gru_params_from_keras(kernel: np.ndarray, recurrent_kernel: np.ndarray,
                          bias: np.ndarray) -> Params:
    """``{"W_z", "U_z", "bx_z", "bh_z", ...}`` from the weights of a Keras ``GRU``: gate ``g`` at
    block ``k`` is ``W_g = kernel[:, block].T``, ``U_g = recurrent_kernel[:, block].T``,
    ``bx_g = bias[0, block]``, ``bh_g = bias[1, block]``."""
    hidden = recurrent_kernel.shape[0]
    params = {}
    for k, gate in enumerate(KERAS_GRU_GATES):
        block = slice(k * hidden, (k + 1) * hidden)
        params[f"W_{gate}"] = kernel[:, block].T
        params[f"U_{gate}"] = recurrent_kernel[:, block].T
        params[f"bx_{gate}"] = bias[0, block]
        params[f"bh_{gate}"] = bias[1, block]
    return params


# %%
gru_dxs, gru_grads = gru_backward(dL_dhs, gru_caches, gru_params)
with tf.GradientTape() as tape:  # the same loss as for the LSTM
    tape.watch(xs_tensor)
    weighted_sum = tf.reduce_sum(keras_gru(xs_tensor) * dL_dhs)
keras_dxs, *keras_weight_grads = (gradient.numpy() for gradient in tape.gradient(
    weighted_sum, [xs_tensor, *keras_gru.trainable_weights]))
keras_gru_grads = gru_params_from_keras(*keras_weight_grads)

check("GRU dL/dx_t vs GradientTape", gru_dxs, keras_dxs)
check("GRU dL/dW_z, dL/dU_z vs GradientTape", np.hstack([gru_grads["W_z"], gru_grads["U_z"]]),
      np.hstack([keras_gru_grads["W_z"], keras_gru_grads["U_z"]]))
check("GRU dL/dW_r, dL/dU_r vs GradientTape", np.hstack([gru_grads["W_r"], gru_grads["U_r"]]),
      np.hstack([keras_gru_grads["W_r"], keras_gru_grads["U_r"]]))
check("GRU dL/dW_h, dL/dU_h vs GradientTape", np.hstack([gru_grads["W_c"], gru_grads["U_c"]]),
      np.hstack([keras_gru_grads["W_c"], keras_gru_grads["U_c"]]))
check("GRU dL/db^x, dL/db^h vs GradientTape",
      np.stack([gru_grads[f"b{kind}_{gate}"] for kind in "xh" for gate in "zrc"]),
      np.stack([keras_gru_grads[f"b{kind}_{gate}"] for kind in "xh" for gate in "zrc"]))

# %% [markdown]
# ## What to notice
#
# - The LSTM's six equations are six lines of NumPy, and with the same weights they are exactly
#   Keras's `LSTM`; the GRU's four are four lines. The only work in matching Keras is the layout
#   of its weights: the gates side by side, input and recurrent halves apart, transposed.
# - Every gate is a dense layer with a sigmoid: a number between 0 and 1 per unit, which
#   multiplies what it lets through.
# - The cell state is updated by a product with the forget gate and a sum, with no weight matrix
#   on the way, which is what lets the gradient reach early steps (compare `rnn.py`).
