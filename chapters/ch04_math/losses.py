# %% [markdown]
# # Section 4 · Softmax and the loss functions
#
# Tutorial: section 4 · 损失函数的数学表示 (seed 004 §4.1.3); section 3 · 算法步骤详解 (seed 000
# §3.2)
#
# A classifier's last layer gives one score per class. Seed 000 turns the scores into
# probabilities with the softmax and measures how wrong they are with the cross-entropy, both in
# its section 3, among the algorithm's steps; seed 004's section 4 writes the mean squared error
# and the cross-entropy (§4.1.3). The FAQ (section 9) adds the log-likelihood and the KL
# divergence, and the binary MLP listing of section 5 trains with the binary cross-entropy.
#
# Each loss is written below as a NumPy function, with its gradient, then checked with one line
# against the Keras loss (values in float64, gradients by `tf.GradientTape`). The functions are
# in cells marked `#@save dlbook/scratch/losses.py`: that module runs these cells, and
# `mlp_from_scratch.py` trains with it, so the code is written once, on this page. Here $y$ is the
# target and $p$ the prediction, as in Keras's `loss(y_true, y_pred)`; $m$ examples, $K$ classes.
# Every loss is a mean over the examples.

# %%
from dlbook.cli import start_page
from dlbook.scratch import Comparisons
from dlbook.scratch.activations import sigmoid, softmax, softmax_backward

import keras
import numpy as np
import tensorflow as tf

# %%
page = start_page("ch04_math/losses", globals())
rng = np.random.default_rng(page.seed)
check = Comparisons(page.record)  # prints each comparison and records it in results.json

m, K = 4, 5
z = rng.normal(scale=2, size=(m, K))  # the scores (logits) of 4 examples for 5 classes
labels = rng.integers(0, K, size=m)
print("labels:", labels)

# %% [markdown]
# ## Softmax
#
# $$p_j = \operatorname{softmax}(z)_j = \frac{e^{z_j}}{\sum_k e^{z_k}}$$
#
# Every $p_j$ is positive and each row sums to 1: a probability for each class. Seed 000 writes
# $y = \operatorname{softmax}(W^\top h + b) = e^{W_i^\top h + b_i} / \sum_j e^{W_j^\top h + b_j}$,
# a vector on the left and one of its components on the right; component by component it is
# $y_i = e^{z_i} / \sum_j e^{z_j}$ with $z_i = W_i^\top h + b_i$, the formula above. The
# function `softmax` is written on `neuron.py`, with its derivative.

# %%
p = softmax(z)
print("p =\n", p.round(3), "\nrow sums:", p.sum(axis=1))
check("softmax vs keras.activations.softmax", p, keras.activations.softmax(z))

# %% [markdown]
# Written as above, the formula breaks on large scores: $e^{1000}$ overflows to infinity and
# the ratio of two infinities is `nan`. Subtracting the row's largest score first changes
# nothing (the factor $e^{-\max z}$ cancels) and keeps every exponential at most 1; every
# library does it, and so does `softmax`.

# %%
big = z + 1000
with np.errstate(over="ignore", invalid="ignore"):
    print("as written:", (np.exp(big) / np.sum(np.exp(big), axis=1, keepdims=True))[0])
print("softmax:   ", softmax(big)[0].round(4))
print("p[0]:      ", p[0].round(4))

# %% [markdown]
# ## Cross-entropy
#
# Seed 000 (§3.2) writes it $J = -\frac{1}{m} \sum_i \sum_j \hat y_j^{(i)} \log y_j^{(i)}$ over
# $m$ examples and $k$ classes, with $\hat y$ the label and $y$ the network's output. Seed 004
# (§4.1.3) writes $L = -\sum_i y_i \log \hat y_i$, without the $\frac{1}{m}$ and with the hat on
# the other side: there $\hat y$, inside the logarithm, is the prediction. Each is consistent on
# its own; read together they swap the meaning of the hat. What both say: the logarithm is taken
# of the network's output and weighted by the target. In this page's names, $y$ the target and
# $p$ the prediction:
#
# $$J = -\frac{1}{m} \sum_{i=1}^{m} \sum_{j=1}^{K} y_{ij} \log p_{ij}$$
#
# With one-hot targets (`one_hot`: a 1 at the right class, 0 elsewhere) only the true class's
# term is left: $-\log$ of the probability given to the right answer, averaged over the
# examples: the negative log-likelihood. Every loss below first checks that the target and the
# prediction have the same shape: NumPy would broadcast a mismatch into a wrong number without a
# word.

