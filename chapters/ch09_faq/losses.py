# %% [markdown]
# # Section 9 · Which loss? MSE, cross-entropy, log-likelihood and KL divergence, worked out
#
# Tutorial: section 9 · 深度学习中的损失函数有哪些？ (seed 003 §9 Q4)
#
# The FAQ names four loss functions: mean squared error, cross-entropy, log-likelihood and the
# Kullback-Leibler divergence. They are less four choices than one idea seen four ways: a loss
# is the negative log-likelihood of the data under the model, and the model's output decides
# which formula that becomes. This page works each one out by hand on small numbers, in NumPy,
# and checks it against the loss Keras trains with (`keras.losses`); chapter 4 derives their
# gradients. Then it shows why a classifier is trained with cross-entropy, not MSE.

# %%
from dlbook.cli import start_page
from dlbook.plots import plot_functions

import keras
import numpy as np
import tensorflow as tf

page = start_page("ch09_faq/losses", globals())

# %% [markdown]
# Each loss below is computed twice: by hand, in NumPy, from its formula, and by the Keras loss
# class that trains with it, in float64. `check` prints the two side by side and keeps them.

# %%
checks = {}


def check(name: str, by_hand: float, keras_loss: type[keras.losses.Loss], y_true, y_pred) -> None:
    """Print the value computed by hand beside the Keras loss's (in float64), and keep both."""
    value = float(keras_loss(dtype="float64")(np.asarray(y_true, np.float64),
                                              np.asarray(y_pred, np.float64)))
    checks[name] = {"by_hand": by_hand, "keras": value, "difference": abs(by_hand - value)}
    print(f"{name:<48}{by_hand:>9.6f}  {keras_loss.__name__:<30}{value:>9.6f}"
          f"{abs(by_hand - value):>9.0e}")


# %% [markdown]
# ## One image, three classes
#
# A classifier shown an image of class 0 answers with the probabilities $p = (0.7, 0.2, 0.1)$.
# The target is the one-hot vector $y = (1, 0, 0)$.
#
# - **Mean squared error** treats the three probabilities as numbers to fit:
#   $\mathrm{MSE} = \frac{1}{K} \sum_k (p_k - y_k)^2 = \frac{0.3^2 + 0.2^2 + 0.1^2}{3}$.
# - **Cross-entropy** looks only at the probability given to the true class:
#   $\mathrm{CE} = -\sum_k y_k \log p_k = -\log 0.7$. With integer labels instead of one-hot
#   rows it is Keras's `SparseCategoricalCrossentropy`, the loss of every classifier in dlbook.

# %%
y = np.array([[1.0, 0.0, 0.0]])
p = np.array([[0.7, 0.2, 0.1]])
mse = np.mean((p - y) ** 2)
cross_entropy = -np.sum(y * np.log(p))
check("MSE = mean (p - y)^2", mse, keras.losses.MeanSquaredError, y, p)
check("CE = -sum y log p = -log 0.7", cross_entropy, keras.losses.CategoricalCrossentropy, y, p)
check("CE with the label 0 instead of one-hot", cross_entropy,
      keras.losses.SparseCategoricalCrossentropy, [0], p)

# %% [markdown]
# ## Log-likelihood: where the formulas come from
#
# A model that outputs a probability distribution assigns a probability to the data it is shown.
# For $N$ independent examples the likelihood is the product $\prod_i P(y_i \mid x_i)$, and
# training maximizes it, or equivalently minimizes the mean **negative log-likelihood**
# $\mathrm{NLL} = -\frac{1}{N} \sum_i \log P(y_i \mid x_i)$, a sum that does not underflow. What
# $P$ is depends on the output:
#
# - a softmax over classes: $P(y \mid x) = p_y$, so the NLL *is* the cross-entropy;
# - a sigmoid for yes/no: $P = p^y (1 - p)^{1 - y}$, so the NLL is the binary cross-entropy;
# - a Gaussian of mean $\mu$ (the network's output) and fixed width $\sigma$ for a number:
#   $-\log P = \frac{(y - \mu)^2}{2 \sigma^2} + \log(\sigma \sqrt{2 \pi})$, so the NLL is the MSE
#   scaled by $1 / 2 \sigma^2$ plus a constant: least squares is maximum likelihood under
#   Gaussian noise;
# - a Poisson of mean $\mu$ for counts: $-\log P = \mu - y \log \mu + \log y!$; Keras's
#   `Poisson` loss leaves out $\log y!$, which does not depend on the model, and computes
#   $\log(\mu + 10^{-7})$ so that $\mu = 0$ does not break it: the one difference below that is
#   not at the level of float64 rounding ($10^{-16}$).

# %%
labels = np.array([0, 2, 1])
probabilities = np.array([[0.7, 0.2, 0.1], [0.1, 0.3, 0.6], [0.25, 0.5, 0.25]])
nll = -np.mean(np.log(probabilities[np.arange(3), labels]))
check("NLL of a softmax classifier", nll, keras.losses.SparseCategoricalCrossentropy,
      labels, probabilities)

