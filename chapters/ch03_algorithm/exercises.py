# %% [markdown]
# # Section 3 · Exercises: the algorithm, step by step, written by you
#
# Tutorial: section 3 · 核心算法原理与具体操作步骤 (seed 000 §3)
#
# Five exercises on this chapter's pages, each a NumPy function to write: one update of gradient
# descent through the six steps (`six_steps.py`), the scale of the initial weights
# (`initialization.py`), gradient clipping by the global norm (`gradients.py`), early stopping
# with patience and inverted dropout (`overfitting.py`).
#
# Each exercise states what to compute, gives a function whose body is `...`, and checks it with
# one call, `check("3.1", gradient_descent_update)`: it runs your function on inputs chosen to
# catch the usual slips, compares it with a reference solution and prints **PASS**, or **FAIL**
# with the first input that went wrong, what was expected, what you returned and, when your
# answer is a mistake it knows, a hint about that mistake. `hint("3.1")` prints a general hint;
# `solution("3.1")` shows a solution once you have checked an attempt of your own.
#
# Work on your own copy: `make exercises` copies the exercise pages into `workspace/` (never over
# a file that is there). Run the cells of `workspace/ch03_algorithm/exercises.py` in Jupyter
# (`jupytext --to notebook` makes a notebook of it) or check from the command line:
# `make check EX=3.1`, `make check EX=3`, `make check`; `make progress` counts what you have done.

# %%
from dlbook.cli import start_page
from dlbook.exercises import check, hint, outcomes, solution  # noqa: F401 (hint: yours to call)

import numpy as np

page = start_page("ch03_algorithm/exercises", globals())

# %% [markdown]
# ## Exercise 3.1 · One update of gradient descent, by hand
#
# Write `gradient_descent_update(params, x, labels, rate)`: steps 2 to 5 of `six_steps.py` on one
# batch, in NumPy. `params` holds `W1` (inputs $\times$ hidden), `b1`, `W2` (hidden $\times$
# classes) and `b2`; `x` has one example per row and `labels` the class of each. Forward,
# $a = x W_1 + b_1$, $h = \mathrm{ReLU}(a)$, $z = h W_2 + b_2$, $p = \operatorname{softmax}(z)$;
# the loss $J = -\frac{1}{B} \sum_i \log p_{i, y_i}$; backward, by the chain rule,
#
# $$\frac{\partial J}{\partial z} = \frac{p - \mathrm{onehot}(y)}{B}, \quad
# \frac{\partial J}{\partial W_2} = h^\top \frac{\partial J}{\partial z}, \quad
# \frac{\partial J}{\partial a} = \Big(\frac{\partial J}{\partial z} W_2^\top\Big) \odot [a > 0],
# \quad \frac{\partial J}{\partial W_1} = x^\top \frac{\partial J}{\partial a},$$
#
# each bias's gradient the sum over the batch of its layer's; then
# $W \leftarrow W - \eta\, \partial J / \partial W$ for all four. Return a dict: `"loss"`, $J$
# before the update, and `"W1"`, `"b1"`, `"W2"`, `"b2"` after it (leave `params` itself
# unchanged). Relative tolerance $10^{-6}$.

# %%
def gradient_descent_update(params: dict[str, np.ndarray], x: np.ndarray, labels: np.ndarray,
                            rate: float) -> dict[str, np.ndarray]:
    """The loss before, and the four weights after, one step of gradient descent."""
    ...


check("3.1", gradient_descent_update)

# %% tags=["hide-output"]
solution("3.1")

# %% [markdown]
# ## Exercise 3.2 · How large the first weights are
#
# Write `init_scale(scheme, fan_in, fan_out)` for a layer of `fan_in` inputs and `fan_out`
# units. The schemes of `initialization.py` fix the variance of the weights,
#
# $$\text{He: } \sigma^2 = \frac{2}{n_\text{in}}, \qquad
# \text{Glorot: } \sigma^2 = \frac{2}{n_\text{in} + n_\text{out}},$$
#
# and draw them from a normal (`"he_normal"`, `"glorot_normal"`: return its standard deviation
# $\sigma$) or from a uniform $U(-a, a)$ of that variance (`"he_uniform"`, `"glorot_uniform"`:
# return the limit $a$; a uniform on $(-a, a)$ has variance $a^2 / 3$). Relative tolerance
# $10^{-6}$.

# %%
def init_scale(scheme: str, fan_in: int, fan_out: int) -> float:
    """The standard deviation (normal) or the limit (uniform) of a scheme's initial weights."""
    ...


check("3.2", init_scale)

# %% tags=["hide-output"]
solution("3.2")

# %% [markdown]
# ## Exercise 3.3 · Gradient clipping by the global norm
#
# Write `clip_by_global_norm(gradients, clip_norm)`, what `gradients.py` does to the recurrent
# network's gradients: with the global norm of the list of arrays,
#
# $$\lVert g \rVert = \sqrt{\textstyle\sum_W \lVert \partial J / \partial W \rVert^2},$$
#
# every array is multiplied by $\min(1, c / \lVert g \rVert)$, so that the direction is kept and
# the length is at most $c$. Return the tuple `(clipped, norm)`: the list of clipped arrays and
# the global norm **before** clipping, as `tf.clip_by_global_norm` does. All-zero gradients must
# come back as zeros. Relative tolerance $10^{-6}$.

# %%
def clip_by_global_norm(gradients: list[np.ndarray],
                        clip_norm: float) -> tuple[list[np.ndarray], float]:
    """The gradients scaled to a global norm of at most clip_norm, and their global norm."""
    ...


check("3.3", clip_by_global_norm)

# %% tags=["hide-output"]
solution("3.3")

# %% [markdown]
# ## Exercise 3.4 · Early stopping with patience
#
# Write `early_stopping(val_losses, patience)`: `val_losses` lists the validation loss after
# each epoch, as training would see them one by one. An epoch improves on the best when its loss
# is **strictly** lower. Training stops after the first epoch that ends `patience` epochs after
# the best one; the weights kept are the best epoch's, as `overfitting.py`'s
# `Trainer.fit(patience=...)` does. Return the tuple `(stop_epoch, best_epoch)`, epochs counted
# from 1; if the patience never runs out, training stops after the last epoch. Checked exactly.

# %%
def early_stopping(val_losses: list[float], patience: int) -> tuple[int, int]:
    """The epoch training stops after, and the epoch whose weights are kept."""
    ...


check("3.4", early_stopping)

# %% tags=["hide-output"]
solution("3.4")

# %% [markdown]
# ## Exercise 3.5 · Inverted dropout
#
# Write `inverted_dropout(x, rate, u)`, a dropout layer during training. `u` holds one uniform
# random number in $[0, 1)$ for each entry of `x` (passed in, so that the check is repeatable):
# an entry is **dropped** (set to 0) where $u < \text{rate}$, and every entry kept is divided by
# $1 - \text{rate}$, so that the expected output equals $x$ and nothing changes at inference.
# Return an array of the shape of `x`. Relative tolerance $10^{-6}$.

# %%
def inverted_dropout(x: np.ndarray, rate: float, u: np.ndarray) -> np.ndarray:
    """Dropout with the kept entries scaled by 1 / (1 - rate)."""
    ...


check("3.5", inverted_dropout)

# %% tags=["hide-output"]
solution("3.5")

# %% [markdown]
# ## Your progress
#
# `make progress` prints, for each chapter, how many exercises you have passed, tried and not
# started.

# %%
page.record(exercises=outcomes("3"))
