# %% [markdown]
# # Section 4 · Exercises: the formulas, written by you
#
# Tutorial: section 4 · 数学模型和公式详细讲解与举例说明 (seed 000 §4)
#
# Eight exercises on this chapter's pages, each a NumPy function to write: the softmax and the
# cross-entropy of `losses.py`, the output size and the forward pass of the layer of
# `convolution.py`, max pooling (`pooling.py`), one step of the recurrent network (`rnn.py`) and
# of the LSTM (`lstm_gru.py`), and the delta rule of `backprop.py`.
#
# Each exercise states what to compute, gives a function whose body is `...`, and checks it with
# one call, `check("4.1", softmax)`. The check runs your function on inputs chosen to catch the
# usual slips (large scores, a batch of one, odd sizes, a zero gradient), compares it with a
# reference solution, and prints **PASS**, or **FAIL** with the first input that went wrong,
# what was expected, what you returned and, when your answer is a mistake it knows, a hint about
# that mistake. `hint("4.1")` prints a general hint; `solution("4.1")`, in the cell after each
# exercise, shows a solution once you have checked an attempt of your own.
#
# Work on your own copy: `make exercises` copies this page to `workspace/ch04_math/exercises.py`
# (a later `make exercises` or `git pull` never overwrites it). Fill in the functions there and
# run the page's cells: in Jupyter (`jupytext --to notebook workspace/ch04_math/exercises.py`
# makes a notebook of it), or from the command line, `make check EX=4.1` for one exercise,
# `make check EX=4` for the chapter, `make check` for all. `make progress` counts what you have
# done.

# %%
from dlbook.cli import start_page
from dlbook.exercises import check, hint, outcomes, solution  # noqa: F401 (hint: yours to call)

import numpy as np

page = start_page("ch04_math/exercises", globals())

# %% [markdown]
# ## Exercise 4.1 · A softmax that survives large scores
#
# Write `softmax(z)`: for scores $z$ whose **last** axis holds the $K$ scores of one example,
#
# $$\operatorname{softmax}(z)_j = \frac{e^{z_j}}{\sum_{k=1}^{K} e^{z_k}},$$
#
# an array of the shape of $z$ whose rows each sum to 1. It must work for a single vector, a
# batch, a batch of batches, and for scores near 1000, where `np.exp` overflows
# (`losses.py` shows the cure). Checked on 8 inputs, to a relative tolerance of $10^{-6}$.

# %%
def softmax(z: np.ndarray) -> np.ndarray:
    """The softmax of ``z`` over its last axis, for scores of any size."""
    ...


check("4.1", softmax)

# %% tags=["hide-output"]
solution("4.1")

# %% [markdown]
# ## Exercise 4.2 · The cross-entropy of logits
#
# Write `cross_entropy_from_logits(labels, logits)`: `logits` has shape $(N, K)$, the scores of
# $N$ examples, and `labels` holds the right class of each, an integer from 0 to $K - 1$. Return
# the mean loss, a float:
#
# $$J = -\frac{1}{N} \sum_{i=1}^{N} \log \operatorname{softmax}(z^{(i)})_{y_i}.$$
#
# This is Keras's `SparseCategoricalCrossentropy(from_logits=True)`. It must stay finite and
# right for logits near $\pm 1000$, including when the true class has a probability far below
# $10^{-308}$: compute $\log \operatorname{softmax}$ directly, $z_j - \max z -
# \log \sum_k e^{z_k - \max z}$. Relative tolerance $10^{-6}$.

# %%
def cross_entropy_from_logits(labels: np.ndarray, logits: np.ndarray) -> float:
    """The mean cross-entropy of ``softmax(logits)`` against integer ``labels``."""
    ...


check("4.2", cross_entropy_from_logits)

# %% tags=["hide-output"]
solution("4.2")

# %% [markdown]
# ## Exercise 4.3 · How many positions a kernel takes
#
# A kernel of width $k$ slides along an axis of $n$ pixels, $s$ pixels at a time, after $p$
# zeros have been added at **each** end. Write `conv_output_size(size, kernel, stride=1,
# padding=0)`, the number of positions where the whole kernel fits: an integer (section 5's CNN
# takes 28 pixels to 26 with a 3x3 kernel; the convolution page takes 9 to 5 with $k = 3$,
# $s = 2$, $p = 1$). Checked exactly, on 7 inputs.

# %%
def conv_output_size(size: int, kernel: int, stride: int = 1, padding: int = 0) -> int:
    """The number of positions of the kernel along one axis."""
    ...


check("4.3", conv_output_size)

# %% tags=["hide-output"]
solution("4.3")

# %% [markdown]
# ## Exercise 4.4 · The forward pass of Conv2D
#
# Write `conv2d(x, kernel, bias, stride=1)`, what Keras's `Conv2D` computes with
# `padding="valid"`: `x` has shape $(N, H, W, C)$ (channels last), `kernel` $(k_h, k_w, C, F)$,
# `bias` $(F,)$, and
#
# $$y[n, i, j, f] = b_f + \sum_{p, q, c} x[n,\, i s + p,\, j s + q,\, c]\; K[p, q, c, f],$$
#
# a cross-correlation: the kernel is **not** flipped (the convolution page shows the
# difference). Return $y$, of shape $(N, H_\text{out}, W_\text{out}, F)$ with the sizes of
# exercise 4.3. Loops over the output positions are fine. Relative tolerance $10^{-6}$.