# %%
#@save dlbook/scratch/losses.py
def one_hot(labels: np.ndarray, num_classes: int, dtype: type = np.float64) -> np.ndarray:
    """Integer labels ``(N,)`` to one-hot rows ``(N, num_classes)``."""
    return np.eye(num_classes, dtype=dtype)[labels]


def check_same_shape(y: np.ndarray, p: np.ndarray) -> int:
    """The number of examples ``N``, after checking that ``y`` and ``p`` match."""
    if y.shape != p.shape:
        raise ValueError(f"target and prediction shapes differ: y {y.shape} vs p {p.shape}")
    return int(np.prod(p.shape[:-1]))


def cross_entropy(y: np.ndarray, p: np.ndarray) -> float:
    """Categorical cross-entropy ``J = -1/N sum_n sum_k y_nk log p_nk`` of the distributions
    ``p`` against the targets ``y`` (seed 000 §3.2, seed 004 §4.1.3). A probability of 0 gives
    ``inf``: Keras clips ``p`` at 1e-7, and `softmax_cross_entropy` of the scores needs no clip."""
    n = check_same_shape(y, p)
    return float(-np.sum(y * np.log(p)) / n)


# %%
y = one_hot(labels, K)
J = cross_entropy(y, p)
print(f"J = {J:.4f}; -log p of the true classes: {-np.log(p[range(m), labels])}")
check("cross-entropy vs keras.losses.CategoricalCrossentropy", J,
      keras.losses.CategoricalCrossentropy(dtype="float64")(y, p))

# %% [markdown]
# ## Its gradient at the scores: where back-propagation starts
#
# At the probabilities the gradient is $\partial J / \partial p_{ij} = -y_{ij} / (m\, p_{ij})$.
# The softmax's backward pass (`neuron.py`) carries it to the scores:
# $\partial J / \partial z_{ij} = p_{ij} \big(g_{ij} - \sum_k g_{ik} p_{ik}\big)$ with
# $g = \partial J / \partial p$, and since a row of targets sums to 1,
# $\sum_k g_{ik} p_{ik} = -1/m$. What is left is
#
# $$\frac{\partial J}{\partial z_{ij}} = \frac{p_{ij} - y_{ij}}{m},$$
#
# the prediction minus the target. This is the output layer's delta in `backprop.py`, and why
# the models of chapter 5 give the loss their scores (`from_logits=True`): the loss then
# computes softmax and logarithm together, never taking the log of a probability rounded to 0.
# From the scores, $\log p_j = z_j - \max z - \log \sum_k e^{z_k - \max z}$: no exponential
# above 1, no logarithm of 0.

# %%
#@save dlbook/scratch/losses.py
def cross_entropy_gradient(y: np.ndarray, p: np.ndarray) -> np.ndarray:
    """``dJ/dp = -y / p / N``."""
    n = check_same_shape(y, p)
    return -y / p / n


def softmax_cross_entropy(y: np.ndarray, z: np.ndarray) -> float:
    """The cross-entropy of ``p = softmax(z)`` from the scores (logits) ``z``, with
    ``log softmax(z) = z - max(z) - log sum e^{z - max(z)}``, which never takes the log of 0."""
    n = check_same_shape(y, z)
    shifted = z - z.max(axis=-1, keepdims=True)
    log_p = shifted - np.log(np.sum(np.exp(shifted), axis=-1, keepdims=True))
    return float(-np.sum(y * log_p) / n)


