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

# %%
from dlbook.cli import chapter_args
from dlbook.results import save_results
from dlbook.scratch import (
    Comparisons,
    gru_forward,
    lstm_backward,
    lstm_forward,
    lstm_params_from_keras,
    sigmoid,
)

import keras
import numpy as np
import tensorflow as tf

args = chapter_args("ch04_math/lstm_gru", "The LSTM and GRU cells, gate by gate, in NumPy "
                    "against dlbook.scratch and Keras (section 4)", epochs=1, dataset=None)
rng = np.random.default_rng(args.seed)
check = Comparisons()

T, D, H = 5, 3, 4  # steps, input features, hidden units
xs = rng.normal(size=(T, D))  # one sequence: x_1 ... x_T

# %% [markdown]
# ## The LSTM, forward
#
# Each gate is a dense layer on $[h_{t-1}, x_t]$, so its $W$ is $H \times (H + D)$.

# %%
W_f, W_i, W_C, W_o = (rng.normal(size=(H, H + D)) * 0.5 for _ in range(4))
b_f, b_i, b_C, b_o = (rng.normal(size=H) * 0.5 for _ in range(4))

h, C = np.zeros(H), np.zeros(H)  # h_0, C_0
hs = []
for x_t in xs:
    hx = np.concatenate([h, x_t])  # [h_{t-1}, x_t]
    f = sigmoid(W_f @ hx + b_f)
    i = sigmoid(W_i @ hx + b_i)
    C_candidate = np.tanh(W_C @ hx + b_C)
    C = f * C + i * C_candidate
    o = sigmoid(W_o @ hx + b_o)
    h = o * np.tanh(C)
    hs.append(h)
hs = np.array(hs)
print("h_T =", h.round(4), " C_T =", C.round(4), "\nforget gate at T:", f.round(3))

# %% [markdown]
# `dlbook.scratch.lstm_forward` takes the same weights. Keras's `LSTM` keeps the four gates side
# by side in the order $i, f, C, o$, and splits each $W$ into its input half (`kernel`, the
# columns that multiply $x_t$) and its recurrent half (`recurrent_kernel`, those that multiply
# $h_{t-1}$), transposed:

# %%
params = {"W_f": W_f, "b_f": b_f, "W_i": W_i, "b_i": b_i,
          "W_c": W_C, "b_c": b_C, "W_o": W_o, "b_o": b_o}
scratch_hs, caches = lstm_forward(xs[np.newaxis], params)
check("LSTM h_1..h_T vs dlbook.scratch.lstm_forward", hs, scratch_hs[0])

keras_lstm = keras.layers.LSTM(H, return_sequences=True, dtype="float64")
keras_lstm.build((None, T, D))
keras_lstm.set_weights([
    np.concatenate([W_i[:, H:], W_f[:, H:], W_C[:, H:], W_o[:, H:]]).T,  # kernel (D, 4H)
    np.concatenate([W_i[:, :H], W_f[:, :H], W_C[:, :H], W_o[:, :H]]).T,  # recurrent (H, 4H)
    np.concatenate([b_i, b_f, b_C, b_o]),
])
check("LSTM h_1..h_T vs keras.layers.LSTM", hs, keras_lstm(xs[np.newaxis])[0])

# %% [markdown]
# ## Why the cell state helps the gradient
#
# Back through time, the cell state's update gives
# $\partial C_t / \partial C_{t-1} = f_t$: along the cell state the gradient is multiplied only
# by the forget gate, not by $W_{hh}$ and a $\tanh'$ at every step as in `rnn.py`. Where the
# forget gate is near 1, the gradient passes back almost unchanged.
#
# `dlbook.scratch.lstm_backward` carries the gradient back through both $h$ and $C$, each gate a
# delta rule (read `dlbook/scratch/lstm.py`). For a loss whose gradient at $h_T$ is a random
# vector, it agrees with GradientTape through Keras's layer:

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

# %%
W_z, W_r, W_h = (rng.normal(size=(H, D)) * 0.5 for _ in range(3))
U_z, U_r, U_h = (rng.normal(size=(H, H)) * 0.5 for _ in range(3))
bx_z, bx_r, bx_h, bh_z, bh_r, bh_h = (rng.normal(size=H) * 0.5 for _ in range(6))

h = np.zeros(H)
gru_hs = []
for x_t in xs:
    z = sigmoid(W_z @ x_t + bx_z + U_z @ h + bh_z)
    r = sigmoid(W_r @ x_t + bx_r + U_r @ h + bh_r)
    h_candidate = np.tanh(W_h @ x_t + bx_h + r * (U_h @ h + bh_h))
    h = z * h + (1 - z) * h_candidate
    gru_hs.append(h)
gru_hs = np.array(gru_hs)
print("GRU h_T =", h.round(4))

gru_params = {"W_z": W_z, "U_z": U_z, "bx_z": bx_z, "bh_z": bh_z,
              "W_r": W_r, "U_r": U_r, "bx_r": bx_r, "bh_r": bh_r,
              "W_c": W_h, "U_c": U_h, "bx_c": bx_h, "bh_c": bh_h}
check("GRU h_1..h_T vs dlbook.scratch.gru_forward", gru_hs,
      gru_forward(xs[np.newaxis], gru_params)[0][0])
keras_gru = keras.layers.GRU(H, return_sequences=True, dtype="float64")
keras_gru.build((None, T, D))
keras_gru.set_weights([
    np.concatenate([W_z, W_r, W_h]).T,  # kernel (D, 3H), gates in the order z, r, h
    np.concatenate([U_z, U_r, U_h]).T,  # recurrent kernel (H, 3H)
    np.stack([np.concatenate([bx_z, bx_r, bx_h]), np.concatenate([bh_z, bh_r, bh_h])]),
])
check("GRU h_1..h_T vs keras.layers.GRU", gru_hs, keras_gru(xs[np.newaxis])[0])

results_file = save_results(args, max_relative_error=check.largest,
                            relative_errors=check.errors)
print(f"Results in {results_file}")

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