# %%
def conv2d(x: np.ndarray, kernel: np.ndarray, bias: np.ndarray, stride: int = 1) -> np.ndarray:
    """Conv2D forward, "valid" padding, channels last."""
    ...


check("4.4", conv2d)

# %% tags=["hide-output"]
solution("4.4")

# %% [markdown]
# ## Exercise 4.5 · Max pooling
#
# Write `max_pool2d(x, size=2)`: cut each channel of each image of `x`, shape $(N, H, W, C)$,
# into windows of `size` $\times$ `size` side by side (the stride is the size) and keep the
# largest value of each,
#
# $$y[n, i, j, c] = \max_{0 \le p, q < \text{size}} x[n,\, i \cdot \text{size} + p,\,
# j \cdot \text{size} + q,\, c].$$
#
# Rows and columns at the end that do not fill a window are left out, as in Keras's
# `MaxPooling2D`: the output has shape $(N, \lfloor H / \text{size} \rfloor,
# \lfloor W / \text{size} \rfloor, C)$. Checked exactly.

# %%
def max_pool2d(x: np.ndarray, size: int = 2) -> np.ndarray:
    """Max pooling of ``size`` x ``size`` windows, side by side."""
    ...


check("4.5", max_pool2d)

# %% tags=["hide-output"]
solution("4.5")

# %% [markdown]
# ## Exercise 4.6 · One step of a recurrent network
#
# Write `rnn_step(x_t, h_prev, W_xh, W_hh, b_h)`, the recurrence of `rnn.py` for a batch:
#
# $$h_t = \tanh(W_{xh} x_t + W_{hh} h_{t-1} + b_h).$$
#
# The weights have the formula's shapes, $W_{xh}$ $(H, D)$ and $W_{hh}$ $(H, H)$; the batch holds
# one example per row, `x_t` $(N, D)$ and `h_prev` $(N, H)$. Return $h_t$, shape $(N, H)$.
# Relative tolerance $10^{-6}$.

# %%
def rnn_step(x_t: np.ndarray, h_prev: np.ndarray, W_xh: np.ndarray, W_hh: np.ndarray,
             b_h: np.ndarray) -> np.ndarray:
    """The next hidden state of a simple RNN, for a batch of rows."""
    ...


check("4.6", rnn_step)

# %% tags=["hide-output"]
solution("4.6")

# %% [markdown]
# ## Exercise 4.7 · One step of an LSTM, gate by gate
#
# Write `lstm_step(x_t, h_prev, c_prev, params)`, the cell of `lstm_gru.py` for a batch (one
# example per row):
#
# $$\begin{aligned}
# f_t &= \sigma(W_f [h_{t-1}, x_t] + b_f), \quad i_t = \sigma(W_i [h_{t-1}, x_t] + b_i), \quad
# o_t = \sigma(W_o [h_{t-1}, x_t] + b_o), \\
# \tilde C_t &= \tanh(W_c [h_{t-1}, x_t] + b_c), \quad
# C_t = f_t \odot C_{t-1} + i_t \odot \tilde C_t, \quad h_t = o_t \odot \tanh(C_t).
# \end{aligned}$$
#
# `params` holds `W_f, b_f, W_i, b_i, W_c, b_c, W_o, b_o`, each $W$ of shape $(H, H + D)$: its
# first $H$ columns multiply $h_{t-1}$, the last $D$ the input. Return the tuple
# $(h_t, C_t)$, each $(N, H)$. Relative tolerance $10^{-6}$.

# %%
def lstm_step(x_t: np.ndarray, h_prev: np.ndarray, c_prev: np.ndarray,
              params: dict[str, np.ndarray]) -> tuple[np.ndarray, np.ndarray]:
    """One LSTM step: the new hidden state and cell state."""
    ...


check("4.7", lstm_step)

# %% tags=["hide-output"]
solution("4.7")

# %% [markdown]
# ## Exercise 4.8 · The backward pass of a dense layer
#
# A sigmoid layer computes $z = x W^\top + b$ and $y = \sigma(z)$ for a batch $x$ of shape
# $(N, \text{in})$, with $W$ of shape $(\text{out}, \text{in})$ (`dlbook.scratch.dense`'s
# layout). Given $\partial L / \partial y$, write `dense_backward(dL_dy, x, z, W)` returning
# $(\partial L / \partial x, \partial L / \partial W, \partial L / \partial b)$ by the delta rule
# of `backprop.py`:
#
# $$\delta = \frac{\partial L}{\partial y} \odot \sigma'(z), \qquad
# \frac{\partial L}{\partial W} = \delta^\top x, \qquad
# \frac{\partial L}{\partial b} = \sum_{\text{examples}} \delta, \qquad
# \frac{\partial L}{\partial x} = \delta\, W.$$
#
# Each gradient has the shape of what it is the gradient of. Relative tolerance $10^{-6}$.

# %%
def dense_backward(dL_dy: np.ndarray, x: np.ndarray, z: np.ndarray,
                   W: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The gradients of a sigmoid dense layer: (dL/dx, dL/dW, dL/db)."""
    ...


check("4.8", dense_backward)

# %% tags=["hide-output"]
solution("4.8")

# %% [markdown]
# ## Your progress
#
# `make progress` prints, for each chapter, how many exercises you have passed, tried and not
# started.

# %%
page.record(exercises=outcomes("4"))