def softmax_cross_entropy_gradient(y: np.ndarray, z: np.ndarray) -> np.ndarray:
    """``dJ/dz = (softmax(z) - y) / N`` for targets ``y`` whose rows sum to 1: the output-layer
    delta of a classifier."""
    n = check_same_shape(y, z)
    return (softmax(z) - y) / n


# %%
def loss_and_gradient(loss, targets, predictions):
    """A Keras loss at ``(targets, predictions)`` and its gradient with respect to the
    predictions, taken by ``tf.GradientTape``."""
    predictions = tf.constant(predictions)
    with tf.GradientTape() as tape:
        tape.watch(predictions)
        value = loss(tf.constant(targets, dtype=predictions.dtype), predictions)
    return float(value), tape.gradient(value, predictions).numpy()


keras_J, keras_dJ_dz = loss_and_gradient(
    keras.losses.CategoricalCrossentropy(from_logits=True, dtype="float64"), y, z)
check("dJ/dz through softmax_backward vs GradientTape",
      softmax_backward(cross_entropy_gradient(y, p), p), keras_dJ_dz)
check("dJ/dz = (p - y)/m vs GradientTape", softmax_cross_entropy_gradient(y, z), keras_dJ_dz)
check("J from the scores vs CategoricalCrossentropy(logits)", softmax_cross_entropy(y, z),
      keras_J)

# %% [markdown]
# ## Mean squared error
#
# $$J = \frac{1}{mK} \sum_{i, j} (p_{ij} - y_{ij})^2, \qquad
# \frac{\partial J}{\partial p_{ij}} = \frac{2 (p_{ij} - y_{ij})}{mK}$$
#
# averaged over all $mK$ entries, as Keras does: the loss of regression.

# %%
#@save dlbook/scratch/losses.py
def mse(y: np.ndarray, p: np.ndarray) -> float:
    """Mean squared error ``J = 1/(N K) sum (p - y)^2``."""
    check_same_shape(y, p)
    return float(np.mean((p - y) ** 2))


def mse_gradient(y: np.ndarray, p: np.ndarray) -> np.ndarray:
    """``dJ/dp = 2 (p - y) / (N K)``."""
    check_same_shape(y, p)
    return 2 * (p - y) / p.size


# %%
keras_mse, keras_dmse_dp = loss_and_gradient(keras.losses.MeanSquaredError(dtype="float64"), y, p)
check("MSE vs keras.losses.MeanSquaredError", mse(y, p), keras_mse)
check("dMSE/dp vs GradientTape", mse_gradient(y, p), keras_dmse_dp)

# %% [markdown]
# ## Binary cross-entropy
#
# For one yes/no output $p = \sigma(z)$, the probability of "yes" (the binary MLP listing of
# section 5 ends in a single sigmoid unit):
#
# $$J = -\frac{1}{m} \sum_i \big[y_i \log p_i + (1 - y_i) \log (1 - p_i)\big], \qquad
# \frac{\partial J}{\partial p_i} = \frac{p_i - y_i}{m\, p_i (1 - p_i)}$$
#
# With $K$ such outputs per example, the mean runs over all $mK$ of them, as in Keras.

# %%
#@save dlbook/scratch/losses.py
def binary_cross_entropy(y: np.ndarray, p: np.ndarray) -> float:
    """``J = -1/(N K) sum [y log p + (1 - y) log(1 - p)]``, ``K`` independent yes/no outputs."""
    check_same_shape(y, p)
    return float(-np.mean(y * np.log(p) + (1 - y) * np.log(1 - p)))


def binary_cross_entropy_gradient(y: np.ndarray, p: np.ndarray) -> np.ndarray:
    """``dJ/dp = (p - y) / (p (1 - p)) / (N K)``."""
    check_same_shape(y, p)
    return (p - y) / (p * (1 - p)) / p.size


# %%
yes_no = rng.integers(0, 2, size=(m, 1)).astype(float)
p_yes = sigmoid(rng.normal(size=(m, 1)))
keras_bce, keras_dbce_dp = loss_and_gradient(keras.losses.BinaryCrossentropy(dtype="float64"),
                                             yes_no, p_yes)
