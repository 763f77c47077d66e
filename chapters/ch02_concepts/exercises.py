# %% [markdown]
# # Section 2 · Exercises: the core concepts, written by you
#
# Tutorial: section 2 · 核心概念与联系 (seeds 000 §2, 003 §2)
#
# Five exercises on this chapter's pages, each a NumPy function to write: one step of the
# perceptron rule (`perceptron.py`), the derivatives of the activation functions
# (`activations.py`), scaled dot-product attention (`attention.py`), the normalized adjacency of
# the graph convolution (`graph_network.py`) and the parameter count of a layer
# (`family_tree.py`).
#
# Each exercise states what to compute, gives a function whose body is `...`, and checks it with
# one call, `check("2.1", perceptron_update)`: it runs your function on inputs chosen to catch
# the usual slips, compares it with a reference solution and prints **PASS**, or **FAIL** with
# the first input that went wrong, what was expected, what you returned and, when your answer is
# a mistake it knows, a hint about that mistake. `hint("2.1")` prints a general hint;
# `solution("2.1")` shows a solution once you have checked an attempt of your own.
#
# Work on your own copy: `make exercises` copies the exercise pages into `workspace/` (never over
# a file that is there). Run the cells of `workspace/ch02_concepts/exercises.py` in Jupyter
# (`jupytext --to notebook` makes a notebook of it) or check from the command line:
# `make check EX=2.1`, `make check EX=2`, `make check`; `make progress` counts what you have done.

# %%
from dlbook.cli import start_page
from dlbook.exercises import check, hint, outcomes, solution  # noqa: F401 (hint: yours to call)

import numpy as np

page = start_page("ch02_concepts/exercises", globals())

# %% [markdown]
# ## Exercise 2.1 · One step of the perceptron rule
#
# Write `perceptron_update(w, b, x, y, rate)`, one step of the rule of `perceptron.py` on the
# example $(x, y)$, $y \in \{0, 1\}$: predict
# $\hat y = 1$ if $w \cdot x + b > 0$, else $0$ (a point on the line is predicted 0), then
#
# $$w \leftarrow w + \eta\,(y - \hat y)\,x, \qquad b \leftarrow b + \eta\,(y - \hat y).$$
#
# Return the tuple `(new_w, new_b)`. Relative tolerance $10^{-6}$.

# %%
def perceptron_update(w: np.ndarray, b: float, x: np.ndarray, y: int,
                      rate: float) -> tuple[np.ndarray, float]:
    """The weights and bias after one step of the perceptron rule on (x, y)."""
    ...


check("2.1", perceptron_update)

# %% tags=["hide-output"]
solution("2.1")

# %% [markdown]
# ## Exercise 2.2 · The derivatives of four activations
#
# Write `activation_derivatives(z)`, returning a dict of four arrays of the shape of `z`, the
# derivatives of `activations.py`'s table at each point:
#
# | key | $f'(z)$ |
# | --- | --- |
# | `"sigmoid"` | $\sigma(z)\,(1 - \sigma(z))$ |
# | `"tanh"` | $1 - \tanh^2 z$ |
# | `"relu"` | $1$ if $z > 0$, else $0$ (also at $z = 0$, as TensorFlow takes it) |
# | `"leaky_relu"` | $1$ if $z > 0$, else $\alpha = 0.2$ |
#
# Each is a function of $z$, the pre-activation. Relative tolerance $10^{-6}$.

# %%
def activation_derivatives(z: np.ndarray) -> dict[str, np.ndarray]:
    """f'(z) for "sigmoid", "tanh", "relu" and "leaky_relu" (slope 0.2)."""
    ...


check("2.2", activation_derivatives)

# %% tags=["hide-output"]
solution("2.2")

# %% [markdown]
# ## Exercise 2.3 · Scaled dot-product attention
#
# Write `attention(queries, keys, values)` for arrays of shape $[B, n_q, d]$, $[B, n_k, d]$ and
# $[B, n_k, d_v]$: the formula of `attention.py`,
#
# $$\operatorname{Attention}(Q, K, V) = \operatorname{softmax}\!\Big(\frac{Q K^\top}{\sqrt{d}}
# \Big)\, V,$$
#
# with $d$ the length of a key and the softmax over the keys, computed so that large scores do
# not overflow. Return the tuple `(output, weights)`: the output $[B, n_q, d_v]$ and the weights
# $[B, n_q, n_k]$, each query's summing to 1. Relative tolerance $10^{-6}$.

# %%
def attention(queries: np.ndarray, keys: np.ndarray,
              values: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Scaled dot-product attention: the output and the attention weights."""
    ...


check("2.3", attention)

# %% tags=["hide-output"]
solution("2.3")

# %% [markdown]
# ## Exercise 2.4 · The adjacency a graph convolution multiplies by
#
# Write `normalized_adjacency(adjacency)`: for the symmetric 0/1 adjacency matrix $A$ of a graph
# of $n$ nodes, the $\hat A$ of `graph_network.py`,
#
# $$\hat A = D^{-1/2} (A + I)\, D^{-1/2},$$
#
# where $D$ is the diagonal matrix of the degrees (row sums) of $A + I$. Return $\hat A$, an
# $n \times n$ array. Some graphs have a node with no edge. Relative tolerance $10^{-6}$.

# %%
def normalized_adjacency(adjacency: np.ndarray) -> np.ndarray:
    """D^-1/2 (A + I) D^-1/2 for the adjacency matrix A."""
    ...


check("2.4", normalized_adjacency)

# %% tags=["hide-output"]
solution("2.4")

# %% [markdown]
# ## Exercise 2.5 · How many weights a layer holds
#
# Write `layer_parameters(kind, inputs, units, kernel_size=1)`, the number Keras's
# `count_params()` gives for a layer, as `family_tree.py` counts them:
#
# - `"dense"`: `inputs` features in, `units` outputs;
# - `"conv2d"`: `inputs` channels in, `units` filters of `kernel_size` $\times$ `kernel_size`;
# - `"lstm"` and `"gru"`: `inputs` features per step, `units` units; Keras's GRU keeps two bias
#   vectors for each of its three parts.
#
# Return an integer, checked exactly.

# %%
def layer_parameters(kind: str, inputs: int, units: int, kernel_size: int = 1) -> int:
    """The number of weights and biases of a dense, conv2d, lstm or gru layer."""
    ...


check("2.5", layer_parameters)

# %% tags=["hide-output"]
solution("2.5")

# %% [markdown]
# ## Your progress
#
# `make progress` prints, for each chapter, how many exercises you have passed, tried and not
# started.

# %%
page.record(exercises=outcomes("2"))