answers, chances = np.array([[1.0], [0.0], [1.0]]), np.array([[0.9], [0.2], [0.4]])
nll = -np.mean(answers * np.log(chances) + (1 - answers) * np.log(1 - chances))
check("NLL of yes/no answers (Bernoulli)", nll, keras.losses.BinaryCrossentropy,
      answers, chances)

targets, means, sigma = np.array([[2.0], [0.5], [-1.0]]), np.array([[1.5], [0.0], [0.0]]), 0.5
gaussian_nll = np.mean((targets - means) ** 2 / (2 * sigma**2) + np.log(sigma * np.sqrt(2 * np.pi)))
as_mse = (gaussian_nll - np.log(sigma * np.sqrt(2 * np.pi))) * 2 * sigma**2
check("Gaussian NLL, rescaled: (NLL - const) 2 sigma^2", as_mse,
      keras.losses.MeanSquaredError, targets, means)

counts, rates = np.array([[0.0], [3.0], [1.0]]), np.array([[0.5], [2.0], [1.5]])
log_factorial = np.log([[1.0], [6.0], [1.0]])  # log y!
poisson_nll = np.mean(rates - counts * np.log(rates) + log_factorial)
check("Poisson NLL without log y!", poisson_nll - np.mean(log_factorial), keras.losses.Poisson,
      counts, rates)

# %% [markdown]
# ## KL divergence: when the target is a distribution
#
# A target need not be one-hot: a teacher network's probabilities (distillation) or a label
# smoothed by a few percent are distributions $q$ too. The Kullback-Leibler divergence
# $\mathrm{KL}(q \,\|\, p) = \sum_k q_k \log \frac{q_k}{p_k}$ measures how far $p$ is from
# $q$; it is 0 only for $p = q$. It differs from the cross-entropy by the entropy of the target,
# $\mathrm{CE}(q, p) = H(q) + \mathrm{KL}(q \,\|\, p)$ with $H(q) = -\sum_k q_k \log q_k$,
# which does not depend on the model: both losses have the same gradients, and for a one-hot
# $q$, $H(q) = 0$ and they are equal.

# %%
q = np.array([[0.6, 0.3, 0.1]])
kl = np.sum(q * np.log(q / p))
entropy = -np.sum(q * np.log(q))
check("KL(q || p) = sum q log(q / p)", kl, keras.losses.KLDivergence, q, p)
check("H(q) + KL(q || p) = CE(q, p)", entropy + kl, keras.losses.CategoricalCrossentropy, q, p)
check("KL(y || p) for the one-hot y = CE", np.sum(y * np.log(np.where(y > 0, y, 1) / p)),
      keras.losses.CategoricalCrossentropy, y, p)
largest = max(row["difference"] for row in checks.values())
print(f"largest difference from keras.losses: {largest:.1e}")
page.record(checks=checks, max_difference=largest)

# %% [markdown]
# ## Why a classifier is trained with cross-entropy, not MSE
#
# Take one example of class 1 and a sigmoid output $p = \sigma(z)$ of the logit $z$. The gradient
# that starts backpropagation is
#
# $$\frac{\partial\, \mathrm{CE}}{\partial z} = p - 1, \qquad
#   \frac{\partial\, \mathrm{MSE}}{\partial z} = 2 (p - 1)\, p\, (1 - p).$$
#
# Cross-entropy's gradient is largest when the model is most wrong ($z \ll 0$, $p \to 0$); the
# MSE's carries the factor $p$, and vanishes there: a confidently wrong network trained with MSE
# hardly moves. Both formulas are checked against `tf.GradientTape` below, and plotted in
# `losses.png`.

# %%
z = np.linspace(-8, 8, 161)
logits = tf.constant(z)
with tf.GradientTape(persistent=True) as tape:
    tape.watch(logits)
    p_positive = tf.sigmoid(logits)
    ce_curve = -tf.math.log(p_positive)
    mse_curve = (1 - p_positive) ** 2
sig = 1 / (1 + np.exp(-z))
ce_gradient, mse_gradient = sig - 1, 2 * (sig - 1) * sig * (1 - sig)
gradient_error = max(np.max(np.abs(tape.gradient(ce_curve, logits).numpy() - ce_gradient)),
                     np.max(np.abs(tape.gradient(mse_curve, logits).numpy() - mse_gradient)))
print(f"by hand vs GradientTape, largest difference over z in [-8, 8]: {gradient_error:.1e}")
at = np.searchsorted(z, -5.0)
ratio = ce_gradient[at] / mse_gradient[at]
print(f"at z = -5 (p = {sig[at]:.4f}): dCE/dz = {ce_gradient[at]:.4f}, dMSE/dz = "
      f"{mse_gradient[at]:.4f}, {ratio:.0f} times smaller")
page.record(gradient_max_difference=gradient_error, gradient_ratio_at_minus_5=ratio)
plot_functions(z, {"loss of an example of class 1": {"cross-entropy -log p": ce_curve.numpy(),
                                                     "squared error (1 - p)^2": mse_curve.numpy()},
                   "its gradient dL/dz": {"cross-entropy": ce_gradient, "squared error":
                                          mse_gradient}},
               page.output_dir / "losses.png", xlabel="logit z (p = sigmoid(z))")