check("BCE vs keras.losses.BinaryCrossentropy", binary_cross_entropy(yes_no, p_yes), keras_bce)
check("dBCE/dp vs GradientTape", binary_cross_entropy_gradient(yes_no, p_yes), keras_dbce_dp)

# %% [markdown]
# ## KL divergence
#
# How far a distribution $p$ is from a target distribution $y$ that need not be one-hot:
#
# $$\mathrm{KL}(y \,\|\, p) = \frac{1}{m} \sum_{i, j} y_{ij} \log \frac{y_{ij}}{p_{ij}}
# = \text{cross-entropy}(y, p) - \text{entropy}(y)$$
#
# The entropy of $y$, the cross-entropy of $y$ with itself, does not depend on $p$: minimizing
# either gives the same gradient, $-y_{ij} / (m\, p_{ij})$. A target of 0 adds nothing
# ($0 \log 0 = 0$).

# %%
#@save dlbook/scratch/losses.py
def kl_divergence(y: np.ndarray, p: np.ndarray) -> float:
    """Kullback-Leibler divergence ``KL(y || p) = 1/N sum_n sum_k y_nk log(y_nk / p_nk)``,
    with ``0 log 0 = 0``."""
    n = check_same_shape(y, p)
    ratio = np.divide(y, p, out=np.ones_like(p), where=y > 0)
    return float(np.sum(y * np.log(ratio)) / n)


def kl_divergence_gradient(y: np.ndarray, p: np.ndarray) -> np.ndarray:
    """``dKL/dp = -y / p / N``, the cross-entropy's: the two differ by ``y``'s entropy."""
    n = check_same_shape(y, p)
    return -y / p / n


# %%
soft = softmax(rng.normal(size=(m, K)))  # soft targets: each row a distribution
kl = kl_divergence(soft, p)
print(f"KL = {kl:.6f}; cross-entropy - entropy = "
      f"{cross_entropy(soft, p) - cross_entropy(soft, soft):.6f}")
keras_kl, keras_dkl_dp = loss_and_gradient(keras.losses.KLDivergence(dtype="float64"), soft, p)
check("KL vs keras.losses.KLDivergence", kl, keras_kl)
check("dKL/dp vs GradientTape", kl_divergence_gradient(soft, p), keras_dkl_dp)

# %% [markdown]
# ## Why classifiers use cross-entropy rather than squared error
#
# Take a sigmoid output that is confidently wrong: score $z = -6$, so $p = \sigma(-6) \approx
# 0.0025$, for a target $y = 1$. The gradient that reaches the score is
#
# - with the cross-entropy: $\partial J / \partial z = p - y$, close to $-1$;
# - with the squared error $(p - y)^2$: $2 (p - y) \, \sigma'(z) = 2 (p - y)\, p (1 - p)$, tiny,
#   because the sigmoid is flat there.

# %%
z_wrong, target = -6.0, 1.0
p_wrong = sigmoid(z_wrong)
cross_entropy_push = p_wrong - target
squared_error_push = 2 * (p_wrong - target) * p_wrong * (1 - p_wrong)
print(f"p = {p_wrong:.4f}; dJ/dz: cross-entropy {cross_entropy_push:.4f}, squared error "
      f"{squared_error_push:.4f} ({cross_entropy_push / squared_error_push:.0f}x smaller)")
page.record(cross_entropy_push_over_squared_error=cross_entropy_push / squared_error_push)

# %% [markdown]
# ## What to notice
#
# - NumPy and Keras agree to float64 rounding on every loss and gradient.
# - The softmax as written overflows at large scores; subtracting the largest score fixes it
#   without changing the result.
# - The gradient of the cross-entropy at the scores is simply $(p - y)/m$, and it stays large
#   when the model is confidently wrong, where the squared error of a sigmoid barely moves the
#   score (about 200 times smaller in the last cell). That is why classifiers train on the
#   cross-entropy.
