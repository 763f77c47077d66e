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
# Each formula is written in NumPy in its cell, then checked with one line against
# `dlbook.scratch.losses` and one line against the Keras loss (values in float64, gradients by
# `tf.GradientTape`). Here $y$ is the target and $p$ the prediction, as in Keras's
# `loss(y_true, y_pred)`; $m$ examples, $K$ classes. Every loss is a mean over the examples.

# %%
from dlbook.cli import chapter_args
from dlbook.results import save_results
from dlbook.scratch import Comparisons, activations, losses

import keras
import numpy as np
import tensorflow as tf

args = chapter_args("ch04_math/losses", "Softmax and the loss functions, in NumPy against "
                    "dlbook.scratch and Keras (section 4)", epochs=1, dataset=None)
rng = np.random.default_rng(args.seed)
check = Comparisons()

m, K = 4, 5
z = rng.normal(scale=2, size=(m, K))  # the scores (logits) of 4 examples for 5 classes
labels = rng.integers(0, K, size=m)
y = np.eye(K)[labels]  # one-hot targets
print("labels:", labels)

# %% [markdown]
# ## Softmax
#
# $$p_j = \operatorname{softmax}(z)_j = \frac{e^{z_j}}{\sum_k e^{z_k}}$$
#
# Every $p_j$ is positive and each row sums to 1: a probability for each class. Seed 000 writes
# $y = \operatorname{softmax}(W^\top h + b) = e^{W_i^\top h + b_i} / \sum_j e^{W_j^\top h + b_j}$,
# a vector on the left and one of its components on the right; component by component it is
# $y_i = e^{z_i} / \sum_j e^{z_j}$ with $z_i = W_i^\top h + b_i$, the formula above.

# %%
p = np.exp(z) / np.sum(np.exp(z), axis=1, keepdims=True)
print("p =\n", p.round(3), "\nrow sums:", p.sum(axis=1))

check("softmax vs dlbook.scratch", p, activations.softmax(z))
check("softmax vs keras.activations.softmax", p, keras.activations.softmax(z))

# %% [markdown]
# Written as above, the formula breaks on large scores: $e^{1000}$ overflows to infinity and
# the ratio of two infinities is `nan`. Subtracting the row's largest score first changes
# nothing (the factor $e^{-\max z}$ cancels) and keeps every exponential at most 1; every
# library does it.

# %%
big = z + 1000
with np.errstate(over="ignore", invalid="ignore"):
    print("as written:", (np.exp(big) / np.sum(np.exp(big), axis=1, keepdims=True))[0])
shifted = np.exp(big - big.max(axis=1, keepdims=True))
print("shifted:   ", (shifted / shifted.sum(axis=1, keepdims=True))[0].round(4))
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
# With one-hot targets only the true class's term is left: $-\log$ of the probability given to
# the right answer, averaged over the examples: the negative log-likelihood.

# %%
cross_entropy = -np.sum(y * np.log(p)) / m
print(f"J = {cross_entropy:.4f}; -log p of the true classes: {-np.log(p[range(m), labels])}")

check("cross-entropy vs dlbook.scratch", cross_entropy, losses.cross_entropy(y, p))
check("cross-entropy vs keras.losses.CategoricalCrossentropy", cross_entropy,
      keras.losses.CategoricalCrossentropy(dtype="float64")(y, p))

# %% [markdown]
# ## Its gradient at the scores: where back-propagation starts
#
# Through the softmax, the derivative of the cross-entropy with respect to the scores is
#
# $$\frac{\partial J}{\partial z_{ij}} = \frac{p_{ij} - y_{ij}}{m},$$
#
# the prediction minus the target. This is the output layer's delta in `backprop.py`, and why
# the models of chapter 5 give the loss their scores (`from_logits=True`): the loss then
# computes softmax and logarithm together, never taking the log of a probability rounded to 0.

# %%
def loss_and_gradient(loss, targets, predictions):
    """A Keras loss at ``(targets, predictions)`` and its gradient with respect to the
    predictions, taken by ``tf.GradientTape``."""
    predictions = tf.constant(predictions)
    with tf.GradientTape() as tape:
        tape.watch(predictions)
        value = loss(tf.constant(targets, dtype=predictions.dtype), predictions)
    return float(value), tape.gradient(value, predictions).numpy()


dJ_dz = (p - y) / m
keras_cross_entropy, keras_dJ_dz = loss_and_gradient(
    keras.losses.CategoricalCrossentropy(from_logits=True, dtype="float64"), y, z)

check("dJ/dz vs dlbook.scratch", dJ_dz, losses.softmax_cross_entropy_gradient(y, z))
check("dJ/dz vs GradientTape, CategoricalCrossentropy(logits)", dJ_dz, keras_dJ_dz)
check("cross-entropy vs CategoricalCrossentropy(logits)", cross_entropy, keras_cross_entropy)

