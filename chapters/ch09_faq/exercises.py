# %% [markdown]
# # Section 9 · Exercises: the FAQ's answers, worked by you
#
# Tutorial: section 9 · 附录：常见问题与解答 (seed 003 §9)
#
# Four exercises on this chapter's questions, each a NumPy function to write: the gradients that
# cross-entropy and squared error send to a logit (`losses.py`), the gradient through a chain of
# activations that makes it vanish (`activations.py`), the KL divergence of a soft target
# (`losses.py`) and the shifted image of data augmentation (`data_size.py`).
#
# Each exercise states what to compute, gives a function whose body is `...`, and checks it with
# one call, `check("9.1", logit_gradients)`: it runs your function on inputs chosen to catch the
# usual slips, compares it with a reference solution and prints **PASS**, or **FAIL** with the
# first input that went wrong, what was expected, what you returned and, when your answer is a
# mistake it knows, a hint about that mistake. `hint("9.1")` prints a general hint;
# `solution("9.1")` shows a solution once you have checked an attempt of your own.
#
# Work on your own copy: `make exercises` copies the exercise pages into `workspace/` (never over
# a file that is there). Run the cells of `workspace/ch09_faq/exercises.py` in Jupyter
# (`jupytext --to notebook` makes a notebook of it) or check from the command line:
# `make check EX=9.1`, `make check EX=9`, `make check`; `make progress` counts what you have done.

# %%
from dlbook.cli import start_page
from dlbook.exercises import check, hint, outcomes, solution  # noqa: F401 (hint: yours to call)

import numpy as np

page = start_page("ch09_faq/exercises", globals())

# %% [markdown]
# ## Exercise 9.1 · What reaches the logit: cross-entropy against squared error
#
# A sigmoid output $p = \sigma(z)$ and a label $y \in \{0, 1\}$; for each example,
# $\mathrm{CE} = -y \log p - (1 - y) \log(1 - p)$ and $\mathrm{MSE} = (p - y)^2$. Write
# `logit_gradients(z, y)` returning the tuple
# $(\partial\, \mathrm{CE} / \partial z,\ \partial\, \mathrm{MSE} / \partial z)$, one value per
# example, each an array of the shape of `z` (`losses.py` plots them: which one vanishes when
# the model is confidently wrong?). Relative tolerance $10^{-6}$.

# %%
def logit_gradients(z: np.ndarray, y: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """dCE/dz and dMSE/dz for a sigmoid output, per example."""
    ...


check("9.1", logit_gradients)

# %% tags=["hide-output"]
solution("9.1")

# %% [markdown]
# ## Exercise 9.2 · The gradient through a chain of activations
#
# A chain of layers of one unit each, $h_0 = x$ and $h_l = f(w_l h_{l-1})$ for
# $l = 1, \dots, L$, with $f$ the `"sigmoid"`, `"tanh"` or `"relu"`. By the chain rule,
#
# $$\frac{d h_L}{d x} = \prod_{l=1}^{L} w_l\, f'(w_l h_{l-1}).$$
#
# Write `chain_gradient(x, weights, activation)` returning the tuple $(h_L, dh_L/dx)$ as floats,
# with $\mathrm{ReLU}'(0) = 0$ as TensorFlow takes it. Ten sigmoid layers of weight 1 show why
# `activations.py`'s sigmoid network learns slowest: each factor is at most $1/4$. Relative
# tolerance $10^{-6}$.

# %%
def chain_gradient(x: float, weights: list[float], activation: str) -> tuple[float, float]:
    """The output of a chain of one-unit layers and its derivative with respect to x."""
    ...


check("9.2", chain_gradient)

# %% tags=["hide-output"]
solution("9.2")

# %% [markdown]
# ## Exercise 9.3 · The KL divergence of a soft target
#
# Write `kl_divergence(q, p)` for targets $q$ and predictions $p$ of shape $(N, K)$, each row a
# distribution: the mean over the rows of
#
# $$\mathrm{KL}(q \,\|\, p) = \sum_{k} q_k \log \frac{q_k}{p_k},$$
#
# with a term $q_k = 0$ counted as 0 (the limit of $q \log q$), as Keras's `KLDivergence`
# computes it. Return a float. Relative tolerance $10^{-6}$.

# %%
def kl_divergence(q: np.ndarray, p: np.ndarray) -> float:
    """The mean KL divergence of the rows of p from the rows of q."""
    ...


check("9.3", kl_divergence)

# %% tags=["hide-output"]
solution("9.3")

# %% [markdown]
# ## Exercise 9.4 · An image shifted, for data augmentation
#
# Among the FAQ's remedies for little data is augmentation: `data_size.py` shows each training
# image flipped and shifted a little (`RandomFlip`, `RandomTranslation(..., fill_mode="constant")`)
# every time it is seen. Write `translate(image, down, right)` for a 2-D `image`: the image moved
# `down` rows and `right` columns (negative values move it up and left), the pixels that come in
# from outside set to 0,
#
# $$\text{out}[i, j] = \begin{cases} \text{image}[i - \text{down},\ j - \text{right}] &
# \text{if that pixel is inside the image,} \\ 0 & \text{otherwise.} \end{cases}$$
#
# Return an array of the image's shape. Checked exactly.

# %%
def translate(image: np.ndarray, down: int, right: int) -> np.ndarray:
    """The image shifted by (down, right), filled with zeros."""
    ...


check("9.4", translate)

# %% tags=["hide-output"]
solution("9.4")

# %% [markdown]
# ## Your progress
#
# `make progress` prints, for each chapter, how many exercises you have passed, tried and not
# started.

# %%
page.record(exercises=outcomes("9"))
