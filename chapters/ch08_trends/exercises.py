# %% [markdown]
# # Section 8 · Exercises: efficiency and scale, written by you
#
# Tutorial: section 8 · 总结：未来发展趋势与挑战 (seeds 002 §8, 003 §8)
#
# Five exercises on this chapter's pages, each a NumPy function to write: the magnitude mask and
# the gradual schedule of `pruning.py`, int8 quantization with a scale and a zero point and the
# way back (`quantization.py`), and the loss each worker computes in `distributed.py`'s
# data-parallel training.
#
# Each exercise states what to compute, gives a function whose body is `...`, and checks it with
# one call, `check("8.1", magnitude_mask)`: it runs your function on inputs chosen to catch the
# usual slips, compares it with a reference solution and prints **PASS**, or **FAIL** with the
# first input that went wrong, what was expected, what you returned and, when your answer is a
# mistake it knows, a hint about that mistake. `hint("8.1")` prints a general hint;
# `solution("8.1")` shows a solution once you have checked an attempt of your own.
#
# Work on your own copy: `make exercises` copies the exercise pages into `workspace/` (never over
# a file that is there). Run the cells of `workspace/ch08_trends/exercises.py` in Jupyter
# (`jupytext --to notebook` makes a notebook of it) or check from the command line:
# `make check EX=8.1`, `make check EX=8`, `make check`; `make progress` counts what you have done.

# %%
from dlbook.cli import start_page
from dlbook.exercises import check, hint, outcomes, solution  # noqa: F401 (hint: yours to call)

import numpy as np

page = start_page("ch08_trends/exercises", globals())

# %% [markdown]
# ## Exercise 8.1 · Which weights magnitude pruning keeps
#
# Write `magnitude_mask(weights, sparsity)` for one weight matrix, the mask of `pruning.py`: with
# $\tau_s$ the $s$-quantile of the magnitudes $|w|$ of all the matrix's weights
# (`np.quantile`, its default interpolation),
#
# $$m = \mathbb{1}\big[\,|w| \ge \tau_s\,\big].$$
#
# Return a boolean array of the shape of `weights`, True for the weights kept; a sparsity of 0.9
# sets about 90% of them to zero. Checked exactly.

# %%
def magnitude_mask(weights: np.ndarray, sparsity: float) -> np.ndarray:
    """True where a weight survives magnitude pruning to the given sparsity."""
    ...


check("8.1", magnitude_mask)

# %% tags=["hide-output"]
solution("8.1")

# %% [markdown]
# ## Exercise 8.2 · int8 quantization with a scale and a zero point
#
# Write `quantize_int8(x)`: affine quantization, $x \approx s\,(q - z)$ as `quantization.py`
# writes it, with the scale $s$ and the zero point $z$ taken from the range
# $[\ell, h] = [\min(\min x, 0),\ \max(\max x, 0)]$, which always contains 0:
#
# $$s = \frac{h - \ell}{255}, \qquad z = \operatorname{round}\Big(-128 - \frac{\ell}{s}\Big),
# \qquad q = \operatorname{clip}\big(\operatorname{round}(x / s) + z,\ -128,\ 127\big),$$
#
# rounding to the nearest integer (`np.round`), with $s = 1$ when the range is empty (`x` all
# zeros). Return the tuple `(q, scale, zero_point)`: `q` an `np.int8` array of the shape of `x`,
# `scale` a float, `zero_point` an integer. `q` is checked exactly, the scale to a relative
# tolerance of $10^{-9}$.

# %%
def quantize_int8(x: np.ndarray) -> tuple[np.ndarray, float, int]:
    """x in int8: the integers, the scale and the zero point."""
    ...


check("8.2", quantize_int8)

# %% tags=["hide-output"]
solution("8.2")

# %% [markdown]
# ## Exercise 8.3 · Back from int8
#
# Write `dequantize(q, scale, zero_point)`: the real values the int8 array `q` stands for,
#
# $$x \approx s\,(q - z),$$
#
# as a float array of the shape of `q`. Some inputs have $q - z$ outside the range of int8.
# Relative tolerance $10^{-6}$.

# %%
def dequantize(q: np.ndarray, scale: float, zero_point: int) -> np.ndarray:
    """The real values an int8 array stands for."""
    ...


check("8.3", dequantize)

# %% tags=["hide-output"]
solution("8.3")

# %% [markdown]
# ## Exercise 8.4 · The loss one worker computes
#
# In `distributed.py` every worker holds a slice of each global batch of $B$ examples, computes
# its loss and its gradients, and an all-reduce **adds** the workers' gradients. For the sum to be
# the gradient of the global mean $\frac{1}{B} \sum_{i=1}^{B} \ell_i$, worker $k$'s loss must be
#
# $$J_k = \frac{1}{B} \sum_{i \in \text{slice}_k} \ell_i.$$
#
# Write `replica_losses(per_replica, global_batch_size)`: `per_replica` is a list of arrays, the
# per-example losses $\ell_i$ of each worker's slice (slices can be uneven, even empty); return
# the list of the $J_k$ as floats. Relative tolerance $10^{-6}$.

# %%
def replica_losses(per_replica: list[np.ndarray], global_batch_size: int) -> list[float]:
    """Each worker's share of the global batch mean loss."""
    ...


check("8.4", replica_losses)

# %% tags=["hide-output"]
solution("8.4")

# %% [markdown]
# ## Exercise 8.5 · The gradual pruning schedule
#
# Write `sparsity_at(step, final, begin, end)`, the sparsity `pruning.py`'s schedule asks for at
# training step $t$ (Zhu and Gupta's, from $s_0 = 0$ to $s_f$ = `final` between $t_0$ = `begin`
# and $t_1$ = `end`):
#
# $$s_t = s_f + (s_0 - s_f)\Big(1 - \frac{t - t_0}{t_1 - t_0}\Big)^3,$$
#
# with the fraction $\frac{t - t_0}{t_1 - t_0}$ kept within $[0, 1]$, so that the sparsity is 0
# before $t_0$ and stays at $s_f$ after $t_1$. Return a float. Relative tolerance $10^{-6}$.

# %%
def sparsity_at(step: int, final: float, begin: int, end: int) -> float:
    """The sparsity of the cubic schedule at a training step."""
    ...


check("8.5", sparsity_at)

# %% tags=["hide-output"]
solution("8.5")

# %% [markdown]
# ## Your progress
#
# `make progress` prints, for each chapter, how many exercises you have passed, tried and not
# started.

# %%
page.record(exercises=outcomes("8"))