# %% [markdown]
# ## Mean squared error
#
# $$J = \frac{1}{mK} \sum_{i, j} (p_{ij} - y_{ij})^2, \qquad
# \frac{\partial J}{\partial p_{ij}} = \frac{2 (p_{ij} - y_{ij})}{mK}$$
#
# averaged over all $mK$ entries, as Keras does: the loss of regression.

# %%
mse = np.mean((p - y) ** 2)
dmse_dp = 2 * (p - y) / (m * K)
keras_mse, keras_dmse_dp = loss_and_gradient(keras.losses.MeanSquaredError(dtype="float64"), y, p)

check("MSE vs dlbook.scratch", mse, losses.mse(y, p))
check("MSE vs keras.losses.MeanSquaredError", mse, keras_mse)
check("dMSE/dp vs dlbook.scratch", dmse_dp, losses.mse_gradient(y, p))
check("dMSE/dp vs GradientTape", dmse_dp, keras_dmse_dp)

# %% [markdown]
# ## Binary cross-entropy
#
# For one yes/no output $p = \sigma(z)$, the probability of "yes" (the binary MLP listing of
# section 5 ends in a single sigmoid unit):
#
# $$J = -\frac{1}{m} \sum_i \big[y_i \log p_i + (1 - y_i) \log (1 - p_i)\big], \qquad
# \frac{\partial J}{\partial p_i} = \frac{p_i - y_i}{m\, p_i (1 - p_i)}$$

# %%
yes_no = rng.integers(0, 2, size=(m, 1)).astype(float)
p_yes = 1 / (1 + np.exp(-rng.normal(size=(m, 1))))
bce = -np.mean(yes_no * np.log(p_yes) + (1 - yes_no) * np.log(1 - p_yes))
dbce_dp = (p_yes - yes_no) / (m * p_yes * (1 - p_yes))
keras_bce, keras_dbce_dp = loss_and_gradient(keras.losses.BinaryCrossentropy(dtype="float64"),
                                             yes_no, p_yes)

check("BCE vs dlbook.scratch", bce, losses.binary_cross_entropy(yes_no, p_yes))
check("BCE vs keras.losses.BinaryCrossentropy", bce, keras_bce)
check("dBCE/dp vs dlbook.scratch", dbce_dp, losses.binary_cross_entropy_gradient(yes_no, p_yes))
check("dBCE/dp vs GradientTape", dbce_dp, keras_dbce_dp)

# %% [markdown]
# ## KL divergence
#
# How far a distribution $p$ is from a target distribution $y$ that need not be one-hot:
#
# $$\mathrm{KL}(y \,\|\, p) = \frac{1}{m} \sum_{i, j} y_{ij} \log \frac{y_{ij}}{p_{ij}}
# = \text{cross-entropy}(y, p) - \text{entropy}(y)$$
#
# The entropy of $y$ does not depend on $p$: minimizing either gives the same gradient.

# %%
soft = np.exp(rng.normal(size=(m, K)))
soft /= soft.sum(axis=1, keepdims=True)  # soft targets: each row a distribution
kl = np.sum(soft * np.log(soft / p)) / m
entropy = -np.sum(soft * np.log(soft)) / m
print(f"KL = {kl:.6f}; cross-entropy - entropy = {-np.sum(soft * np.log(p)) / m - entropy:.6f}")

check("KL vs dlbook.scratch", kl, losses.kl_divergence(soft, p))
check("KL vs keras.losses.KLDivergence", kl, keras.losses.KLDivergence(dtype="float64")(soft, p))

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
p_wrong = 1 / (1 + np.exp(-z_wrong))
cross_entropy_push = p_wrong - target
squared_error_push = 2 * (p_wrong - target) * p_wrong * (1 - p_wrong)
print(f"p = {p_wrong:.4f}; dJ/dz: cross-entropy {cross_entropy_push:.4f}, squared error "
      f"{squared_error_push:.4f} ({cross_entropy_push / squared_error_push:.0f}x smaller)")

results_file = save_results(args, max_relative_error=check.largest,
                            relative_errors=check.errors)
print(f"Results in {results_file}")

# %% [markdown]
# ## What to notice
#
# - NumPy, `dlbook.scratch` and Keras agree to float64 rounding on every loss and gradient.
# - The softmax as written overflows at large scores; subtracting the largest score fixes it
#   without changing the result.
# - The gradient of the cross-entropy at the scores is simply $(p - y)/m$, and it stays large
#   when the model is confidently wrong, where the squared error of a sigmoid barely moves the
#   score (about 200 times smaller in the last cell). That is why classifiers train on the
#   cross-entropy.
