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

# %%
from dlbook.cli import chapter_args
from dlbook.results import save_results
from dlbook.scratch import Comparisons, rnn_backward, rnn_forward

import keras
import numpy as np
import tensorflow as tf

args = chapter_args("ch04_math/rnn", "The recurrent network and back-propagation through time, "
                    "in NumPy against dlbook.scratch and Keras (section 4)", epochs=1,
                    dataset=None)
rng = np.random.default_rng(args.seed)
check = Comparisons()

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
# read at the last step. The vectors here are 1-D NumPy arrays of shape `(H,)`; the listing's
# are columns of shape `(H, 1)`, which give the same numbers in one more dimension.

# %%
h = np.zeros(H)  # h_0
hs = []
for x_t in xs:
    h = np.tanh(W_hh @ h + W_xh @ x_t + b_h)
    hs.append(h)
hs = np.array(hs)  # (T, H): every hidden state, kept for the backward pass
y = W_hy @ h + b_y  # the output at the last step
print("h_T =", h.round(4), " y_T =", y.round(4))

# %% [markdown]
# `dlbook.scratch.rnn_forward` runs a batch of sequences at once, one per row
# (`x_t @ W_xh.T`); Keras's `SimpleRNN` stores $W_{xh}^\top$ and $W_{hh}^\top$.

# %%
params = {"W_xh": W_xh, "W_hh": W_hh, "b_h": b_h}
check("h_1..h_T vs dlbook.scratch.rnn_forward", hs, rnn_forward(xs[np.newaxis], params)[0])

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

# %%
target = rng.normal(size=K)
dL_dy = y - target
dW_hy, db_y = np.outer(dL_dy, h), dL_dy
dW_xh, dW_hh, db_h = np.zeros_like(W_xh), np.zeros_like(W_hh), np.zeros_like(b_h)
dL_dh = W_hy.T @ dL_dy  # at h_T
gradient_norms = []  # |dL/dh_t|, from t = T back to 1
for t in reversed(range(T)):
    gradient_norms.append(np.linalg.norm(dL_dh))
    h_prev = hs[t - 1] if t > 0 else np.zeros(H)
    delta = dL_dh * (1 - hs[t] ** 2)
    dW_xh += np.outer(delta, xs[t])
    dW_hh += np.outer(delta, h_prev)
    db_h += delta
    dL_dh = W_hh.T @ delta  # on to h_{t-1}

# %% [markdown]
# `dlbook.scratch.rnn_backward` takes $\partial L / \partial h_t$ at every step (here 0 except
# at the last); GradientTape differentiates the same loss through the Keras layers.

# %%
dL_dhs = np.zeros((1, T, H))
dL_dhs[0, -1] = W_hy.T @ dL_dy
_, scratch_grads = rnn_backward(dL_dhs, xs[np.newaxis], hs[np.newaxis], params)
with tf.GradientTape() as tape:
    keras_y = keras_output(keras_rnn(xs[np.newaxis])[:, -1])
    keras_loss = 0.5 * tf.reduce_sum((keras_y - target) ** 2)
(keras_dW_xh, keras_dW_hh, keras_db_h), (keras_dW_hy, keras_db_y) = tape.gradient(
    keras_loss, [keras_rnn.trainable_weights, keras_output.trainable_weights])

check("dL/dW_xh vs dlbook.scratch.rnn_backward", dW_xh, scratch_grads["W_xh"])
check("dL/dW_hh vs dlbook.scratch.rnn_backward", dW_hh, scratch_grads["W_hh"])
check("dL/db_h vs dlbook.scratch.rnn_backward", db_h, scratch_grads["b_h"])
check("dL/dW_xh vs GradientTape", dW_xh, keras_dW_xh.numpy().T)
check("dL/dW_hh vs GradientTape", dW_hh, keras_dW_hh.numpy().T)
check("dL/db_h vs GradientTape", db_h, keras_db_h)
check("dL/dW_hy vs GradientTape", dW_hy, keras_dW_hy.numpy().T)
check("dL/db_y vs GradientTape", db_y, keras_db_y)

# %% [markdown]
# ## The gradient fades going back in time
#
# Each step back multiplies the gradient by $W_{hh}^\top$ and by $\tanh'$, which is at most 1.
# Unless $W_{hh}$ makes up for it, the signal from the loss shrinks step after step: the early
# inputs barely change the weights. This is the vanishing gradient that seed 000 lists among
# deep learning's weaknesses (in section 3), and the reason for the LSTM's cell state
# (`lstm_gru.py`).

# %%
for t, norm in zip(range(T, 0, -1), gradient_norms, strict=True):
    print(f"|dL/dh_{t}| = {norm:.4f}")

results_file = save_results(args, max_relative_error=check.largest,
                            relative_errors=check.errors,
                            gradient_norms_from_last_step=gradient_norms)
print(f"Results in {results_file}")

# %% [markdown]
# ## What to notice
#
# - The recurrence is one line, `h = np.tanh(W_hh @ h + W_xh @ x_t + b_h)`, and with the same
#   weights it is exactly what Keras's `SimpleRNN` computes.
# - The hidden states the listing keeps are what the backward pass needs: $h_t$ for $\tanh'$ and
#   $h_{t-1}$ for $\partial L / \partial W_{hh}$.
# - $|\partial L / \partial h_t|$ falls as $t$ goes back from $T$ (with seed 0, by a factor
#   of about 800 over six steps): the first steps of the sequence receive a tiny part of the
#   gradient.
